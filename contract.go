// Package chconform holds the files the suites are built from: the contract
// (api.yaml), the recorded fixtures and the target profiles, embedded so that
// a test binary runs from any directory and a release binary needs no checkout.
package chconform

import (
	"embed"
	"io/fs"
)

// Contract is api.yaml as committed: the default contract of every run.
//
//go:embed api.yaml
var Contract []byte

//go:embed all:fixtures
var fixtures embed.FS

//go:embed all:profiles
var profiles embed.FS

// Fixtures is the recorded exchanges, one directory per operationId.
func Fixtures() fs.FS { sub, _ := fs.Sub(fixtures, "fixtures"); return sub }

// Profiles is the built-in target profiles, one YAML file per name.
func Profiles() fs.FS { sub, _ := fs.Sub(profiles, "profiles"); return sub }

// Ineligible is ineligible.yaml: the documented responses no spec can
// exercise, with the reason. Every coverage floor exempts them.
//
//go:embed ineligible.yaml
var Ineligible []byte

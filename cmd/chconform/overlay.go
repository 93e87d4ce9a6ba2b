package main

import (
	"fmt"
	"io"
	"os"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
)

// runOverlay writes the contract with an overlay applied: how a maintainer
// takes an audit's suggestion into api.yaml (after reading it), and how
// make lint lints a contract and an overlay together.
func runOverlay(args []string, stdout, stderr io.Writer, getenv env) int {
	fs := verbFlags("overlay", "[flags] OVERLAY", stderr,
		"Applies an OpenAPI Overlay (1.0 or 1.1; an audit's --suggest writes one) to the contract and",
		"writes the result, refused as a run would refuse it: an overlay that is not one, an action",
		"that targets nothing, or a patched contract that is not valid OpenAPI exits 2.",
	)
	specPath := fs.String("spec", getenv("CH_SPEC"), "the contract (CH_SPEC; default: the embedded api.yaml)")
	out := fs.String("o", "", "write the overlaid contract here instead of standard output")
	if code, done := parseVerbFlags(fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "chconform overlay: name one overlay file")
		fs.Usage()
		return exitUsage
	}
	spec, err := harness.LoadContract(chconform.Contract, *specPath, fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "chconform overlay: %v\n", err)
		return exitUsage
	}
	if *out == "" {
		_, err = stdout.Write(spec.Raw)
	} else {
		err = os.WriteFile(*out, spec.Raw, 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "chconform overlay: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// Package suite is the Ginkgo side of the harness: it loads the run's
// configuration once per process, gives each spec its own client, turns the
// contract into table entries, and records every exchange and verdict as
// report entries for chreport.
package suite

import (
	"fmt"
	"net/http"
	"os"
	"sync"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
)

// Env is what every spec of a process shares. It is read-only after loading,
// so parallel specs cannot disturb each other through it.
type Env struct {
	Config    harness.Config
	Spec      *harness.Spec
	Profile   *harness.Profile
	Redactor  *harness.Redactor
	Transport http.RoundTripper
	BaseURL   string
}

var (
	envOnce sync.Once
	env     *Env
	envErr  error
)

// Load reads the configuration, the contract, the profile and (offline) the
// fixtures, once per process.
func Load() (*Env, error) {
	envOnce.Do(func() { env, envErr = load() })
	return env, envErr
}

// MustLoad is Load for code that runs after Run has succeeded in loading.
func MustLoad() *Env {
	e, err := Load()
	if err != nil {
		panic(err)
	}
	return e
}

func load() (*Env, error) {
	cfg, err := harness.LoadConfigFromEnv()
	if err != nil {
		return nil, err
	}
	e := &Env{Config: cfg}
	specPath, specData := "api.yaml (embedded)", chconform.Contract
	if cfg.SpecPath != "" {
		specPath = cfg.SpecPath
		if specData, err = os.ReadFile(cfg.SpecPath); err != nil {
			return nil, &harness.ConfigError{Var: "CH_SPEC", Value: cfg.SpecPath, Problem: err.Error()}
		}
	}
	if e.Spec, err = harness.LoadSpec(specPath, specData); err != nil {
		return nil, &harness.ConfigError{Var: "CH_SPEC", Value: specPath, Problem: err.Error()}
	}
	if e.Profile, err = harness.LoadProfile(cfg, chconform.Profiles()); err != nil {
		return nil, err
	}
	e.Redactor = harness.NewRedactor(e.Profile)
	if cfg.BaseURL == nil {
		source, where := chconform.Fixtures(), "the embedded fixtures"
		if cfg.Fixtures != "" {
			source, where = os.DirFS(cfg.Fixtures), cfg.Fixtures
		}
		fixtures, err := harness.LoadFixtures(source)
		if err != nil {
			return nil, fmt.Errorf("harness error: loading %s: %w", where, err)
		}
		e.Transport = harness.FixtureTransport(fixtures, e.Redactor)
		e.BaseURL = harness.FixturesBaseURL
	} else {
		e.Transport = http.DefaultTransport.(*http.Transport).Clone()
		e.BaseURL = cfg.BaseURL.String()
	}
	return e, nil
}

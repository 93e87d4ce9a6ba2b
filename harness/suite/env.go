// Package suite is the Ginkgo side of the harness: it loads the run's
// configuration once per process, gives each spec its own client, turns the
// contract into table entries, and records every exchange and verdict as
// report entries for chreport.
package suite

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"golang.org/x/time/rate"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/capture"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
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
	// Limiter holds the process to CH_RATE (divided among Ginkgo's parallel
	// processes); nil means unlimited. A rate.Limiter is safe for concurrent
	// use, so sharing it keeps the Env read-only in effect.
	Limiter *rate.Limiter
	// Breaker stops sending to a target that stopped answering; nil offline.
	Breaker *harness.Breaker
	// Tape writes every exchange as a fixture (CH_RECORD), and into the
	// process's run log, <CH_RECORD>/run-<suite>.har; nil otherwise.
	Tape *harness.Tape
	// Deadline is the end of the run (CH_RUN_TIMEOUT, counted from
	// CH_RUN_STARTED when the run's script set it, else from this process's
	// start); zero without CH_RUN_TIMEOUT.
	Deadline time.Time
	// Fixtures are the recorded exchanges the fixture target replays; nil
	// against a server.
	Fixtures []*harness.Fixture
	// Exempt is ineligible.yaml: documented responses no spec can exercise.
	Exempt []report.Exemption
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
	if cfg.RunTimeout > 0 {
		e.Deadline = runStart(os.Getenv("CH_RUN_STARTED"), time.Now()).Add(cfg.RunTimeout)
	}
	if e.Spec, err = harness.LoadContract(chconform.Contract, cfg.SpecPath, cfg.Overlay); err != nil {
		return nil, err
	}
	if e.Profile, err = harness.LoadProfile(cfg, chconform.Profiles()); err != nil {
		return nil, err
	}
	if e.Exempt, err = report.ParseExemptions(chconform.Ineligible); err != nil {
		return nil, fmt.Errorf("harness error: %w", err)
	}
	// The redactor knows every token of the profile (CH_AUTH_TOKEN stands in
	// for the default account's) and the credentials of CH_BASE_URL.
	e.Redactor = harness.NewRedactor(e.Profile, cfg.Secrets()...)
	if cfg.BaseURL == nil {
		source, where := chconform.Fixtures(), "the embedded fixtures"
		if cfg.Fixtures != "" {
			source, where = os.DirFS(cfg.Fixtures), cfg.Fixtures
		}
		fixtures, err := harness.LoadFixtures(source)
		if err != nil {
			return nil, fmt.Errorf("harness error: loading %s: %w", where, err)
		}
		e.Fixtures = fixtures
		e.Transport = harness.FixtureTransport(fixtures, e.Redactor)
		e.BaseURL = harness.FixturesBaseURL
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// A target that sends megabytes of headers costs an error, not memory.
		t.MaxResponseHeaderBytes = 1 << 20
		e.Transport = t
		e.BaseURL = cfg.BaseURL.String()
		e.Breaker = harness.NewBreaker(BreakerThreshold, BreakerCooldown)
		if inProcess != nil {
			e.Transport = harness.HandlerTransport{Handler: inProcess}
		}
	}
	suiteConfig, _ := ginkgo.GinkgoConfiguration()
	e.Limiter = newLimiter(cfg.Rate, suiteConfig.ParallelTotal)
	if cfg.Record != "" {
		if e.Tape, err = harness.NewTape(cfg.Record, e.BaseURL, e.Redactor); err != nil {
			return nil, &harness.ConfigError{Var: "CH_RECORD", Value: cfg.Record, Problem: err.Error()}
		}
		// One HAR per process (one per suite package, one per parallel
		// process of a suite): processes never write into the same file.
		name := capture.ProcessName(os.Args[0], suiteConfig.ParallelProcess, suiteConfig.ParallelTotal)
		if shard != "" {
			// The parts of a sharded run may record into one folder.
			name += "-shard" + strings.ReplaceAll(shard, "/", "of")
		}
		e.Tape.SetLog(capture.NewRunLog(cfg.Record, name, "chconform"))
	}
	return e, nil
}

// newLimiter is the process's share of perSecond: with `ginkgo -p` each of
// the parallel processes gets perSecond/processes, so the target sees at most
// CH_RATE in all. (Suites run one after another under ginkgo -r; `go test
// ./suites/...` runs packages at the same time, each with the whole rate.)
func newLimiter(perSecond float64, processes int) *rate.Limiter {
	if perSecond <= 0 {
		return nil
	}
	if processes > 1 {
		perSecond /= float64(processes)
	}
	return rate.NewLimiter(rate.Limit(perSecond), 1)
}

// A target that leaves BreakerThreshold requests in a row without any
// response is taken as down: the specs after it fail at once as harness
// errors instead of each waiting out CH_TIMEOUT, and one request every
// BreakerCooldown checks whether it is back.
const (
	BreakerThreshold = 3
	BreakerCooldown  = 30 * time.Second
)

// runStart is when the run began: CH_RUN_STARTED (Unix seconds, exported by
// scripts/conformance.sh so every suite process of one run shares one
// deadline), or now when it is unset or not a time in the past.
func runStart(raw string, now time.Time) time.Time {
	if sec, err := strconv.ParseInt(raw, 10, 64); err == nil {
		if t := time.Unix(sec, 0); !t.After(now) {
			return t
		}
	}
	return now
}

// Package conformance runs the chconform suite from a Go test: every spec of
// `chconform run`, against a base URL or against an http.Handler served in
// this process (no listening socket), with the same checks, transcripts,
// reports and verdict.
//
//	func TestClubhouseConformance(t *testing.T) {
//		opts := conformance.DefaultOptions() // the CH_* variables, as `chconform run` reads them
//		opts.Handler = myserver.New().Handler()
//		opts.Profile = "emulator"
//		opts.Skips = []conformance.Skip{{Match: "CH-3fa9c2d1", Reason: "issue 12: me has no photo_url yet"}}
//		conformance.Run(t, opts)
//	}
//
// Each failed, errored or flaky spec is an error of t naming its case ids
// and the curl commands that reproduce it; the run writes summary.json,
// report.html, report.md and junit.xml (and ginkgo.json, badge.json) into
// the report folder, as `chconform run` does.
//
// One run per test process: the suite is a Ginkgo suite, and Ginkgo runs
// one suite (RunSpecs) per process. A second call of Run in the same
// process fails its t with ErrSecondRun's message instead of Ginkgo's
// panic; put each run that needs other options in a package (a test
// binary) of its own, or start `go test -run` once per run. Run sets the
// CH_* variables of its options with t.Setenv, so it cannot be called from
// a parallel test (t.Parallel), and the package under test must not hold
// Ginkgo specs of its own.
package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"sigs.k8s.io/yaml"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
	"github.com/chconform/chconform/harness/suite"
	"github.com/chconform/chconform/internal/runner"
)

// Options are one run's settings. A zero field leaves its CH_* variable
// (as `chconform run` reads it) in charge; a field set in code wins over
// the variable. DefaultOptions fills the fields from the variables.
type Options struct {
	// BaseURL is the target's API root (CH_BASE_URL), e.g.
	// http://127.0.0.1:8080/api. Empty, with no Handler: the embedded
	// fixtures.
	BaseURL string
	// Handler, when set, is the target: every request is served by it in
	// this process, through no socket (BaseURL is then not used). The
	// run's target mode is "handler" and its base URL
	// http://localhost<HandlerPath>, which is what the handler sees as the
	// Host and the path prefix.
	Handler http.Handler
	// HandlerPath is the API root under which Handler serves the
	// operations; "/api" (Clubhouse's own) when empty.
	HandlerPath string

	// Profile is a built-in profile name (fixtures, emulator, live) or a
	// profile file (CH_PROFILE); the target kind's default when empty
	// (live for a base URL or a handler).
	Profile string
	// ProfileValue, when set, is the profile itself; it wins over
	// Profile.
	ProfileValue *harness.Profile
	// Capabilities, when not nil, replace the profile's capabilities:
	// what the target declares it can do (signup, mutations,
	// waitlisted-account...). A spec that needs one the target lacks is
	// unsupported, not failed.
	Capabilities []string

	// AuthToken, UserID and DeviceID are the credentials of the profile's
	// default account (CH_AUTH_TOKEN, CH_USER_ID, CH_DEVICE_ID).
	AuthToken, UserID, DeviceID string
	// Anonymous makes an anonymous run (CH_ANONYMOUS): the specs that need
	// the default account's token are unsupported and the reports say so.
	Anonymous bool

	// Filter is a Ginkgo label filter (FILTER, chconform run --filter):
	// group:auth, op:join_channel, '!mutating'.
	Filter string
	// Focus selects the specs whose name matches any of these regular
	// expressions (chconform run --focus).
	Focus []string
	// Shard is "I/N": run the I-th of N parts (chconform run --shard).
	Shard string
	// Reruns, when set, is how often a failed spec runs again before the
	// verdict (CH_RERUNS, default 2); one that then passes is flaky.
	Reruns *int
	// Seed is the random order's seed; from the clock when 0 (logged).
	Seed int64
	// Verbose names every spec as it runs.
	Verbose bool

	// ReportDir is where the reports go (CH_REPORT_DIR); when neither is
	// set, a folder named after the test under the system's temporary
	// folder, logged with the verdict.
	ReportDir string

	// Skips are specs or case ids known to fail, each with its reason:
	// they are not run, every report lists them, and the verdict is
	// conformant-with-gaps at best.
	Skips []Skip

	// Env sets any other CH_* variable for the run (CH_TIMEOUT, CH_RATE,
	// CH_STRICT, CH_MIN_COVERAGE, CH_RECORD, CH_ALLOW_MUTATIONS, ...),
	// winning over the environment; the fields above win over it.
	Env map[string]string
}

// Skip is a spec or a failure the implementer knows about.
type Skip struct {
	// Match is a case id as the reports print it (CH-3fa9c2d1: the spec
	// with that failure is skipped) or a spec's full name, as
	// summary.json's specs[].name and the failure messages print it.
	Match string
	// Reason says why it fails and where that is tracked.
	Reason string
}

// ErrSecondRun is why a second Run in one process fails its t.
var ErrSecondRun = errors.New("conformance.Run was already called in this test process: Ginkgo runs one suite per process " +
	"(RunSpecs), so make each run in its own package or its own `go test -run` invocation")

var started atomic.Bool

// DefaultOptions are the options the CH_* variables (and FILTER) of the
// environment give, as `chconform run` reads them. A CH_CONFIG file is
// read by the run itself, under the variables.
func DefaultOptions() Options {
	o := Options{
		BaseURL:   os.Getenv("CH_BASE_URL"),
		Profile:   os.Getenv("CH_PROFILE"),
		AuthToken: os.Getenv("CH_AUTH_TOKEN"),
		UserID:    os.Getenv("CH_USER_ID"),
		DeviceID:  os.Getenv("CH_DEVICE_ID"),
		Filter:    os.Getenv("FILTER"),
		ReportDir: os.Getenv("CH_REPORT_DIR"),
	}
	o.Anonymous, _ = strconv.ParseBool(os.Getenv("CH_ANONYMOUS"))
	if n, err := strconv.Atoi(os.Getenv("CH_RERUNS")); err == nil {
		o.Reruns = &n
	}
	return o
}

// Run runs the suite with opts and fails t with every failed, errored or
// flaky spec (its case ids and curl commands), or with the verdict when the
// run is not conformant for another reason (a floor not met, a run that
// could not start). A conformant-with-gaps run passes and logs its gaps.
func Run(t testing.TB, opts Options) {
	t.Helper()
	if !started.CompareAndSwap(false, true) {
		t.Fatal(ErrSecondRun)
	}
	vars, err := opts.vars(t)
	if err != nil {
		t.Fatalf("conformance.Run: %v", err)
	}
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		t.Setenv(k, vars[k])
	}
	skips := make([]report.Skip, 0, len(opts.Skips))
	for _, s := range opts.Skips {
		skips = append(skips, report.Skip{Match: strings.TrimSpace(s.Match), Reason: strings.TrimSpace(s.Reason)})
	}
	if err := report.ValidateSkips(skips); err != nil {
		t.Fatalf("conformance.Run: Skips: %v", err)
	}
	for _, f := range opts.Focus {
		if _, err := regexp.Compile(f); err != nil {
			t.Fatalf("conformance.Run: Focus %q: %v", f, err)
		}
	}
	suite.SetSkips(skips)
	if opts.Handler != nil {
		suite.SetHandler(opts.Handler)
	}

	var stderr bytes.Buffer
	dir, code := runner.Run(runner.Options{
		Filter: opts.Filter, Focus: opts.Focus, Shard: opts.Shard, Seed: opts.Seed, Verbose: opts.Verbose,
	}, os.Stdout, io.MultiWriter(os.Stderr, &stderr))
	if dir == "" {
		t.Fatalf("chconform: the run could not start (exit %d): %s", code, strings.TrimSpace(stderr.String()))
	}
	s, err := ReadSummary(dir)
	if err != nil {
		t.Fatalf("chconform: the run wrote no summary (exit %d): %v\n%s", code, err, strings.TrimSpace(stderr.String()))
	}
	judge(t, s, code, dir)
}

// ReadSummary reads the summary.json a run wrote into dir (Options.ReportDir):
// for a test that checks more of the verdict than Run does.
func ReadSummary(dir string) (report.Summary, error) {
	var s report.Summary
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("%s: %w", filepath.Join(dir, "summary.json"), err)
	}
	return s, nil
}

// judge fails t as the run's verdict and exit status say.
func judge(t testing.TB, s report.Summary, code int, dir string) {
	t.Helper()
	failed := 0
	for _, sp := range s.Specs {
		if sp.Outcome != report.OutcomeFailed && sp.Outcome != report.OutcomeError && !sp.Flaky {
			continue
		}
		failed++
		t.Errorf("%s", specFailure(sp))
	}
	for _, sk := range s.Skips {
		t.Logf("chconform: skipped by Options.Skips: %s", sk)
	}
	t.Logf("chconform: verdict %s (exit %d), %d passed, %d failed, %d error, %d flaky, %d unsupported, %d disabled; verified %d/%d documented responses; reports in %s",
		s.VerdictText(), code, s.Totals.Passed, s.Totals.Failed, s.Totals.Error, s.Totals.Flaky, s.Totals.Unsupported, s.Totals.Disabled,
		s.Verified.Verified, s.Verified.Total, dir)
	if code != runner.ExitOK && failed == 0 {
		msg := fmt.Sprintf("chconform: verdict %s, exit %d", s.VerdictText(), code)
		for _, b := range s.Verified.BelowFloor {
			msg += "\n  below the floor: " + b
		}
		t.Errorf("%s (reports in %s)", msg, dir)
	}
}

// specFailure is one failed spec as t prints it: what broke, its case ids
// and how to send its requests again.
func specFailure(sp report.SpecSummary) string {
	var b strings.Builder
	what := string(sp.Outcome)
	if sp.Flaky {
		what = "flaky"
	}
	fmt.Fprintf(&b, "%s [%s] %s\n    %s", what, strings.Join(sp.CaseIDs, " "), sp.Name, sp.Reason)
	if sp.Location != "" {
		fmt.Fprintf(&b, "\n    at %s", sp.Location)
	}
	for _, r := range sp.Reproduce {
		fmt.Fprintf(&b, "\n    reproduce: %s", strings.ReplaceAll(strings.TrimSpace(r.Curl), "\n", "\n      "))
	}
	return b.String()
}

// vars are the CH_* variables opts sets, over the environment.
func (o Options) vars(t testing.TB) (map[string]string, error) {
	v := map[string]string{}
	for k, val := range o.Env {
		if !strings.HasPrefix(k, "CH_") {
			return nil, fmt.Errorf("Env: %q is not a CH_* variable", k)
		}
		v[k] = val
	}
	set := func(name, value string) {
		if value != "" {
			v[name] = value
		}
	}
	if o.Handler != nil {
		path := o.HandlerPath
		if path == "" {
			path = "/api"
		}
		if !strings.HasPrefix(path, "/") {
			return nil, fmt.Errorf("HandlerPath %q: want an absolute path such as /api", path)
		}
		v["CH_BASE_URL"] = "http://localhost" + strings.TrimSuffix(path, "/")
	} else {
		set("CH_BASE_URL", o.BaseURL)
	}
	set("CH_PROFILE", o.Profile)
	set("CH_AUTH_TOKEN", o.AuthToken)
	set("CH_USER_ID", o.UserID)
	set("CH_DEVICE_ID", o.DeviceID)
	if o.Anonymous {
		v["CH_ANONYMOUS"] = "true"
	}
	if o.Reruns != nil {
		v["CH_RERUNS"] = strconv.Itoa(*o.Reruns)
	}
	set("CH_REPORT_DIR", o.ReportDir)
	if v["CH_REPORT_DIR"] == "" && os.Getenv("CH_REPORT_DIR") == "" {
		v["CH_REPORT_DIR"] = filepath.Join(os.TempDir(), "chconform", reportName(t.Name()))
	}
	if o.ProfileValue != nil || o.Capabilities != nil {
		path, err := o.profileFile(t, v)
		if err != nil {
			return nil, err
		}
		v["CH_PROFILE"] = path
	}
	return v, nil
}

// profileFile writes the run's profile, ProfileValue or the named one with
// Capabilities in place of its own, where CH_PROFILE can name it.
func (o Options) profileFile(t testing.TB, v map[string]string) (string, error) {
	p := o.ProfileValue
	if p == nil {
		cfg, err := harness.LoadConfig(func(name string) (string, bool) {
			if val, ok := v[name]; ok {
				return val, true
			}
			return os.LookupEnv(name)
		})
		if err != nil {
			return "", err
		}
		if p, err = harness.LoadProfile(cfg, chconform.Profiles()); err != nil {
			return "", err
		}
	}
	cp := *p
	if o.Capabilities != nil {
		cp.Capabilities = append([]string(nil), o.Capabilities...)
	}
	if cp.Name == "" {
		cp.Name = "embedded"
	}
	data, err := yaml.Marshal(cp)
	if err != nil {
		return "", fmt.Errorf("ProfileValue: %w", err)
	}
	path := filepath.Join(t.TempDir(), "profile.yaml")
	return path, os.WriteFile(path, data, 0o600)
}

// reportName makes a test's name a folder name.
func reportName(name string) string {
	return regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(name, "_")
}

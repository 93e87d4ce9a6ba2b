package suite_test

// These tests run real suites, compiled with `go test -c` into a folder of
// their own (never the package folders, which `ginkgo` and other runs in the
// same checkout use), against loopback servers started here: a server that
// never answers, a closed port, the emulator in-process.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chconform/chconform/harness/report"
	"github.com/chconform/chconform/harness/suite"
)

var (
	binDir     string
	buildMu    sync.Mutex
	builtPaths = map[string]string{}
	repoRoot   string
	errBuild   = errors.New("build failed")
	buildErrs  = map[string]error{}
)

func TestMain(m *testing.M) {
	var err error
	if repoRoot, err = filepath.Abs("../.."); err != nil {
		panic(err)
	}
	if binDir, err = os.MkdirTemp("", "chconform-suites-"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}

// chconformCommand is the built chconform command, from `go tool -n`,
// which keeps it in the build cache: the test packages of one `go test
// ./...` share one link instead of one each.
func chconformCommand(t *testing.T) string {
	t.Helper()
	return built(t, "chconform", func(string) *exec.Cmd { return exec.Command("go", "tool", "-n", "chconform") })
}

// suitesBinary is the test binary that holds every suite (suites/all); a
// test runs one group's specs with its group label.
func suitesBinary(t *testing.T) string {
	t.Helper()
	return built(t, "suites/all", func(out string) *exec.Cmd {
		return exec.Command("go", "test", "-c", "-o", out, "./suites/all")
	})
}

// built runs a build once per test process and returns the binary's path:
// the file it wrote into binDir, or the path the build printed when it
// wrote into none (go tool -n). Whole runs of a built binary are end to
// end: make test (-short) leaves them to make test-e2e.
func built(t *testing.T, key string, build func(out string) *exec.Cmd) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end to end (a run of a built binary): make test-e2e runs it")
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	if err := buildErrs[key]; err != nil {
		t.Fatal(err)
	}
	if path, ok := builtPaths[key]; ok {
		return path
	}
	// A test binary keeps Go's name (all.test): a run log is named after it.
	out := filepath.Join(binDir, filepath.Base(key)+".test")
	c := build(out)
	c.Dir = repoRoot
	printed, err := c.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		buildErrs[key] = fmt.Errorf("%w: %s: %v\n%s%s", errBuild, strings.Join(c.Args, " "), err, printed, stderr)
		t.Fatal(buildErrs[key])
	}
	if path := strings.TrimSpace(string(printed)); path != "" && !strings.Contains(path, "\n") {
		out = path
	}
	builtPaths[key] = out
	return out
}

// env is the process environment without any CH_* variable, plus vars.
func env(vars map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CH_") {
			out = append(out, kv)
		}
	}
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

type run struct {
	exit    int
	stdout  string
	stderr  string
	took    time.Duration
	maxRSS  int64 // peak resident memory of the process, in bytes
	reports []types.Report
	summary report.Summary
}

// runSuite runs one group's specs (the suites/all binary narrowed to the
// group's label, and to extra's label filter when it has one) with vars,
// writing Ginkgo's JSON and JUnit reports into reportDir.
func runSuite(t *testing.T, suite string, vars map[string]string, reportDir string, extra ...string) run {
	t.Helper()
	bin := suitesBinary(t)
	filter := report.LabelGroup + suite
	var rest []string
	for _, a := range extra {
		if f, ok := strings.CutPrefix(a, "-ginkgo.label-filter="); ok {
			filter += " && (" + f + ")"
			continue
		}
		rest = append(rest, a)
	}
	args := append([]string{"-test.count=1", "-test.run=^TestAll$",
		"-ginkgo.label-filter=" + filter,
		"-ginkgo.json-report=" + filepath.Join(reportDir, "ginkgo.json"),
		"-ginkgo.junit-report=" + filepath.Join(reportDir, "junit.xml")}, rest...)
	return runCommand(t, bin, filepath.Join(repoRoot, "suites", "all"), vars, reportDir, args...)
}

func runCommand(t *testing.T, bin, dir string, vars map[string]string, reportDir string, args ...string) run {
	t.Helper()
	c := exec.Command(bin, args...)
	c.Dir = dir
	c.Env = env(vars)
	var stdout, stderr strings.Builder
	c.Stdout, c.Stderr = &stdout, &stderr
	start := time.Now()
	err := c.Run()
	r := run{took: time.Since(start), stdout: stdout.String(), stderr: stderr.String()}
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss << 10 // KiB on Linux
	}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		r.exit = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", bin, err)
	}
	if reportDir == "" {
		return r
	}
	if data, err := os.ReadFile(filepath.Join(reportDir, "ginkgo.json")); err == nil {
		if err := json.Unmarshal(data, &r.reports); err != nil {
			t.Fatalf("ginkgo.json: %v", err)
		}
		if r.summary, err = report.Build(r.reports, report.ToolInfo{}); err != nil {
			t.Fatalf("summary: %v", err)
		}
		// Every run a test makes also proves the summary keeps its schema.
		data, _ := json.Marshal(r.summary)
		if err := report.ValidateSummary(data); err != nil {
			t.Errorf("the summary of %s breaks summary.schema.json: %v", filepath.Base(bin), err)
		}
	}
	return r
}

// hangingServer accepts connections, reads each request and never answers,
// counting the requests; it stops when the test ends.
func hangingServer(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					if _, err := http.ReadRequest(r); err != nil {
						return
					}
					hits.Add(1)
					select { // never answer; the client gives up and closes
					case <-done:
						return
					default:
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { close(done); ln.Close(); wg.Wait() })
	return "http://" + ln.Addr().String() + "/api", &hits
}

// countingServer answers 200 {} and counts requests.
func countingServer(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("{}"))
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/api", &hits
}

func TestHangingTargetEndsWithinSpecsTimesTimeoutEverySpecFailedReportsWritten(t *testing.T) {
	t.Parallel()
	base, hits := hangingServer(t)
	const timeout = time.Second
	r, reports := runHostile(t, "app", base, timeout, nil)
	specs := r.summary.Specs
	bound := time.Duration(len(specs)) * timeout
	t.Logf("%d specs against a server that never answers: %s (bound %s), %d requests, exit %d", len(specs), r.took.Round(time.Millisecond), bound, hits.Load(), r.exit)
	if r.took >= bound {
		t.Errorf("took %s, more than %d specs × %s", r.took, len(specs), timeout)
	}
	if r.exit == 0 {
		t.Errorf("a run in which every spec failed exits %d", r.exit)
	}
	for _, s := range specs {
		if s.Outcome != report.OutcomeFailed && s.Outcome != report.OutcomeError {
			t.Errorf("%s: %s (%s); every spec must fail or error against a silent target", s.Name, s.Outcome, s.Reason)
		}
		// The first specs wait out the timeout and fail; once the breaker
		// opens the rest are harness errors at once, naming why.
		if !strings.Contains(s.Reason, "deadline exceeded") && !strings.Contains(s.Reason, "target not answering") {
			t.Errorf("%s: the reason should say no response came: %s", s.Name, s.Reason)
		}
	}
	if hits.Load() < suite.BreakerThreshold || hits.Load() > suite.BreakerThreshold+1 {
		t.Errorf("%d requests: the breaker opens after %d silent ones", hits.Load(), suite.BreakerThreshold)
	}
	for _, name := range []string{"ginkgo.json", "junit.xml"} {
		if st, err := os.Stat(filepath.Join(reports, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	// chreport turns it into summary.json and the exit status 2: the specs
	// the breaker stopped are harness errors, the run could not be made.
	if s := summarize(t, reports); s.exit != 2 {
		t.Errorf("chreport summary: exit %d, want 2\n%s%s", s.exit, s.stdout, s.stderr)
	}
}

func TestUnreachableTargetStopsTheRunWithOneErrorAndExitTwo(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String() + "/api"
	ln.Close() // nothing listens there now
	vars := map[string]string{"CH_BASE_URL": base, "CH_TIMEOUT": "2s"}

	pre := runCommand(t, chconformCommand(t), repoRoot, vars, "", "preflight")
	want := "chconform: target unreachable: " + base + ": "
	if pre.exit != 2 || !strings.HasPrefix(pre.stderr, want) || strings.Count(pre.stderr, "\n") != 1 || pre.took > 5*time.Second {
		t.Errorf("chreport preflight: exit %d in %s, stderr %q, want one line starting %q", pre.exit, pre.took, pre.stderr, want)
	}
	suite := runSuite(t, "users", vars, t.TempDir())
	if suite.exit != 2 || strings.Count(suite.stderr, "target unreachable") != 1 || len(suite.reports) != 0 {
		t.Errorf("go test of a suite: exit %d, stderr %q, %d reports", suite.exit, suite.stderr, len(suite.reports))
	}
}

func TestBadConfigurationExitsTwoBeforeAnyRequestNamingTheProblem(t *testing.T) {
	t.Parallel()
	base, hits := countingServer(t)
	garbage := filepath.Join(t.TempDir(), "api.yaml")
	if err := os.WriteFile(garbage, []byte("openapi: [not, a, contract"), 0o644); err != nil {
		t.Fatal(err)
	}
	// An overlay whose action selects nothing: a patch that did nothing
	// would judge with a contract its author did not mean.
	stray := filepath.Join(t.TempDir(), "overlay.yaml")
	if err := os.WriteFile(stray, []byte("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.components.schemas.NoSuchSchema\n    update: {nullable: true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		vars    map[string]string
		naming  string
		problem string
	}{
		{map[string]string{"CH_PROFILE": "nosuch"}, "CH_PROFILE", "no built-in profile"},
		{map[string]string{"CH_BASE_URL": "127.0.0.1:8080/api"}, "CH_BASE_URL", "not an http(s) URL"},
		{map[string]string{"CH_RATE": "-1"}, "CH_RATE", "requests per second"},
		{map[string]string{"CH_SPEC": "/nonexistent/api.yaml"}, "CH_SPEC", "cannot read"},
		{map[string]string{"CH_SPEC": garbage}, "CH_SPEC", ""},
		{map[string]string{"CH_OVERLAY": "/nonexistent/overlay.yaml"}, "CH_OVERLAY", "cannot read the overlay"},
		{map[string]string{"CH_OVERLAY": stray}, "CH_OVERLAY", "did not match any targets"},
		{map[string]string{"CH_TIMEOUT": "0s"}, "CH_TIMEOUT", "positive duration"},
		{map[string]string{"CH_RUN_TIMEOUT": "soon"}, "CH_RUN_TIMEOUT", "positive duration"},
		{map[string]string{"CH_ALLOW_SMS": "please"}, "CH_ALLOW_SMS", "boolean"},
	}
	chreport := chconformCommand(t)
	for _, c := range cases {
		vars := map[string]string{"CH_BASE_URL": base}
		for k, v := range c.vars {
			vars[k] = v
		}
		pre := runCommand(t, chreport, repoRoot, vars, "", "preflight")
		suite := runSuite(t, "topics", vars, t.TempDir())
		for what, r := range map[string]run{"chreport preflight": pre, "the topics suite": suite} {
			if r.exit != 2 || !strings.Contains(r.stderr, c.naming) || !strings.Contains(r.stderr, c.problem) {
				t.Errorf("%s with %v: exit %d, stderr %q; want 2 naming %s", what, c.vars, r.exit, r.stderr, c.naming)
			}
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the target saw %d requests from runs that could not start", hits.Load())
	}
}

// CH_OVERLAY reaches every spec: with the 401 of get_all_topics taken out
// of the contract, the authentication probes' (recorded) 401 answers are an
// undocumented status. The same suite passes without it (the fixture runs).
func TestTheSuitesJudgeWithTheOverlaidContract(t *testing.T) {
	t.Parallel()
	overlay := filepath.Join(t.TempDir(), "overlay.yaml")
	if err := os.WriteFile(overlay, []byte("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.paths['/get_all_topics'].get.responses['401']\n    remove: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runSuite(t, "topics", map[string]string{"CH_OVERLAY": overlay}, t.TempDir())
	if r.exit != 1 || strings.Count(r.stdout, "status 401 is not documented for get_all_topics (documented: 200)") < 3 {
		t.Fatalf("exit %d; want 1 with the three probes failing on the undocumented 401\n%s", r.exit, r.stdout)
	}
}

package suite_test

// Whole suite runs against loopback servers that answer in ways meant to
// exhaust the harness: a body nested millions of levels deep, a body that
// stalls after the headers, drips or never ends. Each run must end within its
// bound, with its reports written.

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chconform/chconform/harness/report"
	"github.com/chconform/chconform/harness/suite"
)

// serveHandler serves h on loopback until the test ends; done is closed
// first, so handlers that wait on it return.
func serveHandler(t *testing.T, h func(w http.ResponseWriter, r *http.Request, done <-chan struct{})) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(w, r, done) })}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = srv.Serve(ln) }()
	t.Cleanup(func() { close(done); srv.Close(); wg.Wait() })
	return "http://" + ln.Addr().String() + "/api"
}

// runHostile runs group's specs against the loopback server at base under
// the hanging.yaml profile (it claims everything, so every spec reaches the
// server), with CH_TIMEOUT timeout and vars beside, writing the reports into
// a folder of its own, which it returns. A run that reported no spec ends
// the test: every assertion after it would hold over nothing.
func runHostile(t *testing.T, group, base string, timeout time.Duration, vars map[string]string, extra ...string) (run, string) {
	t.Helper()
	reports := t.TempDir()
	all := map[string]string{
		"CH_BASE_URL": base, "CH_TIMEOUT": timeout.String(),
		"CH_PROFILE":    filepath.Join(repoRoot, "harness/suite/testdata/hanging.yaml"),
		"CH_REPORT_DIR": reports,
	}
	for k, v := range vars {
		all[k] = v
	}
	r := runSuite(t, group, all, reports, extra...)
	if len(r.summary.Specs) == 0 {
		t.Fatalf("no report: exit %d\n%.2000s\n%.2000s", r.exit, r.stdout, r.stderr)
	}
	return r, reports
}

// 8 MiB of "[" reached gjson's unbounded recursion: "fatal error: stack
// overflow", which no recover catches, lost every spec of the suite and
// exited 2. It must be a failed check naming the depth, the run going on.
func TestADeeplyNestedBodyIsAFailedCheckNotACrash(t *testing.T) {
	t.Parallel()
	deep := []byte(strings.Repeat("[", 8<<20))
	base := serveHandler(t, func(w http.ResponseWriter, _ *http.Request, _ <-chan struct{}) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(deep)
	})
	r, reports := runHostile(t, "users", base, 5*time.Second, nil)
	if strings.Contains(r.stderr+r.stdout, "stack overflow") || r.exit == 2 {
		t.Fatalf("the process died: exit %d\n%.2000s", r.exit, r.stderr)
	}
	specs := r.summary.Specs
	deepFailures := 0
	for _, s := range specs {
		if s.Outcome == report.OutcomePassed {
			t.Errorf("%s passed on a body that is not JSON", s.Name)
		}
		if strings.Contains(s.Reason, "nests JSON too deep") {
			deepFailures++
		}
	}
	if deepFailures == 0 {
		t.Errorf("no spec names the nesting depth; first reason: %s", specs[0].Reason)
	}
	t.Logf("%d specs, %d name the depth, exit %d, %s", len(specs), deepFailures, r.exit, r.took.Round(time.Millisecond))
	if _, err := os.Stat(filepath.Join(reports, "junit.xml")); err != nil {
		t.Error(err)
	}
}

// stallKinds are targets that answer the headers and then stop answering in
// one way or another; with CH_TIMEOUT=2s each of them held a whole run past
// 300 s, every spec waiting out its own timeout, and no report was written.
func stallKinds() map[string]func(w http.ResponseWriter, r *http.Request, done <-chan struct{}) {
	wait := func(r *http.Request, done <-chan struct{}, d time.Duration) bool {
		select {
		case <-time.After(d):
			return true
		case <-r.Context().Done():
		case <-done:
		}
		return false
	}
	return map[string]func(w http.ResponseWriter, r *http.Request, done <-chan struct{}){
		"Content-Length 1000 then nothing": func(w http.ResponseWriter, r *http.Request, done <-chan struct{}) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"success":`))
			w.(http.Flusher).Flush()
			wait(r, done, time.Minute)
		},
		"32 bytes dripped one a second": func(w http.ResponseWriter, r *http.Request, done <-chan struct{}) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(200)
			for _, b := range []byte(`{"success":true,"padding":"....."}`)[:32] {
				_, _ = w.Write([]byte{b})
				w.(http.Flusher).Flush()
				if !wait(r, done, time.Second) {
					return
				}
			}
		},
		"a 200 MB streamed body": func(w http.ResponseWriter, r *http.Request, done <-chan struct{}) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "209715200")
			chunk := []byte(strings.Repeat(" ", 64<<10))
			for sent := 0; sent < 200<<20; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				select {
				case <-done:
					return
				default:
				}
			}
		},
	}
}

// reportFiles are the four files chreport writes.
var reportFiles = []string{"summary.json", "junit.xml", "report.html", "report.md"}

// summarize runs chreport summary on reportDir and asserts the four reports.
func summarize(t *testing.T, reports string) run {
	t.Helper()
	chreport := chconformCommand(t)
	s := runCommand(t, chreport, repoRoot, map[string]string{"CH_REPORT_DIR": reports}, "", "report",
		"--ginkgo", filepath.Join(reports, "ginkgo.json"), "--out", filepath.Join(reports, "summary.json"))
	for _, name := range reportFiles {
		if st, err := os.Stat(filepath.Join(reports, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v\n%s", name, err, s.stderr)
		}
	}
	return s
}

// stallBound is docs/security.md's bound for one suite process against a target
// that stalls after the headers: BreakerThreshold requests wait out
// CH_TIMEOUT, the rest fail at once; the slack covers start-up and reading
// 8 MiB bodies on a machine busy with other test packages (alone, each run
// takes 3 to 6 s; before the breaker counted stalled bodies, 86 s).
func stallBound(timeout time.Duration) time.Duration {
	return time.Duration(suite.BreakerThreshold)*timeout + 45*time.Second
}

// countHits wraps a handler to count the requests it sees.
func countHits(h func(w http.ResponseWriter, r *http.Request, done <-chan struct{}), hits *atomic.Int32) func(w http.ResponseWriter, r *http.Request, done <-chan struct{}) {
	return func(w http.ResponseWriter, r *http.Request, done <-chan struct{}) {
		hits.Add(1)
		h(w, r, done)
	}
}

func TestATargetThatStallsAfterTheHeadersIsCutOffByTheBreaker(t *testing.T) {
	t.Parallel()
	for name, h := range stallKinds() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			base := serveHandler(t, countHits(h, &hits))
			const timeout = time.Second
			r, reports := runHostile(t, "users", base, timeout, nil)
			specs := r.summary.Specs
			bound := stallBound(timeout)
			t.Logf("%d specs: %s (bound %s), %d requests, exit %d", len(specs), r.took.Round(time.Millisecond), bound, hits.Load(), r.exit)
			if r.took > bound {
				t.Errorf("took %s, more than %s", r.took, bound)
			}
			// The sharp measure, whatever the machine's load: the breaker
			// lets BreakerThreshold requests through, and a probe per
			// BreakerCooldown.
			if max := int32(suite.BreakerThreshold + 2); hits.Load() > max {
				t.Errorf("the stalled target saw %d requests, at most %d expected", hits.Load(), max)
			}
			breaker := 0
			for _, s := range specs {
				if s.Outcome == report.OutcomePassed {
					t.Errorf("%s passed against a stalled target", s.Name)
				}
				if strings.Contains(s.Reason, "circuit breaker open") {
					breaker++
				}
			}
			if breaker < len(specs)/2 {
				t.Errorf("only %d of %d specs name the breaker", breaker, len(specs))
			}
			if s := summarize(t, reports); s.exit != 2 {
				t.Errorf("chreport summary: exit %d, want 2 (harness errors)\n%s", s.exit, s.stderr)
			}
		})
	}
}

// A target that answers, but so slowly that the run would go on for hours,
// is bounded by CH_RUN_TIMEOUT: the specs after it are harness errors naming
// it, and the reports are written.
func TestRunTimeoutEndsTheRunAndTheReportsAreWritten(t *testing.T) {
	t.Parallel()
	base := serveHandler(t, func(w http.ResponseWriter, r *http.Request, done <-chan struct{}) {
		select { // an answer every 700 ms: the breaker never opens
		case <-time.After(700 * time.Millisecond):
		case <-r.Context().Done():
			return
		case <-done:
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"success":true}`))
	})
	const runTimeout = 4 * time.Second
	r, reports := runHostile(t, "users", base, 5*time.Second, map[string]string{"CH_RUN_TIMEOUT": runTimeout.String()})
	specs := r.summary.Specs
	t.Logf("%d specs: %s with CH_RUN_TIMEOUT=%s, exit %d", len(specs), r.took.Round(time.Millisecond), runTimeout, r.exit)
	if bound := runTimeout + 15*time.Second; r.took > bound {
		t.Errorf("took %s, more than %s", r.took, bound)
	}
	named := 0
	for _, s := range specs {
		if strings.Contains(s.Reason, "CH_RUN_TIMEOUT") {
			named++
			if s.Outcome != report.OutcomeError {
				t.Errorf("%s: %s, want error", s.Name, s.Outcome)
			}
		}
	}
	if named < len(specs)/2 {
		t.Errorf("only %d of %d specs name CH_RUN_TIMEOUT", named, len(specs))
	}
	if s := summarize(t, reports); s.exit != 2 {
		t.Errorf("chreport summary: exit %d, want 2\n%s", s.exit, s.stderr)
	}
}

// A page of 100,000 wrong items (200 KiB) gave 200,000 findings, 105 MB of
// reports and 660 MB of peak memory. Findings are capped per check and every
// report file is bounded.
func TestAFloodOfFindingsKeepsReportsAndMemoryBounded(t *testing.T) {
	t.Parallel()
	items := strings.Repeat("1,", 100000)
	flood := []byte(`{"success":true,"count":100000,"next":null,"previous":null,"clubs":[],"users":[` + items[:len(items)-1] + `]}`)
	base := serveHandler(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(flood)
	})
	r, reports := runHostile(t, "users", base, 10*time.Second, nil, "-ginkgo.label-filter=op:get_following")
	s := summarize(t, reports)
	sizes := map[string]int64{}
	var total int64
	for _, name := range append(reportFiles, "ginkgo.json") {
		if st, err := os.Stat(filepath.Join(reports, name)); err == nil {
			sizes[name] = st.Size()
			total += st.Size()
		}
	}
	t.Logf("%d specs in %s, exit %d; suite peak RSS %d MiB, chreport peak RSS %d MiB; reports %v (%d KiB in all)",
		len(r.summary.Specs), r.took.Round(time.Millisecond), r.exit, r.maxRSS>>20, s.maxRSS>>20, sizes, total>>10)
	if sizes["report.md"] >= report.MarkdownLimit {
		t.Errorf("report.md is %d bytes, over its %d limit", sizes["report.md"], report.MarkdownLimit)
	}
	if total > 40<<20 {
		t.Errorf("the reports hold %d MiB", total>>20)
	}
	if r.maxRSS > 400<<20 || s.maxRSS > 400<<20 {
		t.Errorf("peak memory: suite %d MiB, chreport %d MiB", r.maxRSS>>20, s.maxRSS>>20)
	}
	data, err := os.ReadFile(filepath.Join(reports, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "more response_schema_conformance finding(s) not listed") {
		t.Errorf("summary.json does not count the findings left out")
	}
}

// hostileLog is a body written to take over a GitHub Actions log: workflow
// commands at line starts, an Azure one, terminal escapes (OSC 8 hyperlink,
// clear screen), a bidi override.
const hostileLog = "{\"detail\": \"x\",\n::error file=README.md,line=1::pwned\n  ::add-mask::abc\n::stop-commands::tok\n##[error]azure\n" +
	"\x1b]8;;http://evil.example\x07click\x1b]8;;\x07\x1b[2J\u202eevil\r::warning::after a CR\n}"

// logLineIsLive reports the first line of out that a CI runner would act on.
func logLineIsLive(out string) string {
	for _, line := range strings.Split(out, "\n") {
		t := strings.TrimLeft(line, " \t")
		if strings.HasPrefix(t, "::") || strings.HasPrefix(t, "##[") {
			return line
		}
		if strings.ContainsAny(line, "\x1b\x07\r\u202e") {
			return line
		}
	}
	return ""
}

// A body can neither write a workflow command nor a terminal escape into
// what the suites and chreport print.
func TestTargetTextCannotDriveTheCILog(t *testing.T) {
	t.Parallel()
	base := serveHandler(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_, _ = w.Write([]byte(hostileLog))
	})
	r, reports := runHostile(t, "users", base, 5*time.Second, nil, "-ginkgo.no-color", "-ginkgo.label-filter=op:get_following || op:me")
	if !strings.Contains(r.stdout, "pwned") {
		t.Fatalf("the body is not quoted at all; the test proves nothing\n%.3000s", r.stdout)
	}
	if line := logLineIsLive(r.stdout + "\n" + r.stderr); line != "" {
		t.Errorf("the suite printed a live line: %q", line)
	}
	s := summarize(t, reports)
	if line := logLineIsLive(s.stdout + "\n" + s.stderr); line != "" {
		t.Errorf("chreport printed a live line: %q", line)
	}
}

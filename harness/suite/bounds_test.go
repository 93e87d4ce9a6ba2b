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
	"testing"
	"time"

	"github.com/chconform/chconform/harness/report"
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
	reports := t.TempDir()
	r := runSuite(t, "users", map[string]string{
		"CH_BASE_URL": base, "CH_TIMEOUT": "5s",
		"CH_PROFILE":    filepath.Join(repoRoot, "harness/suite/testdata/hanging.yaml"),
		"CH_REPORT_DIR": reports,
	}, reports)
	if strings.Contains(r.stderr+r.stdout, "stack overflow") || r.exit == 2 {
		t.Fatalf("the process died: exit %d\n%.2000s", r.exit, r.stderr)
	}
	specs := r.summary.Specs
	if len(specs) == 0 {
		t.Fatalf("no report: exit %d\n%.2000s", r.exit, r.stderr)
	}
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

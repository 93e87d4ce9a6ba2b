package suite_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// twoFacedEmulator is the emulator, except that the first request of the
// first documented-response spec of get_release_notes gets a 500: the
// target answers the same question wrongly, then rightly when asked again.
func twoFacedEmulator(t *testing.T) (base string, broken func() string) {
	t.Helper()
	em := emulator.New(emulator.Options{})
	var (
		mu     sync.Mutex
		victim string
		done   bool
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		spec := r.Header.Get(harness.SpecHeader)
		mu.Lock()
		breakIt := !done && strings.HasSuffix(r.URL.Path, "/get_release_notes") && strings.Contains(spec, "returns 200 with a body that conforms")
		if breakIt {
			done, victim = true, spec
		}
		mu.Unlock()
		if breakIt {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"detail": "first time unlucky"}`))
			return
		}
		em.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api", func() string { mu.Lock(); defer mu.Unlock(); return victim }
}

// TestATargetThatAnswersTwoWaysIsFlakyAndNotConformant: issue 12 §3. Run with
// --flake-attempts=3, the spec whose first answer was a 500 passes on its
// second attempt. The summary reports it flaky, not failed, with both
// attempts' transcripts and commands, every report shows it apart, and the
// verdict is not-conformant with exit 1.
func TestATargetThatAnswersTwoWaysIsFlakyAndNotConformant(t *testing.T) {
	t.Parallel()
	base, victim := twoFacedEmulator(t)
	reports := t.TempDir()
	vars := map[string]string{"CH_BASE_URL": base, "CH_PROFILE": "emulator", "CH_RATE": "0", "CH_TIMEOUT": "5s", "CH_REPORT_DIR": reports}
	for k, v := range emulatorCredentials {
		vars[k] = v
	}
	suitesBinary(t) // compiling is not what is timed
	start := time.Now()
	r := runSuite(t, "app", vars, reports, "-ginkgo.label-filter=op:get_release_notes", "-ginkgo.flake-attempts=3")
	took := time.Since(start)
	t.Logf("the suite ran in %s", took)
	if took > 10*time.Second {
		t.Errorf("the run took %s, want under 10 s", took)
	}
	if victim() == "" {
		t.Fatalf("no spec asked for get_release_notes' documented 200: exit %d\n%s", r.exit, r.stdout)
	}
	s := r.summary

	var flaky *report.SpecSummary
	for i, sp := range s.Specs {
		if strings.HasSuffix(sp.Name, victim()) {
			flaky = &s.Specs[i]
		} else if sp.Flaky || sp.Outcome != report.OutcomePassed {
			t.Errorf("only the broken spec should be flaky: %s: %s %v %s", sp.Name, sp.Outcome, sp.Flaky, sp.Reason)
		}
	}
	if flaky == nil {
		t.Fatalf("no spec %q in the summary", victim())
	}
	if flaky.Outcome != report.OutcomePassed || !flaky.Flaky || flaky.Attempts != 2 {
		t.Fatalf("want passed, flaky, 2 attempts: %+v", *flaky)
	}
	if !strings.Contains(flaky.Reason, "passed on attempt 2 of 3") || !strings.Contains(flaky.Reason, "500") {
		t.Errorf("reason %q", flaky.Reason)
	}
	if len(flaky.CaseIDs) == 0 || flaky.CaseIDs[0] != report.CaseID(flaky.Name, harness.CheckNotAServerError) {
		t.Fatalf("case ids %v, want not_a_server_error's first", flaky.CaseIDs) // the reports are looked up by the first
	}
	attempts := map[int]bool{}
	for _, rp := range flaky.Reproduce {
		attempts[rp.Attempt] = true
		if !strings.Contains(rp.Curl, `"$CH_AUTH_TOKEN"`) || strings.Contains(rp.Curl, emulatorCredentials["CH_AUTH_TOKEN"]) {
			t.Errorf("attempt %d's curl does not reference $CH_AUTH_TOKEN, or holds the token:\n%s", rp.Attempt, rp.Curl)
		}
	}
	if !attempts[1] || !attempts[2] || len(attempts) != 2 {
		t.Errorf("want the commands of attempts 1 and 2, got %+v", flaky.Reproduce)
	}
	if s.Totals.Flaky != 1 || s.Totals.Failed != 0 || s.Totals.Error != 0 {
		t.Errorf("totals %+v", s.Totals)
	}
	if s.Verdict != report.VerdictNotConformant || s.ExitCode() != 1 {
		t.Errorf("verdict %s exit %d, want not-conformant and 1", s.Verdict, s.ExitCode())
	}

	// Both attempts' transcripts: the 500 and the 200.
	failures, err := report.Failures(s, r.reports)
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[int]int{}
	for _, f := range failures {
		if f.Spec.Name != flaky.Name {
			continue
		}
		for _, e := range f.Exchanges {
			if e.Response != nil {
				statuses[e.Attempt] = e.Response.Status
			}
		}
	}
	if statuses[1] != 500 || statuses[2] != 200 {
		t.Errorf("want attempt 1 answered 500 and attempt 2 200, got %v", statuses)
	}

	// The reports of the run say the same.
	if err := report.WriteRenderings(s, failures, r.reports, report.PathsIn(reports)); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{
		"report.html": {"Flaky (1)", "attempt 1", "attempt 2", flaky.CaseIDs[0], "not-conformant"},
		"report.md":   {"Flaky (1)", "Attempt 1:", "Attempt 2:", flaky.CaseIDs[0], "not-conformant"},
		"junit.xml":   {`type="flaky"`, flaky.CaseIDs[0]},
	} {
		data, err := os.ReadFile(filepath.Join(reports, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(string(data), w) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
	}
}

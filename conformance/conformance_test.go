package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

func TestOptionsSetInCodeWinOverTheVariables(t *testing.T) {
	t.Setenv("CH_BASE_URL", "http://127.0.0.1:9/api")
	t.Setenv("CH_PROFILE", "live")
	t.Setenv("CH_REPORT_DIR", "")
	t.Setenv("FILTER", "group:auth")
	t.Setenv("CH_RERUNS", "0")

	d := DefaultOptions()
	if d.BaseURL != "http://127.0.0.1:9/api" || d.Profile != "live" || d.Filter != "group:auth" || d.Reruns == nil || *d.Reruns != 0 {
		t.Errorf("DefaultOptions() = %+v, want the variables", d)
	}
	plain, err := d.vars(t)
	if err != nil || plain["CH_BASE_URL"] != "http://127.0.0.1:9/api" || plain["CH_RERUNS"] != "0" {
		t.Errorf("the variables' own options give %v, %v", plain, err)
	}

	d.Handler = emulator.New(emulator.Options{}).Handler()
	d.Profile = "emulator"
	d.Env = map[string]string{"CH_TIMEOUT": "3s"}
	v, err := d.vars(t)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"CH_BASE_URL": "http://localhost/api", "CH_PROFILE": "emulator", "CH_TIMEOUT": "3s", "CH_RERUNS": "0"}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("%s = %q, want %q", k, v[k], w)
		}
	}
	if !strings.HasPrefix(v["CH_REPORT_DIR"], filepath.Join(os.TempDir(), "chconform")) {
		t.Errorf("CH_REPORT_DIR = %q, want a folder under the temporary folder", v["CH_REPORT_DIR"])
	}

	d.HandlerPath = "v1"
	if _, err := d.vars(t); err == nil {
		t.Error("a relative HandlerPath was accepted")
	}
	d.HandlerPath = ""
	d.Env = map[string]string{"HOME": "/"}
	if _, err := d.vars(t); err == nil {
		t.Error("Env accepted a variable that is not CH_*")
	}
}

// Capabilities replace those of the profile the run would use, in a
// profile file the run loads like any other.
func TestCapabilitiesReplaceTheProfiles(t *testing.T) {
	t.Setenv("CH_PROFILE", "")
	o := Options{Handler: emulator.New(emulator.Options{}).Handler(), Profile: "emulator", Capabilities: []string{"signup"}}
	v, err := o.vars(t)
	if err != nil {
		t.Fatal(err)
	}
	p, err := harness.LoadProfile(harness.Config{Profile: v["CH_PROFILE"]}, chconform.Profiles())
	if err != nil {
		t.Fatalf("the written profile does not load: %v", err)
	}
	if !slices.Equal(p.Capabilities, []string{"signup"}) || p.Name != "emulator" || p.Accounts["default"].AuthToken == "" {
		t.Errorf("profile %s capabilities %v accounts %d: want the emulator's with only signup", p.Name, p.Capabilities, len(p.Accounts))
	}
}

// fatalTB records what Run fails its t with.
type fatalTB struct {
	testing.TB
	fatal string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatal(args ...any) {
	f.fatal = fmt.Sprint(args...)
	runtime.Goexit()
}

// One real run in process against the emulator's handler (the users group,
// one spec skipped), then a second call, which must fail with
// ErrSecondRun's message and not reach Ginkgo.
func TestRunServesAHandlerInProcessAndRefusesASecondRun(t *testing.T) {
	em := emulator.New(emulator.Options{})
	dir := t.TempDir()
	const skipped = "users: malformed requests POST /me with malformed JSON gets a 4xx, never a 2xx or a 5xx"
	Run(t, Options{
		Handler: em.Handler(), Profile: "emulator", Filter: "group:users", ReportDir: dir,
		Skips: []Skip{{Match: skipped, Reason: "a known bug, kept to test the skip"}},
	})
	s, err := ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Target.Mode != "handler" || s.Target.BaseURL != "http://localhost/api" || s.Verdict != report.VerdictWithGaps {
		t.Errorf("target %+v verdict %s, want handler at http://localhost/api and conformant-with-gaps", s.Target, s.Verdict)
	}
	if len(s.Skips) != 1 || !slices.Equal(s.Skips[0].Specs, []string{skipped}) {
		t.Errorf("skips %+v, want the one declared with its spec", s.Skips)
	}
	if len(em.Requests()) == 0 || s.Totals.Passed == 0 {
		t.Errorf("the handler served %d requests and %d specs passed: the run did not reach it", len(em.Requests()), s.Totals.Passed)
	}
	for _, name := range []string{"report.html", "report.md", "junit.xml"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !strings.Contains(string(b), "a known bug, kept to test the skip") {
			t.Errorf("%s does not list the skip (%v)", name, err)
		}
	}

	second := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(second, Options{Handler: em.Handler()})
	}()
	<-done
	if second.fatal != ErrSecondRun.Error() {
		t.Errorf("a second Run failed with %q, want %q", second.fatal, ErrSecondRun)
	}
}

// errorTB records what judge fails its t with.
type errorTB struct {
	testing.TB
	errors []string
}

func (e *errorTB) Helper()                   {}
func (e *errorTB) Logf(string, ...any)       {}
func (e *errorTB) Errorf(f string, a ...any) { e.errors = append(e.errors, fmt.Sprintf(f, a...)) }

// judge fails t once per failed, errored or flaky spec, with its case ids
// and curl commands; once with the verdict when the run failed for another
// reason; and not at all for a run with gaps.
func TestJudgeFailsTheTestAsTheVerdictSays(t *testing.T) {
	failed := report.SpecSummary{Name: "users: POST /me returns 200", Outcome: report.OutcomeFailed, Reason: "num_invites: not an integer",
		CaseIDs: []string{"CH-0badc0de"}, Reproduce: []report.Reproduction{{Curl: "curl -sS -i -X POST \\\n  --url http://localhost/api/me"}}}
	flaky := report.SpecSummary{Name: "users: flaky", Outcome: report.OutcomePassed, Flaky: true, CaseIDs: []string{"CH-f1a4f1a4"}}
	passed := report.SpecSummary{Name: "users: fine", Outcome: report.OutcomePassed}
	for _, tt := range []struct {
		name string
		s    report.Summary
		code int
		want []string // one substring per expected error
	}{
		{"conformant-with-gaps passes", report.Summary{Verdict: report.VerdictWithGaps, Specs: []report.SpecSummary{passed}}, 0, nil},
		{"a failed spec", report.Summary{Verdict: report.VerdictNotConformant, Specs: []report.SpecSummary{passed, failed}}, 1,
			[]string{"failed [CH-0badc0de] users: POST /me returns 200\n    num_invites: not an integer\n    reproduce: curl -sS -i -X POST \\\n        --url http://localhost/api/me"}},
		{"a flaky spec", report.Summary{Verdict: report.VerdictNotConformant, Specs: []report.SpecSummary{flaky}}, 1, []string{"flaky [CH-f1a4f1a4]"}},
		{"below the floor, nothing failed", report.Summary{Verdict: report.VerdictNotConformant, Specs: []report.SpecSummary{passed},
			Verified: report.Verification{BelowFloor: []string{"me 401: never exercised"}}}, 1, []string{"verdict not-conformant, exit 1\n  below the floor: me 401"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := &errorTB{TB: t}
			judge(rec, tt.s, tt.code, "/tmp/r")
			if len(rec.errors) != len(tt.want) {
				t.Fatalf("errors %q, want %d", rec.errors, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(rec.errors[i], w) {
					t.Errorf("error %q lacks %q", rec.errors[i], w)
				}
			}
		})
	}
}

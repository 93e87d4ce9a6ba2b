package reportcmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
	"github.com/onsi/ginkgo/v2/types"
)

func summaryFile(t *testing.T, dir, name string, schema harness.CheckStatus) string {
	t.Helper()
	s := report.Summary{
		Spec: report.SpecInfo{Path: "api.yaml", SHA256: "abc", Operations: 1},
		Operations: []report.OperationSummary{{
			OperationID: "get_profile", Status: report.OutcomePassed,
			ResponsesDocumented: []string{"200"}, ResponsesExercised: []string{"200"},
			Checks: []report.CheckSummary{{Name: harness.CheckResponseSchema, Status: schema, Message: "/user_profile/user_id: value must be an integer"}},
		}},
		Specs: []report.SpecSummary{{Name: "get_profile answers", Outcome: report.OutcomePassed}},
	}
	if schema == harness.CheckFailed {
		s.Specs[0].Outcome = report.OutcomeFailed
	}
	path := filepath.Join(dir, name)
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, path, string(data))
}

// writeFile writes data to path, ending the test if it cannot.
func writeFile(t *testing.T, path, data string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDiffCommand(t *testing.T) {
	dir := t.TempDir()
	good := summaryFile(t, dir, "good.json", harness.CheckPassed)
	bad := summaryFile(t, dir, "bad.json", harness.CheckFailed)
	notJSON := writeFile(t, filepath.Join(dir, "not.json"), "<html>")
	empty := writeFile(t, filepath.Join(dir, "empty.json"), "{}")

	tests := []verbCase{
		{"same run", []string{good, good}, 0, []string{"no regression"}, ""},
		{"fixed is not a regression", []string{bad, good}, 0, []string{"fixed (1)"}, ""},
		{"a failure in both runs is no regression", []string{bad, bad}, 0, []string{"no regression"}, ""},
		{"regression exits 1", []string{good, bad}, 1, []string{"REGRESSIONS", "operation get_profile: check response_schema_conformance passed → failed"}, ""},
		{"markdown", []string{"--format", "md", good, bad}, 1, []string{"## chconform: ✗ 2 regression(s)"}, ""},
		{"json", []string{"--format=json", good, bad}, 1, []string{`"regressed": true`}, ""},
		{"one argument", []string{good}, 2, nil, "want two arguments"},
		{"unknown format", []string{"--format", "xml", good, bad}, 2, nil, "unknown --format"},
		{"missing file", []string{good, filepath.Join(dir, "nope.json")}, 2, nil, "no such file"},
		{"not JSON", []string{notJSON, good}, 2, nil, "is not a summary.json"},
		{"an empty object is not a summary", []string{good, empty}, 2, nil, "no contract, operation or spec"},
	}
	runVerbCases(t, "diff", tests)
}

// verbCase is one run of a verb of the command: its arguments, the exit
// status, what stdout must hold, and what stderr must hold ("" means stderr
// must be empty).
type verbCase struct {
	name   string
	args   []string
	exit   int
	stdout []string
	stderr string
}

func runVerbCases(t *testing.T, verb string, cases []verbCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			exit := run(append([]string{verb}, tt.args...), &stdout, &stderr, noEnv)
			if exit != tt.exit {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", exit, tt.exit, stdout.String(), stderr.String())
			}
			if len(tt.stdout) == 0 && tt.stderr == "" {
				t.Fatal("the case asserts nothing but the exit status: give it what stdout or stderr must hold")
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			if tt.stderr == "" && stderr.Len() != 0 {
				t.Errorf("unexpected stderr: %s", stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.stderr)
			}
		})
	}
}

// TestSummaryWritesEveryReport: summary keeps writing summary.json where it
// did, and now leaves report.html, report.md and junit.xml beside it; an
// empty path leaves one out, and --stable drops the volatile fields.
func TestSummaryWritesEveryReport(t *testing.T) {
	tests := []struct {
		name    string
		flags   []string
		want    []string
		wantNot []string
	}{
		{"defaults", nil, []string{"summary.json", "report.html", "report.md", "junit.xml"}, nil},
		{"renderings left out", []string{"--html=", "--md=", "--junit="}, []string{"summary.json"}, []string{"report.html", "report.md", "junit.xml"}},
		{"renderings elsewhere", []string{"--html", "elsewhere/r.html"}, []string{"summary.json", "elsewhere/r.html", "report.md"}, []string{"report.html"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeReport(t, dir, ginkgoReport(it("answers 200", types.SpecStatePassed, "")))
			os.Remove(filepath.Join(dir, "junit.xml"))
			args := []string{"summary", "--ginkgo", path, "--out", filepath.Join(dir, "summary.json")}
			for _, f := range tt.flags {
				if strings.HasPrefix(f, "elsewhere") {
					f = filepath.Join(dir, f)
				}
				args = append(args, f)
			}
			var stdout, stderr bytes.Buffer
			if exit := run(args, &stdout, &stderr, noEnv); exit != 0 {
				t.Fatalf("exit %d: %s", exit, stderr.String())
			}
			for _, f := range tt.want {
				if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
					t.Errorf("%s not written: %v", f, err)
				}
			}
			for _, f := range tt.wantNot {
				if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
					t.Errorf("%s written", f)
				}
			}
		})
	}
}

func TestSummaryStable(t *testing.T) {
	dir := t.TempDir()
	path := writeReport(t, dir, ginkgoReport(it("answers 200", types.SpecStatePassed, "")))
	out := filepath.Join(dir, "baseline.json")
	var stdout, stderr bytes.Buffer
	if exit := run([]string{"summary", "--stable", "--ginkgo", path, "--out", out, "--html=", "--md=", "--junit="}, &stdout, &stderr, func(k string) string {
		return map[string]string{"CH_REPORT_DIR": dir}[k]
	}); exit != 0 {
		t.Fatalf("exit %d: %s", exit, stderr.String())
	}
	data, _ := os.ReadFile(out)
	for _, volatile := range []string{"started_at", "devel"} {
		if strings.Contains(string(data), volatile) {
			t.Errorf("a --stable summary holds %q", volatile)
		}
	}
}

// TestDiffCommandSeesWhatWasLost: with the contract unchanged, a spec that
// passed and now skips and a documented response verified and now not are
// regressions (exit 1), listed apart from failures; with the contract
// changed they are its consequences (exit 0).
func TestDiffCommandSeesWhatWasLost(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, edit func(*report.Summary)) string {
		s := report.Summary{
			Spec: report.SpecInfo{Path: "api.yaml", SHA256: "abc", Operations: 1},
			Operations: []report.OperationSummary{{
				OperationID: "get_profile", Status: report.OutcomePassed,
				ResponsesDocumented: []string{"200"}, ResponsesExercised: []string{"200"},
			}},
			Specs: []report.SpecSummary{
				{Name: "get_profile answers", Outcome: report.OutcomePassed},
				{Name: "after update_username get_profile shows it", Outcome: report.OutcomePassed},
			},
			Verified: report.Verification{Verified: 1, Total: 1, Unverified: []report.Gap{}},
		}
		edit(&s)
		data, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, filepath.Join(dir, name), string(data))
	}
	base := write("base.json", func(*report.Summary) {})
	skipping := write("skipping.json", func(s *report.Summary) {
		s.Specs[1].Outcome, s.Specs[1].Reason = report.OutcomeUnsupported, "profile lacks signup"
	})
	gone := write("gone.json", func(s *report.Summary) { s.Specs = s.Specs[:1] })
	unverified := write("unverified.json", func(s *report.Summary) {
		s.Verified.Verified = 0
		s.Verified.Unverified = []report.Gap{{Operation: "get_profile", Status: "200", Kind: report.GapFailed, Reason: "exercised but failed response_schema_conformance"}}
	})
	newContract := write("contract.json", func(s *report.Summary) {
		s.Spec.SHA256 = "def"
		s.Specs[1].Outcome, s.Specs[1].Reason = report.OutcomeUnsupported, "profile lacks signup"
	})
	runVerbCases(t, "diff", []verbCase{
		{"a passed spec now unsupported", []string{base, skipping}, 1, []string{"REGRESSIONS (1)", "lost: judged in the baseline",
			`spec "after update_username get_profile shows it": passed → unsupported: profile lacks signup`}, ""},
		{"a passed spec gone", []string{base, gone}, 1, []string{`spec "after update_username get_profile shows it": passed → absent from this run`}, ""},
		{"a verified response no longer verified", []string{base, unverified}, 1,
			[]string{"operation get_profile: documented response 200 verified in the baseline, not now: failed: exercised but failed response_schema_conformance"}, ""},
		{"json lists the losses apart", []string{"--format", "json", base, skipping}, 1, []string{`"lost": [`, `"lost_specs": [`}, ""},
		{"the contract changed: consequences, no regression", []string{base, newContract}, 0,
			[]string{"no regression", "consequences of the contract change (not regressions) (1)"}, ""},
	})
}

package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chconform/chconform/harness"
	"github.com/onsi/ginkgo/v2/types"
)

// A provisional spec judges a case the contract does not document (issue
// 13): its failure is reported apart and never makes the run not
// conformant, while the same failure in an ordinary spec does.
func TestAFailedProvisionalSpecIsCountedApartFromTheVerdict(t *testing.T) {
	isolation := checksEntry("follow", 200, pass(harness.CheckStatusCode),
		fail(harness.CheckIdentityIsolation, harness.Finding{Message: "A's follow is in B's get_following"}))
	passing := it("follow answers 200", types.SpecStatePassed, "", labels("op:follow", "covers:follow:200"),
		entries(checksEntry("follow", 200, pass(harness.CheckStatusCode))))
	for _, tc := range []struct {
		name  string
		spec  types.SpecReport
		apart bool
	}{
		{"provisional, failed in Ginkgo", it("undocumented case", types.SpecStateFailed, "acted as B",
			labels("op:follow", LabelProvisional), entries(isolation)), true},
		{"provisional, ended by suite.Provisional", it("undocumented case", types.SpecStateSkipped, SkipProvisionalFailed+"acted as B",
			labels("op:follow", LabelProvisional), entries(isolation)), true},
		{"documented", it("documented case", types.SpecStateFailed, "acted as B", labels("op:follow"), entries(isolation)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustBuild(t, suite("users", tc.spec.State != types.SpecStateFailed, runSpec(), passing, tc.spec))
			s.Spec.SHA256 = strings.Repeat("ab", 32) // testRun's is short
			data, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			if err := ValidateSummary(data); err != nil {
				t.Fatalf("the summary does not validate: %v", err)
			}
			if !tc.apart {
				if s.Verdict != VerdictNotConformant || s.ExitCode() != 1 || s.Totals.Failed != 1 || s.Provisional != nil {
					t.Fatalf("a failed documented spec: verdict %s, exit %d, failed %d, provisional %+v; want not-conformant, 1, 1, none",
						s.Verdict, s.ExitCode(), s.Totals.Failed, s.Provisional)
				}
				if c := findCheck(findOp(t, s, "follow"), harness.CheckIdentityIsolation); c == nil || c.Status != harness.CheckFailed {
					t.Errorf("the operation's %s: %+v, want failed", harness.CheckIdentityIsolation, c)
				}
				return
			}
			if s.Verdict == VerdictNotConformant || s.ExitCode() != 0 || s.Totals.Failed != 0 {
				t.Errorf("a failed provisional spec made the run %s, exit %d, failed %d", s.Verdict, s.ExitCode(), s.Totals.Failed)
			}
			if len(s.Specs) != 1 || s.Specs[0].Name != passing.FullText() {
				t.Errorf("specs %+v, want only the ordinary one", s.Specs)
			}
			p := s.Provisional
			if p == nil || p.Totals.Failed != 1 || len(p.Specs) != 1 || p.Specs[0].Outcome != OutcomeFailed || p.Specs[0].Reason != "acted as B" {
				t.Fatalf("provisional %+v, want the one failed spec with its reason", p)
			}
			if len(p.Specs[0].Checks) == 0 {
				t.Errorf("the provisional spec lost its checks")
			}
			if c := findCheck(findOp(t, s, "follow"), harness.CheckIdentityIsolation); c != nil {
				t.Errorf("the provisional spec's check rolled into the operation: %+v", c)
			}
			if op := findOp(t, s, "follow"); op.Status != OutcomePassed {
				t.Errorf("follow's status %s, want passed (the provisional failure is apart)", op.Status)
			}
		})
	}
}

func findCheck(op OperationSummary, name string) *CheckSummary {
	for i := range op.Checks {
		if op.Checks[i].Name == name {
			return &op.Checks[i]
		}
	}
	return nil
}

// Every rendering lists the provisional specs apart, and none turns a
// provisional failure into a failure: junit.xml skips it.
func TestProvisionalSpecsAreRenderedApart(t *testing.T) {
	spec := it("after leave_channel get_suggested_speakers of the room does not list the user", types.SpecStateSkipped,
		SkipProvisionalFailed+"the user who left is listed", labels("op:leave_channel", LabelProvisional))
	reports := []types.Report{suite("channels", true, runSpec(), spec)}
	s := mustBuild(t, reports...)
	html, md, junit := renderings(t, s, nil, reports)
	var verdict bytes.Buffer
	WriteVerdict(&verdict, s, 1)
	for name, out := range map[string]string{"html": html, "md": md, "junit": junit, "verdict": verdict.String()} {
		if !strings.Contains(strings.ToLower(out), "provisional") || !strings.Contains(out, "is listed") {
			t.Errorf("%s does not list the provisional failure:\n%s", name, out)
		}
	}
	if strings.Contains(junit, "<failure") {
		t.Errorf("junit.xml reports a provisional spec as a failure:\n%s", junit)
	}
}

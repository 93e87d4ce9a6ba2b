package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chconform/chconform/harness"
)

// baseSummary is a small baseline: two operations, three specs.
func baseSummary() Summary {
	return Summary{
		StartedAt: "2021-02-03T04:05:06Z",
		Spec:      SpecInfo{Path: "api.yaml", SHA256: "aaa", Operations: 2},
		Tool:      ToolInfo{Version: "devel-1"},
		Totals:    Totals{Passed: 2, Unsupported: 1},
		Coverage:  Coverage{OperationsExercised: 2, OperationsTotal: 2, ResponsesExercised: 3, ResponsesTotal: 3},
		Verified:  Verification{Verified: 3, Total: 3, Unverified: []Gap{}},
		Operations: []OperationSummary{
			{OperationID: "get_profile", Status: OutcomePassed, ResponsesDocumented: []string{"200", "401"}, ResponsesExercised: []string{"200", "401"},
				Checks: []CheckSummary{{Name: harness.CheckStatusCode, Status: harness.CheckPassed}, {Name: harness.CheckResponseSchema, Status: harness.CheckPassed}}},
			{OperationID: "follow", Status: OutcomePassed, ResponsesDocumented: []string{"200"}, ResponsesExercised: []string{"200"},
				Checks: []CheckSummary{{Name: harness.CheckStatusCode, Status: harness.CheckPassed}}},
		},
		Specs: []SpecSummary{
			{Name: "get_profile answers", Outcome: OutcomePassed, Location: "suites/users/users.go:10"},
			{Name: "follow answers", Outcome: OutcomePassed},
			{Name: "follow waitlisted", Outcome: OutcomeUnsupported, Reason: "no capability"},
		},
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name        string
		edit        func(*Summary)
		regressions []string // substrings, one per expected regression, in order
		check       func(Diff) string
	}{
		{
			name: "identical runs",
			edit: func(*Summary) {},
		},
		{
			name: "volatile fields are ignored",
			edit: func(s *Summary) {
				s.StartedAt, s.Tool.Version = "2030-01-01T00:00:00Z", "devel-2+dirty"
				s.Target.Config = map[string]string{"CH_REPORT_DIR": "/tmp/x"}
				s.Specs[0].Location = "suites/users/users.go:99"
			},
		},
		{
			name: "a passed check now fails, and its spec",
			edit: func(s *Summary) {
				s.Operations[0].Checks[1] = CheckSummary{Name: harness.CheckResponseSchema, Status: harness.CheckFailed, Message: "/user_id: value must be an integer"}
				s.Specs[0].Outcome, s.Specs[0].Reason = OutcomeFailed, "schema"
			},
			regressions: []string{
				`spec "get_profile answers": passed → failed`,
				"operation get_profile: check response_schema_conformance passed → failed: /user_id: value must be an integer",
			},
			check: func(d Diff) string {
				if len(d.NewFailures) != 1 || len(d.CheckChanges) != 1 {
					return "want one new failure and one check change"
				}
				return ""
			},
		},
		{
			name: "a new spec that fails is a regression",
			edit: func(s *Summary) {
				s.Specs = append(s.Specs, SpecSummary{Name: "brand new", Outcome: OutcomeFailed, Reason: "nope"})
			},
			regressions: []string{`spec "brand new": new → failed: nope`},
			check: func(d Diff) string {
				if len(d.SpecsAdded) != 1 {
					return "want the spec listed as added"
				}
				return ""
			},
		},
		{
			name:        "a harness error is a regression",
			edit:        func(s *Summary) { s.Specs[1].Outcome = OutcomeError },
			regressions: []string{`spec "follow answers": passed → error`},
		},
		{
			name: "a spec that passed and is now unsupported is lost",
			edit: func(s *Summary) {
				s.Specs[1].Outcome, s.Specs[1].Reason = OutcomeUnsupported, "no fixture"
			},
			regressions: []string{`spec "follow answers": passed → unsupported: no fixture`},
			check: func(d Diff) string {
				if len(d.LostSpecs) != 1 || len(d.Lost) != 1 || len(d.NewlyUnsupported) != 0 {
					return "want follow answers lost, listed apart, and not as news"
				}
				return ""
			},
		},
		{
			name: "a spec that passed and is now disabled is lost",
			edit: func(s *Summary) {
				s.Specs[1].Outcome, s.Specs[1].Reason = OutcomeDisabled, "CH_ALLOW_MUTATIONS is not set"
			},
			regressions: []string{`spec "follow answers": passed → disabled: CH_ALLOW_MUTATIONS is not set`},
		},
		{
			name:        "a spec that passed and is gone is lost",
			edit:        func(s *Summary) { s.Specs = s.Specs[:1] },
			regressions: []string{`spec "follow answers": passed → absent from this run`},
			check: func(d Diff) string {
				if len(d.SpecsRemoved) != 2 {
					return "want both specs listed as removed"
				}
				return ""
			},
		},
		{
			name: "a spec that was never judged and is now unsupported or gone is news",
			edit: func(s *Summary) {
				s.Specs[1].Outcome = OutcomeError
				s.Specs = s.Specs[:2]
			},
			regressions: []string{`spec "follow answers": passed → error`},
			check: func(d Diff) string {
				if len(d.Lost) != 0 || len(d.SpecsRemoved) != 1 {
					return "want the unsupported spec removed as news, and nothing lost"
				}
				return ""
			},
		},
		{
			name: "a documented response verified and not now, though still exercised",
			edit: func(s *Summary) {
				s.Verified.Verified = 2
				s.Verified.Unverified = []Gap{{Operation: "get_profile", Status: "401", Kind: GapFailed, Reason: "exercised but failed ignored_auth"}}
			},
			regressions: []string{"operation get_profile: documented response 401 verified in the baseline, not now: failed: exercised but failed ignored_auth"},
			check: func(d Diff) string {
				if len(d.VerifiedLost) != 1 || d.VerifiedLost[0] != "get_profile 401" {
					return "want get_profile 401 in verified_lost"
				}
				return ""
			},
		},
		{
			name: "a documented response verified and no longer exercised is one loss",
			edit: func(s *Summary) {
				s.Operations[0].ResponsesExercised = []string{"200"}
				s.Verified.Verified = 2
				s.Verified.Unverified = []Gap{{Operation: "get_profile", Status: "401", Kind: GapUnsupported, Reason: "only in unsupported specs"}}
			},
			regressions: []string{"operation get_profile: documented response 401 verified in the baseline, not now: unsupported: only in unsupported specs"},
		},
		{
			name: "with the contract changed, losses are its consequences",
			edit: func(s *Summary) {
				s.Spec.SHA256 = "bbb"
				s.Specs[1].Outcome, s.Specs[1].Reason = OutcomeUnsupported, "no fixture"
				s.Specs = s.Specs[:2]
				s.Operations[0].ResponsesExercised = []string{"200"}
				s.Verified.Unverified = []Gap{{Operation: "get_profile", Status: "401", Kind: GapUnsupported, Reason: "x"}}
				s.Operations = s.Operations[:1]
				s.Coverage.OperationsExercised = 1
			},
			check: func(d Diff) string {
				if len(d.ContractConsequences) != 4 || len(d.Lost) != 0 || len(d.LostSpecs) != 1 {
					return fmt.Sprintf("want four consequences (spec, response, operation, coverage) and nothing lost: %q", d.ContractConsequences)
				}
				return ""
			},
		},
		{
			name: "with the contract changed, a failure is still a regression",
			edit: func(s *Summary) {
				s.Spec.SHA256 = "bbb"
				s.Specs[1].Outcome, s.Specs[1].Reason = OutcomeFailed, "nope"
			},
			regressions: []string{`spec "follow answers": passed → failed: nope`},
		},
		{
			// A summary older than verified coverage: exercised is all it says.
			name: "a documented response no longer exercised",
			edit: func(s *Summary) {
				s.Operations[0].ResponsesExercised = []string{"200"}
				s.Coverage.ResponsesExercised = 2
				s.Verified = Verification{}
			},
			regressions: []string{"operation get_profile: documented response 401 no longer exercised"},
		},
		{
			name: "an operation removed, and coverage with it",
			edit: func(s *Summary) {
				s.Operations = s.Operations[:1]
				s.Coverage.OperationsExercised, s.Coverage.OperationsTotal = 1, 1
			},
			regressions: []string{"operation follow: removed from the contract", "coverage: 1 operations exercised, was 2"},
		},
		{
			name: "an operation added and a contract change are news",
			edit: func(s *Summary) {
				s.Spec.SHA256 = "bbb"
				s.Operations = append(s.Operations, OperationSummary{OperationID: "get_club", Status: OutcomeNotRun})
			},
			check: func(d Diff) string {
				if !d.SpecChanged || len(d.OperationsAdded) != 1 {
					return "want contract_changed and get_club added"
				}
				return ""
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := baseSummary()
			cur := baseSummary()
			tt.edit(&cur)
			d := Compare(base, cur)
			if len(d.Regressions) != len(tt.regressions) {
				t.Fatalf("regressions %q, want %d like %q", d.Regressions, len(tt.regressions), tt.regressions)
			}
			for i, want := range tt.regressions {
				if !strings.Contains(d.Regressions[i], want) {
					t.Errorf("regression %d = %q, want it to contain %q", i, d.Regressions[i], want)
				}
			}
			if d.Regressed() != (len(tt.regressions) > 0) {
				t.Errorf("Regressed() = %v", d.Regressed())
			}
			if tt.check != nil {
				if msg := tt.check(d); msg != "" {
					t.Error(msg)
				}
			}
		})
	}
}

// TestFixedSpec checks the other direction: base failing, new passing.
func TestFixedSpec(t *testing.T) {
	base := baseSummary()
	base.Specs[0].Outcome = OutcomeFailed
	base.Operations[0].Checks[1].Status = harness.CheckFailed
	d := Compare(base, baseSummary())
	if d.Regressed() || len(d.Fixed) != 1 || len(d.CheckChanges) != 1 {
		t.Errorf("want one fixed spec, one changed check and no regression: %+v", d)
	}
}

func TestDiffRenderings(t *testing.T) {
	cur := baseSummary()
	cur.Operations[0].Checks[1] = CheckSummary{Name: harness.CheckResponseSchema, Status: harness.CheckFailed, Message: "m|x"}
	d := Compare(baseSummary(), cur)
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
		want  []string
	}{
		{"text", func(b *bytes.Buffer) error { return WriteDiffText(b, d) }, []string{"REGRESSIONS (1):", "get_profile: check response_schema_conformance passed → failed"}},
		{"md", func(b *bytes.Buffer) error { return WriteDiffMarkdown(b, d) }, []string{"## chconform: ✗ 1 regression(s)", `m\|x`, "<details><summary>Checks changed (1)"}},
		{"json", func(b *bytes.Buffer) error { return WriteDiffJSON(b, d) }, []string{`"regressed": true`, `"specs_added": []`, `"check": "response_schema_conformance"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, b.String())
				}
			}
			if tt.name == "json" && !json.Valid(b.Bytes()) {
				t.Error("not JSON")
			}
		})
	}
}

func TestStableDropsVolatileFields(t *testing.T) {
	s := baseSummary()
	s.Target.Config = map[string]string{"CH_REPORT_DIR": "/tmp/x", "CH_RATE": "0"}
	st := s.Stable()
	if st.StartedAt != "" || st.Tool.Version != "" || st.Target.Config["CH_REPORT_DIR"] != "" || st.Target.Config["CH_RATE"] != "0" {
		t.Errorf("Stable() = %+v", st)
	}
	if s.Target.Config["CH_REPORT_DIR"] != "/tmp/x" {
		t.Error("Stable() changed the summary it was called on")
	}
}

// A spec that turns flaky regressed (the target answered one question two
// ways); one that stops being flaky is fixed.
func TestFlakySpecIsARegressionAndItsEndAFix(t *testing.T) {
	flaky := baseSummary()
	flaky.Specs[1].Flaky, flaky.Specs[1].Attempts = true, 2
	d := Compare(baseSummary(), flaky)
	if !d.Regressed() || len(d.NewFailures) != 1 || d.NewFailures[0].After != outcomeFlaky ||
		!strings.Contains(strings.Join(d.Regressions, "\n"), `"follow answers": passed → flaky`) {
		t.Errorf("want one regression, follow answers passed → flaky: %+v", d)
	}
	d = Compare(flaky, baseSummary())
	if d.Regressed() || len(d.Fixed) != 1 {
		t.Errorf("want the flaky spec fixed and no regression: %+v", d)
	}
}

// A provisional spec that starts failing is news, listed apart, and no
// regression: the contract does not document its case yet.
func TestAProvisionalChangeIsListedButNoRegression(t *testing.T) {
	base, cur := baseSummary(), baseSummary()
	base.Provisional = &Provisional{Specs: []SpecSummary{{Name: "left room", Outcome: OutcomePassed}}}
	cur.Provisional = &Provisional{Specs: []SpecSummary{{Name: "left room", Outcome: OutcomeFailed, Reason: "acts as joined"}}}
	d := Compare(base, cur)
	if d.Regressed() || len(d.ProvisionalChanges) != 1 || d.ProvisionalChanges[0].After != OutcomeFailed {
		t.Fatalf("want one provisional change and no regression: %+v", d)
	}
	var text strings.Builder
	if err := WriteDiffText(&text, d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "provisional specs changed (not counted) (1)") {
		t.Errorf("the text diff does not list the provisional change:\n%s", text.String())
	}
}

// Losses are listed apart from failures in every rendering, and a changed
// contract turns them into its consequences, which fail nothing.
func TestLossesAreListedApart(t *testing.T) {
	lost := baseSummary()
	lost.Specs[1].Outcome, lost.Specs[1].Reason = OutcomeUnsupported, "no fixture"
	lost.Specs[0].Outcome, lost.Specs[0].Reason = OutcomeFailed, "schema"
	changed := lost
	changed.Spec.SHA256 = "bbb"
	changed.Specs = []SpecSummary{lost.Specs[0], lost.Specs[1], lost.Specs[2]}
	changed.Specs[0].Outcome = OutcomePassed
	tests := []struct {
		name  string
		d     Diff
		write func(*bytes.Buffer, Diff) error
		want  []string
	}{
		{"text", Compare(baseSummary(), lost), func(b *bytes.Buffer, d Diff) error { return WriteDiffText(b, d) },
			[]string{"REGRESSIONS (2):\n  ✗ spec \"get_profile answers\": passed → failed: schema\n  lost: judged in the baseline, not in this run (1):\n  ✗ spec \"follow answers\": passed → unsupported: no fixture"}},
		{"md", Compare(baseSummary(), lost), func(b *bytes.Buffer, d Diff) error { return WriteDiffMarkdown(b, d) },
			[]string{"✗ 2 regression(s)", "**Lost** (1): judged in the baseline, not in this run\n\n- ✗ spec \"follow answers\": passed → unsupported: no fixture"}},
		{"json", Compare(baseSummary(), lost), func(b *bytes.Buffer, d Diff) error { return WriteDiffJSON(b, d) },
			[]string{`"lost": [`, `"contract_consequences": []`, `"lost_specs": [`}},
		{"text, contract changed", Compare(baseSummary(), changed), func(b *bytes.Buffer, d Diff) error { return WriteDiffText(b, d) },
			[]string{"no regression\n", "consequences of the contract change (not regressions) (1):\n  spec \"follow answers\": passed → unsupported: no fixture"}},
		{"md, contract changed", Compare(baseSummary(), changed), func(b *bytes.Buffer, d Diff) error { return WriteDiffMarkdown(b, d) },
			[]string{"✓ no regression", "<summary>Consequences of the contract change (not regressions) (1)</summary>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b, tt.d); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, b.String())
				}
			}
		})
	}
}

// A location the baseline's validated bodies showed and this run's did not is
// lost, even where the count stayed the same; with the contract changed it is
// a consequence, not a regression.
func TestResponseCoverageLostIsARegression(t *testing.T) {
	withCoverage := func(unobserved ...string) Summary {
		s := baseSummary()
		s.ResponseCoverage = &ResponseCoverage{Observed: 3 - len(unobserved), Total: 3, Responses: []ResponseLocations{
			{Operation: "get_profile", Status: "200", Observed: 3 - len(unobserved), Total: 3, Unobserved: unobserved},
		}}
		return s
	}
	if d := Compare(withCoverage("/bio:null"), withCoverage("/bio:null")); len(d.Regressions) != 0 || len(d.ResponseCoverageLost) != 0 {
		t.Fatalf("the same coverage: want no regression, got %v", d.Regressions)
	}
	if d := Compare(withCoverage("/bio:null"), withCoverage()); len(d.Regressions) != 0 {
		t.Fatalf("coverage gained: want no regression, got %v", d.Regressions)
	}
	d := Compare(withCoverage("/bio:null"), withCoverage("/clubs:nonempty"))
	if len(d.ResponseCoverageLost) != 1 || !slices.Equal(d.ResponseCoverageLost[0].Locations, []string{"/clubs:nonempty"}) {
		t.Fatalf("one location traded for another: want /clubs:nonempty lost, got %+v", d.ResponseCoverageLost)
	}
	if len(d.Lost) != 1 || !strings.Contains(d.Lost[0], "get_profile: response 200: 1 schema location(s) observed in the baseline are not now") {
		t.Errorf("the loss is not listed: %v", d.Lost)
	}
	if !d.Regressed() {
		t.Error("the gate passes a lost location")
	}
	grown := withCoverage("/bio:null", "/new:location")
	grown.ResponseCoverage.Responses[0].Total, grown.ResponseCoverage.Responses[0].Observed = 4, 2
	if d := Compare(withCoverage("/bio:null"), grown); len(d.Regressions) != 0 {
		t.Errorf("a catalogue grown by a location, every old one still observed: want no regression, got %v", d.Regressions)
	}
	grown.ResponseCoverage.Responses[0].Observed = 1
	if d := Compare(withCoverage("/bio:null"), grown); len(d.ResponseCoverageLost) != 1 {
		t.Errorf("a grown catalogue with fewer observed: want a loss, got %+v", d.ResponseCoverageLost)
	}
	changed := withCoverage("/clubs:nonempty")
	changed.Spec.SHA256 = "bbb"
	if d := Compare(withCoverage(), changed); len(d.Regressions) != 0 || len(d.ContractConsequences) != 1 {
		t.Errorf("contract changed: want a consequence and no regression, got %v / %v", d.Regressions, d.ContractConsequences)
	}
}

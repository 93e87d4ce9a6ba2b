package report

import (
	"strings"
	"testing"

	"github.com/chconform/chconform/harness"
)

// run is one get_profile operation documenting 200 and 401, as a RunEntry.
func verdictRun(floor *Floor) RunEntry {
	return RunEntry{Mode: "fixtures", Profile: "fixtures", Floor: floor, Operations: []OperationInfo{
		{ID: "get_profile", Group: "users", Method: "POST", Path: "/get_profile", ResponsesDocumented: []string{"200", "401"}},
	}}
}

func exchange(status int, checks ...harness.CheckResult) ChecksEntry {
	return ChecksEntry{Operation: "get_profile", Status: status, Checks: checks}
}

func passed(name string) harness.CheckResult {
	return harness.CheckResult{Name: name, Status: harness.CheckPassed}
}

func failedCheck(name string) harness.CheckResult {
	return harness.CheckResult{Name: name, Status: harness.CheckFailed, Reason: "broken"}
}

func coverSpec(name string, outcome Outcome, reason, covers string) SpecSummary {
	return SpecSummary{Name: name, Operations: []string{"get_profile"}, Outcome: outcome, Reason: reason, Covers: []string{covers}}
}

// TestVerifiedCoverage holds the rule: a documented response is verified when
// an exchange got its status with status_code_conformance passed and its body
// judged, and no check failed on that operation's exchanges of that status; every other one is
// named with its reason, and the floor decides the verdict and exit status.
func TestVerifiedCoverage(t *testing.T) {
	ok200 := exchange(200, passed(harness.CheckStatusCode), passed("response_schema_conformance"))
	ok401 := exchange(401, passed(harness.CheckStatusCode), passed(harness.CheckResponseSchema))
	// The capture kept no body: the status held, the body was not judged.
	unjudged200 := exchange(200, passed(harness.CheckStatusCode),
		harness.CheckResult{Name: harness.CheckResponseSchema, Status: harness.CheckSkipped, Reason: "body not captured"})
	tests := []struct {
		name      string
		floor     *Floor
		exchanges []ChecksEntry
		specs     []SpecSummary
		verified  int
		gaps      []string // "<op> <status>: <reason prefix>"
		below     int
		verdict   Verdict
		exit      int
	}{
		{
			name:      "both verified",
			floor:     &Floor{Profile: "all"},
			exchanges: []ChecksEntry{ok200, ok401},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomePassed, "", "get_profile:401")},
			verified:  2, verdict: VerdictConformant, exit: 0,
		},
		{
			name:  "a check failed on an exchange of that status",
			floor: &Floor{Profile: "all"},
			exchanges: []ChecksEntry{ok200, ok401,
				exchange(200, passed(harness.CheckStatusCode), failedCheck("response_schema_conformance"))},
			specs:    []SpecSummary{coverSpec("a", OutcomeFailed, "schema", "get_profile:200"), coverSpec("b", OutcomePassed, "", "get_profile:401")},
			verified: 1, gaps: []string{"get_profile 200: exercised but failed response_schema_conformance"},
			below: 1, verdict: VerdictNotConformant, exit: 1,
		},
		{
			name:      "a status got with its body unjudged is not verified, and says why",
			floor:     &Floor{Profile: "all"},
			exchanges: []ChecksEntry{unjudged200, ok401},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomePassed, "", "get_profile:401")},
			verified:  1, gaps: []string{"get_profile 200: exercised, but its answer was not judged: response_schema_conformance: body not captured"},
			below: 1, verdict: VerdictNotConformant, exit: 1,
		},
		{
			name:      "a status got where the schema check never ran is not verified",
			exchanges: []ChecksEntry{ok200, exchange(401, passed(harness.CheckStatusCode))},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomePassed, "", "get_profile:401")},
			verified:  1, gaps: []string{"get_profile 401: exercised, but its answer was not judged: response_schema_conformance: response_schema_conformance did not run"},
			verdict: VerdictWithGaps, exit: 0,
		},
		{
			name:      "one exchange with the body judged verifies the status beside another without",
			exchanges: []ChecksEntry{unjudged200, ok200, ok401},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomePassed, "", "get_profile:401")},
			verified:  2, verdict: VerdictConformant, exit: 0,
		},
		{
			name: "a body the contract gives no schema to is judged by its status alone",
			exchanges: []ChecksEntry{ok200, exchange(401, passed(harness.CheckStatusCode),
				harness.CheckResult{Name: harness.CheckResponseSchema, Status: harness.CheckSkipped, Reason: "no schema documented for application/json"})},
			specs:    []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomePassed, "", "get_profile:401")},
			verified: 2, verdict: VerdictConformant, exit: 0,
		},
		{
			name:      "a failure on another status does not unverify this one",
			exchanges: []ChecksEntry{ok200, exchange(401, passed(harness.CheckStatusCode), failedCheck("ignored_auth"))},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomeFailed, "x", "get_profile:401")},
			verified:  1, gaps: []string{"get_profile 401: exercised but failed ignored_auth"},
			verdict: VerdictNotConformant, exit: 1,
		},
		{
			name:      "a status seen with status_code_conformance failed is not verified",
			exchanges: []ChecksEntry{ok200, exchange(401, failedCheck(harness.CheckStatusCode))},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomeFailed, "x", "get_profile:401")},
			verified:  1, gaps: []string{"get_profile 401: exercised but failed status_code_conformance"},
			verdict: VerdictNotConformant, exit: 1,
		},
		{
			name:      "only unsupported specs cover it, and the profile requires all: below the floor",
			floor:     &Floor{Profile: "all"},
			exchanges: []ChecksEntry{ok200},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomeUnsupported, "no fixture recorded for POST /get_profile", "get_profile:401")},
			verified:  1, gaps: []string{"get_profile 401: only in unsupported specs: unsupported: no fixture recorded"},
			below: 1, verdict: VerdictNotConformant, exit: 1,
		},
		{
			name:      "only unsupported specs cover it, and the profile requires what it supports: a gap",
			floor:     &Floor{Profile: "supported"},
			exchanges: []ChecksEntry{ok200},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomeUnsupported, "profile live lacks the state blocked-account", "get_profile:401")},
			verified:  1, gaps: []string{"get_profile 401: only in unsupported specs"},
			verdict: VerdictWithGaps, exit: 0,
		},
		{
			// Issue 18: a secret the run was not given is not a capability
			// the target lacks; the floor keeps the response.
			name:      "only specs without the token cover it, on a supported-only profile: still required",
			floor:     &Floor{Profile: "supported"},
			exchanges: []ChecksEntry{ok200},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomeUnsupported, ReasonNoToken+" (get_profile needs a token)", "get_profile:401")},
			verified:  1, gaps: []string{"get_profile 401: only in unsupported specs: unsupported: CH_AUTH_TOKEN is not set"},
			below: 1, verdict: VerdictNotConformant, exit: 1,
		},
		{
			name:      "an anonymous run: what needs the token is a gap of its own kind, outside the floor",
			floor:     &Floor{Profile: "all", Mode: FloorAnonymous},
			exchanges: []ChecksEntry{ok200},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomeUnsupported, ReasonAnonymous+": get_profile needs CH_AUTH_TOKEN", "get_profile:401")},
			verified:  1, gaps: []string{"get_profile 401: anonymous run: only specs that need the default account's token (CH_AUTH_TOKEN) cover it"},
			verdict: VerdictWithGaps, exit: 0,
		},
		{
			name:      "an anonymous run still requires what lacks a state, not a token",
			floor:     &Floor{Profile: "all", Mode: FloorAnonymous},
			exchanges: []ChecksEntry{ok200},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomeUnsupported, "no fixture recorded", "get_profile:401")},
			verified:  1, gaps: []string{"get_profile 401: only in unsupported specs"},
			below: 1, verdict: VerdictNotConformant, exit: 1,
		},
		{
			name:      "its spec ran and failed without getting the status: never exercised, naming the spec",
			floor:     &Floor{Profile: "supported"},
			exchanges: []ChecksEntry{ok200},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b 401", OutcomeFailed, "fixture set broken: fixture get_profile/401-x.yaml", "get_profile:401")},
			verified:  1, gaps: []string{"get_profile 401: never exercised; its spec did not pass: b 401 (failed: fixture set broken: fixture get_profile/401-x.yaml"},
			below: 1, verdict: VerdictNotConformant, exit: 1,
		},
		{
			name:      "exempt responses are named but never required",
			floor:     &Floor{Profile: "all", Min: "all", Exempt: []Exemption{{Operation: "get_profile", Status: "401", Reason: "the token is optional"}}},
			exchanges: []ChecksEntry{ok200},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200")},
			verified:  1, gaps: []string{"get_profile 401: no spec can exercise it (ineligible.yaml): the token is optional"},
			verdict: VerdictWithGaps, exit: 0,
		},
		{
			name:      "a label filter left its specs out: not selected, not required",
			floor:     &Floor{Profile: "all"},
			exchanges: []ChecksEntry{ok200},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200")},
			verified:  1, gaps: []string{"get_profile 401: no selected spec covers it"},
			verdict: VerdictWithGaps, exit: 0,
		},
		{
			name:      "CH_MIN_COVERAGE as a fraction: 1 of 2 is below 0.9",
			floor:     &Floor{Min: "0.9"},
			exchanges: []ChecksEntry{ok200},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomeUnsupported, "no state", "get_profile:401")},
			verified:  1, gaps: []string{"get_profile 401: only in unsupported specs"},
			below: 1, verdict: VerdictNotConformant, exit: 1,
		},
		{
			name:      "CH_MIN_COVERAGE as a fraction: 1 of 2 meets 0.5",
			floor:     &Floor{Min: "0.5"},
			exchanges: []ChecksEntry{ok200},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomeUnsupported, "no state", "get_profile:401")},
			verified:  1, gaps: []string{"get_profile 401: only in unsupported specs"},
			verdict: VerdictWithGaps, exit: 0,
		},
		{
			name:      "CH_MIN_COVERAGE=all requires the unsupported ones even on a supported-only profile",
			floor:     &Floor{Profile: "supported", Min: "all"},
			exchanges: []ChecksEntry{ok200},
			specs:     []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200"), coverSpec("b", OutcomeUnsupported, "no state", "get_profile:401")},
			verified:  1, gaps: []string{"get_profile 401: only in unsupported specs"},
			below: 1, verdict: VerdictNotConformant, exit: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBuilder(ToolInfo{})
			b.AddRun(verdictRun(tt.floor))
			for _, e := range tt.exchanges {
				b.AddChecks(e)
			}
			for _, sp := range tt.specs {
				b.AddSpec(sp)
			}
			s := b.Summary()
			v := s.Verified
			if v.Total != 2 || v.Verified != tt.verified {
				t.Errorf("verified %d/%d, want %d/2", v.Verified, v.Total, tt.verified)
			}
			if len(v.Unverified) != len(tt.gaps) {
				t.Fatalf("unverified %+v, want %q", v.Unverified, tt.gaps)
			}
			for i, g := range v.Unverified {
				if !strings.HasPrefix(g.String(), tt.gaps[i]) {
					t.Errorf("gap %q, want it to start with %q", g.String(), tt.gaps[i])
				}
			}
			if len(v.BelowFloor) != tt.below {
				t.Errorf("below floor %q, want %d entries", v.BelowFloor, tt.below)
			}
			if s.Verdict != tt.verdict {
				t.Errorf("verdict %s, want %s", s.Verdict, tt.verdict)
			}
			if got := s.ExitCode(); got != tt.exit {
				t.Errorf("exit %d, want %d", got, tt.exit)
			}
		})
	}
}

// TestVerdictInEveryReport: the verdict, the verified count and each gap
// reach report.md, report.html and junit.xml.
func TestVerdictInEveryReport(t *testing.T) {
	b := NewBuilder(ToolInfo{})
	b.AddRun(verdictRun(&Floor{Profile: "all"}))
	b.AddChecks(exchange(200, passed(harness.CheckStatusCode), passed(harness.CheckResponseSchema)))
	b.AddSpec(coverSpec("a", OutcomePassed, "", "get_profile:200"))
	b.AddSpec(coverSpec("b", OutcomeUnsupported, "no fixture recorded", "get_profile:401"))
	s := b.Summary()

	html, md, junit := renderings(t, s, nil, nil)
	for name, text := range map[string]string{"report.md": md, "report.html": html, "junit.xml": junit} {
		for _, want := range []string{"not-conformant", "get_profile 401", "only in unsupported specs"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
	if !strings.Contains(md, "Verified 1/2 documented responses") || !strings.Contains(html, "Verified: 1/2 documented responses") {
		t.Error("report.md or report.html lacks the verified count")
	}
	if !strings.Contains(junit, `name="responses_verified" value="1/2"`) {
		t.Error("junit.xml lacks the responses_verified property")
	}
}

// A filtered run's verdict says in one line how many responses the filter
// left out, and still names each gap of another kind.
func TestTheVerdictFoldsResponsesAFilterLeftOut(t *testing.T) {
	s := Summary{Verdict: VerdictWithGaps, Verified: Verification{Total: 4, Unverified: []Gap{
		{Operation: "me", Status: "200", Kind: GapNotSelected, Reason: "no selected spec covers it (label filter)"},
		{Operation: "me", Status: "401", Kind: GapNotSelected, Reason: "no selected spec covers it (label filter)"},
		{Operation: "follow", Status: "200", Kind: GapNotSelected, Reason: "no selected spec covers it (label filter)"},
		{Operation: "get_profile", Status: "401", Kind: GapExempt, Reason: "no spec can exercise it (ineligible.yaml): x"},
	}}}
	var b strings.Builder
	WriteVerdict(&b, s, 1)
	out := b.String()
	if strings.Count(out, "NOT VERIFIED") != 2 || !strings.Contains(out, "NOT VERIFIED 3 documented response(s) no selected spec covers") ||
		!strings.Contains(out, "NOT VERIFIED get_profile 401") {
		t.Errorf("want one line for the three left out and one for the exempt response:\n%s", out)
	}
}

// TestAnAnonymousVerdictSaysSo: every rendering of an anonymous run's
// verdict carries "(anonymous)", and none of a run with credentials does.
func TestAnAnonymousVerdictSaysSo(t *testing.T) {
	for _, anonymous := range []bool{false, true} {
		b := NewBuilder(ToolInfo{})
		run := verdictRun(&Floor{Profile: "all"})
		run.Anonymous = anonymous
		b.AddRun(run)
		b.AddChecks(exchange(200, passed(harness.CheckStatusCode)))
		b.AddSpec(coverSpec("a", OutcomePassed, "", "get_profile:200"))
		s := b.Summary()
		html, md, junit := renderings(t, s, nil, nil)
		var line strings.Builder
		WriteVerdict(&line, s, 1)
		for name, text := range map[string]string{"report.md": md, "report.html": html, "junit.xml": junit,
			"verdict line": line.String(), "badge": NewBadge(s).Message} {
			if strings.Contains(text, "(anonymous)") != anonymous {
				t.Errorf("anonymous=%v: %s says %q", anonymous, name, text)
			}
		}
	}
}

// The verdict names the seed of the generated requests when the phase sent
// any, so a failure can be made again; not when every explore spec was
// unsupported (the fixtures) or no explore spec ran.
func TestTheVerdictNamesTheExploreSeed(t *testing.T) {
	for _, c := range []struct {
		specs []SpecSummary
		want  bool
	}{
		{[]SpecSummary{{Name: ExplorePrefix + "POST /me answers generated requests", Outcome: OutcomePassed}}, true},
		{[]SpecSummary{{Name: ExplorePrefix + "POST /me answers generated requests", Outcome: OutcomeUnsupported}}, false},
		{[]SpecSummary{{Name: "me: POST /me returns 200", Outcome: OutcomeFailed}}, false},
	} {
		s := Summary{Target: Target{Config: map[string]string{"CH_EXPLORE_SEED": "683479"}}, Specs: c.specs}
		var b strings.Builder
		WriteVerdict(&b, s, 1)
		if got := strings.Contains(b.String(), "from seed 683479; CH_EXPLORE_SEED=683479"); got != c.want {
			t.Errorf("%+v: seed line %v, want %v:\n%s", c.specs, got, c.want, b.String())
		}
	}
}

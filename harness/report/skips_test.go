package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chconform/chconform/harness"
)

// skipRun is a run of get_profile (200 and 401) that declares skips.
func skipRun(skips ...Skip) types.SpecReport {
	run := verdictRun(&Floor{Profile: "all"})
	run.Skips = skips
	return beforeSuite(types.SpecStatePassed, "", entries(entry(EntryRun, run)))
}

// A declared skip is listed, with the spec it skipped, in summary.json (valid
// against its schema), report.md, report.html and junit.xml; the spec is
// disabled; the response only it covered is a gap of its own kind the floor
// does not require; and the verdict is conformant-with-gaps, where the same
// run without the skip, the spec passing, is conformant.
func TestADeclaredSkipIsListedAndCapsTheVerdict(t *testing.T) {
	ok := func(status int) types.ReportEntry {
		return entry(EntryChecks, exchange(status, passed(harness.CheckStatusCode), passed(harness.CheckResponseSchema)))
	}
	const skipped = "get_profile without a token returns 401"
	passing := mustBuild(t, suite("users", true, skipRun(),
		it("get_profile returns 200", types.SpecStatePassed, "", labels("op:get_profile", "covers:get_profile:200"), entries(ok(200))),
		it(skipped, types.SpecStatePassed, "", labels("op:get_profile", "covers:get_profile:401"), entries(ok(401)))))
	if passing.Verdict != VerdictConformant || passing.Skips != nil {
		t.Fatalf("without a skip: verdict %s, skips %v; want conformant and none", passing.Verdict, passing.Skips)
	}

	id := CaseID("users "+skipped, CaseSpecCheck)
	s := mustBuild(t, suite("users", true, skipRun(Skip{Match: id, Reason: "issue 7: 401 has no detail"}, Skip{Match: "no such spec", Reason: "stale"}),
		it("get_profile returns 200", types.SpecStatePassed, "", labels("op:get_profile", "covers:get_profile:200"), entries(ok(200))),
		it(skipped, types.SpecStateSkipped, SkipDeclared+id+": issue 7: 401 has no detail",
			labels("op:get_profile", "covers:get_profile:401"), entries(entry(EntrySkip, Skip{Match: id, Reason: "issue 7: 401 has no detail"})))))
	if s.Verdict != VerdictWithGaps || s.ExitCode() != 0 {
		t.Errorf("verdict %s exit %d, want conformant-with-gaps and 0", s.Verdict, s.ExitCode())
	}
	sp := findSpec(t, s, "users "+skipped)
	if sp.Outcome != OutcomeDisabled || sp.Skip != id {
		t.Errorf("skipped spec: outcome %s skip %q, want disabled and %s", sp.Outcome, sp.Skip, id)
	}
	if len(s.Skips) != 2 || s.Skips[0].Match != id || len(s.Skips[0].Specs) != 1 || len(s.Skips[1].Specs) != 0 {
		t.Errorf("skips %+v, want %s with its spec, then the stale one with none", s.Skips, id)
	}
	if g := s.Verified.Unverified; len(g) != 1 || g[0].Kind != GapSkipped || g[0].Required || len(s.Verified.BelowFloor) != 0 {
		t.Errorf("gaps %+v below %v, want get_profile 401 skipped, not required", g, s.Verified.BelowFloor)
	}
	data, _ := json.Marshal(s)
	if err := ValidateSummary(data); err != nil {
		t.Errorf("summary.json with skips does not validate: %v", err)
	}
	html, md, junit := renderings(t, s, nil, nil)
	for name, text := range map[string]string{"summary.json": string(data), "report.md": md, "report.html": html, "junit.xml": junit} {
		for _, want := range []string{id, "issue 7: 401 has no detail", "conformant-with-gaps"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
}

func TestSkipMatchesByNameOrCaseID(t *testing.T) {
	name := "users POST /me returns 200 with a body that conforms to the contract (me)"
	checks := []string{harness.CheckResponseSchema, harness.CheckStatusCode}
	for match, want := range map[string]bool{
		name: true,
		"  users POST /me   returns 200 with a body that conforms to the contract (me) ": true,
		CaseID(name, harness.CheckResponseSchema):                                        true,
		CaseID(name, CaseSpecCheck):                                                      true,
		CaseID(name, harness.CheckIgnoredAuth):                                           false, // a check not among those given
		CaseID("another spec", CaseSpecCheck):                                            false,
		"users POST /me":                                                                 false, // no prefix matching: a skip names one spec
		"CH-00000000":                                                                    false,
	} {
		if got := SkipMatches(match, name, checks); got != want {
			t.Errorf("SkipMatches(%q) = %v, want %v", match, got, want)
		}
	}
	if err := ValidateSkips([]Skip{{Match: "CH-00000000"}}); err == nil {
		t.Error("a skip without a reason was accepted")
	}
	if err := ValidateSkips([]Skip{{Reason: "x"}}); err == nil {
		t.Error("a skip without a match was accepted")
	}
	if err := ValidateSkips([]Skip{{Match: "CH-00000000", Reason: "known"}}); err != nil {
		t.Error(err)
	}
}

package report

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chconform/chconform/harness"
)

// covRun documents get_profile 200 with four locations and 401 with one.
func covRun(floor *Floor) RunEntry {
	run := verdictRun(floor)
	run.Operations[0].ResponseLocations = map[string][]string{
		"200": {"(body)", "/bio:null", "/bio:value", "/clubs:nonempty"},
		"401": {"(body)"},
	}
	return run
}

// observedAt is an exchange whose body validated (only such a body shows
// locations) and showed ids.
func observedAt(status int, ids ...string) ChecksEntry {
	e := exchange(status, passed(harness.CheckStatusCode), passed(harness.CheckResponseSchema))
	e.Observed = ids
	return e
}

func TestResponseCoverageCountsWhatValidatedBodiesShowed(t *testing.T) {
	b := NewBuilder(ToolInfo{})
	b.AddRun(covRun(nil))
	b.AddChecks(observedAt(200, "(body)", "/bio:value"))
	b.AddChecks(observedAt(401, "(body)"))
	b.AddChecks(observedAt(200, "/not/in/the/catalogue:present"))
	s := b.Summary()
	rc := s.ResponseCoverage
	if rc == nil || rc.Observed != 3 || rc.Total != 5 {
		t.Fatalf("want 3 of 5 observed, got %+v", rc)
	}
	r := rc.Responses[0]
	if r.Operation != "get_profile" || r.Status != "200" || r.Observed != 2 || r.Total != 4 ||
		!slices.Equal(r.Unobserved, []string{"/bio:null", "/clubs:nonempty"}) {
		t.Errorf("get_profile 200: got %+v", r)
	}
	if got, ok := rc.Response("get_profile", "401"); !ok || got.Observed != 1 || got.Total != 1 {
		t.Errorf("Response(get_profile, 401): %+v, %v", got, ok)
	}
	if _, ok := rc.Response("get_profile", "404"); ok {
		t.Errorf("Response finds a response the contract does not document")
	}
	if got := r.String(); got != "get_profile 200: 2 of 4 locations observed" {
		t.Errorf("the reports' line: %q", got)
	}
	html, md, _ := renderings(t, s, nil, nil)
	// junit.xml puts the run's properties on each suite of specs: one spec.
	withSpec := s
	withSpec.Specs = []SpecSummary{coverSpec("a", OutcomePassed, "", "get_profile:200")}
	if _, _, junit := renderings(t, withSpec, nil, nil); !strings.Contains(junit, `name="response_coverage" value="3/5"`) {
		t.Errorf("junit.xml lacks the response_coverage property:\n%s", junit)
	}
	if !strings.Contains(html, "Response coverage: 3/5 schema locations observed") || !strings.Contains(html, "/clubs:nonempty") {
		t.Errorf("report.html lacks the response coverage")
	}
	if !strings.Contains(md, "Response coverage: 3 of 5 schema locations observed") || !strings.Contains(md, "`/bio:null`") {
		t.Errorf("report.md lacks the response coverage:\n%s", md)
	}
	var line strings.Builder
	WriteVerdict(&line, s, 1)
	if !strings.Contains(line.String(), "response coverage 3/5 schema locations observed (60.0%)") {
		t.Errorf("the verdict lines lack the response coverage:\n%s", line.String())
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateSummary(data); err != nil {
		t.Errorf("summary.json with response coverage does not validate: %v", err)
	}
}

func TestResponseCoverageFloor(t *testing.T) {
	tests := []struct {
		name  string
		floor *Floor
		below string // a fragment of the one BelowFloor entry, "" for none
	}{
		{"no floor", nil, ""},
		{"CH_MIN_RESPONSE_COVERAGE met: 3 of 5 against 0.6", &Floor{MinResponse: "0.6"}, ""},
		{"CH_MIN_RESPONSE_COVERAGE missed: 3 of 5 against 0.61", &Floor{MinResponse: "0.61"},
			"CH_MIN_RESPONSE_COVERAGE=0.61: observed 3 of 5 response schema locations (60.0%), 4 required"},
		{"the profile's floor missed", &Floor{ProfileResponse: "0.9"}, "profile coverage.response=0.9: observed 3 of 5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBuilder(ToolInfo{})
			b.AddRun(covRun(tc.floor))
			b.AddChecks(observedAt(200, "(body)", "/bio:value"))
			b.AddChecks(observedAt(401, "(body)"))
			b.AddSpec(coverSpec("a", OutcomePassed, "", "get_profile:200"))
			b.AddSpec(coverSpec("b", OutcomePassed, "", "get_profile:401"))
			s := b.Summary()
			if tc.below == "" {
				if len(s.Verified.BelowFloor) != 0 || s.Verdict != VerdictConformant || s.ExitCode() != 0 {
					t.Errorf("want conformant, got %s %v", s.Verdict, s.Verified.BelowFloor)
				}
				return
			}
			if len(s.Verified.BelowFloor) != 1 || !strings.Contains(s.Verified.BelowFloor[0], tc.below) {
				t.Errorf("want one BelowFloor entry with %q, got %v", tc.below, s.Verified.BelowFloor)
			}
			if s.Verdict != VerdictNotConformant || s.ExitCode() != 1 {
				t.Errorf("below the floor: want not-conformant, exit 1; got %s, %d", s.Verdict, s.ExitCode())
			}
		})
	}
}

// Each process (and each part of a sharded run) reports what it saw; the
// summary of the whole unites them, from the reports' JSON as from memory.
func TestResponseCoverageUnitesProcesses(t *testing.T) {
	obs := func(ids ...string) types.ReportEntry {
		e := ChecksEntry{Operation: "get_profile", Status: 200, Checks: []harness.CheckResult{pass(harness.CheckStatusCode)}, Observed: ids}
		return entry(EntryChecks, e)
	}
	run := entry(EntryRun, covRun(nil))
	p1 := suite("users", true, beforeSuite(types.SpecStatePassed, "", entries(run)),
		it("a", types.SpecStatePassed, "", entries(obs("(body)", "/bio:null"))))
	p2 := suite("users", true, beforeSuite(types.SpecStatePassed, "", entries(run), proc(2)),
		it("b", types.SpecStatePassed, "", proc(2), entries(obs("(body)", "/bio:value"))))
	data, err := json.Marshal([]types.Report{p1, p2})
	if err != nil {
		t.Fatal(err)
	}
	var fromJSON []types.Report
	if err := json.Unmarshal(data, &fromJSON); err != nil {
		t.Fatal(err)
	}
	for name, reports := range map[string][]types.Report{"in memory": {p1, p2}, "ginkgo.json": fromJSON} {
		s, err := Build(reports, ToolInfo{})
		if err != nil {
			t.Fatal(err)
		}
		if rc := s.ResponseCoverage; rc == nil || rc.Responses[0].Observed != 3 || !slices.Equal(rc.Responses[0].Unobserved, []string{"/clubs:nonempty"}) {
			t.Errorf("%s: want 3 of 4 for get_profile 200, got %+v", name, rc)
		}
	}

	// A provisional spec's exchanges count for nothing.
	prov := suite("users", true, beforeSuite(types.SpecStatePassed, "", entries(run)),
		it("p", types.SpecStatePassed, "", labels(LabelProvisional), entries(obs("(body)", "/clubs:nonempty"))))
	s, err := Build([]types.Report{prov}, ToolInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if rc := s.ResponseCoverage; rc == nil || rc.Observed != 0 {
		t.Errorf("a provisional spec's observations were counted: %+v", rc)
	}
}

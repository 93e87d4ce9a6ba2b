package report

import (
	"regexp"
	"testing"

	"github.com/chconform/chconform/harness"
)

var caseIDShape = regexp.MustCompile(`^CH-[0-9a-f]{8}$`)

// failedRun builds the summary of a run where one spec failed two checks;
// loc and reason stand for what differs between two runs of the same code.
func failedRun(loc, reason string) Summary {
	b := NewBuilder(ToolInfo{})
	b.AddRun(RunEntry{Mode: "fixtures", Profile: "fixtures", Operations: []OperationInfo{{ID: "me", Group: "users", ResponsesDocumented: []string{"200"}}}})
	entry := ChecksEntry{Operation: "me", Status: 200, Checks: []harness.CheckResult{
		{Name: harness.CheckStatusCode, Status: harness.CheckPassed},
		{Name: harness.CheckResponseSchema, Status: harness.CheckFailed, Findings: []harness.Finding{{Message: reason}}},
		{Name: harness.CheckContentType, Status: harness.CheckFailed, Findings: []harness.Finding{{Message: reason}}},
	}}
	b.AddChecks(entry)
	b.AddSpec(SpecSummary{Name: "users POST /me returns 200 with a body that conforms to the contract (me)", Group: "users",
		Operations: []string{"me"}, Outcome: OutcomeFailed, Reason: reason, Checks: SpecChecks(entry), Location: loc})
	b.AddSpec(SpecSummary{Name: "users POST /me passes", Outcome: OutcomePassed})
	return b.Summary()
}

func TestTheSameSpecAndCheckGiveTheSameCaseIDInEveryRun(t *testing.T) {
	a := failedRun("suites/users/users_test.go:10", "user_id is a string (took 31 ms)")
	b := failedRun("suites/users/users_test.go:42", "user_id is a string (took 77 ms)")
	ida, idb := a.Specs[1].CaseIDs, b.Specs[1].CaseIDs
	if a.Specs[1].Outcome != OutcomeFailed || len(ida) != 2 {
		t.Fatalf("want two case ids on the failed spec, got %+v", a.Specs[1])
	}
	if ida[0] != idb[0] || ida[1] != idb[1] {
		t.Errorf("two runs gave %v and %v", ida, idb)
	}
	// In matrix order: content type before schema.
	if ida[0] != CaseID(a.Specs[1].Name, harness.CheckContentType) || ida[1] != CaseID(a.Specs[1].Name, harness.CheckResponseSchema) {
		t.Errorf("case ids %v are not the spec's content-type and schema cases", ida)
	}
	if ida[0] == ida[1] {
		t.Errorf("two checks of one spec share the id %s", ida[0])
	}
	for _, id := range ida {
		if !caseIDShape.MatchString(id) {
			t.Errorf("case id %q is not CH- and 8 hex digits", id)
		}
	}
	passedChecks := 0
	for _, c := range a.Specs[1].Checks {
		if (c.Status == harness.CheckFailed) != (c.CaseID != "") {
			t.Errorf("check %s (%s) has case id %q", c.Name, c.Status, c.CaseID)
		}
		if c.Status == harness.CheckPassed {
			passedChecks++
		}
	}
	if len(a.Specs[1].Checks) != 3 || passedChecks != 1 {
		t.Errorf("the failed spec's checks %+v, want its three, one passed: no check to hold without a case id", a.Specs[1].Checks)
	}
	if len(a.Specs[0].CaseIDs) != 0 {
		t.Errorf("a passed spec got case ids %v", a.Specs[0].CaseIDs)
	}
}

// TestTheCaseIDDerivationIsPinned: a build that changed how ids are derived
// would break every id people have written down. Change the derivation only
// with a new version tag in CaseID, and these values with it.
func TestTheCaseIDDerivationIsPinned(t *testing.T) {
	cases := []struct{ spec, check, id string }{
		{"users POST /me returns 200 with a body that conforms to the contract (me)", "response_schema_conformance", "CH-5912209a"},
		{"users POST /me returns 200 with a body that conforms to the contract (me)", "content_type_conformance", "CH-b742b840"},
		{"users POST /me returns 200 with a body that conforms to the contract (me)", "", "CH-e8a91b86"},
	}
	for _, c := range cases {
		if got := CaseID(c.spec, c.check); got != c.id {
			t.Errorf("CaseID(%q, %q) = %s, want %s", c.spec, c.check, got, c.id)
		}
	}
	if CaseID("x", "") != CaseID("x", CaseSpecCheck) {
		t.Error("an empty check name is not the spec's own case")
	}
}

func TestCaseIDsLeaveOutWhatDependsOnTheRun(t *testing.T) {
	same := [][2]string{
		{"GET http://127.0.0.1:41273/api/me  answers", "GET http://127.0.0.1:5555/api/me answers"},
		{"[suite] /home/ci/work/suites/users", "[suite] /tmp/x/suites/users"},
		{"a\tspec\nname", "a spec name"},
	}
	for _, p := range same {
		if CaseID(p[0], "c") != CaseID(p[1], "c") {
			t.Errorf("%q and %q got different ids", p[0], p[1])
		}
	}
	differ := [][2]string{
		{"POST /me returns 200", "POST /me returns 401"},
		{"[suite] /home/ci/suites/users", "[suite] /home/ci/suites/auth"},
		{"GET http://example.com:1/x", "GET http://example.com:2/x"},
	}
	for _, p := range differ {
		if CaseID(p[0], "c") == CaseID(p[1], "c") {
			t.Errorf("%q and %q got the same id", p[0], p[1])
		}
	}
}

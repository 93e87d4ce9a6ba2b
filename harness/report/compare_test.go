package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/chconform/chconform/harness"
)

// target is a summary of one operation whose schema check has status st
// (empty: not run), with a failed spec when it failed.
func target(url string, st harness.CheckStatus, started string) Summary {
	s := Summary{StartedAt: started, Target: Target{Mode: "base-url", BaseURL: url, Profile: "p"}, Specs: []SpecSummary{}}
	op := OperationSummary{OperationID: "me", ResponsesDocumented: []string{"200"}, ResponsesExercised: []string{"200"}}
	if st != "" {
		op.Checks = []CheckSummary{{Name: harness.CheckResponseSchema, Status: st, Message: "m"}}
	}
	if st == harness.CheckFailed {
		s.Totals.Failed = 1
		s.Specs = append(s.Specs, SpecSummary{Name: "other", Outcome: OutcomeError, Operations: []string{"get_topic"}},
			SpecSummary{Name: "x", Outcome: OutcomeFailed, Operations: []string{"me"}})
	}
	s.Operations = []OperationSummary{op}
	return s
}

func rowOf(t *testing.T, c Comparison, what string) CompareRow {
	t.Helper()
	for _, r := range c.Rows {
		if r.Operation == "me" && r.What == what {
			return r
		}
	}
	t.Fatalf("no row me · %s in %+v", what, c.Rows)
	return CompareRow{}
}

func TestTargetsSideBySideDisagreementsFirstWithLinks(t *testing.T) {
	c := CompareTargets([]Labeled{
		{Summary: target("http://bad", harness.CheckFailed, ""), Path: "bad/summary.json", Link: "../bad/report.html"},
		{Summary: target("http://good", harness.CheckPassed, ""), Path: "good/summary.json"},
		{Summary: target("http://silent", "", ""), Path: "silent/summary.json"},
	}, false)
	if c.Columns[len(c.Columns)-1].Label != "p http://bad" {
		t.Fatalf("the target with problems is not last: %+v", c.Columns)
	}
	r := rowOf(t, c, "schema")
	if r.Disagree != 1 || r.Of != 2 || r.DisagreeText() != "1 of 2 disagree" {
		t.Fatalf("row %+v", r)
	}
	if c.Rows[0].What != "schema" || c.Disagreeing != 1 {
		t.Fatalf("the disagreeing row is not first: %+v", c.Rows[0])
	}
	bad := r.Cells[len(r.Cells)-1]
	// The second failed-or-errored spec of that summary is me's first failure.
	if bad.Class != "fail" || bad.Href != "../bad/report.html#failure-2" {
		t.Fatalf("failed cell %+v", bad)
	}
	if agree := rowOf(t, c, "response 200"); agree.Disagree != 0 {
		t.Fatalf("response row %+v", agree)
	}
}

func TestTrendMarksTheFirstColumnWhereARowTurnsRed(t *testing.T) {
	c := CompareTargets([]Labeled{
		{Summary: target("u", harness.CheckFailed, "2026-03-01T00:00:00Z")},
		{Summary: target("u", harness.CheckPassed, "2026-01-01T00:00:00Z")},
		{Summary: target("u", harness.CheckFailed, "2026-02-01T00:00:00Z")},
	}, true)
	if c.Columns[0].Label != "2026-01-01T00:00:00Z" || c.Columns[2].Label != "2026-03-01T00:00:00Z" {
		t.Fatalf("columns not in time order: %+v", c.Columns)
	}
	r := rowOf(t, c, "schema")
	if r.Cells[0].Turned || !r.Cells[1].Turned || r.Cells[2].Turned {
		t.Fatalf("turned cells %+v", r.Cells)
	}
}

func TestComparePagesAreInertAndBounded(t *testing.T) {
	hostile := target(`http://x/<script>alert(1)</script>`, harness.CheckFailed, "")
	var items []Labeled
	for range 3 {
		items = append(items, Labeled{Summary: hostile})
	}
	for i := range 3000 {
		items[0].Summary.Operations = append(items[0].Summary.Operations, OperationSummary{OperationID: fmt.Sprintf("op%04d", i), ResponsesDocumented: []string{"200"}})
	}
	c := CompareTargets(items, false)
	var h, m bytes.Buffer
	if err := WriteCompareHTML(&h, c); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h.String(), "<script>") || strings.Contains(h.String(), "<script") && !strings.Contains(h.String(), "&lt;script") {
		t.Fatal("a target's text became markup in the HTML page")
	}
	if err := WriteCompareMarkdown(&m, c, 5000); err != nil {
		t.Fatal(err)
	}
	if m.Len() > 5000 || !strings.Contains(m.String(), "left out") || strings.Contains(m.String(), "<script>") {
		t.Fatalf("markdown %d bytes:\n%s", m.Len(), m.String())
	}
}

// A target whose only problem is a flaky spec ranks after one with none.
func TestAFlakyTargetRanksAfterAConformantOne(t *testing.T) {
	flaky := target("http://flaky", harness.CheckPassed, "")
	flaky.Totals.Flaky = 1
	c := CompareTargets([]Labeled{
		{Summary: flaky, Path: "flaky/summary.json"},
		{Summary: target("http://good", harness.CheckPassed, ""), Path: "good/summary.json"},
	}, false)
	if c.Columns[0].Label != "p http://good" || c.Columns[1].Label != "p http://flaky" {
		t.Fatalf("the flaky target is not after the conformant one: %+v", c.Columns)
	}
}

// A response exercised without its answer judged (a capture that kept no
// body) is no pass in the matrix, and an anonymous run's column says it was
// anonymous where its verdict stands.
func TestMatrixShowsNotJudgedAndAnonymous(t *testing.T) {
	judged := target("http://a.test", harness.CheckPassed, "")
	unjudged := target("http://b.test", harness.CheckSkipped, "")
	unjudged.Verified.Unverified = []Gap{{Operation: "me", Status: "200", Kind: GapNotJudged, Reason: "exercised, but its answer was not judged: body not captured"}}
	unjudged.Target.Anonymous = true
	c := CompareTargets([]Labeled{{Summary: judged}, {Summary: unjudged}}, false)
	cells := rowOf(t, c, "response 200").Cells
	if cells[0].Class != "pass" {
		t.Errorf("the judged response: %+v, want pass", cells[0])
	}
	if cells[1].Class == "pass" || !strings.Contains(cells[1].Word, "not judged") || !strings.Contains(cells[1].Message, "body not captured") {
		t.Errorf("the response exercised without its body judged: %+v, want not judged with its reason", cells[1])
	}
	if !strings.HasSuffix(c.Columns[1].Label, "(anonymous)") || strings.Contains(c.Columns[0].Label, "anonymous") {
		t.Errorf("column labels %q, %q: only the anonymous run's says so", c.Columns[0].Label, c.Columns[1].Label)
	}
	var md bytes.Buffer
	if err := WriteCompareMarkdown(&md, c, MarkdownLimit); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "anonymous") {
		t.Errorf("matrix.md does not say which run was anonymous:\n%s", md.String())
	}
}

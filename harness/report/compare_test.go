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

package report

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Labeled is one summary of a comparison, with where it was read from: its
// report.html lies beside it, so a cell can link to the failure.
type Labeled struct {
	Summary Summary
	// Path is the summary.json file; Link, when set, is the path of its
	// report.html as the comparison page reaches it.
	Path string
	Link string
}

// Comparison lays several summaries side by side: targets as columns, the
// documented responses and the checks of every operation as rows, with the
// rows where the targets disagree first (as Bowtie compares JSON Schema
// implementations and gateway-api's reports compare gateways).
type Comparison struct {
	Trend   bool
	Columns []CompareColumn
	Rows    []CompareRow
	// Disagreeing counts the rows where the targets do not all agree.
	Disagreeing int
}

// CompareColumn is one target (or, in trend mode, one point in time).
type CompareColumn struct {
	Label    string
	Sub      string
	Verdict  Cell
	Problems int // failed and errored specs
	Totals   Totals
	Coverage Coverage
}

// CompareRow is one documented response ("get_channels 200") or one check of
// one operation ("get_channels · schema").
type CompareRow struct {
	Operation string
	What      string
	Cells     []CompareCell
	// Disagree of Of: how many targets differ from the most common verdict.
	Disagree, Of int
}

// CompareCell is one target's verdict on a row.
type CompareCell struct {
	Cell
	// Href links to the target's failure transcript, when it failed.
	Href string
	// Turned marks, in trend mode, the first column where the row turned red.
	Turned bool
}

// CompareTargets builds the comparison of summaries. In trend mode the columns keep
// time order (started_at, then the order given) and the first column where a
// row turns red is marked; otherwise the targets are sorted by problems,
// fewest first.
func CompareTargets(in []Labeled, trend bool) Comparison {
	items := slices.Clone(in)
	if trend {
		sort.SliceStable(items, func(i, j int) bool { return items[i].Summary.StartedAt < items[j].Summary.StartedAt })
	} else {
		sort.SliceStable(items, func(i, j int) bool { return problems(items[i].Summary) < problems(items[j].Summary) })
	}
	c := Comparison{Trend: trend}
	for _, it := range items {
		c.Columns = append(c.Columns, column(it, trend))
	}

	type rowKey struct{ op, what string }
	rows := map[rowKey]*CompareRow{}
	var order []rowKey
	row := func(op, what string) *CompareRow {
		k := rowKey{op, what}
		if r := rows[k]; r != nil {
			return r
		}
		r := &CompareRow{Operation: op, What: what, Cells: make([]CompareCell, len(items))}
		for i := range r.Cells {
			r.Cells[i] = CompareCell{Cell: Cell{Class: "none", Symbol: "?", Word: "not run"}}
		}
		rows[k] = r
		order = append(order, k)
		return r
	}
	for i, it := range items {
		anchors := failureAnchors(it.Summary)
		notJudged := notJudgedGaps(it.Summary)
		for _, op := range it.Summary.Operations {
			href := ""
			if a, ok := anchors[op.OperationID]; ok && it.Link != "" {
				href = it.Link + "#" + a
			}
			for _, code := range op.ResponsesDocumented {
				cell := CompareCell{Cell: Cell{Class: "skip", Symbol: "–", Word: "not exercised"}}
				switch why, unjudged := notJudged[op.OperationID+" "+code]; {
				case unjudged:
					// Its status came back, but nothing judged what the
					// contract documents for it (a capture without bodies):
					// no evidence either way, as in verified coverage.
					cell.Cell = Cell{Class: "skip", Symbol: "–", Word: "exercised, not judged", Message: why}
				case slices.Contains(op.ResponsesExercised, code):
					cell.Cell = Cell{Class: "pass", Symbol: "✓", Word: "exercised"}
				}
				row(op.OperationID, "response "+code).Cells[i] = cell
			}
			for j := range op.Checks {
				ch := &op.Checks[j]
				cell := CompareCell{Cell: checkCell(ch)}
				if ch.Status == "failed" {
					cell.Href = href
				}
				row(op.OperationID, checkTitle(ch.Name)).Cells[i] = cell
			}
		}
	}
	for _, k := range order {
		r := rows[k]
		r.Disagree, r.Of = disagreement(r.Cells)
		if trend {
			for i := 1; i < len(r.Cells); i++ {
				if badClass(r.Cells[i].Class) && !badClass(r.Cells[i-1].Class) {
					r.Cells[i].Turned = true
					break
				}
			}
		}
		if r.Disagree > 0 {
			c.Disagreeing++
		}
		c.Rows = append(c.Rows, *r)
	}
	sort.SliceStable(c.Rows, func(i, j int) bool {
		a, b := c.Rows[i], c.Rows[j]
		if (a.Disagree > 0) != (b.Disagree > 0) {
			return a.Disagree > 0
		}
		if a.Disagree != b.Disagree {
			return a.Disagree > b.Disagree
		}
		if a.Operation != b.Operation {
			return a.Operation < b.Operation
		}
		return rowRank(a.What) < rowRank(b.What) || rowRank(a.What) == rowRank(b.What) && a.What < b.What
	})
	return c
}

// notJudgedGaps maps "op status" to the reason of each documented response
// of s that was exercised without its answer judged (GapNotJudged).
func notJudgedGaps(s Summary) map[string]string {
	out := map[string]string{}
	for _, g := range s.Verified.Unverified {
		if g.Kind == GapNotJudged {
			out[g.Operation+" "+g.Status] = g.Reason
		}
	}
	return out
}

func badClass(class string) bool { return class == "fail" || class == "error" }

// problems ranks a target: failed, errored and flaky specs (a flaky spec answered one
// question two ways) all count against it.
func problems(s Summary) int { return s.Totals.Failed + s.Totals.Error + s.Totals.Flaky }

// rowRank puts an operation's responses before its checks.
func rowRank(what string) int {
	if strings.HasPrefix(what, "response ") {
		return 0
	}
	return 1
}

// disagreement counts, of the cells with a verdict (passed, failed, error:
// not those where the check did not apply or did not run, which say nothing
// about the target), how many differ from the most common verdict.
func disagreement(cells []CompareCell) (n, of int) {
	counts := map[string]int{}
	for _, c := range cells {
		if c.Class == "pass" || badClass(c.Class) {
			counts[c.Class]++
			of++
		}
	}
	most := 0
	for _, k := range counts {
		most = max(most, k)
	}
	return of - most, of
}

// failureAnchors maps each operation to the anchor of its first failure in
// the summary's report.html (failure-1, failure-2, ... in the order the
// summary lists its failed and errored specs, as WriteHTML numbers them).
func failureAnchors(s Summary) map[string]string {
	out := map[string]string{}
	n := 0
	for _, sp := range s.Specs {
		if sp.Outcome != OutcomeFailed && sp.Outcome != OutcomeError {
			continue
		}
		n++
		for _, op := range sp.Operations {
			if _, ok := out[op]; !ok {
				out[op] = "failure-" + strconv.Itoa(n)
			}
		}
	}
	return out
}

func column(it Labeled, trend bool) CompareColumn {
	s := it.Summary
	col := CompareColumn{Verdict: verdictCell(s), Problems: problems(s), Totals: s.Totals, Coverage: s.Coverage}
	switch {
	case s.Audit != nil:
		var files []string
		for _, f := range s.Audit.Files {
			files = append(files, filepath.Base(f.Path))
		}
		if len(files) > 2 {
			files = append(files[:1], fmt.Sprintf("and %d more files", len(files)-1))
		}
		col.Label = "capture " + strings.Join(files, ", ")
	case s.Target.BaseURL != "":
		col.Label = s.Target.Profile + " " + s.Target.BaseURL
	default:
		col.Label = s.Target.Mode
	}
	if s.Target.Anonymous {
		// Its verdict covers what a client without the token can verify:
		// the column says so where the verdict's symbol stands.
		col.Label += " (anonymous)"
	}
	col.Sub = it.Path
	if trend {
		col.Label, col.Sub = firstNonEmpty(s.StartedAt, it.Path), col.Label
		if s.Tool.Version != "" {
			col.Sub += " · chconform " + s.Tool.Version
		}
	}
	return col
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// DisagreeText is "2 of 3 disagree" (or "all agree", "1 verdict").
func (r CompareRow) DisagreeText() string {
	switch {
	case r.Of == 0:
		return "no verdict"
	case r.Of == 1:
		return "1 verdict"
	case r.Disagree == 0:
		return fmt.Sprintf("all %d agree", r.Of)
	}
	return fmt.Sprintf("%d of %d disagree", r.Disagree, r.Of)
}

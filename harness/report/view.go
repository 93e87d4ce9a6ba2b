package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/chconform/chconform/harness"
	"github.com/onsi/ginkgo/v2/types"
)

// This file is the model report.html and report.md share: the operation x
// check matrix grouped by endpoint group, and the failed specs with their
// transcripts. Both renderers read the same model so that the two reports
// can never disagree on what a run came to.

// CheckNames are the names of the harness's checks, in checkOrder: the
// checks a case id can name (harness/suite matches declared skips by them).
func CheckNames() []string { return checkOrder() }

// checkOrder is the order columns appear in: the order in which a response
// is judged (did it arrive, is it a 5xx, the status, the headers, the body),
// then the behavioural checks. Checks the harness adds later still show, after
// these, by name.
func checkOrder() []string {
	return []string{
		harness.CheckResponseReceived,
		harness.CheckNotRateLimited,
		harness.CheckNotAServerError,
		harness.CheckStatusCode,
		harness.CheckContentType,
		harness.CheckResponseHeaders,
		harness.CheckResponseSchema,
		harness.CheckJSONInterop,
		harness.CheckDocumentedErrorCase,
		harness.CheckIgnoredAuth,
		harness.CheckNegativeDataRejected,
		harness.CheckPositiveDataAcceptance,
		harness.CheckPagination,
		harness.CheckMethodEquivalence,
		harness.CheckStatefulConsistency,
		harness.CheckIdentityIsolation,
	}
}

// checkTitle are the column headings: short enough that twelve columns fit
// next to the operation names on one screen.
func checkTitle(name string) string {
	switch name {
	case harness.CheckResponseReceived:
		return "received"
	case harness.CheckNotRateLimited:
		return "not throttled"
	case harness.CheckNotAServerError:
		return "no 5xx"
	case harness.CheckStatusCode:
		return "status"
	case harness.CheckContentType:
		return "content-type"
	case harness.CheckResponseHeaders:
		return "headers"
	case harness.CheckResponseSchema:
		return "schema"
	case harness.CheckJSONInterop:
		return "interop"
	case harness.CheckDocumentedErrorCase:
		return "error case"
	case harness.CheckIgnoredAuth:
		return "auth"
	case harness.CheckNegativeDataRejected:
		return "negative"
	case harness.CheckPositiveDataAcceptance:
		return "positive"
	case harness.CheckPagination:
		return "pagination"
	case harness.CheckMethodEquivalence:
		return "GET=POST"
	case harness.CheckStatefulConsistency:
		return "stateful"
	case harness.CheckIdentityIsolation:
		return "identity"
	default:
		return strings.ReplaceAll(name, "_", " ")
	}
}

// Cell is one square of the matrix. Symbol and Word carry the verdict
// without colour, so a printout or a colour-blind reader loses nothing.
type Cell struct {
	Class   string // CSS class: pass, fail, skip, none
	Symbol  string // ✓ ✗ – ?
	Word    string
	Message string // the check's message, as a tooltip and in the failures
}

func checkCell(c *CheckSummary) Cell {
	if c == nil {
		return Cell{Class: "none", Symbol: "?", Word: "not run"}
	}
	switch c.Status {
	case harness.CheckPassed:
		return Cell{Class: "pass", Symbol: "✓", Word: "passed", Message: c.Message}
	case harness.CheckFailed:
		return Cell{Class: "fail", Symbol: "✗", Word: "failed", Message: c.Message}
	default:
		return Cell{Class: "skip", Symbol: "–", Word: "not applicable", Message: c.Message}
	}
}

// outcomeCell is an operation's or a spec's overall verdict.
func outcomeCell(o Outcome) Cell {
	switch o {
	case OutcomePassed:
		return Cell{Class: "pass", Symbol: "✓", Word: string(o)}
	case OutcomeFailed:
		return Cell{Class: "fail", Symbol: "✗", Word: string(o)}
	case OutcomeError:
		return Cell{Class: "error", Symbol: "‼", Word: string(o)}
	case OutcomeUnsupported, OutcomeDisabled:
		return Cell{Class: "skip", Symbol: "–", Word: string(o)}
	default:
		return Cell{Class: "none", Symbol: "?", Word: "not run"}
	}
}

// Column is one check column of the matrix.
type Column struct {
	Name  string
	Title string
}

// Row is one operation of the matrix.
type Row struct {
	Op        OperationSummary
	Status    Cell
	Cells     []Cell
	Responses string // "2/3": documented responses this run exercised
	Missing   string // documented responses not exercised, for a tooltip
}

// Group is the rows of one endpoint group.
type Group struct {
	Name   string
	Rows   []Row
	Counts map[Outcome]int
}

// Matrix is the operation x check table.
type Matrix struct {
	Columns []Column
	Groups  []Group
}

// BuildMatrix lays a summary out as the matrix: groups by name, operations
// by id within a group, the columns every operation shares.
func BuildMatrix(s Summary) Matrix {
	present := map[string]bool{}
	for _, op := range s.Operations {
		for _, c := range op.Checks {
			present[c.Name] = true
		}
	}
	var m Matrix
	for _, name := range checkOrder() {
		if present[name] {
			m.Columns = append(m.Columns, Column{Name: name, Title: checkTitle(name)})
			delete(present, name)
		}
	}
	var extra []string
	for name := range present {
		extra = append(extra, name)
	}
	sort.Strings(extra)
	for _, name := range extra {
		m.Columns = append(m.Columns, Column{Name: name, Title: checkTitle(name)})
	}

	byGroup := map[string]*Group{}
	var names []string
	for _, op := range s.Operations {
		g := op.Group
		if g == "" {
			g = "(no group)"
		}
		if byGroup[g] == nil {
			byGroup[g] = &Group{Name: g, Counts: map[Outcome]int{}}
			names = append(names, g)
		}
		row := Row{Op: op, Status: outcomeCell(op.Status)}
		for _, col := range m.Columns {
			var found *CheckSummary
			for i := range op.Checks {
				if op.Checks[i].Name == col.Name {
					found = &op.Checks[i]
					break
				}
			}
			row.Cells = append(row.Cells, checkCell(found))
		}
		row.Responses = fmt.Sprintf("%d/%d", len(op.ResponsesExercised), len(op.ResponsesDocumented))
		var missing []string
		for _, code := range op.ResponsesDocumented {
			if !slices.Contains(op.ResponsesExercised, code) {
				missing = append(missing, code)
			}
		}
		if len(missing) > 0 {
			row.Missing = "not exercised: " + strings.Join(missing, ", ")
		}
		byGroup[g].Rows = append(byGroup[g].Rows, row)
		byGroup[g].Counts[op.Status]++
	}
	sort.Strings(names)
	for _, n := range names {
		g := byGroup[n]
		sort.Slice(g.Rows, func(i, j int) bool { return g.Rows[i].Op.OperationID < g.Rows[j].Op.OperationID })
		m.Groups = append(m.Groups, *g)
	}
	return m
}

// FailedSpec is a failed or errored spec as the failure sections show it:
// the verdict from the summary plus the exchanges it sent.
type FailedSpec struct {
	Spec      SpecSummary
	Exchanges []ExchangeEntry
	// LeftOut counts the exchanges a bounded report does not show
	// (boundFailures).
	LeftOut int
}

// FailedChecks names the checks that failed on the spec's exchanges, in
// matrix order, so the failure can be read next to the matrix cell.
func (f FailedSpec) FailedChecks() []string {
	var names []string
	for _, c := range f.Spec.Checks {
		if c.Status == harness.CheckFailed && !slices.Contains(names, c.Name) {
			names = append(names, c.Name)
		}
	}
	slices.SortStableFunc(names, func(a, b string) int { return checkIndex(a) - checkIndex(b) })
	return names
}

func checkIndex(name string) int {
	order := checkOrder()
	if i := slices.Index(order, name); i >= 0 {
		return i
	}
	return len(order)
}

// Failures pairs each failed or errored spec of s, and each flaky one
// (Spec.Flaky: the renderers show those apart), with the exchanges its
// Ginkgo report recorded, of every attempt. Specs are matched by name and
// location, the two things Build copies from the Ginkgo report, so no new
// field is needed in summary.json.
func Failures(s Summary, reports []types.Report) ([]FailedSpec, error) {
	type key struct{ name, loc string }
	exchanges := map[key][]ExchangeEntry{}
	for _, r := range reports {
		for _, sr := range sortedSpecReports(r.SpecReports) {
			if sr.LeafNodeType != types.NodeTypeIt || !(sr.State.Is(types.SpecStateFailureStates) || isFlaky(sr)) {
				continue
			}
			k := key{sr.FullText(), location(sr.LeafNodeLocation)}
			for _, e := range sr.ReportEntries {
				if e.Name != EntryExchange {
					continue
				}
				var v ExchangeEntry
				if err := decodeValue(e, &v); err != nil {
					return nil, err
				}
				exchanges[k] = append(exchanges[k], v)
			}
		}
	}
	var out []FailedSpec
	for _, sp := range s.Specs {
		if sp.Outcome != OutcomeFailed && sp.Outcome != OutcomeError && !sp.Flaky {
			continue
		}
		out = append(out, FailedSpec{Spec: sp, Exchanges: exchanges[key{sp.Name, sp.Location}]})
	}
	return out, nil
}

// maxTranscriptBody cuts a body in the reports: the harness already caps
// bodies at 16 KiB per exchange, which is right for ginkgo.json but makes a
// page of forty failures unreadable.
const maxTranscriptBody = 4 << 10

// TranscriptText renders one side of an exchange the way an HTTP client
// shows it: the start line, headers sorted by name (Go's map order would
// shuffle them on every run), a blank line, the body pretty-printed when it
// is JSON and cut at maxBody bytes.
func TranscriptText(t *Transcript, request bool, maxBody int) string {
	if t == nil {
		return ""
	}
	var b strings.Builder
	switch {
	case request && (t.Method != "" || t.URL != ""):
		fmt.Fprintf(&b, "%s %s\n", t.Method, t.URL)
	case request:
		b.WriteString("(request not recorded)\n")
	default:
		fmt.Fprintf(&b, "HTTP %d\n", t.Status)
	}
	names := make([]string, 0, len(t.Headers))
	for name := range t.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range t.Headers[name] {
			fmt.Fprintf(&b, "%s: %s\n", name, v)
		}
	}
	if t.Body != "" {
		b.WriteString("\n")
		b.WriteString(cutBody(prettyJSON(t.Body), maxBody))
		if t.BodyTruncated {
			b.WriteString("\n… (body truncated by the harness)")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// prettyIndentDepth is the deepest body prettyJSON indents: indenting costs
// the depth on every line, so a nested body (a hostile target's "[[[[...")
// would grow quadratically.
const prettyIndentDepth = 20

// prettyJSON indents a JSON body; anything else, or a body nested deeper than
// prettyIndentDepth, is returned as it came.
func prettyJSON(body string) string {
	if harness.CheckJSONDepth([]byte(body), prettyIndentDepth) != nil {
		return body
	}
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(body), "", "  "); err != nil {
		return body
	}
	return out.String()
}

// cutBody keeps at most max bytes, never splitting a UTF-8 sequence, and says
// how much was left out.
func cutBody(s string, max int) string {
	if max <= 0 || len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s\n… (%d more bytes)", s[:cut], len(s)-cut)
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

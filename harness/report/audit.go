package report

import (
	"fmt"
	"strings"

	"github.com/chconform/chconform/harness"
)

// AuditInfo is what an audit of captured traffic adds to a summary: what was
// read, what lies outside the contract, and where the contract and the
// captured answers drift apart. Runs leave it out.
type AuditInfo struct {
	Files []AuditFile `json:"files"`
	// Entries counts every entry read; Judged those of a contract operation.
	Entries int            `json:"entries"`
	Judged  int            `json:"judged"`
	Outside []OutsideEntry `json:"outside_contract"`
	// OutsideCounts says whether entries outside the contract fail the audit.
	OutsideCounts bool             `json:"outside_counts,omitempty"`
	Drift         []OperationDrift `json:"drift"`
	// TranscriptsOmitted counts failed entries listed without a transcript,
	// so that a capture of a million failures still makes bounded reports.
	TranscriptsOmitted int `json:"transcripts_omitted,omitempty"`
}

// AuditFile is one capture file the audit read.
type AuditFile struct {
	Path    string `json:"path"`
	Format  string `json:"format,omitempty"`
	Entries int    `json:"entries"`
	Error   string `json:"error,omitempty"`
}

// OutsideEntry counts captured requests of no contract operation.
type OutsideEntry struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Count  int    `json:"count"`
}

// OperationDrift is where one operation's captured answers and the contract
// disagree.
type OperationDrift struct {
	OperationID string `json:"operation_id"`
	// Answers counts the captured answers of the operation.
	Answers int `json:"answers"`
	// UndeclaredFields are fields the answers carry that the documented
	// schema does not declare.
	UndeclaredFields []FieldDrift `json:"undeclared_fields,omitempty"`
	// Violations are values that break a declared constraint.
	Violations []FieldDrift `json:"violations,omitempty"`
	// UndocumentedStatuses are statuses seen that the contract does not
	// document for the operation.
	UndocumentedStatuses []StatusDrift `json:"undocumented_statuses,omitempty"`
	// Requests are captured requests the contract's request schema rejects
	// (Message says why); answered with a 2xx, they are evidence that the
	// schema is too strict.
	Requests []FieldDrift `json:"requests,omitempty"`
	// Omitted counts distinct fields and violations left out of the lists.
	Omitted int `json:"omitted,omitempty"`
}

// FieldDrift is one field (array indices as *) with how many answers showed
// it and one masked example value; Message says what a violation broke.
type FieldDrift struct {
	Pointer string `json:"pointer"`
	Message string `json:"message,omitempty"`
	Count   int    `json:"count"`
	Example string `json:"example,omitempty"`
}

// StatusDrift is a status seen Count times.
type StatusDrift struct {
	Status int `json:"status"`
	Count  int `json:"count"`
}

// HasDrift reports whether the operation's answers disagree with the contract.
func (d OperationDrift) HasDrift() bool {
	return len(d.UndeclaredFields)+len(d.Violations)+len(d.UndocumentedStatuses)+len(d.Requests) > 0
}

// OperationInfos describes the contract's operations as a summary lists them.
func OperationInfos(spec *harness.Spec) []OperationInfo {
	var out []OperationInfo
	for _, op := range spec.Operations() {
		info := OperationInfo{ID: op.ID, Group: op.Group, Method: op.Method, Path: op.Path}
		for _, r := range op.Responses() {
			info.ResponsesDocumented = append(info.ResponsesDocumented, fmt.Sprint(r.Status))
			if locs := harness.ResponseLocations(op, r.Status); len(locs) > 0 {
				if info.ResponseLocations == nil {
					info.ResponseLocations = map[string][]string{}
				}
				info.ResponseLocations[fmt.Sprint(r.Status)] = locs
			}
		}
		out = append(out, info)
	}
	return out
}

// driftMarkdown is the drift section of report.md, at most limit bytes: the
// operations that drift, each field on one line.
func driftMarkdown(a *AuditInfo, limit int) string {
	if a == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### Captured traffic\n\n%d entries read from %d file(s), %d of a contract operation.\n\n", a.Entries, len(a.Files), a.Judged)
	for _, f := range a.Files {
		fmt.Fprintf(&b, "- `%s`: %d entries", mdCode(f.Path), f.Entries)
		if f.Error != "" {
			fmt.Fprintf(&b, " — **unreadable**: %s", mdEscape(f.Error))
		}
		b.WriteString("\n")
	}
	if len(a.Outside) > 0 {
		word := "not counted in the verdict"
		if a.OutsideCounts {
			word = "counted as failures"
		}
		fmt.Fprintf(&b, "\n**Outside the contract** (%s):\n\n", word)
		for _, o := range a.Outside {
			fmt.Fprintf(&b, "- `%s %s` × %d\n", mdCode(o.Method), mdCode(o.Path), o.Count)
		}
	}
	b.WriteString("\n### Drift: where the captured answers and the contract disagree\n\n")
	any := false
	for _, d := range a.Drift {
		if !d.HasDrift() {
			continue
		}
		any = true
		fmt.Fprintf(&b, "**`%s`** (%d answers)\n\n", d.OperationID, d.Answers)
		for _, s := range d.UndocumentedStatuses {
			fmt.Fprintf(&b, "- status %d is not documented × %d\n", s.Status, s.Count)
		}
		for _, f := range d.Violations {
			fmt.Fprintf(&b, "- `%s` breaks the contract: %s × %d%s\n", mdCode(f.Pointer), mdEscape(f.Message), f.Count, mdExample(f.Example))
		}
		for _, f := range d.Requests {
			fmt.Fprintf(&b, "- a request the contract calls malformed × %d: %s\n", f.Count, mdEscape(f.Message))
		}
		for _, f := range d.UndeclaredFields {
			fmt.Fprintf(&b, "- `%s` is not declared × %d%s\n", mdCode(f.Pointer), f.Count, mdExample(f.Example))
		}
		if d.Omitted > 0 {
			fmt.Fprintf(&b, "- … and %d more\n", d.Omitted)
		}
		b.WriteString("\n")
		if b.Len() > limit {
			break
		}
	}
	if !any {
		b.WriteString("None: every captured answer fits the contract, field for field.\n\n")
	}
	out := b.String()
	if len(out) > limit {
		out = harness.Cut(out, limit) + "\n\n_The drift list is cut here; summary.json and report.html hold all of it._\n\n"
	}
	return out
}

// mdCode keeps text inert inside a Markdown code span: a backtick would end
// the span, a newline the list item.
func mdCode(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	return strings.Join(strings.Fields(s), " ")
}

func mdExample(v string) string {
	if v == "" {
		return ""
	}
	return " (e.g. `" + mdCode(v) + "`)"
}

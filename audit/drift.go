package audit

import (
	"sort"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// maxDriftKeys bounds the distinct fields (and violations) kept per
// operation: a capture whose every answer has fresh keys (ids as keys) must
// not grow the audit without end.
const maxDriftKeys = 200

// exampleCut bounds an example value in the drift lists.
const exampleCut = 80

// driftAgg rolls up where one operation's answers leave the contract.
type driftAgg struct {
	answers    int
	fields     map[string]*report.FieldDrift
	violations map[string]*report.FieldDrift
	statuses   map[int]int
	requests   map[string]*report.FieldDrift
	omitted    int
	// seen and bodies keep what a suggested overlay needs (suggest.go):
	// the values found where the answers left the contract, and the
	// shapes of the bodies of undocumented statuses.
	seen   map[seenKey]*valuesSeen
	bodies map[int]*statusSeen
}

func (a *Auditor) driftOf(op *harness.Operation) *driftAgg {
	d := a.drift[op.ID]
	if d == nil {
		d = &driftAgg{fields: map[string]*report.FieldDrift{}, violations: map[string]*report.FieldDrift{}, statuses: map[int]int{}, requests: map[string]*report.FieldDrift{},
			seen: map[seenKey]*valuesSeen{}, bodies: map[int]*statusSeen{}}
		a.drift[op.ID] = d
	}
	return d
}

// add counts one answer; undeclared are harness.UndeclaredFields(ex),
// worked out beforehand (the costly part, done where the entry is assessed).
// where names the entry (file#index), the evidence a suggestion cites.
func (d *driftAgg) add(ex *harness.Exchange, results []harness.CheckResult, bodyCaptured bool, undeclared []harness.FieldValue, redact *harness.Redactor, where string) {
	if ex.Response == nil {
		return
	}
	d.answers++
	body := ex.Response.JSONText()
	status := ex.Response.Status
	for _, r := range results {
		if r.Status != harness.CheckFailed {
			continue
		}
		switch r.Name {
		case harness.CheckStatusCode:
			d.statuses[ex.Response.Status]++
			if bodyCaptured {
				d.statusBody(ex, where)
			}
		case harness.CheckResponseSchema:
			seen := map[string]bool{}
			for _, f := range r.Findings {
				if !strings.HasPrefix(f.Message, "undeclared field ") {
					d.value(seenKey{status: status, pattern: pattern(f.Pointer)}, valueAt(body, f.Pointer), f.Message, where)
				}
				ptr := pattern(f.Pointer)
				msg := f.Message
				if rest, ok := strings.CutPrefix(msg, f.Pointer+": "); ok && f.Pointer != "" {
					msg = rest
				}
				if strings.HasPrefix(msg, "undeclared field ") {
					continue // strict mode: listed with the fields below
				}
				key := ptr + "\x00" + msg
				if seen[key] {
					continue
				}
				seen[key] = true
				d.count(d.violations, key, report.FieldDrift{Pointer: ptr, Message: msg}, func() string {
					return example(body, f.Pointer, redact)
				})
			}
		}
	}
	if !bodyCaptured {
		return
	}
	seen := map[string]bool{}
	for _, f := range undeclared {
		ptr := pattern(f.Pointer)
		d.value(seenKey{status: status, pattern: ptr, undeclared: true}, gjson.Parse(f.Value), "", where)
		if seen[ptr] {
			continue
		}
		seen[ptr] = true
		value := f.Value
		d.count(d.fields, ptr, report.FieldDrift{Pointer: ptr}, func() string {
			return maskValue(f.Pointer, value, redact)
		})
	}
}

// request counts a captured request the contract's request schema rejects.
func (d *driftAgg) request(problem string) {
	d.count(d.requests, problem, report.FieldDrift{Pointer: "(request body)", Message: problem}, func() string { return "" })
}

// count adds one answer to key, keeping the first example seen.
func (d *driftAgg) count(m map[string]*report.FieldDrift, key string, fresh report.FieldDrift, ex func() string) {
	if f := m[key]; f != nil {
		f.Count++
		return
	}
	if len(m) >= maxDriftKeys {
		d.omitted++
		return
	}
	fresh.Count = 1
	fresh.Example = ex()
	m[key] = &fresh
}

func (d *driftAgg) summary(id string) report.OperationDrift {
	out := report.OperationDrift{OperationID: id, Answers: d.answers, Omitted: d.omitted}
	for _, f := range d.fields {
		out.UndeclaredFields = append(out.UndeclaredFields, *f)
	}
	for _, f := range d.violations {
		out.Violations = append(out.Violations, *f)
	}
	for _, f := range d.requests {
		out.Requests = append(out.Requests, *f)
	}
	for s, n := range d.statuses {
		out.UndocumentedStatuses = append(out.UndocumentedStatuses, report.StatusDrift{Status: s, Count: n})
	}
	byPointer := func(fs []report.FieldDrift) {
		sort.Slice(fs, func(i, j int) bool {
			if fs[i].Pointer != fs[j].Pointer {
				return fs[i].Pointer < fs[j].Pointer
			}
			return fs[i].Message < fs[j].Message
		})
	}
	byPointer(out.UndeclaredFields)
	byPointer(out.Violations)
	byPointer(out.Requests)
	sort.Slice(out.UndocumentedStatuses, func(i, j int) bool { return out.UndocumentedStatuses[i].Status < out.UndocumentedStatuses[j].Status })
	return out
}

// pattern is a pointer with its array indices as *, so one field of every
// item of a list is one line: /channels/*/users/*/bio.
func pattern(ptr string) string {
	if ptr == "" {
		return "(body)"
	}
	segs := strings.Split(ptr, "/")
	for i, s := range segs {
		if s != "" && strings.Trim(s, "0123456789") == "" {
			segs[i] = "*"
		}
	}
	return strings.Join(segs, "/")
}

// example is the value at ptr in body as masked JSON text.
func example(body []byte, ptr string, redact *harness.Redactor) string {
	if ptr == "" {
		return ""
	}
	v := valueAt(body, ptr)
	if !v.Exists() {
		return ""
	}
	return maskValue(ptr, v.Raw, redact)
}

// valueAt is the value at the JSON pointer ptr in body.
func valueAt(body []byte, ptr string) gjson.Result {
	if ptr == "" {
		return gjson.ParseBytes(body)
	}
	var path strings.Builder
	for i, seg := range strings.Split(ptr[1:], "/") {
		seg = strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
		if i > 0 {
			path.WriteByte('.')
		}
		path.WriteString(gjsonEscape(seg))
	}
	return gjson.GetBytes(body, path.String())
}

func gjsonEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`.*?|#@\!=<>%`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maskValue shows a value as the reports may: a credential field's value is
// masked whole, anything else has secret-shaped text masked and is cut.
func maskValue(ptr, value string, redact *harness.Redactor) string {
	name := ptr[strings.LastIndex(ptr, "/")+1:]
	if harness.IsSecretField(name) && value != "null" {
		return "<" + name + ">"
	}
	return printable(redact.String(harness.Cut(value, 5*exampleCut)), exampleCut)
}

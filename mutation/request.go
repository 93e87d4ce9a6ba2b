package mutation

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
)

// Request faults (issue 21), generated from the contract per operation and
// request property: how the server treats input nobody documented. The
// emulator makes them (emulator.FaultServerErrorOnInput and
// FaultInputAccepted), since they change what a request is answered, not
// how an answer reads. Each models a bug a Python view really has, and most
// fire only on values no documented request sends, so only the generation
// phase (label phase:explore) reaches them: the report says which.
const (
	// KindMissing500: a required body member absent is a 500 (a KeyError
	// on request.data[...]), not the 400 that names it.
	KindMissing500 Kind = "server-error-on-missing-property"
	// KindNull500: a member sent as null is a 500 (None.strip()).
	KindNull500 Kind = "server-error-on-null-property"
	// KindMistyped500: a container where a scalar belongs (int([]) is a
	// TypeError), or a number, boolean or object where a list belongs, is
	// a 500, not the 400 of a wrong type.
	KindMistyped500 Kind = "server-error-on-mistyped-property"
	// KindEdge500: a value of the right type at its edge (a number <= 0,
	// the issue's {"club_id": 0}; an empty string or list) is a 500.
	KindEdge500 Kind = "server-error-on-edge-value"
	// KindMistypedAccepted: a value of a wrong type that a lenient cast
	// lets through (isinstance(True, int), a number's truth, str(12345), a
	// scalar as a one-item list) is accepted as if it were valid. Only
	// values Django REST framework refuses count: it reads 1 and 0 as
	// booleans and "140" as an integer itself.
	KindMistypedAccepted Kind = "mistyped-property-accepted"
	// KindRangeAccepted: a value beyond the property's minimum, maximum,
	// length, enum or pattern is read as the nearest valid one and accepted.
	KindRangeAccepted Kind = "out-of-range-accepted"
)

// requestKinds are the kinds the emulator's request fault makes, with
// whether the fault answers 500 (else it accepts).
var requestKinds = map[Kind]bool{
	KindMissing500: true, KindNull500: true, KindMistyped500: true, KindEdge500: true,
	KindMistypedAccepted: false, KindRangeAccepted: false,
}

// IsRequestKind reports whether k is one of the request faults.
func IsRequestKind(k Kind) bool {
	_, ok := requestKinds[k]
	return ok
}

// reqProp is one request property of an operation: a top-level member of
// the JSON body or a query parameter.
type reqProp struct {
	Name     string
	Query    bool // a query parameter: its value arrives as text
	Required bool
	Shape    *shape
	// Schema is the property's own declaration, for its constraints.
	Schema *openapi3.Schema
	// Example is the value the operation's first request example gives it.
	Example any
}

// requestProps lists op's body members and query parameters, by name.
func requestProps(op *harness.Operation) []reqProp {
	var out []reqProp
	if rb := op.Op.RequestBody; rb != nil && rb.Value != nil {
		if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			s := flatten(mt.Schema, 0)
			var example map[string]any
			if ex := op.RequestExamples(); len(ex) > 0 {
				example, _ = ex[0].Value.(map[string]any)
			}
			for name, ps := range s.Props {
				out = append(out, reqProp{Name: name, Required: s.Required[name], Shape: ps,
					Schema: declaration(mt.Schema, name), Example: example[name]})
			}
		}
	}
	for _, p := range op.Op.Parameters {
		if p == nil || p.Value == nil || p.Value.In != openapi3.ParameterInQuery || p.Value.Schema == nil {
			continue
		}
		out = append(out, reqProp{Name: p.Value.Name, Query: true, Required: p.Value.Required,
			Shape: flatten(p.Value.Schema, 0), Schema: p.Value.Schema.Value})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// declaration finds the schema that declares the member name, through allOf.
func declaration(ref *openapi3.SchemaRef, name string) *openapi3.Schema {
	if ref == nil || ref.Value == nil {
		return nil
	}
	if p := ref.Value.Properties[name]; p != nil && p.Value != nil {
		return p.Value
	}
	for _, part := range ref.Value.AllOf {
		if d := declaration(part, name); d != nil {
			return d
		}
	}
	return nil
}

func requestProp(op *harness.Operation, name string) (reqProp, bool) {
	for _, p := range requestProps(op) {
		if p.Name == name {
			return p, true
		}
	}
	return reqProp{}, false
}

// requestMutants are op's request faults, one per (kind, property) the
// property's declaration allows.
func requestMutants(op *harness.Operation) []Mutant {
	var out []Mutant
	add := func(k Kind, p reqProp, what string) {
		out = append(out, Mutant{Kind: k, Path: p.Name, Generated: true, Description: what})
	}
	for _, p := range requestProps(op) {
		t := p.Shape.Type
		where := "member " + p.Name
		if p.Query {
			where = "query parameter " + p.Name
		}
		if p.Required && !p.Query {
			add(KindMissing500, p, "a request without the required "+where+" is answered 500, not refused with a 400")
		}
		if !p.Query {
			add(KindNull500, p, fmt.Sprintf("a request whose %s is null is answered 500", where))
		}
		if !p.Query && t != "" && t != "object" {
			add(KindMistyped500, p, fmt.Sprintf("a request whose %s (%s) is %s is answered 500, not refused with a 400", where, t, crashingKinds(t)))
		}
		if edge := edgeOf(t); edge != "" {
			add(KindEdge500, p, fmt.Sprintf("a request whose %s is %s is answered 500", where, edge))
		}
		if lenient := lenientKinds(t); lenient != "" {
			add(KindMistypedAccepted, p, fmt.Sprintf("a request whose %s (%s) is %s is accepted as if it were valid", where, t, lenient))
		}
		if c := constraints(p.Schema); c != "" {
			add(KindRangeAccepted, p, fmt.Sprintf("a request whose %s breaks %s is accepted, read as the nearest valid value", where, c))
		}
	}
	return out
}

func crashingKinds(declared string) string {
	if declared == "array" {
		return "a number, a boolean or an object"
	}
	return "a list or an object"
}

func edgeOf(declared string) string {
	switch declared {
	case "integer", "number":
		return "zero or negative"
	case "string":
		return "the empty string"
	case "array":
		return "the empty list"
	}
	return ""
}

func lenientKinds(declared string) string {
	switch declared {
	case "integer", "number":
		return "a boolean"
	case "boolean":
		return "a number other than 0 and 1"
	case "string":
		return "a number or a boolean"
	case "array":
		return "a single value"
	}
	return ""
}

// constraints names what a typed value of s may break; "" when nothing.
func constraints(s *openapi3.Schema) string {
	if s == nil {
		return ""
	}
	var c []string
	if s.Min != nil {
		c = append(c, fmt.Sprintf("minimum %v", *s.Min))
	}
	if s.Max != nil {
		c = append(c, fmt.Sprintf("maximum %v", *s.Max))
	}
	if s.MinLength > 0 {
		c = append(c, fmt.Sprintf("minLength %d", s.MinLength))
	}
	if s.MaxLength != nil {
		c = append(c, fmt.Sprintf("maxLength %d", *s.MaxLength))
	}
	if len(s.Enum) > 0 {
		c = append(c, fmt.Sprintf("enum %v", s.Enum))
	}
	if s.Pattern != "" {
		c = append(c, "pattern "+s.Pattern)
	}
	return strings.Join(c, ", ")
}

// unevidenced says why only a provisional check would judge request mutant
// m ("" when the verdict's checks must): the fault accepts input the
// contract refuses but the real server's answer to which is not evidenced,
// so the generation phase holds it to negative_data_rejection provisionally.
func unevidenced(spec *harness.Spec, m Mutant) string {
	switch m.Kind {
	case KindRangeAccepted:
		return "the contract's minimum, enum or pattern for " + m.Path + " comes from clients (ground truth §4.4 [CLIENT]), " +
			"not from the server's answers: what the real server answers to a value beyond it is not evidenced, so the " +
			"generation phase judges such requests provisionally (reported apart) and no spec of the verdict may fail on " +
			"their acceptance; evidence of a refusal would make the check, and this mutant, count"
	case KindMistypedAccepted:
		op, ok := spec.Operation(m.Op)
		if !ok {
			return ""
		}
		if p, ok := requestProp(op, m.Path); ok && p.Query {
			return "a query parameter is text: how the real server reads " + m.Path + "=1.5 or =2 is not evidenced (Django " +
				"reads query values in each view), so the generation phase judges such requests provisionally and no spec " +
				"of the verdict may fail on their acceptance"
		}
	}
	return ""
}

// requestFault is the emulator's fault for a request mutant of the
// contract: what values fire it, and what an accepting one reads instead.
func requestFault(spec *harness.Spec, m *Mutant) (emulator.Fault, bool) {
	fails, ok := requestKinds[m.Kind]
	if !ok {
		return emulator.Fault{}, false
	}
	op, found := spec.Operation(m.Op)
	if !found {
		return emulator.Fault{}, false
	}
	p, found := requestProp(op, m.Path)
	if !found {
		return emulator.Fault{}, false
	}
	f := emulator.Fault{Kind: emulator.FaultInputAccepted, Op: m.Op, Property: p.Name}
	if fails {
		f.Kind = emulator.FaultServerErrorOnInput
	}
	t := p.Shape.Type
	switch m.Kind {
	case KindMissing500:
		f.Match = func(_ any, present, _ bool) bool { return !present }
	case KindNull500:
		f.Match = func(v any, present, _ bool) bool { return present && v == nil }
	case KindMistyped500:
		f.Match = func(v any, present, text bool) bool { return present && !text && crashes(t, v) }
	case KindEdge500:
		f.Match = func(v any, present, text bool) bool { return present && atEdge(t, v, text) }
	case KindMistypedAccepted:
		f.Match = func(v any, present, text bool) bool {
			_, ok := lenientRead(t, v, text)
			return present && ok
		}
		// The cast decides which values get through; what the view then
		// does with them is answered as for a valid request: read as the
		// documented value, or an optional member without one ignored (a
		// cast of 12345 to the room "12345" would only be refused as
		// unknown, a refusal the contract allows).
		switch {
		case p.Example != nil:
			example := decoded(p.Example)
			f.Read = func(any, bool) any { return example }
		case p.Required:
			f.Read = func(v any, text bool) any {
				r, _ := lenientRead(t, v, text)
				return r
			}
		}
	case KindRangeAccepted:
		f.Match = func(v any, present, text bool) bool {
			_, ok := nearestValid(p, v, text)
			return present && ok
		}
		f.Read = func(v any, text bool) any {
			r, _ := nearestValid(p, v, text)
			return r
		}
	}
	return f, true
}

// decoded is v (a value of the contract, numbers as float64) as the
// emulator decodes a request body: numbers as json.Number.
func decoded(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return v
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var out any
	if dec.Decode(&out) != nil {
		return v
	}
	return out
}

// number reads v as a number: a JSON number, or text that parses as one.
func number(v any, text bool) (float64, bool) {
	switch t := v.(type) {
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	case string:
		if text {
			f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
			return f, err == nil
		}
	}
	return 0, false
}

func crashes(declared string, v any) bool {
	switch v.(type) {
	case []any:
		return declared != "array"
	case map[string]any:
		return true
	case json.Number, bool:
		return declared == "array"
	}
	return false
}

func atEdge(declared string, v any, text bool) bool {
	switch declared {
	case "integer", "number":
		n, ok := number(v, text)
		return ok && n <= 0
	case "string":
		s, ok := v.(string)
		return ok && s == ""
	case "array":
		l, ok := v.([]any)
		return ok && len(l) == 0
	}
	return false
}

// lenientRead is what a lenient cast makes of a value of the wrong type for
// declared; ok is false when v is of the declared type or no such cast
// reads it.
func lenientRead(declared string, v any, text bool) (any, bool) {
	if text {
		s, _ := v.(string)
		switch declared {
		case "integer":
			// int(float("1.5")): a fraction where a whole number belongs.
			if _, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
				return nil, false
			}
			if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return strconv.FormatInt(int64(f), 10), true
			}
		case "boolean":
			if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && f != 0 && f != 1 {
				return "true", true
			}
		}
		return nil, false
	}
	switch declared {
	case "integer", "number":
		if b, ok := v.(bool); ok {
			return json.Number(map[bool]string{true: "1", false: "0"}[b]), true
		}
	case "boolean":
		if n, ok := v.(json.Number); ok {
			if f, err := n.Float64(); err == nil && f != 0 && f != 1 {
				return true, true
			}
		}
	case "string":
		switch t := v.(type) {
		case json.Number:
			return string(t), true
		case bool:
			return map[bool]string{true: "True", false: "False"}[t], true
		}
	case "array":
		switch v.(type) {
		case string, json.Number, bool:
			return []any{v}, true
		}
	}
	return nil, false
}

// nearestValid is the value of the property's type nearest v that keeps its
// constraints: a number clamped to its bounds, a string cut to its length,
// the first enum value, the documented example for a pattern; ok is false
// when v keeps them (or is not of the type, which is another fault).
func nearestValid(p reqProp, v any, text bool) (any, bool) {
	s := p.Schema
	if s == nil {
		return nil, false
	}
	switch p.Shape.Type {
	case "integer", "number":
		n, ok := number(v, text)
		if !ok {
			return nil, false
		}
		num := func(f float64) any {
			if text {
				return strconv.FormatFloat(f, 'f', -1, 64)
			}
			return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
		}
		if len(s.Enum) > 0 && !inEnum(s.Enum, n) {
			if f, isNum := s.Enum[0].(float64); isNum {
				return num(f), true
			}
			return nil, false
		}
		switch {
		case s.Min != nil && n < *s.Min:
			return num(*s.Min), true
		case s.Max != nil && n > *s.Max:
			return num(*s.Max), true
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return nil, false
		}
		if len(s.Enum) > 0 && !inEnum(s.Enum, str) {
			return s.Enum[0], true
		}
		if s.MaxLength != nil && uint64(len([]rune(str))) > *s.MaxLength {
			return string([]rune(str)[:*s.MaxLength]), true
		}
		if s.Pattern != "" {
			if re, err := regexp.Compile(s.Pattern); err == nil && !re.MatchString(str) && p.Example != nil {
				return p.Example, true
			}
		}
	}
	return nil, false
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if fmt.Sprint(e) == fmt.Sprint(v) {
			return true
		}
	}
	return false
}

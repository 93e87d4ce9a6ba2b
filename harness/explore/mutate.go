package explore

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"
)

// location is one value of a generated body, with the schema that declares
// it and the way to put another value in its place.
type location struct {
	path   string
	schema *openapi3.Schema
	value  any
	set    func(any)
}

// locations lists the values of v under schema, depth first, by path.
func locations(schema *openapi3.Schema, v any, path string, set func(any), out *[]location) {
	if schema == nil {
		return
	}
	*out = append(*out, location{path: path, schema: schema, value: v, set: set})
	sh := shapeOf(schema)
	if len(sh.branches) > 0 {
		// The value's own branch: the first that is of its JSON type.
		for _, b := range sh.branches {
			if typeOf(v) != "" && shapeOf(b).is(typeOf(v)) || (typeOf(v) == "integer" && shapeOf(b).is("number")) {
				sh = shapeOf(b)
				break
			}
		}
	}
	switch x := v.(type) {
	case map[string]any:
		names := make([]string, 0, len(x))
		for k := range x {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if p := sh.props[k]; p != nil {
				k := k
				locations(p, x[k], join(path, k), func(nv any) { x[k] = nv }, out)
			}
		}
	case []any:
		if s := sh.s; s != nil && s.Items != nil && s.Items.Value != nil {
			for i := range x {
				i := i
				locations(s.Items.Value, x[i], fmt.Sprintf("%s[%d]", path, i), func(nv any) { x[i] = nv }, out)
			}
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// typeOf names a generated value's JSON type as a schema would.
func typeOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case int64, int:
		return "integer"
	case float64:
		if x == math.Trunc(x) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return ""
}

// notJSON are bodies no JSON parser reads; the first is the malformed-request
// probes' own.
var notJSON = []string{`{"`, `{`, `not json`, `{"a":}`, `[1,`, `{}}`, `{} {}`, `{'a': 1}`, "\x00", `{"a":1,}`}

// otherTopLevel are JSON bodies of another type than the object the
// contract's request bodies all are.
var otherTopLevel = []any{[]any{}, "text", int64(1), true, nil, []any{map[string]any{}}}

// bodyMutations replace the whole body.
var bodyMutations = []mutation{
	{kind: Malformed, what: "a body that is not JSON", apply: func(t *rapid.T, r *Request) {
		r.Raw = []byte(rapid.SampledFrom(notJSON).Draw(t, "not JSON"))
	}},
	{kind: Malformed, what: "a JSON body that is not an object", apply: func(t *rapid.T, r *Request) {
		r.Body = rapid.SampledFrom(otherTopLevel).Draw(t, "top level")
	}},
}

// mutations lists every single change to one value of r, a valid request:
// each value of its body, then the query.
func (g *opGen) mutations(r Request) []mutation {
	var out []mutation
	if g.body != nil {
		var locs []location
		locations(g.body, r.Body, "", nil, &locs)
		for i, l := range locs {
			out = append(out, valueMutations(i, l)...)
		}
	}
	for _, p := range g.query {
		out = append(out, queryMutations(p)...)
	}
	return out
}

// at finds location i again in the body being changed: a mutation is listed
// on one draw's body and applied to the same body, but by index, since a
// closure over the listing's setter would outlive it.
func at(g *opGen, r *Request, i int) location {
	var locs []location
	locations(g.body, r.Body, "", nil, &locs)
	return locs[i]
}

func valueMutations(i int, l location) []mutation {
	var out []mutation
	sh := shapeOf(l.schema)
	name := l.path
	if name == "" {
		name = "the body"
	}
	set := func(kind Kind, what string, values *rapid.Generator[any]) mutation {
		return mutation{kind: kind, what: name + ": " + what, index: i, values: values}
	}
	declared := ""
	if len(sh.types) == 1 && len(sh.branches) == 0 {
		declared = sh.types[0]
	}
	if declared != "" && l.path != "" {
		if wrong := wrongTyped[declared]; len(wrong) > 0 {
			out = append(out, set(Malformed, "a value of another type than "+declared, rapid.SampledFrom(wrong)))
		}
		if coercible := coercibleTo[declared]; len(coercible) > 0 {
			out = append(out, set(OutOfContract, "a value a lenient parser reads as "+declared, rapid.SampledFrom(coercible)))
		}
	}
	if !sh.nullable && l.path != "" && l.value != nil {
		out = append(out, set(OutOfContract, "null, which the schema does not allow", null))
	}
	switch {
	case declared == "integer" || declared == "number":
		lo, hi := bounds(l.schema)
		if l.schema.Min != nil && lo > math.MinInt64+1000 {
			out = append(out, set(OutOfContract, fmt.Sprintf("below the minimum %d", lo),
				rapid.Map(rapid.Int64Range(lo-1000, lo-1), toAny[int64])))
		}
		if l.schema.Max != nil && hi < math.MaxInt64-1000 {
			out = append(out, set(OutOfContract, fmt.Sprintf("above the maximum %d", hi),
				rapid.Map(rapid.Int64Range(hi+1, hi+1000), toAny[int64])))
		}
	case declared == "string":
		if len(l.schema.Enum) > 0 {
			out = append(out, set(OutOfContract, "a string outside the enum",
				rapid.Map(rapid.StringN(0, 12, -1).Filter(func(s string) bool { return !slices.Contains(l.schema.Enum, any(s)) }), toAny[string])))
		}
		if l.schema.Pattern != "" {
			out = append(out, set(OutOfContract, "a string off the pattern "+l.schema.Pattern,
				rapid.Map(rapid.SampledFrom([]string{"", " ", "-", "a b", "ü", "../x", "x\ny", "%00"}), toAny[string])))
		}
		if l.schema.Format == "byte" {
			m := set(OutOfContract, "a string that is not base64",
				rapid.Map(rapid.SampledFrom([]string{"%%%", "not base64!", "e30", "===="}), toAny[string]))
			m.format = true
			out = append(out, m)
		}
	}
	if len(sh.requiredAlts) > 0 {
		out = append(out, mutation{kind: OutOfContract, what: name + ": none of the properties one of which is required", index: i, drop: alternatives(sh)})
	}
	if obj, ok := l.value.(map[string]any); ok {
		for _, req := range sh.required {
			if _, present := obj[req]; present {
				out = append(out, mutation{kind: Malformed, what: join(l.path, req) + ": left out (required)", index: i, drop: []string{req}})
			}
		}
		if sh.closed {
			out = append(out, mutation{kind: OutOfContract, what: name + ": a property the schema does not declare", index: i, extra: true})
		}
	}
	return out
}

func alternatives(sh shape) []string {
	var out []string
	for _, alt := range sh.requiredAlts {
		for _, n := range alt {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// wrongTyped are values of another JSON type than the declared one that no
// lenient parser takes for it (the probes' "not-a-number" for an integer,
// 12345 for a string): a server must refuse them.
var wrongTyped = map[string][]any{
	"integer": {"not-a-number", "", true, []any{}, map[string]any{}, "1e3x"},
	"number":  {"not-a-number", "", true, []any{}, map[string]any{}},
	"string":  {int64(12345), int64(0), 1.5, true, []any{}, map[string]any{}},
	"boolean": {"maybe", "", int64(2), []any{}, map[string]any{}},
	"array":   {"not-an-array", int64(12345), true, map[string]any{}},
	"object":  {int64(12345), "text", true, []any{}},
}

// coercibleTo are values of another JSON type that Django REST framework's
// fields would read as the declared one ("140" as 140, "true" and 1 as
// true), and fractions for an integer: the contract refuses them, the real
// server's answer is not evidenced.
var coercibleTo = map[string][]any{
	"integer": {"140", "0", "-1", 1.5},
	"boolean": {"true", "false", int64(1), int64(0)},
}

func queryMutations(p *openapi3.Parameter) []mutation {
	s := p.Schema.Value
	sh := shapeOf(s)
	var texts []string
	what := ""
	switch {
	case len(s.Enum) > 0:
		what = "a value outside the enum"
		for _, t := range []string{"2", "-1", "x", "true", ""} {
			if !slices.ContainsFunc(s.Enum, func(e any) bool { return fmt.Sprint(e) == t }) {
				texts = append(texts, t)
			}
		}
	case sh.is("integer"):
		what = "not an integer"
		texts = []string{"x", "1.5", "", "1e3", "99999999999999999999", "-"}
	case sh.is("boolean"):
		what = "not a boolean"
		texts = []string{"maybe", "2", "-"}
	default:
		return nil
	}
	out := []mutation{{kind: OutOfContract, what: "query " + p.Name + ": " + what, query: p.Name, values: rapid.Map(rapid.SampledFrom(texts), toAny[string])}}
	if sh.is("integer") && s.Min != nil {
		lo, _ := bounds(s)
		out = append(out, mutation{kind: OutOfContract, what: fmt.Sprintf("query %s: below the minimum %d", p.Name, lo), query: p.Name,
			values: rapid.Map(rapid.Int64Range(lo-100, lo-1), func(n int64) any { return strconv.FormatInt(n, 10) })})
	}
	return out
}

// apply makes the change on r (its body drawn, its query drawn).
func (m mutation) applyTo(t *rapid.T, g *opGen, r *Request) {
	switch {
	case m.apply != nil:
		m.apply(t, r)
	case m.query != "":
		if r.Query == nil {
			r.Query = map[string][]string{}
		}
		r.Query.Set(m.query, queryText(m.values.Draw(t, "query "+m.query)))
	case m.values != nil:
		l := at(g, r, m.index)
		v := m.values.Draw(t, "value")
		if l.set == nil {
			r.Body = v
		} else {
			l.set(v)
		}
	case m.drop != nil:
		if obj, ok := at(g, r, m.index).value.(map[string]any); ok {
			for _, name := range m.drop {
				delete(obj, name)
			}
		}
	case m.extra:
		if obj, ok := at(g, r, m.index).value.(map[string]any); ok {
			obj[rapid.StringMatching(`x_[a-z]{1,8}`).Draw(t, "unknown")] = scalars.Draw(t, "unknown value")
		}
	}
}

// jsonText is a value as its JSON text, for messages.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

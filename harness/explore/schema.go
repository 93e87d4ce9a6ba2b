package explore

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"
)

// values builds the generators of values. Without documented, the
// contract's examples are left out: a generated write must not name what
// the documented requests name (the example phone number, which another
// spec invites and expects not to be on Clubhouse yet).
type values struct{ withExamples bool }

// documented are the documented values of a schema, when they are used.
func (v values) documented(examples []any, s *openapi3.Schema) []any {
	if !v.withExamples {
		return nil
	}
	return append(slices.Clone(examples), s.Example)
}

// shape is a schema with its allOf parts merged: what a generator needs.
type shape struct {
	s        *openapi3.Schema
	types    []string
	nullable bool
	// branches are the typed anyOf/oneOf alternatives (a nullable $ref is
	// anyOf [X, JsonNull]); requiredAlts are anyOf alternatives that only
	// name required properties ("user_id or username").
	branches     []*openapi3.Schema
	requiredAlts [][]string
	props        map[string]*openapi3.Schema
	required     []string
	closed       bool // additionalProperties: false
}

func shapeOf(s *openapi3.Schema) shape {
	sh := shape{s: s, props: map[string]*openapi3.Schema{}}
	seen := map[*openapi3.Schema]bool{}
	var visit func(*openapi3.Schema)
	visit = func(x *openapi3.Schema) {
		if x == nil || seen[x] {
			return
		}
		seen[x] = true
		if x.Type != nil {
			for _, t := range x.Type.Slice() {
				if t == "null" {
					sh.nullable = true
				} else if !slices.Contains(sh.types, t) {
					sh.types = append(sh.types, t)
				}
			}
		}
		sh.nullable = sh.nullable || x.Nullable
		for _, name := range x.Required {
			if !slices.Contains(sh.required, name) {
				sh.required = append(sh.required, name)
			}
		}
		for name, ref := range x.Properties {
			if _, dup := sh.props[name]; !dup && ref != nil && ref.Value != nil {
				sh.props[name] = ref.Value
			}
		}
		if x.AdditionalProperties.Has != nil && !*x.AdditionalProperties.Has {
			sh.closed = true
		}
		for _, alt := range append(slices.Clone(x.AnyOf), x.OneOf...) {
			if alt == nil || alt.Value == nil {
				continue
			}
			a := alt.Value
			switch {
			case isNull(a):
				sh.nullable = true
			case a.Type == nil && len(a.Properties) == 0 && len(a.Required) > 0 && len(a.AllOf) == 0 && len(a.AnyOf) == 0:
				sh.requiredAlts = append(sh.requiredAlts, a.Required)
			default:
				sh.branches = append(sh.branches, a)
			}
		}
		for _, part := range x.AllOf {
			if part != nil {
				visit(part.Value)
			}
		}
	}
	visit(s)
	if len(sh.types) == 0 && len(sh.props) > 0 {
		sh.types = []string{"object"}
	}
	return sh
}

// isNull: the schema admits only null (the contract's JsonNull).
func isNull(s *openapi3.Schema) bool {
	if s.Type != nil && s.Type.Is("null") {
		return true
	}
	return len(s.Enum) == 1 && s.Enum[0] == nil
}

func (sh shape) is(t string) bool { return slices.Contains(sh.types, t) }

var null = rapid.Just[any](nil)

// validValue generates values the schema accepts: documented examples and
// boundary values first (rapid draws them often), then anything in range.
// examples holds the documented values of an object's properties, by name.
func (v values) validValue(s *openapi3.Schema, examples map[string][]any, depth int) *rapid.Generator[any] {
	sh := shapeOf(s)
	var gens []*rapid.Generator[any]
	switch {
	case len(sh.branches) > 0:
		for _, b := range sh.branches {
			gens = append(gens, v.validValue(b, examples, depth+1))
		}
	case len(s.Enum) > 0:
		var values []any
		for _, v := range s.Enum {
			if v != nil {
				values = append(values, v)
			}
		}
		if len(values) > 0 {
			gens = append(gens, rapid.SampledFrom(values))
		}
	case sh.is("integer"):
		gens = append(gens, v.integers(s, nil))
	case sh.is("number"):
		gens = append(gens, v.integers(s, nil), rapid.Map(rapid.Float64Range(-1e6, 1e6), toAny[float64]))
	case sh.is("string"):
		gens = append(gens, v.stringValues(s, nil))
	case sh.is("boolean"):
		gens = append(gens, rapid.Map(rapid.Bool(), toAny[bool]))
	case sh.is("array"):
		gens = append(gens, v.arrays(s, depth))
	case sh.is("object"):
		gens = append(gens, v.objects(sh, examples, depth))
	default:
		gens = append(gens, scalars)
	}
	if sh.nullable || len(gens) == 0 {
		gens = append(gens, null)
	}
	return rapid.OneOf(gens...)
}

func toAny[T any](v T) any { return v }

// scalars stand for a value of no declared type.
var scalars = rapid.OneOf(
	rapid.Map(rapid.StringN(0, 12, -1), toAny[string]),
	rapid.Map(rapid.Int64Range(-1000, 1000), toAny[int64]),
	rapid.Map(rapid.Bool(), toAny[bool]),
)

// bounds is the integer range a schema allows.
func bounds(s *openapi3.Schema) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if s.Format == "int32" {
		lo, hi = math.MinInt32, math.MaxInt32
	}
	if s.Min != nil {
		lo = int64(math.Ceil(*s.Min))
		if s.ExclusiveMin.Bool != nil && *s.ExclusiveMin.Bool {
			lo++
		}
	}
	if s.Max != nil {
		hi = int64(math.Floor(*s.Max))
		if s.ExclusiveMax.Bool != nil && *s.ExclusiveMax.Bool {
			hi--
		}
	}
	return lo, hi
}

// integers are the documented examples and the edges (the bounds, 0, ±1,
// 2^53 and one past it, where a double stops counting) or anything in range.
func (v values) integers(s *openapi3.Schema, examples []any) *rapid.Generator[any] {
	lo, hi := bounds(s)
	var special []int64
	add := func(n int64) {
		if n >= lo && n <= hi && !slices.Contains(special, n) {
			special = append(special, n)
		}
	}
	for _, n := range []int64{0, 1, -1} {
		add(n)
	}
	for _, e := range v.documented(examples, s) {
		switch n := e.(type) {
		case float64:
			if n == math.Trunc(n) && math.Abs(n) < 1<<62 {
				add(int64(n))
			}
		case int:
			add(int64(n))
		case int64:
			add(n)
		}
	}
	// Smallest first: shrinking moves towards the start of the list.
	for _, n := range []int64{0, 1, -1, 2, 100, lo, lo + 1, math.MaxInt32, math.MaxInt32 + 1, 1 << 53, 1<<53 + 1, hi} {
		add(n)
	}
	return rapid.Map(rapid.OneOf(rapid.SampledFrom(special), rapid.Int64Range(lo, hi)), toAny[int64])
}

func (v values) stringValues(s *openapi3.Schema, examples []any) *rapid.Generator[any] {
	var gens []*rapid.Generator[string]
	var known []string
	for _, e := range v.documented(examples, s) {
		if str, ok := e.(string); ok && fits(s, str) && !slices.Contains(known, str) {
			known = append(known, str)
		}
	}
	if len(known) > 0 {
		gens = append(gens, rapid.SampledFrom(known))
	}
	switch {
	case s.Pattern != "":
		gens = append(gens, rapid.StringMatching(s.Pattern).Filter(func(v string) bool { return fits(s, v) }))
	case s.Format == "byte":
		// base64 of a JSON object: the contract's one byte field,
		// attribution_details, is "base64-encoded JSON" in its prose, which
		// the emulator and the suite hold it to.
		gens = append(gens,
			rapid.Map(rapid.MapOfN(rapid.StringMatching(`[a-z_]{1,8}`), rapid.IntRange(-5, 100), 0, 3), func(m map[string]int) string {
				b, _ := json.Marshal(m)
				return base64.StdEncoding.EncodeToString(b)
			}))
	default:
		hi := 40
		if s.MaxLength != nil {
			hi = int(min(*s.MaxLength, 40))
		}
		lo := int(min(s.MinLength, uint64(hi)))
		gens = append(gens, rapid.StringN(lo, hi, -1))
	}
	return rapid.Map(rapid.OneOf(gens...), toAny[string])
}

// fits: a documented string within the schema's length bounds.
func fits(s *openapi3.Schema, v string) bool {
	n := uint64(len([]rune(v)))
	return n >= s.MinLength && (s.MaxLength == nil || n <= *s.MaxLength)
}

func (v values) arrays(s *openapi3.Schema, depth int) *rapid.Generator[any] {
	if s.Items == nil || s.Items.Value == nil || depth >= maxDepth {
		return rapid.Just[any]([]any{})
	}
	hi := int(s.MinItems) + 4
	if s.MaxItems != nil {
		hi = int(min(*s.MaxItems, uint64(hi)))
	}
	items := v.validValue(s.Items.Value, nil, depth+1)
	return rapid.Map(rapid.SliceOfN(items, int(s.MinItems), hi), func(v []any) any {
		if v == nil {
			v = []any{} // [] and not null: a JSON array
		}
		return v
	})
}

// objects draws the required properties (and one alternative's, for an
// anyOf of required lists), then each optional one or not, by name.
func (v values) objects(sh shape, examples map[string][]any, depth int) *rapid.Generator[any] {
	names := make([]string, 0, len(sh.props))
	for name := range sh.props {
		names = append(names, name)
	}
	sort.Strings(names)
	gens := map[string]*rapid.Generator[any]{}
	if depth < maxDepth {
		for _, name := range names {
			gens[name] = v.propertyValue(sh.props[name], examples[name], depth+1)
		}
	}
	open := len(sh.props) == 0 && !sh.closed
	return rapid.Custom(func(t *rapid.T) any {
		need := map[string]bool{}
		for _, name := range sh.required {
			need[name] = true
		}
		m := map[string]any{}
		for _, name := range names {
			g := gens[name]
			if g == nil || (!need[name] && !rapid.Bool().Draw(t, name+"?")) {
				continue
			}
			m[name] = g.Draw(t, name)
		}
		// An anyOf of required lists none of which the draw met: the first
		// is made whole (so a shrunk object keeps the fewest properties).
		if len(sh.requiredAlts) > 0 && !slices.ContainsFunc(sh.requiredAlts, func(alt []string) bool { return hasAll(m, alt) }) {
			for _, name := range sh.requiredAlts[0] {
				if _, ok := m[name]; !ok && gens[name] != nil {
					m[name] = gens[name].Draw(t, name)
				}
			}
		}
		if len(names) == 0 && !open {
			// {} is the one value: drawn all the same, rapid needs a draw.
			rapid.Bool().Draw(t, "empty")
		}
		if open {
			// A free-form object (blob_data, the {} of EmptyRequest): a few
			// members of any kind.
			for k, v := range rapid.MapOfN(rapid.StringMatching(`[a-z_]{1,8}`), scalars, 0, 3).Draw(t, "members") {
				m[k] = v
			}
		}
		return m
	})
}

// propertyValue is validValue for one property, with its documented values
// mixed in.
func (v values) propertyValue(s *openapi3.Schema, examples []any, depth int) *rapid.Generator[any] {
	sh := shapeOf(s)
	if len(examples) == 0 || len(sh.branches) > 0 || len(s.Enum) > 0 {
		return v.validValue(s, nil, depth)
	}
	var gen *rapid.Generator[any]
	switch {
	case sh.is("integer"):
		gen = v.integers(s, examples)
	case sh.is("string"):
		gen = v.stringValues(s, examples)
	default:
		return v.validValue(s, nil, depth)
	}
	if sh.nullable {
		return rapid.OneOf(gen, null)
	}
	return gen
}

func hasAll(m map[string]any, names []string) bool {
	for _, n := range names {
		if _, ok := m[n]; !ok {
			return false
		}
	}
	return true
}

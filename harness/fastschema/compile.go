// Package fastschema answers one question quickly: does a JSON body
// certainly validate against an OpenAPI 3.0 schema, as kin-openapi's
// openapi3filter.ValidateResponse would judge it (VisitJSON as a response,
// json.Number values, the default formats and pattern compiler)?
//
// It compiles a schema once (cached per *openapi3.Schema) and walks the raw
// bytes in one pass, building no values. It is only ever a shortcut: true
// means kin-openapi would find nothing; false means "invalid, or not sure"
// (an unsupported keyword, a number that does not parse exactly, a duplicate
// key, deep nesting, bad syntax...) and the caller must ask kin-openapi,
// which produces the findings. So it may answer false for a valid body, never
// true for an invalid one; harness/fastschema_*_test.go prove it against kin.
package fastschema

import (
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxDepth bounds the nesting the walker follows; deeper input is left to
// the slow path (encoding/json itself stops at 10000).
const maxDepth = 512

// maxAlts bounds the anyOf combinations one set of schemas expands to.
const maxAlts = 32

// maxConjs bounds the compiled sets of one schema graph: past it the schema
// is left to the slow path rather than compiled without end.
const maxConjs = 20000

type kind uint8

const (
	kBool kind = 1 << iota
	kInteger
	kNumber
	kString
	kArray
	kObject
)

// part is the own constraints of one schema: everything but allOf/anyOf,
// which the conjunction that holds it has expanded.
type part struct {
	s       *openapi3.Schema
	bad     bool // a keyword this package does not judge: always not sure
	permits kind // the JSON types the schema's `type` permits

	hasEnum bool
	enum    []any // float64, string, bool or nil, as kin compares them

	// string
	lenCheck bool
	minLen   uint64
	maxLen   *uint64
	re       *pattern
	strFmt   string

	// number
	numCheck       bool
	requireInteger bool
	numFmt         string

	// array
	minItems uint64
	maxItems *uint64
}

// conj is a set of schemas one value must satisfy together (the schema of a
// property, or of a property in several allOf branches at once).
type conj struct {
	nodes []*openapi3.Schema
	// nullOK: null certainly validates against every node.
	nullOK bool
	// alts are the anyOf choices, each a set of parts; a non-null value that
	// satisfies one of them satisfies every node. None: not sure.
	alts []*alt
	// any: no node constrains a non-null value (skip it, syntax only).
	any bool
}

// alt is one conjunction of parts, with their object and array views merged.
type alt struct {
	parts []*part
	// any: no part constrains the value.
	any     bool
	bad     bool // a part this package does not judge
	permits kind
	hasEnum bool
	scalar  []*part // parts with string or number constraints or an enum

	// id numbers the alts of one Validator: the index of the walk's
	// per-alt scratch (walker.order).
	id int

	// object
	slots    map[string]int // property name -> index in slotList
	slotList []slot
	names    []string // slotList's names
	other    slot     // a name no part declares
	required []int
	minProps uint64
	maxProps *uint64

	// array
	items    *conj
	minItems uint64
	maxItems *uint64
}

type slot struct {
	child  *conj // nil when no part constrains the value
	closed bool  // some part forbids the name (additionalProperties: false)
	// undeclared: no part declares the name in properties, or the value
	// also answers to another part's additionalProperties (whose fields
	// Declared does not count): Judge is not sure it is declared.
	undeclared bool
}

// Validator is a compiled schema. It is immutable and safe for concurrent use.
type Validator struct {
	root *conj
	bad  bool
	alts int // how many alts (alt.id)
}

var cache sync.Map // *openapi3.Schema -> *entry

type entry struct {
	once sync.Once
	v    *Validator
}

// For returns the compiled validator of s, compiling it on first use.
func For(s *openapi3.Schema) *Validator {
	e, _ := cache.LoadOrStore(s, &entry{})
	en := e.(*entry)
	en.once.Do(func() { en.v = Compile(s) })
	return en.v
}

// Compile compiles s without the cache.
func Compile(s *openapi3.Schema) *Validator {
	c := &compiler{parts: map[*openapi3.Schema]*part{}, conjs: map[string]*conj{}}
	v := &Validator{}
	if s == nil {
		v.bad = true
		return v
	}
	v.root = c.conjOf([]*openapi3.Schema{s})
	v.alts = c.alts
	if c.overflow {
		v.bad = true
	}
	return v
}

type compiler struct {
	parts    map[*openapi3.Schema]*part
	conjs    map[string]*conj
	alts     int // how many alts, numbered from 0 (alt.id)
	overflow bool
}

// annotations lists the Schema fields the 3.0 validator of kin-openapi does
// not read when validating a response (nor with the options the harness
// sets). Every other field must be one this package judges, or the schema is
// left to the slow path: a keyword added to kin-openapi later cannot be
// silently ignored.
func stripped(s *openapi3.Schema) openapi3.Schema {
	c := *s
	c.Extensions, c.Origin = nil, nil
	c.Title, c.Description, c.Default, c.Example, c.ExternalDocs = "", "", nil, nil, nil
	c.Deprecated, c.XML, c.ReadOnly, c.AllowEmptyValue = false, nil, false, false
	c.Examples, c.Comment = nil, ""
	// judged here
	c.AnyOf, c.AllOf, c.Type, c.Format, c.Enum = nil, nil, nil, "", nil
	c.ExclusiveMin, c.ExclusiveMax = openapi3.ExclusiveBound{}, openapi3.ExclusiveBound{}
	c.Nullable, c.Min, c.Max = false, nil, nil
	c.MinLength, c.MaxLength, c.Pattern = 0, nil, ""
	c.MinItems, c.MaxItems, c.Items = 0, nil, nil
	c.Required, c.Properties, c.MinProps, c.MaxProps = nil, nil, 0, nil
	c.AdditionalProperties = openapi3.AdditionalProperties{}
	return c
}

func (c *compiler) partOf(s *openapi3.Schema) *part {
	if p, ok := c.parts[s]; ok {
		return p
	}
	p := &part{s: s}
	c.parts[s] = p
	if rest := stripped(s); !reflect.DeepEqual(rest, openapi3.Schema{}) {
		p.bad = true // not, oneOf, uniqueItems, multipleOf, writeOnly, 3.1 keywords...
		return p
	}
	for _, t := range []struct {
		name string
		k    kind
	}{{"boolean", kBool}, {"integer", kInteger}, {"number", kNumber}, {"string", kString}, {"array", kArray}, {"object", kObject}} {
		if s.Type.Permits(t.name) {
			p.permits |= t.k
		}
	}
	if len(s.Enum) > 0 {
		p.hasEnum = true
		for _, e := range s.Enum {
			switch v := e.(type) {
			case nil, string, bool, float64:
				p.enum = append(p.enum, v)
			case int:
				p.enum = append(p.enum, float64(v))
			case int64:
				p.enum = append(p.enum, float64(v))
			default:
				p.bad = true // objects, arrays, json.Number: compared by kin in ways not mirrored here
			}
		}
	}
	p.minLen, p.maxLen = s.MinLength, s.MaxLength
	p.lenCheck = s.MinLength != 0 || s.MaxLength != nil
	if s.Pattern != "" {
		re, err := compilePattern(intoGoRegexp(s.Pattern))
		if err != nil {
			p.bad = true // kin reports the pattern itself
		}
		p.re = re
	}
	p.strFmt = s.Format
	p.numFmt = s.Format
	p.requireInteger = s.Type.Permits("integer") && !s.Type.Permits("number")
	p.numCheck = p.requireInteger || s.Format != "" || s.Min != nil || s.Max != nil ||
		s.ExclusiveMin.IsSet() || s.ExclusiveMax.IsSet()
	if s.ExclusiveMin.Value != nil || s.ExclusiveMax.Value != nil {
		p.bad = true // the 3.1 form
	}
	if s.Min != nil && (math.IsNaN(*s.Min) || math.IsInf(*s.Min, 0)) || s.Max != nil && (math.IsNaN(*s.Max) || math.IsInf(*s.Max, 0)) {
		p.bad = true
	}
	p.minItems, p.maxItems = s.MinItems, s.MaxItems
	for _, ref := range s.Properties {
		if ref == nil || ref.Value == nil {
			p.bad = true
		}
	}
	if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value == nil {
		p.bad = true
	}
	if s.Items != nil && s.Items.Value == nil {
		p.bad = true
	}
	return p
}

// trivial: the part accepts every non-null value (only allOf/anyOf, which
// its conjunction expands, and annotations).
func (p *part) trivial() bool {
	s := p.s
	return !p.bad && p.permits == kBool|kInteger|kNumber|kString|kArray|kObject && !p.hasEnum &&
		!p.lenCheck && p.re == nil && p.strFmt == "" && !p.numCheck &&
		s.Items == nil && s.MinItems == 0 && s.MaxItems == nil &&
		len(s.Properties) == 0 && len(s.Required) == 0 && s.MinProps == 0 && s.MaxProps == nil &&
		s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil
}

// patRewriteCodepoints and intoGoRegexp are kin-openapi's (schema_pattern.go,
// v0.153.0): a pattern compiles here exactly as kin compiles it.
var patRewriteCodepoints = regexp.MustCompile(`(?P<replaced_with_slash_x>\\u)(?P<code>[0-9A-F]{4})`)

func intoGoRegexp(re string) string {
	return patRewriteCodepoints.ReplaceAllString(re, `\x{${code}}`)
}

// key identifies a set of schemas regardless of order.
func key(nodes []*openapi3.Schema) string {
	var b strings.Builder
	for _, n := range nodes {
		b.WriteString(uintptrString(n))
	}
	return b.String()
}

func uintptrString(n *openapi3.Schema) string {
	p := reflect.ValueOf(n).Pointer()
	const hex = "0123456789abcdef"
	var buf [16]byte
	for i := 15; i >= 0; i-- {
		buf[i] = hex[p&15]
		p >>= 4
	}
	return string(buf[:])
}

func normalize(nodes []*openapi3.Schema) []*openapi3.Schema {
	out := slices.Clone(nodes)
	slices.SortFunc(out, func(a, b *openapi3.Schema) int {
		pa, pb := reflect.ValueOf(a).Pointer(), reflect.ValueOf(b).Pointer()
		switch {
		case pa < pb:
			return -1
		case pa > pb:
			return 1
		}
		return 0
	})
	return slices.Compact(out)
}

// conjOf compiles the set of schemas nodes. Sets are shared, so recursive
// schemas compile to a finite graph.
func (c *compiler) conjOf(nodes []*openapi3.Schema) *conj {
	nodes = normalize(nodes)
	k := key(nodes)
	if cj, ok := c.conjs[k]; ok {
		return cj
	}
	cj := &conj{nodes: nodes}
	c.conjs[k] = cj
	if len(c.conjs) > maxConjs {
		c.overflow = true
		return cj
	}
	cj.nullOK = true
	for _, n := range nodes {
		if nullValid(n, nil) != yes {
			cj.nullOK = false
		}
	}
	// Expand allOf and anyOf into alternatives of parts.
	alts := [][]*part{{}}
	ok := true
	for _, n := range nodes {
		var sub [][]*part
		sub, ok = c.expand(n, nil)
		if !ok {
			break
		}
		alts = product(alts, sub)
		if len(alts) > maxAlts {
			ok = false
			break
		}
	}
	if !ok {
		return cj // no alternatives: every non-null value is "not sure"
	}
	for _, parts := range alts {
		cj.alts = append(cj.alts, c.altOf(parts))
	}
	cj.any = len(cj.alts) == 1 && cj.alts[0].any
	return cj
}

// expand lists the conjunctions of parts a non-null value must satisfy for
// n to accept it, one per combination of anyOf branches. A schema met again
// among its own allOf/anyOf (kin then lets the value through) is not
// expanded: false, not sure.
func (c *compiler) expand(n *openapi3.Schema, stack []*openapi3.Schema) ([][]*part, bool) {
	if slices.Contains(stack, n) {
		return nil, false
	}
	stack = append(stack, n)
	if n.Always != nil {
		return nil, false
	}
	if n.IsEmpty() {
		// kin: anything but null passes, nothing under it is looked at.
		return [][]*part{{}}, true
	}
	out := [][]*part{{}}
	if p := c.partOf(n); !p.trivial() {
		out = [][]*part{{p}}
	}
	if len(n.AnyOf) > 0 {
		var union [][]*part
		for _, ref := range n.AnyOf {
			if ref == nil || ref.Value == nil {
				return nil, false
			}
			sub, ok := c.expand(ref.Value, stack)
			if !ok {
				return nil, false
			}
			union = append(union, sub...)
		}
		out = product(out, union)
	}
	for _, ref := range n.AllOf {
		if ref == nil || ref.Value == nil {
			return nil, false
		}
		sub, ok := c.expand(ref.Value, stack)
		if !ok {
			return nil, false
		}
		out = product(out, sub)
	}
	if len(out) > maxAlts {
		return nil, false
	}
	return out, true
}

func product(a, b [][]*part) [][]*part {
	var out [][]*part
	for _, x := range a {
		for _, y := range b {
			out = append(out, append(slices.Clone(x), y...))
		}
	}
	return out
}

type tri uint8

const (
	no tri = iota
	yes
	unsure
)

// nullValid is kin's judgement of null against n (visitJSON with a nil
// value): nullable passes at once; an empty schema refuses it; allOf/anyOf
// decide when present; otherwise it is refused.
func nullValid(n *openapi3.Schema, stack []*openapi3.Schema) tri {
	if slices.Contains(stack, n) {
		return unsure
	}
	stack = append(stack, n)
	if n.Always != nil {
		return unsure
	}
	if n.Nullable || n.Type.IncludesNull() {
		return yes
	}
	if n.IsEmpty() {
		return no
	}
	if n.Not != nil || len(n.OneOf) > 0 || n.Discriminator != nil {
		return unsure
	}
	if len(n.AnyOf) > 0 {
		found := no
		for _, ref := range n.AnyOf {
			if ref == nil || ref.Value == nil {
				return unsure
			}
			switch nullValid(ref.Value, stack) {
			case yes:
				found = yes
			case unsure:
				if found == no {
					found = unsure
				}
			}
			if found == yes {
				break
			}
		}
		if found != yes {
			return found
		}
	}
	for _, ref := range n.AllOf {
		if ref == nil || ref.Value == nil {
			return unsure
		}
		if r := nullValid(ref.Value, stack); r != yes {
			return r
		}
	}
	if len(n.AnyOf) > 0 || len(n.AllOf) > 0 {
		return yes
	}
	return no
}

func (c *compiler) altOf(parts []*part) *alt {
	a := &alt{id: c.alts, parts: parts, permits: kBool | kInteger | kNumber | kString | kArray | kObject, slots: map[string]int{}}
	c.alts++
	a.any = len(parts) == 0
	var items []*openapi3.Schema
	names := map[string]bool{}
	for _, p := range parts {
		a.permits &= p.permits
		a.bad = a.bad || p.bad
		if p.hasEnum {
			a.hasEnum = true
		}
		if p.hasEnum || p.lenCheck || p.re != nil || p.strFmt != "" || p.numCheck || p.bad {
			a.scalar = append(a.scalar, p)
		}
		for name := range p.s.Properties {
			names[name] = true
		}
		for _, name := range p.s.Required {
			names[name] = true
		}
		a.minProps = max(a.minProps, p.s.MinProps)
		if m := p.s.MaxProps; m != nil && (a.maxProps == nil || *m < *a.maxProps) {
			a.maxProps = m
		}
		a.minItems = max(a.minItems, p.minItems)
		if m := p.maxItems; m != nil && (a.maxItems == nil || *m < *a.maxItems) {
			a.maxItems = m
		}
		if p.s.Items != nil && p.s.Items.Value != nil {
			items = append(items, p.s.Items.Value)
		}
	}
	if len(items) > 0 {
		a.items = c.conjOf(items)
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	slices.Sort(sorted)
	for _, name := range sorted {
		a.slots[name] = len(a.slotList)
		a.slotList = append(a.slotList, c.slotFor(parts, name, true))
	}
	a.names = sorted
	a.other = c.slotFor(parts, "", false)
	for _, p := range parts {
		for _, name := range p.s.Required {
			if i := a.slots[name]; !slices.Contains(a.required, i) {
				a.required = append(a.required, i)
			}
		}
	}
	return a
}

// slotFor is what the parts ask of the value of property name (declared:
// the name may be declared by some part; otherwise it is declared by none).
func (c *compiler) slotFor(parts []*part, name string, declared bool) slot {
	var child []*openapi3.Schema
	sl := slot{undeclared: true}
	extra := false
	for _, p := range parts {
		if declared {
			if ref := p.s.Properties[name]; ref != nil && ref.Value != nil {
				child = append(child, ref.Value)
				sl.undeclared = false
				continue
			}
		}
		ap := p.s.AdditionalProperties
		if ap.Has != nil && !*ap.Has {
			sl.closed = true
			continue
		}
		if ap.Schema != nil && ap.Schema.Value != nil {
			child = append(child, ap.Schema.Value)
			extra = true
		}
	}
	sl.undeclared = sl.undeclared || extra
	if len(child) > 0 {
		sl.child = c.conjOf(child)
	}
	return sl
}

package fastschema

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/getkin/kin-openapi/openapi3"
)

// Coverage is the catalogue of the places of one response schema that a
// body can show or leave unshown (issue 18 §2, response coverage): the body
// itself ("(body)"), each property present (":present") and, unless
// required, absent (":absent"), each nullable value null (":null") and not
// (":value"), each enum value (":enum=v"), each array non-empty
// (":nonempty") and each anyOf/oneOf branch (":anyOf[i]"). Array items are
// "/[]", so a list that was always empty leaves ":nonempty" and everything
// under "/[]" unobserved. It is immutable and safe for concurrent use.
type Coverage struct {
	ids   []string
	root  *covNode
	props int // how many covProps, for the walk's per-object scratch
	nodes int // how many covNodes, for the walk's per-node scratch
}

// covNode is what one value position declares.
type covNode struct {
	// lo, hi: the node's own locations and those under it are [lo, hi)
	// (they are numbered depth first), so a walk can tell when there is
	// nothing left to see under it.
	lo, hi      int
	id          int // index in the walk's per-node scratch
	null, value int // -1 when the value is not nullable
	enum        []any
	enumIdx     []int
	nonempty    int // -1 when no array is declared
	items       *covNode
	props       map[string]*covProp
	optional    []*covProp // the props that can be absent
	branches    []covBranch
}

type covProp struct {
	name            string
	present, absent int // absent -1 for a required property
	id              int // index in the walk's scratch
	node            *covNode
}

type covBranch struct {
	loc    int
	schema *openapi3.Schema
	node   *covNode
}

// maxCovDepth and maxCovLocations bound what a schema (a recursive one
// above all) expands to: past them nothing more is listed, rather than a
// catalogue without end.
const (
	maxCovDepth     = 24
	maxCovLocations = 20000
)

var covCache sync.Map // *openapi3.Schema -> *covEntry

type covEntry struct {
	once sync.Once
	c    *Coverage
}

// CoverageFor returns the catalogue of s, built once.
func CoverageFor(s *openapi3.Schema) *Coverage {
	e, _ := covCache.LoadOrStore(s, &covEntry{})
	en := e.(*covEntry)
	en.once.Do(func() { en.c = compileCoverage(s) })
	return en.c
}

// IDs lists the locations, in a fixed order (the schema's, properties
// sorted by name).
func (c *Coverage) IDs() []string { return c.ids }

// Len is how many locations there are.
func (c *Coverage) Len() int { return len(c.ids) }

type covCompiler struct {
	c *Coverage
}

func (cc *covCompiler) loc(path, kind string) int {
	if len(cc.c.ids) >= maxCovLocations {
		return -1
	}
	if path == "" {
		path = "(body)"
	}
	if kind != "" {
		path += ":" + kind
	}
	cc.c.ids = append(cc.c.ids, path)
	return len(cc.c.ids) - 1
}

func compileCoverage(s *openapi3.Schema) *Coverage {
	c := &Coverage{}
	cc := &covCompiler{c: c}
	cc.loc("", "")
	if s != nil {
		c.root = cc.node(s, "", nil)
	}
	return c
}

// onlyNull: the schema accepts nothing but null (JsonNull, the 3.0 spelling
// of a nullable $ref's other branch); its branch is the ":null" location.
func onlyNull(s *openapi3.Schema) bool {
	if len(s.Enum) == 0 {
		return false
	}
	for _, e := range s.Enum {
		if e != nil {
			return false
		}
	}
	return true
}

// merged lists s with the allOf parts under it and the one branch of an
// anyOf/oneOf whose other branches only accept null; groups lists the
// anyOf/oneOf groups with several real branches.
func merged(s *openapi3.Schema) (out []*openapi3.Schema, groups []covGroup) {
	seen := map[*openapi3.Schema]bool{}
	var visit func(*openapi3.Schema)
	visit = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, ref := range s.AllOf {
			if ref != nil {
				visit(ref.Value)
			}
		}
		for _, g := range []struct {
			name string
			refs openapi3.SchemaRefs
		}{{"anyOf", s.AnyOf}, {"oneOf", s.OneOf}} {
			var real []int
			for i, ref := range g.refs {
				if ref != nil && ref.Value != nil && !onlyNull(ref.Value) {
					real = append(real, i)
				}
			}
			switch {
			case len(real) == 1:
				visit(g.refs[real[0]].Value)
			case len(real) > 1:
				groups = append(groups, covGroup{name: g.name, refs: g.refs, real: real})
			}
		}
	}
	visit(s)
	return out, groups
}

type covGroup struct {
	name string
	refs openapi3.SchemaRefs
	real []int
}

// node compiles the value at path. stack holds the schemas of the values
// above it: a schema met again (a recursive one) lists nothing more.
func (cc *covCompiler) node(s *openapi3.Schema, path string, stack []*openapi3.Schema) *covNode {
	if s == nil || slices.Contains(stack, s) || len(stack) >= maxCovDepth {
		return nil
	}
	stack = append(stack, s)
	n := &covNode{lo: len(cc.c.ids), id: cc.c.nodes, null: -1, value: -1, nonempty: -1}
	cc.c.nodes++
	defer func() { n.hi = len(cc.c.ids) }()
	if nullValid(s, nil) == yes {
		n.null = cc.loc(path, "null")
		n.value = cc.loc(path, "value")
	}
	parts, groups := merged(s)
	var items []*openapi3.Schema
	array := false
	names := map[string]bool{}
	required := map[string]bool{}
	for _, p := range parts {
		for _, e := range p.Enum {
			if e == nil {
				continue
			}
			if i, ok := e.(int); ok {
				e = float64(i)
			}
			if !slices.Contains(n.enum, e) {
				n.enum = append(n.enum, e)
				n.enumIdx = append(n.enumIdx, cc.loc(path, "enum="+fmt.Sprint(e)))
			}
		}
		if p.Type.Is("array") || p.Items != nil {
			array = true
		}
		if p.Items != nil && p.Items.Value != nil {
			items = append(items, p.Items.Value)
		}
		for name := range p.Properties {
			names[name] = true
		}
		for _, name := range p.Required {
			required[name] = true
		}
	}
	if array {
		n.nonempty = cc.loc(path, "nonempty")
		if len(items) > 0 {
			// Several items schemas (allOf) describe one element: the first
			// names the element's locations, the others add to them below.
			n.items = cc.node(items[0], path+"/[]", stack)
		}
	}
	sorted := make([]string, 0, len(names))
	for name := range names {
		sorted = append(sorted, name)
	}
	slices.Sort(sorted)
	for _, name := range sorted {
		p := &covProp{name: name, absent: -1, id: cc.c.props}
		cc.c.props++
		child := path + "/" + escapeToken(name)
		p.present = cc.loc(child, "present")
		if !required[name] {
			p.absent = cc.loc(child, "absent")
			n.optional = append(n.optional, p)
		}
		for _, part := range parts {
			if ref := part.Properties[name]; ref != nil && ref.Value != nil {
				p.node = cc.node(ref.Value, child, stack)
				break
			}
		}
		if n.props == nil {
			n.props = map[string]*covProp{}
		}
		n.props[name] = p
	}
	for _, g := range groups {
		for _, i := range g.real {
			b := covBranch{schema: g.refs[i].Value}
			here := path
			if here == "" {
				here = "(body)"
			}
			kind := g.name + "[" + strconv.Itoa(i) + "]"
			b.loc = cc.loc(path, kind)
			b.node = cc.node(b.schema, here+":"+kind, stack)
			n.branches = append(n.branches, b)
		}
	}
	return n
}

// escapeToken is a JSON pointer token (RFC 6901).
func escapeToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// Seen is a set of locations of one Coverage.
type Seen []uint64

// NewSeen is an empty set for c.
func (c *Coverage) NewSeen() Seen { return make(Seen, (len(c.ids)+63)/64) }

// Has reports whether location i is in the set.
func (s Seen) Has(i int) bool { return i >= 0 && i/64 < len(s) && s[i/64]&(1<<(i%64)) != 0 }

func (s Seen) add(i int) {
	if i >= 0 {
		s[i/64] |= 1 << (i % 64)
	}
}

// Count is how many locations are in the set.
func (s Seen) Count() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

// Observe adds to seen the locations data shows. known, when not nil, is
// what is already known to have been seen: a value whose locations are all
// in seen or known is skipped unread. data must be a body that validated
// against the schema: nothing is judged here, and what is not JSON stops
// the walk where it starts.
func (c *Coverage) Observe(data []byte, seen, known Seen) {
	words := (len(c.ids) + 63) / 64
	if len(seen) < words || known != nil && len(known) < words {
		return
	}
	seen.add(0)
	o := observer{walker: walker{data: data}, seen: seen, known: known, stamp: make([]uint32, c.props), order: make([][]*covProp, c.nodes)}
	o.value(c.root, o.ws(0), 0)
}

type observer struct {
	walker
	seen, known Seen
	stamp       []uint32 // per covProp: the serial of the last object that held it
	obj         uint32
	// order is, per covNode, the properties in the order the last objects
	// listed them: the objects of one list mostly repeat it, and a name
	// compared with the expected one is cheaper than a map lookup.
	order [][]*covProp
}

// saturated: every location of n and under it has been seen.
func (o *observer) saturated(n *covNode) bool {
	for i := n.lo; i < n.hi; {
		w, b := i/64, uint(i%64)
		have := o.seen[w]
		if o.known != nil {
			have |= o.known[w]
		}
		width := min(64-int(b), n.hi-i)
		mask := (uint64(1)<<width - 1) << b
		if width == 64 {
			mask = ^uint64(0)
		}
		if have&mask != mask {
			return false
		}
		i += width
	}
	return true
}

// pass returns the end of the value at i, which is known to be valid JSON
// (the body validated): a scan for its end, nothing checked.
func (o *observer) pass(i int) (int, bool) {
	d := o.data
	depth := 0
	for i < len(d) {
		switch d[i] {
		case '"':
			i++
			for i < len(d) && d[i] != '"' {
				if d[i] == '\\' {
					i++
				}
				i++
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth <= 0 {
				return i + 1, depth == 0
			}
		default:
			if depth == 0 {
				for i < len(d) && !delim[d[i]] {
					i++
				}
				return i, true
			}
		}
		i++
		if depth == 0 {
			return i, i <= len(d)
		}
	}
	return i, false
}

// strEnd is str for a string known to be valid: the index after its
// closing quote, and whether it holds an escape.
func (o *observer) strEnd(i int) (end int, esc bool, ok bool) {
	d := o.data
	for j := i + 1; j < len(d); j++ {
		switch d[j] {
		case '"':
			return j + 1, esc, true
		case '\\':
			esc = true
			j++
		}
	}
	return len(d), esc, false
}

// delim marks the bytes that end a scalar.
var delim = func() (t [256]bool) {
	for _, c := range []byte(",]} \t\r\n") {
		t[c] = true
	}
	return t
}()

// value marks what the value at i shows and returns its end (ok false: not
// JSON, the walk stops).
func (o *observer) value(n *covNode, i, depth int) (int, bool) {
	if n == nil || depth > maxDepth || i >= len(o.data) || o.saturated(n) {
		return o.pass(i)
	}
	c := o.data[i]
	if c == 'n' {
		o.seen.add(n.null)
		return o.lit(i, "null")
	}
	o.seen.add(n.value)
	if len(n.branches) > 0 {
		end, ok := o.pass(i)
		if !ok {
			return i, false
		}
		// The fast walker first; kin-openapi, which decodes the value,
		// only when it is sure of no branch (the value validated, so one
		// accepts it).
		raw := o.data[i:end]
		taken := false
		for _, b := range n.branches {
			if Valid(b.schema, raw) {
				taken = true
				o.seen.add(b.loc)
				o.value(b.node, i, depth)
			}
		}
		for _, b := range n.branches {
			if !taken && kinAccepts(b.schema, raw) {
				o.seen.add(b.loc)
				o.value(b.node, i, depth)
			}
		}
		if n.props == nil && n.nonempty < 0 && len(n.enum) == 0 {
			return end, true // the branches held everything there is to see
		}
	}
	switch {
	case c == '{':
		return o.object(n, i, depth)
	case c == '[':
		return o.array(n, i, depth)
	case c == '"':
		end, esc, ok := o.strEnd(i)
		if ok && len(n.enum) > 0 {
			if s, ok := o.decode(i, end, esc); ok {
				o.enum(n, s)
			}
		}
		return end, ok
	case c == 't' || c == 'f':
		end, ok := o.pass(i)
		if ok && len(n.enum) > 0 {
			o.enum(n, c == 't')
		}
		return end, ok
	default:
		end, ok := o.number(i)
		if ok && len(n.enum) > 0 {
			if f, err := strconv.ParseFloat(unsafe.String(&o.data[i], end-i), 64); err == nil {
				o.enum(n, f)
			}
		}
		return end, ok
	}
}

func (o *observer) enum(n *covNode, v any) {
	for k, e := range n.enum {
		if e == v {
			o.seen.add(n.enumIdx[k])
		}
	}
}

func (o *observer) object(n *covNode, i, depth int) (int, bool) {
	o.obj++
	serial := o.obj
	order := o.order[n.id]
	i = o.ws(i + 1)
	if i < len(o.data) && o.data[i] == '}' {
		i++
	} else {
		for k, more := 0, true; more; k++ {
			if i >= len(o.data) || o.data[i] != '"' {
				return i, false
			}
			kend, esc, ok := o.strEnd(i)
			if !ok {
				return i, false
			}
			var p *covProp
			if n.props != nil {
				if name, ok := o.decode(i, kend, esc); ok {
					if k < len(order) && order[k] != nil && order[k].name == name {
						p = order[k]
					} else if p = n.props[name]; p != nil {
						for len(order) <= k {
							order = append(order, nil)
						}
						order[k] = p
						o.order[n.id] = order
					}
				}
			}
			i = o.ws(kend)
			if i >= len(o.data) || o.data[i] != ':' {
				return i, false
			}
			i = o.ws(i + 1)
			var end int
			if p == nil {
				end, ok = o.pass(i)
			} else {
				o.seen.add(p.present)
				o.stamp[p.id] = serial
				end, ok = o.value(p.node, i, depth+1)
			}
			if !ok {
				return i, false
			}
			if i, more, ok = o.next(end, '}'); !ok {
				return i, false
			}
		}
	}
	for _, p := range n.optional {
		if o.stamp[p.id] != serial {
			o.seen.add(p.absent)
		}
	}
	return i, true
}

func (o *observer) array(n *covNode, i, depth int) (int, bool) {
	i = o.ws(i + 1)
	if i < len(o.data) && o.data[i] == ']' {
		return i + 1, true
	}
	o.seen.add(n.nonempty)
	for more := true; more; {
		end, ok := o.value(n.items, i, depth+1)
		if !ok {
			return i, false
		}
		if i, more, ok = o.next(end, ']'); !ok {
			return i, false
		}
	}
	return i, true
}

// kinAccepts says whether kin-openapi finds the value valid against s.
func kinAccepts(s *openapi3.Schema, raw []byte) bool {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return false
	}
	return s.VisitJSON(v, openapi3.VisitAsResponse()) == nil
}

// Merge adds from to into and returns the ids of the locations that were
// new to into.
func (c *Coverage) Merge(into, from Seen) []string {
	var added []string
	for w := range min(len(into), len(from)) {
		fresh := from[w] &^ into[w]
		into[w] |= fresh
		for fresh != 0 {
			b := bits.TrailingZeros64(fresh)
			fresh &^= 1 << b
			added = append(added, c.ids[w*64+b])
		}
	}
	return added
}

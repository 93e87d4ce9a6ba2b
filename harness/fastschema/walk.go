package fastschema

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/getkin/kin-openapi/openapi3"
)

// Valid reports whether data is one JSON value (surrounding whitespace
// allowed) that certainly validates against the compiled schema. It also
// guarantees that data is valid UTF-8 and valid JSON without duplicate
// object keys. False means "invalid or not sure": ask kin-openapi.
func (v *Validator) Valid(data []byte) bool { return v.Judge(data).Valid }

// Verdict is what one walk of a body (Judge) learns: whether it validates,
// and, for a valid body, the answers of two other checks that would
// otherwise walk it again.
type Verdict struct {
	// Valid is Valid's answer.
	Valid bool
	// Declared: every object field of the body is declared, by the rules of
	// Declared (its None is true). False: there is an undeclared field, or
	// not sure. Only meaningful when Valid.
	Declared bool
	// Plain: the body holds nothing harness's json_interop reports (a valid
	// body has no duplicate name, invalid UTF-8, lone surrogate or number
	// past a double's range; Plain adds no integer beyond ±2^53) and is
	// nested well under the harness's depth limit. False: there may be.
	// Only meaningful when Valid.
	Plain bool
	// Covered: the seen of JudgeCovering holds every location of the
	// Coverage that the body shows, as Observe would mark them. False: the
	// walk was not sure (a branch of anyOf/oneOf to tell apart, a value it
	// did not look inside), ask Observe.
	Covered bool
}

// Judge is Valid, and the Verdict's other answers from the same walk.
//
// Declared follows from the walk because the schemas it judges a value
// against are some of those Declared flattens at that place (an alternative
// takes allOf parts and one anyOf branch each, Declared takes every branch):
// a name one of them declares is declared for Declared too. So the walk
// only notes what could break that: a name its alternative does not declare
// in properties, a declared name whose value also answers to another part's
// additionalProperties, and any object or array it does not judge inside.
func (v *Validator) Judge(data []byte) Verdict { return v.JudgeCovering(data, nil, nil) }

// JudgeCovering is Judge, and, when c is the coverage catalogue of the same
// schema, the locations of c the body shows, added to seen (c.NewSeen()) as
// Observe adds them: the coverage walk, done by the same pass. The coverage
// of an alternative that failed is not taken back: when one fails after
// marking a location, Covered is false.
func (v *Validator) JudgeCovering(data []byte, c *Coverage, seen Seen) Verdict {
	if v == nil || v.bad || v.root == nil {
		return Verdict{}
	}
	w := walker{data: data, order: make([][]int32, v.alts)}
	var root *covNode
	if c != nil && len(seen) >= (len(c.ids)+63)/64 {
		w.seen, w.stamp, root = seen, make([]uint32, c.props), c.root
		w.covOrder = make([][]*covProp, c.nodes)
		w.mark(0)
	} else {
		w.uncovered = true
	}
	i := w.ws(0)
	if i >= len(data) {
		return Verdict{}
	}
	end, ok := w.conj(v.root, i, 0, root)
	if !ok || w.ws(end) != len(data) {
		return Verdict{}
	}
	return Verdict{Valid: true, Declared: !w.undeclared, Plain: !w.unplain, Covered: !w.uncovered}
}

// mark adds coverage location i (-1: none) to the walk's seen.
func (w *walker) mark(i int) {
	if i >= 0 {
		w.seen[i/64] |= 1 << (i % 64)
		w.marks++
	}
}

// unlooked notes a value the walk passes over unread: if its coverage node
// could show more than null or not (Observe would look inside), the
// coverage is not complete.
func (w *walker) unlooked(n *covNode, i int) {
	if n != nil && (w.data[i] == '{' || w.data[i] == '[' || len(n.enum) > 0) {
		w.uncovered = true
	}
}

// Valid is For(s).Valid(data).
func Valid(s *openapi3.Schema, data []byte) bool { return For(s).Valid(data) }

type walker struct {
	data []byte
	// undeclared and unplain are Judge's doubts (see Verdict), noted as
	// the walk meets them, in alternatives that fail too: a doubt only
	// costs the caller the walk it would have made anyway.
	undeclared, unplain bool

	// The coverage JudgeCovering marks: seen and, per covProp, the serial
	// of the last object that held it (stamp, obj); marks counts the marks,
	// so that a failed alternative that made some is noticed. uncovered is
	// its doubt.
	seen      Seen
	stamp     []uint32
	obj       uint32
	marks     int
	uncovered bool

	// order is, per alt (alt.id), the slots in the order the last objects
	// listed their names, and covOrder the same per covNode: the objects of
	// one list mostly repeat it, and a name compared with the expected one
	// is cheaper than a map lookup. Nil in the walks that do not keep it.
	order    [][]int32
	covOrder [][]*covProp

	// formatOK holds the last strings a format validator passed in this
	// walk (formatNext is where the next goes): a list repeats its dates.
	formatOK   [8]struct{ format, s string }
	formatNext int
}

// slot finds the slot of name in a, the k-th name of its object.
func (w *walker) slot(a *alt, k int, name string) (int, bool) {
	if w.order == nil {
		idx, ok := a.slots[name]
		return idx, ok
	}
	order := w.order[a.id]
	if k < len(order) && order[k] >= 0 && a.names[order[k]] == name {
		return int(order[k]), true
	}
	idx, ok := a.slots[name]
	for len(order) <= k {
		order = append(order, -1)
	}
	order[k] = -1
	if ok {
		order[k] = int32(idx)
	}
	w.order[a.id] = order
	return idx, ok
}

// covProp finds the property name of n, the k-th name of its object.
func (w *walker) covProp(n *covNode, k int, name string) *covProp {
	order := w.covOrder[n.id]
	if k < len(order) && order[k] != nil && order[k].name == name {
		return order[k]
	}
	p := n.props[name]
	if p != nil {
		for len(order) <= k {
			order = append(order, nil)
		}
		order[k] = p
		w.covOrder[n.id] = order
	}
	return p
}

// format is kin's validator of the string format named, remembered for
// the strings it passed.
func (w *walker) format(name, s string) bool {
	for _, m := range w.formatOK {
		if m.s == s && m.format == name {
			return true
		}
	}
	if f, ok := openapi3.SchemaStringFormats[name]; ok && f.Validate(s) != nil {
		return false
	}
	w.formatOK[w.formatNext%len(w.formatOK)] = struct{ format, s string }{name, s}
	w.formatNext++
	return true
}

// plainDepth is where Judge stops calling a body Plain: the harness reads
// nothing nested deeper than 512 as JSON (MaxJSONDepth), the walk judges
// one level more.
const plainDepth = 500

func (w *walker) ws(i int) int {
	for i < len(w.data) {
		switch w.data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func (w *walker) lit(i int, s string) (int, bool) {
	if len(w.data)-i >= len(s) && string(w.data[i:i+len(s)]) == s {
		return i + len(s), true
	}
	return i, false
}

// conj judges the value at i against a set of schemas.
// conj judges the value at i against a set of schemas. n is the value's
// coverage node (nil: nothing to mark).
func (w *walker) conj(cj *conj, i, depth int, n *covNode) (int, bool) {
	if depth > maxDepth || i >= len(w.data) {
		return i, false
	}
	if depth >= plainDepth {
		w.unplain = true
	}
	if n != nil && len(n.branches) > 0 {
		// Which branch a value takes is Observe's to tell.
		w.uncovered, n = true, nil
	}
	if w.data[i] == 'n' {
		if n != nil {
			w.mark(n.null)
		}
		end, ok := w.lit(i, "null")
		return end, ok && cj.nullOK
	}
	if n != nil {
		w.mark(n.value)
	}
	if cj.any {
		w.unlooked(n, i)
		return w.skip(i, depth)
	}
	for _, a := range cj.alts {
		marks := w.marks
		if end, ok := w.alt(a, i, depth, n); ok {
			return end, true
		}
		if w.marks != marks {
			w.uncovered = true // marks of an alternative that failed
		}
	}
	return i, false
}

func (w *walker) alt(a *alt, i, depth int, n *covNode) (int, bool) {
	if a.bad {
		return i, false
	}
	if a.any {
		w.unlooked(n, i)
		return w.skip(i, depth)
	}
	switch c := w.data[i]; {
	case c == '{':
		if a.permits&kObject == 0 || a.hasEnum {
			return i, false
		}
		return w.object(a, i, depth, n)
	case c == '[':
		if a.permits&kArray == 0 || a.hasEnum {
			return i, false
		}
		return w.array(a, i, depth, n)
	case c == '"':
		if a.permits&kString == 0 {
			return i, false
		}
		end, esc, ok := w.str(i)
		covEnum := n != nil && len(n.enum) > 0
		if !ok || len(a.scalar) == 0 && !covEnum {
			return end, ok
		}
		s, ok := w.decode(i, end, esc)
		if !ok {
			return i, false
		}
		for _, p := range a.scalar {
			if !p.string(s, w) {
				return i, false
			}
		}
		if covEnum {
			w.enum(n, s)
		}
		return end, true
	case c == 't' || c == 'f':
		if a.permits&kBool == 0 {
			return i, false
		}
		b := c == 't'
		lit := "false"
		if b {
			lit = "true"
		}
		end, ok := w.lit(i, lit)
		if !ok {
			return i, false
		}
		for _, p := range a.scalar {
			if p.hasEnum && !enumHas(p.enum, b) {
				return i, false
			}
		}
		if n != nil && len(n.enum) > 0 {
			w.enum(n, b)
		}
		return end, true
	case c == '-' || c >= '0' && c <= '9':
		for _, p := range a.parts {
			if p.permits&(kInteger|kNumber) == 0 {
				return i, false
			}
		}
		end, ok := w.number(i)
		covEnum := n != nil && len(n.enum) > 0
		if !ok || len(a.scalar) == 0 && !covEnum {
			return end, ok
		}
		// kin reads numbers as json.Number, then Float64: strconv.ParseFloat.
		f, err := strconv.ParseFloat(unsafe.String(&w.data[i], end-i), 64)
		if err != nil {
			if len(a.scalar) == 0 {
				return end, true // Observe marks no enum value either
			}
			return i, false
		}
		for _, p := range a.scalar {
			if !p.number(f) {
				return i, false
			}
		}
		if covEnum {
			w.enum(n, f)
		}
		return end, true
	}
	return i, false
}

// decode returns the string token [i, end) as encoding/json decodes it.
// Without escapes it is the bytes themselves, not copied: it must not
// outlive the walk.
func (w *walker) decode(i, end int, esc bool) (string, bool) {
	if !esc {
		if end-i == 2 {
			return "", true
		}
		return unsafe.String(&w.data[i+1], end-i-2), true
	}
	var s string
	if err := json.Unmarshal(w.data[i:end], &s); err != nil {
		return "", false
	}
	return s, true
}

// enum marks the enum location of n that v is, as Observe does.
func (w *walker) enum(n *covNode, v any) {
	for k, e := range n.enum {
		if e == v {
			w.mark(n.enumIdx[k])
		}
	}
}

func enumHas(enum []any, v any) bool {
	for _, e := range enum {
		if e == v {
			return true
		}
	}
	return false
}

// string is kin's visitJSONString (and the enum check before it) for one
// part; the type was checked by the caller.
func (p *part) string(s string, w *walker) bool {
	if p.bad || p.permits&kString == 0 {
		return false
	}
	if p.hasEnum && !enumHas(p.enum, s) {
		return false
	}
	if p.lenCheck {
		n := uint64(utf8.RuneCountInString(s))
		if p.minLen != 0 && n < p.minLen || p.maxLen != nil && n > *p.maxLen {
			return false
		}
	}
	if p.re != nil && !p.re.MatchString(s) {
		return false
	}
	if p.strFmt != "" && !w.format(p.strFmt, s) {
		return false
	}
	return true
}

// number is kin's visitJSONNumber (and the enum check before it) for one
// part.
func (p *part) number(v float64) bool {
	if p.bad {
		return false
	}
	if p.hasEnum && !enumHas(p.enum, v) {
		return false
	}
	if p.requireInteger && v != math.Trunc(v) {
		return false
	}
	if p.numFmt != "" {
		if p.requireInteger {
			if f, ok := openapi3.SchemaIntegerFormats[p.numFmt]; ok && validateIntegerFormat(f, v) != nil {
				return false
			}
		} else if f, ok := openapi3.SchemaNumberFormats[p.numFmt]; ok && f.Validate(v) != nil {
			return false
		}
	}
	s := p.s
	if b := s.ExclusiveMin.Bool; b != nil && *b && s.Min != nil && !(v > *s.Min) {
		return false
	}
	if b := s.ExclusiveMax.Bool; b != nil && *b && s.Max != nil && !(v < *s.Max) {
		return false
	}
	if s.Min != nil && !(*s.Min <= v) {
		return false
	}
	if s.Max != nil && !(*s.Max >= v) {
		return false
	}
	return true
}

// validateIntegerFormat is kin-openapi's (schema_formats.go, v0.153.0).
func validateIntegerFormat(validator openapi3.IntegerFormatValidator, value float64) error {
	switch {
	case value == float64(math.MaxInt64):
		return validator.Validate(math.MaxInt64)
	case value >= float64(math.MinInt64) && value < float64(math.MaxInt64):
		return validator.Validate(int64(value))
	default:
		return strconv.ErrRange
	}
}

func (w *walker) object(a *alt, i, depth int, n *covNode) (int, bool) {
	if len(a.slotList) > 256 {
		return i, false
	}
	var serial uint32
	if n != nil {
		w.obj++
		serial = w.obj
	}
	var seen [4]uint64
	var others keySet
	count := uint64(0)
	i = w.ws(i + 1)
	if i < len(w.data) && w.data[i] == '}' {
		i++
	} else {
		for k, more := 0, true; more; k++ {
			if i >= len(w.data) || w.data[i] != '"' {
				return i, false
			}
			kend, esc, ok := w.str(i)
			if !ok {
				return i, false
			}
			name, ok := w.decode(i, kend, esc)
			if !ok {
				return i, false
			}
			var sl slot
			if idx, declared := w.slot(a, k, name); declared {
				if seen[idx>>6]&(1<<(idx&63)) != 0 {
					return i, false // duplicate key: kin keeps the last (or refuses it)
				}
				seen[idx>>6] |= 1 << (idx & 63)
				sl = a.slotList[idx]
			} else {
				if esc || !others.add(name) {
					return i, false // a duplicate, or an escaped undeclared name: not worth tracking
				}
				sl = a.other
				w.undeclared = true
			}
			if sl.closed {
				return i, false
			}
			if sl.undeclared {
				w.undeclared = true
			}
			count++
			i = w.ws(kend)
			if i >= len(w.data) || w.data[i] != ':' {
				return i, false
			}
			i = w.ws(i + 1)
			var cn *covNode
			if n != nil && n.props != nil {
				if p := w.covProp(n, k, name); p != nil {
					w.mark(p.present)
					w.stamp[p.id] = serial
					cn = p.node
				}
			}
			var end int
			if sl.child == nil {
				w.unlooked(cn, i)
				end, ok = w.skip(i, depth+1)
			} else {
				end, ok = w.conj(sl.child, i, depth+1, cn)
			}
			if !ok {
				return i, false
			}
			if i, more, ok = w.next(end, '}'); !ok {
				return i, false
			}
		}
	}
	if n != nil {
		for _, p := range n.optional {
			if w.stamp[p.id] != serial {
				w.mark(p.absent)
			}
		}
	}
	if count < a.minProps || a.maxProps != nil && count > *a.maxProps {
		return i, false
	}
	for _, idx := range a.required {
		if seen[idx>>6]&(1<<(idx&63)) == 0 {
			return i, false
		}
	}
	return i, true
}

func (w *walker) array(a *alt, i, depth int, cov *covNode) (int, bool) {
	n := uint64(0)
	i = w.ws(i + 1)
	if i < len(w.data) && w.data[i] == ']' {
		i++
	} else {
		var items *covNode
		if cov != nil {
			w.mark(cov.nonempty)
			items = cov.items
		}
		for more := true; more; {
			var end int
			var ok bool
			if a.items == nil {
				w.unlooked(items, i)
				end, ok = w.skip(i, depth+1)
			} else {
				end, ok = w.conj(a.items, i, depth+1, items)
			}
			if !ok {
				return i, false
			}
			n++
			if i, more, ok = w.next(end, ']'); !ok {
				return i, false
			}
		}
	}
	if n < a.minItems || a.maxItems != nil && n > *a.maxItems {
		return i, false
	}
	return i, true
}

// next reads what follows a member or element that ends at end: a comma
// (more: the next one starts at i) or the byte closing (i is past it).
// Anything else, or the end of the data, is not ok. It is ws and two byte
// tests, written as one loop so that it inlines into the walk's hot loops.
func (w *walker) next(end int, closing byte) (i int, more, ok bool) {
	d := w.data
	for i = end; i < len(d); i++ {
		switch d[i] {
		case ' ', '\t', '\n', '\r':
		case ',':
			return w.ws(i + 1), true, true
		case closing:
			return i + 1, false, true
		default:
			return i, false, false
		}
	}
	return i, false, false
}

// keySet holds the names met in one object: a few in a slice, more in a map.
type keySet struct {
	list []string
	set  map[string]struct{}
}

// add reports false when name is already there.
func (k *keySet) add(name string) bool {
	if k.set != nil {
		if _, dup := k.set[name]; dup {
			return false
		}
		k.set[name] = struct{}{}
		return true
	}
	for _, o := range k.list {
		if o == name {
			return false
		}
	}
	k.list = append(k.list, name)
	if len(k.list) > 16 {
		k.set = make(map[string]struct{}, 2*len(k.list))
		for _, o := range k.list {
			k.set[o] = struct{}{}
		}
	}
	return true
}

// skip checks the syntax of the value at i (UTF-8 and duplicate names
// included: nothing under it is judged) and returns its end.
func (w *walker) skip(i, depth int) (int, bool) {
	if depth > maxDepth || i >= len(w.data) {
		return i, false
	}
	if depth >= plainDepth {
		w.unplain = true
	}
	switch c := w.data[i]; {
	case c == '"':
		end, _, ok := w.str(i)
		return end, ok
	case c == '{':
		// Nothing inside is judged: its names may be undeclared.
		w.undeclared = true
		i = w.ws(i + 1)
		if i < len(w.data) && w.data[i] == '}' {
			return i + 1, true
		}
		var names keySet
		for more := true; more; {
			if i >= len(w.data) || w.data[i] != '"' {
				return i, false
			}
			end, esc, ok := w.str(i)
			if !ok || esc || !names.add(unsafe.String(&w.data[i], end-i)) {
				// A duplicate name is refused even where nothing is judged:
				// kin's decoder under GOEXPERIMENT=jsonv2 rejects the body.
				return i, false
			}
			i = w.ws(end)
			if i >= len(w.data) || w.data[i] != ':' {
				return i, false
			}
			if end, ok = w.skip(w.ws(i+1), depth+1); !ok {
				return i, false
			}
			if i, more, ok = w.next(end, '}'); !ok {
				return i, false
			}
		}
		return i, true
	case c == '[':
		w.undeclared = true
		i = w.ws(i + 1)
		if i < len(w.data) && w.data[i] == ']' {
			return i + 1, true
		}
		for more := true; more; {
			end, ok := w.skip(i, depth+1)
			if !ok {
				return i, false
			}
			if i, more, ok = w.next(end, ']'); !ok {
				return i, false
			}
		}
		return i, true
	case c == 't':
		return w.lit(i, "true")
	case c == 'f':
		return w.lit(i, "false")
	case c == 'n':
		return w.lit(i, "null")
	case c == '-' || c >= '0' && c <= '9':
		return w.number(i)
	}
	return i, false
}

// plain marks the bytes a string holds as they are: not a quote, a
// backslash, a control character or the start of a multi-byte sequence.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// PlainEnd is the index of the first byte at or after j that a JSON string
// does not hold as it is (a quote, a backslash, a control character, a
// byte of a multi-byte sequence), or len(d). It tests eight bytes at a time:
// most of a body is such runs.
func PlainEnd(d []byte, j int) int { return wordScan(d, j, true) }

// QuoteOrBackslash is the index of the first '"' or '\\' at or after j, or
// len(d): where a string that is known to be JSON ends or escapes.
func QuoteOrBackslash(d []byte, j int) int { return wordScan(d, j, false) }

func wordScan(d []byte, j int, plainOnly bool) int {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	for ; j+8 <= len(d); j += 8 {
		x := binary.LittleEndian.Uint64(d[j:])
		q, b := x^(ones*'"'), x^(ones*'\\')
		// A byte has its high bit set here if it is zero in q or b (a quote,
		// a backslash), or, plainOnly, below 0x20 or has the high bit in x.
		// The subtractions borrow only past such a byte, so eight bytes
		// without one set none, and the lowest bit set is the first byte.
		t := (q-ones)&^q | (b-ones)&^b
		if plainOnly {
			t |= (x - ones*0x20) | x
		}
		if t &= high; t != 0 {
			return j + bits.TrailingZeros64(t)>>3
		}
	}
	for ; j < len(d); j++ {
		if c := d[j]; c == '"' || c == '\\' || plainOnly && !plain[c] {
			break
		}
	}
	return j
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// str checks the string token at i (data[i] == '"'): valid escapes, no
// control character, valid UTF-8, and no lone surrogate escape (which the
// decoders of encoding/json v1 and v2 treat differently). It returns the
// index after the closing quote and whether it holds an escape.
func (w *walker) str(i int) (end int, esc bool, ok bool) {
	d := w.data
	j := i + 1
	for {
		j = PlainEnd(d, j)
		if j >= len(d) {
			return j, esc, false
		}
		switch c := d[j]; {
		case c == '"':
			return j + 1, esc, true
		case c == '\\':
			esc = true
			if j+1 >= len(d) {
				return j, esc, false
			}
			switch d[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(d) || !isHex(d[j+2]) || !isHex(d[j+3]) || !isHex(d[j+4]) || !isHex(d[j+5]) {
					return j, esc, false
				}
				r := hex4(d[j+2 : j+6])
				j += 6
				switch {
				case r >= 0xDC00 && r <= 0xDFFF:
					return j, esc, false
				case r >= 0xD800 && r <= 0xDBFF:
					if j+6 > len(d) || d[j] != '\\' || d[j+1] != 'u' || !isHex(d[j+2]) || !isHex(d[j+3]) || !isHex(d[j+4]) || !isHex(d[j+5]) {
						return j, esc, false
					}
					if lo := hex4(d[j+2 : j+6]); lo < 0xDC00 || lo > 0xDFFF {
						return j, esc, false
					}
					j += 6
				}
			default:
				return j, esc, false
			}
		case c < 0x20:
			return j, esc, false
		default:
			r, size := utf8.DecodeRune(d[j:])
			if r == utf8.RuneError && size == 1 {
				return j, esc, false
			}
			j += size
		}
	}
}

// number checks the number token at i (RFC 8259) and returns its end.
func (w *walker) number(i int) (int, bool) {
	d := w.data
	j, frac, exp, ok := NumberEnd(d, i)
	if !ok {
		return i, false
	}
	if !frac && !exp && j-i > 15 && (j-i > 16 || d[i] != '-') {
		w.unplain = true // 16 digits or more: maybe past ±2^53
	}
	// kin converts every number a non-empty schema judges with
	// json.Number.Float64 and fails on overflow (1e400): refuse such numbers
	// wherever they are (only an exponent or 309+ digits can overflow).
	if exp || j-i > 300 {
		if _, err := strconv.ParseFloat(unsafe.String(&d[i], j-i), 64); err != nil {
			return i, false
		}
	}
	return j, true
}

// NumberEnd reads the number token at i (RFC 8259): where it ends, and
// whether it has a fraction and an exponent (an integer has neither).
func NumberEnd(d []byte, i int) (end int, frac, exp, ok bool) {
	j := i
	if j < len(d) && d[j] == '-' {
		j++
	}
	digits := func() int {
		s := j
		for j < len(d) && d[j] >= '0' && d[j] <= '9' {
			j++
		}
		return j - s
	}
	if j >= len(d) {
		return i, false, false, false
	}
	if d[j] == '0' {
		j++
	} else if digits() == 0 {
		return i, false, false, false
	}
	if j < len(d) && d[j] == '.' {
		frac = true
		j++
		if digits() == 0 {
			return i, false, false, false
		}
	}
	if j < len(d) && (d[j] == 'e' || d[j] == 'E') {
		exp = true
		j++
		if j < len(d) && (d[j] == '+' || d[j] == '-') {
			j++
		}
		if digits() == 0 {
			return i, false, false, false
		}
	}
	return j, frac, exp, true
}

package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/chconform/chconform/harness/fastschema"
)

// The one reading of a body. JSON parsers disagree on some texts that are
// still JSON: the last of two equal member names wins in encoding/json,
// JavaScript's JSON.parse and Python, the first in gjson; invalid UTF-8 and
// unpaired surrogate escapes are replaced, kept or refused; an integer past
// 2^53 loses digits in JavaScript. The json_interop check reports such a
// body, and every check of the exchange reads it one way: the reading below,
// made once per response and shared (text for the byte readers, fastschema
// and gjson, and one decode of that text for the others).

// maxSafeInteger is 2^53: every integer up to it in magnitude is exactly a
// double, so a JavaScript client reads it as written.
const maxSafeInteger = "9007199254740992"

// bodyReading is what every check of an exchange reads of its body.
type bodyReading struct {
	// src is the Body the reading was made of: a check that reslices or
	// replaces the body (guardDepth) gets a fresh reading.
	src []byte
	// json says the body is JSON text (RFC 8259 syntax; invalid UTF-8 inside
	// strings is a finding, not a syntax error) nested no deeper than
	// MaxJSONDepth.
	json bool
	// text is the body as the checks read it: the body itself, or, when a
	// member name repeats, a copy without the members a later one of the same
	// name overrides (the last wins, as most clients read it).
	text []byte
	// findings are json_interop's, each with its pointer.
	findings []Finding

	decoded bool
	value   any
	valueOK bool
}

// reading returns the response's one reading of its body, made on first use.
// A response is judged by one goroutine at a time (Verify and the matchers
// run its checks in turn), so the cache needs no lock.
func (r *Response) reading() *bodyReading {
	if rd := r.read; rd != nil && sameSlice(rd.src, r.Body) {
		return rd
	}
	rd := readBody(r.Body)
	r.read = rd
	return rd
}

func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// JSONText is the body as every check of the exchange reads it: the body
// itself, unless a member name repeats in one object (json_interop fails
// that), and then the body without the members a later one of the same name
// overrides. Read values from it, not from Body, so that a spec and the
// checks never disagree on what the server said. Do not modify it.
func (r *Response) JSONText() []byte {
	if r == nil {
		return nil
	}
	return r.reading().text
}

// JSONValue is JSONText decoded once (numbers as json.Number), shared by the
// checks of the exchange; ok is false when the body is not JSON. The value
// is shared: do not modify it.
func (r *Response) JSONValue() (value any, ok bool) {
	if r == nil {
		return nil, false
	}
	rd := r.reading()
	if !rd.decoded {
		rd.decoded = true
		if rd.json {
			rd.value, rd.valueOK = decodeJSON(rd.text)
		}
	}
	return rd.value, rd.valueOK
}

// JSONInterop fails a JSON answer that two conforming parsers could read
// differently (RFC 8259 §4 and §8, I-JSON RFC 7493): a member name repeated
// in one object, bytes that are not UTF-8, an unpaired surrogate escape, an
// integer beyond ±2^53, a number beyond the range of a double. Each finding
// names the JSON pointer. A body whose Content-Type is not JSON is skipped
// (content_type_conformance judges that), as is one that is not JSON text at
// all (response_schema_conformance judges that).
func JSONInterop() Check {
	return Check{Name: CheckJSONInterop, Run: func(ex *Exchange) ([]Finding, string) {
		if skip := noResponse(ex); skip != "" {
			return nil, skip
		}
		r := ex.Response
		if r.Truncated {
			return nil, "the body was cut at the client's size cap"
		}
		if len(bytes.TrimSpace(r.Body)) == 0 {
			return nil, "no body"
		}
		ct := r.Header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); err != nil || !isJSONMediaType(mt) {
			return nil, fmt.Sprintf("the body is not JSON by its Content-Type %q (%s judges the Content-Type)", cut(ct, 100), CheckContentType)
		}
		rd := r.reading()
		if !rd.json {
			return nil, fmt.Sprintf("the body is not JSON text (%s judges it)", CheckResponseSchema)
		}
		// runCheck masks findings in place: the reading's stay as they are.
		return slices.Clone(rd.findings), ""
	}}
}

// readBody scans data once and makes its reading.
func readBody(data []byte) *bodyReading {
	s := scanners.Get().(*interopScanner)
	defer s.release()
	s.d = data
	rd := &bodyReading{src: data, text: data}
	rd.json = s.scan()
	if !rd.json {
		return rd
	}
	rd.findings = s.findings
	if len(s.drop) > 0 {
		rd.text = without(data, s.drop)
	}
	return rd
}

// scanners keeps the stacks and name lists of finished scans: a reading then
// allocates little more than itself.
var scanners = sync.Pool{New: func() any { return new(interopScanner) }}

// release returns s to the pool, holding nothing of the body it read.
func (s *interopScanner) release() {
	frames := s.stack[:cap(s.stack)]
	for k := range frames {
		clear(frames[k].names.list[:cap(frames[k].names.list)])
		frames[k].names.idx = nil
	}
	s.d, s.findings, s.drop, s.stack = nil, nil, s.drop[:0], s.stack[:0]
	scanners.Put(s)
}

// span is [start, end) of the data.
type span struct{ start, end int }

// without copies data leaving out the spans (which may nest: a dropped
// member can hold members dropped before it).
func without(data []byte, drop []span) []byte {
	slices.SortFunc(drop, func(a, b span) int { return a.start - b.start })
	out := make([]byte, 0, len(data))
	at := 0
	for _, sp := range drop {
		if sp.start < at {
			continue // inside a span already left out
		}
		out = append(out, data[at:sp.start]...)
		at = sp.end
	}
	return append(out, data[at:]...)
}

// interopScanner is one pass over a body, without recursion: it checks the
// syntax and collects json_interop's findings and the members a repeated name
// overrides.
type interopScanner struct {
	d        []byte
	findings []Finding
	drop     []span
	stack    []frame
}

// frame is an array or object being read.
type frame struct {
	obj   bool
	index int // array: the current element
	// object: the current member's name token and whether it reads as
	// written (no escape, valid UTF-8)
	keyStart, keyEnd int
	keyPlain         bool
	names            nameSet
}

// nameSet holds the member names of one object and where each member
// starts: in a slice searched by hash while that is cheaper than a map
// (the contract's objects have some 30 members), in a map beyond.
type nameSet struct {
	list []member
	idx  map[string]int
	last int // the list index of the current member, -1 before the first
	// seen has bit hash%128 set for every name listed: most new names
	// need no search at all.
	seen [2]uint64
}

type member struct {
	name        string
	hash        uint32
	start, next int // the member's name token, and the next member's (0: none yet)
}

// maxListedNames is where a nameSet turns to a map.
const maxListedNames = 64

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

// nameHash is FNV-1a: enough to skip most comparisons of unequal names.
func nameHash(s string) uint32 {
	h := uint32(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return h
}

func (n *nameSet) reset() {
	n.list = n.list[:0]
	n.idx = nil
	n.last = -1
	n.seen = [2]uint64{}
}

// add records the member whose name token starts at start; it returns the
// earlier member of that name, if any, which the new one overrides.
func (n *nameSet) add(name string, h uint32, start int) (earlier member, dup bool) {
	if n.last >= 0 {
		n.list[n.last].next = start
	}
	i := -1
	bit := &n.seen[h>>6&1]
	switch {
	case n.idx != nil:
		if j, ok := n.idx[name]; ok {
			i = j
		}
	case *bit&(1<<(h&63)) == 0:
		*bit |= 1 << (h & 63)
	default:
		for j := range n.list {
			if n.list[j].hash == h && n.list[j].name == name {
				i = j
				break
			}
		}
	}
	if i >= 0 {
		earlier = n.list[i]
		n.list[i] = member{name: name, hash: h, start: start}
		n.last = i
		return earlier, true
	}
	n.list = append(n.list, member{name: name, hash: h, start: start})
	n.last = len(n.list) - 1
	if n.idx != nil {
		n.idx[name] = n.last
	} else if len(n.list) > maxListedNames {
		n.idx = make(map[string]int, 2*len(n.list))
		for j, m := range n.list {
			n.idx[m.name] = j
		}
	}
	return member{}, false
}

func (s *interopScanner) ws(i int) int {
	for i < len(s.d) {
		switch s.d[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func (s *interopScanner) push(obj bool) *frame {
	if len(s.stack) < cap(s.stack) {
		s.stack = s.stack[:len(s.stack)+1]
	} else {
		s.stack = append(s.stack, frame{})
	}
	f := &s.stack[len(s.stack)-1]
	f.obj, f.index = obj, 0
	if obj {
		f.names.reset()
	}
	return f
}

// scan reads the whole body; false when it is not JSON text.
func (s *interopScanner) scan() bool {
	d := s.d
	i := s.ws(0)
	for {
		// A value starts at i.
		if i >= len(d) {
			return false
		}
		switch c := d[i]; {
		case c == '{' || c == '[':
			if len(s.stack) >= MaxJSONDepth {
				return false
			}
			f := s.push(c == '{')
			i = s.ws(i + 1)
			if i < len(d) && d[i] == closer(f.obj) {
				s.stack = s.stack[:len(s.stack)-1]
				i++
				break
			}
			if f.obj {
				var ok bool
				if i, ok = s.member(i); !ok {
					return false
				}
			}
			continue
		case c == '"':
			end, ok := s.str(i, false)
			if !ok {
				return false
			}
			i = end
		case c == 't':
			if !bytes.HasPrefix(d[i:], []byte("true")) {
				return false
			}
			i += 4
		case c == 'f':
			if !bytes.HasPrefix(d[i:], []byte("false")) {
				return false
			}
			i += 5
		case c == 'n':
			if !bytes.HasPrefix(d[i:], []byte("null")) {
				return false
			}
			i += 4
		case c == '-' || c >= '0' && c <= '9':
			end, ok := s.number(i)
			if !ok {
				return false
			}
			i = end
		default:
			return false
		}
		// A value ended at i: what follows it.
		for {
			i = s.ws(i)
			if len(s.stack) == 0 {
				return i == len(d)
			}
			if i >= len(d) {
				return false
			}
			f := &s.stack[len(s.stack)-1]
			if d[i] == closer(f.obj) {
				s.stack = s.stack[:len(s.stack)-1]
				i++
				continue
			}
			if d[i] != ',' {
				return false
			}
			i = s.ws(i + 1)
			if f.obj {
				var ok bool
				if i, ok = s.member(i); !ok {
					return false
				}
			} else {
				f.index++
			}
			break
		}
	}
}

func closer(obj bool) byte {
	if obj {
		return '}'
	}
	return ']'
}

// member reads a member's name and colon at i, records the name in the
// object on top of the stack and returns where its value starts.
func (s *interopScanner) member(i int) (int, bool) {
	d := s.d
	if i >= len(d) || d[i] != '"' {
		return i, false
	}
	f := &s.stack[len(s.stack)-1]
	f.keyStart = i
	// Most names are printable ASCII: hashed as they are read.
	h := uint32(fnvOffset)
	end := i + 1
	for end < len(d) && stringBytes[d[end]] {
		h = (h ^ uint32(d[end])) * fnvPrime
		end++
	}
	name := ""
	if end < len(d) && d[end] == '"' {
		end++
		f.keyPlain, f.keyEnd = true, end
		if end-i > 2 {
			name = unsafe.String(&d[i+1], end-i-2)
		}
	} else {
		var ok bool
		if end, ok = s.str(i, true); !ok {
			return i, false
		}
		f = &s.stack[len(s.stack)-1]
		if f.keyPlain {
			name = unsafe.String(&d[i+1], end-i-2)
		} else {
			name = decodedName(d[i:end])
		}
		h = nameHash(name)
	}
	if earlier, dup := f.names.add(name, h, i); dup {
		s.drop = append(s.drop, span{earlier.start, earlier.next})
		ptr := s.pointer()
		s.findings = append(s.findings, Finding{Pointer: ptr, Message: fmt.Sprintf(
			"%s: the member name %q appears more than once in one object (at bytes %d and %d); parsers disagree on which value it has "+
				"(JavaScript, Python and encoding/json keep the last, gjson the first): the body is ambiguous, and every check of this exchange reads the last",
			ptrOrBody(ptr), cut(name, 100), earlier.start, i)})
	}
	i = s.ws(end)
	if i >= len(d) || d[i] != ':' {
		return i, false
	}
	return s.ws(i + 1), true
}

// decodedName is a name token as a decoder reads it: escapes undone, bytes
// that are not UTF-8 replaced by U+FFFD (so "a\xff" and "a\xfe" are the same
// name to it).
func decodedName(tok []byte) string {
	var s string
	if json.Unmarshal(tok, &s) != nil {
		return string(tok)
	}
	return s
}

// pointer is the JSON pointer of the value being read.
func (s *interopScanner) pointer() string {
	segs := make([]string, len(s.stack))
	for k := range s.stack {
		f := &s.stack[k]
		switch {
		case !f.obj:
			segs[k] = strconv.Itoa(f.index)
		case f.keyPlain:
			segs[k] = string(s.d[f.keyStart+1 : f.keyEnd-1])
		default:
			segs[k] = decodedName(s.d[f.keyStart:f.keyEnd])
		}
	}
	return jsonPointer(segs)
}

func ptrOrBody(ptr string) string {
	if ptr == "" {
		return "(body)"
	}
	return ptr
}

// stringBytes marks the bytes a string holds as they are: printable ASCII
// but the quote and the backslash.
var stringBytes = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func hexDigit(c byte) (rune, bool) {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0'), true
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10), true
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10), true
	}
	return 0, false
}

// escapedRune reads the \uXXXX escape at j.
func escapedRune(d []byte, j int) (rune, bool) {
	if j+6 > len(d) || d[j] != '\\' || d[j+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range d[j+2 : j+6] {
		h, ok := hexDigit(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | h
	}
	return r, true
}

// str reads the string token at i (d[i] == '"') and returns the index after
// it. Bytes that are not UTF-8 and unpaired surrogate escapes are findings
// (the first of each per string), not syntax errors: decoders differ on
// them, they do not all refuse them. key says the token is a member name,
// whose findings point at its member.
func (s *interopScanner) str(i int, key bool) (int, bool) {
	d := s.d
	j := i + 1
	plain := true
	badUTF8, lone := -1, -1
	for {
		for j < len(d) && stringBytes[d[j]] {
			j++
		}
		if j >= len(d) {
			return j, false
		}
		switch c := d[j]; {
		case c == '"':
			j++
			if key {
				s.stack[len(s.stack)-1].keyPlain = plain
				s.stack[len(s.stack)-1].keyEnd = j
			}
			if badUTF8 >= 0 || lone >= 0 {
				s.stringFindings(badUTF8, lone)
			}
			return j, true
		case c == '\\':
			plain = false
			if j+1 >= len(d) {
				return j, false
			}
			switch d[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				r, ok := escapedRune(d, j)
				if !ok {
					return j, false
				}
				switch {
				case r >= 0xDC00 && r <= 0xDFFF:
					if lone < 0 {
						lone = j
					}
				case r >= 0xD800 && r <= 0xDBFF:
					if lo, ok := escapedRune(d, j+6); ok && lo >= 0xDC00 && lo <= 0xDFFF {
						j += 6
					} else if lone < 0 {
						lone = j
					}
				}
				j += 6
			default:
				return j, false
			}
		case c < 0x20:
			return j, false
		default:
			r, size := utf8.DecodeRune(d[j:])
			if r == utf8.RuneError && size == 1 {
				plain = false
				if badUTF8 < 0 {
					badUTF8 = j
				}
			}
			j += size
		}
	}
}

// stringFindings reports a string (or member name) that holds bytes that are
// not UTF-8 (at badUTF8) or an unpaired surrogate escape (at lone); -1: none.
func (s *interopScanner) stringFindings(badUTF8, lone int) {
	ptr := s.pointer()
	if badUTF8 >= 0 {
		s.findings = append(s.findings, Finding{Pointer: ptr, Message: fmt.Sprintf(
			"%s: the string holds bytes that are not UTF-8 (from byte %d of the body); decoders replace, keep or refuse them (RFC 8259 §8.1)",
			ptrOrBody(ptr), badUTF8)})
	}
	if lone >= 0 {
		s.findings = append(s.findings, Finding{Pointer: ptr, Message: fmt.Sprintf(
			"%s: the string holds an unpaired surrogate escape %s (at byte %d of the body); decoders replace, keep or refuse it (RFC 8259 §8.2)",
			ptrOrBody(ptr), s.d[lone:lone+6], lone)})
	}
}

// number reads the number token at i (RFC 8259) and returns its end. An
// integer (no fraction, no exponent) beyond ±2^53 is a finding: a JavaScript
// client, whose numbers are doubles, reads other digits than Go's or
// Python's. A number written with a fraction or an exponent is a double to
// every client alike (1e20, 9007199254740993.0 round the same way
// everywhere), so only its overflow is one: 1e400 is Infinity to JavaScript
// and an error to Go.
func (s *interopScanner) number(i int) (int, bool) {
	d := s.d
	j, frac, exp, ok := fastschema.NumberEnd(d, i)
	if !ok {
		return i, false
	}
	intStart := i
	if d[i] == '-' {
		intStart++
	}
	intDigits := j - intStart
	switch {
	case !frac && !exp && (intDigits > len(maxSafeInteger) ||
		intDigits == len(maxSafeInteger) && string(d[intStart:j]) > maxSafeInteger):
		ptr := s.pointer()
		s.findings = append(s.findings, Finding{Pointer: ptr, Message: fmt.Sprintf(
			"%s: an integer of %d digits, beyond ±2^53 (%s): a JavaScript client reads other digits than were sent (I-JSON, RFC 7493 §2.2)",
			ptrOrBody(ptr), intDigits, maxSafeInteger)})
	case exp || j-i > 300:
		if f, err := strconv.ParseFloat(unsafe.String(&d[i], j-i), 64); err != nil && math.IsInf(f, 0) {
			ptr := s.pointer()
			s.findings = append(s.findings, Finding{Pointer: ptr, Message: fmt.Sprintf(
				"%s: a number beyond the range of a double: JavaScript reads Infinity, Go's encoding/json refuses it (RFC 8259 §6)",
				ptrOrBody(ptr))})
		}
	}
	return j, true
}

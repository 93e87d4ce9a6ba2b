package audit

import (
	"encoding/json"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/chconform/chconform/harness"
)

// jsonType is a set of JSON types, one bit each.
type jsonType uint8

const (
	tNull jsonType = 1 << iota
	tBoolean
	tInteger
	tNumber // a number with a fraction or an exponent
	tString
	tObject
	tArray
	// tMissing is a required field the answer did not carry.
	tMissing
)

// typeNames are the OpenAPI type names in the order a suggestion lists them.
var typeNames = []struct {
	t    jsonType
	name string
}{{tBoolean, "boolean"}, {tInteger, "integer"}, {tNumber, "number"}, {tString, "string"}, {tObject, "object"}, {tArray, "array"}}

func typeOf(v gjson.Result) jsonType {
	if !v.Exists() {
		return tMissing
	}
	switch v.Type {
	case gjson.Null:
		return tNull
	case gjson.True, gjson.False:
		return tBoolean
	case gjson.String:
		return tString
	case gjson.Number:
		if strings.ContainsAny(v.Raw, ".eE") {
			return tNumber
		}
		return tInteger
	case gjson.JSON:
		if strings.HasPrefix(v.Raw, "[") {
			return tArray
		}
		return tObject
	}
	return 0
}

// maxEvidence bounds the entries each suggestion names; the count says how
// many answers there were in all.
const maxEvidence = 5

// evidence is the entries (file#index, or a proxy's exchange) that showed
// something, the first few by name and all by count.
type evidence struct {
	where   []string
	answers int
	last    string
}

// add counts the answer at where once, however many values it showed.
func (e *evidence) add(where string) {
	if where == e.last && e.answers > 0 {
		return
	}
	e.last = where
	e.answers++
	if len(e.where) < maxEvidence {
		e.where = append(e.where, where)
	}
}

// seenKey is one place of one status's answers: a pointer pattern
// (/channels/*/users/*/bio), undeclared or a place the contract declares.
type seenKey struct {
	status     int
	pattern    string
	undeclared bool
}

// valuesSeen is what the values at one place were: their types, the longest
// string, and the messages the schema check gave.
type valuesSeen struct {
	types    jsonType
	maxLen   int
	messages []string
	// shape is the undeclared values' shape, for the schema that declares
	// them (an array of strings, not just an array).
	shape *shape
	evidence
}

// maxSeenKeys bounds the places kept per operation, as maxDriftKeys bounds
// the listed ones.
const maxSeenKeys = 2 * maxDriftKeys

func (d *driftAgg) value(k seenKey, v gjson.Result, message, where string) {
	s := d.seen[k]
	if s == nil {
		if len(d.seen) >= maxSeenKeys {
			return
		}
		s = &valuesSeen{}
		d.seen[k] = s
	}
	s.add(where)
	s.types |= typeOf(v)
	if k.undeclared {
		if s.shape == nil {
			s.shape = &shape{}
		}
		s.shape.add(v)
	}
	if v.Type == gjson.String {
		s.maxLen = max(s.maxLen, utf8.RuneCountInString(v.Str))
	}
	if message != "" && len(s.messages) < 3 && !contains(s.messages, message) {
		s.messages = append(s.messages, message)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// statusSeen is the answers of one undocumented status: their media type
// and the shape their bodies share.
type statusSeen struct {
	mediaType string
	body      *shape
	evidence
}

func (d *driftAgg) statusBody(ex *harness.Exchange, where string) {
	status := ex.Response.Status
	s := d.bodies[status]
	if s == nil {
		s = &statusSeen{}
		d.bodies[status] = s
	}
	s.add(where)
	if mt, _, err := mime.ParseMediaType(ex.Response.Header.Get("Content-Type")); err == nil && s.mediaType == "" {
		s.mediaType = mt
	}
	text := ex.Response.JSONText()
	if len(text) == 0 || !json.Valid(text) {
		return
	}
	if s.body == nil {
		s.body = &shape{}
	}
	s.body.add(gjson.ParseBytes(text))
}

// shape is the schema a set of JSON values share: the types seen, and for
// objects the properties with how many objects had each. Bounded in depth
// and width, so a huge body costs a bounded shape.
type shape struct {
	// nodes counts the shapes under a root one (see add).
	nodes   int
	types   jsonType
	objects int
	props   map[string]*shape
	present map[string]int
	order   []string
	items   *shape
}

const (
	maxShapeDepth = 8
	maxShapeProps = 100
	// maxShapeNodes bounds a whole shape: bodies with fresh keys at every
	// level (ids as keys) stop adding fields past it, their types still
	// merged where fields are known.
	maxShapeNodes = 2000
)

// add merges one value into a root shape.
func (s *shape) add(v gjson.Result) { s.merge(v, 0, &s.nodes) }

func (s *shape) merge(v gjson.Result, depth int, nodes *int) {
	t := typeOf(v)
	s.types |= t
	if depth >= maxShapeDepth {
		return
	}
	switch t {
	case tObject:
		s.objects++
		if s.props == nil {
			s.props, s.present = map[string]*shape{}, map[string]int{}
		}
		v.ForEach(func(key, value gjson.Result) bool {
			p := s.props[key.Str]
			if p == nil {
				if len(s.props) >= maxShapeProps || *nodes >= maxShapeNodes {
					return true
				}
				*nodes++
				p = &shape{}
				s.props[key.Str] = p
				s.order = append(s.order, key.Str)
			}
			s.present[key.Str]++
			p.merge(value, depth+1, nodes)
			return true
		})
	case tArray:
		v.ForEach(func(_, value gjson.Result) bool {
			if s.items == nil {
				*nodes++
				s.items = &shape{}
			}
			s.items.merge(value, depth+1, nodes)
			return true
		})
	}
}

// absorb adds what o saw to s: one field reached from two operations is
// declared once, with what both saw.
func (s *shape) absorb(o *shape) {
	if o == nil {
		return
	}
	s.types |= o.types
	s.objects += o.objects
	for _, k := range o.order {
		p := s.props[k]
		if p == nil {
			if s.props == nil {
				s.props, s.present = map[string]*shape{}, map[string]int{}
			}
			if len(s.props) >= maxShapeProps {
				continue
			}
			p = &shape{}
			s.props[k] = p
			s.order = append(s.order, k)
		}
		s.present[k] += o.present[k]
		p.absorb(o.props[k])
	}
	if o.items != nil {
		if s.items == nil {
			s.items = &shape{}
		}
		s.items.absorb(o.items)
	}
}

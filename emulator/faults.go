package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/tidwall/gjson"
)

// FaultKind is a deliberate bug the emulator can be built with. The
// identity kinds serve the mutation tool (package mutation): faults no
// rewrite of an answer can make, because they are about whose state a
// request reads or changes. FaultMistypedField is the one the command's
// -fault flag exists for: a bug any validator in front of the emulator
// (chconform proxy, scripts/npm-client.sh) must name. The zero Fault is
// none.
type FaultKind string

const (
	// FaultIdentityFromHeader: the request acts as the account its
	// CH-UserID names (when that is an account), not the token's.
	FaultIdentityFromHeader FaultKind = "identity-from-header"
	// FaultWriteToAnotherAccount: a write lands on the account that made
	// the last authenticated request before it, when that was another
	// account (a session mix-up), and is answered as that account's.
	FaultWriteToAnotherAccount FaultKind = "write-to-another-account"
	// FaultEndedRoomJoinable: a room that has ended can be joined as if it
	// were live, by every account.
	FaultEndedRoomJoinable FaultKind = "ended-room-joinable"
	// FaultEndedRoomJoinableByCreator: the same, for its creator only.
	FaultEndedRoomJoinableByCreator FaultKind = "ended-room-joinable-by-creator"
	// FaultMistypedField: every successful answer of the operation carries
	// one documented field with the wrong JSON type: the first number or
	// boolean of the body, in document order, sent as a string ("5",
	// "true"), the way a server that stringifies IDs or flags breaks its
	// clients; an answer with neither has its first string sent as a number.
	FaultMistypedField FaultKind = "mistyped-field"
)

// FaultKinds are the kinds ParseFault accepts.
var FaultKinds = []FaultKind{FaultMistypedField, FaultIdentityFromHeader, FaultWriteToAnotherAccount,
	FaultEndedRoomJoinable, FaultEndedRoomJoinableByCreator}

// ParseFault reads KIND:operationId (the command's -fault flag): a known
// kind and an operation the emulator serves.
func ParseFault(s string) (Fault, error) {
	kind, op, found := strings.Cut(s, ":")
	if !found || kind == "" || op == "" {
		return Fault{}, fmt.Errorf("fault %q: want KIND:operationId", s)
	}
	if !slices.Contains(FaultKinds, FaultKind(kind)) {
		return Fault{}, fmt.Errorf("fault %q: unknown kind %q (known: %v)", s, kind, FaultKinds)
	}
	if routes()[op] == nil {
		return Fault{}, fmt.Errorf("fault %q: %q is no operation of the emulator", s, op)
	}
	return Fault{Kind: FaultKind(kind), Op: op}, nil
}

// Fault is one deliberate bug, applied to the requests of one operation.
type Fault struct {
	Kind FaultKind
	// Op is the operationId whose requests the fault applies to.
	Op string
	// Property is the request property a request fault watches.
	Property string
	// Match picks the values a request fault fires on: v is the property's
	// value as decoded (json.Number, string, bool, []any, map[string]any,
	// nil), present is false when the request has no such property, and
	// text is true when v came as text (a query or form value, always a
	// string).
	Match func(v any, present, text bool) bool
	// Read is what FaultInputAccepted reads in place of a matched value
	// (text as for Match); nil drops the property.
	Read func(v any, text bool) any
}

// FaultsFired is how many requests the configured fault changed.
func (s *Server) FaultsFired() int64 { return s.faultsFired.Load() }

// faultCounter is kept apart from the world's lock: the mutation proxy
// reads it while requests are answered.
type faultCounter = atomic.Int64

func (s *Server) faultOn(kind FaultKind, rt *route) bool {
	return s.opts.Fault.Kind == kind && rt != nil && rt.id == s.opts.Fault.Op
}

// actAs applies the identity faults to an authenticated request of rt and
// notes who asked; it returns the user the request acts as. Called with
// the world's lock held.
func (s *Server) actAs(c *call, rt *route, u *user) *user {
	acting := u
	switch {
	case s.faultOn(FaultIdentityFromHeader, rt):
		raw := strings.TrimSpace(c.r.Header.Get("CH-UserID"))
		if id, err := strconv.ParseInt(raw, 10, 64); err == nil && id != u.ID {
			if other := s.w.users[id]; other != nil {
				acting = other
				s.faultsFired.Add(1)
			}
		}
	case s.faultOn(FaultWriteToAnotherAccount, rt) && rt.mutating:
		if other := s.lastOther(u); other != nil {
			acting = other
			s.faultsFired.Add(1)
		}
	}
	// The last two distinct accounts that asked, most recent first.
	if len(s.recent) == 0 || s.recent[0] != u {
		s.recent = append([]*user{u}, s.recent...)
		if len(s.recent) > 2 {
			s.recent = s.recent[:2]
		}
	}
	return acting
}

// lastOther is the account that asked most recently before u, if not u.
func (s *Server) lastOther(u *user) *user {
	for _, r := range s.recent {
		if r != u {
			return r
		}
	}
	return nil
}

// endedJoinable says whether the fault lets u join ch, a room that has
// ended.
func (c *call) endedJoinable(ch *channel) bool {
	s := c.s
	switch {
	case s.opts.Fault.Op != "join_channel":
		return false
	case s.opts.Fault.Kind == FaultEndedRoomJoinable:
	case s.opts.Fault.Kind == FaultEndedRoomJoinableByCreator && ch.Creator == c.u.ID:
	default:
		return false
	}
	s.faultsFired.Add(1)
	return true
}

// mistypeAnswer applies FaultMistypedField to the rendered answer of rt.
// Only a success is changed: the error envelopes are shared by every
// operation, and a fault there would not be the operation's.
func (s *Server) mistypeAnswer(rt *route, r *http.Request, status int, data []byte) []byte {
	if !s.faultOn(FaultMistypedField, rt) || status < 200 || status > 299 || r.Method == http.MethodOptions {
		return data
	}
	out, changed := mistype(data)
	if changed {
		s.faultsFired.Add(1)
	}
	return out
}

// mistype rewrites one scalar of a JSON document to another type (see
// FaultMistypedField); changed is false when the document has no scalar
// but null.
func mistype(data []byte) (out []byte, changed bool) {
	var str, other gjson.Result
	var walk func(r gjson.Result) bool
	walk = func(r gjson.Result) bool {
		switch {
		case r.IsObject() || r.IsArray():
			more := true
			r.ForEach(func(_, v gjson.Result) bool {
				more = walk(v)
				return more
			})
			return more
		case r.Type == gjson.Number || r.Type == gjson.True || r.Type == gjson.False:
			other = r
			return false
		case r.Type == gjson.String && !str.Exists():
			str = r
		}
		return true
	}
	walk(gjson.ParseBytes(data))
	var at gjson.Result
	var repl string
	switch {
	case other.Exists():
		at, repl = other, strconv.Quote(other.Raw)
	case str.Exists():
		at, repl = str, strconv.Itoa(len(str.String()))
	default:
		return data, false
	}
	out = make([]byte, 0, len(data)+2)
	out = append(out, data[:at.Index]...)
	out = append(out, repl...)
	return append(out, data[at.Index+len(at.Raw):]...), true
}

// Request faults (issue 21): how one operation treats its input. Each
// watches one request property (a body member or a query parameter) and
// fires on the values Fault.Match picks; the mutation package builds Match
// from the contract's schema of that property, so the emulator needs no
// schema of its own. Only generated input reaches most of them: the
// documented requests send valid, realistic values.
const (
	// FaultServerErrorOnInput: a matched value is answered 500, as a view
	// that reads the property without guarding it (a KeyError on a missing
	// member, a TypeError on a list where a number belongs, an IndexError
	// on an empty string) would crash.
	FaultServerErrorOnInput FaultKind = "server-error-on-input"
	// FaultInputAccepted: a matched value is read as Fault.Read makes it
	// (a lenient cast, a clamp) and the request is answered as if it had
	// been valid, where the refusal belongs.
	FaultInputAccepted FaultKind = "input-accepted"
)

// view answers c with rt's view, through the request fault when one is
// set for rt. An accepting fault counts as fired only when the view then
// answers with a success: a value read leniently and refused anyway (an
// unknown user) changed nothing the contract tells apart. Called with the
// world's lock held.
func (s *Server) view(c *call, rt *route) reply {
	f := s.opts.Fault
	if (f.Kind != FaultServerErrorOnInput && f.Kind != FaultInputAccepted) || rt.id != f.Op || f.Match == nil {
		return rt.h(c)
	}
	v, present := c.p[f.Property]
	text, isText := v.(textValue)
	if isText {
		v = string(text)
	}
	if !f.Match(v, present, isText) {
		return rt.h(c)
	}
	if f.Kind == FaultServerErrorOnInput {
		s.faultsFired.Add(1)
		return fail(detailError(500, "A server error occurred."))
	}
	if f.Read == nil {
		delete(c.p, f.Property)
	} else {
		c.p[f.Property] = f.Read(v, isText)
	}
	rep := rt.h(c)
	if rep.status/100 == 2 {
		s.faultsFired.Add(1)
	}
	return rep
}

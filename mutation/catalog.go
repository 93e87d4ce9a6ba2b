// Package mutation measures how many faults the conformance suites catch. A
// mutating reverse proxy stands in front of a fresh emulator and applies one
// fault (a mutant) to the responses of one operation; the suites that
// exercise that operation run against the proxy, and the mutant is killed when
// they fail. The catalogue is generated from the contract (statuses, content
// types, required fields, types, nullability, enums) and completed by
// behavioural faults written by hand (ignored authentication, changed error
// messages, inconsistent pagination, writes not applied, timeouts, 5xx).
package mutation

import (
	"fmt"
	"sort"
	"strings"

	"github.com/chconform/chconform/harness"
)

// Kind is the family of a fault.
type Kind string

// Faults generated from the contract, per operation and documented response.
const (
	KindStatus      Kind = "status-swapped"
	KindContentType Kind = "content-type-changed"
	KindDrop        Kind = "required-field-dropped"
	KindType        Kind = "type-changed"
	KindNull        Kind = "null-for-non-nullable"
	KindEnum        Kind = "enum-value-changed"
	// KindDuplicate sends a member of the answer twice, a copy of another
	// type first: a client that keeps the first reads another answer than
	// one that keeps the last (json_interop).
	KindDuplicate Kind = "member-duplicated"
)

// Behavioural faults, written by hand.
const (
	KindAuthIgnored  Kind = "auth-ignored"
	KindErrorMessage Kind = "error-message-changed"
	KindPageCount    Kind = "pagination-count-wrong"
	KindPageNext     Kind = "pagination-next-wrong"
	KindPagePrevious Kind = "pagination-previous-wrong"
	KindWriteDropped Kind = "write-not-applied"
	KindDelay        Kind = "delayed-past-timeout"
	KindServerError  Kind = "server-error"
	// Identity faults (issue 13): made by the emulator itself (its Fault
	// switch, emulator/faults.go), since they change whose state a request
	// reads or writes, which no rewrite of an answer can.
	KindIdentityFromHeader       Kind = "identity-from-header"
	KindWriteToAnotherAccount    Kind = "write-to-another-account"
	KindEndedRoomJoinable        Kind = "ended-room-joinable"
	KindEndedRoomCreatorJoinable Kind = "ended-room-joinable-by-creator"
)

// Mutant is one fault applied to the responses of one operation.
type Mutant struct {
	ID string `json:"id"`
	Op string `json:"operation"`
	// Status is the documented status whose responses are mutated; 0 means
	// every response of the operation.
	Status int    `json:"status,omitempty"`
	Kind   Kind   `json:"kind"`
	Path   string `json:"path,omitempty"` // the body field, "channels[].users[].user_id"
	To     int    `json:"to,omitempty"`   // the status a status-swapped response gets
	// Value replaces the field (type-changed, enum-value-changed).
	Value any `json:"value,omitempty"`
	// Generated is true for faults derived from the contract.
	Generated   bool   `json:"generated"`
	Description string `json:"description"`
}

// Lookup finds the mutant of the contract's catalogue with the given ID
// ("get_profile/200/type-changed/user_profile.user_id", as `chconform mutate
// list` prints it).
func Lookup(spec *harness.Spec, id string) (Mutant, bool) {
	for _, m := range Catalogue(spec) {
		if m.ID == id {
			return m, true
		}
	}
	return Mutant{}, false
}

// writeOps are the writes whose effect another operation shows: the proxy
// acknowledges them without applying them (write-not-applied).
var writeOps = map[string]string{
	"follow":               "get_following lists the followed user",
	"join_channel":         "get_channels lists the user in the room",
	"leave_channel":        "get_channels no longer lists the user",
	"update_username":      "get_profile shows the new username",
	"invite_to_app":        "me shows one invite fewer",
	"update_notifications": "get_settings shows the new setting",
	"create_channel":       "another account can join the new room",
}

// identityOps are the operations whose answer or effect shows which account
// a request acted as: an identity-from-header mutant of each makes the
// request act as the account its CH-UserID names.
var identityOps = map[string]string{
	"me":              "me answers with the header's account",
	"update_username": "the header's account is renamed",
	"follow":          "the header's account follows",
	"join_channel":    "the header's account joins the room",
}

// misdirectedWrites are the writes whose effect another account's reads
// show: a write-to-another-account mutant lands each on the account that
// asked just before.
var misdirectedWrites = map[string]string{
	"follow":          "the other account's get_following lists the followed user",
	"update_username": "the other account gets the new username",
	"join_channel":    "the other account is in the room",
}

// Catalogue lists every mutant of the contract: the generated faults of each
// documented response of each operation, then the behavioural ones. IDs are
// unique and stable across runs of the same contract.
func Catalogue(spec *harness.Spec) []Mutant {
	var out []Mutant
	for _, op := range spec.Operations() {
		out = append(out, operationMutants(op)...)
	}
	seen := map[string]bool{}
	for i := range out {
		id := out[i].ID
		for n := 2; seen[out[i].ID]; n++ {
			out[i].ID = fmt.Sprintf("%s#%d", id, n)
		}
		seen[out[i].ID] = true
	}
	return out
}

func operationMutants(op *harness.Operation) []Mutant {
	var out []Mutant
	add := func(m Mutant) {
		m.Op = op.ID
		parts := []string{op.ID}
		if m.Status != 0 {
			parts = append(parts, fmt.Sprint(m.Status))
		}
		parts = append(parts, string(m.Kind))
		if m.Path != "" {
			parts = append(parts, m.Path)
		}
		m.ID = strings.Join(parts, "/")
		out = append(out, m)
	}
	responses := op.Responses()
	statuses := make([]int, 0, len(responses))
	for _, r := range responses {
		statuses = append(statuses, r.Status)
	}
	for _, r := range responses {
		to := swapTarget(r.Status, statuses)
		add(Mutant{Status: r.Status, Kind: KindStatus, To: to, Generated: true,
			Description: fmt.Sprintf("a %d answer comes back as %d, body unchanged", r.Status, to)})
		add(Mutant{Status: r.Status, Kind: KindContentType, Generated: true,
			Description: fmt.Sprintf("a %d answer comes back as text/html", r.Status)})
		s := responseShape(op, r.Status)
		if s == nil {
			continue
		}
		for _, f := range fields(s) {
			if f.Required {
				add(Mutant{Status: r.Status, Kind: KindDrop, Path: f.Path, Generated: true,
					Description: fmt.Sprintf("required field %s dropped from the %d answer", f.Path, r.Status)})
			}
			if v, ok := wrongType(f.Shape.Type); ok {
				add(Mutant{Status: r.Status, Kind: KindType, Path: f.Path, Value: v, Generated: true,
					Description: fmt.Sprintf("%s (%s) becomes %s in the %d answer", f.Path, f.Shape.Type, jsonKind(v), r.Status)})
			}
			if !f.Shape.Nullable && f.Shape.Type != "" {
				add(Mutant{Status: r.Status, Kind: KindNull, Path: f.Path, Generated: true,
					Description: fmt.Sprintf("non-nullable %s becomes null in the %d answer", f.Path, r.Status)})
			}
			if len(f.Shape.Enum) > 0 {
				if v, ok := outsideEnum(f.Shape); ok {
					add(Mutant{Status: r.Status, Kind: KindEnum, Path: f.Path, Value: v, Generated: true,
						Description: fmt.Sprintf("%s gets %v, outside its enum %v, in the %d answer", f.Path, v, f.Shape.Enum, r.Status)})
				}
			}
		}
		if name := firstRequired(s); name != "" {
			add(Mutant{Status: r.Status, Kind: KindDuplicate, Path: name, Generated: true,
				Description: fmt.Sprintf("%s is sent twice in the %d answer, a copy of another type first", name, r.Status)})
		}
		if r.Status >= 400 || hasErrorExample(r) {
			if msg := messageField(s); msg != "" {
				add(Mutant{Status: r.Status, Kind: KindErrorMessage, Path: msg,
					Description: fmt.Sprintf("the %s of a %d answer is replaced by another message", msg, r.Status)})
			}
		}
		if r.Status/100 == 2 && s.Props["count"] != nil && s.Props["next"] != nil {
			add(Mutant{Status: r.Status, Kind: KindPageCount, Path: "count",
				Description: "count is one more than the items over all pages"})
			add(Mutant{Status: r.Status, Kind: KindPageNext, Path: "next",
				Description: "next names a page beyond the next one (or one where there is none)"})
			if s.Props["previous"] != nil {
				add(Mutant{Status: r.Status, Kind: KindPagePrevious, Path: "previous",
					Description: "previous names the current page"})
			}
		}
	}
	// An optional token is authenticated when sent: ignoring an unknown one
	// is the same fault.
	if op.Secured || op.TokenOptional {
		add(Mutant{Kind: KindAuthIgnored,
			Description: "a request without valid credentials is answered as the default account's (the 401 becomes the operation's 200)"})
	}
	if effect, ok := writeOps[op.ID]; ok {
		add(Mutant{Status: 200, Kind: KindWriteDropped,
			Description: "the write is acknowledged with its success answer but never applied (" + effect + ")"})
	}
	if effect, ok := identityOps[op.ID]; ok {
		add(Mutant{Kind: KindIdentityFromHeader,
			Description: "identity from header: a request acts as the account its CH-UserID names, not the token's (" + effect + ")"})
	}
	if effect, ok := misdirectedWrites[op.ID]; ok {
		add(Mutant{Kind: KindWriteToAnotherAccount,
			Description: "write applied to another account: the write lands on the account that asked just before (" + effect + ")"})
	}
	if op.ID == "join_channel" {
		add(Mutant{Kind: KindEndedRoomJoinable,
			Description: "ended room still joinable: a room that has ended is joined as if it were live, by every account"})
		add(Mutant{Kind: KindEndedRoomCreatorJoinable,
			Description: "ended room still joinable by its creator: the room-gone answer goes to every account but the one that made the room"})
	}
	for _, m := range requestMutants(op) {
		add(m)
	}
	add(Mutant{Kind: KindDelay, Description: "every answer arrives after the client's timeout"})
	add(Mutant{Kind: KindServerError, Description: "every answer is a 500 with a DRF error body"})
	return out
}

// firstRequired is the first (by name) required member of an object answer.
func firstRequired(s *shape) string {
	var names []string
	for n := range s.Required {
		if s.Props[n] != nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// swapTarget picks the status a response is swapped for: the next documented
// status of the operation, or an undocumented neighbour when there is one.
func swapTarget(status int, documented []int) int {
	sort.Ints(documented)
	for i, s := range documented {
		if s == status && len(documented) > 1 {
			return documented[(i+1)%len(documented)]
		}
	}
	switch {
	case status == 200:
		return 201
	case status >= 400:
		return 200
	}
	return 200
}

func responseShape(op *harness.Operation, status int) *shape {
	ref := op.Op.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return nil
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return flatten(mt.Schema, 0)
}

func hasErrorExample(r harness.DocumentedResponse) bool {
	for _, ex := range r.Examples {
		if ex.State != "" {
			return true
		}
	}
	return false
}

// messageField is the top-level human message of an error envelope.
func messageField(s *shape) string {
	for _, name := range []string{"detail", "error_message"} {
		if p := s.Props[name]; p != nil && p.Type == "string" {
			return name
		}
	}
	return ""
}

// wrongType is a value of another JSON type than declared.
func wrongType(declared string) (any, bool) {
	switch declared {
	case "string":
		return 12345, true
	case "integer", "number":
		return "12345", true
	case "boolean":
		return "true", true
	case "object":
		return "mutated", true
	case "array":
		return map[string]any{"mutated": true}, true
	}
	return nil, false
}

func outsideEnum(s *shape) (any, bool) {
	in := func(v any) bool {
		for _, e := range s.Enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				return true
			}
		}
		return false
	}
	var candidates []any
	switch s.Type {
	case "boolean":
		candidates = []any{true, false}
	case "integer", "number":
		candidates = []any{9999, -1}
	default:
		candidates = []any{"mutated_enum_value"}
	}
	for _, c := range candidates {
		if !in(c) {
			return c, true
		}
	}
	return nil, false
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int, float64:
		return "a number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return "null"
}

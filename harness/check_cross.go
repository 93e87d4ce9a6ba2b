package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tidwall/gjson"
)

// The checks here span more than one promise of the contract: a page against
// the request that asked for it, a malformed request against its answer, one
// method against the other, a read against the write before it.

// paginatedLists are the top-level arrays that hold a page's items; a page
// may have several (get_following has users and clubs under one count).
var paginatedLists = []string{"users", "clubs", "events", "notifications", "channels"}

// PaginationConformance judges a 2xx JSON page against the request that
// asked for it: page (1-based; 0 means not asked, i.e. 1) and pageSize (0
// means not asked: only the rules that need no page size apply). It is
// skipped when the body has no "count". The rules:
//
//   - count is a non-negative integer;
//   - next and previous are present, null or integer page numbers ≥ 1
//     (a string is a finding: page numbers, not URLs);
//   - previous is null on page 1 and page-1 on any other page;
//   - next, when not null, is page+1;
//   - the page holds no more items than count (items: the summed lengths of
//     the users/clubs/events/notifications/channels arrays present);
//
// With pageSize == 0 (not asked) also, on page 1 only: next null means the
// page holds exactly count items; next not null, fewer than count.
//
// With pageSize > 0 instead:
//
//   - the page holds no more than pageSize items;
//   - next is null exactly when page*pageSize >= count (the last page);
//   - a page that is not the last holds exactly pageSize items;
//   - the last page holds count-(page-1)*pageSize items (0 past the end).
func PaginationConformance(page, pageSize int) Check {
	if page <= 0 {
		page = 1
	}
	if pageSize < 0 {
		pageSize = 0
	}
	return Check{Name: CheckPagination, Run: func(ex *Exchange) ([]Finding, string) {
		if skip := noResponse(ex); skip != "" {
			return nil, skip
		}
		return judgePage(ex.Response, int64(page), int64(pageSize))
	}}
}

func judgePage(resp *Response, page, pageSize int64) ([]Finding, string) {
	if s := resp.Status; s < 200 || s > 299 {
		return nil, fmt.Sprintf("status %d is not a 2xx: only pages are judged", s)
	}
	v, ok := resp.JSONValue()
	obj, isObj := v.(map[string]any)
	if !ok || !isObj {
		return nil, "the body is not a JSON object"
	}
	rawCount, has := obj["count"]
	if !has {
		return nil, "the body has no count: not a paginated response"
	}
	var findings []Finding
	add := func(ptr, format string, args ...any) {
		findings = append(findings, Finding{Message: fmt.Sprintf(format, args...), Pointer: ptr})
	}

	count, countOK := nonNegativeInt(rawCount)
	if !countOK {
		add("/count", "count is %s, not a non-negative integer", describeJSONKind(rawCount))
	}
	next, nextOK := pageNumber(obj, "next", add)
	prev, prevOK := pageNumber(obj, "previous", add)
	items, itemsPtr, itemsDesc := pageItems(obj)

	if prevOK {
		switch {
		case page == 1 && prev != nil:
			add("/previous", "previous is %d on page 1; it must be null", *prev)
		case page > 1 && prev == nil:
			add("/previous", "previous is null on page %d; it must be %d", page, page-1)
		case page > 1 && *prev != page-1:
			add("/previous", "previous is %d on page %d; it must be %d (the page before)", *prev, page, page-1)
		}
	}
	if nextOK && next != nil && *next != page+1 {
		add("/next", "next is %d on page %d; it must be %d (the page after) or null", *next, page, page+1)
	}

	itemsReported := false
	if countOK && items > count {
		add("/count", "count is %d but the page alone holds %d items (%s)", count, items, itemsDesc)
		itemsReported = true
	}
	if pageSize == 0 {
		// Without a page size only page 1 says anything about next.
		if countOK && nextOK && page == 1 {
			switch {
			case next == nil && items < count:
				add(itemsPtr, "next is null on page 1, so page 1 is the only page, but it holds %d of count %d items (%s)",
					items, count, itemsDesc)
			case next != nil && items >= count:
				add("/next", "next is %d although page 1 already holds all %d items (count %d)", *next, items, count)
			}
		}
		return findings, ""
	}

	if items > pageSize && !itemsReported {
		add(itemsPtr, "the page holds %d items (%s), more than the page_size %d asked for", items, itemsDesc, pageSize)
		itemsReported = true
	}
	if !countOK {
		return findings, ""
	}
	seen := page * pageSize
	last := seen >= count
	if nextOK {
		switch {
		case next == nil && !last:
			add("/next", "next is null on page %d although %d of count %d items come after it (page_size %d)",
				page, count-seen, count, pageSize)
		case next != nil && last:
			add("/next", "next is %d although page %d (page_size %d) already reaches count %d",
				*next, page, pageSize, count)
		}
	}
	if itemsReported {
		return findings, ""
	}
	if !last && items != pageSize {
		add(itemsPtr, "page %d is not the last (count %d, page_size %d) but holds %d items (%s), not %d",
			page, count, pageSize, items, itemsDesc, pageSize)
	}
	if last {
		want := max(count-(page-1)*pageSize, 0)
		if items != want {
			add(itemsPtr, "page %d is the last (count %d, page_size %d): it must hold %d items, it holds %d (%s)",
				page, count, pageSize, want, items, itemsDesc)
		}
	}
	return findings, ""
}

// pageNumber reads next or previous: (nil, true) for null, (n, true) for a
// page number, (_, false) after adding a finding.
func pageNumber(obj map[string]any, name string, add func(ptr, format string, args ...any)) (*int64, bool) {
	ptr := "/" + name
	v, has := obj[name]
	switch {
	case !has:
		add(ptr, "%s is missing: a page has count, next and previous", name)
		return nil, false
	case v == nil:
		return nil, true
	}
	if s, isString := v.(string); isString {
		add(ptr, "%s is the string %q: next and previous are page numbers, not URLs", name, cut(patterns.String(s), 120))
		return nil, false
	}
	n, ok := nonNegativeInt(v)
	if !ok || n < 1 {
		add(ptr, "%s is %s, not a page number (an integer from 1) or null", name, describeJSONKind(v))
		return nil, false
	}
	return &n, true
}

// pageItems sums the page's item arrays; ptr points at the first present,
// desc names each ("users (3) + clubs (2)").
func pageItems(obj map[string]any) (items int64, ptr, desc string) {
	var parts []string
	for _, name := range paginatedLists {
		arr, ok := obj[name].([]any)
		if !ok {
			continue
		}
		if ptr == "" {
			ptr = "/" + name
		}
		items += int64(len(arr))
		parts = append(parts, fmt.Sprintf("%s (%d)", name, len(arr)))
	}
	if len(parts) == 0 {
		return 0, "", "no " + strings.Join(paginatedLists, ", ") + " array"
	}
	return items, ptr, strings.Join(parts, " + ")
}

// nonNegativeInt accepts a JSON number with an integral value from 0 to
// MaxInt64 (1.0 is 1, as schema validation has it).
func nonNegativeInt(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	r, ok := new(big.Rat).SetString(string(n))
	if !ok || !r.IsInt() || r.Sign() < 0 || !r.Num().IsInt64() {
		return 0, false
	}
	return r.Num().Int64(), true
}

// describeJSONKind names a decoded JSON value for a finding: the value
// itself for scalars, its kind for containers.
func describeJSONKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", cut(patterns.String(x), 120))
	case json.Number:
		return string(x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case []any:
		return fmt.Sprintf("an array of %d", len(x))
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%v", v)
}

// MalformedCase is one deliberately malformed request body. Exactly one of
// RawBody (sent as is) and Body (encoded as JSON) is set, as in Call.
type MalformedCase struct {
	Name    string
	RawBody []byte
	Body    any
}

// MalformedRequests derives malformed bodies from an operation's JSON request
// body schema (nil when it documents none), in this order:
//
//  1. "malformed JSON": the raw body `{"`;
//  2. for each top-level property with a declared type, by name, the first
//     request example with that property's value of a wrong type: a string
//     gets 12345, an integer or number "not-a-number", a boolean "yes", an
//     array "not-an-array", an object 12345 ("<name>: <wrong> instead of
//     <declared>");
//  3. for each required property, in declaration order, the first request
//     example without it ("without required <name>").
//
// allOf is followed both for the body's properties and for a property's
// type; a property typed only through oneOf/anyOf (or not at all) gets no
// wrong-type case. Without a request example the base body is {}.
func MalformedRequests(op *Operation) []MalformedCase {
	schema := requestBodySchema(op)
	if schema == nil {
		return nil
	}
	base := map[string]any{}
	if examples := op.RequestExamples(); len(examples) > 0 {
		if m, ok := copyJSON(examples[0].Value).(map[string]any); ok {
			base = m
		}
	}
	props, required := objectShape(schema)
	names := slices.Sorted(maps.Keys(props))

	cases := []MalformedCase{{Name: "malformed JSON", RawBody: []byte(`{"`)}}
	for _, name := range names {
		declared := declaredType(props[name])
		wrong, wrongKind, ok := wrongTypedValue(declared)
		if !ok {
			continue
		}
		body := cloneObject(base)
		body[name] = wrong
		cases = append(cases, MalformedCase{Name: fmt.Sprintf("%s: %s instead of %s", name, wrongKind, declared), Body: body})
	}
	for _, name := range required {
		body := cloneObject(base)
		delete(body, name)
		cases = append(cases, MalformedCase{Name: "without required " + name, Body: body})
	}
	return cases
}

func requestBodySchema(op *Operation) *openapi3.Schema {
	if op == nil || op.Op == nil || op.Op.RequestBody == nil || op.Op.RequestBody.Value == nil {
		return nil
	}
	mt := op.Op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// objectShape collects the properties (the first declaration of a name wins)
// and the required names (declaration order, without repeats) of schema and
// of its allOf parts, depth first.
func objectShape(schema *openapi3.Schema) (map[string]*openapi3.SchemaRef, []string) {
	props := map[string]*openapi3.SchemaRef{}
	var required []string
	seen := map[*openapi3.Schema]bool{}
	var visit func(*openapi3.Schema)
	visit = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		for _, name := range s.Required {
			if !slices.Contains(required, name) {
				required = append(required, name)
			}
		}
		for name, ref := range s.Properties {
			if _, dup := props[name]; !dup && ref != nil {
				props[name] = ref
			}
		}
		for _, part := range s.AllOf {
			if part != nil {
				visit(part.Value)
			}
		}
	}
	visit(schema)
	return props, required
}

// declaredType is the first non-null type of a property, through allOf.
func declaredType(ref *openapi3.SchemaRef) string {
	seen := map[*openapi3.Schema]bool{}
	var find func(*openapi3.SchemaRef) string
	find = func(r *openapi3.SchemaRef) string {
		if r == nil || r.Value == nil || seen[r.Value] {
			return ""
		}
		seen[r.Value] = true
		for _, t := range r.Value.Type.Slice() {
			if t != "null" {
				return t
			}
		}
		for _, part := range r.Value.AllOf {
			if t := find(part); t != "" {
				return t
			}
		}
		return ""
	}
	return find(ref)
}

func wrongTypedValue(declared string) (value any, kind string, ok bool) {
	switch declared {
	case "string":
		return 12345, "integer", true
	case "integer", "number":
		return "not-a-number", "string", true
	case "boolean":
		return "yes", "string", true
	case "array":
		return "not-an-array", "string", true
	case "object":
		return 12345, "integer", true
	}
	return nil, "", false
}

func cloneObject(m map[string]any) map[string]any {
	if c, ok := copyJSON(m).(map[string]any); ok && c != nil {
		return c
	}
	return maps.Clone(m)
}

// MethodEquivalence compares ex with other, the same input sent by the
// alternate documented method ("the paginated GET apis are also accessible
// via POST"): the statuses must be equal, and the bodies equal in what the
// method decides, not in what other clients change between the two reads
// (see methodDiff): the same members at every level, the same kind of value
// at each, equal values but for counts, and the items both reads list
// (matched by id) alike. Bodies that are not both JSON must be equal byte
// for byte. It is skipped when other has no response, and when ex has none
// ("no response").
func MethodEquivalence(other *Exchange) Check {
	return Check{Name: CheckMethodEquivalence, Run: func(ex *Exchange) ([]Finding, string) {
		switch {
		case noResponse(ex) != "":
			return nil, noResponse(ex)
		case other == nil:
			return nil, "no exchange to compare with"
		case other.Response == nil:
			return nil, fmt.Sprintf("the %s exchange got no response", methodOf(other))
		}
		m1, m2 := methodOf(ex), methodOf(other)
		if m1 == m2 {
			m1, m2 = "this request", "the other"
		}
		r1, r2 := ex.Response, other.Response
		if r1.Status != r2.Status {
			return []Finding{{Message: fmt.Sprintf("status %d by %s but %d by %s; bodies: %s / %s",
				r1.Status, m1, r2.Status, m2,
				maskedBody(r1.Body, errorBodyCut), maskedBody(r2.Body, errorBodyCut))}}, ""
		}
		v1, ok1 := r1.JSONValue()
		v2, ok2 := r2.JSONValue()
		if !ok1 || !ok2 {
			if bytes.Equal(r1.Body, r2.Body) {
				return nil, ""
			}
			return []Finding{{Message: fmt.Sprintf("the bodies differ (not both JSON): %s by %s, %s by %s",
				maskedBody(r1.Body, errorBodyCut), m1, maskedBody(r2.Body, errorBodyCut), m2)}}, ""
		}
		v1, v2 = withoutVolatile(v1), withoutVolatile(v2)
		d, equal := methodDiff(v1, v2, nil, nil, "")
		if equal {
			return nil, ""
		}
		where := "at " + d.here
		if d.here == "" {
			where = "at the root"
		}
		if d.there != d.here {
			where += fmt.Sprintf(" (%s by %s)", d.there, m2)
		}
		msg := fmt.Sprintf("the bodies differ %s: %s by %s, %s by %s", where, describeAt(v1, d.here), m1, describeAt(v2, d.there), m2)
		if d.why != "" {
			msg = fmt.Sprintf("the bodies differ %s: %s", where, fmt.Sprintf(d.why, m1, m2))
		}
		return []Finding{{Message: msg, Pointer: d.here}}, ""
	}}
}

// AllRefused says, when every exchange got a 4xx, what each got ("401 by
// GET, 401 by POST"), and "" when one got an answer (or none a response).
// A refusal comes from what stands before the method's work (the
// authentication, the input's validation), so the same refusal by two
// methods shows nothing about what they answer.
func AllRefused(exs ...*Exchange) string {
	parts := make([]string, 0, len(exs))
	for _, ex := range exs {
		if ex == nil || ex.Response == nil || ex.Response.Status/100 != 4 {
			return ""
		}
		parts = append(parts, fmt.Sprintf("%d by %s", ex.Response.Status, methodOf(ex)))
	}
	return strings.Join(parts, ", ")
}

// methodDifference is where two answers differ: the pointer into each (an
// item matched by id may sit at another index in the other list), and why
// when the values alone do not say it (a format with the two methods).
type methodDifference struct {
	here, there string
	why         string
}

// itemIDs are the members that identify an item of a list, most specific
// first: two reads of a list are compared item by item through them.
var itemIDs = []string{"channel_id", "user_id", "club_id", "event_id", "notification_id", "topic_id", "id", "channel"}

// methodDiff compares a (this method's answer) with b (the other's) in
// what the method decides. Other clients change shared state between two
// reads, so some differences are not the method's: a count (count, num_*,
// and next and previous, which follow it) may differ in value though not
// in kind, and a list of items with ids may list other items (rooms open,
// users join): the items both list are compared, matched by id, and two
// non-empty lists must share one. Everything else must be equal: the set of
// members of every object, the kind of every value, every other value.
func methodDiff(a, b any, pa, pb []string, key string) (methodDifference, bool) {
	here := func() methodDifference { return methodDifference{here: jsonPointer(pa), there: jsonPointer(pb)} }
	child := func(p []string, seg string) []string { return append(p[:len(p):len(p)], seg) }
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return here(), false
		}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			yv, in := y[k]
			if !in {
				return methodDifference{here: jsonPointer(child(pa, k)), there: jsonPointer(child(pb, k))}, false
			}
			if d, eq := methodDiff(x[k], yv, child(pa, k), child(pb, k), k); !eq {
				return d, false
			}
		}
		for _, k := range slices.Sorted(maps.Keys(y)) {
			if _, in := x[k]; !in {
				return methodDifference{here: jsonPointer(child(pa, k)), there: jsonPointer(child(pb, k))}, false
			}
		}
		return methodDifference{}, true
	case []any:
		y, ok := b.([]any)
		if !ok {
			return here(), false
		}
		if id := sharedItemID(x, y); id != "" {
			at := map[string]int{}
			for j, item := range y {
				at[itemKey(item, id)] = j
			}
			common := 0
			for i, item := range x {
				j, in := at[itemKey(item, id)]
				if !in {
					continue
				}
				common++
				if d, eq := methodDiff(item, y[j], child(pa, strconv.Itoa(i)), child(pb, strconv.Itoa(j)), ""); !eq {
					return d, false
				}
			}
			if common == 0 && len(x) > 0 && len(y) > 0 {
				d := here()
				d.why = fmt.Sprintf("%d items by %%s, %d by %%s, none with the same %s", len(x), len(y), id)
				return d, false
			}
			return methodDifference{}, true
		}
		if len(x) != len(y) {
			d := here()
			d.why = fmt.Sprintf("%d items by %%s, %d by %%s", len(x), len(y))
			return d, false
		}
		for i := range x {
			if d, eq := methodDiff(x[i], y[i], child(pa, strconv.Itoa(i)), child(pb, strconv.Itoa(i)), ""); !eq {
				return d, false
			}
		}
		return methodDifference{}, true
	case json.Number:
		y, ok := b.(json.Number)
		switch {
		case !ok && b == nil && pageLink(key):
			return methodDifference{}, true
		case !ok:
			return here(), false
		case counter(key) || pageLink(key) || sameNumber(x, y):
			return methodDifference{}, true
		}
		return here(), false
	case nil:
		if _, isNumber := b.(json.Number); (isNumber && pageLink(key)) || b == nil {
			return methodDifference{}, true
		}
		return here(), false
	default:
		if a != b {
			return here(), false
		}
		return methodDifference{}, true
	}
}

// counter is a member whose number other clients change: a list's count,
// a room's or a club's num_all, num_speakers, num_members...
func counter(key string) bool { return key == "count" || strings.HasPrefix(key, "num_") }

// pageLink is next or previous of a page, which follow count: null on the
// last page, a number when other clients' items made another.
func pageLink(key string) bool { return key == "next" || key == "previous" }

// sharedItemID is the member by which the items of two lists are matched:
// the first of itemIDs that every item of both has as a scalar, unique
// within each list; "" when there is none (then position decides).
func sharedItemID(a, b []any) string {
	if len(a) == 0 && len(b) == 0 {
		return ""
	}
	for _, id := range itemIDs {
		if identifies(a, id) && identifies(b, id) {
			return id
		}
	}
	return ""
}

func identifies(items []any, id string) bool {
	seen := map[string]bool{}
	for _, item := range items {
		obj, ok := item.(map[string]any)
		if !ok {
			return false
		}
		switch obj[id].(type) {
		case json.Number, string:
		default:
			return false
		}
		k := itemKey(item, id)
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// itemKey is an item's id as text: a number and its decimal string match,
// as ids do across Clubhouse's answers.
func itemKey(item any, id string) string {
	obj, _ := item.(map[string]any)
	return fmt.Sprint(obj[id])
}

func methodOf(ex *Exchange) string {
	switch {
	case ex == nil:
		return "?"
	case ex.Request.Method != "":
		return strings.ToUpper(ex.Request.Method)
	case ex.Op != nil:
		return ex.Op.Method
	}
	return "?"
}

// describeAt is the value at a JSON pointer of a decoded document, as
// compact JSON (secrets masked, cut), or "absent".
func describeAt(doc any, ptr string) string {
	v, ok := valueAtPointer(doc, ptr)
	if !ok {
		return "absent"
	}
	field := strings.NewReplacer("~1", "/", "~0", "~").Replace(ptr[strings.LastIndex(ptr, "/")+1:])
	if _, isString := v.(string); isString && isSecretKey(field) {
		return `"<` + field + `>"`
	}
	data, err := json.Marshal(v)
	if err != nil {
		return cut(patterns.String(fmt.Sprintf("%v", v)), 200)
	}
	return maskedBody(data, 200)
}

func valueAtPointer(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	cur := doc
	unescape := strings.NewReplacer("~1", "/", "~0", "~")
	for _, seg := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		seg = unescape.Replace(seg)
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[seg]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i := -1
			if _, err := fmt.Sscanf(seg, "%d", &i); err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// StatefulConsistency judges a read made after a write: what names the
// expectation ("the followed user appears in get_following"), holds judges
// the read (see ContainsJSONValue). A read that is not a 2xx cannot show the
// write and is a finding; each finding of holds is prefixed with what.
func StatefulConsistency(what string, holds func(*Exchange) []Finding) Check {
	return Check{Name: CheckStatefulConsistency, Run: func(ex *Exchange) ([]Finding, string) {
		if holds == nil {
			return nil, "no expectation given for: " + what
		}
		if skip := noResponse(ex); skip != "" {
			return nil, skip
		}
		if s := ex.Response.Status; s < 200 || s > 299 {
			return []Finding{{Message: fmt.Sprintf("%s: the read answered status %d, not a 2xx: %s",
				what, s, maskedBody(ex.Response.Body, errorBodyCut))}}, ""
		}
		return prefixed(what, holds(ex)), ""
	}}
}

// prefixed names what each finding of an expectation was about.
func prefixed(what string, found []Finding) []Finding {
	out := make([]Finding, 0, len(found))
	for _, f := range found {
		f.Message = what + ": " + f.Message
		out = append(out, f)
	}
	return out
}

// ContainsJSONValue is an expectation for StatefulConsistency: the gjson path
// of the body holds want, or, when it holds an array (users.#.user_id), one
// of its elements is want. Values are compared as JSON (numbers by value:
// 1234 matches 1234.0 but not "1234").
func ContainsJSONValue(path string, want any) func(*Exchange) []Finding {
	return func(ex *Exchange) []Finding {
		wantJSON, res, ptr, problem := readJSONAt(ex, path, want, "expected")
		if problem != nil {
			return problem
		}
		if !res.Exists() {
			return []Finding{{Message: fmt.Sprintf("expected %s at %q, but there is nothing there; body: %s",
				wantJSON, path, maskedBody(ex.Response.Body, errorBodyCut)), Pointer: ptr}}
		}
		if holdsJSONValue(res, wantJSON) {
			return nil
		}
		return []Finding{{Message: fmt.Sprintf("no value equal to %s at %q; found: %s",
			wantJSON, path, describeFound(path, res)), Pointer: ptr}}
	}
}

// readJSONAt is what ContainsJSONValue and LacksJSONValue both need first:
// the value as JSON, what the body holds at path, the path as a pointer, or
// the findings that stop the judgement (no response, a body too deep or not
// JSON). word opens those findings: "expected" or "expected no".
func readJSONAt(ex *Exchange, path string, value any, word string) ([]byte, gjson.Result, string, []Finding) {
	valueJSON, err := json.Marshal(value)
	if err != nil {
		return nil, gjson.Result{}, "", []Finding{{Message: fmt.Sprintf("the value %v cannot be encoded as JSON: %v", value, err)}}
	}
	ptr := gjsonPathPointer(path)
	if ex == nil || ex.Response == nil {
		return nil, gjson.Result{}, ptr, []Finding{{Message: "no response", Pointer: ptr}}
	}
	body := ex.Response.JSONText()
	if err := ex.Response.depthError(); err != nil {
		return nil, gjson.Result{}, ptr, []Finding{{Message: fmt.Sprintf("%s %s at %q, but %v", word, valueJSON, path, err), Pointer: ptr}}
	}
	if !gjson.ValidBytes(body) {
		return nil, gjson.Result{}, ptr, []Finding{{Message: fmt.Sprintf("%s %s at %q, but the body is not JSON: %s",
			word, valueJSON, path, maskedBody(body, errorBodyCut)), Pointer: ptr}}
	}
	return valueJSON, gjson.GetBytes(body, path), ptr, nil
}

// holdsJSONValue says whether res is the JSON value want, or an array with
// an element that is, compared as JSON.
func holdsJSONValue(res gjson.Result, wantJSON []byte) bool {
	want, _ := decodeJSON(wantJSON)
	got, ok := decodeJSON([]byte(res.Raw))
	if !ok {
		return false
	}
	if _, eq := jsonDiff(want, got, nil); eq {
		return true
	}
	if arr, isArr := got.([]any); isArr {
		for _, el := range arr {
			if _, eq := jsonDiff(want, el, nil); eq {
				return true
			}
		}
	}
	return false
}

// describeFound is what a gjson path found, for a finding: masked by shape,
// and the found strings themselves when the path ends at a credential field
// ("refresh", "users.#.auth_token"), whose values need not look secret.
func describeFound(path string, res gjson.Result) string {
	found := string(patterns.Body([]byte(res.Raw)))
	if isSecretKey(path[strings.LastIndex(path, ".")+1:]) {
		var values []string
		for _, r := range append(res.Array(), res) {
			if r.Type == gjson.String {
				values = append(values, r.Str)
			}
		}
		found = patterns.Values(found, values...)
	}
	return cut(found, 300)
}

// gjsonPathPointer is the JSON pointer of the plain leading keys of a gjson
// path ("users.#.user_id" -> "/users"): where in the body to look.
func gjsonPathPointer(path string) string {
	var segs []string
	var cur strings.Builder
	escaped := false
	flush := func() bool {
		s := cur.String()
		cur.Reset()
		if s == "" || strings.ContainsAny(s, "#*?@|()=!<>%") {
			return false
		}
		segs = append(segs, s)
		return true
	}
	for _, r := range path {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped = true
		case r == '.':
			if !flush() {
				return jsonPointer(segs)
			}
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return jsonPointer(segs)
}

// volatileFields change from one response to the next by design (tokens
// reissued on every call, per-response logging ids), so two methods giving
// the same answer may still differ in them.
var volatileFields = map[string]bool{
	"access_token": true, "refresh_token": true, "auth_token": true, "token": true,
	"rtm_token": true, "pubnub_token": true, "batch_id": true,
}

// withoutVolatile returns a copy of a decoded JSON value without the
// volatile fields, at any depth.
func withoutVolatile(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, child := range t {
			if !volatileFields[k] {
				out[k] = withoutVolatile(child)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, child := range t {
			out[i] = withoutVolatile(child)
		}
		return out
	}
	return v
}

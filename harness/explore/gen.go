// Package explore generates requests from the contract (issue 21): for an
// operation, valid requests drawn from its request schema and parameters,
// and invalid ones made from a valid one by a single change (a wrong type, a
// missing required property, a value out of range, a string off its pattern,
// a body that is not JSON). Generation and shrinking are pgregory.net/rapid's:
// a failing request is shrunk to the smallest one that still fails the same
// way, and a seed gives the same requests every time.
package explore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"

	"github.com/chconform/chconform/harness"
)

// Label marks the generation phase's specs (FILTER=phase:explore selects
// them, '!phase:explore' leaves them out). The suites and the mutation
// report both read it from here, so the two cannot drift apart.
const Label = "phase:explore"

// Kind says what the contract makes of a generated request, and so which
// answer it calls for.
type Kind int

const (
	// Valid: the contract accepts the request.
	Valid Kind = iota
	// Malformed: a body that is not JSON, not an object, a value of another
	// JSON type than declared, or a required property left out. The real
	// server refuses a body of the wrong shape with 400 (ground truth §2.2),
	// so its refusal is held to the verdict, as the malformed-request probes
	// hold it (harness.MalformedRequests).
	Malformed
	// OutOfContract: the contract refuses the request, but how the real
	// server answers such input is not evidenced (a number below minimum, a
	// string off its pattern or enum, null where the schema has no null, a
	// numeric string where an integer is declared, which Django's fields
	// would read as the number): judged only by the provisional checks.
	OutOfContract
)

func (k Kind) String() string {
	switch k {
	case Valid:
		return "valid"
	case Malformed:
		return "malformed"
	default:
		return "out of contract"
	}
}

// Request is one generated request of an operation.
type Request struct {
	Kind Kind
	// What says what was changed in a valid request to make this one ("" for
	// a valid one): "user_ids[0]: a string instead of an integer".
	What string
	// Query holds the generated query parameters (nil: none).
	Query url.Values
	// Header holds the generated app headers; "" removes one.
	Header map[string]string
	// Body is encoded as JSON when HasBody and Raw is nil; Raw is sent as is.
	Body    any
	Raw     []byte
	HasBody bool
	// unchecked: the change breaks a format, which the schema validator
	// does not check (kin-openapi validates no format by default).
	unchecked bool
}

// Call is the request as the harness sends it, over base (the account,
// headers and anything else the documented call carries).
func (r Request) Call(base harness.Call) harness.Call {
	call := base
	call.Query = r.Query
	call.Body, call.RawBody = nil, nil
	if r.HasBody {
		if r.Raw != nil {
			call.RawBody = r.Raw
		} else {
			call.Body = r.Body
			if r.Body == nil {
				call.RawBody = []byte("null") // Body nil means "no body" to the client
			}
		}
	}
	if len(r.Header) > 0 {
		h := map[string]string{}
		for k, v := range base.Header {
			h[k] = v
		}
		for k, v := range r.Header {
			h[k] = v
		}
		call.Header = h
	}
	return call
}

// Describe is the request in one line, for a failure message.
func (r Request) Describe() string {
	var parts []string
	if r.What != "" {
		parts = append(parts, r.Kind.String()+" ("+r.What+")")
	} else {
		parts = append(parts, r.Kind.String())
	}
	if len(r.Query) > 0 {
		parts = append(parts, "query "+r.Query.Encode())
	}
	switch {
	case !r.HasBody:
		parts = append(parts, "no body")
	case r.Raw != nil:
		parts = append(parts, fmt.Sprintf("body %q", harness.Cut(string(r.Raw), 200)))
	default:
		b, _ := json.Marshal(r.Body)
		parts = append(parts, "body "+harness.Cut(string(b), 400))
	}
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if r.Header[k] == "" {
			parts = append(parts, "without "+k)
		} else {
			parts = append(parts, fmt.Sprintf("%s: %q", k, r.Header[k]))
		}
	}
	return strings.Join(parts, ", ")
}

// maxDepth bounds how deep generated values nest: the contract's request
// schemas nest two levels (action_trails[].blob_data).
const maxDepth = 4

// Requests is the generator of op's requests: about a third valid, the rest
// one change away from a valid one. Shrinking moves towards a valid request
// with fewer optional properties, smaller numbers and shorter strings.
func Requests(op *harness.Operation) *rapid.Generator[Request] {
	g := newOpGen(op)
	return rapid.Custom(g.draw)
}

type opGen struct {
	op      *harness.Operation
	body    *openapi3.Schema // the JSON request body's schema, nil: none
	bodyReq bool             // the contract requires a body
	query   []*openapi3.Parameter
	headers []*openapi3.Parameter
	// examples are the documented values of each top-level body property.
	examples map[string][]any
	values   values
}

func newOpGen(op *harness.Operation) *opGen {
	// A write's requests leave the documented values out: the documented
	// requests of other specs send them, to a world they expect as seeded.
	g := &opGen{op: op, examples: map[string][]any{}, values: values{withExamples: !op.Mutating()}}
	if rb := op.Op.RequestBody; rb != nil && rb.Value != nil {
		if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			g.body = mt.Schema.Value
			g.bodyReq = rb.Value.Required
		}
	}
	for _, ex := range op.RequestExamples() {
		if !g.values.withExamples {
			break
		}
		if m, ok := ex.Value.(map[string]any); ok {
			for k, v := range m {
				g.examples[k] = append(g.examples[k], v)
			}
		}
	}
	for _, ref := range op.Op.Parameters {
		p := ref.Value
		if p == nil || p.Schema == nil || p.Schema.Value == nil {
			continue
		}
		switch p.In {
		case "query":
			g.query = append(g.query, p)
		case "header":
			// Authorization is the auth probes' business; the app headers
			// are generated.
			if !strings.EqualFold(p.Name, "Authorization") {
				g.headers = append(g.headers, p)
			}
		}
	}
	return g
}

// mutation is one way of making a valid request invalid: apply, or put a
// value drawn from values at the body's location index (or in the query
// parameter query), or drop properties of the object there, or add one it
// does not declare.
type mutation struct {
	kind   Kind
	what   string
	apply  func(t *rapid.T, r *Request)
	index  int
	values *rapid.Generator[any]
	query  string
	drop   []string
	extra  bool
	// format: the change breaks a format only (see Request.unchecked).
	format bool
}

func (g *opGen) draw(t *rapid.T) Request {
	// Two requests in six stay valid, one replaces the whole body (not JSON,
	// not an object), three change one value. The draw shrinks towards 0,
	// a valid request; a whole-body change draws no valid body first, so
	// its shrink has nothing else to try.
	mode := rapid.IntRange(0, 5).Draw(t, "change?")
	r := Request{}
	r.Query = g.drawQuery(t)
	r.Header = g.drawHeaders(t)
	if g.body != nil {
		r.HasBody = true
		if mode == 2 {
			m := bodyMutations[rapid.IntRange(0, len(bodyMutations)-1).Draw(t, "body change")]
			r.Kind, r.What = m.kind, m.what
			m.apply(t, &r)
			return r
		}
		r.Body = g.values.validValue(g.body, g.examples, 0).Draw(t, "body")
	}
	m := mutation{kind: Valid}
	if muts := g.mutations(r); mode >= 2 && len(muts) > 0 {
		m = muts[rapid.IntRange(0, len(muts)-1).Draw(t, "change")]
	}
	r.Kind, r.What = m.kind, m.what
	if m.kind != Valid {
		m.applyTo(t, g, &r)
		r.unchecked = m.format
	}
	g.classify(&r)
	return r
}

// classify checks the kind a change meant against the contract itself: a
// change that left the body valid (a pattern broken into a string that still
// matches) makes a valid request, and a body meant valid that the contract
// refuses is out of contract (a generator bug; a test holds it to zero).
func (g *opGen) classify(r *Request) {
	if g.body == nil || !r.HasBody || r.Raw != nil {
		return
	}
	problem := bodyProblem(g.body, r.Body)
	switch {
	case problem == "" && r.Kind != Valid && !r.queryChanged() && !r.unchecked:
		r.Kind, r.What = Valid, ""
	case problem != "" && r.Kind == Valid:
		r.Kind, r.What = OutOfContract, "generated valid, refused by the contract: "+problem
	}
}

// queryChanged: the change was to the query, which bodyProblem does not see.
func (r Request) queryChanged() bool { return strings.HasPrefix(r.What, "query ") }

// bodyProblem validates a generated body against schema as the target would
// read it (through JSON), "" when it conforms.
func bodyProblem(schema *openapi3.Schema, body any) string {
	data, err := json.Marshal(body)
	if err != nil {
		return err.Error()
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return err.Error()
	}
	v = numbersAsFloat(v)
	if err := schema.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		return harness.Cut(err.Error(), 200)
	}
	return ""
}

// numbersAsFloat turns json.Number into float64, kin-openapi's reading.
func numbersAsFloat(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = numbersAsFloat(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbersAsFloat(e)
		}
	}
	return v
}

func (g *opGen) drawQuery(t *rapid.T) url.Values {
	var q url.Values
	for _, p := range g.query {
		if !p.Required && !rapid.Bool().Draw(t, "query "+p.Name+"?") {
			continue
		}
		var documented []any
		if p.Example != nil {
			documented = []any{p.Example}
		}
		v := g.values.propertyValue(p.Schema.Value, documented, 0).Draw(t, "query "+p.Name)
		if q == nil {
			q = url.Values{}
		}
		q.Set(p.Name, queryText(v))
	}
	return q
}

// queryText writes a value as a query string carries it.
func queryText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// headerChars are what a generated header value is made of: printable
// ASCII, which every HTTP stack carries.
var headerChars = rapid.StringOfN(rapid.SampledFrom(printable()), 1, 24, -1)

func printable() []rune {
	var out []rune
	for r := rune(0x21); r <= 0x7e; r++ {
		out = append(out, r)
	}
	return out
}

func (g *opGen) drawHeaders(t *rapid.T) map[string]string {
	// One request in four changes the app headers: one draw decides, so a
	// shrunk request drops every header change at once.
	if len(g.headers) == 0 || rapid.IntRange(0, 3).Draw(t, "headers?") < 3 {
		return nil
	}
	var h map[string]string
	for _, p := range g.headers {
		// Mostly the client's own value; sometimes none, sometimes another.
		switch rapid.IntRange(0, 5).Draw(t, "header "+p.Name) {
		case 4:
			if h == nil {
				h = map[string]string{}
			}
			h[p.Name] = ""
		case 5:
			if h == nil {
				h = map[string]string{}
			}
			h[p.Name] = headerChars.Draw(t, "header "+p.Name+" value")
		}
	}
	return h
}

// Names reports whether the request's body holds, at any depth, one of
// values (a number as its decimal text, a string as itself).
func (r Request) Names(values map[string]bool) bool {
	if len(values) == 0 || !r.HasBody || r.Raw != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		case string:
			return values[x]
		case int64:
			return values[strconv.FormatInt(x, 10)]
		case float64:
			return values[strconv.FormatFloat(x, 'f', -1, 64)]
		}
		return false
	}
	return walk(r.Body)
}

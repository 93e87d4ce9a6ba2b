package harness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// Spec is the contract, loaded and validated once, with the lookups the checks
// and the suites need.
type Spec struct {
	Doc    *openapi3.T
	Path   string // where it came from, for reports ("api.yaml (embedded)")
	SHA256 string
	// Raw is the contract's text as loaded (after any overlay): what a
	// suggested overlay's JSONPath targets are worked out on.
	Raw    []byte
	ops    map[string]*Operation
	sorted []*Operation
}

// Operation is one operation of the contract.
type Operation struct {
	ID     string
	Method string // upper case
	Path   string // as in the contract, e.g. "/get_channels"
	Group  string // the operation's first tag
	// Secured is true when the operation requires the Authorization token.
	Secured bool
	// TokenOptional is true when the operation needs no token but accepts
	// one (an empty security requirement beside a scheme): a token that is
	// sent is authenticated, so an unknown one is refused.
	TokenOptional bool

	Item  *openapi3.PathItem
	Op    *openapi3.Operation
	spec  *Spec
	route *routers.Route
}

// Example is one documented response example.
type Example struct {
	Name  string
	Value any
	// State names the server state that produces this example (x-state); empty
	// for the ordinary state.
	State string
}

// DocumentedResponse is one documented status of an operation.
type DocumentedResponse struct {
	Status   int
	Examples []Example
}

// LoadSpec parses and validates a contract. A contract with findings is
// refused: checks built on a broken contract would report nonsense.
func LoadSpec(path string, data []byte) (*Spec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("contract %s: %w", path, err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("contract %s is not valid OpenAPI: %w", path, err)
	}
	sum := sha256.Sum256(data)
	s := &Spec{Doc: doc, Path: path, SHA256: hex.EncodeToString(sum[:]), Raw: data, ops: map[string]*Operation{}}
	for _, p := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(p)
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				return nil, fmt.Errorf("contract %s: %s %s has no operationId", path, method, p)
			}
			o := &Operation{
				ID: op.OperationID, Method: strings.ToUpper(method), Path: p,
				Item: item, Op: op, spec: s,
			}
			if len(op.Tags) > 0 {
				o.Group = op.Tags[0]
			}
			sec := doc.Security
			if op.Security != nil {
				sec = *op.Security
			}
			// Secured when every alternative names a scheme: an empty
			// requirement ({}) among them makes the token optional
			// (check_for_update, which the app calls before sign-in too).
			o.Secured = len(sec) > 0
			for _, req := range sec {
				if len(req) == 0 {
					o.Secured = false
				} else {
					o.TokenOptional = true
				}
			}
			o.TokenOptional = o.TokenOptional && !o.Secured
			o.route = &routers.Route{Spec: doc, Path: p, PathItem: item, Method: o.Method, Operation: op}
			if _, dup := s.ops[o.ID]; dup {
				return nil, fmt.Errorf("contract %s: operationId %q used twice", path, o.ID)
			}
			s.ops[o.ID] = o
			s.sorted = append(s.sorted, o)
		}
	}
	sort.Slice(s.sorted, func(i, j int) bool { return s.sorted[i].ID < s.sorted[j].ID })
	return s, nil
}

// Operation returns the operation with the given operationId.
func (s *Spec) Operation(id string) (*Operation, bool) {
	o, ok := s.ops[id]
	return o, ok
}

// MustOperation is Operation for ids written in the suites' source: an unknown
// id there is a bug in the suite, not in the target.
func (s *Spec) MustOperation(id string) *Operation {
	o, ok := s.ops[id]
	if !ok {
		panic(fmt.Sprintf("the contract has no operation %q", id))
	}
	return o
}

// Operations lists every operation, sorted by operationId.
func (s *Spec) Operations() []*Operation { return s.sorted }

// Group lists the operations whose first tag is group.
func (s *Spec) Group(group string) []*Operation {
	var out []*Operation
	for _, o := range s.sorted {
		if o.Group == group {
			out = append(out, o)
		}
	}
	return out
}

// Spec returns the contract the operation belongs to.
func (o *Operation) Spec() *Spec { return o.spec }

// String names the operation the way spec names and reports do.
func (o *Operation) String() string { return o.Method + " " + o.Path }

// Responses lists the documented statuses with their examples, by status.
func (o *Operation) Responses() []DocumentedResponse {
	var out []DocumentedResponse
	for code, ref := range o.Op.Responses.Map() {
		status, err := strconv.Atoi(code)
		if err != nil || ref.Value == nil {
			continue // "default" and ranges are not used by this contract
		}
		dr := DocumentedResponse{Status: status}
		if mt := ref.Value.Content.Get("application/json"); mt != nil {
			names := make([]string, 0, len(mt.Examples))
			for name := range mt.Examples {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				ex := mt.Examples[name].Value
				if ex == nil {
					continue
				}
				state, _ := ex.Extensions["x-state"].(string)
				dr.Examples = append(dr.Examples, Example{Name: name, Value: ex.Value, State: state})
			}
		}
		out = append(out, dr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Status < out[j].Status })
	return out
}

// Documents reports whether status is documented for the operation.
func (o *Operation) Documents(status int) bool {
	return o.Op.Responses.Status(status) != nil
}

// RequestExamples lists the documented request body examples by name.
func (o *Operation) RequestExamples() []Example {
	if o.Op.RequestBody == nil || o.Op.RequestBody.Value == nil {
		return nil
	}
	mt := o.Op.RequestBody.Value.Content.Get("application/json")
	if mt == nil {
		return nil
	}
	var out []Example
	if mt.Example != nil {
		out = append(out, Example{Name: "example", Value: mt.Example})
	}
	names := make([]string, 0, len(mt.Examples))
	for name := range mt.Examples {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if ex := mt.Examples[name].Value; ex != nil {
			out = append(out, Example{Name: name, Value: ex.Value})
		}
	}
	return out
}

// HasRequestBody reports whether the operation documents a request body.
func (o *Operation) HasRequestBody() bool {
	return o.Op.RequestBody != nil && o.Op.RequestBody.Value != nil
}

// allowsMethod reports whether the path item documents method (used to
// validate requests sent by another documented method).
func (o *Operation) allowsMethod(method string) bool {
	return o.Item.GetOperation(strings.ToUpper(method)) != nil || method == http.MethodOptions
}

// AlternateMethods lists the other methods the operation's path answers with
// the same input (x-alternate-methods in the contract).
func (o *Operation) AlternateMethods() []string {
	raw, _ := o.Op.Extensions["x-alternate-methods"].([]any)
	var out []string
	for _, m := range raw {
		if s, ok := m.(string); ok {
			out = append(out, strings.ToUpper(s))
		}
	}
	return out
}

// QueryParameter reports whether the operation documents a query parameter.
func (o *Operation) QueryParameter(name string) bool {
	for _, ref := range o.Op.Parameters {
		if ref.Value != nil && ref.Value.In == "query" && ref.Value.Name == name {
			return true
		}
	}
	return false
}

package harness

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrUnsupported marks what a target's profile cannot do. It prints nothing
// itself: the message around it says what is missing.
var ErrUnsupported = errors.New("")

// DocumentedCall is the request the contract documents for the operation (its
// first request example and its parameter examples), changed by the profile's
// recipe to put the target in state. A state the profile cannot reach is an
// ErrUnsupported error naming the state and the profile.
func (o *Operation) DocumentedCall(p *Profile, state string) (Call, error) {
	recipe, ok := p.State(state)
	if !ok {
		return Call{}, fmt.Errorf("profile %s cannot put the target in state %s%w", p.Name, state, ErrUnsupported)
	}
	call := Call{Op: o, Query: o.exampleQuery()}
	if examples := o.RequestExamples(); len(examples) > 0 {
		call.Body = copyJSON(examples[0].Value)
	} else if o.HasRequestBody() {
		call.Body = map[string]any{}
	}
	if base, ok := p.Requests[o.ID]; ok {
		call = base.apply(call)
	}
	call = recipe.apply(call)
	return call, nil
}

// apply changes call as the recipe says; "{unique}" in a string value becomes
// a value no other request of the run uses.
func (recipe StateRecipe) apply(call Call) Call {
	if recipe.Account != "" {
		call.Account = recipe.Account
	}
	if len(recipe.Body) > 0 {
		body, ok := call.Body.(map[string]any)
		if !ok {
			body = map[string]any{}
		}
		for k, v := range recipe.Body {
			if s, ok := v.(string); ok {
				v = Unique(s)
			}
			body[k] = v
		}
		call.Body = body
	}
	for k, v := range recipe.Query {
		if call.Query == nil {
			call.Query = url.Values{}
		}
		call.Query.Set(k, Unique(v))
	}
	if len(recipe.Headers) > 0 {
		if call.Header == nil {
			call.Header = map[string]string{}
		}
		for k, v := range recipe.Headers {
			call.Header[k] = v
		}
	}
	return call
}

// Unique replaces every "{unique}" in s with random lower-case hex, so specs
// running in parallel never ask for the same username or phone number.
func Unique(s string) string {
	for strings.Contains(s, "{unique}") {
		var b [5]byte
		_, _ = rand.Read(b[:])
		s = strings.Replace(s, "{unique}", hex.EncodeToString(b[:]), 1)
	}
	return s
}

// exampleQuery collects the documented example of every query parameter.
func (o *Operation) exampleQuery() url.Values {
	var q url.Values
	for _, ref := range o.Op.Parameters {
		p := ref.Value
		if p == nil || p.In != "query" || p.Example == nil {
			continue
		}
		if q == nil {
			q = url.Values{}
		}
		q.Set(p.Name, fmt.Sprint(p.Example))
	}
	return q
}

// copyJSON deep-copies a decoded JSON value so recipes never edit the
// contract's own example.
func copyJSON(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(data, &out) != nil {
		return v
	}
	return out
}

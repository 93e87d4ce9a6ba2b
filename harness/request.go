package harness

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
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
	call := Call{Op: o, Account: recipe.Account, Query: o.exampleQuery()}
	if examples := o.RequestExamples(); len(examples) > 0 {
		call.Body = copyJSON(examples[0].Value)
	} else if o.HasRequestBody() {
		call.Body = map[string]any{}
	}
	if len(recipe.Body) > 0 {
		body, ok := call.Body.(map[string]any)
		if !ok {
			body = map[string]any{}
		}
		for k, v := range recipe.Body {
			body[k] = v
		}
		call.Body = body
	}
	for k, v := range recipe.Query {
		if call.Query == nil {
			call.Query = url.Values{}
		}
		call.Query.Set(k, v)
	}
	if len(recipe.Headers) > 0 {
		call.Header = map[string]string{}
		for k, v := range recipe.Headers {
			call.Header[k] = v
		}
	}
	return call, nil
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

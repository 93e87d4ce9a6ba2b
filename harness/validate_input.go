package harness

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// documentedResponse is the contract's response for status: the exact code,
// then its range ("2XX"), then "default", the order OpenAPI resolves them in.
// It is nil when the contract says nothing about status.
func documentedResponse(op *Operation, status int) *openapi3.Response {
	if op == nil || op.Op == nil || op.Op.Responses == nil {
		return nil
	}
	ref := op.Op.Responses.Status(status)
	if ref == nil {
		ref = op.Op.Responses.Default()
	}
	if ref == nil {
		return nil
	}
	return ref.Value
}

// documentedStatuses lists the response keys of op as the contract writes them,
// for messages that say what would have been accepted.
func documentedStatuses(op *Operation) string {
	if op == nil || op.Op == nil || op.Op.Responses == nil {
		return "none"
	}
	keys := make([]string, 0, op.Op.Responses.Len())
	for code := range op.Op.Responses.Map() {
		keys = append(keys, code)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

// responseValidationInput builds what openapi3filter.ValidateResponse needs
// for the exchange, judged against resp only: the route is a copy whose
// operation documents just that one response under the exchange's status, so
// the caller decides which parts of the documented response kin sees (kin
// validates headers before the body and stops at the first header error,
// so the header and body checks each hand it only their own part).
func responseValidationInput(ex *Exchange, resp *openapi3.Response) *openapi3filter.ResponseValidationInput {
	route := ex.Op.route
	if route == nil {
		route = &routers.Route{Spec: ex.Op.spec.Doc, Path: ex.Op.Path, PathItem: ex.Op.Item, Method: ex.Op.Method, Operation: ex.Op.Op}
	}
	opCopy := *route.Operation
	opCopy.Responses = openapi3.NewResponses(openapi3.WithStatus(ex.Response.Status, &openapi3.ResponseRef{Value: resp}))
	routeCopy := *route
	routeCopy.Operation = &opCopy

	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: sentRequest(ex),
			Route:   &routeCopy,
			Options: &openapi3filter.Options{AuthenticationFunc: acceptAnyCredentials},
		},
		Status: ex.Response.Status,
		Header: ex.Response.Header.Clone(),
		// The response options are not inherited from the request's: without
		// IncludeResponseStatus an undocumented status passes silently.
		Options: validationOptions(),
	}
	if input.Header == nil {
		input.Header = http.Header{}
	}
	input.SetBodyBytes(ex.Response.Body)
	return input
}

// validationOptions are the options every ValidateResponse call of the harness
// uses: all errors rather than the first, and messages that never carry the
// validated values (bodies hold tokens and phone numbers).
func validationOptions() *openapi3filter.Options {
	opts := &openapi3filter.Options{
		IncludeResponseStatus:   true,
		MultiError:              true,
		AuthenticationFunc:      acceptAnyCredentials,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
	}
	opts.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		return schemaErrorMessage(err)
	})
	return opts
}

// acceptAnyCredentials lets validation through whatever the request carried:
// the checks judge the target's answer, not the harness's request.
func acceptAnyCredentials(context.Context, *openapi3filter.AuthenticationInput) error { return nil }

// sentRequest rebuilds the request of the exchange for kin, which reads only
// its method from it during response validation.
func sentRequest(ex *Exchange) *http.Request {
	method := ex.Request.Method
	if method == "" {
		method = ex.Op.Method
	}
	req, err := http.NewRequest(method, ex.Request.URL, bytes.NewReader(ex.Request.Body))
	if err != nil {
		// An unparsable URL must not stop the response from being judged.
		req, _ = http.NewRequest(method, "http://target.invalid"+ex.Op.Path, bytes.NewReader(ex.Request.Body))
	}
	if ex.Request.Header != nil {
		req.Header = ex.Request.Header.Clone()
	}
	return req
}

// schemaErrorMessage is the reason of a schema error, made safe to print:
// kin's reasons are meant to omit values, but format errors quote what
// time.Parse saw, so the value itself is masked wherever it appears.
func schemaErrorMessage(err *openapi3.SchemaError) string {
	reason := err.Reason
	if reason == "" {
		reason = fmt.Sprintf("doesn't match schema %q", err.SchemaField)
	}
	value, _ := err.Value.(string)
	return patterns.Values(reason, value)
}

// jsonPointer joins path segments into an RFC 6901 pointer.
func jsonPointer(segments []string) string {
	if len(segments) == 0 {
		return ""
	}
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(s))
	}
	return b.String()
}

// Cut shortens s to about n bytes for a message or a transcript, on a rune
// boundary, and says how much was left out. Every excerpt the project prints
// goes through it, so they all read alike and never split a character.
func Cut(s string, n int) string { return cut(s, n) }

func cut(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	end := n
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return fmt.Sprintf("%s… (%d more bytes)", s[:end], len(s)-end)
}

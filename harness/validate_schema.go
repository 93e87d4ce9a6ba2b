package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chconform/chconform/harness/fastschema"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// runResponseSchema judges the body of ex against the schema the contract
// documents for its status and Content-Type. Strict adds a finding for every
// field the schema does not declare.
func runResponseSchema(ex *Exchange, strict bool) ([]Finding, string) {
	if skip := noResponse(ex); skip != "" {
		return nil, skip
	}
	if ex.Op == nil {
		return nil, "the exchange names no operation"
	}
	resp := documentedResponse(ex.Op, ex.Response.Status)
	if resp == nil {
		return nil, fmt.Sprintf("status %d is not documented (%s)", ex.Response.Status, CheckStatusCode)
	}
	if ex.Response.Truncated {
		return nil, "the body was cut at the client's size cap"
	}
	body := ex.Response.Body
	if len(resp.Content) == 0 {
		// kin accepts any body here; the contract promised none.
		if len(body) > 0 {
			return []Finding{{Message: fmt.Sprintf("the contract documents no body for status %d, got %d bytes", ex.Response.Status, len(body))}}, ""
		}
		return nil, ""
	}
	mediaType, mt := documentedMediaType(resp, ex.Response.Header.Get("Content-Type"))
	if mt == nil {
		return nil, fmt.Sprintf("the Content-Type is not one documented for status %d (%s)", ex.Response.Status, CheckContentType)
	}
	if mt.Schema == nil || mt.Schema.Value == nil {
		return nil, fmt.Sprintf("%s for %s", noSchemaDocumented, mediaType)
	}
	// Every reader below reads the exchange's one reading of the body (see
	// JSONText): a repeated member name is read as the other checks read it.
	text := ex.Response.JSONText()
	var findings []Finding
	fast := fastValid(ex, text, mediaType, mt)
	if !fast {
		if isJSONMediaType(mediaType) {
			if f := jsonSyntaxFinding(body); f != nil {
				return []Finding{*f}, ""
			}
		}
		findings = schemaFindings(validateBody(ex, resp, mediaType, mt))
		// kin walks properties in map order: sorted, a report diffs cleanly
		// against a baseline.
		slices.SortStableFunc(findings, func(a, b Finding) int { return strings.Compare(a.Pointer, b.Pointer) })
	}

	// On the fast path the undeclared fields are looked for on the raw bytes
	// too; only a body that has some (or a doubt) is walked, on the shared
	// decode.
	if strict && isJSONMediaType(mediaType) && !(fast && declaredOnly(ex.Response, mt.Schema.Value, text)) {
		if value, ok := ex.Response.JSONValue(); ok {
			walkDeclared([]*openapi3.Schema{mt.Schema.Value}, value, nil, &findings)
		}
	}
	if len(findings) == 0 {
		ex.validated = mt.Schema.Value
	}
	return findings, ""
}

// validateBody is kin-openapi's judgement of the body. A JSON body is judged
// on the exchange's shared decode (VisitJSON, with the options
// ValidateResponse would pass), so kin reads what every other check reads;
// other media types go through ValidateResponse and its decoders. Only the
// content goes to kin: it validates headers first and returns at the first
// header error, which would hide every body error.
func validateBody(ex *Exchange, resp *openapi3.Response, mediaType string, mt *openapi3.MediaType) error {
	schema := mt.Schema.Value
	if !isJSONMediaType(mediaType) || len(mt.Encoding) > 0 || schema.Type.Is("string") && schema.Format == "binary" {
		input := responseValidationInput(ex, &openapi3.Response{Content: resp.Content})
		input.Header.Set("Content-Type", mediaType)
		return openapi3filter.ValidateResponse(context.Background(), input)
	}
	value, ok := ex.Response.JSONValue()
	if !ok {
		return &openapi3filter.ResponseError{Reason: "failed to decode response body"}
	}
	opts := []openapi3.SchemaValidationOption{
		openapi3.MultiErrors(),
		openapi3.SetSchemaErrorMessageCustomizer(schemaErrorMessage),
		openapi3.DisableSchemaErrorDetails(),
		openapi3.VisitAsResponse(),
	}
	if doc := ex.Op.spec; doc != nil && doc.Doc != nil && doc.Doc.IsOpenAPI31OrLater() {
		opts = append(opts, openapi3.EnableJSONSchema2020())
	}
	if err := schema.VisitJSON(value, opts...); err != nil {
		return &openapi3filter.ResponseError{Reason: "response body doesn't match schema", Err: err}
	}
	return nil
}

// oneWalk lets the tests compare the fast walk's other answers (Verdict's
// Declared, Plain and Covered) with the walks they spare.
var oneWalk = true

// useFastSchema lets the tests compare the fast path with kin-openapi alone.
var useFastSchema = true

// fastValid is the shortcut of runResponseSchema: true only when the body
// certainly validates as kin-openapi would judge it (and is non-empty, valid
// UTF-8 and valid JSON), so kin need not run: it would find nothing. Any
// doubt, and every invalid body, takes kin's path, which words the findings;
// so findings are the same with or without it. Only plain application/json
// is judged here: kin decodes it with encoding/json (its default decoder),
// under the OpenAPI 3.0 rules (3.1 documents use another validator).
func fastValid(ex *Exchange, text []byte, mediaType string, mt *openapi3.MediaType) bool {
	return fastApplies(ex, mediaType, mt) && ex.Response.fastJudge(mt.Schema.Value, text).Valid
}

// fastApplies says whether fastschema may judge a body of mediaType
// against mt's schema.
func fastApplies(ex *Exchange, mediaType string, mt *openapi3.MediaType) bool {
	if !useFastSchema || mediaType != "application/json" || len(mt.Encoding) > 0 {
		return false
	}
	if ex.Op.spec == nil || ex.Op.spec.Doc == nil || ex.Op.spec.Doc.IsOpenAPI31OrLater() {
		return false
	}
	if s := mt.Schema.Value; s.Type.Is("string") && s.Format == "binary" {
		return false // kin reads such a body as raw bytes, not as JSON
	}
	return true
}

// fastVerdict is fastschema's walk of one text against one schema, kept on
// the response so that the body is walked once for the schema check, the
// undeclared-field search (strict mode, the audit's drift) and the reading
// json_interop makes (primeReading).
type fastVerdict struct {
	schema *openapi3.Schema
	src    []byte
	fastschema.Verdict
	// covered: the response coverage locations of s the text shows (see
	// CoverageLog.Look), when Covered.
	covered fastschema.Seen
}

// fastJudge is fastschema's verdict on text against s, walked once per
// response; the walk marks the coverage locations too.
func (r *Response) fastJudge(s *openapi3.Schema, text []byte) fastschema.Verdict {
	if v, ok := r.judged(s, text); ok {
		return v
	}
	cov := fastschema.CoverageFor(s)
	seen := cov.NewSeen()
	v := fastschema.For(s).JudgeCovering(text, cov, seen)
	r.fast = &fastVerdict{schema: s, src: text, Verdict: v, covered: seen}
	return v
}

// covered is what the fast walk found of s's coverage locations in text,
// if it walked text against s and was sure.
func (r *Response) covered(s *openapi3.Schema, text []byte) (fastschema.Seen, bool) {
	if f := r.fast; oneWalk && f != nil && f.schema == s && sameSlice(f.src, text) && f.Valid && f.Covered {
		return f.covered, true
	}
	return nil, false
}

// judged is the verdict fastJudge reached on text against s, if it did.
func (r *Response) judged(s *openapi3.Schema, text []byte) (fastschema.Verdict, bool) {
	if f := r.fast; f != nil && f.schema == s && sameSlice(f.src, text) {
		return f.Verdict, true
	}
	return fastschema.Verdict{}, false
}

// primeReading makes the body's one reading (see JSONText) from the schema
// check's fast walk when that walk passes the body and finds nothing
// json_interop reports: the reading is then the body itself, which the
// interop scan, a pass of its own over the body, would only confirm.
// Verify calls it before a schema check runs; any doubt leaves the reading
// to the scan.
func primeReading(ex *Exchange) {
	if !oneWalk || ex == nil || ex.Op == nil || ex.Response == nil || ex.Response.Truncated {
		return
	}
	r := ex.Response
	if rd := r.read; rd != nil && sameSlice(rd.src, r.Body) {
		return
	}
	resp := documentedResponse(ex.Op, r.Status)
	if resp == nil || len(resp.Content) == 0 {
		return
	}
	mediaType, mt := documentedMediaType(resp, r.Header.Get("Content-Type"))
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil || !fastApplies(ex, mediaType, mt) {
		return
	}
	if v := r.fastJudge(mt.Schema.Value, r.Body); v.Valid && v.Plain {
		r.read = &bodyReading{src: r.Body, json: true, text: r.Body}
	}
}

// documentedMediaType finds the documented media type matching the response's
// Content-Type; nil when it is missing, malformed or undocumented.
func documentedMediaType(resp *openapi3.Response, contentType string) (string, *openapi3.MediaType) {
	if contentType == "" {
		return "", nil
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", nil
	}
	return mediaType, resp.Content.Get(mediaType)
}

func isJSONMediaType(mediaType string) bool {
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

// jsonSyntaxFinding reports a body that cannot be JSON at all, before kin
// does: its decode error quotes the bytes it choked on.
func jsonSyntaxFinding(body []byte) *Finding {
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		return &Finding{Message: "the body is empty, the contract documents JSON"}
	case !utf8.Valid(body):
		return &Finding{Message: "the body is not valid UTF-8"}
	case !json.Valid(body):
		return &Finding{Message: "the body is not valid JSON"}
	}
	return nil
}

// schemaFindings turns what ValidateResponse returned into one finding per
// schema error, each with its pointer and a value-free reason.
func schemaFindings(err error) []Finding {
	if err == nil {
		return nil
	}
	var out []Finding
	var respErr *openapi3filter.ResponseError
	if errors.As(err, &respErr) && respErr.Err == nil {
		return []Finding{{Message: respErr.Reason}}
	}
	collectSchemaErrors(err, &out)
	if len(out) == 0 {
		// Only kin's own reason: the wrapped error may quote the body.
		reason := "the body does not validate"
		if respErr != nil {
			reason = respErr.Reason
		}
		out = append(out, Finding{Message: reason})
	}
	return out
}

// collectSchemaErrors flattens kin's error tree. allOf errors are opened so
// each failing field is named where it is; oneOf/anyOf stay one finding,
// since no single branch is "the" expected one.
func collectSchemaErrors(err error, out *[]Finding) {
	switch e := err.(type) {
	case nil:
	case *openapi3filter.ResponseError:
		collectSchemaErrors(e.Err, out)
	case openapi3.MultiError:
		for _, inner := range e {
			collectSchemaErrors(inner, out)
		}
	case *openapi3.SchemaError:
		if e.SchemaField == "allOf" && e.Origin != nil {
			before := len(*out)
			collectSchemaErrors(errors.Unwrap(e.Origin), out)
			if len(*out) > before {
				return
			}
		}
		ptr := jsonPointer(e.JSONPointer())
		where := ptr
		if where == "" {
			where = "(body)"
		}
		*out = append(*out, Finding{Message: where + ": " + schemaErrorMessage(e), Pointer: ptr})
	default:
		// kin wraps the allOf branches' errors in unexported types.
		collectSchemaErrors(errors.Unwrap(err), out)
	}
}

// declaredOnly says whether text, which the fast path passed against s, has
// no undeclared field: the fast walk's own answer, or when it was not sure,
// Declared's walk.
func declaredOnly(r *Response, s *openapi3.Schema, text []byte) bool {
	if v, ok := r.judged(s, text); oneWalk && ok && v.Valid && v.Declared {
		return true
	}
	return fastschema.DeclaredFor(s).None(text)
}

// walkDeclared reports fields of value that none of schemas declares. An
// object is judged only where some schema lists properties: a bare
// `type: object` or `{}` is the contract saying "anything".
func walkDeclared(schemas []*openapi3.Schema, value any, path []string, out *[]Finding) {
	flat := flattenSchemas(schemas)
	switch v := value.(type) {
	case map[string]any:
		declares, open := false, false
		props := map[string][]*openapi3.Schema{}
		var extra []*openapi3.Schema
		for _, s := range flat {
			if len(s.Properties) > 0 {
				declares = true
			}
			for name, p := range s.Properties {
				if p != nil && p.Value != nil {
					props[name] = append(props[name], p.Value)
				}
			}
			ap := s.AdditionalProperties
			if ap.Has != nil {
				// Explicitly open, or explicitly closed (then kin reports it).
				open = true
			}
			if ap.Schema != nil && ap.Schema.Value != nil {
				open = true
				extra = append(extra, ap.Schema.Value)
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			child := append(path[:len(path):len(path)], k)
			sub, ok := props[k]
			if !ok {
				if declares && !open {
					ptr := jsonPointer(child)
					*out = append(*out, Finding{Message: "undeclared field " + ptr, Pointer: ptr})
				}
				sub = extra
			}
			walkDeclared(sub, v[k], child, out)
		}
	case []any:
		var items []*openapi3.Schema
		for _, s := range flat {
			if s.Items != nil && s.Items.Value != nil {
				items = append(items, s.Items.Value)
			}
		}
		for i, e := range v {
			walkDeclared(items, e, append(path[:len(path):len(path)], strconv.Itoa(i)), out)
		}
	}
}

// flattenSchemas is fastschema.Flatten: the fast path and this walk must
// agree on what a schema declares.
func flattenSchemas(schemas []*openapi3.Schema) []*openapi3.Schema {
	return fastschema.Flatten(schemas)
}

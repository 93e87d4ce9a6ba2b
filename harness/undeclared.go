package harness

import (
	"encoding/json"

	"github.com/getkin/kin-openapi/openapi3"
)

// FieldValue is one field of a body with its value as JSON text.
type FieldValue struct {
	Pointer string
	Value   string
}

// UndeclaredFields lists the fields of ex's JSON body that the schema
// documented for its status does not declare: what strict mode reports, with
// each value (unmasked: the caller masks what it shows). It lists nothing
// when the status, the media type or the body leave nothing to compare.
func UndeclaredFields(ex *Exchange) []FieldValue {
	if ex == nil || ex.Response == nil || ex.Op == nil {
		return nil
	}
	resp := documentedResponse(ex.Op, ex.Response.Status)
	if resp == nil {
		return nil
	}
	mediaType, mt := documentedMediaType(resp, ex.Response.Header.Get("Content-Type"))
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil || !isJSONMediaType(mediaType) {
		return nil
	}
	if declaredOnly(ex.Response, mt.Schema.Value, ex.Response.JSONText()) {
		// Every field is declared (decided on the raw bytes): no need to
		// decode the body to find the ones that are not.
		return nil
	}
	root, ok := ex.Response.JSONValue()
	if !ok {
		return nil
	}
	var findings []Finding
	walkDeclared([]*openapi3.Schema{mt.Schema.Value}, root, nil, &findings)
	out := make([]FieldValue, 0, len(findings))
	for _, f := range findings {
		value, _ := valueAtPointer(root, f.Pointer)
		text, _ := json.Marshal(value)
		out = append(out, FieldValue{Pointer: f.Pointer, Value: string(text)})
	}
	return out
}

package harness

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

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
	var root any
	dec := json.NewDecoder(bytes.NewReader(ex.Response.Body))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil
	}
	var findings []Finding
	walkDeclared([]*openapi3.Schema{mt.Schema.Value}, root, nil, &findings)
	out := make([]FieldValue, 0, len(findings))
	for _, f := range findings {
		text, _ := json.Marshal(valueAt(root, f.Pointer))
		out = append(out, FieldValue{Pointer: f.Pointer, Value: string(text)})
	}
	return out
}

// valueAt follows a JSON pointer into a decoded document.
func valueAt(v any, pointer string) any {
	if pointer == "" {
		return v
	}
	for _, seg := range strings.Split(pointer[1:], "/") {
		seg = strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
		switch t := v.(type) {
		case map[string]any:
			v = t[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

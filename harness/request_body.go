package harness

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
)

// RequestBodyProblem says why a request's JSON body is not one the contract
// documents for op: not JSON, a field of the wrong type, a required field
// missing. It says nothing ("") when the contract documents no JSON body for
// op, when the request sent none, or when it was sent as another media type
// (a form post is not judged against a JSON schema). The answer to such a
// request is judged as the answer to a malformed request: a 4xx, never a
// 2xx or a 5xx (negative_data_rejection).
func RequestBodyProblem(op *Operation, header http.Header, body []byte) string {
	schema := requestBodySchema(op)
	if schema == nil || len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	if ct := header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || !isJSONMediaType(mt) {
			return ""
		}
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return "the request body is not JSON"
	}
	if err := schema.VisitJSON(value, openapi3.MultiErrors()); err != nil {
		var findings []Finding
		collectSchemaErrors(err, &findings)
		msg := "the request body does not match the contract"
		if len(findings) > 0 {
			msg += ": " + findings[0].Message
		}
		return cut(patterns.String(msg), 200)
	}
	return ""
}

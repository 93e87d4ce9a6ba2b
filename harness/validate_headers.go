package harness

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// runResponseHeaders judges every header the contract documents for the
// status. kin stops at the first bad header, so it is handed one header at a
// time and every error is kept.
func runResponseHeaders(ex *Exchange) ([]Finding, string) {
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
	names := make([]string, 0, len(resp.Headers))
	for name := range resp.Headers {
		// OpenAPI: a Content-Type header definition is ignored.
		if !strings.EqualFold(name, "Content-Type") {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Sprintf("%s for status %d", noHeaderDocumented, ex.Response.Status)
	}
	slices.Sort(names)
	var findings []Finding
	for _, name := range names {
		only := &openapi3.Response{Headers: openapi3.Headers{name: resp.Headers[name]}}
		err := openapi3filter.ValidateResponse(context.Background(), responseValidationInput(ex, only))
		if err != nil {
			findings = append(findings, headerFinding(err, ex.Response.Header.Values(name)))
		}
	}
	return findings, ""
}

// headerFinding words a header error without the header's value: kin's
// decode errors quote it, and a header may carry a cookie or a token.
func headerFinding(err error, values []string) Finding {
	var respErr *openapi3filter.ResponseError
	if !errors.As(err, &respErr) {
		return Finding{Message: patterns.Values(err.Error(), values...)}
	}
	msg := respErr.Reason
	var reasons []string
	var schemaFound []Finding
	collectSchemaErrors(respErr.Err, &schemaFound)
	for _, f := range schemaFound {
		reasons = append(reasons, strings.TrimPrefix(f.Message, "(body): "))
	}
	if len(reasons) == 0 && respErr.Err != nil {
		reasons = append(reasons, respErr.Err.Error())
	}
	if len(reasons) > 0 {
		msg += ": " + strings.Join(reasons, "; ")
	}
	return Finding{Message: patterns.Values(msg, values...)}
}

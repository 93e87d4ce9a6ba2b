package harness

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
)

// Check names, as the reports print them. They follow the names Schemathesis
// users know, so a finding reads the same in either tool.
const (
	CheckResponseReceived     = "response_received"
	CheckNotAServerError      = "not_a_server_error"
	CheckStatusCode           = "status_code_conformance"
	CheckContentType          = "content_type_conformance"
	CheckResponseHeaders      = "response_headers_conformance"
	CheckResponseSchema       = "response_schema_conformance"
	CheckDocumentedErrorCase  = "documented_error_case"
	CheckIgnoredAuth          = "ignored_auth"
	CheckNegativeDataRejected = "negative_data_rejection"
	// CheckPositiveDataAcceptance: a request the contract accepts is not
	// refused as malformed (Schemathesis' positive_data_acceptance).
	CheckPositiveDataAcceptance = "positive_data_acceptance"
	CheckPagination             = "pagination_conformance"
	CheckMethodEquivalence      = "method_equivalence"
	CheckStatefulConsistency    = "stateful_consistency"
	// CheckIdentityIsolation: one account's request never acts as, or lands
	// on, another account. Clubhouse sends identity twice (the token and
	// CH-UserID) and only the token may decide; a server that breaks it
	// still answers with bodies that validate, so no other check sees it.
	CheckIdentityIsolation = "identity_isolation"
	// CheckJSONInterop: a body two JSON parsers could read differently (a
	// repeated member name, bytes that are not UTF-8, a lone surrogate, an
	// integer past 2^53), so that a client may read another answer than the
	// one the checks judged.
	CheckJSONInterop = "json_interop"
)

// CheckStatus is the verdict of one check on one exchange.
type CheckStatus string

const (
	CheckPassed  CheckStatus = "passed"
	CheckFailed  CheckStatus = "failed"
	CheckSkipped CheckStatus = "skipped" // not applicable to this exchange
)

// Finding is one way an exchange breaks the contract.
type Finding struct {
	Message string `json:"message"`
	// Pointer is the JSON pointer into the response body, when the finding is
	// about one value ("/user_profile/user_id").
	Pointer string `json:"pointer,omitempty"`
}

// CheckResult is the verdict of one check on one exchange.
type CheckResult struct {
	Name     string      `json:"name"`
	Status   CheckStatus `json:"status"`
	Findings []Finding   `json:"findings,omitempty"`
	// Reason says why a check was skipped.
	Reason string `json:"reason,omitempty"`
}

// Check is one named rule applied to an exchange.
type Check struct {
	Name string
	// Run judges the exchange. It returns skip != "" when the rule does not
	// apply (with the reason), otherwise the findings (none: passed).
	Run func(*Exchange) (findings []Finding, skip string)
}

// ResponseReceived fails when no HTTP response came back; every later check
// of a Verify is then skipped, since there is nothing to judge.
func ResponseReceived() Check {
	return Check{Name: CheckResponseReceived, Run: func(ex *Exchange) ([]Finding, string) {
		switch {
		case ex == nil:
			return []Finding{{Message: "no exchange: nothing was sent"}}, ""
		case ex.Err != nil:
			return []Finding{{Message: "no response: " + patterns.String(ex.Err.Error())}}, ""
		case ex.Response == nil:
			return []Finding{{Message: "no response and no transport error recorded"}}, ""
		case guardDepth(ex):
			// An exchange that did not come through Client (a capture, a
			// test's): judged like one that did.
			return []Finding{{Message: "no response: " + ex.Err.Error()}}, ""
		}
		return nil, ""
	}}
}

// NotAServerError fails on any 5xx, documented or not: a conformant target
// never crashes on a request the suite sends.
func NotAServerError() Check {
	return Check{Name: CheckNotAServerError, Run: func(ex *Exchange) ([]Finding, string) {
		if skip := noResponse(ex); skip != "" {
			return nil, skip
		}
		if s := ex.Response.Status; s >= 500 && s <= 599 {
			return []Finding{{Message: fmt.Sprintf("server error: status %d", s)}}, ""
		}
		return nil, ""
	}}
}

// StatusCodeConformance fails when the status is not documented for the
// operation: exactly, by its range ("4XX") or by "default". It does not rely
// on ValidateResponse, which lets HEAD and 301/304/307/308 through unjudged.
func StatusCodeConformance() Check {
	return Check{Name: CheckStatusCode, Run: func(ex *Exchange) ([]Finding, string) {
		if skip := noResponse(ex); skip != "" {
			return nil, skip
		}
		if ex.Op == nil {
			return nil, "the exchange names no operation"
		}
		if documentedResponse(ex.Op, ex.Response.Status) == nil {
			return []Finding{{Message: fmt.Sprintf("status %d is not documented for %s (documented: %s)",
				ex.Response.Status, ex.Op.ID, documentedStatuses(ex.Op))}}, ""
		}
		return nil, ""
	}}
}

// ContentTypeConformance fails when Content-Type is missing, malformed or not
// documented for the status, and when a status documented without content
// comes with a body.
func ContentTypeConformance() Check {
	return Check{Name: CheckContentType, Run: runContentType}
}

func runContentType(ex *Exchange) ([]Finding, string) {
	if skip := noResponse(ex); skip != "" {
		return nil, skip
	}
	if ex.Op == nil {
		return nil, "the exchange names no operation"
	}
	status := ex.Response.Status
	resp := documentedResponse(ex.Op, status)
	if resp == nil {
		return nil, fmt.Sprintf("status %d is not documented (%s)", status, CheckStatusCode)
	}
	if len(resp.Content) == 0 {
		if n := len(ex.Response.Body); n > 0 {
			return []Finding{{Message: fmt.Sprintf("the contract documents no content for status %d, got a %d-byte body", status, n)}}, ""
		}
		return nil, ""
	}
	documented := make([]string, 0, len(resp.Content))
	for mt := range resp.Content {
		documented = append(documented, mt)
	}
	slices.Sort(documented)
	ct := ex.Response.Header.Get("Content-Type")
	if ct == "" {
		return []Finding{{Message: fmt.Sprintf("Content-Type is missing (documented for status %d: %s)", status, strings.Join(documented, ", "))}}, ""
	}
	mediaType, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return []Finding{{Message: fmt.Sprintf("Content-Type %q is malformed: %v", cut(patterns.String(ct), 100), patterns.String(err.Error()))}}, ""
	}
	if resp.Content.Get(mediaType) == nil {
		return []Finding{{Message: fmt.Sprintf("Content-Type %q is not documented for status %d (documented: %s)", mediaType, status, strings.Join(documented, ", "))}}, ""
	}
	return nil, ""
}

// ResponseHeadersConformance fails for each documented header that is
// missing while required, or whose value does not fit its schema.
func ResponseHeadersConformance() Check {
	return Check{Name: CheckResponseHeaders, Run: runResponseHeaders}
}

// ResponseSchemaConformance fails when the body does not validate against the
// documented schema, one finding per error with its JSON pointer. Strict also
// reports fields the schema does not declare (additionalProperties is open by
// default, so the contract alone would let them pass).
func ResponseSchemaConformance(strict bool) Check {
	return Check{Name: CheckResponseSchema, Run: func(ex *Exchange) ([]Finding, string) {
		return runResponseSchema(ex, strict)
	}}
}

// StandardChecks are the checks every exchange of the contract table gets.
func StandardChecks(strict bool) []Check {
	return []Check{
		ResponseReceived(),
		NotRateLimited(),
		NotAServerError(),
		StatusCodeConformance(),
		ContentTypeConformance(),
		ResponseHeadersConformance(),
		ResponseSchemaConformance(strict),
		JSONInterop(),
	}
}

// errorBodyCut bounds the bodies quoted by the error-case checks: enough to
// read an envelope, not a page of HTML.
const errorBodyCut = 500

// DocumentedErrorCase fails unless the response has exactly status and a body
// JSON-equal to the documented example (key order ignored, numbers compared
// by value).
func DocumentedErrorCase(status int, example Example) Check {
	return Check{Name: CheckDocumentedErrorCase, Run: func(ex *Exchange) ([]Finding, string) {
		if skip := noResponse(ex); skip != "" {
			return nil, skip
		}
		want, err := json.Marshal(example.Value)
		if err != nil {
			return []Finding{{Message: fmt.Sprintf("example %q cannot be encoded as JSON: %v", example.Name, err)}}, ""
		}
		got := ex.Response.Body
		if ex.Response.Status == status {
			ptr, equal := jsonEqualBody(want, ex.Response)
			if equal {
				return nil, ""
			}
			return []Finding{{
				Message: fmt.Sprintf("expected the documented body of example %q: %s; got: %s (first difference at %q)",
					example.Name, maskedBody(want, errorBodyCut), maskedBody(got, errorBodyCut), ptr),
				Pointer: ptr,
			}}, ""
		}
		return []Finding{{Message: fmt.Sprintf("expected status %d with the body of example %q: %s; got status %d with: %s",
			status, example.Name, maskedBody(want, errorBodyCut), ex.Response.Status, maskedBody(got, errorBodyCut))}}, ""
	}}
}

// IgnoredAuth judges an exchange sent without credentials or with an invalid
// token: only a 401 with a DRF envelope {"detail": "..."} passes, with that
// detail when detail is not empty.
func IgnoredAuth(detail string) Check {
	return Check{Name: CheckIgnoredAuth, Run: func(ex *Exchange) ([]Finding, string) {
		if skip := noResponse(ex); skip != "" {
			return nil, skip
		}
		status, body := ex.Response.Status, ex.Response.Body
		switch {
		case status >= 200 && status <= 299:
			return []Finding{{Message: fmt.Sprintf("endpoint ignored authentication: status %d without valid credentials", status)}}, ""
		case status != http.StatusUnauthorized:
			return []Finding{{Message: fmt.Sprintf("expected 401 without valid credentials, got %d: %s", status, maskedBody(body, errorBodyCut))}}, ""
		}
		got, ok := drfDetail(ex.Response)
		if !ok {
			return []Finding{{Message: `401 body is not a DRF envelope {"detail": "<string>"}: ` + maskedBody(body, errorBodyCut)}}, ""
		}
		if detail != "" && got != detail {
			return []Finding{{Message: fmt.Sprintf("expected detail %q, got %q", detail, cut(patterns.String(got), errorBodyCut)), Pointer: "/detail"}}, ""
		}
		return nil, ""
	}}
}

// BodyUnjudged says why the results of one exchange left its body unjudged:
// response_schema_conformance did not run, or skipped (the capture kept no
// body, the client cut it, no documented Content-Type to read it by). ""
// when the check passed or failed, or skipped only because the contract
// documents no schema to hold the body to. A status is verified only with a
// body judged, so a skip must never count as a pass.
func BodyUnjudged(results []CheckResult) string {
	for _, r := range results {
		if r.Name != CheckResponseSchema {
			continue
		}
		if r.Status != CheckSkipped || strings.HasPrefix(r.Reason, noSchemaDocumented) {
			return ""
		}
		return r.Reason
	}
	return CheckResponseSchema + " did not run"
}

// Unjudged says why the results of one exchange left part of what the
// contract documents for its status unjudged, naming the check: the body
// (BodyUnjudged), or documented headers that response_headers_conformance
// could not read (a capture that kept no header). "" when everything the
// contract documents for the status got a verdict.
func Unjudged(results []CheckResult) string {
	var why []string
	if body := BodyUnjudged(results); body != "" {
		why = append(why, CheckResponseSchema+": "+body)
	}
	for _, r := range results {
		if r.Name == CheckResponseHeaders && r.Status == CheckSkipped && !strings.HasPrefix(r.Reason, noHeaderDocumented) {
			why = append(why, r.Name+": "+r.Reason)
		}
	}
	return strings.Join(why, "; ")
}

// noSchemaDocumented and noHeaderDocumented start the skip reasons of what
// the contract does not describe: nothing to validate, nothing left
// unjudged.
const (
	noSchemaDocumented = "no schema documented"
	noHeaderDocumented = "no header documented"
)

// noResponse is the skip reason of a check that judges a response, when
// there is none ("" when there is one): run outside Verify (harness/suite
// compares exchanges with MethodEquivalence directly), a check must not
// panic on an exchange that got no answer.
func noResponse(ex *Exchange) string {
	if ex == nil || ex.Response == nil {
		return "no response"
	}
	return ""
}

// Verify runs checks in order on ex and records the results. Once there is
// no response, the checks that need one are skipped with "no response"; a
// panicking check becomes a failed result that names it.
func Verify(ex *Exchange, checks ...Check) []CheckResult {
	results := make([]CheckResult, 0, len(checks))
	noResponse := ex == nil
	for _, c := range checks {
		if c.Name == CheckResponseSchema {
			primeReading(ex)
			break
		}
	}
	for _, c := range checks {
		if noResponse || (c.Name != CheckResponseReceived && ex.Response == nil) {
			results = append(results, CheckResult{Name: c.Name, Status: CheckSkipped, Reason: "no response"})
			continue
		}
		r := runCheck(c, ex)
		if c.Name == CheckResponseReceived && r.Status == CheckFailed {
			noResponse = true
		}
		results = append(results, r)
	}
	ex.recordChecks(results)
	return results
}

// runCheck runs one check, turning a panic into a failed result: one broken
// check must not hide the verdicts of the others.
func runCheck(c Check, ex *Exchange) (result CheckResult) {
	result.Name = c.Name
	defer func() {
		if p := recover(); p != nil {
			result = CheckResult{Name: c.Name, Status: CheckFailed,
				Findings: []Finding{{Message: patterns.String(fmt.Sprintf("check %s panicked: %v", c.Name, p))}}}
		}
	}()
	if c.Run == nil {
		return CheckResult{Name: c.Name, Status: CheckSkipped, Reason: "check has no rule"}
	}
	findings, skip := c.Run(ex)
	switch {
	case skip != "":
		result.Status, result.Reason = CheckSkipped, patterns.String(skip)
	case len(findings) > 0:
		findings = capFindings(c.Name, findings)
		// Each check masks what it quotes; this is the net under them.
		for i := range findings {
			findings[i].Message = patterns.String(findings[i].Message)
		}
		result.Status, result.Findings = CheckFailed, findings
	default:
		result.Status = CheckPassed
	}
	return result
}

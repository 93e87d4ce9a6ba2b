package harness

import (
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// MalformedRefusalStatus is how the real server refuses a body of the wrong
// shape (ground truth §2.2 [OBS], issue #1 of the seed's client), and DRF's
// status for a JSON parse error. Most operations do not document it: a
// refusal with it is judged by its body, and the missing status is the
// contract's gap, which a provisional spec reports (suite.NegativeProbes).
const MalformedRefusalStatus = 400

// The contract's two refusal envelopes, as components: DRF's {"detail": ...},
// which Django answers for what it refuses before any view runs (a JSON
// parse error), and the app's {"success": false, "error_message": ...},
// which the contract describes as its failure envelope "mostly with HTTP
// 400" (ground truth §3.1): either may refuse input whatever the operation
// documents.
var envelopeComponents = []struct{ name, schema string }{
	{`the app's {"success": false, "error_message": ...} (AppError)`, "AppError"},
	{`DRF's {"detail": ...} (DRFDetail)`, "DRFDetail"},
}

// NegativeDataRejection judges the answer to a deliberately malformed
// request (see MalformedRequests) as any answer is judged: a 2xx accepted it,
// a 5xx crashed on it, anything else but a 4xx is no refusal. A 4xx must
// carry one of the contract's refusal envelopes (RefusalEnvelopes), and its
// status must be one the operation documents or MalformedRefusalStatus: a
// 418 with {"detail": "I'm a teapot"} is no refusal the contract knows.
func NegativeDataRejection() Check {
	return Check{Name: CheckNegativeDataRejected, Run: runNegativeDataRejection}
}

func runNegativeDataRejection(ex *Exchange) ([]Finding, string) {
	if skip := noResponse(ex); skip != "" {
		return nil, skip
	}
	s := ex.Response.Status
	body := maskedBody(ex.Response.Body, errorBodyCut)
	switch {
	case s >= 200 && s <= 299:
		return []Finding{{Message: fmt.Sprintf("accepted a malformed request: status %d, expected a 4xx; body: %s", s, body)}}, ""
	case s >= 500 && s <= 599:
		return []Finding{{Message: fmt.Sprintf("a malformed request caused a server error: status %d, expected a 4xx; body: %s", s, body)}}, ""
	case s < 400 || s > 499:
		return []Finding{{Message: fmt.Sprintf("did not reject a malformed request: status %d, expected a 4xx; body: %s", s, body)}}, ""
	}
	if ex.Op == nil {
		return nil, "the exchange names no operation"
	}
	var findings []Finding
	if s != MalformedRefusalStatus && documentedResponse(ex.Op, s) == nil {
		findings = append(findings, Finding{Message: fmt.Sprintf(
			"refused with status %d, which %s does not document (documented: %s) and is not the %d the real server refuses a malformed body with",
			s, ex.Op.ID, documentedStatuses(ex.Op), MalformedRefusalStatus)})
	}
	if f := refusalBodyFinding(ex); f != nil {
		findings = append(findings, *f)
	}
	return findings, ""
}

// Envelope is one body the contract documents for a refusal.
type Envelope struct {
	Name   string
	Schema *openapi3.Schema
}

// RefusalEnvelopes are the bodies a refusal of a malformed request to op
// with status may carry: the JSON schema of each 4xx response op documents
// (status's own first), then the contract's envelope components (the app's
// and DRF's) when it defines them; one schema listed once.
func RefusalEnvelopes(op *Operation, status int) []Envelope {
	var out []Envelope
	seen := map[*openapi3.Schema]bool{}
	add := func(name string, s *openapi3.Schema) {
		if s != nil && !seen[s] {
			seen[s] = true
			out = append(out, Envelope{Name: name, Schema: s})
		}
	}
	if op == nil || op.Op == nil {
		return nil
	}
	codes := []int{status}
	for _, r := range op.Responses() {
		if r.Status >= 400 && r.Status <= 499 && r.Status != status {
			codes = append(codes, r.Status)
		}
	}
	for _, code := range codes {
		if resp := documentedResponse(op, code); resp != nil {
			if mt := resp.Content.Get("application/json"); mt != nil && mt.Schema != nil {
				add(fmt.Sprintf("the documented %d body", code), mt.Schema.Value)
			}
		}
	}
	if op.spec != nil && op.spec.Doc != nil && op.spec.Doc.Components != nil {
		for _, c := range envelopeComponents {
			if ref := op.spec.Doc.Components.Schemas[c.schema]; ref != nil {
				add(c.name, ref.Value)
			}
		}
	}
	return out
}

// refusalBodyFinding says how the refusal's body fails to be any of the
// refusal envelopes; nil when it is one.
func refusalBodyFinding(ex *Exchange) *Finding {
	envelopes := RefusalEnvelopes(ex.Op, ex.Response.Status)
	if len(envelopes) == 0 {
		return nil // the contract documents no refusal body to hold it to
	}
	names := make([]string, len(envelopes))
	for i, e := range envelopes {
		names[i] = e.Name
	}
	want := "the contract's refusal envelopes for " + ex.Op.ID + ": " + strings.Join(names, ", ")
	if f := jsonSyntaxFinding(ex.Response.Body); f != nil {
		return &Finding{Message: fmt.Sprintf("the refusal's body is no refusal envelope (%s), expected one of %s", f.Message, want)}
	}
	// The exchange's one reading of the body, as every other check reads it.
	value, ok := ex.Response.JSONValue()
	if !ok {
		return &Finding{Message: "the refusal's body is not valid JSON, expected one of " + want}
	}
	var first []Finding
	for i, e := range envelopes {
		err := e.Schema.VisitJSON(value, openapi3.VisitAsResponse(), openapi3.MultiErrors())
		if err == nil {
			return nil
		}
		if i == 0 {
			collectSchemaErrors(err, &first)
		}
	}
	msg := "the refusal's body is none of " + want
	if len(first) > 0 {
		// The first envelope is the status's own, when it documents one:
		// its errors say most about what went wrong.
		msg += fmt.Sprintf(" (against %s: %s)", envelopes[0].Name, first[0].Message)
	}
	return &Finding{Message: msg + "; body: " + maskedBody(ex.Response.Body, errorBodyCut), Pointer: firstPointer(first)}
}

func firstPointer(fs []Finding) string {
	if len(fs) == 0 {
		return ""
	}
	return fs[0].Pointer
}

// UndocumentedRefusal says why a refusal of a malformed request has a status
// op does not document ("" when it documents it, or the answer is no 4xx):
// the contract's gap, not the target's, while the real server's refusal of
// such input is evidenced only by its status.
func UndocumentedRefusal(ex *Exchange) string {
	if ex == nil || ex.Response == nil || ex.Op == nil {
		return ""
	}
	s := ex.Response.Status
	if s < 400 || s > 499 || documentedResponse(ex.Op, s) != nil {
		return ""
	}
	return fmt.Sprintf("refused with status %d, which %s does not document (documented: %s)", s, ex.Op.ID, documentedStatuses(ex.Op))
}

// PositiveDataAcceptance judges the answer to a request the contract
// accepts (a generated valid request): 400 and 422 refuse it as malformed,
// unless the body is one of the op's documented examples for that status (a
// documented refusal of the state, not of the input); another 4xx must be
// one op documents. 401, 403 and 404 are answers about the account or the
// thing asked for, as Schemathesis counts them; a 5xx is
// not_a_server_error's.
func PositiveDataAcceptance() Check {
	return Check{Name: CheckPositiveDataAcceptance, Run: runPositiveDataAcceptance}
}

func runPositiveDataAcceptance(ex *Exchange) ([]Finding, string) {
	if skip := noResponse(ex); skip != "" {
		return nil, skip
	}
	if ex.Op == nil {
		return nil, "the exchange names no operation"
	}
	s := ex.Response.Status
	switch {
	case s < 400 || s > 499 || s == 401 || s == 403 || s == 404 || s == 429:
		return nil, ""
	case s == 400 || s == 422:
		for _, r := range ex.Op.Responses() {
			if r.Status != s {
				continue
			}
			for _, example := range r.Examples {
				if f, _ := DocumentedErrorCase(s, example).Run(ex); len(f) == 0 {
					return nil, ""
				}
			}
		}
		return []Finding{{Message: fmt.Sprintf("refused a request the contract accepts: status %d, expected an answer to it; body: %s",
			s, maskedBody(ex.Response.Body, errorBodyCut))}}, ""
	case documentedResponse(ex.Op, s) == nil:
		return []Finding{{Message: fmt.Sprintf("refused a request the contract accepts with status %d, which %s does not document (documented: %s)",
			s, ex.Op.ID, documentedStatuses(ex.Op))}}, ""
	}
	return nil, ""
}

// DocumentedRefusal is negative_data_rejection's provisional half: the
// refusal of a malformed request comes with a status the operation
// documents (UndocumentedRefusal); an answer that is no refusal is the
// verdict's half's to judge.
func DocumentedRefusal() Check {
	return Check{Name: CheckNegativeDataRejected, Run: func(ex *Exchange) ([]Finding, string) {
		if skip := noResponse(ex); skip != "" {
			return nil, skip
		}
		if why := UndocumentedRefusal(ex); why != "" {
			return []Finding{{Message: why}}, ""
		}
		return nil, ""
	}}
}

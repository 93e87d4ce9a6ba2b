package harness

import (
	"fmt"
)

// IdentityIsolation judges an answer where two accounts' identities were in
// play: a request with one account's token and another's CH-UserID, a
// refresh token of one account, a read of one account after another's
// write. what names the promise ("me answers for A, not for B"); holds
// judges the answer (see ContainsJSONValue, LacksJSONValue), each finding
// prefixed with what.
//
// With refusal, a 4xx the contract documents for the operation keeps the
// promise: the server refused the mixed credentials rather than act for the
// wrong account. Without it the answer is a read that must be a 2xx to show
// anything, and any other status is a finding.
func IdentityIsolation(what string, holds func(*Exchange) []Finding, refusal bool) Check {
	return Check{Name: CheckIdentityIsolation, Run: func(ex *Exchange) ([]Finding, string) {
		if holds == nil {
			return nil, "no expectation given for: " + what
		}
		if skip := noResponse(ex); skip != "" {
			return nil, skip
		}
		s := ex.Response.Status
		switch {
		case s >= 200 && s <= 299:
		case refusal && s >= 400 && s <= 499 && ex.Op != nil && documentedResponse(ex.Op, s) != nil:
			return nil, "" // refused with a documented status: it acted for nobody
		case refusal:
			return []Finding{{Message: fmt.Sprintf("%s: status %d is neither an answer for the token's account nor a refusal the contract documents: %s",
				what, s, maskedBody(ex.Response.Body, errorBodyCut))}}, ""
		default:
			return []Finding{{Message: fmt.Sprintf("%s: the read answered status %d, not a 2xx: %s",
				what, s, maskedBody(ex.Response.Body, errorBodyCut))}}, ""
		}
		return prefixed(what, holds(ex)), ""
	}}
}

// LacksJSONValue is the opposite expectation of ContainsJSONValue: nothing
// at the gjson path of the body is unwanted (nor, when the path holds an
// array, any of its elements). The path must hold something, an empty list
// at least: "B is not among room X's users" shows nothing when room X is
// not listed at all, so a path that holds nothing is a finding, as is a
// body that is not JSON.
func LacksJSONValue(path string, unwanted any) func(*Exchange) []Finding {
	return func(ex *Exchange) []Finding {
		unwantedJSON, res, ptr, problem := readJSONAt(ex, path, unwanted, "expected no")
		if problem != nil {
			return problem
		}
		if !res.Exists() {
			return []Finding{{Message: fmt.Sprintf("expected no %s at %q, but there is nothing there to judge; body: %s",
				unwantedJSON, path, maskedBody(ex.Response.Body, errorBodyCut)), Pointer: ptr}}
		}
		if !holdsJSONValue(res, unwantedJSON) {
			return nil
		}
		return []Finding{{Message: fmt.Sprintf("%s is at %q, where it must not be; found: %s",
			unwantedJSON, path, describeFound(path, res)), Pointer: ptr}}
	}
}

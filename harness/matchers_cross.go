package harness

import (
	"fmt"

	"github.com/onsi/gomega/types"
)

// BePaginatedConsistently passes when the page agrees with the request that
// asked for it (the pagination_conformance check; see PaginationConformance
// for the rules). page 0 means 1; pageSize 0 means the request did not ask.
// A response that is not a page (not a 2xx, not a JSON object, no count)
// fails with "nothing to judge": a spec that expects a page and gets none
// must not pass (harness/suite asks only of answers that carry a count).
//
//	Expect(ex).To(BePaginatedConsistently(2, 50))
func BePaginatedConsistently(page, pageSize int) types.GomegaMatcher {
	promise := fmt.Sprintf("to be a consistent page %d", max(page, 1))
	if pageSize > 0 {
		promise += fmt.Sprintf(" of page_size %d", pageSize)
	}
	return &checksMatcher{promise: promise, checks: []Check{ResponseReceived(), PaginationConformance(page, pageSize)}}
}

// RejectMalformedInput passes when a deliberately malformed request (see
// MalformedRequests) got a refusal the contract knows: a 4xx it documents
// (or the real server's 400) carrying one of its refusal envelopes (the
// negative_data_rejection check), not rate limited.
func RejectMalformedInput() types.GomegaMatcher {
	return &checksMatcher{
		promise: "to reject a malformed request with a documented refusal",
		checks:  []Check{ResponseReceived(), NotRateLimited(), NegativeDataRejection()},
	}
}

// AnswerTheSameAs passes when the exchange and other, the same input sent
// by the alternate documented method, got the same status and JSON-equal
// bodies (the method_equivalence check).
//
//	Expect(byPost).To(AnswerTheSameAs(byGet))
func AnswerTheSameAs(other *Exchange) types.GomegaMatcher {
	promise := "to answer the same as the other method"
	if other != nil {
		promise = fmt.Sprintf("to answer the same as by %s", methodOf(other))
	}
	return &checksMatcher{promise: promise, checks: []Check{ResponseReceived(), MethodEquivalence(other)}}
}

// ShowTheWrite passes when a read made after a write shows it (the
// stateful_consistency check):
//
//	Expect(following).To(ShowTheWrite("the followed user appears in get_following",
//		ContainsJSONValue("users.#.user_id", id)))
func ShowTheWrite(what string, holds func(*Exchange) []Finding) types.GomegaMatcher {
	return &checksMatcher{
		promise: "to show the write: " + what,
		checks:  []Check{ResponseReceived(), StatefulConsistency(what, holds)},
	}
}

// ActForTheToken passes when an answer to a request that carried one
// account's token (and another account's identity beside it: a CH-UserID,
// a refresh token) acted for the token's account, or refused with a status
// the contract documents (the identity_isolation check):
//
//	Expect(me).To(ActForTheToken("me answers for A, not B",
//		ContainsJSONValue("user_profile.user_id", a)))
func ActForTheToken(what string, holds func(*Exchange) []Finding) types.GomegaMatcher {
	return &checksMatcher{
		promise: "to act for the token's account only: " + what,
		checks:  []Check{ResponseReceived(), IdentityIsolation(what, holds, true)},
	}
}

// KeepAccountsApart passes when a read made by one account shows nothing
// another account wrote (the identity_isolation check); the read must be a
// 2xx:
//
//	Expect(followingOfB).To(KeepAccountsApart("A's follow is not B's",
//		LacksJSONValue("users.#.user_id", x)))
func KeepAccountsApart(what string, holds func(*Exchange) []Finding) types.GomegaMatcher {
	return &checksMatcher{
		promise: "to keep accounts apart: " + what,
		checks:  []Check{ResponseReceived(), IdentityIsolation(what, holds, false)},
	}
}

// PassChecks passes when none of checks fails on the exchange and one of
// them judged it: the matcher of a request the suite generated, whose
// checks depend on what the request was (harness/explore).
func PassChecks(promise string, checks ...Check) types.GomegaMatcher {
	return &checksMatcher{promise: promise, checks: checks}
}

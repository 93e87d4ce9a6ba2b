package explore

import (
	"fmt"
	"strings"

	"github.com/chconform/chconform/harness"
)

// Purpose is which half of the checks an exploration applies.
type Purpose string

const (
	// Verdict: the checks whose failure is the target's, whatever the
	// contract leaves unsaid: no 5xx, an answer that conforms when its
	// status is documented (or a success), a malformed request refused.
	Verdict Purpose = "verdict"
	// Provisional: the checks the real server's behaviour does not back
	// yet (what it answers to valid input it has no data for, to input out
	// of range or off its pattern, with which status it refuses): reported
	// apart, never in the verdict.
	Provisional Purpose = "provisional"
)

// Checks are the checks of p for the answer to a request of kind.
func Checks(p Purpose, kind Kind, ex *harness.Exchange, strict bool) []harness.Check {
	if p == Provisional {
		c := []harness.Check{harness.ResponseReceived()}
		switch kind {
		case Valid:
			return append(c, harness.PositiveDataAcceptance())
		case Malformed:
			return append(c, harness.DocumentedRefusal())
		default:
			return append(c, harness.NegativeDataRejection())
		}
	}
	base := []harness.Check{harness.ResponseReceived(), harness.NotRateLimited(), harness.NotAServerError(), harness.JSONInterop()}
	if ex == nil || ex.Response == nil {
		return base
	}
	if kind == Malformed {
		return append(base, harness.NegativeDataRejection())
	}
	s := ex.Response.Status
	if (s >= 200 && s <= 299) || (ex.Op != nil && ex.Op.Documents(s)) {
		// Accepted, or answered with a documented status: the answer is
		// held to the contract like any.
		return harness.StandardChecks(strict)
	}
	// A refusal with a status the contract does not document, of input the
	// real server's answer to is not evidenced: the provisional half's.
	return base
}

// Reason is why results fail, in the words shrinking compares: the failed
// checks and the status class, never a body (a smaller request that fails
// the same way gets another body). "" when none failed.
func Reason(ex *harness.Exchange, results []harness.CheckResult) string {
	var failed []string
	for _, r := range results {
		if r.Status == harness.CheckFailed {
			failed = append(failed, r.Name)
		}
	}
	if len(failed) == 0 {
		return ""
	}
	class := "no response"
	if ex != nil && ex.Response != nil {
		class = fmt.Sprintf("status %dxx", ex.Response.Status/100)
	}
	return strings.Join(failed, ", ") + " (" + class + ")"
}

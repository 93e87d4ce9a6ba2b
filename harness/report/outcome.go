package report

import (
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// Outcome is what a spec (or, rolled up, an operation) came to. The values
// are the words summary.json and the human verdict print.
type Outcome string

const (
	// OutcomeNotRun is the bottom of the lattice: an operation no selected
	// spec touched. A spec never has it.
	OutcomeNotRun      Outcome = "not_run"
	OutcomeDisabled    Outcome = "disabled"
	OutcomeUnsupported Outcome = "unsupported"
	OutcomePassed      Outcome = "passed"
	OutcomeFailed      Outcome = "failed"
	OutcomeError       Outcome = "error"
)

// HarnessErrorPrefix marks a failure the harness raised because it could not
// run a spec (connection refused, bad config), as opposed to the target
// breaking the contract: the former exits 2, the latter 1.
const HarnessErrorPrefix = "harness error:"

// rank places an outcome in the monotonic lattice
// not_run < disabled < unsupported < passed < failed < error, so that a
// roll-up can only ever raise a status and the order in which specs are
// visited cannot change the result.
func (o Outcome) rank() int {
	switch o {
	case OutcomeDisabled:
		return 1
	case OutcomeUnsupported:
		return 2
	case OutcomePassed:
		return 3
	case outcomeFlaky: // only in a diff (diff.go)
		return 4
	case OutcomeFailed:
		return 5
	case OutcomeError:
		return 6
	default:
		return 0
	}
}

// raise returns the higher of two outcomes in the lattice.
func (o Outcome) raise(other Outcome) Outcome {
	if other.rank() > o.rank() {
		return other
	}
	return o
}

// classify maps one Ginkgo spec report to an outcome and its reason.
// selected is false for specs the run never meant to run: Ginkgo reports
// specs excluded by a label filter or focus as "skipped" with no failure
// message, and PIt/PDescribe as "pending"; those are counted nowhere.
// (Specs Ginkgo skipped after a BeforeSuite failure or --fail-fast look the
// same; the failure that caused it is reported on its own.)
func classify(sr types.SpecReport) (o Outcome, reason string, selected bool) {
	msg := sr.Failure.Message
	switch {
	case sr.State == types.SpecStatePassed:
		return OutcomePassed, "", true
	case sr.State == types.SpecStatePending:
		return "", "", false
	case sr.State == types.SpecStateSkipped:
		switch {
		case msg == "":
			return "", "", false
		case strings.HasPrefix(msg, SkipUnsupported):
			return OutcomeUnsupported, oneLine(strings.TrimPrefix(msg, SkipUnsupported)), true
		case strings.HasPrefix(msg, SkipDisabled):
			return OutcomeDisabled, oneLine(strings.TrimPrefix(msg, SkipDisabled)), true
		default:
			// A bare Skip still means someone chose not to run it; calling it
			// disabled keeps it out of the exit code while the reason shows.
			return OutcomeDisabled, oneLine(msg), true
		}
	case sr.State == types.SpecStateFailed:
		if strings.HasPrefix(msg, HarnessErrorPrefix) {
			return OutcomeError, oneLine(msg), true
		}
		return OutcomeFailed, oneLine(msg), true
	case sr.State.Is(types.SpecStatePanicked):
		reason := oneLine(msg)
		if p := oneLine(sr.Failure.ForwardedPanic); p != "" {
			reason += ": " + p
		}
		return OutcomeError, reason, true
	case sr.State.Is(types.SpecStateAborted | types.SpecStateInterrupted | types.SpecStateTimedout):
		reason := oneLine(msg)
		if reason == "" {
			reason = sr.State.String()
		}
		return OutcomeError, reason, true
	default:
		// An invalid state means the report itself is broken: never let that
		// pass silently.
		return OutcomeError, "unexpected spec state " + sr.State.String(), true
	}
}

// maxReason caps a reason so the verdict stays one readable line per spec;
// the full message is still in ginkgo.json and junit.xml.
const maxReason = 240

// oneLine makes a failure message fit one line. It is not the literal
// first line: Gomega's messages start with a bare "Expected" and put the
// substance on the lines after, so the lines are joined and whitespace
// collapsed before cutting.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxReason {
		s = string(r[:maxReason-1]) + "…"
	}
	return s
}

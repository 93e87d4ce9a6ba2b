package mutation

import (
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/chconform/chconform/harness"
)

// Survivor reasons.
const (
	ReasonSuiteGap    = "suite gap"
	ReasonContractGap = "contract gap"
	ReasonEquivalent  = "equivalent mutant"
	// ReasonUnevidenced: the fault accepts input the contract refuses but
	// the real server's answer to which is not evidenced; the checks that
	// would see it are provisional, so no spec of the verdict may fail on it.
	ReasonUnevidenced = "not evidenced"
)

// knownReason explains survivors that were studied and are not suite gaps:
// the mutant ID pattern (path.Match syntax), the reason and why.
type knownReason struct {
	pattern, reason, why string
}

// known is read before the automatic classification. Each entry was checked
// by hand against the contract and the emulator.
var known = []knownReason{
	{"check_for_update/401/error-message-changed/detail", ReasonEquivalent,
		"the contract documents no message for check_for_update's 401 (no example: \"Invalid token.\" is DRF's default, " +
			"not a Clubhouse recording), so the probes that reach it accept any detail, as every operation's " +
			"unknown-token probe does; only the no-credentials probe knows its message, and this token is optional"},
}

// classify explains a survivor: a studied one from known, otherwise by
// judging the mutated answer against the contract. An answer the contract
// accepts is a contract gap (no conformance suite may reject it); one it
// rejects reached no check, a suite gap.
func classify(spec *harness.Spec, res *Result) {
	m := res.Mutant
	if why := unevidenced(spec, m); why != "" {
		res.Outcome, res.Reason, res.Explanation = Provisional, ReasonUnevidenced, why
		return
	}
	for _, k := range known {
		if ok, _ := path.Match(k.pattern, m.ID); ok {
			res.Reason, res.Explanation = k.reason, k.why
			if k.reason == ReasonEquivalent {
				res.Outcome = Equivalent
			}
			return
		}
	}
	if !m.Generated || res.Sample == nil {
		res.Reason = ReasonSuiteGap
		res.Explanation = "no spec labelled op:" + m.Op + " checks this behaviour"
		return
	}
	findings := JudgeSample(spec, m.Op, res.Sample)
	if len(findings) == 0 {
		res.Reason = ReasonContractGap
		res.Explanation = "the contract accepts the mutated answer (every standard check passes on it)"
		return
	}
	res.Reason = ReasonSuiteGap
	res.Explanation = "the mutated answer fails " + strings.Join(findings, "; ") + ", but no spec labelled op:" + m.Op + " applied that check to it"
}

// JudgeSample runs the standard checks on a recorded answer and returns the
// failed ones, "check: first finding".
func JudgeSample(spec *harness.Spec, opID string, s *Sample) []string {
	op, ok := spec.Operation(opID)
	if !ok {
		return []string{"unknown operation " + opID}
	}
	h := http.Header{}
	h.Set("Content-Type", s.ContentType)
	ex := &harness.Exchange{
		Op:       op,
		Request:  harness.Request{Method: s.Method, URL: "http://target" + s.URL, Header: http.Header{}, Body: []byte(s.RequestBody)},
		Response: &harness.Response{Status: s.Status, Header: h, Body: []byte(s.Body)},
	}
	var out []string
	for _, r := range harness.Verify(ex, harness.StandardChecks(false)...) {
		if r.Status == harness.CheckFailed {
			msg := r.Name
			if len(r.Findings) > 0 {
				msg = fmt.Sprintf("%s (%s)", r.Name, harness.Cut(r.Findings[0].Message, 160))
			}
			out = append(out, msg)
		}
	}
	return out
}

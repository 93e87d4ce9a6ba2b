package suite

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// Issue 18: a run without the token its specs need used to go green with
// the specs that needed it "unsupported", and the live floor (require:
// supported) shrank with them. Now the specs that would authenticate as the
// profile's default account carry report.LabelNeedsToken, computed while the
// tree is built (the run's profile and guards are known then), so the run
// counts the selected ones before the first spec (CheckCredentials) and
// stops, unless the user asked for an anonymous run (CH_ANONYMOUS).

// usesDefaultToken says whether call authenticates as the profile's
// default account on an operation that needs a token: the call the harness
// adds the default account's token to.
func usesDefaultToken(call harness.Call) bool {
	if call.Op == nil || !call.Op.Secured || call.As != nil {
		return false
	}
	if call.Account != "" && call.Account != harness.AccountDefault {
		return false // none, invalid, or a named account the profile defines
	}
	_, own := call.Header["Authorization"]
	return !own // a spec with its own Authorization brings its own credentials (or none on purpose)
}

// defaultTokenMissing is why the run cannot authenticate as the default
// account for what (an operation id, or what DefaultAccount is for), or "".
func defaultTokenMissing(e *Env, what string) string {
	if e.Config.Anonymous {
		return fmt.Sprintf("%s: %s needs CH_AUTH_TOKEN, the default account's token", report.ReasonAnonymous, what)
	}
	if e.Profile.Accounts[harness.AccountDefault].AuthToken != "" {
		return ""
	}
	return fmt.Sprintf("%s (%s needs a token and profile %s has none for its default account)", report.ReasonNoToken, what, e.Profile.Name)
}

// NeedsToken is the label of a spec that sends ops as the profile's default
// account (no As, no Account): report.LabelNeedsToken when one of them needs
// a token, unless the configuration disables one of them (the spec is then
// disabled, needing nothing; requireDefaultToken keeps that order).
func NeedsToken(ops ...*harness.Operation) ginkgo.Labels {
	e := MustLoad()
	need := false
	for _, op := range ops {
		if disabledReason(e, op) != "" {
			return nil
		}
		need = need || usesDefaultToken(harness.Call{Op: op})
	}
	if !need {
		return nil
	}
	return ginkgo.Labels{report.LabelNeedsToken}
}

// WriterNeedsToken is the label of a spec whose writer is WriterAccount:
// the default account's token is needed only where the profile cannot sign
// up accounts.
func WriterNeedsToken(ops ...*harness.Operation) ginkgo.Labels {
	if MustLoad().Profile.Capability("signup") {
		return nil
	}
	return NeedsToken(ops...)
}

// needsTokenFor says whether the run would send call with the default
// account's token: it uses the token, and the configuration lets it go.
func needsTokenFor(e *Env, call harness.Call) bool {
	return usesDefaultToken(call) && disabledReason(e, call.Op) == ""
}

// documentedNeedsToken is needsTokenFor for the documented request of op in
// state, as sendDocumented would send it: a state the profile cannot reach
// is unsupported whatever the token, and a write goes to a fresh account
// where the target can sign one up.
func documentedNeedsToken(e *Env, op *harness.Operation, state string) bool {
	call, err := op.DocumentedCall(e.Profile, state)
	if err != nil {
		return false
	}
	if op.Mutating() && op.Secured && call.Account == "" && e.Profile.Capability("signup") {
		return false
	}
	return needsTokenFor(e, call)
}

// tokenLabel is report.LabelNeedsToken when need is set.
func tokenLabel(need bool) ginkgo.Labels {
	if !need {
		return nil
	}
	return ginkgo.Labels{report.LabelNeedsToken}
}

// requireDefaultToken skips the running spec as unsupported when the run
// cannot authenticate as the default account. A spec that gets here without
// report.LabelNeedsToken escaped the count made before the run: a harness
// error, so a wrong label shows in the first run without a token rather
// than as a quietly smaller verdict.
func requireDefaultToken(e *Env, what string) {
	ginkgo.GinkgoHelper()
	reason := defaultTokenMissing(e, what)
	if reason == "" {
		return
	}
	// A spec the configuration disables is disabled, whichever of its
	// operations it sends first: the labels were computed that way.
	for _, l := range ginkgo.CurrentSpecReport().Labels() {
		if id, ok := strings.CutPrefix(l, report.LabelOp); ok {
			if r := disabledReason(e, e.Spec.MustOperation(id)); r != "" {
				Skip(report.SkipDisabled + r)
			}
		}
	}
	if !slices.Contains(ginkgo.CurrentSpecReport().Labels(), report.LabelNeedsToken) {
		Fail(fmt.Sprintf("%s %s, but the spec is not labelled %s, so the run could not count it before it started (suite.NeedsToken)",
			report.HarnessErrorPrefix, reason, report.LabelNeedsToken))
	}
	Skip(report.SkipUnsupported + reason)
}

// DefaultAccount is the profile's default account for a spec that must act
// as it (and sets As): unsupported, naming CH_AUTH_TOKEN, when the run has
// no token for it, rather than a request without the token that fails for
// the wrong reason.
func DefaultAccount() *harness.Account {
	ginkgo.GinkgoHelper()
	e := MustLoad()
	requireDefaultToken(e, "a spec acting as the default account")
	a := e.Profile.Accounts[harness.AccountDefault]
	return &a
}

// CheckCredentials stops a run whose selected specs need CH_AUTH_TOKEN and
// were not given it, before the first spec: preview is Ginkgo's preview of
// the run (PreviewSpecs with the run's filters), taken only when the run has
// no token. An anonymous run, and a run with the token, pass.
func CheckCredentials(e *Env, preview func() types.Report) error {
	if e.Config.Anonymous || e.Profile.Accounts[harness.AccountDefault].AuthToken != "" {
		return nil
	}
	n := 0
	for _, sr := range preview().SpecReports {
		if sr.LeafNodeType == types.NodeTypeIt && sr.State == types.SpecStatePassed && slices.Contains(sr.Labels(), report.LabelNeedsToken) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return &harness.ConfigError{Var: "CH_AUTH_TOKEN", Problem: fmt.Sprintf(
		"not set, and %d of the selected specs need it (they act as profile %s's default account): set it, "+
			"or make an anonymous run (CH_ANONYMOUS=true, chconform run --anonymous=true), whose reports say so", n, e.Profile.Name)}
}

package suite

import (
	"fmt"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// Covers is the label by which a spec declares that it exercises a
// documented response; the coverage gate reads these labels from a dry run.
func Covers(op *harness.Operation, status int) ginkgo.Labels {
	return ginkgo.Labels{fmt.Sprintf("%s%s:%d", report.LabelCovers, op.ID, status)}
}

// CoversWith is Covers for a spec that needs capabilities (signup, for the
// fresh accounts of a stateful or identity spec): on a profile that lacks
// one the spec can never run, and declaring the response there would make a
// partial run's floor (require: all) demand what the profile says it cannot
// do. Where the profile has them, the spec covers the response like any.
func CoversWith(op *harness.Operation, status int, capabilities ...string) ginkgo.Labels {
	return coversWith(MustLoad().Profile, op, status, capabilities...)
}

func coversWith(p *harness.Profile, op *harness.Operation, status int, capabilities ...string) ginkgo.Labels {
	for _, c := range capabilities {
		if !p.Capability(c) {
			return nil
		}
	}
	return Covers(op, status)
}

// authProbe is one way of asking without valid credentials.
type authProbe struct {
	account string
	phrase  string
	// detail is the exact DRF message when the target's answer is known; the
	// unknown-token message is DRF's default, not a documented Clubhouse one,
	// so any detail passes there.
	detail string
}

var authProbes = []authProbe{
	{harness.AccountNone, "without credentials returns 401 with the DRF not-provided detail", "Authentication credentials were not provided."},
	{harness.AccountInvalid, "with an unknown token returns 401 with a DRF detail", ""},
	// The seed names Authorization: Bearer <access_token> as the JWT
	// alternative: a malformed one must be refused too, and its 401 is the
	// one body that carries SimpleJWT's code and messages, which the schema
	// check then judges. The detail is SimpleJWT's or DRF's (a server that
	// reads only Token answers not-provided), so any detail passes.
	{harness.AccountInvalidBearer, "with a malformed Bearer token returns 401 with a DRF detail", ""},
}

// AuthProbes declares, for every operation of group that needs a token, the
// ignored_auth probes: the documented request sent without credentials and
// with a token the target cannot know must both be refused with 401 and a DRF
// detail envelope. An operation whose token is optional gets the probes that
// send a token: the contract documents the 401 for one it cannot
// authenticate (DRF authenticates a sent token before any permission).
func AuthProbes(group string) {
	var entries []ginkgo.TableEntry
	for _, op := range mustSpec().Group(group) {
		if !op.Secured && !op.TokenOptional {
			continue
		}
		for _, probe := range authProbes {
			if op.TokenOptional && probe.account == harness.AccountNone {
				continue
			}
			labels := append(LabelsFor(op), Covers(op, 401)...)
			entries = append(entries, ginkgo.Entry(op.String()+" "+probe.phrase, labels, op, probe))
		}
	}
	if len(entries) == 0 {
		return
	}
	ginkgo.DescribeTable("authentication probes", func(ctx ginkgo.SpecContext, op *harness.Operation, probe authProbe) {
		call, err := op.DocumentedCall(MustLoad().Profile, "")
		gomega.Expect(err).NotTo(gomega.HaveOccurred())
		call.Account = probe.account
		ex := Send(ctx, call)
		gomega.Expect(ex).To(harness.RejectMissingAuth(probe.detail))
		gomega.Expect(ex).To(ConformToSpec())
	}, entries)
}

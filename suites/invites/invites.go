// Package invites holds the conformance specs of invitations: suggested
// invites from uploaded contacts, inviting to the app, waving users in from
// the waitlist.
package invites

import (
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
	"github.com/tidwall/gjson"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/suite"
)

var _ = ginkgo.Describe("invites:", func() {
	suite.ContractSpecs("invites")

	ginkgo.It("POST /get_suggested_invites answers one suggestion per uploaded contact, for the same phone numbers",
		suite.LabelsFor(suite.Op("get_suggested_invites")), suite.NeedsToken(suite.Op("get_suggested_invites")),
		suite.Covers(suite.Op("get_suggested_invites"), 200), func(ctx ginkgo.SpecContext) {
			ex := suite.SendDocumented(ctx, suite.Op("get_suggested_invites"), "")
			gomega.Expect(ex).To(suite.ConformToSpec())
			var sent []any
			for _, c := range gjson.GetBytes(ex.Request.Body, "contacts.#.phone_number").Array() {
				sent = append(sent, c.Value())
			}
			// ConsistOf() of nothing sent holds on an empty answer: no verdict.
			gomega.Expect(sent).NotTo(gomega.BeEmpty(), "the request uploaded no contact: no suggestion to judge")
			gomega.Expect(ex).To(harness.HaveJSON("suggested_invites.#.phone_number", gomega.ConsistOf(sent...)))
		})

	ginkgo.It("POST /invite_to_app consumes one of the inviting account's invites, as /me's num_invites shows",
		suite.LabelsFor(suite.Op("invite_to_app"), suite.Op("me")),
		suite.CoversWith(suite.Op("invite_to_app"), 200, "signup"), suite.CoversWith(suite.Op("me"), 200, "signup"), func(ctx ginkgo.SpecContext) {
			account := suite.FreshAccount(ctx)
			me := func() float64 {
				ex := suite.Send(ctx, harness.Call{Op: suite.Op("me"), As: account, Body: map[string]any{}})
				gomega.Expect(ex).To(suite.ConformToSpec())
				return gjson.GetBytes(ex.Response.JSONText(), "num_invites").Float()
			}
			before := me()
			if before < 1 {
				ginkgo.Skip("unsupported: a fresh account on this target has no invite to spend")
			}
			call, err := suite.Op("invite_to_app").DocumentedCall(suite.MustLoad().Profile, "")
			gomega.Expect(err).NotTo(gomega.HaveOccurred())
			call.As = account
			call.Body.(map[string]any)["phone_number"] = suite.UnusedPhone()
			// A successful invite is judged by its answer and its effect.
			ex := suite.Send(ctx, call)
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.HaveStatus(200))
			gomega.Expect(ex).To(harness.HaveJSON("success", gomega.BeTrue()))
			gomega.Expect(me()).To(gomega.Equal(before-1), "num_invites after one invite_to_app")
		})
})

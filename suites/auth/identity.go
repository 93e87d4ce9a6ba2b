package auth

import (
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
	"github.com/tidwall/gjson"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/suite"
)

// Identity isolation of the JWTs (issue 13): an access token, and one a
// refresh token yields, act for the account they were issued to, whatever
// CH-UserID says. Every spec signs up its own accounts A and B.
var _ = ginkgo.Describe("auth: identity isolation:", func() {
	op := suite.Op

	ginkgo.It("POST /me with A's access token as Bearer and B's CH-UserID answers for A, never for B",
		suite.LabelsFor(op("me")), func(ctx ginkgo.SpecContext) {
			suite.RequireCapability("bearer-auth")
			a, b := suite.FreshAccount(ctx), suite.FreshAccount(ctx)
			gomega.Expect(a.AccessToken).NotTo(gomega.BeEmpty(), "the fresh account A got no access_token")
			ex := suite.Send(ctx, harness.Call{Op: op("me"), As: a, Body: map[string]any{},
				Header: map[string]string{"Authorization": "Bearer " + a.AccessToken, "CH-UserID": b.UserID}})
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.ActForTheToken("me answers with A's profile, the JWT's, not B's named by CH-UserID",
				harness.ContainsJSONValue("user_profile.user_id", suite.UserNumber(a))))
		})

	ginkgo.It("POST /refresh_token with A's refresh token and B's CH-UserID yields an access token that acts as A, never as B",
		suite.LabelsFor(op("refresh_token"), op("me")), suite.CoversWith(op("refresh_token"), 200, "signup", "bearer-auth"), func(ctx ginkgo.SpecContext) {
			suite.RequireCapability("bearer-auth")
			a, b := suite.FreshAccount(ctx), suite.FreshAccount(ctx)
			gomega.Expect(a.RefreshToken).NotTo(gomega.BeEmpty(), "the fresh account A got no refresh_token")
			refreshed := suite.Send(ctx, harness.Call{Op: op("refresh_token"), As: b, Body: map[string]any{"refresh": a.RefreshToken}})
			gomega.Expect(refreshed).To(suite.ConformToSpec())
			gomega.Expect(refreshed).To(harness.HaveStatus(200))
			access := gjson.GetBytes(refreshed.Response.JSONText(), "access").String()
			gomega.Expect(access).NotTo(gomega.BeEmpty(), "refresh_token answered no access token")
			for _, claimed := range []*harness.Account{a, b} {
				ex := suite.Send(ctx, harness.Call{Op: op("me"), As: claimed, Body: map[string]any{},
					Header: map[string]string{"Authorization": "Bearer " + access}})
				gomega.Expect(ex).To(suite.ConformToSpec())
				gomega.Expect(ex).To(harness.ActForTheToken("the access token A's refresh token yielded acts as A, whoever CH-UserID names",
					harness.ContainsJSONValue("user_profile.user_id", suite.UserNumber(a))))
			}
		})
})

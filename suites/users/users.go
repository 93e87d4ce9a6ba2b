// Package users holds the conformance specs of the signed-in user, profiles,
// usernames, follows, suggestions and user search. Importing it registers the
// specs; users_test.go runs them under `go test`.
package users

import (
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/suite"
)

var _ = ginkgo.Describe("users:", func() {
	suite.ContractSpecs("users")

	me := func() *harness.Operation { return suite.Op("me") }

	ginkgo.It("POST /me accepts Authorization: Bearer <access_token> as the JWT alternative to Token <auth_token>",
		suite.LabelsFor(suite.Op("me")), suite.Covers(suite.Op("me"), 200), func(ctx ginkgo.SpecContext) {
			suite.RequireCapability("bearer-auth")
			account := suite.MustLoad().Profile.Accounts[harness.AccountDefault]
			gomega.Expect(account.AccessToken).NotTo(gomega.BeEmpty(), "the profile's default account needs an access_token for this spec")
			ex := suite.Send(ctx, harness.Call{Op: me(), Body: map[string]any{},
				Header: map[string]string{"Authorization": "Bearer " + account.AccessToken}})
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.HaveStatus(200))
			gomega.Expect(ex).To(harness.HaveJSON("success", gomega.BeTrue()))
		})

	// Stateful consistency (found by mutation testing: a write acknowledged
	// but never applied survived every spec).
	ginkgo.It("after POST /follow, POST /get_following of the follower lists the followed user",
		suite.LabelsFor(suite.Op("follow"), suite.Op("get_following")), suite.CoversWith(suite.Op("get_following"), 200, "signup"), func(ctx ginkgo.SpecContext) {
			follower, followed := suite.FreshAccount(ctx), suite.FreshAccount(ctx)
			// The contract documents only follow's waitlisted refusal: a
			// follow is judged by its success flag and its effect.
			ex := suite.Send(ctx, harness.Call{Op: suite.Op("follow"), As: follower, Body: map[string]any{"user_id": suite.UserNumber(followed)}})
			gomega.Expect(ex).To(harness.HaveJSON("success", gomega.BeTrue()))
			list := suite.Send(ctx, harness.Call{Op: suite.Op("get_following"), As: follower, Body: map[string]any{"user_id": suite.UserNumber(follower)}})
			gomega.Expect(list).To(suite.ConformToSpec())
			gomega.Expect(list).To(harness.ShowTheWrite("the followed user is in the follower's get_following",
				harness.ContainsJSONValue("users.#.user_id", suite.UserNumber(followed))))
		})

	ginkgo.It("after POST /update_username, POST /get_profile of the account shows the new username",
		suite.LabelsFor(suite.Op("update_username"), suite.Op("get_profile")),
		suite.CoversWith(suite.Op("update_username"), 200, "signup"), suite.CoversWith(suite.Op("get_profile"), 200, "signup"), func(ctx ginkgo.SpecContext) {
			account := suite.FreshAccount(ctx)
			name := harness.Unique("renamed_{unique}")
			ex := suite.Send(ctx, harness.Call{Op: suite.Op("update_username"), As: account, Body: map[string]any{"username": name}})
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.HaveJSON("success", gomega.BeTrue()))
			profile := suite.Send(ctx, harness.Call{Op: suite.Op("get_profile"), As: account, Body: map[string]any{"user_id": suite.UserNumber(account)}})
			gomega.Expect(profile).To(suite.ConformToSpec())
			gomega.Expect(profile).To(harness.ShowTheWrite("get_profile shows the new username",
				harness.ContainsJSONValue("user_profile.username", name)))
		})
})

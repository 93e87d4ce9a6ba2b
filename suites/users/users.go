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
		suite.LabelsFor(suite.Op("me")), func(ctx ginkgo.SpecContext) {
			suite.RequireCapability("bearer-auth")
			account := suite.MustLoad().Profile.Accounts[harness.AccountDefault]
			gomega.Expect(account.AccessToken).NotTo(gomega.BeEmpty(), "the profile's default account needs an access_token for this spec")
			ex := suite.Send(ctx, harness.Call{Op: me(), Body: map[string]any{},
				Header: map[string]string{"Authorization": "Bearer " + account.AccessToken}})
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.HaveStatus(200))
			gomega.Expect(ex).To(harness.HaveJSON("success", gomega.BeTrue()))
		})
})

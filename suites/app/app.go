// Package app holds the conformance specs of what the app asks outside any
// feature: release notes, the update check, analytics trails, club search.
package app

import (
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/suite"
)

var _ = ginkgo.Describe("app:", func() {
	suite.ContractSpecs("app")

	ginkgo.It("GET /check_for_update from the current app build answers has_update: false",
		suite.LabelsFor(suite.Op("check_for_update")), suite.NeedsToken(suite.Op("check_for_update")),
		suite.Covers(suite.Op("check_for_update"), 200), func(ctx ginkgo.SpecContext) {
			ex := suite.SendDocumented(ctx, suite.Op("check_for_update"), "")
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.HaveJSON("has_update", gomega.BeFalse()))
		})
})

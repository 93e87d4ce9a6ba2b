// Package clubs holds the conformance specs of club pages and of the online
// friends and clubs shown on the home screen.
package clubs

import (
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
	"github.com/tidwall/gjson"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/suite"
)

var _ = ginkgo.Describe("clubs:", func() {
	suite.ContractSpecs("clubs")

	ginkgo.It("POST /get_club returns the club that was asked for",
		suite.LabelsFor(suite.Op("get_club")), suite.NeedsToken(suite.Op("get_club")),
		suite.Covers(suite.Op("get_club"), 200), func(ctx ginkgo.SpecContext) {
			ex := suite.SendDocumented(ctx, suite.Op("get_club"), "")
			gomega.Expect(ex).To(suite.ConformToSpec())
			asked := gjson.GetBytes(ex.Request.Body, "club_id").Float()
			gomega.Expect(ex).To(harness.HaveJSON("club.club_id", gomega.BeNumerically("==", asked)))
		})
})

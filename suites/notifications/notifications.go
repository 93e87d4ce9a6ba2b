// Package notifications holds the conformance specs of the activity feed,
// the actionable notifications and the notification settings.
package notifications

import (
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
	"github.com/tidwall/gjson"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/suite"
)

var _ = ginkgo.Describe("notifications:", func() {
	suite.ContractSpecs("notifications")

	op := suite.Op

	ginkgo.It("after POST /update_notifications GET /get_settings shows the new frequency and trending setting",
		suite.LabelsFor(op("update_notifications"), op("get_settings")), suite.WriterNeedsToken(op("update_notifications"), op("get_settings")),
		suite.CoversWith(op("update_notifications"), 200, "signup"), suite.CoversWith(op("get_settings"), 200, "signup"), func(ctx ginkgo.SpecContext) {
			account := suite.WriterAccount(ctx)
			before := suite.Send(ctx, harness.Call{Op: op("get_settings"), As: account})
			gomega.Expect(before).To(suite.ConformToSpec())
			gomega.Expect(before).To(harness.HaveStatus(200))
			// Ask for the other value of each setting, so that an update
			// acknowledged but never applied cannot pass.
			frequency := int64(1)
			if gjson.GetBytes(before.Response.JSONText(), "notifications_frequency").Int() == 1 {
				frequency = 2
			}
			trending := !gjson.GetBytes(before.Response.JSONText(), "notifications_enable_trending").Bool()
			flag := 0
			if trending {
				flag = 1
			}
			updated := suite.Send(ctx, harness.Call{Op: op("update_notifications"), As: account,
				Body: map[string]any{"frequency": frequency, "enable_trending": flag}})
			gomega.Expect(updated).To(suite.ConformToSpec())
			gomega.Expect(updated).To(harness.HaveStatus(200))
			gomega.Expect(updated).To(harness.HaveJSON("success", gomega.BeTrue()))

			after := suite.Send(ctx, harness.Call{Op: op("get_settings"), As: account})
			gomega.Expect(after).To(suite.ConformToSpec())
			gomega.Expect(after).To(harness.ShowTheWrite("notifications_frequency is the frequency just set",
				harness.ContainsJSONValue("notifications_frequency", frequency)))
			gomega.Expect(after).To(harness.ShowTheWrite("notifications_enable_trending is the setting just made",
				harness.ContainsJSONValue("notifications_enable_trending", trending)))
		})
})

// Package topics holds the conformance specs of the topic tree and of the
// clubs and users listed under a topic.
package topics

import (
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
	"github.com/tidwall/gjson"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/suite"
)

var _ = ginkgo.Describe("topics:", func() {
	suite.ContractSpecs("topics")

	ginkgo.It("POST /get_topic returns the topic that was asked for",
		suite.LabelsFor(suite.Op("get_topic")), suite.NeedsToken(suite.Op("get_topic")),
		suite.Covers(suite.Op("get_topic"), 200), func(ctx ginkgo.SpecContext) {
			ex := suite.SendDocumented(ctx, suite.Op("get_topic"), "")
			gomega.Expect(ex).To(suite.ConformToSpec())
			asked := requestField(ex, "topic_id")
			gomega.Expect(ex).To(harness.HaveJSON("topic.id", gomega.BeNumerically("==", asked)))
		})

	ginkgo.It("GET /get_all_topics gives every topic and sub-topic an id of its own",
		suite.LabelsFor(suite.Op("get_all_topics")), suite.NeedsToken(suite.Op("get_all_topics")),
		suite.Covers(suite.Op("get_all_topics"), 200), func(ctx ginkgo.SpecContext) {
			ex := suite.SendDocumented(ctx, suite.Op("get_all_topics"), "")
			gomega.Expect(ex).To(suite.ConformToSpec())
			body := gjson.ParseBytes(ex.Response.JSONText())
			var ids []int64
			for _, topic := range body.Get("topics").Array() {
				ids = append(ids, topic.Get("id").Int())
				for _, sub := range topic.Get("topics").Array() {
					ids = append(ids, sub.Get("id").Int())
				}
			}
			gomega.Expect(ids).NotTo(gomega.BeEmpty(), "the topic tree is empty")
			seen := map[int64]bool{}
			for _, id := range ids {
				gomega.Expect(seen).NotTo(gomega.HaveKey(id), "topic id %d appears twice in the tree", id)
				seen[id] = true
			}
		})
})

// requestField reads a number the spec sent in the request body.
func requestField(ex *harness.Exchange, path string) float64 {
	return gjson.GetBytes(ex.Request.Body, path).Float()
}

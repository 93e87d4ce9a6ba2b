// Package notifications holds the conformance specs of the activity feed,
// the actionable notifications and the notification settings.
package notifications

import (
	"github.com/onsi/ginkgo/v2"

	"github.com/chconform/chconform/harness/suite"
)

var _ = ginkgo.Describe("notifications:", func() {
	suite.ContractSpecs("notifications")
})

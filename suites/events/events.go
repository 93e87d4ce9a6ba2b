// Package events holds the conformance specs of the upcoming-events page.
package events

import (
	"github.com/onsi/ginkgo/v2"

	"github.com/chconform/chconform/harness/suite"
)

var _ = ginkgo.Describe("events:", func() {
	suite.ContractSpecs("events")
})

// Package explore holds the generation phase (issue 21): for every
// operation of the contract, requests generated from its request schema
// and parameters, valid and invalid, judged answer by answer, a failure
// shrunk to the smallest request that still fails. Its specs carry the
// label phase:explore.
package explore

import (
	"github.com/onsi/ginkgo/v2"

	"github.com/chconform/chconform/harness/suite"
)

var _ = ginkgo.Describe("explore:", func() {
	suite.ExploreSpecs()
})

package explore

import (
	"testing"

	"github.com/onsi/ginkgo/v2"

	"github.com/chconform/chconform/harness/suite"
)

func TestExplore(t *testing.T) {
	suite.Prepare()
	ginkgo.RunSpecs(t, "chconform explore")
}

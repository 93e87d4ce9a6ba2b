package clubs

import (
	"testing"

	"github.com/onsi/ginkgo/v2"

	"github.com/chconform/chconform/harness/suite"
)

func TestClubs(t *testing.T) {
	suite.Prepare()
	ginkgo.RunSpecs(t, "chconform clubs")
}

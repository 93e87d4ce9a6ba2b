package invites

import (
	"testing"

	"github.com/onsi/ginkgo/v2"

	"github.com/chconform/chconform/harness/suite"
)

func TestInvites(t *testing.T) {
	suite.Prepare()
	ginkgo.RunSpecs(t, "chconform invites")
}

package notifications

import (
	"testing"

	"github.com/onsi/ginkgo/v2"

	"github.com/chconform/chconform/harness/suite"
)

func TestNotifications(t *testing.T) {
	suite.Prepare()
	ginkgo.RunSpecs(t, "chconform notifications")
}

package events

import (
	"testing"

	"github.com/onsi/ginkgo/v2"

	"github.com/chconform/chconform/harness/suite"
)

func TestEvents(t *testing.T) {
	suite.Prepare()
	ginkgo.RunSpecs(t, "chconform events")
}

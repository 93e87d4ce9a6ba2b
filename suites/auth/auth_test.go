package auth

import (
	"testing"

	"github.com/chconform/chconform/harness/suite"
)

func TestAuth(t *testing.T) { suite.Run(t, "auth") }

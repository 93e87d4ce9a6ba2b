package users

import (
	"testing"

	"github.com/chconform/chconform/harness/suite"
)

func TestUsers(t *testing.T) { suite.Run(t, "users") }

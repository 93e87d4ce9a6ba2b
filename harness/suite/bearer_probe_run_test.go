package suite_test

import (
	"testing"

	"github.com/chconform/chconform/harness/report"
	"github.com/chconform/chconform/mutation"
)

// The malformed-Bearer probe passes on SimpleJWT's 401 as the emulator
// sends it, and fails when that body breaks the contract: a `code` that is
// not a string, `messages` that is null. No Token probe sees this body.
func TestTheMalformedBearerProbeJudgesSimpleJWTsBody(t *testing.T) {
	t.Parallel()
	spec := contract(t)
	cases := []struct {
		mutant *mutation.Mutant
		want   report.Outcome
	}{
		{nil, report.OutcomePassed},
		{&mutation.Mutant{ID: "me/401/type-changed/code", Op: "me", Status: 401, Kind: mutation.KindType, Path: "code", Value: 12345}, report.OutcomeFailed},
		{&mutation.Mutant{ID: "me/401/null-for-non-nullable/messages", Op: "me", Status: 401, Kind: mutation.KindNull, Path: "messages"}, report.OutcomeFailed},
		{&mutation.Mutant{ID: "me/401/type-changed/messages[].message", Op: "me", Status: 401, Kind: mutation.KindType, Path: "messages[].message", Value: 12345}, report.OutcomeFailed},
	}
	for _, c := range cases {
		name := "unmutated"
		if c.mutant != nil {
			name = c.mutant.ID
		}
		t.Run(name, func(t *testing.T) {
			expectOneSpec(t, spec, c.mutant, "users", "me", "malformed Bearer token", c.want)
		})
	}
}

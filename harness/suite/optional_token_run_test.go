package suite_test

import (
	"testing"

	"github.com/chconform/chconform/harness/report"
	"github.com/chconform/chconform/mutation"
)

// check_for_update needs no token, but the contract documents 401 for one it
// cannot authenticate: the unknown-token probe passes on the emulator, which
// refuses it, and fails on a target that answers it as if no token were sent
// (auth-ignored) or refuses it with a body that breaks the envelope.
func TestAnUnknownTokenOnCheckForUpdateIsRefused(t *testing.T) {
	t.Parallel()
	spec := contract(t)
	cases := []struct {
		name   string
		mutant *mutation.Mutant
		want   report.Outcome
	}{
		{"unmutated", nil, report.OutcomePassed},
		{"the unknown token is ignored", mustMutant(t, spec, "check_for_update/auth-ignored"), report.OutcomeFailed},
		{"the detail is not a string", &mutation.Mutant{ID: "check_for_update/401/type-changed/detail", Op: "check_for_update", Status: 401,
			Kind: mutation.KindType, Path: "detail", Value: 12345}, report.OutcomeFailed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectOneSpec(t, spec, c.mutant, "app", "check_for_update", "with an unknown token", c.want)
		})
	}
}

package suite_test

import (
	"testing"

	"github.com/chconform/chconform/harness/report"
	"github.com/chconform/chconform/mutation"
)

// The specs that reach answers no documented request gets (a wrong code, a
// throttled number, a welcome room, a club room, a settings write) pass on
// the emulator and fail when that answer breaks the contract or the write
// is not applied.
func TestTheReachSpecsPassOnTheEmulatorAndFailOnABrokenAnswer(t *testing.T) {
	t.Parallel()
	spec := contract(t)
	cases := []struct {
		group, op, focus string
		broken           mutation.Mutant
	}{
		{"notifications", "update_notifications", "update_notifications GET /get_settings shows",
			mutation.Mutant{Status: 200, Kind: mutation.KindWriteDropped}},
		{"auth", "complete_phone_number_auth", "with a wrong code",
			mutation.Mutant{Status: 200, Kind: mutation.KindType, Path: "number_of_attempts_remaining", Value: "12345"}},
		{"auth", "complete_phone_number_auth", "for a throttled number",
			mutation.Mutant{Status: 200, Kind: mutation.KindNull, Path: "success"}},
		{"channels", "join_channel", "of a welcome room",
			mutation.Mutant{Status: 200, Kind: mutation.KindType, Path: "welcome_for_user_profile.user_id", Value: "12345"}},
		{"channels", "create_channel", "in one of the account's clubs",
			mutation.Mutant{Status: 200, Kind: mutation.KindNull, Path: "club.num_online"}},
	}
	for _, c := range cases {
		c.broken.Op = c.op
		c.broken.ID = c.op + "/" + string(c.broken.Kind) + "/" + c.broken.Path
		for _, m := range []*mutation.Mutant{nil, &c.broken} {
			want, name := report.OutcomePassed, c.focus+" unmutated"
			if m != nil {
				want, name = report.OutcomeFailed, c.focus+" "+m.ID
			}
			t.Run(name, func(t *testing.T) {
				expectOneSpec(t, spec, m, c.group, c.op, c.focus, want)
			})
		}
	}
}

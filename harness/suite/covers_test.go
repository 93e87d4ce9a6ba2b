package suite

import (
	"slices"
	"testing"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// A spec that needs a capability declares the response it verifies only on
// a profile that has it: a profile without it could never run the spec,
// and a partial run's floor would demand it all the same.
func TestCoversWithDeclaresOnlyWhatTheProfileCanRun(t *testing.T) {
	op := &harness.Operation{ID: "get_following"}
	want := report.LabelCovers + "get_following:200"
	for _, c := range []struct {
		name    string
		profile harness.Profile
		caps    []string
		covers  bool
	}{
		{"every capability", harness.Profile{Capabilities: []string{"signup", "bearer-auth"}}, []string{"signup", "bearer-auth"}, true},
		{"no capability needed", harness.Profile{}, nil, true},
		{"one lacking", harness.Profile{Capabilities: []string{"signup"}}, []string{"signup", "bearer-auth"}, false},
		{"none", harness.Profile{}, []string{"signup"}, false},
	} {
		got := coversWith(&c.profile, op, 200, c.caps...)
		if slices.Contains(got, want) != c.covers || (!c.covers && len(got) != 0) {
			t.Errorf("%s: labels %q, want covers %v", c.name, got, c.covers)
		}
	}
}

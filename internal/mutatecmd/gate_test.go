package mutatecmd

import (
	"testing"

	"github.com/chconform/chconform/mutation"
)

func TestGateStatusFailsOnASurvivorOrAnErroredMutant(t *testing.T) {
	for _, c := range []struct {
		name string
		t    mutation.Tally
		want int
	}{
		{"all killed", mutation.Tally{Total: 5, Killed: 5}, 0},
		{"killed and not exercised", mutation.Tally{Total: 5, Killed: 3, Unexercised: 2}, 0},
		{"one survivor", mutation.Tally{Total: 5, Killed: 4, Survived: 1}, 1},
		{"one errored", mutation.Tally{Total: 5, Killed: 4, Errored: 1}, 1},
	} {
		if got := gateStatus(c.t); got != c.want {
			t.Errorf("%s: exit %d, want %d", c.name, got, c.want)
		}
	}
}

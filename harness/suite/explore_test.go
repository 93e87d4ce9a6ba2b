package suite

import (
	"strings"
	"testing"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
)

// Where the generation phase runs, as a function of the configuration and
// the target's host: on against loopback, unsupported on the fixtures, off
// against any other host unless CH_EXPLORE=on, and then only for the
// operations that change nothing (no request is sent here).
func TestWhereTheGenerationPhaseRuns(t *testing.T) {
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	const remote, loopback = "https://clubhouse.example.test/api", "http://127.0.0.1:9/api"
	for _, c := range []struct {
		vars        map[string]string
		op          string
		want        string // "" when it runs
		unsupported bool
	}{
		{map[string]string{}, "get_topic", "generated requests need a server", true},
		{map[string]string{"CH_BASE_URL": loopback}, "follow", "", false},
		{map[string]string{"CH_BASE_URL": loopback, "CH_EXPLORE": "off"}, "get_topic", "CH_EXPLORE=off", false},
		{map[string]string{"CH_BASE_URL": remote}, "get_topic", "loopback target only, unless CH_EXPLORE=on", false},
		{map[string]string{"CH_BASE_URL": remote, "CH_EXPLORE": "on"}, "get_topic", "", false},
		{map[string]string{"CH_BASE_URL": remote, "CH_EXPLORE": "on", "CH_ALLOW_MUTATIONS": "true"}, "follow", "follow changes server state", false},
		{map[string]string{"CH_BASE_URL": remote, "CH_EXPLORE": "on", "CH_ALLOW_SMS": "true"}, "start_phone_number_auth", "changes server state", false},
		{map[string]string{"CH_BASE_URL": remote, "CH_EXPLORE": "on", "CH_ALLOW_SMS": "true"}, "invite_to_app", "changes server state", false},
	} {
		cfg, err := harness.LoadConfig(func(k string) (string, bool) { v, ok := c.vars[k]; return v, ok })
		if err != nil {
			t.Fatal(err)
		}
		reason, unsupported := exploreOff(&Env{Config: cfg, Spec: spec}, spec.MustOperation(c.op))
		switch {
		case c.want == "" && reason != "":
			t.Errorf("%v %s: off (%s), want on", c.vars, c.op, reason)
		case c.want != "" && (!strings.Contains(reason, c.want) || unsupported != c.unsupported):
			t.Errorf("%v %s: %q unsupported=%v, want %q unsupported=%v", c.vars, c.op, reason, unsupported, c.want, c.unsupported)
		}
	}
}

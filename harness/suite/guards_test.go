package suite

import (
	"errors"
	"strings"
	"testing"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
)

// TestAProfileLiftsTheGuardsOnlyForALoopbackTarget: issue 11, item 4. The
// guard decision as a function of the configuration, the profile and the
// target's host: no request is sent.
func TestAProfileLiftsTheGuardsOnlyForALoopbackTarget(t *testing.T) {
	const remote = "https://clubhouse.example.test/api"
	cases := []struct {
		vars     map[string]string
		op       string
		disabled bool
		variable string
	}{
		// The emulator profile declares mutations: that counts on loopback only.
		{map[string]string{"CH_PROFILE": "emulator", "CH_BASE_URL": remote}, "follow", true, "CH_ALLOW_MUTATIONS=true"},
		{map[string]string{"CH_PROFILE": "emulator", "CH_BASE_URL": remote}, "update_username", true, "CH_ALLOW_MUTATIONS=true"},
		{map[string]string{"CH_PROFILE": "emulator", "CH_BASE_URL": remote}, "start_phone_number_auth", true, "CH_ALLOW_SMS=true"},
		{map[string]string{"CH_PROFILE": "emulator", "CH_BASE_URL": remote}, "invite_to_app", true, "CH_ALLOW_SMS=true"},
		{map[string]string{"CH_PROFILE": "emulator", "CH_BASE_URL": "http://localhost.example.test/api"}, "follow", true, "CH_ALLOW_MUTATIONS=true"},
		{map[string]string{"CH_PROFILE": "emulator", "CH_BASE_URL": "http://10.1.2.3:8080/api"}, "follow", true, "CH_ALLOW_MUTATIONS=true"},
		{map[string]string{"CH_PROFILE": "emulator", "CH_BASE_URL": remote}, "get_channels", false, ""},
		{map[string]string{"CH_PROFILE": "emulator", "CH_BASE_URL": remote, "CH_ALLOW_MUTATIONS": "true"}, "follow", false, ""},
		{map[string]string{"CH_PROFILE": "emulator", "CH_BASE_URL": remote, "CH_ALLOW_SMS": "true"}, "start_phone_number_auth", false, ""},
		{map[string]string{"CH_PROFILE": "emulator", "CH_BASE_URL": "http://127.0.0.1:8080/api"}, "follow", false, ""},
		{map[string]string{"CH_PROFILE": "emulator", "CH_BASE_URL": "http://127.3.2.1:8080/api"}, "start_phone_number_auth", false, ""},
		{map[string]string{"CH_PROFILE": "emulator", "CH_BASE_URL": "http://localhost:8080/api"}, "invite_to_app", false, ""},
		{map[string]string{"CH_PROFILE": "emulator", "CH_BASE_URL": "http://[::1]:8080/api"}, "update_username", false, ""},
		// invite_to_app texts the invite: CH_ALLOW_SMS, and it spends an
		// invite: CH_ALLOW_MUTATIONS.
		{map[string]string{"CH_ALLOW_MUTATIONS": "true"}, "invite_to_app", true, "CH_ALLOW_SMS=true"},
		{map[string]string{"CH_ALLOW_SMS": "true"}, "invite_to_app", true, "CH_ALLOW_MUTATIONS=true"},
		{map[string]string{"CH_ALLOW_SMS": "true", "CH_ALLOW_MUTATIONS": "true"}, "invite_to_app", false, ""},
	}
	for _, c := range cases {
		e := liveEnv(t, c.vars)
		reason := disabledReason(e, e.Spec.MustOperation(c.op))
		if (reason != "") != c.disabled || !strings.Contains(reason, c.variable) {
			t.Errorf("%v %s: disabled reason %q, want disabled=%v naming %q", c.vars, c.op, reason, c.disabled, c.variable)
		}
	}
	if e := liveEnv(t, map[string]string{"CH_PROFILE": "emulator", "CH_BASE_URL": remote}); !strings.Contains(
		disabledReason(e, e.Spec.MustOperation("follow")), "counts only for a loopback target") {
		t.Error("the reason should say why the profile's mutations capability did not count")
	}
}

// TestTheFixturesProfileWithABaseURLIsAConfigurationError: issue 11, item 4.
func TestTheFixturesProfileWithABaseURLIsAConfigurationError(t *testing.T) {
	cfg, err := harness.LoadConfig(func(k string) (string, bool) {
		v, ok := map[string]string{"CH_BASE_URL": "https://clubhouse.example.test/api", "CH_PROFILE": "fixtures"}[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = harness.LoadProfile(cfg, chconform.Profiles())
	var ce *harness.ConfigError
	if !errors.As(err, &ce) || ce.Var != "CH_PROFILE" || !strings.Contains(ce.Problem, "CH_BASE_URL") {
		t.Errorf("want a ConfigError naming CH_PROFILE and CH_BASE_URL, got %v", err)
	}
}

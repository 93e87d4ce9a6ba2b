package suite

import (
	"strings"
	"testing"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
)

// liveEnv is the Env a run against a server we do not own would load, from
// the variables given (CH_BASE_URL is always set).
func liveEnv(t *testing.T, vars map[string]string) *Env {
	t.Helper()
	all := map[string]string{"CH_BASE_URL": "http://127.0.0.1:9/api"}
	for k, v := range vars {
		all[k] = v
	}
	cfg, err := harness.LoadConfig(func(k string) (string, bool) { v, ok := all[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	p, err := harness.LoadProfile(cfg, chconform.Profiles())
	if err != nil {
		t.Fatal(err)
	}
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Config: cfg, Profile: p, Spec: spec}
}

func TestLiveProfileIsTheDefaultWithABaseURLAndDeclaresNothingItCannotDo(t *testing.T) {
	e := liveEnv(t, nil)
	if e.Profile.Name != "live" || len(e.Profile.Capabilities) != 0 || e.Config.Rate != 1 {
		t.Fatalf("live profile: name %s capabilities %v rate %v", e.Profile.Name, e.Profile.Capabilities, e.Config.Rate)
	}
	for state := range e.Profile.States {
		switch state {
		case "no-credentials", "app-too-old", "update-available":
		default:
			t.Errorf("the live profile claims state %s, which a server we do not own is in only by accident", state)
		}
	}
}

func TestLiveTargetDisablesMutationsAndThePhoneAuthFlowOnTheirOwnSwitches(t *testing.T) {
	cases := []struct {
		vars               map[string]string
		op                 string
		disabled, mentions bool
		variable           string
	}{
		{nil, "get_channels", false, false, ""},
		{nil, "join_channel", true, true, "CH_ALLOW_MUTATIONS=true"},
		{map[string]string{"CH_ALLOW_MUTATIONS": "true"}, "join_channel", false, false, ""},
		{nil, "start_phone_number_auth", true, true, "CH_ALLOW_SMS=true"},
		{map[string]string{"CH_ALLOW_MUTATIONS": "true"}, "start_phone_number_auth", true, true, "CH_ALLOW_SMS=true"},
		{map[string]string{"CH_ALLOW_MUTATIONS": "true"}, "call_phone_number_auth", true, true, "CH_ALLOW_SMS=true"},
		{map[string]string{"CH_ALLOW_MUTATIONS": "true"}, "resend_phone_number_auth", true, true, "CH_ALLOW_SMS=true"},
		{map[string]string{"CH_ALLOW_MUTATIONS": "true"}, "complete_phone_number_auth", true, true, "CH_ALLOW_SMS=true"},
		{map[string]string{"CH_ALLOW_SMS": "true"}, "start_phone_number_auth", false, false, ""},
		{map[string]string{"CH_ALLOW_SMS": "true"}, "join_channel", true, true, "CH_ALLOW_MUTATIONS=true"},
		{map[string]string{"CH_PROFILE": "emulator"}, "start_phone_number_auth", false, false, ""},
		{map[string]string{"CH_PROFILE": "emulator"}, "join_channel", false, false, ""},
	}
	for _, c := range cases {
		e := liveEnv(t, c.vars)
		reason := disabledReason(e, e.Spec.MustOperation(c.op))
		if (reason != "") != c.disabled || !strings.Contains(reason, c.variable) {
			t.Errorf("%v %s: disabled reason %q, want disabled=%v naming %q", c.vars, c.op, reason, c.disabled, c.variable)
		}
	}
}

func TestSecuredCallsWithoutATokenAreUnsupportedNamingTheVariable(t *testing.T) {
	e := liveEnv(t, nil)
	me := e.Spec.MustOperation("me")
	if got := missingCredentials(e, harness.Call{Op: me}); !strings.HasPrefix(got, "CH_AUTH_TOKEN is not set") {
		t.Errorf("me without CH_AUTH_TOKEN: %q", got)
	}
	if got := missingCredentials(e, harness.Call{Op: me, Account: harness.AccountNone}); got != "" {
		t.Errorf("an auth probe needs no token: %q", got)
	}
	if got := missingCredentials(e, harness.Call{Op: me, Account: harness.AccountInvalid}); got != "" {
		t.Errorf("the invalid-token probe needs no token: %q", got)
	}
	if got := missingCredentials(e, harness.Call{Op: e.Spec.MustOperation("start_phone_number_auth")}); got != "" {
		t.Errorf("an unsecured operation needs no token: %q", got)
	}
	// An anonymous run has no token for the default account even where
	// the profile has one (the emulator's), and says why.
	anonymous := liveEnv(t, map[string]string{"CH_ANONYMOUS": "true", "CH_PROFILE": "emulator"})
	if got := missingCredentials(anonymous, harness.Call{Op: me}); !strings.HasPrefix(got, "anonymous run (CH_ANONYMOUS=true): me needs CH_AUTH_TOKEN") {
		t.Errorf("me in an anonymous run: %q", got)
	}
	given := liveEnv(t, map[string]string{"CH_AUTH_TOKEN": "f1d2d2f924e986ac86fdf7b36c94bcdf32beec15"})
	if got := missingCredentials(given, harness.Call{Op: me}); got != "" {
		t.Errorf("with CH_AUTH_TOKEN: %q", got)
	}
}

func TestRateIsSharedAmongParallelProcesses(t *testing.T) {
	if newLimiter(0, 4) != nil {
		t.Error("CH_RATE=0 is unlimited")
	}
	if l := newLimiter(1, 1); l == nil || l.Limit() != 1 || l.Burst() != 1 {
		t.Errorf("one process gets the whole rate: %v", l)
	}
	if l := newLimiter(2, 4); l.Limit() != 0.5 {
		t.Errorf("ginkgo -p with 4 processes: each gets a quarter, got %v", l.Limit())
	}
}

package harness

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuiltinProfilesDeclareTheirFloor: fixtures and the emulator must verify
// every documented response, live what it supports; a rule the harness does
// not know is refused, naming CH_PROFILE.
func TestBuiltinProfilesDeclareTheirFloor(t *testing.T) {
	builtin := os.DirFS("../profiles")
	for name, want := range map[string]string{"fixtures": CoverAll, "emulator": CoverAll, "live": CoverSupported} {
		cfg := Config{Profile: name}
		p, err := LoadProfile(cfg, builtin)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.Coverage == nil || p.Coverage.Require != want {
			t.Errorf("profile %s requires %+v, want %s", name, p.Coverage, want)
		}
	}

	for _, rule := range []string{"{require: most}", "{response: most}", "{response: 1.5}"} {
		bad := filepath.Join(t.TempDir(), "bad.yaml")
		if err := os.WriteFile(bad, []byte("name: bad\ncoverage: "+rule+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadProfile(Config{Profile: bad}, builtin)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Var != "CH_PROFILE" {
			t.Fatalf("coverage: %s: want a ConfigError naming CH_PROFILE, got %v", rule, err)
		}
	}
	good := filepath.Join(t.TempDir(), "good.yaml")
	if err := os.WriteFile(good, []byte("name: good\ncoverage: {response: 0.4}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := LoadProfile(Config{Profile: good}, builtin); err != nil || p.Coverage.Response != "0.4" {
		t.Fatalf("coverage.response 0.4: got %+v, %v", p, err)
	}
}

// TestAStateOfAnAccountWithoutATokenIsRefused: a profile that reaches a
// state through a named account with no auth_token would have that state's
// specs send no credentials and fail on the 401 for the wrong reason.
func TestAStateOfAnAccountWithoutATokenIsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		token string
		ok    bool
	}{{"", false}, {"e242ed3bffccdf271b7fbaf34ed72d089537b42f", true}} {
		file := filepath.Join(dir, "p.yaml")
		text := "name: p\naccounts:\n  waitlisted: {auth_token: \"" + c.token + "\"}\nstates:\n  waitlisted-account: {account: waitlisted}\n"
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadProfile(Config{Profile: file}, os.DirFS("../profiles"))
		var ce *ConfigError
		if c.ok != (err == nil) || (!c.ok && (!errors.As(err, &ce) || !strings.Contains(err.Error(), "no auth_token"))) {
			t.Errorf("waitlisted account with token %q: %v", c.token, err)
		}
	}
}

package harness

import (
	"errors"
	"os"
	"path/filepath"
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

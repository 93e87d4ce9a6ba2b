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

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: bad\ncoverage: {require: most}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadProfile(Config{Profile: bad}, builtin)
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Var != "CH_PROFILE" {
		t.Fatalf("want a ConfigError naming CH_PROFILE, got %v", err)
	}
}

package harness

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadConfigSafetySwitchesAndTheirEcho(t *testing.T) {
	c, err := LoadConfig(lookupFrom(map[string]string{"CH_BASE_URL": "http://127.0.0.1:8080/api", "CH_ALLOW_SMS": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.AllowSMS || c.AllowMutations {
		t.Fatalf("CH_ALLOW_SMS is its own switch: sms %v mutations %v", c.AllowSMS, c.AllowMutations)
	}
	if r := c.Redacted(); r["CH_ALLOW_SMS"] != "true" || r["CH_ALLOW_MUTATIONS"] != "false" {
		t.Fatalf("echo: %v", r)
	}
	if c, _ := LoadConfig(lookupFrom(nil)); c.AllowSMS || c.Redacted()["CH_ALLOW_SMS"] != "false" {
		t.Fatal("CH_ALLOW_SMS defaults to false")
	}
}

func TestLoadConfigRefusesUnusableSafetyValues(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]map[string]string{
		"CH_ALLOW_SMS": {"CH_ALLOW_SMS": "sure"},
		"CH_RATE":      {"CH_RATE": "Inf"},
		"CH_RECORD":    {"CH_RECORD": t.TempDir()}, // no target to record
	}
	for variable, env := range cases {
		_, err := LoadConfig(lookupFrom(env))
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Var != variable {
			t.Errorf("want a ConfigError naming %s, got %v", variable, err)
		}
	}
	_, err := LoadConfig(lookupFrom(map[string]string{"CH_BASE_URL": "http://127.0.0.1:1/api", "CH_RECORD": file}))
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Var != "CH_RECORD" {
		t.Errorf("CH_RECORD at a file: %v", err)
	}
}

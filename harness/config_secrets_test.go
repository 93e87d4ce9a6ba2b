package harness

import (
	"errors"
	"strings"
	"testing"
)

// TestConfigurationEchoesNoSecret: issue 11, item 3. A credential in
// CH_BASE_URL's query or user info reaches neither the redacted
// configuration nor the error that rejects the URL; CH_USER_ID and
// CH_DEVICE_ID are identifiers, shown in the configuration as in transcripts.
func TestConfigurationEchoesNoSecret(t *testing.T) {
	c, err := LoadConfig(lookupFrom(map[string]string{
		"CH_BASE_URL":   "https://alice:hunter2secret@example.test/api?api_key=k3y-in-the-query&region=eu",
		"CH_AUTH_TOKEN": "opaque-live-token", "CH_USER_ID": "77", "CH_DEVICE_ID": "C0FFEE00-5EED-4E00-8000-000000001234",
	}))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Redacted()
	for k, v := range r {
		for _, secret := range []string{"hunter2secret", "alice", "k3y-in-the-query", "opaque-live-token"} {
			if strings.Contains(v, secret) {
				t.Errorf("%s=%q holds %s", k, v, secret)
			}
		}
	}
	if r["CH_BASE_URL"] != "https://example.test/api?api_key=<redacted>&region=<redacted>" {
		t.Errorf("CH_BASE_URL shown as %q", r["CH_BASE_URL"])
	}
	if r["CH_USER_ID"] != "77" || r["CH_DEVICE_ID"] != "C0FFEE00-5EED-4E00-8000-000000001234" {
		t.Errorf("identifiers are shown as given: %q %q", r["CH_USER_ID"], r["CH_DEVICE_ID"])
	}
	// The run's redactor knows the URL's credentials, in transcripts too.
	red := NewRedactor(nil, c.Secrets()...)
	got := red.String("GET https://example.test/api/me?api_key=k3y-in-the-query (token opaque-live-token, pw hunter2secret)")
	for _, secret := range []string{"hunter2secret", "k3y-in-the-query", "opaque-live-token"} {
		if strings.Contains(got, secret) {
			t.Errorf("transcript text %q holds %s", got, secret)
		}
	}

	for _, raw := range []string{
		"ftp://alice:hunter2secret@example.test/api?api_key=k3y-in-the-query",
		"alice:hunter2secret@example.test/api",
		"https://alice:hunter2secret@/api?api_key=k3y-in-the-query",
	} {
		_, err := LoadConfig(lookupFrom(map[string]string{"CH_BASE_URL": raw}))
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Var != "CH_BASE_URL" {
			t.Errorf("%s: want a ConfigError naming CH_BASE_URL, got %v", raw, err)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "hunter2secret") || strings.Contains(msg, "k3y-in-the-query") {
			t.Errorf("the error rejecting CH_BASE_URL echoes its credentials: %s", msg)
		}
	}
}

// TestPlainHTTPToARemoteHostWithATokenIsRefused: issue 11, item 3.
func TestPlainHTTPToARemoteHostWithATokenIsRefused(t *testing.T) {
	const token = "opaque-live-token"
	cases := []struct {
		vars    map[string]string
		refused bool
	}{
		{map[string]string{"CH_BASE_URL": "http://clubhouse.example.test/api", "CH_AUTH_TOKEN": token}, true},
		{map[string]string{"CH_BASE_URL": "http://10.0.0.7:8080/api", "CH_AUTH_TOKEN": token}, true},
		{map[string]string{"CH_BASE_URL": "http://alice:pw@clubhouse.example.test/api"}, true},
		{map[string]string{"CH_BASE_URL": "http://127.0.0.1.example.test/api", "CH_AUTH_TOKEN": token}, true},
		{map[string]string{"CH_BASE_URL": "http://clubhouse.example.test/api", "CH_AUTH_TOKEN": token, "CH_ALLOW_INSECURE": "true"}, false},
		{map[string]string{"CH_BASE_URL": "https://clubhouse.example.test/api", "CH_AUTH_TOKEN": token}, false},
		{map[string]string{"CH_BASE_URL": "http://clubhouse.example.test/api"}, false}, // no credentials to expose
		{map[string]string{"CH_BASE_URL": "http://127.0.0.1:8080/api", "CH_AUTH_TOKEN": token}, false},
		{map[string]string{"CH_BASE_URL": "http://127.8.9.10:8080/api", "CH_AUTH_TOKEN": token}, false},
		{map[string]string{"CH_BASE_URL": "http://localhost:8080/api", "CH_AUTH_TOKEN": token}, false},
		{map[string]string{"CH_BASE_URL": "http://[::1]:8080/api", "CH_AUTH_TOKEN": token}, false},
	}
	for _, c := range cases {
		_, err := LoadConfig(lookupFrom(c.vars))
		var ce *ConfigError
		refused := errors.As(err, &ce) && ce.Var == "CH_BASE_URL" && strings.Contains(ce.Problem, "CH_ALLOW_INSECURE=true")
		if refused != c.refused || (!c.refused && err != nil) {
			t.Errorf("%v: error %v, want refused=%v", c.vars, err, c.refused)
		}
		if err != nil && strings.Contains(err.Error(), token) {
			t.Errorf("the refusal echoes the token: %v", err)
		}
	}
	if _, err := LoadConfig(lookupFrom(map[string]string{"CH_ALLOW_INSECURE": "perhaps"})); err == nil {
		t.Error("CH_ALLOW_INSECURE must be a boolean")
	}
}

package harness

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func lookupFrom(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(lookupFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode() != "fixtures" || c.ProfileName() != "fixtures" || c.Timeout != 10*time.Second || c.Rate != 0 || c.ReportDir != "reports/latest" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestLoadConfigLiveDefaultsToOneRequestPerSecond(t *testing.T) {
	c, err := LoadConfig(lookupFrom(map[string]string{"CH_BASE_URL": "http://127.0.0.1:8080/api/"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode() != "base-url" || c.ProfileName() != "live" || c.Rate != 1 || c.BaseURL.Path != "/api" {
		t.Fatalf("live defaults: mode %s profile %s rate %v path %s", c.Mode(), c.ProfileName(), c.Rate, c.BaseURL.Path)
	}
}

func TestLoadConfigNamesTheBadVariable(t *testing.T) {
	cases := map[string]map[string]string{
		"CH_BASE_URL":              {"CH_BASE_URL": "127.0.0.1:8080"},
		"CH_TIMEOUT":               {"CH_TIMEOUT": "ten seconds"},
		"CH_RATE":                  {"CH_RATE": "-1"},
		"CH_ALLOW_MUTATIONS":       {"CH_ALLOW_MUTATIONS": "yes please"},
		"CH_STRICT":                {"CH_STRICT": "maybe"},
		"CH_SPEC":                  {"CH_SPEC": "/nonexistent/api.yaml"},
		"CH_OVERLAY":               {"CH_OVERLAY": "/nonexistent/overlay.yaml"},
		"CH_FIXTURES":              {"CH_FIXTURES": "/nonexistent/fixtures"},
		"CH_CONFIG":                {"CH_CONFIG": "/nonexistent/config.yaml"},
		"CH_MIN_COVERAGE":          {"CH_MIN_COVERAGE": "90%"},
		"CH_MIN_RESPONSE_COVERAGE": {"CH_MIN_RESPONSE_COVERAGE": "all"},
		"CH_RERUNS":                {"CH_RERUNS": "-1"},
		"CH_ANONYMOUS":             {"CH_ANONYMOUS": "perhaps"},
		"CH_EXPLORE":               {"CH_EXPLORE": "sometimes"},
		"CH_EXPLORE_EXAMPLES":      {"CH_EXPLORE_EXAMPLES": "0"},
		"CH_EXPLORE_BUDGET":        {"CH_EXPLORE_BUDGET": "-5s"},
		"CH_EXPLORE_SEED":          {"CH_EXPLORE_SEED": "0"},
		"CH_SKIPS":                 {"CH_SKIPS": "/nonexistent/skips.yaml"},
	}
	for variable, env := range cases {
		t.Run(variable, func(t *testing.T) {
			_, err := LoadConfig(lookupFrom(env))
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Var != variable {
				t.Fatalf("want a ConfigError naming %s, got %v", variable, err)
			}
		})
	}
}

// TestLoadConfigMinCoverage: CH_MIN_COVERAGE is a fraction in [0,1] or all,
// CH_MIN_RESPONSE_COVERAGE a fraction, each carried as written into the
// configuration the reports echo.
func TestLoadConfigMinCoverage(t *testing.T) {
	for _, v := range []struct {
		name  string
		field func(Config) string
	}{{"CH_MIN_COVERAGE", func(c Config) string { return c.MinCoverage }}, {"CH_MIN_RESPONSE_COVERAGE", func(c Config) string { return c.MinResponseCoverage }}} {
		all := v.name == "CH_MIN_COVERAGE"
		for raw, ok := range map[string]bool{"all": all, "0.9": true, "1": true, "0": true, "1.5": false, "-0.1": false, "NaN": false, "most": false} {
			c, err := LoadConfig(lookupFrom(map[string]string{v.name: raw}))
			var ce *ConfigError
			switch {
			case ok && (err != nil || v.field(c) != raw || c.Redacted()[v.name] != raw):
				t.Errorf("%s=%s: got %q, %v", v.name, raw, v.field(c), err)
			case !ok && (!errors.As(err, &ce) || ce.Var != v.name):
				t.Errorf("%s=%s: want a ConfigError naming it, got %v", v.name, raw, err)
			}
		}
	}
}

// The generation phase: auto by default with its default budget, each
// setting read and echoed in the reports (the seed, so a run can be made
// again).
func TestLoadConfigExplore(t *testing.T) {
	c, err := LoadConfig(lookupFrom(nil))
	if err != nil || c.Explore != "" || c.ExploreExamples != DefaultExploreExamples || c.ExploreBudget != DefaultExploreBudget || c.ExploreSeed != 0 {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	c, err = LoadConfig(lookupFrom(map[string]string{"CH_EXPLORE": "ON", "CH_EXPLORE_EXAMPLES": "7", "CH_EXPLORE_BUDGET": "2m", "CH_EXPLORE_SEED": "-42"}))
	if err != nil || c.Explore != "on" || c.ExploreExamples != 7 || c.ExploreBudget != 2*time.Minute || c.ExploreSeed != -42 {
		t.Fatalf("set: %+v, %v", c, err)
	}
	r := c.Redacted()
	if r["CH_EXPLORE"] != "on" || r["CH_EXPLORE_EXAMPLES"] != "7" || r["CH_EXPLORE_BUDGET"] != "2m0s" || r["CH_EXPLORE_SEED"] != "-42" {
		t.Fatalf("echoed: %v", r)
	}
	if c, _ := LoadConfig(lookupFrom(map[string]string{"CH_EXPLORE": "off"})); c.Explore != "off" {
		t.Fatalf("CH_EXPLORE=off: %q", c.Explore)
	}
}

func TestLoadConfigFileThenEnvironment(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "chconform.yaml")
	if err := os.WriteFile(file, []byte("timeout: 3s\nCH_RATE: 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(lookupFrom(map[string]string{"CH_CONFIG": file, "CH_RATE": "2"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Timeout != 3*time.Second || c.Rate != 2 {
		t.Fatalf("file gives timeout, environment wins for rate: %v %v", c.Timeout, c.Rate)
	}
	if err := os.WriteFile(file, []byte("tiemout: 3s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(lookupFrom(map[string]string{"CH_CONFIG": file})); err == nil {
		t.Fatal("a misspelt key must be refused, not ignored")
	}
}

func TestRedactedConfigHidesCredentials(t *testing.T) {
	c, err := LoadConfig(lookupFrom(map[string]string{
		"CH_BASE_URL": "https://user:pw@example.test/api", "CH_AUTH_TOKEN": "f1d2d2f924e986ac86fdf7b36c94bcdf32beec15", "CH_USER_ID": "77",
	}))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Redacted()
	// CH_USER_ID is an identifier, shown as in every transcript.
	if r["CH_AUTH_TOKEN"] != "<redacted>" || r["CH_USER_ID"] != "77" || r["CH_BASE_URL"] != "https://example.test/api" {
		t.Fatalf("redacted config leaks: %v", r)
	}
}

// TestLoadConfigReruns: CH_RERUNS is a whole number from 0 to MaxReruns,
// 2 when unset, and the run's Ginkgo FlakeAttempts is one more.
func TestLoadConfigReruns(t *testing.T) {
	c, err := LoadConfig(lookupFrom(nil))
	if err != nil || c.Reruns != DefaultReruns || c.FlakeAttempts() != 3 || c.Redacted()["CH_RERUNS"] != "2" {
		t.Fatalf("unset: reruns %d attempts %d, %v", c.Reruns, c.FlakeAttempts(), err)
	}
	for raw, want := range map[string]int{"0": 0, "1": 1, " 3 ": 3, "10": 10, "11": -1, "-1": -1, "1.5": -1, "two": -1, "0x2": -1, "99999999999999999999": -1} {
		c, err := LoadConfig(lookupFrom(map[string]string{"CH_RERUNS": raw}))
		var ce *ConfigError
		switch {
		case want >= 0 && (err != nil || c.Reruns != want || c.FlakeAttempts() != want+1):
			t.Errorf("CH_RERUNS=%q: got %d, %v", raw, c.Reruns, err)
		case want < 0 && (!errors.As(err, &ce) || ce.Var != "CH_RERUNS" || !strings.Contains(err.Error(), "CH_RERUNS")):
			t.Errorf("CH_RERUNS=%q: want a ConfigError naming it, got %v", raw, err)
		}
	}
}

// TestAnonymousRunRefusesAToken: an anonymous run that was also given
// CH_AUTH_TOKEN would send less than it could and say so nowhere; which one
// the user meant is refused, not guessed.
func TestAnonymousRunRefusesAToken(t *testing.T) {
	c, err := LoadConfig(lookupFrom(map[string]string{"CH_ANONYMOUS": "true", "CH_BASE_URL": "http://127.0.0.1:9/api"}))
	if err != nil || !c.Anonymous || c.Redacted()["CH_ANONYMOUS"] != "true" {
		t.Fatalf("CH_ANONYMOUS=true: %+v, %v", c.Anonymous, err)
	}
	_, err = LoadConfig(lookupFrom(map[string]string{"CH_ANONYMOUS": "true", "CH_AUTH_TOKEN": "f1d2d2f924e986ac86fdf7b36c94bcdf32beec15"}))
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Var != "CH_ANONYMOUS" || !strings.Contains(err.Error(), "CH_AUTH_TOKEN") {
		t.Errorf("CH_ANONYMOUS with CH_AUTH_TOKEN: want a ConfigError naming both, got %v", err)
	}
}

// TestLoadConfigSkips: CH_SKIPS is a YAML list of match and reason, read
// whole; a skip without either, a key it does not know, or a file that is
// no such list is refused naming CH_SKIPS (exit 2 in a run), never half
// applied.
func TestLoadConfigSkips(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.yaml", "- match: CH-3fa9c2d1\n  reason: issue 12 of our tracker\n- match: '  auth: POST /me answers 200  '\n  reason: ' known '\n")
	c, err := LoadConfig(lookupFrom(map[string]string{"CH_SKIPS": good}))
	if err != nil {
		t.Fatal(err)
	}
	want := []DeclaredSkip{{"CH-3fa9c2d1", "issue 12 of our tracker"}, {"auth: POST /me answers 200", "known"}}
	if len(c.Skips) != len(want) || c.Skips[0] != want[0] || c.Skips[1] != want[1] {
		t.Errorf("skips read: %+v, want %+v", c.Skips, want)
	}
	if got := c.Redacted()["CH_SKIPS"]; got != good {
		t.Errorf("the reports' configuration says CH_SKIPS=%q", got)
	}
	for name, text := range map[string]string{
		"no-reason.yaml": "- match: CH-3fa9c2d1\n",
		"blank.yaml":     "- match: CH-3fa9c2d1\n  reason: '   '\n",
		"no-match.yaml":  "- reason: flaky upstream\n",
		"unknown.yaml":   "- match: CH-3fa9c2d1\n  reason: x\n  until: 2027\n",
		"map.yaml":       "match: CH-3fa9c2d1\nreason: x\n",
	} {
		_, err := LoadConfig(lookupFrom(map[string]string{"CH_SKIPS": write(name, text)}))
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Var != "CH_SKIPS" {
			t.Errorf("%s: want a ConfigError naming CH_SKIPS, got %v", name, err)
		}
	}
}

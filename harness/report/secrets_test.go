package report

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// profileSecrets collects what must never reach a report from a profile:
// every account's tokens (the JWT access token included) and every phone
// number a state sends.
func profileSecrets(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var secrets []string
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				walk(k, child)
			}
		case []any:
			for _, child := range v {
				walk(key, child)
			}
		case string:
			switch key {
			case "auth_token", "access_token", "refresh_token", "phone_number":
				if v != "" {
					secrets = append(secrets, v)
				}
			}
		}
	}
	walk("", doc)
	return secrets
}

// TestReportsHoldNoSecret runs the auth and users suites against the
// fixtures with the fixture profile's known credentials and greps every
// report file of the run for them: raw tokens, the JWT, and the phone numbers
// of the profile's states. It runs the real pipeline (scripts/conformance.sh:
// ginkgo, then chreport summary), so a rendering that bypassed the
// harness's redaction would be caught here.
func TestReportsHoldNoSecret(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two suites through scripts/conformance.sh")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	secrets := profileSecrets(t, filepath.Join(root, "profiles", "fixtures.yaml"))
	var jwt, phones int
	for _, s := range secrets {
		switch {
		case strings.HasPrefix(s, "eyJ"):
			jwt++
		case strings.HasPrefix(s, "+"):
			phones++
		}
	}
	if len(secrets) < 3 || jwt == 0 || phones == 0 {
		t.Fatalf("the fixture profile should hold tokens, a JWT and phone numbers; found %q", secrets)
	}

	dir := t.TempDir()
	cmd := exec.Command("bash", "scripts/conformance.sh")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CH_REPORT_DIR="+dir, "FILTER=group:users || group:auth", "CH_BASE_URL=", "CH_PROFILE=", "CH_FIXTURES=")
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code >= 2 || err != nil && code < 0 {
		t.Fatalf("scripts/conformance.sh exited %d: %v\n%s", code, err, out)
	}

	files := []string{"ginkgo.json", "junit.xml", "summary.json", "report.html", "report.md"}
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("the run left no %s: %v", name, err)
			continue
		}
		if len(data) == 0 {
			t.Errorf("%s is empty", name)
		}
		for _, secret := range secrets {
			if strings.Contains(string(data), secret) {
				t.Errorf("%s holds the secret %.12s…", name, secret)
			}
		}
	}
}

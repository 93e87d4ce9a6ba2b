package reportcmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// copyTree copies the fixtures folder so one file can be broken in the copy.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRegressionGate proves the gate end to end: a baseline from the real
// fixtures, then scripts/regressions.sh against a copy of the fixtures where
// get_profile's recorded user_id is a string. It must exit 1 and name the
// operation and the check; against the untouched fixtures it must exit 0;
// with no baseline it must exit 2.
func TestRegressionGate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the users suite three times through the scripts")
	}
	root, _ := filepath.Abs("../..")
	tmp := t.TempDir()
	env := func(extra ...string) []string {
		return append(os.Environ(), append([]string{"FILTER=group:users", "CH_BASE_URL=", "CH_PROFILE=", "CH_FIXTURES="}, extra...)...)
	}
	script := func(name string, env []string, args ...string) (string, int) {
		cmd := exec.Command("bash", append([]string{"scripts/" + name}, args...)...)
		cmd.Dir, cmd.Env = root, env
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}

	baseDir := filepath.Join(tmp, "base")
	if out, code := script("conformance.sh", env("CH_REPORT_DIR="+baseDir)); code >= 2 {
		t.Fatalf("baseline run exited %d:\n%s", code, out)
	}
	baseline := filepath.Join(baseDir, "summary.json")

	broken := filepath.Join(tmp, "fixtures")
	copyTree(t, filepath.Join(root, "fixtures"), broken)
	file := filepath.Join(broken, "get_profile", "200-user_profile.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(data), "\nresponse:")
	re := regexp.MustCompile(`"user_id": (\d+)`)
	if i < 0 || !re.MatchString(string(data[i:])) {
		t.Fatalf("%s has no response user_id to break", file)
	}
	resp := re.ReplaceAllString(string(data[i:]), `"user_id": "$1"`)
	if err := os.WriteFile(file, []byte(string(data[:i])+resp), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		env  []string
		exit int
		want []string
	}{
		{"untouched fixtures: no regression", env("BASELINE=" + baseline), 0, []string{"no regression"}},
		{"one broken fixture: the operation and the check are named", env("BASELINE="+baseline, "CH_FIXTURES="+broken), 1,
			[]string{"REGRESSIONS", "operation get_profile: check response_schema_conformance passed → failed", "/user_profile/user_id"}},
		{"no baseline: could not compare", env("BASELINE=" + filepath.Join(tmp, "none.json")), 2, []string{"no baseline"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := script("regressions.sh", tt.env, "fixtures")
			if code != tt.exit {
				t.Fatalf("exit %d, want %d:\n%s", code, tt.exit, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	if out, code := script("regressions.sh", env(), "nosuchkind"); code != 2 {
		t.Errorf("an unknown kind exits %d, want 2:\n%s", code, out)
	}
}

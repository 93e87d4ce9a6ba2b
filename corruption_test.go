package chconform_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	chconform "github.com/chconform/chconform"
)

// TestCorruptedFixturesFailTheRun breaks one recorded exchange at a time, the
// way a target drifts from the contract, and runs the suite that covers it:
// the run must fail and its output must name the operation, the check and,
// for body faults, the JSON pointer. This is the proof that the offline
// target is a real check and not a mirror of the contract.
func TestCorruptedFixturesFailTheRun(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end (four runs on broken fixtures): make test-e2e runs it")
	}
	cases := []struct {
		name, file, old, new string
		want                 []string
	}{
		{
			name: "an integer id made a string", file: "get_profile/200-user_profile.yaml",
			old: `"user_id": 4075733,`, new: `"user_id": "4075733",`,
			want: []string{"get_profile", "response_schema_conformance", "/user_profile/user_id"},
		},
		{
			name: "a required field removed", file: "get_profile/200-user_profile.yaml",
			old: `"num_followers": 103,`, new: ``,
			want: []string{"get_profile", "response_schema_conformance", "num_followers"},
		},
		{
			name: "a status changed", file: "get_profile/200-user_profile.yaml",
			old: "status: 200", new: "status: 202",
			want: []string{"get_profile", "status_code_conformance", "202"},
		},
		{
			name: "Content-Type set to text/html", file: "get_profile/200-user_profile.yaml",
			old: `"Content-Type": "application/json"`, new: `"Content-Type": "text/html"`,
			want: []string{"get_profile", "content_type_conformance", "text/html"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyFixtures(t)
			path := filepath.Join(dir, c.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte(c.old)) {
				t.Fatalf("%s no longer holds %q: update this test with the fixture", c.file, c.old)
			}
			if err := os.WriteFile(path, bytes.Replace(data, []byte(c.old), []byte(c.new), 1), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(chconformCommand(t), "run", "--filter", "op:get_profile", "--report-dir", t.TempDir())
			cmd.Env = append(offlineEnv(), "CH_FIXTURES="+dir)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the run passed on a broken fixture:\n%s", out)
			}
			for _, w := range c.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("the failure does not name %q:\n%s", w, out)
				}
			}
		})
	}
}

// chconformCommand is the built command, from the build cache.
func chconformCommand(t *testing.T) string {
	t.Helper()
	bin, err := exec.Command("go", "tool", "-n", "chconform").Output()
	if err != nil {
		t.Fatalf("building chconform failed: %v", err)
	}
	return strings.TrimSpace(string(bin))
}

// offlineEnv is the process environment without CH_* settings, so a
// developer's CH_BASE_URL never sends this test's run to a real target.
func offlineEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CH_") {
			out = append(out, kv)
		}
	}
	return out
}

func copyFixtures(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	err := fs.WalkDir(chconform.Fixtures(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(chconform.Fixtures(), p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, p), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

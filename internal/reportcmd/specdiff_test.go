package reportcmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withoutResponseField is api.yaml with one response field removed: the
// instagram property (and its required entry) of UserProfile, which
// get_profile answers with.
func withoutResponseField(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i := strings.Index(s, "\n    UserProfile:\n")
	if i < 0 {
		t.Fatal("api.yaml has no UserProfile schema")
	}
	head, tail := s[:i], s[i:]
	before := tail
	tail = strings.Replace(tail, "        - instagram\n", "", 1)
	tail = strings.Replace(tail, "        instagram:\n          type: string\n          nullable: true\n", "", 1)
	if tail == before {
		t.Fatal("UserProfile.instagram is not where the test expects it")
	}
	path := filepath.Join(t.TempDir(), "api.yaml")
	if err := os.WriteFile(path, []byte(head+tail), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSpecDiffCommand(t *testing.T) {
	removed := withoutResponseField(t)
	notYAML := writeFile(t, filepath.Join(t.TempDir(), "broken.yaml"), "openapi: [\n")

	tests := []verbCase{
		{"same contract", []string{"../../api.yaml", "../../api.yaml"}, 0, []string{"0 change(s), 0 breaking"}, ""},
		{"a removed response field is breaking", []string{"../../api.yaml", removed}, 1,
			[]string{"1 breaking", "BREAKING", "POST /get_profile", "user_profile/instagram", "[response-required-property-removed]"}, ""},
		{"breaking changes come first", []string{"../../api.yaml", removed}, 1, []string{"breaking\n  BREAKING"}, ""},
		{"markdown", []string{"--format", "md", "../../api.yaml", removed}, 1, []string{"## Contract diff ✗ 1 breaking", "| breaking | `POST /get_profile` |"}, ""},
		{"json", []string{"--format", "json", "../../api.yaml", removed}, 1, []string{`"breaking": 1`, `"level": "breaking"`}, ""},
		{"adding the field back is not breaking", []string{removed, "../../api.yaml"}, 0, []string{"0 breaking"}, ""},
		{"not a file nor a ref", []string{"no-such-ref-or-file", "../../api.yaml"}, 2, nil, "neither a file nor a git ref"},
		{"a URL is refused", []string{"https://example.com/api.yaml", "../../api.yaml"}, 2, nil, "URLs are not accepted"},
		{"not OpenAPI", []string{notYAML, "../../api.yaml"}, 2, nil, "loading"},
		{"one argument", []string{"../../api.yaml"}, 2, nil, "want two arguments"},
	}
	runVerbCases(t, "spec-diff", tests)
}

// TestSpecDiffGitRef compares the committed contract with itself through the
// REF and REF:path forms; it needs a git checkout, which CI and a clone have.
func TestSpecDiffGitRef(t *testing.T) {
	if _, err := os.Stat("../../.git"); err != nil {
		t.Skip("not a git checkout")
	}
	for _, args := range [][]string{{"HEAD", "HEAD"}, {"HEAD:api.yaml", "HEAD"}} {
		var stdout, stderr bytes.Buffer
		// git resolves REF:path from the repository root, whatever the
		// working directory; a bare REF is REF:api.yaml.
		if exit := run(append([]string{"spec-diff"}, args...), &stdout, &stderr, noEnv); exit != 0 {
			t.Errorf("%v: exit %d: %s%s", args, exit, stdout.String(), stderr.String())
		}
	}
}

package chconform_test

// The CI workflows and the composite action hold secrets and write to pull
// requests; these rules keep them from handing either to a compromised
// action, a malicious branch name or a dependency's install script.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

var (
	pinnedUses = regexp.MustCompile(`^[^@\s]+@[0-9a-f]{40}$`)
	// eventInScript is event data that a pull request's author controls,
	// pasted into a script where the shell would parse it.
	eventInScript = regexp.MustCompile(`\$\{\{\s*(github\.(base_ref|head_ref)|github\.event\.|inputs\.|steps\.[^}]*outputs)`)
	npmInstall    = regexp.MustCompile(`\bnpm (ci|install|i)\b[^\n]*`)
)

type step struct {
	Uses string         `json:"uses"`
	Run  string         `json:"run"`
	With map[string]any `json:"with"`
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func checkSteps(t *testing.T, where string, steps []step) {
	t.Helper()
	for i, s := range steps {
		at := where + " step " + strings.TrimSpace(s.Uses+" "+firstLine(s.Run))
		if s.Uses != "" && !strings.HasPrefix(s.Uses, "./") {
			if !pinnedUses.MatchString(s.Uses) {
				t.Errorf("%s: %q is not pinned by a full commit SHA", at, s.Uses)
			}
			if strings.HasPrefix(s.Uses, "actions/checkout@") {
				if v, ok := s.With["persist-credentials"]; !ok || v != false {
					t.Errorf("%s (#%d): checkout without persist-credentials: false", at, i)
				}
			}
		}
		if m := eventInScript.FindString(s.Run); m != "" {
			t.Errorf("%s: %q is pasted into the script; pass it through env", at, m)
		}
		for _, cmd := range npmInstall.FindAllString(s.Run, -1) {
			if !strings.Contains(cmd, "--ignore-scripts") {
				t.Errorf("%s: %q runs install scripts", at, cmd)
			}
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func TestWorkflowsAreHardened(t *testing.T) {
	files, err := filepath.Glob(".github/workflows/*.y*ml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflow found: %v", err)
	}
	for _, path := range files {
		var wf struct {
			Permissions any `json:"permissions"`
			Jobs        map[string]struct {
				Permissions any    `json:"permissions"`
				Steps       []step `json:"steps"`
			} `json:"jobs"`
		}
		readYAML(t, path, &wf)
		perms, ok := wf.Permissions.(map[string]any)
		if !ok || perms["contents"] != "read" || len(perms) != 1 {
			t.Errorf("%s: top-level permissions must be exactly {contents: read}, got %v", path, wf.Permissions)
		}
		for name, job := range wf.Jobs {
			if p, ok := job.Permissions.(map[string]any); ok {
				for scope, level := range p {
					if level == "write" {
						t.Errorf("%s job %s: %s: write", path, name, scope)
					}
				}
			} else if job.Permissions != nil {
				t.Errorf("%s job %s: permissions %v", path, name, job.Permissions)
			}
			checkSteps(t, path+" job "+name, job.Steps)
		}
	}
}

func TestCompositeActionIsHardened(t *testing.T) {
	files, _ := filepath.Glob(".github/actions/*/action.y*ml")
	if len(files) == 0 {
		t.Fatal("no composite action found")
	}
	for _, path := range files {
		var a struct {
			Runs struct {
				Steps []step `json:"steps"`
			} `json:"runs"`
		}
		readYAML(t, path, &a)
		checkSteps(t, path, a.Runs.Steps)
		data, _ := os.ReadFile(path)
		if !strings.Contains(string(data), `echo "::stop-commands::$stop_token"`) || !strings.Contains(string(data), `echo "::$stop_token::"`) {
			t.Errorf("%s: the suites must run between ::stop-commands:: markers", path)
		}
	}
}

// The scripts CI runs install npm packages without their install scripts.
func TestScriptsInstallWithoutInstallScripts(t *testing.T) {
	for _, path := range []string{"scripts/lint-contract.sh", "scripts/npm-client.sh"} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, cmd := range npmInstall.FindAllString(string(data), -1) {
			if !strings.Contains(cmd, "--ignore-scripts") && !strings.HasPrefix(strings.TrimSpace(cmd), "npm ci)") {
				t.Errorf("%s: %q", path, cmd)
			}
		}
	}
}

// The examples of the README and the guides (the composite action and the
// sharded matrix, in docs/ci.md and docs/sharding-and-matrix.md) pin every
// action they use, their own included: a user copies them as they are.
func TestReadmeExamplePinsActions(t *testing.T) {
	paths, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	uses := regexp.MustCompile(`(?m)^\s*-?\s*uses:\s*(\S+)`)
	found := 0
	for _, path := range append([]string{"README.md"}, paths...) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range uses.FindAllStringSubmatch(string(data), -1) {
			found++
			ref := m[1]
			if !pinnedUses.MatchString(ref) && !strings.HasSuffix(ref, "@<full") {
				t.Errorf("%s: uses %q is not pinned by a full commit SHA", path, ref)
			}
		}
	}
	if found == 0 {
		t.Error("neither the README nor a guide shows a uses: line")
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chconform/chconform/harness/report"
)

// Ginkgo runs its specs once per process, so the run verb is tested as a
// built binary.
var (
	builtOnce sync.Once
	builtBin  string
	builtErr  error
)

func chconformBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the chconform binary")
	}
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "chconform-bin-")
		if err != nil {
			builtErr = err
			return
		}
		builtBin = filepath.Join(dir, "chconform")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			builtErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if builtErr != nil {
		t.Fatal(builtErr)
	}
	return builtBin
}

// runBinary runs chconform offline (no CH_* of the caller's shell) and
// returns its exit status and combined output.
func runBinary(t *testing.T, args ...string) (int, string) {
	t.Helper()
	return runWithEnv(t, nil, args...)
}

// runWithEnv is runBinary with the variables of env (KEY=value) added.
func runWithEnv(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(chconformBinary(t), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CH_") && !strings.HasPrefix(kv, "FILTER=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, _ := cmd.CombinedOutput()
	return cmd.ProcessState.ExitCode(), string(out)
}

// dryRunSpecs lists the specs a (part of a) run would make.
func dryRunSpecs(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	code, out := runBinary(t, append([]string{"run", "--dry-run", "--report-dir", dir}, args...)...)
	if code != 0 {
		t.Fatalf("dry run %v exited %d:\n%s", args, code, out)
	}
	var reports []types.Report
	data, err := os.ReadFile(filepath.Join(dir, "ginkgo.json"))
	if err == nil {
		err = json.Unmarshal(data, &reports)
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range reports {
		for _, s := range r.SpecReports {
			if s.LeafNodeType == types.NodeTypeIt && s.State == types.SpecStatePassed {
				names = append(names, s.FullText()+" @ "+s.LeafNodeLocation.String())
			}
		}
	}
	return names
}

// For every N from 1 to 8 the parts 1/N..N/N together make every spec of
// the whole run exactly once, and no part is more than one spec larger than
// another.
func TestShardsRunEverySpecExactlyOnce(t *testing.T) {
	whole := dryRunSpecs(t, t.TempDir())
	if len(whole) < 100 {
		t.Fatalf("the whole dry run lists %d specs; expected the full suite", len(whole))
	}
	sort.Strings(whole)
	for n := 1; n <= 8; n++ {
		seen := map[string]int{}
		smallest, largest := len(whole), 0
		for i := 1; i <= n; i++ {
			part := dryRunSpecs(t, t.TempDir(), "--shard", fmt.Sprintf("%d/%d", i, n))
			smallest, largest = min(smallest, len(part)), max(largest, len(part))
			for _, name := range part {
				seen[name]++
			}
		}
		var got []string
		for name, k := range seen {
			if k != 1 {
				t.Errorf("N=%d: %q runs in %d parts", n, name, k)
			}
			got = append(got, name)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, whole) {
			t.Errorf("N=%d: the parts hold %d distinct specs, the whole run %d", n, len(got), len(whole))
		}
		if largest-smallest > 1 {
			t.Errorf("N=%d: parts of %d to %d specs; a balanced split differs by at most one", n, smallest, largest)
		}
	}
}

func summaryIn(t *testing.T, dir string) report.Summary {
	t.Helper()
	s, err := readSummary(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Three parts run against the fixtures and merged give the summary a single
// run gives: verdict, totals, coverage, verified responses, every
// operation's checks and every spec's outcome. The merge refuses parts that
// do not make one run.
func TestMergedShardsEqualASingleRun(t *testing.T) {
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	if code, out := runBinary(t, "run", "--report-dir", whole); code != 0 {
		t.Fatalf("single run exited %d:\n%s", code, out)
	}
	var parts []string
	for i := 1; i <= 3; i++ {
		dir := filepath.Join(tmp, fmt.Sprintf("part%d", i))
		if code, out := runBinary(t, "run", "--shard", fmt.Sprintf("%d/3", i), "--report-dir", dir); code != 0 {
			t.Fatalf("part %d exited %d:\n%s", i, code, out)
		}
		if got := summaryIn(t, dir).Target.Shard; got != fmt.Sprintf("%d/3", i) {
			t.Fatalf("part %d's summary says shard %q", i, got)
		}
		parts = append(parts, dir)
	}
	merged := filepath.Join(tmp, "merged")
	if code, out := runBinary(t, append([]string{"merge", "--report-dir", merged}, parts...)...); code != 0 {
		t.Fatalf("merge exited %d:\n%s", code, out)
	}
	// The merged summary, and each part's, is a summary.json like any other.
	for _, dir := range append([]string{merged}, parts...) {
		data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := report.ValidateSummary(data); err != nil {
			t.Errorf("%s/summary.json does not validate against summary.schema.json: %v", dir, err)
		}
	}
	a, b := summaryIn(t, merged), summaryIn(t, whole)
	if a.Target.Shard != "" {
		t.Errorf("the merged summary still says shard %q", a.Target.Shard)
	}
	for _, c := range []struct {
		name     string
		got, way any
	}{
		{"verdict", a.Verdict, b.Verdict},
		{"totals", a.Totals, b.Totals},
		{"coverage", a.Coverage, b.Coverage},
		{"verified", a.Verified, b.Verified},
		{"response coverage", a.ResponseCoverage, b.ResponseCoverage},
		{"operations", a.Operations, b.Operations},
		{"spec outcomes", outcomes(a), outcomes(b)},
	} {
		if !reflect.DeepEqual(c.got, c.way) {
			t.Errorf("merged %s differ from the single run's:\n merged %+v\n single %+v", c.name, c.got, c.way)
		}
	}
	if rc := a.ResponseCoverage; rc == nil || rc.Observed == 0 || rc.Observed == rc.Total {
		t.Errorf("the merged response coverage should count some locations, not all: %+v", rc)
	}
	for _, name := range []string{"report.html", "report.md", "junit.xml", "badge.json", "ginkgo.json"} {
		if _, err := os.Stat(filepath.Join(merged, name)); err != nil {
			t.Errorf("the merge wrote no %s: %v", name, err)
		}
	}

	// A part whose summary says another contract, another tool build, or
	// a part given twice or left out: each refused with exit 2.
	otherContract := copyPart(t, parts[2], func(s map[string]any) { s["spec"].(map[string]any)["sha256"] = strings.Repeat("0", 64) })
	otherTool := copyPart(t, parts[2], func(s map[string]any) { s["tool"].(map[string]any)["version"] = "v0.0.1" })
	otherTarget := copyPart(t, parts[2], func(s map[string]any) { s["target"].(map[string]any)["base_url"] = "http://127.0.0.1:1/api" })
	for _, c := range []struct {
		name  string
		parts []string
		want  string
	}{
		{"a missing part", parts[:2], "3/3 missing"},
		{"a part twice", []string{parts[0], parts[1], parts[1]}, "both part 2/3"},
		{"another contract", []string{parts[0], parts[1], otherContract}, "one contract"},
		{"another tool build", []string{parts[0], parts[1], otherTool}, "one build"},
		{"another target", []string{parts[0], parts[1], otherTarget}, "one target"},
		{"a whole run with a part", []string{whole, parts[0]}, "shard N"},
		{"no report folder", []string{filepath.Join(tmp, "nothing")}, "not the report folder"},
	} {
		code, out := runBinary(t, append([]string{"merge", "--report-dir", filepath.Join(tmp, "refused")}, c.parts...)...)
		if code != 2 || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, want 2 with %q:\n%s", c.name, code, c.want, out)
		}
	}
}

func outcomes(s report.Summary) map[string]report.Outcome {
	m := map[string]report.Outcome{}
	for _, sp := range s.Specs {
		m[sp.Name] = sp.Outcome
	}
	return m
}

// copyPart copies a part's folder with its summary.json changed.
func copyPart(t *testing.T, dir string, change func(map[string]any)) string {
	t.Helper()
	out := t.TempDir()
	for _, name := range []string{"summary.json", "ginkgo.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "summary.json" {
			var s map[string]any
			if err := json.Unmarshal(data, &s); err != nil {
				t.Fatal(err)
			}
			change(s)
			data, _ = json.Marshal(s)
		}
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

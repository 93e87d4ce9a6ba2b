package chconform_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
	"sigs.k8s.io/yaml"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// ineligibleEntry is one documented response no spec can exercise.
type ineligibleEntry struct {
	Operation string `json:"operation"`
	Status    int    `json:"status"`
	Reason    string `json:"reason"`
}

// TestEveryDocumentedResponseIsCovered is the coverage gate: every operation
// and every documented (operation, status) pair of the contract is declared
// covered by at least one spec (its covers:<op>:<status> label), or listed in
// ineligible.yaml with a reason; and no spec or list entry names what the
// contract does not have. It reads the labels from a Ginkgo dry run of every
// suite, so removing a spec makes this test name what lost coverage.
func TestEveryDocumentedResponseIsCovered(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and dry-runs every suite")
	}
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, op := range spec.Operations() {
		for _, r := range op.Responses() {
			documented[fmt.Sprintf("%s:%d", op.ID, r.Status)] = true
		}
	}

	covered := coveredByDryRun(t)
	ineligible := readIneligible(t)

	var problems []string
	for pair, specs := range covered {
		if !documented[pair] {
			problems = append(problems, fmt.Sprintf("spec %q declares covers:%s, which the contract does not document", specs[0], pair))
		}
	}
	for pair, reason := range ineligible {
		switch {
		case !documented[pair]:
			problems = append(problems, fmt.Sprintf("ineligible.yaml lists %s, which the contract does not document", pair))
		case len(covered[pair]) > 0:
			problems = append(problems, fmt.Sprintf("ineligible.yaml lists %s (%s) but %q covers it: remove the entry", pair, reason, covered[pair][0]))
		case strings.TrimSpace(reason) == "":
			problems = append(problems, fmt.Sprintf("ineligible.yaml lists %s without a reason", pair))
		}
	}
	for pair := range documented {
		if len(covered[pair]) == 0 && ineligible[pair] == "" {
			problems = append(problems, fmt.Sprintf("no spec covers %s (operation %s, status %s) and ineligible.yaml does not list it",
				pair, strings.Split(pair, ":")[0], strings.Split(pair, ":")[1]))
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("%d documented responses, %d covered, %d ineligible", len(documented), len(covered), len(ineligible))
}

// coveredByDryRun maps "op:status" to the names of the specs that declare it.
func coveredByDryRun(t *testing.T) map[string][]string {
	t.Helper()
	dir := t.TempDir()
	// Precompiled into a folder of this test's own: the Ginkgo CLI would
	// compile into the package folders, which other tests of make test use
	// at the same time.
	if out, err := exec.Command("bash", "scripts/build-suites.sh", filepath.Join(dir, "suites")).CombinedOutput(); err != nil {
		t.Fatalf("building the suites failed: %v\n%s", err, out)
	}
	binaries, err := filepath.Glob(filepath.Join(dir, "suites", "*", "*.test"))
	if err != nil || len(binaries) == 0 {
		t.Fatalf("no suite binary was built: %v", err)
	}
	args := append([]string{"tool", "ginkgo", "--dry-run", "--no-color", "--json-report=dry.json", "--output-dir=" + dir}, binaries...)
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("dry run of the suites failed: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "dry.json"))
	if err != nil {
		t.Fatal(err)
	}
	var reports []types.Report
	if err := json.Unmarshal(data, &reports); err != nil {
		t.Fatal(err)
	}
	if len(reports) == 0 {
		t.Fatal("the dry run reported no suite")
	}
	covered := map[string][]string{}
	for _, r := range reports {
		for _, s := range r.SpecReports {
			if s.LeafNodeType != types.NodeTypeIt {
				continue
			}
			for _, label := range s.Labels() {
				if pair, ok := strings.CutPrefix(label, report.LabelCovers); ok {
					covered[pair] = append(covered[pair], s.FullText())
				}
			}
		}
	}
	return covered
}

func readIneligible(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("ineligible.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var entries []ineligibleEntry
	if err := yaml.UnmarshalStrict(data, &entries); err != nil {
		t.Fatalf("ineligible.yaml: %v", err)
	}
	out := map[string]string{}
	for _, e := range entries {
		out[fmt.Sprintf("%s:%d", e.Operation, e.Status)] = e.Reason
	}
	return out
}

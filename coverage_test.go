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

	problems := coverageProblems(documented, coveredByDryRun(t), readIneligible(t))
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("%d documented responses, %d ineligible", len(documented), len(readIneligible(t)))
}

// coverageProblems compares what the contract documents with what the specs
// declare and what ineligible.yaml excuses, in both directions.
func coverageProblems(documented map[string]bool, covered map[string][]string, ineligible map[string]string) []string {
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
			op, status, _ := strings.Cut(pair, ":")
			problems = append(problems, fmt.Sprintf("no spec covers %s (operation %s, status %s) and ineligible.yaml does not list it", pair, op, status))
		}
	}
	sort.Strings(problems)
	return problems
}

// TestCoverageProblems shows the gate failing on each way coverage can be
// wrong, and passing when it is right.
func TestCoverageProblems(t *testing.T) {
	documented := map[string]bool{"me:200": true, "me:403": true, "follow:401": true}
	cases := []struct {
		name       string
		covered    map[string][]string
		ineligible map[string]string
		want       []string
	}{
		{"all covered", map[string][]string{"me:200": {"a"}, "me:403": {"b"}, "follow:401": {"c"}}, nil, nil},
		{"one excused", map[string][]string{"me:200": {"a"}, "me:403": {"b"}}, map[string]string{"follow:401": "no waitlisted account"}, nil},
		{"a spec removed", map[string][]string{"me:200": {"a"}, "me:403": {"b"}}, nil,
			[]string{"no spec covers follow:401 (operation follow, status 401) and ineligible.yaml does not list it"}},
		{"a spec names an undocumented status", map[string][]string{"me:200": {"a"}, "me:403": {"b"}, "follow:401": {"c"}, "me:500": {"d"}}, nil,
			[]string{`spec "d" declares covers:me:500, which the contract does not document`}},
		{"a stale excuse", map[string][]string{"me:200": {"a"}, "me:403": {"b"}, "follow:401": {"c"}}, map[string]string{"follow:401": "x"},
			[]string{`ineligible.yaml lists follow:401 (x) but "c" covers it: remove the entry`}},
		{"an excuse without reason", map[string][]string{"me:200": {"a"}, "me:403": {"b"}}, map[string]string{"follow:401": " "},
			[]string{"ineligible.yaml lists follow:401 without a reason"}},
		{"an excuse for nothing", map[string][]string{"me:200": {"a"}, "me:403": {"b"}, "follow:401": {"c"}}, map[string]string{"me:404": "x"},
			[]string{"ineligible.yaml lists me:404, which the contract does not document"}},
	}
	for _, c := range cases {
		got := coverageProblems(documented, c.covered, c.ineligible)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

// coveredByDryRun maps "op:status" to the names of the specs that declare it.
func coveredByDryRun(t *testing.T) map[string][]string {
	t.Helper()
	dir := t.TempDir()
	// The command that runs the specs lists them: `go tool -n` builds it once
	// into the build cache, which other tests of make test share.
	dryRun := exec.Command(chconformCommand(t), "run", "--dry-run", "--report-dir", dir)
	dryRun.Env = offlineEnv() // a dry run still loads the configuration
	if out, err := dryRun.CombinedOutput(); err != nil {
		t.Fatalf("dry run of the suites failed: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "ginkgo.json"))
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

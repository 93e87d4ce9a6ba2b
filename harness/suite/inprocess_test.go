package suite

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// A skip by case id matches only through the checks caseChecks lists: a
// check added to the harness without it could never be skipped by its id.
func TestCaseChecksListEveryCheckOfTheHarness(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	constant := regexp.MustCompile(`(?m)^\s*(?:const\s+)?Check\w+\s*=\s*"([a-z_]+)"`)
	found := 0
	for _, f := range files {
		if filepath.Ext(f) != ".go" || regexp.MustCompile(`_test\.go$`).MatchString(f) {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range constant.FindAllStringSubmatch(string(src), -1) {
			found++
			if !slices.Contains(caseChecks, m[1]) {
				t.Errorf("%s declares the check %q, which caseChecks (inprocess.go) lacks", f, m[1])
			}
		}
	}
	if found < len(caseChecks) {
		t.Errorf("found %d check names in the harness, fewer than caseChecks' %d: the pattern is stale", found, len(caseChecks))
	}
}

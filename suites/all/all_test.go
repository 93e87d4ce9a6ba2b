package all

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2"

	"github.com/chconform/chconform/harness/suite"
)

// TestAll runs every group's specs in one process, as `chconform run` does.
func TestAll(t *testing.T) {
	suite.Prepare()
	ginkgo.RunSpecs(t, "chconform")
}

// A group added under suites/ but not imported here would silently drop out
// of `chconform run`: every folder must be imported, and Groups must say so.
func TestEveryGroupIsImported(t *testing.T) {
	// From the source file, not the working directory: the Ginkgo CLI runs
	// a compiled test binary in a folder of its own.
	_, self, _, _ := runtime.Caller(0)
	here := filepath.Dir(self)
	entries, err := os.ReadDir(filepath.Dir(here))
	if err != nil {
		t.Fatal(err)
	}
	var folders []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "all" {
			folders = append(folders, e.Name())
		}
	}
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(here, "all.go"), nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var imported []string
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if group, ok := strings.CutPrefix(path, "github.com/chconform/chconform/suites/"); ok {
			imported = append(imported, group)
		}
	}
	slices.Sort(folders)
	slices.Sort(imported)
	groups := slices.Sorted(slices.Values(Groups))
	if !slices.Equal(folders, imported) || !slices.Equal(folders, groups) {
		t.Errorf("suites/ holds %v; all.go imports %v and lists %v", folders, imported, groups)
	}
}

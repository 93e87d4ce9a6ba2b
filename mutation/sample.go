package mutation

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// Draw draws n mutants from the catalogue with a seeded generator, so a CI
// run on one commit always judges the same sample and a different commit
// draws another: over many pushes the whole catalogue gets judged, and any
// one run stays within its time bound. The sample keeps catalogue order
// (the report reads the same whatever the draw). n <= 0 or n >= len(all)
// returns all.
func Draw(all []Mutant, n int, seed uint64) []Mutant {
	if n <= 0 || n >= len(all) {
		return all
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	picked := r.Perm(len(all))[:n]
	slices.Sort(picked)
	out := make([]Mutant, 0, n)
	for _, i := range picked {
		out = append(out, all[i])
	}
	return out
}

// SampleInfo says which part of the catalogue a run judged.
type SampleInfo struct {
	Size int    `json:"size"`
	Of   int    `json:"of"`
	Seed uint64 `json:"seed"`
}

// Tree is the source a run measured: the figures of a summary describe the
// code at Commit, and only that code when Dirty is false.
type Tree struct {
	Commit string `json:"commit"`
	// Dirty is set when the work tree had uncommitted changes: the figures
	// then describe no commit.
	Dirty bool `json:"dirty"`
}

// ReadTree asks git about the checkout at root. Without git (a copy of the
// source) the commit is "unknown" rather than a guess.
func ReadTree(root string) Tree {
	head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		return Tree{Commit: "unknown"}
	}
	status, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output()
	return Tree{Commit: strings.TrimSpace(string(head)), Dirty: err != nil || len(strings.TrimSpace(string(status))) > 0}
}

// SeedOf reads a -seed value: a decimal number, or "commit" for the first
// 16 hex digits of the commit (so the sample follows the code under test).
func SeedOf(value string, t Tree) (uint64, error) {
	if value != "commit" {
		n, err := strconv.ParseUint(value, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("-seed %q: want a decimal number or \"commit\"", value)
		}
		return n, nil
	}
	if len(t.Commit) < 16 {
		return 0, fmt.Errorf("-seed commit: no git commit at hand (%s); give a number", t.Commit)
	}
	return strconv.ParseUint(t.Commit[:16], 16, 64)
}

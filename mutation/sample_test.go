package mutation

import (
	"fmt"
	"slices"
	"testing"
)

func catalogueOf(n int) []Mutant {
	all := make([]Mutant, n)
	for i := range all {
		all[i] = Mutant{ID: fmt.Sprintf("m%04d", i)}
	}
	return all
}

func ids(ms []Mutant) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func TestDrawIsSeededDistinctAndInCatalogueOrder(t *testing.T) {
	all := catalogueOf(500)
	a, b := Draw(all, 40, 7), Draw(all, 40, 7)
	if !slices.Equal(ids(a), ids(b)) {
		t.Fatal("the same seed drew two different samples")
	}
	if len(a) != 40 {
		t.Fatalf("drew %d mutants, want 40", len(a))
	}
	if !slices.IsSorted(ids(a)) {
		t.Fatalf("the sample left catalogue order: %v", ids(a))
	}
	if len(slices.Compact(ids(a))) != 40 {
		t.Fatal("the sample holds a mutant twice")
	}
	if c := Draw(all, 40, 8); slices.Equal(ids(a), ids(c)) {
		t.Fatal("seeds 7 and 8 drew the same sample: the seed does not steer the draw")
	}
	if first := ids(all[:40]); slices.Equal(ids(a), first) {
		t.Fatal("the sample is the head of the catalogue, not a draw")
	}
}

func TestDrawOfAllOrMoreIsTheCatalogue(t *testing.T) {
	all := catalogueOf(10)
	for _, n := range []int{0, -1, 10, 11} {
		if got := Draw(all, n, 1); !slices.Equal(ids(got), ids(all)) {
			t.Errorf("Draw(10 mutants, %d) = %v, want the whole catalogue", n, ids(got))
		}
	}
}

func TestSeedOf(t *testing.T) {
	tree := Tree{Commit: "dfc94560123456789abcdef0123456789abcdef0"}
	if got, err := SeedOf("commit", tree); err != nil || got != 0xdfc9456012345678 {
		t.Errorf("SeedOf(commit) = %x, %v; want the commit's first 16 hex digits", got, err)
	}
	if got, err := SeedOf("42", tree); err != nil || got != 42 {
		t.Errorf("SeedOf(42) = %d, %v", got, err)
	}
	for _, bad := range []string{"", "x1", "-3"} {
		if _, err := SeedOf(bad, tree); err == nil {
			t.Errorf("SeedOf(%q) was accepted", bad)
		}
	}
	if _, err := SeedOf("commit", Tree{Commit: "unknown"}); err == nil {
		t.Error("SeedOf(commit) without a commit was accepted")
	}
}

func TestReadTreeNamesTheCommit(t *testing.T) {
	tree := ReadTree("..")
	if tree.Commit == "unknown" {
		t.Skip("not a git checkout (a source copy): nothing to read")
	}
	if len(tree.Commit) != 40 {
		t.Fatalf("commit %q is not a full hash", tree.Commit)
	}
}

package mutation

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
)

func TestGlobMatchHasOnlyTheStar(t *testing.T) {
	cases := []struct {
		pattern, id string
		want        bool
	}{
		{"me/403/*/code", "me/403/type-changed/code", true},
		{"me/403/*/code", "me/403/type-changed/codes", false},
		{"*/403/*/messages*", "get_channels/403/null-for-non-nullable/messages[].token_type", true},
		{"a/[]/b", "a/[]/b", true}, // brackets are literal
		{"a/[]/b", "a/x/b", false},
		{"create_channel/200/*/welcome_for_user_profile.*", "join_channel/200/type-changed/welcome_for_user_profile.name", false},
	}
	for _, c := range cases {
		if got := globMatch(c.pattern, c.id); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", c.pattern, c.id, got, c.want)
		}
	}
}

// Every entry of unreachable.yaml gives its reason, names mutants of the
// catalogue, and agrees with the committed mutation run: what the run
// exercised is not listed (a stale entry), what it did not is listed.
func TestUnreachableListIsReasonedCurrentAndComplete(t *testing.T) {
	list, err := UnreachableList()
	if err != nil {
		t.Fatal(err)
	}
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	catalogue := Catalogue(spec)
	for _, u := range list {
		if u.Reason != ReasonNoState && u.Reason != ReasonEquivalentUnreachable {
			t.Errorf("%s: reason %q, want %q or %q", u.Pattern, u.Reason, ReasonNoState, ReasonEquivalentUnreachable)
		}
		if len(u.Why) < 40 {
			t.Errorf("%s: says too little why (%q)", u.Pattern, u.Why)
		}
		n := 0
		for _, m := range catalogue {
			if u.Matches(m.ID) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("%s names no mutant of the catalogue: stale", u.Pattern)
		}
	}
	checkAgainstRun(t, spec, list, "../reports/mutation/summary.json")
}

func checkAgainstRun(t *testing.T, spec *harness.Spec, list []Unreachable, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the committed mutation run: %v", err)
	}
	var run struct {
		SpecSHA string   `json:"contract_sha256"`
		Mutants []Result `json:"mutants"`
	}
	if err := json.Unmarshal(raw, &run); err != nil {
		t.Fatal(err)
	}
	if run.SpecSHA != spec.SHA256 {
		t.Logf("%s is of another contract (%.12s, now %.12s): make mutation brings it up to date; not compared", path, run.SpecSHA, spec.SHA256)
		return
	}
	for _, p := range disagreements(list, run.Mutants) {
		t.Error(p)
	}
}

// disagreements lists where a run and the list disagree: a listed mutant
// the run exercised (a stale entry), a mutant it did not exercise that no
// entry names.
func disagreements(list []Unreachable, results []Result) []string {
	var out []string
	for _, r := range results {
		var listed *Unreachable
		for i := range list {
			if list[i].Matches(r.Mutant.ID) {
				listed = &list[i]
				break
			}
		}
		switch {
		case listed != nil && r.Outcome != Unexercised:
			out = append(out, fmt.Sprintf("%s is listed as unreachable (%s) but the committed run %s it: a stale entry", r.Mutant.ID, listed.Pattern, r.Outcome))
		case listed == nil && r.Outcome == Unexercised && IsRequestKind(r.Mutant.Kind):
			// Some request reaches every request fault: one not exercised
			// is the generation phase's random draws missing it, reported
			// with the run, not a state no target reaches.
		case listed == nil && r.Outcome == Unexercised:
			out = append(out, fmt.Sprintf("%s was not exercised and unreachable.yaml does not say why (%s)", r.Mutant.ID, r.Explanation))
		}
	}
	return out
}

func TestDisagreementsNameStaleEntriesAndUnlistedMutants(t *testing.T) {
	list := []Unreachable{{Pattern: "me/403/*/code", Reason: ReasonNoState, Why: "x"}}
	results := []Result{
		{Mutant: Mutant{ID: "me/403/type-changed/code"}, Outcome: Killed},       // stale
		{Mutant: Mutant{ID: "me/200/type-changed/email"}, Outcome: Unexercised}, // unlisted
		{Mutant: Mutant{ID: "me/403/null-for-non-nullable/code"}, Outcome: Unexercised},
		{Mutant: Mutant{ID: "me/200/type-changed/is_admin"}, Outcome: Killed},
		{Mutant: Mutant{ID: "me/server-error-on-null-property/timezone_identifier", Kind: KindNull500}, Outcome: Unexercised},
	}
	got := disagreements(list, results)
	if len(got) != 2 || !strings.Contains(got[0], "stale") || !strings.Contains(got[1], "does not say why") {
		t.Errorf("disagreements: %q, want the stale entry and the unlisted mutant", got)
	}
	if got := disagreements(list, results[2:]); len(got) != 0 {
		t.Errorf("a run that agrees: %q", got)
	}
}

package suite_test

import (
	"strings"
	"testing"
	"time"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
	"github.com/chconform/chconform/mutation"
)

// contract is the committed api.yaml.
func contract(t *testing.T) *harness.Spec {
	t.Helper()
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// faultyTarget is the emulator behind a proxy that applies m to its
// answers (none when m is nil), closed when the test ends.
func faultyTarget(t *testing.T, spec *harness.Spec, m *mutation.Mutant) *mutation.Target {
	t.Helper()
	tg := mutation.NewTarget(spec, m, time.Second)
	t.Cleanup(tg.Close)
	return tg
}

// mustMutant is the catalogue's mutant id, ending the test when there is none.
func mustMutant(t *testing.T, spec *harness.Spec, id string) *mutation.Mutant {
	t.Helper()
	m, ok := mutation.Lookup(spec, id)
	if !ok {
		t.Fatalf("the catalogue has no mutant %s", id)
	}
	return &m
}

// expectOneSpec runs group's specs of operation op whose names hold focus
// against the emulator with m applied, and wants exactly one such spec,
// ending with outcome want; with a mutant, the fault must have fired (else
// the spec never reached the answer it is meant to judge).
func expectOneSpec(t *testing.T, spec *harness.Spec, m *mutation.Mutant, group, op, focus string, want report.Outcome) {
	t.Helper()
	tg := faultyTarget(t, spec, m)
	r := runSuite(t, group, map[string]string{"CH_BASE_URL": tg.URL, "CH_PROFILE": "emulator"}, t.TempDir(),
		"-ginkgo.label-filter=op:"+op, "-ginkgo.focus="+focus)
	var got []report.SpecSummary
	for _, s := range r.summary.Specs {
		if strings.Contains(s.Name, focus) {
			got = append(got, s)
		}
	}
	if len(got) != 1 {
		t.Fatalf("want the one spec %q, got %d (exit %d)\n%s", focus, len(got), r.exit, r.stdout)
	}
	if got[0].Outcome != want {
		t.Errorf("%s: %s (%s), want %s", got[0].Name, got[0].Outcome, got[0].Reason, want)
	}
	if m != nil && tg.Proxy.Fired() == 0 {
		t.Errorf("the fault never fired: the spec %q did not reach the answer", focus)
	}
}

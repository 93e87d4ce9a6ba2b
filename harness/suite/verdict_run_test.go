package suite_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chconform/chconform/harness/report"
)

// TestFixtureDriftIsAFailureOfTheFixtureSet reproduces issue 12's corruption:
// the recorded request of get_profile/200-user_profile.yaml no longer matches
// what the suite sends (user_id as a string). Before, the documented-response
// spec became "unsupported: no fixture recorded" and the run exited 0; now it
// fails, naming the fixture file, and get_profile 200 is listed unverified.
func TestFixtureDriftIsAFailureOfTheFixtureSet(t *testing.T) {
	dir, fixtures := scratchFixtures(t)
	file := filepath.Join(fixtures, "get_profile", "200-user_profile.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	drifted := strings.Replace(string(data), `"user_id": 4075733`, `"user_id": "4075733"`, 1)
	if drifted == string(data) {
		t.Fatal("the fixture's request no longer holds user_id 4075733: update this test")
	}
	if err := os.WriteFile(file, []byte(drifted), 0o644); err != nil {
		t.Fatal(err)
	}

	reports := filepath.Join(dir, "reports")
	r := runSuite(t, "users", map[string]string{"CH_FIXTURES": fixtures, "CH_REPORT_DIR": reports}, reports,
		"-ginkgo.label-filter=op:get_profile")
	if r.exit != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	s := r.summary
	var failed []report.SpecSummary
	for _, sp := range s.Specs {
		if sp.Outcome == report.OutcomeUnsupported && strings.Contains(sp.Name, "returns 200") && strings.Contains(sp.Name, "user_profile") {
			t.Errorf("the drifted documented example is still unsupported: %s: %s", sp.Name, sp.Reason)
		}
		if sp.Outcome == report.OutcomeFailed {
			failed = append(failed, sp)
		}
	}
	if len(failed) != 1 || !strings.Contains(failed[0].Reason, "fixture set broken: fixture get_profile/200-user_profile.yaml") {
		t.Fatalf("want one failure naming the fixture file, got %+v", failed)
	}
	if s.ExitCode() != 1 || s.Verdict != report.VerdictNotConformant {
		t.Errorf("exit %d verdict %s, want 1 and not-conformant", s.ExitCode(), s.Verdict)
	}
	var gap *report.Gap
	for i, g := range s.Verified.Unverified {
		if g.Operation == "get_profile" && g.Status == "200" {
			gap = &s.Verified.Unverified[i]
		}
	}
	if gap == nil || !gap.Required || !strings.Contains(gap.Reason, "200-user_profile.yaml") {
		t.Errorf("get_profile 200 should be a required gap naming the fixture: %+v", gap)
	}
	// ineligible.yaml is empty: the floor exempts nothing.
	if s.Verified.Floor.Profile != "all" || s.Verified.Required == 0 || len(s.Verified.Floor.Exempt) != 0 {
		t.Errorf("the run's floor did not reach the summary: %+v", s.Verified.Floor)
	}
}

// scratchFixtures copies the fixtures into a temporary folder.
func scratchFixtures(t *testing.T) (dir, fixtures string) {
	t.Helper()
	dir = t.TempDir()
	fixtures = filepath.Join(dir, "fixtures")
	if err := os.CopyFS(fixtures, os.DirFS(filepath.Join(repoRoot, "fixtures"))); err != nil {
		t.Fatal(err)
	}
	return dir, fixtures
}

// TestAMissingFixtureIsBelowTheFloor: with the fixture of a documented
// example deleted, its spec is unsupported (nothing records the example), and
// the fixtures profile's floor (every documented response) turns that gap
// into exit 1 naming the response and why.
func TestAMissingFixtureIsBelowTheFloor(t *testing.T) {
	dir, fixtures := scratchFixtures(t)
	if err := os.Remove(filepath.Join(fixtures, "get_profile", "200-user_profile.yaml")); err != nil {
		t.Fatal(err)
	}
	reports := filepath.Join(dir, "reports")
	r := runSuite(t, "users", map[string]string{"CH_FIXTURES": fixtures, "CH_REPORT_DIR": reports}, reports,
		"-ginkgo.label-filter=op:get_profile")
	s := r.summary
	if s.Totals.Failed != 0 || s.Totals.Unsupported == 0 {
		t.Fatalf("want the spec unsupported, not failed: %+v", s.Totals)
	}
	if s.ExitCode() != 1 || s.Verdict != report.VerdictNotConformant {
		t.Fatalf("exit %d verdict %s, want 1 and not-conformant (below the floor %+v)", s.ExitCode(), s.Verdict, s.Verified.BelowFloor)
	}
	found := false
	for _, m := range s.Verified.BelowFloor {
		found = found || strings.HasPrefix(m, "get_profile 200: only in unsupported specs: unsupported: no fixture recorded")
	}
	if !found {
		t.Errorf("below the floor: %q, want get_profile 200 with its reason", s.Verified.BelowFloor)
	}
}

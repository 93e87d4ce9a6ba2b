package suite_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// crashOnNegativeClubID is the emulator with one fault only generated input
// reaches: get_club answers 500 to a negative club_id (no documented request
// sends one). broken says whether the fault is on; hits counts the 500s.
func crashOnNegativeClubID(t *testing.T, broken *atomic.Bool) (string, *atomic.Int32) {
	t.Helper()
	h := emulator.New(emulator.Options{}).Handler()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() && r.URL.Path == "/api/get_club" {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var m map[string]any
			if json.Unmarshal(body, &m) == nil {
				if n, ok := m["club_id"].(float64); ok && n < 0 {
					hits.Add(1)
					http.Error(w, "Server Error (500)", http.StatusInternalServerError)
					return
				}
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api", &hits
}

// The generation phase finds what no documented request shows: its spec
// fails on the 500, with the smallest request that gets it ({"club_id": -1},
// shrunk from whatever was drawn first), a case id and a curl command;
// chconform replay sends the same requests again (the seed is in the
// summary), still failing while the fault is on and fixed once it is off.
func TestExploreFindsShrinksAndReplaysAServerError(t *testing.T) {
	var broken atomic.Bool
	broken.Store(true)
	base, hits := crashOnNegativeClubID(t, &broken)
	reports := t.TempDir()
	vars := map[string]string{"CH_BASE_URL": base, "CH_PROFILE": "emulator", "CH_REPORT_DIR": reports, "CH_EXPLORE_EXAMPLES": "60", "CH_RERUNS": "0"}
	bin := chconformCommand(t)
	r := runCommand(t, bin, repoRoot, vars, "", "run", "--filter", "phase:explore && op:get_club && !provisional", "--seed", "11")
	if r.exit != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	if hits.Load() == 0 {
		t.Fatal("no generated request reached the fault")
	}
	s := readSummary(t, filepath.Join(reports, "summary.json"))
	if s.Target.Config["CH_EXPLORE_SEED"] != "11" {
		t.Errorf("the summary records the seed %q, want the run's 11", s.Target.Config["CH_EXPLORE_SEED"])
	}
	if len(s.Specs) != 1 {
		t.Fatalf("want the one explore spec of get_club, got %d", len(s.Specs))
	}
	sp := s.Specs[0]
	if sp.Outcome != report.OutcomeFailed || !strings.Contains(sp.Reason, harness.CheckNotAServerError) ||
		!strings.Contains(sp.Reason, `body {"club_id":-1}`) || !strings.Contains(sp.Reason, "CH_EXPLORE_SEED=11") {
		t.Fatalf("%s: %s %q, want failed on %s with the shrunk body {\"club_id\":-1} and the seed", sp.Name, sp.Outcome, sp.Reason, harness.CheckNotAServerError)
	}
	if len(sp.CaseIDs) == 0 || len(sp.Reproduce) != 1 || !strings.Contains(sp.Reproduce[0].Curl, `{"club_id":-1}`) {
		t.Fatalf("want a case id and one curl command sending the shrunk request, got %v %+v", sp.CaseIDs, sp.Reproduce)
	}

	replay := runCommand(t, bin, repoRoot, map[string]string{"CH_EXPLORE_EXAMPLES": "60", "CH_RERUNS": "0"}, "", "replay", reports)
	if replay.exit != 1 || !strings.Contains(replay.stdout, "STILL FAILING") || !strings.Contains(replay.stdout, sp.CaseIDs[0]) {
		t.Fatalf("replay with the fault on: exit %d, want 1 and STILL FAILING %s\n%s\n%s", replay.exit, sp.CaseIDs[0], replay.stdout, replay.stderr)
	}
	again := readSummary(t, filepath.Join(reports, "replay", "summary.json"))
	if len(again.Specs) != 1 || again.Specs[0].Reproduce[0].Curl != sp.Reproduce[0].Curl {
		t.Errorf("the replay did not send the same smallest request:\n%+v\nwant %s", again.Specs, sp.Reproduce[0].Curl)
	}
	broken.Store(false)
	fixed := runCommand(t, bin, repoRoot, map[string]string{"CH_EXPLORE_EXAMPLES": "60", "CH_RERUNS": "0"}, "", "replay", reports)
	if fixed.exit != 0 || !strings.Contains(fixed.stdout, "FIXED") {
		t.Fatalf("replay with the fault off: exit %d, want 0 and FIXED\n%s\n%s", fixed.exit, fixed.stdout, fixed.stderr)
	}
}

// Against the fixtures, generated requests have no recorded answer: every
// explore spec is unsupported, saying so, and the run stays conformant.
func TestExploreIsUnsupportedOnTheFixtures(t *testing.T) {
	r := runSuite(t, "topics", nil, t.TempDir(), "-ginkgo.label-filter=phase:explore")
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stdout)
	}
	specs := append(append([]report.SpecSummary{}, r.summary.Specs...), r.summary.Provisional.Specs...)
	if len(specs) == 0 {
		t.Fatal("no explore spec ran")
	}
	for _, sp := range specs {
		if sp.Outcome != report.OutcomeUnsupported || !strings.Contains(sp.Reason, "generated requests need a server") {
			t.Errorf("%s: %s %q, want unsupported", sp.Name, sp.Outcome, sp.Reason)
		}
	}
}

func readSummary(t *testing.T, path string) report.Summary {
	t.Helper()
	var s report.Summary
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// A spent CH_EXPLORE_BUDGET sends nothing more: the explore specs whose
// turn comes after it are disabled saying so, and the run stays conformant.
func TestASpentExploreBudgetDisablesTheRest(t *testing.T) {
	_, base := startEmulator(t)
	r := runSuite(t, "topics", map[string]string{"CH_BASE_URL": base, "CH_PROFILE": "emulator", "CH_EXPLORE_BUDGET": "1ns"}, t.TempDir(),
		"-ginkgo.label-filter=phase:explore && !provisional")
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stdout)
	}
	if len(r.summary.Specs) == 0 {
		t.Fatal("no explore spec ran")
	}
	for _, sp := range r.summary.Specs {
		if sp.Outcome != report.OutcomeDisabled || !strings.Contains(sp.Reason, "CH_EXPLORE_BUDGET was spent") {
			t.Errorf("%s: %s %q, want disabled by the budget", sp.Name, sp.Outcome, sp.Reason)
		}
	}
}

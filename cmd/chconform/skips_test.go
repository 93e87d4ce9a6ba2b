package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chconform/chconform/harness/report"
)

// skippedBySkipsFile is a spec the fixtures pass, declared known to fail in
// a CH_SKIPS file, as a CI gate declares its known failures.
const skippedBySkipsFile = "auth: POST /complete_phone_number_auth with the right code returns a 40-hex auth token and SimpleJWT access and refresh tokens"

// TestRunDeclaresTheSkipsOfCHSkips: `chconform run` with CH_SKIPS does not
// run the spec a skip names, lists the skip with that spec and its reason,
// and gives conformant-with-gaps at best; a skip without a reason exits 2
// naming CH_SKIPS before any request.
func TestRunDeclaresTheSkipsOfCHSkips(t *testing.T) {
	dir := t.TempDir()
	skips := filepath.Join(dir, "skips.yaml")
	if err := os.WriteFile(skips, []byte("- match: "+strconv.Quote(skippedBySkipsFile)+"\n  reason: tracked as issue 7 of the server\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	reports := filepath.Join(dir, "reports")
	code, out := runWithEnv(t, []string{"CH_SKIPS=" + skips}, "run", "--filter", "group:auth", "--report-dir", reports)
	if code != 0 {
		t.Fatalf("exit %d, want 0 (conformant-with-gaps passes):\n%s", code, out)
	}
	var s report.Summary
	data, err := os.ReadFile(filepath.Join(reports, "summary.json"))
	if err == nil {
		err = json.Unmarshal(data, &s)
	}
	if err != nil {
		t.Fatal(err)
	}
	if s.Verdict != report.VerdictWithGaps {
		t.Errorf("verdict %s, want conformant-with-gaps", s.Verdict)
	}
	if len(s.Skips) != 1 || s.Skips[0].Reason != "tracked as issue 7 of the server" || len(s.Skips[0].Specs) != 1 || s.Skips[0].Specs[0] != skippedBySkipsFile {
		t.Errorf("skips %+v, want the one declared, naming %q", s.Skips, skippedBySkipsFile)
	}
	found := false
	for _, sp := range s.Specs {
		if sp.Name == skippedBySkipsFile {
			found = true
			if sp.Outcome != report.OutcomeDisabled {
				t.Errorf("the skipped spec's outcome is %s, want disabled (the fixtures pass it)", sp.Outcome)
			}
		}
	}
	if !found {
		t.Errorf("the run lists no spec %q", skippedBySkipsFile)
	}

	broken := filepath.Join(dir, "broken.yaml")
	if err := os.WriteFile(broken, []byte("- match: "+strconv.Quote(skippedBySkipsFile)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out = runWithEnv(t, []string{"CH_SKIPS=" + broken}, "run", "--filter", "group:auth", "--report-dir", filepath.Join(dir, "broken"))
	if code != 2 || !strings.Contains(out, "CH_SKIPS") {
		t.Errorf("a skip without a reason: exit %d, want 2 naming CH_SKIPS:\n%s", code, out)
	}
}

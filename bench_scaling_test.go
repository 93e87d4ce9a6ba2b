package chconform_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// bench/audit-scaling.sh's verdicts on runs whose answer is known: the
// median of the rounds' ratios, a round where a one-core run met a slow
// minute (its ratio of 2.5 says nothing of the audit) left out of the
// steady median, and a round whose two-core run did not get two cores
// left out of both.
func TestAuditScalingSummary(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	runs := strings.Join([]string{
		// round 1: 1.60x, the host 2 x 10 / 10.5 = 1.90x
		"r1-A-p1 A 1 10.00 10.00 140 100", "r1-A-p2 A 2 6.25 12.00 140 160",
		"r1-A-c1 A 1 10.50 10.50 140 95", "r1-A-c2 A 1 10.40 10.40 140 96",
		// round 2: 1.70x
		"r2-A-p2 A 2 6.00 11.50 140 167", "r2-A-p1 A 1 10.20 10.20 140 98",
		"r2-A-c1 A 1 10.30 10.30 140 97", "r2-A-c2 A 1 10.60 10.60 140 94",
		// round 3: a one-core run 50 % slower than the best: 2.50x, unsteady
		"r3-A-p1 A 1 15.00 15.00 140 67", "r3-A-p2 A 2 6.00 11.60 140 167",
		"r3-A-c1 A 1 10.30 10.30 140 97", "r3-A-c2 A 1 10.40 10.40 140 96",
		// round 4: the two-core run had one core (cpu/wall 1.0): contended
		"r4-A-p1 A 1 10.10 10.10 140 99", "r4-A-p2 A 2 10.00 10.00 140 100",
		"r4-A-c1 A 1 10.30 10.30 140 97", "r4-A-c2 A 1 10.40 10.40 140 96",
	}, "\n") + "\n"
	file := filepath.Join(t.TempDir(), "runs")
	if err := os.WriteFile(file, []byte(runs), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "bench/audit-scaling.sh")
	cmd.Env = append(os.Environ(), "RUNS="+file, "BYTES=1000000000")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"round 1:  A 1.60x  host 1.90x",
		"round 3:  A 2.50x",
		"(unsteady: one core slower than its best by A p1 +50%)",
		"round 4:  A 1.01x",
		"(contended: cpu/wall per core A p2 0.50)",
		// 1.01 1.60 1.70 2.50
		"A: median ratio 1.65x (min 1.01x, max 2.50x); best one core 10.00 s / best two cores 6.00 s = 1.67x",
		"A, uncontended rounds only (3): median ratio 1.70x (min 1.60x, max 2.50x)",
		"A, steady rounds only (2): median ratio 1.65x (min 1.60x, max 1.70x)",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

package embed

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chconform/chconform/conformance"
	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness/report"
)

// skippedSpec is the deliberate skip: a spec the emulator passes, skipped
// as an implementer would skip one they know to fail, by its case id.
const skippedSpec = "users: malformed requests POST /me with malformed JSON gets a 4xx, never a 2xx or a 5xx"

// TestEmulatorInProcess is what a server author writes: the whole suite
// against their handler, one call, no socket. The emulator passes it;
// with the skip its verdict is conformant-with-gaps, and summary.json says
// which spec was skipped and why.
func TestEmulatorInProcess(t *testing.T) {
	if os.Getenv(faultyVar) != "" {
		t.Skip("the child process of TestFaultyHandlerFailsWithTheCaseID runs only that test")
	}
	dir := t.TempDir()
	opts := conformance.DefaultOptions()
	opts.Handler = emulator.New(emulator.Options{}).Handler()
	opts.Profile = "emulator"
	opts.ReportDir = dir
	opts.Skips = []conformance.Skip{{Match: report.CaseID(skippedSpec, report.CaseSpecCheck), Reason: "deliberate: shows a skip in the reports"}}
	conformance.Run(t, opts)

	s := readSummary(t, dir)
	if s.Verdict != report.VerdictWithGaps || s.Target.Mode != "handler" {
		t.Errorf("verdict %s, mode %s: want conformant-with-gaps against the handler", s.Verdict, s.Target.Mode)
	}
	if len(s.Skips) != 1 || len(s.Skips[0].Specs) != 1 || s.Skips[0].Specs[0] != skippedSpec || s.Skips[0].Reason != "deliberate: shows a skip in the reports" {
		t.Errorf("skips %+v, want the one declared, naming %q", s.Skips, skippedSpec)
	}
	if s.Totals.Passed < 300 || s.Totals.Failed+s.Totals.Error+s.Totals.Flaky != 0 {
		t.Errorf("totals %+v: want the whole suite, passing", s.Totals)
	}
	for _, name := range []string{"report.html", "report.md", "junit.xml"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}

	// The same verdict as `chconform run` over a socket: the committed
	// baseline of the emulator (scripts/regressions.sh emulator) gives
	// every spec it knows the outcome this run gave, the skipped one aside.
	base, err := conformance.ReadSummary(filepath.Join("..", "..", "reports", "baseline", "emulator"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]report.Outcome{}
	for _, sp := range s.Specs {
		got[sp.Name] = sp.Outcome
	}
	compared := 0
	for _, sp := range base.Specs {
		if o, ok := got[sp.Name]; ok && sp.Name != skippedSpec {
			compared++
			if o != sp.Outcome {
				t.Errorf("%s: %s in process, %s over a socket (reports/baseline/emulator)", sp.Name, o, sp.Outcome)
			}
		}
	}
	if compared < len(base.Specs)-10 {
		t.Errorf("only %d of the baseline's %d specs ran in process", compared, len(base.Specs))
	}
}

// faultyVar makes this test binary, started again by
// TestFaultyHandlerFailsWithTheCaseID, run the suite against the faulty
// handler: a failing t cannot be observed from the test it fails.
const faultyVar = "EMBED_FAULTY_REPORT_DIR"

// TestFaultyHandlerFailsWithTheCaseID runs TestFaultyHandler in a child
// process and checks that it failed, naming the case id of the broken
// field's check and a curl command.
func TestFaultyHandlerFailsWithTheCaseID(t *testing.T) {
	if os.Getenv(faultyVar) != "" {
		t.Skip("this is the child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFaultyHandler$", "-test.count=1")
	cmd.Env = append(os.Environ(), faultyVar+"="+dir)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the suite passed a handler whose me has num_invites as a string:\n%s", tail(out))
	}
	spec := "users: the contract's documented responses POST /me returns 200 with a body that conforms to the contract (examples)"
	id := report.CaseID(spec, "response_schema_conformance")
	for _, want := range []string{"--- FAIL: TestFaultyHandler", id, spec, "reproduce: curl"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the failing run's output lacks %q:\n%s", want, tail(out))
		}
	}
	if s := readSummary(t, dir); s.Verdict != report.VerdictNotConformant {
		t.Errorf("verdict %s, want not-conformant", s.Verdict)
	}
}

// TestFaultyHandler is the child: the emulator with one wrong type in me.
func TestFaultyHandler(t *testing.T) {
	dir := os.Getenv(faultyVar)
	if dir == "" {
		t.Skip("run by TestFaultyHandlerFailsWithTheCaseID")
	}
	opts := conformance.DefaultOptions()
	opts.Handler = WrongTypeInMe(emulator.New(emulator.Options{}).Handler())
	opts.Profile = "emulator"
	opts.ReportDir = dir
	conformance.Run(t, opts)
}

func readSummary(t *testing.T, dir string) report.Summary {
	t.Helper()
	s, err := conformance.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func tail(b []byte) string {
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// BenchmarkWholeSuiteInProcess is the whole suite against the emulator's
// handler in process, wall time, as a user's `go test` pays it: each
// iteration starts this test binary (already built: warm) for
// TestEmulatorInProcess, since Ginkgo runs one suite per process. Compare
// with scripts/conformance-emulator.sh, the same suite over a socket.
func BenchmarkWholeSuiteInProcess(b *testing.B) {
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestEmulatorInProcess$", "-test.count=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, tail(out))
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "wall-s/op")
}

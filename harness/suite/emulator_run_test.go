package suite_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/capture"
	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

var allSuites = []string{"app", "auth", "channels", "clubs", "events", "invites", "notifications", "topics", "users"}

// The emulator's seeded default account (profiles/emulator.yaml), given the
// way a user gives a live target's credentials.
var emulatorCredentials = map[string]string{
	"CH_AUTH_TOKEN": "c0ffee5eed00c0ffee5eed00c0ffee5eed001234",
	"CH_USER_ID":    "1234",
	"CH_DEVICE_ID":  "C0FFEE00-5EED-4E00-8000-000000001234",
}

func startEmulator(t *testing.T) (*emulator.Server, string) {
	t.Helper()
	em := emulator.New(emulator.Options{})
	srv := httptest.NewServer(em.Handler())
	t.Cleanup(srv.Close)
	return em, srv.URL + "/api"
}

// runSuites runs the specs of the given groups in one process, as
// `chconform run` does, with vars, and returns every spec by name.
func runSuites(t *testing.T, suites []string, vars map[string]string) map[string]report.SpecSummary {
	t.Helper()
	bin := suitesBinary(t)
	var groups []string
	for _, name := range suites {
		groups = append(groups, report.LabelGroup+name)
	}
	reportDir := t.TempDir()
	r := runCommand(t, bin, filepath.Join(repoRoot, "suites", "all"), vars, reportDir, "-test.count=1", "-test.run=^TestAll$",
		"-ginkgo.label-filter="+strings.Join(groups, " || "),
		"-ginkgo.json-report="+filepath.Join(reportDir, "ginkgo.json"))
	if len(r.summary.Specs) == 0 {
		t.Errorf("the suites %v reported nothing: exit %d\n%s", suites, r.exit, r.stderr)
	}
	out := map[string]report.SpecSummary{}
	for _, s := range r.summary.Specs {
		out[s.Name] = s
	}
	return out
}

func count(specs map[string]report.SpecSummary, outcome report.Outcome, reason string) int {
	n := 0
	for _, s := range specs {
		if s.Outcome == outcome && strings.Contains(s.Reason, reason) {
			n++
		}
	}
	return n
}

func TestLiveProfileAgainstTheEmulatorSendsNoMutatingAndNoPhoneAuthRequest(t *testing.T) {
	t.Parallel()
	em, base := startEmulator(t)
	vars := map[string]string{"CH_BASE_URL": base, "CH_RATE": "50"} // no CH_PROFILE: live
	for k, v := range emulatorCredentials {
		vars[k] = v
	}
	specs := runSuites(t, allSuites, vars)

	contract, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	requests := em.Requests()
	if len(requests) == 0 {
		t.Fatal("the emulator saw no request: the read-only specs must still run")
	}
	ops := map[string]int{}
	for _, r := range requests {
		ops[r.Operation]++
		op, ok := contract.Operation(r.Operation)
		if r.Mutating || (ok && (op.Mutating() || op.PhoneAuth())) {
			t.Errorf("a live-profile run sent %s %s (%s) for the spec %q", r.Method, r.Path, r.Operation, r.Spec)
		}
		if r.Spec == "" {
			t.Errorf("%s %s carries no %s header", r.Method, r.Path, harness.SpecHeader)
		}
	}
	var names []string
	for op, n := range ops {
		names = append(names, fmt.Sprintf("%s×%d", op, n))
	}
	sort.Strings(names)
	t.Logf("%d specs; the emulator logged %d requests, all read-only: %s", len(specs), len(requests), strings.Join(names, " "))
	t.Logf("passed %d, failed %d, disabled %d (CH_ALLOW_MUTATIONS %d, CH_ALLOW_SMS %d), unsupported %d",
		count(specs, report.OutcomePassed, ""), count(specs, report.OutcomeFailed, ""), count(specs, report.OutcomeDisabled, ""),
		count(specs, report.OutcomeDisabled, "CH_ALLOW_MUTATIONS=true"), count(specs, report.OutcomeDisabled, "CH_ALLOW_SMS=true"),
		count(specs, report.OutcomeUnsupported, ""))
	if count(specs, report.OutcomeDisabled, "CH_ALLOW_MUTATIONS=true") == 0 || count(specs, report.OutcomeDisabled, "CH_ALLOW_SMS=true") == 0 {
		t.Error("mutating specs and the phone-auth flow must be reported disabled, naming their switch")
	}
	if count(specs, report.OutcomePassed, "") == 0 {
		t.Error("no read-only spec passed against the emulator")
	}
	if n := count(specs, report.OutcomeError, ""); n > 0 {
		t.Errorf("%d specs errored", n)
	}
}

// TestLiveProfileWithoutCredentialsNamesTheVariable: against a real server
// (the emulator under the live profile) a run without CH_AUTH_TOKEN stops
// before any request, naming it (issue 18); an anonymous run goes ahead with
// those specs unsupported naming CH_AUTH_TOKEN, and sends no request that
// needed the token without it.
func TestLiveProfileWithoutCredentialsNamesTheVariable(t *testing.T) {
	t.Parallel()
	em, base := startEmulator(t)
	refused := runSuite(t, "users", map[string]string{"CH_BASE_URL": base, "CH_RATE": "0"}, t.TempDir())
	if refused.exit != 2 || !strings.Contains(refused.stderr, "CH_AUTH_TOKEN") || len(em.Requests()) != 0 {
		t.Errorf("without CH_AUTH_TOKEN: exit %d, %d requests, stderr %q; want 2 naming it, before any request", refused.exit, len(em.Requests()), refused.stderr)
	}
	specs := runSuites(t, []string{"users"}, map[string]string{"CH_BASE_URL": base, "CH_RATE": "0", "CH_ANONYMOUS": "true"})
	if n := count(specs, report.OutcomeUnsupported, "needs CH_AUTH_TOKEN"); n == 0 {
		t.Error("specs that need a token are unsupported naming CH_AUTH_TOKEN")
	}
	for _, r := range em.Requests() {
		if r.Status == 401 && !strings.Contains(r.Spec, "without credentials") && !strings.Contains(r.Spec, "unknown token") && !strings.Contains(r.Spec, "malformed Bearer token") {
			t.Errorf("%s was sent without the token it needs (spec %q)", r.Operation, r.Spec)
		}
	}
}

// Record a run against the emulator, replay the recording offline: every
// spec that can run on the replay comes to the same verdict.
func TestRecordThenReplayGivesTheSameVerdicts(t *testing.T) {
	t.Parallel()
	_, base := startEmulator(t)
	dir := t.TempDir()
	suites := allSuites
	recorded := runSuites(t, suites, map[string]string{"CH_BASE_URL": base, "CH_PROFILE": "emulator", "CH_RECORD": dir})
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("nothing recorded")
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for _, secret := range []string{"c0ffee5eed00c0ffee5eed00", "+1555000", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBl"} {
			if strings.Contains(string(data), secret) {
				t.Errorf("%s holds %q", f, secret)
			}
		}
	}
	// The run's process wrote its whole run as a HAR, masked like the
	// fixtures, and closed it.
	for _, name := range []string{"all"} {
		har := filepath.Join(dir, "run-"+name+".har")
		data, err := os.ReadFile(har)
		if err != nil {
			t.Errorf("no run log for %s: %v", name, err)
			continue
		}
		for _, secret := range []string{"c0ffee5eed00c0ffee5eed00", "+1555000", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBl"} {
			if strings.Contains(string(data), secret) {
				t.Errorf("%s holds %q", har, secret)
			}
		}
		n := 0
		if err := capture.Read(har, func(capture.Entry) error { n++; return nil }); err != nil || n == 0 {
			t.Errorf("%s: %d entries, %v", har, n, err)
		}
	}
	replayed := runSuites(t, suites, map[string]string{"CH_FIXTURES": dir})
	compared, unsupported := 0, 0
	for name, r := range replayed {
		if r.Outcome == report.OutcomeUnsupported || r.Outcome == report.OutcomeDisabled {
			unsupported++
			continue
		}
		rec, ok := recorded[name]
		if !ok {
			t.Errorf("%s: replayed but not recorded", name)
			continue
		}
		compared++
		if rec.Outcome != r.Outcome {
			t.Errorf("%s: %s when recorded, %s on replay (%s)", name, rec.Outcome, r.Outcome, r.Reason)
		}
	}
	t.Logf("%d fixtures recorded from %d specs; %d verdicts compared, %d unsupported on replay", len(files), len(recorded), compared, unsupported)
	if compared < len(recorded)/2 {
		t.Errorf("only %d of %d specs could be replayed", compared, len(recorded))
	}
}

// TestAnAlternateMethodThatHangsFailsTheSpecWithoutPanicking puts a target in
// front of the emulator that answers GET /get_channels but never answers it by
// POST: the method-equivalence spec must fail (exit 1) on the missing answer,
// not panic into a harness error.
func TestAnAlternateMethodThatHangsFailsTheSpecWithoutPanicking(t *testing.T) {
	t.Parallel()
	em := emulator.New(emulator.Options{})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/get_channels") {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		em.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	reports := t.TempDir()
	r := runSuite(t, "channels", map[string]string{
		"CH_BASE_URL": srv.URL + "/api", "CH_PROFILE": "emulator", "CH_TIMEOUT": "1s", "CH_REPORT_DIR": reports,
	}, reports, "-ginkgo.focus=method equivalence")
	var found bool
	for _, s := range r.summary.Specs {
		if !strings.Contains(s.Name, "method equivalence") {
			continue
		}
		found = true
		if s.Outcome != report.OutcomeFailed {
			t.Errorf("%s: %s (%s); a missing answer is a failed check, not a harness error", s.Name, s.Outcome, s.Reason)
		}
	}
	if !found || r.exit != 1 {
		t.Fatalf("method equivalence spec not run or exit %d (want 1)\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
}

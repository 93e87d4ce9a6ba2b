package mutation

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chconform/chconform/harness/report"
)

// The verdict on a mutant comes from the outcomes its run's report gives
// each spec, never from the exit status alone: Ginkgo exits 1 for a panic
// just as for a failed assertion.

func ginkgoSpec(text string, state types.SpecState, msg, panicked string) types.SpecReport {
	return types.SpecReport{
		ContainerHierarchyTexts: []string{"users"},
		LeafNodeType:            types.NodeTypeIt,
		LeafNodeText:            text,
		LeafNodeLabels:          []string{"op:me"},
		State:                   state,
		Failure:                 types.Failure{Message: msg, ForwardedPanic: panicked},
	}
}

// ginkgoReport is a suite's JSON report as the suite binaries write it,
// with the run entry their BeforeSuite records.
func ginkgoReport(t *testing.T, dir, name string, succeeded bool, specs ...types.SpecReport) string {
	t.Helper()
	run := types.SpecReport{
		LeafNodeType:  types.NodeTypeBeforeSuite,
		State:         types.SpecStatePassed,
		ReportEntries: []types.ReportEntry{{Name: report.EntryRun, Value: types.WrapEntryValue(report.RunEntry{Mode: "base-url", Profile: "emulator"})}},
	}
	r := types.Report{SuiteDescription: "chconform users", SuiteSucceeded: succeeded, SpecReports: append([]types.SpecReport{run}, specs...)}
	data, err := json.Marshal([]types.Report{r})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestJudgeSuiteReadsSpecOutcomes(t *testing.T) {
	dir := t.TempDir()
	passed := ginkgoSpec("me answers", types.SpecStatePassed, "", "")
	failed := ginkgoSpec("me has a schema", types.SpecStateFailed, "schema: /user_profile/user_id: want integer", "")
	panicked := ginkgoSpec("me is valid JSON", types.SpecStatePanicked, "Test Panicked", "interface conversion: interface {} is nil, not bool")
	harnessErr := ginkgoSpec("me reads back", types.SpecStateFailed, report.HarnessErrorPrefix+" target not answering", "")
	for _, tc := range []struct {
		name                string
		report              string // "" for no report file
		exit                int
		wantFailed, wantErr string // substrings; "" for none
	}{
		{"passed", ginkgoReport(t, dir, "p.json", true, passed), 0, "", ""},
		{"a failed spec", ginkgoReport(t, dir, "f.json", false, passed, failed), 1, "want integer", ""},
		{"a panic is an error, not a failure", ginkgoReport(t, dir, "x.json", false, passed, panicked), 1, "", "interface conversion"},
		{"a harness error is an error", ginkgoReport(t, dir, "h.json", false, harnessErr), 1, "", "target not answering"},
		{"failed beside errored keeps both", ginkgoReport(t, dir, "fx.json", false, failed, panicked), 1, "want integer", "Test Panicked"},
		{"every errored spec is counted", ginkgoReport(t, dir, "xx.json", false, panicked, harnessErr), 1, "", "(and 1 more errored specs)"},
		{"exit 2 before any report", "", 2, "", "exit 2 (no report): chconform: target unreachable"},
		{"non-zero exit, report names nothing", ginkgoReport(t, dir, "n.json", true, passed), 1, "", "exit 1 (the report names no failed spec)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.report
			if path == "" {
				path = filepath.Join(dir, "missing.json")
			}
			run := judgeSuite(path, tc.exit, "chconform: target unreachable\n")
			if tc.wantFailed == "" && run.failed != "" || !strings.Contains(run.failed, tc.wantFailed) {
				t.Errorf("failed = %q, want %q", run.failed, tc.wantFailed)
			}
			if tc.wantErr == "" && run.errored != "" || !strings.Contains(run.errored, tc.wantErr) {
				t.Errorf("errored = %q, want %q", run.errored, tc.wantErr)
			}
		})
	}
}

func TestDecideClassifiesTheMutant(t *testing.T) {
	spec := loadSpec(t)
	m := Mutant{ID: "me/server-error", Op: "me", Kind: KindServerError}
	for _, tc := range []struct {
		name                string
		killedBy, erroredBy string
		fired               int64
		want                string
	}{
		{"a failed spec", "users: me has a schema: want integer", "", 3, Killed},
		{"a failed spec beside an errored one", "users: me has a schema: want integer", "users: me is valid JSON: Test Panicked", 3, Killed},
		{"only errors (a panic, a harness error, exit 2)", "", "users: me is valid JSON: Test Panicked", 3, Errored},
		{"every spec passed", "", "", 3, Survived},
		{"the fault never fired", "", "", 0, Unexercised},
		{"a failure without the fault firing", "users: me has a schema: want integer", "", 0, Flaky},
		{"an error without the fault firing", "", "users: exit 2 (no report)", 0, Flaky},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Result{Mutant: m, KilledBy: tc.killedBy, ErroredBy: tc.erroredBy, Fired: tc.fired, Matched: tc.fired}
			decide(spec, &res)
			if res.Outcome != tc.want {
				t.Fatalf("outcome %s, want %s (%+v)", res.Outcome, tc.want, res)
			}
			if res.Outcome == Errored && !strings.Contains(res.Explanation, tc.erroredBy) {
				t.Errorf("an errored mutant must name the spec and its reason: %q", res.Explanation)
			}
		})
	}
}

func TestErroredIsNeverAKill(t *testing.T) {
	results := []Result{
		{Mutant: Mutant{ID: "a", Op: "me", Kind: KindServerError}, Outcome: Killed},
		{Mutant: Mutant{ID: "b", Op: "me", Kind: KindServerError}, Outcome: Survived},
		{Mutant: Mutant{ID: "c", Op: "me", Kind: KindServerError}, Outcome: Errored, Reason: "errored, not killed", Explanation: "no spec failed; users: me: Test Panicked"},
		{Mutant: Mutant{ID: "d", Op: "me", Kind: KindServerError}, Outcome: Unexercised},
	}
	s := Summarise("chconform", results)
	o := s.Overall
	if o.Killed != 1 || o.Survived != 1 || o.Errored != 1 || o.Unexercised != 1 || o.Score != 50 {
		t.Fatalf("tally %+v, want 1 killed, 1 survived, 1 errored, 1 not exercised, score 50", o)
	}
	if len(s.Survivors) != 2 {
		t.Fatalf("survivors %d, want the survived and the errored mutant", len(s.Survivors))
	}
	md := s.Markdown()
	for _, want := range []string{"1 errored", "`c`", "errored, **errored, not killed**: no spec failed; users: me: Test Panicked"} {
		if !strings.Contains(md, want) {
			t.Errorf("survivors.md lacks %q:\n%s", want, md)
		}
	}
}

// A spec that errors under -ginkgo.fail-fast may have stopped the spec that
// would have failed: the mutant runs again without fail-fast, and that run
// decides. The suite binaries here are scripts that send one request through
// the proxy and copy a prepared report.
func TestRunMutantRerunsAnErroredRunWithoutFailFast(t *testing.T) {
	spec := loadSpec(t)
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "suites", "users"), 0o755); err != nil {
		t.Fatal(err)
	}
	panicked := ginkgoReport(t, root, "panicked.json", false, ginkgoSpec("me is valid JSON", types.SpecStatePanicked, "Test Panicked", "nil map"))
	failed := ginkgoReport(t, root, "failed.json", false,
		ginkgoSpec("me is valid JSON", types.SpecStatePanicked, "Test Panicked", "nil map"),
		ginkgoSpec("me has a schema", types.SpecStateFailed, "status: want 200, got 500", ""))
	m := Mutant{ID: "me/server-error", Op: "me", Kind: KindServerError}
	for _, tc := range []struct {
		name                 string
		failFast, noFailFast string // the report each kind of run writes
		want                 string
		why                  string
	}{
		{"a later spec fails", panicked, failed, Killed, "status: want 200, got 500"},
		{"errors both times", panicked, panicked, Errored, "(also without -ginkgo.fail-fast)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin := t.TempDir()
			script := `#!/bin/sh
report=""; ff=0
for a in "$@"; do
  case "$a" in
    -ginkgo.json-report=*) report="${a#-ginkgo.json-report=}" ;;
    -ginkgo.fail-fast) ff=1 ;;
  esac
done
curl -s -o /dev/null -X POST "$CH_BASE_URL/me"
if [ $ff = 1 ]; then cp "` + tc.failFast + `" "$report"; else cp "` + tc.noFailFast + `" "$report"; fi
exit 1
`
			if err := os.WriteFile(filepath.Join(bin, "users.test"), []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			r := &Runner{Spec: spec, Root: root, BinDir: bin, Timeout: 2 * time.Second, SuiteTimeout: 30 * time.Second,
				opSuite: map[string][]string{"me": {"users"}}}
			res := r.RunMutant(t.Context(), m)
			if res.Outcome != tc.want {
				t.Fatalf("outcome %s, want %s (%+v)", res.Outcome, tc.want, res)
			}
			if !strings.Contains(res.KilledBy+res.Explanation, tc.why) {
				t.Errorf("verdict %q / %q does not say %q", res.KilledBy, res.Explanation, tc.why)
			}
		})
	}
}

// check_for_update's 401 documents no message, so a changed one breaks no
// promise: an equivalent mutant, not a suite gap; any other mutant of that
// answer is not excused.
func TestACheckForUpdateUnknownTokenMessageIsEquivalent(t *testing.T) {
	spec := loadSpec(t)
	for id, want := range map[string]string{
		"check_for_update/401/error-message-changed/detail": Equivalent,
		"check_for_update/auth-ignored":                     Survived,
	} {
		m, ok := Lookup(spec, id)
		if !ok {
			t.Fatalf("no mutant %s", id)
		}
		res := Result{Mutant: m, Outcome: Survived}
		classify(spec, &res)
		if res.Outcome != want {
			t.Errorf("%s: %s (%s), want %s", id, res.Outcome, res.Reason, want)
		}
	}
}

// A survivor's sample is a report like any other: the tokens of a sign-in
// answer and the phone number of its request are masked.
func TestSurvivorSamplesAreMasked(t *testing.T) {
	token, phone := "c0ffee5eed00c0ffee5eed00c0ffee5eed001234", "+15550002865794"
	r := Result{Mutant: Mutant{ID: "m", Op: "complete_phone_number_auth", Kind: "type-changed"}, Outcome: Survived,
		Sample: &Sample{Method: "POST", URL: "http://127.0.0.1/api/complete_phone_number_auth",
			RequestBody: `{"phone_number":"` + phone + `","verification_code":"0000"}`,
			Status:      200, Body: `{"auth_token":"` + token + `","is_verified":true}`}}
	s := Summarise("peer", []Result{r})
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{token, phone} {
		if strings.Contains(string(data), secret) || strings.Contains(s.Markdown(), secret) {
			t.Errorf("the summary keeps %s", secret)
		}
	}
	if !strings.Contains(s.Survivors[0].Sample.Body, "is_verified") {
		t.Errorf("masking lost the rest of the body: %s", s.Survivors[0].Sample.Body)
	}
}

// The run names the phase of the spec that killed a mutant, so the report
// can tell a fault only generated requests reach from one the documented
// requests kill too.
func TestJudgeSuiteNamesTheKillersPhase(t *testing.T) {
	dir := t.TempDir()
	documented := ginkgoSpec("me has a schema", types.SpecStateFailed, "schema: want integer", "")
	generated := ginkgoSpec("me answers generated bodies", types.SpecStateFailed, "not_a_server_error: 500", "")
	generated.LeafNodeLabels = []string{"op:me", GenerationPhase}
	if run := judgeSuite(ginkgoReport(t, dir, "g.json", false, generated), 1, ""); run.phase != GenerationPhase {
		t.Errorf("a generated spec's failure: phase %q, want %q", run.phase, GenerationPhase)
	}
	if run := judgeSuite(ginkgoReport(t, dir, "d.json", false, documented, generated), 1, ""); run.phase != "" || !strings.Contains(run.failed, "want integer") {
		t.Errorf("a documented spec failed first: phase %q (%s), want none", run.phase, run.failed)
	}
}

func TestReportCountsWhatOnlyGeneratedRequestsKill(t *testing.T) {
	results := []Result{
		{Mutant: Mutant{ID: "me/server-error-on-null-property/timezone_identifier", Op: "me", Kind: KindNull500}, Outcome: Killed,
			KilledBy: "explore: me answers generated bodies: 500", KilledIn: GenerationPhase, OnlyKilledIn: GenerationPhase},
		{Mutant: Mutant{ID: "follow/server-error-on-missing-property/user_id", Op: "follow", Kind: KindMissing500}, Outcome: Killed,
			KilledBy: "explore: follow answers generated bodies: 500", KilledIn: GenerationPhase, AlsoKilledBy: "users: follow without required user_id"},
		{Mutant: Mutant{ID: "me/server-error", Op: "me", Kind: KindServerError}, Outcome: Killed, KilledBy: "users: me has a schema"},
	}
	s := Summarise("chconform", results)
	if s.Overall.Generated != 2 || s.Overall.OnlyGenerated != 1 {
		t.Errorf("overall: %d killed by generated, %d only by them; want 2 and 1", s.Overall.Generated, s.Overall.OnlyGenerated)
	}
	if k := s.ByKind[string(KindNull500)]; k.OnlyGenerated != 1 {
		t.Errorf("by kind: %+v", k)
	}
	md := s.Markdown()
	for _, want := range []string{"## Killed by generated requests", "**1 of them only by it**", "| server-error-on-missing-property | 1 | 1 | 0 |",
		"- `me/server-error-on-null-property/timezone_identifier`"} {
		if !strings.Contains(md, want) {
			t.Errorf("survivors.md lacks %q", want)
		}
	}
	if strings.Contains(md, "- `follow/server-error-on-missing-property/user_id`") {
		t.Error("a mutant the documented requests kill too is listed as only generated requests'")
	}
	if md := Summarise("chconform", results[2:]).Markdown(); strings.Contains(md, "generated requests") {
		t.Error("a run where no generated spec killed anything has the section")
	}
}

package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chconform/chconform/harness"
	"github.com/onsi/ginkgo/v2/types"
)

// The reports below are built in Go the way Ginkgo builds them in process;
// TestBuildFromJSONReport checks the AsJSON path a ginkgo.json file takes.

func entry(name string, v any) types.ReportEntry {
	return types.ReportEntry{Name: name, Value: types.WrapEntryValue(v)}
}

func loc(file string, line int) types.CodeLocation {
	return types.CodeLocation{FileName: file, LineNumber: line}
}

type specOpt func(*types.SpecReport)

func labels(l ...string) specOpt {
	return func(sr *types.SpecReport) { sr.LeafNodeLabels = append(sr.LeafNodeLabels, l...) }
}

func entries(e ...types.ReportEntry) specOpt {
	return func(sr *types.SpecReport) { sr.ReportEntries = append(sr.ReportEntries, e...) }
}

func proc(n int) specOpt {
	return func(sr *types.SpecReport) { sr.ParallelProcess = n }
}

func it(text string, state types.SpecState, msg string, opts ...specOpt) types.SpecReport {
	sr := types.SpecReport{
		ContainerHierarchyTexts:  []string{"users"},
		ContainerHierarchyLabels: [][]string{{"group:users"}},
		LeafNodeType:             types.NodeTypeIt,
		LeafNodeText:             text,
		LeafNodeLocation:         loc("/home/ci/chconform/suites/users/users_test.go", 10),
		State:                    state,
		Failure:                  types.Failure{Message: msg},
		ParallelProcess:          1,
	}
	for _, o := range opts {
		o(&sr)
	}
	return sr
}

func beforeSuite(state types.SpecState, msg string, opts ...specOpt) types.SpecReport {
	sr := types.SpecReport{
		LeafNodeType:     types.NodeTypeBeforeSuite,
		LeafNodeLocation: loc("/home/ci/chconform/suites/users/suite_test.go", 20),
		State:            state,
		Failure:          types.Failure{Message: msg},
		ParallelProcess:  1,
	}
	for _, o := range opts {
		o(&sr)
	}
	return sr
}

func suite(desc string, succeeded bool, specs ...types.SpecReport) types.Report {
	return types.Report{
		SuitePath:        "/home/ci/chconform/suites/" + desc,
		SuiteDescription: desc,
		SuiteSucceeded:   succeeded,
		StartTime:        time.Date(2021, 2, 3, 4, 5, 6, 0, time.UTC),
		SpecReports:      specs,
	}
}

var testRun = RunEntry{
	Mode:     "fixtures",
	Profile:  "fixtures",
	SpecPath: "api.yaml",
	SpecSHA:  "abc123",
	Config:   map[string]string{"CH_AUTH_TOKEN": "***", "CH_RATE": "0"},
	Operations: []OperationInfo{
		{ID: "get_profile", Group: "users", Method: "POST", Path: "/get_profile", ResponsesDocumented: []string{"200", "401", "404"}},
		{ID: "follow", Group: "users", Method: "POST", Path: "/follow", ResponsesDocumented: []string{"200", "401"}},
		{ID: "get_following", Group: "users", Method: "GET", Path: "/get_following", ResponsesDocumented: []string{"200"}},
	},
}

func runSpec(opts ...specOpt) types.SpecReport {
	return beforeSuite(types.SpecStatePassed, "", append([]specOpt{entries(entry(EntryRun, testRun))}, opts...)...)
}

func checksEntry(op string, status int, results ...harness.CheckResult) types.ReportEntry {
	return entry(EntryChecks, ChecksEntry{Operation: op, Status: status, Checks: results})
}

func pass(name string) harness.CheckResult {
	return harness.CheckResult{Name: name, Status: harness.CheckPassed}
}

func fail(name string, findings ...harness.Finding) harness.CheckResult {
	return harness.CheckResult{Name: name, Status: harness.CheckFailed, Findings: findings}
}

func skip(name, reason string) harness.CheckResult {
	return harness.CheckResult{Name: name, Status: harness.CheckSkipped, Reason: reason}
}

func mustBuild(t *testing.T, reports ...types.Report) Summary {
	t.Helper()
	s, err := Build(reports, ToolInfo{Version: "test", KinOpenAPI: "v0.153.0", Ginkgo: "v2.34.0"})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return s
}

func findSpec(t *testing.T, s Summary, name string) SpecSummary {
	t.Helper()
	for _, sp := range s.Specs {
		if sp.Name == name {
			return sp
		}
	}
	t.Fatalf("no spec %q in %+v", name, s.Specs)
	return SpecSummary{}
}

func findOp(t *testing.T, s Summary, id string) OperationSummary {
	t.Helper()
	for _, op := range s.Operations {
		if op.OperationID == id {
			return op
		}
	}
	t.Fatalf("no operation %q", id)
	return OperationSummary{}
}

func TestSpecOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		spec     types.SpecReport
		selected bool
		outcome  Outcome
		reason   string
	}{
		{"passed", it("a", types.SpecStatePassed, ""), true, OutcomePassed, ""},
		{"failed", it("a", types.SpecStateFailed, "Expected\n    <int>: 1\nto equal 2"), true, OutcomeFailed, "Expected <int>: 1 to equal 2"},
		{"harness error", it("a", types.SpecStateFailed, "harness error: dial tcp:\n  connection refused"), true, OutcomeError, "harness error: dial tcp: connection refused"},
		{"long failure", it("a", types.SpecStateFailed, strings.Repeat("x", 300)), true, OutcomeFailed, strings.Repeat("x", 239) + "…"},
		{"unsupported", it("a", types.SpecStateSkipped, "unsupported: needs capability waitlisted-account"), true, OutcomeUnsupported, "needs capability waitlisted-account"},
		{"disabled", it("a", types.SpecStateSkipped, "disabled: mutations not allowed on a live target"), true, OutcomeDisabled, "mutations not allowed on a live target"},
		{"plain skip", it("a", types.SpecStateSkipped, "flaky upstream"), true, OutcomeDisabled, "flaky upstream"},
		{"panicked", it("a", types.SpecStatePanicked, "Test Panicked", func(sr *types.SpecReport) { sr.Failure.ForwardedPanic = "nil map" }), true, OutcomeError, "Test Panicked: nil map"},
		{"timed out", it("a", types.SpecStateTimedout, "A spec timeout occurred"), true, OutcomeError, "A spec timeout occurred"},
		{"interrupted", it("a", types.SpecStateInterrupted, ""), true, OutcomeError, "interrupted"},
		{"aborted", it("a", types.SpecStateAborted, "Aborted"), true, OutcomeError, "Aborted"},
		// What ginkgo --label-filter / --focus leaves behind: skipped, no message.
		{"filtered out", it("a", types.SpecStateSkipped, ""), false, "", ""},
		{"pending", it("a", types.SpecStatePending, ""), false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustBuild(t, suite("users", true, runSpec(), tt.spec))
			if !tt.selected {
				if len(s.Specs) != 0 || s.Totals != (Totals{}) {
					t.Fatalf("an unselected spec was counted: %+v %+v", s.Specs, s.Totals)
				}
				return
			}
			sp := findSpec(t, s, "users a")
			if sp.Outcome != tt.outcome || sp.Reason != tt.reason {
				t.Fatalf("got %s %q, want %s %q", sp.Outcome, sp.Reason, tt.outcome, tt.reason)
			}
			if sp.State != tt.spec.State.String() || sp.Group != "users" || sp.Location != "suites/users/users_test.go:10" {
				t.Fatalf("spec fields: %+v", sp)
			}
		})
	}
}

func TestTotalsCountEveryOutcome(t *testing.T) {
	s := mustBuild(t, suite("users", false, runSpec(),
		it("p1", types.SpecStatePassed, ""),
		it("p2", types.SpecStatePassed, ""),
		it("f", types.SpecStateFailed, "boom"),
		it("u", types.SpecStateSkipped, "unsupported: x"),
		it("d", types.SpecStateSkipped, "disabled: y"),
		it("e", types.SpecStatePanicked, "Test Panicked"),
		it("filtered", types.SpecStateSkipped, ""),
	))
	want := Totals{Passed: 2, Failed: 1, Unsupported: 1, Disabled: 1, Error: 1}
	if s.Totals != want {
		t.Fatalf("totals %+v, want %+v", s.Totals, want)
	}
	var names []string
	for _, sp := range s.Specs {
		names = append(names, sp.Name)
	}
	if !slices.IsSorted(names) || len(names) != 6 {
		t.Fatalf("specs not sorted or wrong count: %v", names)
	}
}

func TestOperationStatusRollsUpMonotonically(t *testing.T) {
	// follow: disabled, passed, unsupported -> passed (never lowered).
	// get_profile: passed, failed, unsupported -> failed.
	// get_following: touched by no selected spec -> not_run.
	specs := []types.SpecReport{
		it("f1", types.SpecStateSkipped, "disabled: no mutations", labels("op:follow")),
		it("f2", types.SpecStatePassed, "", labels("op:follow")),
		it("f3", types.SpecStateSkipped, "unsupported: no account", labels("op:follow")),
		it("g1", types.SpecStatePassed, "", labels("op:get_profile")),
		it("g2", types.SpecStateFailed, "bad body", labels("op:get_profile", "op:get_profile")),
		it("g3", types.SpecStateSkipped, "unsupported: nope", labels("op:get_profile")),
		it("filtered", types.SpecStateSkipped, "", labels("op:get_following")),
	}
	want := map[string]Outcome{"follow": OutcomePassed, "get_profile": OutcomeFailed, "get_following": OutcomeNotRun}
	// Every rotation of the specs must give the same roll-up.
	for i := range specs {
		rotated := append(slices.Clone(specs[i:]), specs[:i]...)
		s := mustBuild(t, suite("users", false, append([]types.SpecReport{runSpec()}, rotated...)...))
		for id, w := range want {
			if got := findOp(t, s, id).Status; got != w {
				t.Fatalf("rotation %d: %s status %s, want %s", i, id, got, w)
			}
		}
	}

	// error is above failed.
	s := mustBuild(t, suite("users", false, runSpec(),
		it("a", types.SpecStateFailed, "bad", labels("op:follow")),
		it("b", types.SpecStateFailed, "harness error: no route", labels("op:follow")),
	))
	if got := findOp(t, s, "follow").Status; got != OutcomeError {
		t.Fatalf("follow status %s, want error", got)
	}
	if ops := findSpec(t, s, "users a").Operations; !slices.Equal(ops, []string{"follow"}) {
		t.Fatalf("spec operations %v", ops)
	}
}

func TestOperationChecksTakeTheWorst(t *testing.T) {
	s := mustBuild(t, suite("users", false, runSpec(),
		it("a", types.SpecStatePassed, "", labels("op:get_profile"), entries(
			checksEntry("get_profile", 200,
				pass(harness.CheckStatusCode),
				pass(harness.CheckResponseSchema),
				skip(harness.CheckDocumentedErrorCase, "not an error example")),
		)),
		it("b", types.SpecStateFailed, "schema", labels("op:get_profile"), entries(
			checksEntry("get_profile", 200,
				pass(harness.CheckStatusCode),
				fail(harness.CheckResponseSchema,
					harness.Finding{Message: "missing property user_id", Pointer: "/user_profile"},
					harness.Finding{Message: "bio is too long"}),
				skip(harness.CheckDocumentedErrorCase, "not an error example")),
		)),
		it("c", types.SpecStatePassed, "", labels("op:get_profile"), entries(
			checksEntry("get_profile", 404, pass(harness.CheckDocumentedErrorCase)),
		)),
	))
	op := findOp(t, s, "get_profile")
	want := []CheckSummary{
		{Name: harness.CheckDocumentedErrorCase, Status: harness.CheckPassed, Message: ""},
		{Name: harness.CheckResponseSchema, Status: harness.CheckFailed, Message: "missing property user_id (at /user_profile); bio is too long"},
		{Name: harness.CheckStatusCode, Status: harness.CheckPassed, Message: ""},
	}
	if !slices.Equal(op.Checks, want) {
		t.Fatalf("checks\n got %+v\nwant %+v", op.Checks, want)
	}
	b := findSpec(t, s, "users b")
	if len(b.Checks) != 3 || b.Checks[1].Operation != "get_profile" || b.Checks[1].Status != harness.CheckFailed ||
		b.Checks[2].Message != "not an error example" {
		t.Fatalf("spec checks %+v", b.Checks)
	}
}

func TestOperationCheckMessagesAreCapped(t *testing.T) {
	var es []types.ReportEntry
	for _, m := range []string{"m1", "m2", "m1", "m3", "m4", "m5", "m6", "m7"} {
		es = append(es, checksEntry("follow", 200, fail(harness.CheckResponseSchema, harness.Finding{Message: m})))
	}
	s := mustBuild(t, suite("users", false, runSpec(), it("a", types.SpecStateFailed, "x", entries(es...))))
	if got := findOp(t, s, "follow").Checks[0].Message; got != "m1; m2; m3; m4; m5; and 2 more" {
		t.Fatalf("message %q", got)
	}
}

func TestCoverage(t *testing.T) {
	s := mustBuild(t, suite("users", false, runSpec(),
		it("a", types.SpecStatePassed, "", entries(
			checksEntry("get_profile", 200, pass(harness.CheckStatusCode)),
			checksEntry("get_profile", 200, pass(harness.CheckStatusCode)),
			checksEntry("get_profile", 401, pass(harness.CheckStatusCode)),
			// Undocumented status: conformance failed, so not exercised.
			checksEntry("get_profile", 500, fail(harness.CheckStatusCode, harness.Finding{Message: "status 500 not documented"})),
			// No response at all: the operation was not reached.
			checksEntry("follow", 0, fail(harness.CheckResponseReceived, harness.Finding{Message: "connection refused"})),
		)),
		it("b", types.SpecStatePassed, "", entries(
			// Reached, but the status check was skipped: counts the
			// operation, not the response.
			checksEntry("get_following", 200, skip(harness.CheckStatusCode, "HEAD")),
		)),
	))
	if got := findOp(t, s, "get_profile").ResponsesExercised; !slices.Equal(got, []string{"200", "401"}) {
		t.Fatalf("get_profile exercised %v", got)
	}
	if got := findOp(t, s, "follow").ResponsesExercised; got == nil || len(got) != 0 {
		t.Fatalf("follow exercised %#v, want an empty (non-nil) list", got)
	}
	want := Coverage{OperationsExercised: 2, OperationsTotal: 3, ResponsesExercised: 2, ResponsesTotal: 6}
	if s.Coverage != want {
		t.Fatalf("coverage %+v, want %+v", s.Coverage, want)
	}
	if s.Spec != (SpecInfo{Path: "api.yaml", SHA256: "abc123", Operations: 3}) {
		t.Fatalf("spec %+v", s.Spec)
	}
}

func TestParallelRunEntriesAreDeduplicated(t *testing.T) {
	// ginkgo -p: every process runs BeforeSuite; two suites each add theirs.
	s := mustBuild(t,
		suite("users", true, runSpec(proc(1)), runSpec(proc(2)), runSpec(proc(3)),
			it("a", types.SpecStatePassed, "", proc(2))),
		suite("auth", true, runSpec(proc(1)), it("b", types.SpecStatePassed, "")),
	)
	if len(s.Operations) != 3 || s.Coverage.OperationsTotal != 3 || s.Coverage.ResponsesTotal != 6 || s.Spec.Operations != 3 {
		t.Fatalf("operations counted more than once: %d ops, %+v", len(s.Operations), s.Coverage)
	}
	wantTarget := Target{Mode: "fixtures", Profile: "fixtures", Config: testRun.Config}
	if s.Target.Mode != wantTarget.Mode || s.Target.Profile != wantTarget.Profile || s.Target.Config["CH_RATE"] != "0" {
		t.Fatalf("target %+v", s.Target)
	}
	if s.Totals != (Totals{Passed: 2}) || s.ExitCode() != 0 {
		t.Fatalf("totals %+v exit %d", s.Totals, s.ExitCode())
	}
}

func TestSuiteLevelErrors(t *testing.T) {
	t.Run("BeforeSuite failed on every process", func(t *testing.T) {
		s := mustBuild(t,
			suite("users", false,
				beforeSuite(types.SpecStateFailed, "harness error: cannot load api.yaml", proc(1)),
				beforeSuite(types.SpecStateFailed, "harness error: cannot load api.yaml", proc(2)),
				it("a", types.SpecStateSkipped, ""),
			),
			suite("auth", true, runSpec(), it("b", types.SpecStatePassed, "")),
		)
		sp := findSpec(t, s, "[BeforeSuite] users")
		if sp.Outcome != OutcomeError || sp.Reason != "harness error: cannot load api.yaml" {
			t.Fatalf("%+v", sp)
		}
		if s.Totals != (Totals{Passed: 1, Error: 1}) || s.ExitCode() != 2 {
			t.Fatalf("totals %+v exit %d", s.Totals, s.ExitCode())
		}
	})
	t.Run("suite failed with no spec reports", func(t *testing.T) {
		r := suite("clubs", false)
		r.SpecialSuiteFailureReasons = []string{"Failed to compile clubs:"}
		s := mustBuild(t, r, suite("auth", true, runSpec(), it("b", types.SpecStatePassed, "")))
		sp := findSpec(t, s, "[suite] clubs")
		if sp.Outcome != OutcomeError || sp.Reason != "Failed to compile clubs:" || s.ExitCode() != 2 {
			t.Fatalf("%+v exit %d", sp, s.ExitCode())
		}
	})
	t.Run("a failed spec explains a failed suite", func(t *testing.T) {
		s := mustBuild(t, suite("users", false, runSpec(), it("a", types.SpecStateFailed, "bad")))
		if len(s.Specs) != 1 || s.ExitCode() != 1 {
			t.Fatalf("%+v exit %d", s.Specs, s.ExitCode())
		}
	})
	t.Run("no run entry", func(t *testing.T) {
		s := mustBuild(t, suite("users", true, it("a", types.SpecStatePassed, "")))
		sp := findSpec(t, s, "[chconform.run]")
		if sp.Outcome != OutcomeError || s.ExitCode() != 2 || len(s.Operations) != 0 {
			t.Fatalf("%+v exit %d", sp, s.ExitCode())
		}
	})
	t.Run("undecodable entry", func(t *testing.T) {
		bad := types.ReportEntry{Name: EntryChecks, Value: types.ReportEntryValue{AsJSON: `{"operation": 7}`}}
		_, err := Build([]types.Report{suite("users", true, runSpec(), it("a", types.SpecStatePassed, "", entries(bad)))}, ToolInfo{})
		if err == nil {
			t.Fatal("want an error for a chconform entry of the wrong shape")
		}
	})
}

func TestExitCode(t *testing.T) {
	one := []SpecSummary{{Name: "x"}}
	tests := []struct {
		name  string
		s     Summary
		want  int
		specs []SpecSummary
	}{
		{"all passed", Summary{Totals: Totals{Passed: 3}}, 0, one},
		{"only unsupported and disabled", Summary{Totals: Totals{Unsupported: 1, Disabled: 2}}, 0, one},
		{"a failure", Summary{Totals: Totals{Passed: 3, Failed: 1}}, 1, one},
		{"an error beats a failure", Summary{Totals: Totals{Failed: 1, Error: 1}}, 2, one},
		{"nothing ran", Summary{}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.s.Specs = tt.specs
			if got := tt.s.ExitCode(); got != tt.want {
				t.Fatalf("exit %d, want %d", got, tt.want)
			}
		})
	}
	if got := mustBuild(t).ExitCode(); got != 2 {
		t.Fatalf("no reports: exit %d, want 2", got)
	}
}

// richRun exercises every branch that could leak map order or input order
// into the output.
func richRun() []types.Report {
	return []types.Report{
		suite("users", false,
			runSpec(proc(1)),
			runSpec(proc(2)),
			it("b", types.SpecStateFailed, "bad", labels("op:get_profile", "op:follow"), proc(2), entries(
				checksEntry("get_profile", 200, pass(harness.CheckStatusCode), fail(harness.CheckResponseSchema, harness.Finding{Message: "m1"})),
				checksEntry("follow", 401, pass(harness.CheckStatusCode), pass(harness.CheckIgnoredAuth)),
			)),
			it("a", types.SpecStatePassed, "", labels("op:get_profile"), entries(
				checksEntry("get_profile", 404, pass(harness.CheckStatusCode), fail(harness.CheckResponseSchema, harness.Finding{Message: "m2"})),
			)),
			it("c", types.SpecStateSkipped, "unsupported: no", labels("op:get_following")),
			it("same name", types.SpecStatePassed, "", func(sr *types.SpecReport) { sr.LeafNodeLocation.LineNumber = 30 }),
			it("same name", types.SpecStateFailed, "x", func(sr *types.SpecReport) { sr.LeafNodeLocation.LineNumber = 20 }),
		),
	}
}

func marshal(t *testing.T, s Summary) []byte {
	t.Helper()
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBuildIsDeterministic(t *testing.T) {
	first := marshal(t, mustBuild(t, richRun()...))
	for i := 0; i < 20; i++ {
		if again := marshal(t, mustBuild(t, richRun()...)); !bytes.Equal(first, again) {
			t.Fatalf("second build differs:\n%s\n---\n%s", first, again)
		}
	}
	// Parallel scheduling and --randomize-all reorder spec reports.
	r := richRun()
	slices.Reverse(r[0].SpecReports)
	if reordered := marshal(t, mustBuild(t, r...)); !bytes.Equal(first, reordered) {
		t.Fatalf("spec report order leaks into the summary:\n%s\n---\n%s", first, reordered)
	}
	// The messages are sorted, so the split of the specs over reports (the
	// parts of a sharded run, merged) does not leak either.
	if op := findOp(t, mustBuild(t, r...), "get_profile"); op.Checks[0].Message != "m1; m2" {
		t.Fatalf("a check's messages should be sorted, got %q", op.Checks[0].Message)
	}
}

func TestBuildFromJSONReport(t *testing.T) {
	// A ginkgo.json file carries entry values only as AsJSON.
	data, err := json.Marshal(richRun())
	if err != nil {
		t.Fatal(err)
	}
	var decoded []types.Report
	if err := json.Unmarshal(data, &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded[0].SpecReports[0].ReportEntries[0].Value.AsJSON == "" {
		t.Fatal("test setup: expected AsJSON in the decoded report")
	}
	if a, b := marshal(t, mustBuild(t, richRun()...)), marshal(t, mustBuild(t, decoded...)); !bytes.Equal(a, b) {
		t.Fatalf("in-process and JSON reports disagree:\n%s\n---\n%s", a, b)
	}
}

package reportcmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
	"github.com/onsi/ginkgo/v2/types"
)

func entry(name string, v any) types.ReportEntry {
	return types.ReportEntry{Name: name, Value: types.WrapEntryValue(v)}
}

// ginkgoReport is a one-suite run in the shape `ginkgo --json-report` writes.
func ginkgoReport(specs ...types.SpecReport) []types.Report {
	return ginkgoReportWithFloor(nil, specs...)
}

// ginkgoReportWithFloor is ginkgoReport whose run must verify floor.
func ginkgoReportWithFloor(floor *report.Floor, specs ...types.SpecReport) []types.Report {
	run := types.SpecReport{
		LeafNodeType: types.NodeTypeBeforeSuite,
		State:        types.SpecStatePassed,
		ReportEntries: types.ReportEntries{entry(report.EntryRun, report.RunEntry{
			Mode: "fixtures", Profile: "fixtures", SpecPath: "api.yaml", SpecSHA: "abc",
			Operations: []report.OperationInfo{
				{ID: "get_profile", Group: "users", Method: "POST", Path: "/get_profile", ResponsesDocumented: []string{"200", "401"}},
			},
			Floor: floor,
		})},
	}
	return []types.Report{{
		SuiteDescription: "users",
		SuiteSucceeded:   true,
		SpecReports:      append(types.SpecReports{run}, specs...),
	}}
}

func it(text string, state types.SpecState, msg string) types.SpecReport {
	return types.SpecReport{
		ContainerHierarchyTexts: []string{"get_profile"},
		LeafNodeType:            types.NodeTypeIt,
		LeafNodeText:            text,
		LeafNodeLabels:          []string{"group:users", "op:get_profile"},
		LeafNodeLocation:        types.CodeLocation{FileName: "/x/suites/users/users_test.go", LineNumber: 7},
		State:                   state,
		Failure:                 types.Failure{Message: msg},
		ReportEntries: types.ReportEntries{entry(report.EntryChecks, report.ChecksEntry{
			Operation: "get_profile", Status: 200,
			Checks: []harness.CheckResult{{Name: harness.CheckStatusCode, Status: harness.CheckPassed}, {Name: harness.CheckResponseSchema, Status: harness.CheckPassed}},
		})},
	}
}

func writeReport(t *testing.T, dir string, reports []types.Report) string {
	t.Helper()
	data, err := json.Marshal(reports)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ginkgo.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func noEnv(string) string { return "" }

func TestSummaryCommand(t *testing.T) {
	tests := []struct {
		name     string
		specs    []types.SpecReport
		exit     int
		verdict  string
		mentions []string
		floor    *report.Floor
	}{
		{
			// Nothing failed, but the profile requires every documented
			// response and 401 was never exercised: exit 1, naming it.
			name:     "below the profile's floor",
			specs:    []types.SpecReport{it("answers 200", types.SpecStatePassed, "")},
			floor:    &report.Floor{Profile: "all"},
			exit:     1,
			mentions: []string{"verdict not-conformant; verified 1/2", "BELOW FLOOR get_profile 401: never exercised"},
		},
		{
			name:     "an exempt response keeps the floor",
			specs:    []types.SpecReport{it("answers 200", types.SpecStatePassed, "")},
			floor:    &report.Floor{Profile: "all", Exempt: []report.Exemption{{Operation: "get_profile", Status: "401", Reason: "unreachable"}}},
			exit:     0,
			mentions: []string{"verdict conformant-with-gaps; verified 1/2", "NOT VERIFIED get_profile 401: no spec can exercise it (ineligible.yaml): unreachable"},
		},
		{
			name:     "below CH_MIN_COVERAGE",
			specs:    []types.SpecReport{it("answers 200", types.SpecStatePassed, "")},
			floor:    &report.Floor{Min: "0.9"},
			exit:     1,
			mentions: []string{"BELOW FLOOR CH_MIN_COVERAGE=0.9: verified 1 of 2"},
		},
		{
			name:  "all passed",
			specs: []types.SpecReport{it("answers 200", types.SpecStatePassed, "")},
			exit:  0,
			verdict: "chconform: 1 passed, 0 failed, 0 unsupported, 0 disabled, 0 error; coverage 1/1 operations, 1/2 responses\n" +
				"chconform: verdict conformant-with-gaps; verified 1/2 documented responses\n" +
				"  NOT VERIFIED get_profile 401: never exercised\n",
		},
		{
			name: "a conformance failure",
			specs: []types.SpecReport{
				it("answers 200", types.SpecStatePassed, ""),
				it("answers 401", types.SpecStateFailed, "Expected\n    <int>: 200\nto equal 401"),
			},
			exit:     1,
			mentions: []string{"1 failed", "FAILED get_profile answers 401: Expected <int>: 200 to equal 401 (suites/users/users_test.go:7)"},
		},
		{
			name: "a harness error",
			specs: []types.SpecReport{
				it("answers 401", types.SpecStateFailed, "bad"),
				it("answers 200", types.SpecStateFailed, "harness error: connection refused"),
			},
			exit:     2,
			mentions: []string{"1 error", "ERROR  get_profile answers 200: harness error: connection refused"},
		},
		{
			name:     "nothing selected",
			specs:    []types.SpecReport{it("answers 200", types.SpecStateSkipped, "")},
			exit:     2,
			mentions: []string{"no spec ran"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeReport(t, dir, ginkgoReportWithFloor(tt.floor, tt.specs...))
			var stdout, stderr bytes.Buffer
			getenv := func(k string) string {
				if k == "CH_REPORT_DIR" {
					return dir
				}
				return ""
			}
			if got := run([]string{"summary"}, &stdout, &stderr, getenv); got != tt.exit {
				t.Fatalf("exit %d, want %d; stderr %s", got, tt.exit, stderr.String())
			}
			if stderr.Len() != 0 {
				t.Fatalf("stderr: %s", stderr.String())
			}
			if tt.verdict != "" && stdout.String() != tt.verdict {
				t.Fatalf("verdict %q, want %q", stdout.String(), tt.verdict)
			}
			for _, m := range tt.mentions {
				if !strings.Contains(stdout.String(), m) {
					t.Fatalf("verdict lacks %q:\n%s", m, stdout.String())
				}
			}
			data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasSuffix(data, []byte("}\n")) || !bytes.Contains(data, []byte("\n  \"totals\": {")) {
				t.Fatalf("summary.json not indented with a trailing newline:\n%s", data)
			}
			var s report.Summary
			if err := json.Unmarshal(data, &s); err != nil {
				t.Fatal(err)
			}
			if s.ExitCode() != tt.exit || s.Spec.SHA256 != "abc" || s.Tool.Version == "" {
				t.Fatalf("summary.json: exit %d, %+v %+v", s.ExitCode(), s.Spec, s.Tool)
			}
		})
	}
}

func TestSummaryFlagsAndErrors(t *testing.T) {
	dir := t.TempDir()
	in := writeReport(t, dir, ginkgoReport(it("answers 200", types.SpecStatePassed, "")))
	out := filepath.Join(dir, "nested", "out.json")
	missing := filepath.Join(dir, "nope", "ginkgo.json")
	garbage := filepath.Join(dir, "garbage.json")
	if err := os.WriteFile(garbage, []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		args   []string
		exit   int
		stderr string // a substring; "" means stderr must be empty
	}{
		{"explicit paths", []string{"summary", "--ginkgo", in, "--out", out}, 0, ""},
		{"missing report", []string{"summary", "--ginkgo", missing, "--out", out}, 2, missing},
		{"not a report", []string{"summary", "--ginkgo", garbage, "--out", out}, 2, garbage},
		{"default dir without the file", []string{"summary"}, 2, filepath.Join("reports", "latest", "ginkgo.json")},
		{"bad flag", []string{"summary", "--nope"}, 2, "-ginkgo"},
		{"stray argument", []string{"summary", "extra"}, 2, `unexpected argument "extra"`},
		{"unknown command", []string{"render"}, 2, "usage: chconform"},
		{"no command", nil, 2, "usage: chconform"},
		{"help", []string{"help"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(tt.args, &stdout, &stderr, noEnv); got != tt.exit {
				t.Fatalf("exit %d, want %d; stderr %s", got, tt.exit, stderr.String())
			}
			if tt.stderr == "" && stderr.Len() != 0 {
				t.Fatalf("unexpected stderr: %s", stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Fatalf("stderr %q lacks %q", stderr.String(), tt.stderr)
			}
		})
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatalf("--out not written: %v", err)
	}
}

func TestEmptyReport(t *testing.T) {
	// What ginkgo --json-report writes when every suite failed to compile.
	dir := t.TempDir()
	path := writeReport(t, dir, []types.Report{})
	var stdout, stderr bytes.Buffer
	if got := run([]string{"summary", "--ginkgo", path, "--out", filepath.Join(dir, "s.json")}, &stdout, &stderr, noEnv); got != 2 {
		t.Fatalf("exit %d, want 2", got)
	}
	if !strings.Contains(stdout.String(), "did the suites compile?") {
		t.Fatalf("verdict %q", stdout.String())
	}
}

func TestReadsASingleReportObject(t *testing.T) {
	dir := t.TempDir()
	data, err := json.Marshal(ginkgoReport(it("answers 200", types.SpecStatePassed, ""))[0])
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "one.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if got := run([]string{"summary", "--ginkgo", path, "--out", filepath.Join(dir, "s.json")}, &stdout, &stderr, noEnv); got != 0 {
		t.Fatalf("exit %d; %s", got, stderr.String())
	}
}

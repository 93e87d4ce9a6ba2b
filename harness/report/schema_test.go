package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/chconform/chconform/harness"
)

// sampleSummary has every optional part of a summary filled: a run's specs
// and checks, a suite-level error, an audit with drift.
func sampleSummary() Summary {
	b := NewBuilder(ToolInfo{Version: "devel", KinOpenAPI: "v0.153.0", Ginkgo: "v2.34.0"})
	b.AddRun(RunEntry{Mode: "capture", Profile: "capture", SpecPath: "api.yaml", SpecSHA: strings.Repeat("ab", 32),
		Config:     map[string]string{"CH_STRICT": "false"},
		Operations: []OperationInfo{{ID: "me", Group: "users", Method: "POST", Path: "/me", ResponsesDocumented: []string{"200", "401"}}}})
	entry := ChecksEntry{Operation: "me", Status: 200, Checks: []harness.CheckResult{
		{Name: harness.CheckStatusCode, Status: harness.CheckPassed},
		{Name: harness.CheckResponseSchema, Status: harness.CheckFailed, Findings: []harness.Finding{{Message: "bad", Pointer: "/x"}}},
	}}
	b.AddChecks(entry)
	b.AddSpec(SpecSummary{Name: "a spec", Group: "users", Operations: []string{"me"}, State: "failed", Outcome: OutcomeFailed,
		Reason: "failed", Checks: SpecChecks(entry), Location: "x.har#0"})
	b.AddSpec(SpecSummary{Name: "[BeforeSuite] users", Outcome: OutcomeError, Reason: "boom"})
	s := b.Summary()
	s.StartedAt = "2026-11-29T00:00:00Z"
	s.Target.BaseURL = "http://127.0.0.1:1/api"
	s.Audit = &AuditInfo{
		Files:   []AuditFile{{Path: "x.har", Format: "har", Entries: 2, Error: "entry 1: truncated"}},
		Entries: 2, Judged: 1, OutsideCounts: true, TranscriptsOmitted: 1,
		Outside: []OutsideEntry{{Method: "GET", Path: "/api/x", Count: 1}},
		Drift: []OperationDrift{{OperationID: "me", Answers: 1, Omitted: 1,
			UndeclaredFields:     []FieldDrift{{Pointer: "/y", Count: 1, Example: "1"}},
			Violations:           []FieldDrift{{Pointer: "/x", Message: "bad", Count: 1, Example: `"x"`}},
			Requests:             []FieldDrift{{Pointer: "(request body)", Message: "not JSON", Count: 1}},
			UndocumentedStatuses: []StatusDrift{{Status: 418, Count: 1}}}},
	}
	return s
}

func TestEverySummaryShapeValidatesAgainstTheSchema(t *testing.T) {
	for name, s := range map[string]Summary{"full": sampleSummary(), "stable": sampleSummary().Stable(), "empty": NewBuilder(ToolInfo{}).Summary()} {
		data, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateSummary(data); err != nil {
			t.Errorf("%s summary does not validate: %v", name, err)
		}
	}
}

func TestTheSchemaRejectsASummaryThatBreaksIt(t *testing.T) {
	good, _ := json.Marshal(sampleSummary())
	cases := map[string]func(map[string]any){
		"no schema_version": func(m map[string]any) { delete(m, "schema_version") },
		"another major":     func(m map[string]any) { m["schema_version"] = "2.0" },
		"unknown outcome":   func(m map[string]any) { m["specs"].([]any)[0].(map[string]any)["outcome"] = "flaky-ish" },
		"negative total":    func(m map[string]any) { m["totals"].(map[string]any)["passed"] = -1 },
		"check without name": func(m map[string]any) {
			delete(m["operations"].([]any)[0].(map[string]any)["checks"].([]any)[0].(map[string]any), "name")
		},
		"status not a status": func(m map[string]any) {
			m["operations"].([]any)[0].(map[string]any)["responses_documented"] = []any{"ok"}
		},
		"audit without drift": func(m map[string]any) { delete(m["audit"].(map[string]any), "drift") },
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(good, &m); err != nil {
				t.Fatal(err)
			}
			breakIt(m)
			data, _ := json.Marshal(m)
			if err := ValidateSummary(data); err == nil {
				t.Fatal("the schema accepted it")
			}
		})
	}
}

// TestTheSchemaDescribesEveryFieldTheSummaryWrites walks the Go types that
// make summary.json and fails for a JSON field the schema does not describe
// where it appears, so the schema cannot fall behind the code.
func TestTheSchemaDescribesEveryFieldTheSummaryWrites(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(SummarySchema, &root); err != nil {
		t.Fatal(err)
	}
	defs, _ := root["$defs"].(map[string]any)
	resolve := func(s map[string]any) map[string]any {
		if ref, ok := s["$ref"].(string); ok {
			d, _ := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
			return d
		}
		return s
	}
	var walk func(path string, typ reflect.Type, schema map[string]any)
	walk = func(path string, typ reflect.Type, schema map[string]any) {
		schema = resolve(schema)
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		switch typ.Kind() {
		case reflect.Slice:
			items, _ := schema["items"].(map[string]any)
			if items == nil {
				t.Errorf("%s: the schema describes no items", path)
				return
			}
			walk(path+"[]", typ.Elem(), items)
		case reflect.Struct:
			props, _ := schema["properties"].(map[string]any)
			for i := range typ.NumField() {
				f := typ.Field(i)
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if name == "" || name == "-" {
					continue
				}
				sub, ok := props[name].(map[string]any)
				if !ok {
					t.Errorf("%s.%s is written but the schema does not describe it", path, name)
					continue
				}
				walk(path+"."+name, f.Type, sub)
			}
		}
	}
	walk("summary", reflect.TypeOf(Summary{}), root)
}

// TestCommittedBaselinesValidate: what the project itself commits keeps the
// interface it documents.
func TestCommittedBaselinesValidate(t *testing.T) {
	files, _ := filepath.Glob("../../reports/baseline/*/summary.json")
	if len(files) == 0 {
		t.Fatal("no committed baseline found")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateSummary(data); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestTheBadgeSaysWhatTheVerdictSays(t *testing.T) {
	cases := []struct {
		verdict Verdict
		msg     string
		color   string
	}{
		{VerdictConformant, "conformant, verified 2/2", "brightgreen"},
		{VerdictWithGaps, "conformant with gaps, verified 2/2", "yellow"},
		{VerdictNotConformant, "not conformant, verified 2/2", "red"},
		{"", "not conformant, verified 2/2", "red"},
	}
	for _, c := range cases {
		b := NewBadge(Summary{Verdict: c.verdict, Verified: Verification{Verified: 2, Total: 2}})
		if b.SchemaVersion != 1 || b.Message != c.msg || b.Color != c.color {
			t.Errorf("%q: %+v", c.verdict, b)
		}
	}
}

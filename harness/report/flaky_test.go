package report

import (
	"encoding/json"
	"encoding/xml"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/chconform/chconform/harness"
)

func attemptOf(e types.ReportEntry, n int) types.ReportEntry {
	switch v := e.GetRawValue().(type) {
	case ExchangeEntry:
		v.Attempt = n
		return entry(e.Name, v)
	case ChecksEntry:
		v.Attempt = n
		return entry(e.Name, v)
	}
	return e
}

// flakyRun has a spec that failed its first attempt and passed its second,
// with the report entries of both (Ginkgo keeps them all), and a spec that
// failed with a header a hostile target could have put in a capture.
func flakyRun() []types.Report {
	flaky := it("get_release_notes answers", types.SpecStatePassed, "", labels("group:app", "op:get_release_notes"), entries(
		attemptOf(exchangeEntry("get_release_notes", ``, `oops`), 1),
		attemptOf(checksEntry("get_release_notes", 500, fail(harness.CheckNotAServerError, harness.Finding{Message: "500"})), 1),
		attemptOf(exchangeEntry("get_release_notes", ``, `[]`), 2),
		attemptOf(checksEntry("get_release_notes", 200, pass(harness.CheckStatusCode)), 2),
	))
	flaky.NumAttempts, flaky.MaxFlakeAttempts = 2, 3
	flaky.AdditionalFailures = []types.AdditionalFailure{{State: types.SpecStateFailed,
		Failure: types.Failure{Message: "Failure recorded during attempt 1:\n[not_a_server_error] 500"}}}
	hostile := exchangeEntry("me", `{"x":"'; rm -rf / #"}`, `{}`)
	ex := hostile.GetRawValue().(ExchangeEntry)
	ex.Request.Headers["X-Evil"] = []string{"<script>alert(1)</script> $(id) `id`"}
	return []types.Report{suite("app", true,
		runSpec(),
		flaky,
		it("me fails", types.SpecStateFailed, "schema broke", labels("group:app", "op:me"), entries(
			entry(EntryExchange, ex),
			checksEntry("me", 200, fail(harness.CheckResponseSchema, harness.Finding{Message: "bad"})),
		)),
	)}
}

func TestAFlakySpecIsReportedApartAndIsNotConformant(t *testing.T) {
	reports := flakyRun()
	s := mustBuild(t, reports...)
	sp := findSpec(t, s, "users get_release_notes answers")
	if sp.Outcome != OutcomePassed || !sp.Flaky || sp.Attempts != 2 {
		t.Fatalf("want a passed flaky spec with 2 attempts: %+v", sp)
	}
	if !strings.Contains(sp.Reason, "passed on attempt 2 of 3") || !strings.Contains(sp.Reason, "attempt 1:") {
		t.Errorf("reason %q does not say which attempt failed and passed", sp.Reason)
	}
	if len(sp.CaseIDs) != 1 || sp.CaseIDs[0] != CaseID(sp.Name, harness.CheckNotAServerError) {
		t.Fatalf("case ids %v", sp.CaseIDs) // the renderings are looked up by them
	}
	if len(sp.Reproduce) != 2 || sp.Reproduce[0].Attempt != 1 || sp.Reproduce[1].Attempt != 2 {
		t.Errorf("want a curl per attempt: %+v", sp.Reproduce)
	}
	if s.Totals.Flaky != 1 || s.Totals.Passed != 1 || s.Totals.Failed != 1 {
		t.Errorf("totals %+v", s.Totals)
	}
	if s.Verdict != VerdictNotConformant || s.ExitCode() != 1 {
		t.Errorf("verdict %s exit %d, want not-conformant and 1", s.Verdict, s.ExitCode())
	}
	s.Spec.SHA256 = "" // the fake run's is not one
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateSummary(data); err != nil {
		t.Errorf("schema: %v", err)
	}

	// Passing every attempt of MustPassRepeatedly is not flaky.
	repeated := reports[0].SpecReports[1]
	repeated.AdditionalFailures, repeated.MaxFlakeAttempts, repeated.MaxMustPassRepeatedly = nil, 0, 2
	if rs := mustBuild(t, suite("app", true, runSpec(), repeated)); rs.Totals.Flaky != 0 || rs.Specs[0].Flaky {
		t.Errorf("a spec that passed MustPassRepeatedly is reported flaky: %+v", rs.Specs[0])
	}

	// Flaky alone (no failure): still not conformant, exit 1.
	only := mustBuild(t, suite("app", true, runSpec(), reports[0].SpecReports[1]))
	if only.Verdict != VerdictNotConformant || only.ExitCode() != 1 || only.Totals.Failed != 0 {
		t.Errorf("a run whose only problem is a flaky spec: verdict %s exit %d totals %+v", only.Verdict, only.ExitCode(), only.Totals)
	}

	failures, err := Failures(s, reports)
	if err != nil {
		t.Fatal(err)
	}
	html, md, junit := renderings(t, s, failures, reports)
	failed := findSpec(t, s, "users me fails")
	if len(failed.CaseIDs) == 0 {
		t.Fatalf("the failed spec has no case id: %+v", failed)
	}
	ids := append(slices.Clone(sp.CaseIDs), failed.CaseIDs...)
	// report.md quotes transcripts and commands in code fences, where
	// markup is text; outside them it must not appear.
	for name, doc := range map[string]string{"report.html": html, "report.md": outsideFences(md), "junit.xml": junit} {
		for _, id := range ids {
			if !strings.Contains(doc, id) {
				t.Errorf("%s does not show case id %s", name, id)
			}
		}
		if name != "report.md" && !strings.Contains(doc, "$CH_AUTH_TOKEN") {
			t.Errorf("%s has no curl command with $CH_AUTH_TOKEN", name)
		}
		if strings.Contains(doc, "<script>alert") {
			t.Errorf("%s holds the hostile header as markup", name)
		}
	}
	for _, want := range []string{"<h2>Flaky (1)</h2>", "attempt 1</b>", "attempt 2</b>", "⚠ flaky", "reproduce with curl"} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if !strings.Contains(md, `"$CH_AUTH_TOKEN"`) {
		t.Errorf("report.md has no curl command with $CH_AUTH_TOKEN")
	}
	if !strings.Contains(md, "### ⚠ Flaky (1)") || !strings.Contains(md, "Attempt 1:") || !strings.Contains(md, "Attempt 2:") || !strings.Contains(md, "```sh\n") {
		t.Errorf("report.md lacks the flaky section, the attempts or the curl:\n%s", md)
	}
	if !strings.Contains(md, "| 1 | 1 | 0 | 1 |") {
		t.Errorf("report.md's totals lack the flaky count:\n%s", md)
	}

	var suites reporters.JUnitTestSuites
	if err := xml.Unmarshal([]byte(junit), &suites); err != nil {
		t.Fatal(err)
	}
	if len(suites.TestSuites) == 0 {
		t.Fatalf("junit.xml holds no test suite:\n%s", junit)
	}
	var tc *reporters.JUnitTestCase
	for i, c := range suites.TestSuites[0].TestCases {
		if strings.HasPrefix(c.Name, sp.Name) {
			tc = &suites.TestSuites[0].TestCases[i]
		}
	}
	if tc == nil || tc.Failure == nil || tc.Failure.Type != "flaky" || tc.Status != "flaky" {
		t.Fatalf("the flaky spec is not a <failure type=flaky>: %+v", tc)
	}
	if !strings.Contains(tc.Failure.Description, "attempt 1") || !strings.Contains(tc.Failure.Description, "attempt 2") {
		t.Errorf("junit.xml lacks an attempt's transcript:\n%s", tc.Failure.Description)
	}
	props := map[string]string{}
	for _, p := range tc.Properties.Properties {
		props[p.Name] = p.Value
	}
	if props["flaky"] != "true" || props["attempts"] != "2" || props["case_id"] != sp.CaseIDs[0] {
		t.Errorf("testcase properties %v", props)
	}
}

// outsideFences is a Markdown document without its fenced code blocks.
func outsideFences(md string) string {
	var b strings.Builder
	fence := ""
	for _, line := range strings.Split(md, "\n") {
		switch {
		case fence == "" && strings.HasPrefix(line, "```"):
			fence = strings.TrimRight(line, "abcdefghijklmnopqrstuvwxyz")
		case fence != "" && line == fence:
			fence = ""
		case fence == "":
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

func TestAStableSummaryLeavesOutTheCurlCommandsAndKeepsTheCaseIDs(t *testing.T) {
	s := mustBuild(t, flakyRun()...)
	st := s.Stable()
	if len(st.Specs) != len(s.Specs) || len(s.Specs) < 2 {
		t.Fatalf("the stable summary has %d specs, the summary %d; want the same, at least 2", len(st.Specs), len(s.Specs))
	}
	withIDs := 0
	for i, sp := range st.Specs {
		if len(s.Specs[i].CaseIDs) > 0 {
			withIDs++
		}
		if sp.Reproduce != nil {
			t.Errorf("%s keeps its curl commands in a stable summary", sp.Name)
		}
		if len(sp.CaseIDs) != len(s.Specs[i].CaseIDs) {
			t.Errorf("%s lost its case ids", sp.Name)
		}
	}
	if len(s.Specs[1].Reproduce) == 0 {
		t.Error("Stable changed the summary it was called on")
	}
	if withIDs == 0 {
		t.Error("no spec of the run has a case id: the stable summary had none to keep")
	}
}

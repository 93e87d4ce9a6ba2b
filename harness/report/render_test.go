package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chconform/chconform/harness"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

func exchangeEntry(op, reqBody, respBody string) types.ReportEntry {
	return entry(EntryExchange, ExchangeEntry{
		Operation: op,
		Request: Transcript{Method: "POST", URL: "http://t/api/" + op, Body: reqBody, Headers: map[string][]string{
			"Zz-Last": {"z"}, "Authorization": {"Token <auth_token:default>"}, "Accept": {"application/json"},
		}},
		Response:  &Transcript{Status: 200, Headers: map[string][]string{"Content-Type": {"application/json"}}, Body: respBody},
		ElapsedMS: 1.5,
	})
}

// renderRun has one spec of every outcome, a failure with a transcript, and
// a spec name that is markup, so escaping is exercised on every path.
func renderRun() []types.Report {
	return []types.Report{suite("users", false,
		runSpec(),
		it("get_profile <script>alert(1)</script> | pipe", types.SpecStateFailed, "schema broke", labels("group:users", "op:get_profile"), entries(
			exchangeEntry("get_profile", `{"user_id":1}`, `{"user_profile":{"user_id":"1","bio":"<b>hi</b>"}}`),
			checksEntry("get_profile", 200, pass(harness.CheckStatusCode), fail(harness.CheckResponseSchema, harness.Finding{Message: "/user_profile/user_id: value must be an integer", Pointer: "/user_profile/user_id"})),
		)),
		it("follow passes", types.SpecStatePassed, "", labels("group:users", "op:follow"), entries(
			checksEntry("follow", 200, pass(harness.CheckStatusCode), skip(harness.CheckResponseHeaders, "none documented")),
		)),
		it("get_following unsupported", types.SpecStateSkipped, "unsupported: the profile lacks waitlisted-account", labels("group:users", "op:get_following")),
		it("harness broke", types.SpecStateFailed, HarnessErrorPrefix+" connection refused", labels("group:users", "op:follow")),
	)}
}

func renderAll(t *testing.T) (Summary, string, string, string) {
	t.Helper()
	reports := renderRun()
	s := mustBuild(t, reports...)
	failures, err := Failures(s, reports)
	if err != nil {
		t.Fatal(err)
	}
	html, md, junit := renderings(t, s, failures, reports)
	return s, html, md, junit
}

// renderings are report.html, report.md (within MarkdownLimit) and
// junit.xml of s; a rendering that fails ends the test.
func renderings(t *testing.T, s Summary, failures []FailedSpec, reports []types.Report) (html, md, junit string) {
	t.Helper()
	var h, m, j bytes.Buffer
	if err := WriteHTML(&h, s, failures); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&m, s, failures, MarkdownLimit); err != nil {
		t.Fatal(err)
	}
	if err := WriteJUnit(&j, s, failures, reports); err != nil {
		t.Fatal(err)
	}
	return h.String(), m.String(), j.String()
}

func TestHTMLReport(t *testing.T) {
	_, html, _, _ := renderAll(t)
	tests := []struct {
		name    string
		want    []string
		wantNot []string
	}{
		{"every operation is a row", []string{">get_profile<", ">follow<", ">get_following<"}, nil},
		{"symbols and words, not colour alone", []string{"✗ failed", "✓ passed", "– unsupported", "‼ error"}, nil},
		{"the failed check is named", []string{"response_schema_conformance", "/user_profile/user_id: value must be an integer"}, nil},
		{"headers sorted in the transcript", []string{"Accept: application/json\nAuthorization: Token &lt;auth_token:default&gt;\nZz-Last: z"}, nil},
		{"JSON bodies pretty-printed", []string{"{\n  &#34;user_id&#34;: 1\n}"}, nil},
		{"the configuration is shown as given (already redacted)", []string{"CH_AUTH_TOKEN", "***"}, nil},
		{"target markup stays text", []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;hi&lt;/b&gt;"}, []string{"<script>alert", "<b>hi</b>"}},
		{"self-contained: no script, no stylesheet link, no remote asset", nil, []string{"<script", "<link", "src=\"http", "url(http", "@import"}},
		{"a failed operation links to its failure", []string{`href="#failure-1"`, `id="failure-1"`}, nil},
		{"unsupported specs say why", []string{"the profile lacks waitlisted-account"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, w := range tt.want {
				if !strings.Contains(html, w) {
					t.Errorf("report.html lacks %q", w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(html, w) {
					t.Errorf("report.html contains %q", w)
				}
			}
		})
	}
}

func TestMarkdownReport(t *testing.T) {
	_, _, md, _ := renderAll(t)
	for _, w := range []string{
		"## chconform: ‼ run error",
		"| **users** | `follow` |",
		"`response_schema_conformance`",
		"<details><summary>",
		`\| pipe`, // a pipe in a name cannot split the table row
		"&lt;script&gt;",
	} {
		if !strings.Contains(md, w) {
			t.Errorf("report.md lacks %q\n%s", w, md)
		}
	}
	if strings.Contains(md, "<script>") {
		t.Error("report.md lets markup from a spec name through")
	}
}

// TestMarkdownStaysUnderItsLimit feeds many failures with large bodies: the
// matrix and the one-line list must stay, the transcripts must give way.
func TestMarkdownStaysUnderItsLimit(t *testing.T) {
	big := `{"bio":"` + strings.Repeat("x", 3000) + `"}`
	specs := []types.SpecReport{runSpec()}
	for i := range 200 {
		specs = append(specs, it(fmt.Sprintf("failure %03d", i), types.SpecStateFailed, "bad", labels("op:get_profile"), entries(
			exchangeEntry("get_profile", "{}", big),
			checksEntry("get_profile", 200, fail(harness.CheckResponseSchema, harness.Finding{Message: "m"})),
		)))
	}
	reports := []types.Report{suite("users", false, specs...)}
	s := mustBuild(t, reports...)
	failures, err := Failures(s, reports)
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{20000, MarkdownLimit} {
		var b bytes.Buffer
		if err := WriteMarkdown(&b, s, failures, limit); err != nil {
			t.Fatal(err)
		}
		if b.Len() > limit {
			t.Errorf("limit %d: report.md is %d bytes", limit, b.Len())
		}
		if !strings.Contains(b.String(), "failure 199") || !strings.Contains(b.String(), "left out to stay under") {
			t.Errorf("limit %d: the list of failures or the note about left-out transcripts is missing", limit)
		}
	}
}

func TestJUnitReport(t *testing.T) {
	_, _, _, junit := renderAll(t)
	var got reporters.JUnitTestSuites
	if err := xml.Unmarshal([]byte(junit), &got); err != nil {
		t.Fatalf("junit.xml does not parse: %v", err)
	}
	cases := map[string]reporters.JUnitTestCase{}
	for _, ts := range got.TestSuites {
		for _, tc := range ts.TestCases {
			cases[regexp.MustCompile(` \[op:.*\]$`).ReplaceAllString(tc.Name, "")] = tc
		}
	}
	tests := []struct {
		spec  string
		check func(reporters.JUnitTestCase) string
	}{
		{"users get_profile <script>alert(1)</script> | pipe", func(tc reporters.JUnitTestCase) string {
			if tc.Failure == nil || !strings.HasPrefix(tc.Failure.Message, "[response_schema_conformance] ") {
				return "want a <failure> whose message starts with the failed check"
			}
			if !strings.Contains(tc.Failure.Description, "Authorization: Token <auth_token:default>") {
				return "want the transcript in the failure body"
			}
			return ""
		}},
		{"users get_following unsupported", func(tc reporters.JUnitTestCase) string {
			if tc.Skipped == nil || tc.Skipped.Message != "unsupported: the profile lacks waitlisted-account" {
				return "want <skipped> with the reason"
			}
			return ""
		}},
		{"users harness broke", func(tc reporters.JUnitTestCase) string {
			if tc.Error == nil || tc.Failure != nil {
				return "want a harness error as <error>, not <failure>"
			}
			return ""
		}},
		{"users follow passes", func(tc reporters.JUnitTestCase) string {
			if tc.Failure != nil || tc.Skipped != nil || tc.Error != nil {
				return "want a passed spec with no child element"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			tc, ok := cases[tt.spec]
			if !ok {
				t.Fatalf("no testcase %q in %v", tt.spec, cases)
			}
			if msg := tt.check(tc); msg != "" {
				t.Error(msg)
			}
		})
	}
	if got.Tests != 4 || got.Failures != 1 || got.Errors != 1 || got.Disabled != 1 {
		t.Errorf("totals: tests %d failures %d errors %d skipped %d, want 4 1 1 1", got.Tests, got.Failures, got.Errors, got.Disabled)
	}
}

func TestTranscriptText(t *testing.T) {
	tests := []struct {
		name string
		in   *Transcript
		req  bool
		max  int
		want string
	}{
		{"nil", nil, false, 100, ""},
		{"request not recorded", &Transcript{}, true, 100, "(request not recorded)\n"},
		{"headers sorted, JSON indented", &Transcript{Status: 401, Headers: map[string][]string{"b": {"2"}, "a": {"1"}}, Body: `{"detail":"x"}`}, false, 100,
			"HTTP 401\na: 1\nb: 2\n\n{\n  \"detail\": \"x\"\n}\n"},
		{"non-JSON body as is", &Transcript{Method: "GET", URL: "/x", Body: "<html>"}, true, 100, "GET /x\n\n<html>\n"},
		{"cut without splitting a rune", &Transcript{Status: 200, Body: "ééééé"}, false, 5, "HTTP 200\n\néé\n… (6 more bytes)\n"},
		{"harness truncation is said", &Transcript{Status: 200, Body: "abc", BodyTruncated: true}, false, 100, "HTTP 200\n\nabc\n… (body truncated by the harness)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TranscriptText(tt.in, tt.req, tt.max); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMatrixGroupsAndColumns(t *testing.T) {
	s, _, _, _ := renderAll(t)
	m := BuildMatrix(s)
	var cols []string
	for _, c := range m.Columns {
		cols = append(cols, c.Name)
	}
	// Judging order, not alphabetical: status before headers before schema.
	if want := []string{harness.CheckStatusCode, harness.CheckResponseHeaders, harness.CheckResponseSchema}; strings.Join(cols, ",") != strings.Join(want, ",") {
		t.Errorf("columns %v, want %v", cols, want)
	}
	if len(m.Groups) != 1 || len(m.Groups[0].Rows) != 3 {
		t.Fatalf("want one group of three operations, got %+v", m.Groups)
	}
	row := m.Groups[0].Rows[0] // follow
	if row.Op.OperationID != "follow" || row.Cells[0].Symbol != "✓" || row.Cells[1].Symbol != "–" || row.Cells[2].Symbol != "?" {
		t.Errorf("follow row: %+v", row)
	}
}

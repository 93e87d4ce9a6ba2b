package audit_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/audit"
	"github.com/chconform/chconform/capture"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

func contract(t *testing.T) *harness.Spec {
	t.Helper()
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// example is a documented example of op at status, as JSON; state picks the
// example ("" = one without a state).
func example(t *testing.T, spec *harness.Spec, opID string, status int, state string) []byte {
	t.Helper()
	for _, r := range spec.MustOperation(opID).Responses() {
		if r.Status != status {
			continue
		}
		for _, ex := range r.Examples {
			if ex.State == state {
				data, err := json.Marshal(ex.Value)
				if err != nil {
					t.Fatal(err)
				}
				return data
			}
		}
	}
	t.Fatalf("%s documents no %d example in state %q", opID, status, state)
	return nil
}

// entry is a fully captured exchange of path on a host the contract never
// names: an audit matches by path under any base.
func entry(method, path string, status int, body []byte) capture.Entry {
	return capture.Entry{
		File:    "test.har",
		Request: harness.Request{Method: method, URL: "https://capture.example/api" + path, Header: http.Header{"Authorization": {"Token <redacted>"}}},
		Response: &harness.Response{Status: status, Body: body,
			Header: http.Header{"Content-Type": {"application/json"}}},
		BodyCaptured:    true,
		HeadersCaptured: true,
	}
}

func judge(t *testing.T, opts audit.Options, entries ...capture.Entry) (report.Summary, []report.FailedSpec) {
	t.Helper()
	if opts.Spec == nil {
		opts.Spec = contract(t)
	}
	a := audit.New(opts)
	for i, e := range entries {
		e.Index = i
		a.Judge(e)
	}
	return a.Result()
}

func check(t *testing.T, s report.Summary, spec int, name string) report.CheckSummary {
	t.Helper()
	for _, c := range s.Specs[spec].Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("spec %q has no %s check: %+v", s.Specs[spec].Name, name, s.Specs[spec].Checks)
	return report.CheckSummary{}
}

func opCheck(t *testing.T, s report.Summary, op, name string) report.CheckSummary {
	t.Helper()
	for _, o := range s.Operations {
		if o.OperationID != op {
			continue
		}
		for _, c := range o.Checks {
			if c.Name == name {
				return c
			}
		}
	}
	t.Fatalf("operation %s has no %s check", op, name)
	return report.CheckSummary{}
}

func TestAnswerThatKeepsTheContractPasses(t *testing.T) {
	spec := contract(t)
	s, failures := judge(t, audit.Options{Spec: spec}, entry("POST", "/me", 200, example(t, spec, "me", 200, "")))
	if s.Totals.Passed != 1 || s.Totals.Failed != 0 || len(failures) != 0 {
		t.Fatalf("totals %+v, failures %d", s.Totals, len(failures))
	}
	if c := opCheck(t, s, "me", harness.CheckResponseSchema); c.Status != harness.CheckPassed {
		t.Fatalf("schema check %+v", c)
	}
	if s.Audit == nil || s.Audit.Judged != 1 || s.Audit.Entries != 1 {
		t.Fatalf("audit section %+v", s.Audit)
	}
	if got := s.Coverage.ResponsesExercised; got != 1 {
		t.Fatalf("responses exercised %d, want 1", got)
	}
}

func TestAnswerThatBreaksTheSchemaFailsWithItsPointer(t *testing.T) {
	spec := contract(t)
	var body map[string]any
	if err := json.Unmarshal(example(t, spec, "me", 200, ""), &body); err != nil {
		t.Fatal(err)
	}
	body["num_invites"] = "many"
	data, _ := json.Marshal(body)
	s, failures := judge(t, audit.Options{Spec: spec}, entry("POST", "/me", 200, data))
	if s.Totals.Failed != 1 || len(failures) != 1 {
		t.Fatalf("totals %+v", s.Totals)
	}
	c := check(t, s, 0, harness.CheckResponseSchema)
	if c.Status != harness.CheckFailed || !strings.Contains(c.Message, "/num_invites") {
		t.Fatalf("schema check %+v", c)
	}
	if len(failures[0].Exchanges) != 1 || failures[0].Exchanges[0].Response == nil {
		t.Fatalf("the failure has no transcript: %+v", failures[0])
	}
	d := drift(t, s, "me")
	if len(d.Violations) != 1 || d.Violations[0].Pointer != "/num_invites" || d.Violations[0].Example != `"many"` {
		t.Fatalf("violations %+v", d.Violations)
	}
}

func drift(t *testing.T, s report.Summary, op string) report.OperationDrift {
	t.Helper()
	for _, d := range s.Audit.Drift {
		if d.OperationID == op {
			return d
		}
	}
	t.Fatalf("no drift entry for %s", op)
	return report.OperationDrift{}
}

func TestUndocumentedStatusFailsAndIsDrift(t *testing.T) {
	spec := contract(t)
	s, _ := judge(t, audit.Options{Spec: spec}, entry("POST", "/me", 418, []byte(`{"success":false}`)))
	if c := check(t, s, 0, harness.CheckStatusCode); c.Status != harness.CheckFailed {
		t.Fatalf("status check %+v", c)
	}
	d := drift(t, s, "me")
	if len(d.UndocumentedStatuses) != 1 || d.UndocumentedStatuses[0] != (report.StatusDrift{Status: 418, Count: 1}) {
		t.Fatalf("statuses %+v", d.UndocumentedStatuses)
	}
}

func TestUndeclaredFieldsAreDriftWithMaskedExamplesNotFailures(t *testing.T) {
	spec := contract(t)
	var body map[string]any
	if err := json.Unmarshal(example(t, spec, "me", 200, ""), &body); err != nil {
		t.Fatal(err)
	}
	body["brand_new_field"] = "hello"
	body["session_token"] = map[string]any{"token": "0123456789abcdef0123456789abcdef01234567"}
	data, _ := json.Marshal(body)
	e := entry("POST", "/me", 200, data)
	s, _ := judge(t, audit.Options{Spec: spec}, e, e)
	if s.Totals.Passed != 2 {
		t.Fatalf("undeclared fields failed the audit without --strict: %+v", s.Totals)
	}
	d := drift(t, s, "me")
	got := map[string]report.FieldDrift{}
	for _, f := range d.UndeclaredFields {
		got[f.Pointer] = f
	}
	if f := got["/brand_new_field"]; f.Count != 2 || f.Example != `"hello"` {
		t.Fatalf("brand_new_field drift %+v", f)
	}
	if f := got["/session_token"]; strings.Contains(f.Example, "0123456789abcdef") {
		t.Fatalf("a token reached the drift example: %+v", f)
	}

	strict, _ := judge(t, audit.Options{Spec: spec, Strict: true}, e)
	if strict.Totals.Failed != 1 {
		t.Fatalf("--strict did not fail an undeclared field: %+v", strict.Totals)
	}
}

func TestWhatTheCaptureDidNotKeepIsNotJudgedNeverFailedNorPassed(t *testing.T) {
	spec := contract(t)
	noBody := entry("POST", "/me", 200, nil)
	noBody.BodyCaptured = false
	noHeaders := entry("POST", "/me", 200, example(t, spec, "me", 200, ""))
	noHeaders.Response.Header = http.Header{}
	noHeaders.HeadersCaptured = false
	mimeOnly := noHeaders
	mimeOnly.MimeType = "application/json"
	mimeOnly.Response = &harness.Response{Status: 200, Header: http.Header{}, Body: noHeaders.Response.Body}

	s, _ := judge(t, audit.Options{Spec: spec}, noBody, noHeaders, mimeOnly)
	if s.Totals.Passed != 1 || s.Totals.Failed != 0 || s.Totals.Unsupported != 2 {
		t.Fatalf("want the entry judged through content.mimeType passed, the two without a readable body not judged: %+v %+v", s.Totals, s.Specs)
	}
	for _, sp := range s.Specs[:2] {
		if sp.Outcome != report.OutcomeUnsupported || !strings.HasPrefix(sp.Reason, audit.NotJudged) {
			t.Fatalf("an entry whose body was not validated: %s %q", sp.Outcome, sp.Reason)
		}
	}
	// The one entry with a judged body verifies me 200 beside the others.
	if v := verified(s, "me", "200"); !v {
		t.Fatalf("me 200 not verified by the one judged body: %+v", s.Verified.Unverified)
	}
	// Passed specs carry no checks; the operation's roll-up says why the
	// schema was not judged on one of them.
	a := audit.New(audit.Options{Spec: spec})
	noBody.Index = 0
	a.Judge(noBody)
	one, _ := a.Result()
	for _, name := range []string{harness.CheckResponseSchema, harness.CheckJSONInterop} {
		if c := opCheck(t, one, "me", name); c.Status != harness.CheckSkipped || c.Message != "body not captured" {
			t.Fatalf("%s on an uncaptured body: %+v", name, c)
		}
	}
	// Alone, it verifies nothing, and an audit that judged nothing is no
	// pass: it says why and exits 2, as a capture that cannot be read.
	if verified(one, "me", "200") || one.ExitCode() != 2 || one.Totals.Passed != 0 {
		t.Fatalf("an audit of one body-less entry: exit %d, totals %+v, verified %d", one.ExitCode(), one.Totals, one.Verified.Verified)
	}
	if !hasSpec(one, "[audit] nothing judged", "without the body the contract describes") {
		t.Fatalf("no spec says why nothing was judged: %+v", one.Specs)
	}
	gap := false
	for _, g := range one.Verified.Unverified {
		if g.Operation == "me" && g.Status == "200" {
			gap = true
			if g.Kind != report.GapNotJudged || !strings.Contains(g.Reason, "body not captured") {
				t.Fatalf("me 200 gap %+v", g)
			}
		}
	}
	if !gap {
		t.Fatalf("me 200, exercised without its body, is no gap: %+v", one.Verified.Unverified)
	}
	// With the media type kept, the body is judged: a broken one fails.
	mimeOnly.Response = &harness.Response{Status: 200, Header: http.Header{}, Body: []byte(`{"num_invites":"x"}`)}
	broken, _ := judge(t, audit.Options{Spec: spec}, mimeOnly)
	if broken.Totals.Failed != 1 {
		t.Fatalf("a body judged through content.mimeType did not fail: %+v", broken.Totals)
	}
}

func TestEntriesOutsideTheContractAreListedAndCountOnlyWhenAsked(t *testing.T) {
	spec := contract(t)
	e := entry("POST", "/get_feed_v3", 200, []byte(`{}`))
	s, _ := judge(t, audit.Options{Spec: spec}, e, e)
	if s.Audit.Judged != 0 || s.Audit.Entries != 2 || !hasSpec(s, "[audit] nothing judged", "none of the 2 entries is of a contract operation") || len(s.Specs) != 1 {
		t.Fatalf("outside entries judged: %+v %+v %+v", s.Totals, s.Audit, s.Specs)
	}
	if want := []report.OutsideEntry{{Method: "POST", Path: "/api/get_feed_v3", Count: 2}}; !slices.Equal(s.Audit.Outside, want) {
		t.Fatalf("outside %+v", s.Audit.Outside)
	}
	counted, _ := judge(t, audit.Options{Spec: spec, OutsideCounts: true}, e)
	if counted.Totals.Failed != 1 {
		t.Fatalf("--outside-counts did not fail: %+v", counted.Totals)
	}
}

func TestEntriesMatchByPathUnderAnyBaseAndByAlternateMethod(t *testing.T) {
	spec := contract(t)
	me := example(t, spec, "me", 200, "")
	cases := []struct {
		name   string
		method string
		url    string
		op     string
	}{
		{"documented method", "POST", "https://www.clubhouseapi.com/api/me", "me"},
		{"trailing slash", "POST", "https://www.clubhouseapi.com/api/me/", "me"},
		{"another base", "POST", "http://127.0.0.1:8080/v1/clubhouse/api/me?x=1", "me"},
	}
	for _, alt := range spec.Operations() {
		if ms := alt.AlternateMethods(); len(ms) > 0 {
			cases = append(cases, struct{ name, method, url, op string }{"alternate method of " + alt.ID, ms[0], "https://h/api" + alt.Path, alt.ID})
			break
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := entry(c.method, "", 200, me)
			e.Request.URL = c.url
			s, _ := judge(t, audit.Options{Spec: spec}, e)
			if len(s.Specs) != 1 || !slices.Equal(s.Specs[0].Operations, []string{c.op}) {
				t.Fatalf("%s %s matched %+v (outside %+v)", c.method, c.url, s.Specs, s.Audit.Outside)
			}
		})
	}
	// A method the contract does not document for the path is outside it.
	wrong := entry("DELETE", "/me", 200, me)
	s, _ := judge(t, audit.Options{Spec: spec}, wrong)
	if s.Audit.Judged != 0 || len(s.Audit.Outside) != 1 {
		t.Fatalf("DELETE /me judged: %+v", s.Specs)
	}
}

// documentedError is the first documented error example with an
// error_message, so the test follows the contract as it changes.
func documentedError(t *testing.T, spec *harness.Spec) (op string, status int, body []byte, msg string) {
	t.Helper()
	for _, o := range spec.Operations() {
		for _, r := range o.Responses() {
			for _, ex := range r.Examples {
				m, ok := ex.Value.(map[string]any)
				if !ok || r.Status < 400 {
					continue
				}
				if s, ok := m["error_message"].(string); ok && s != "" {
					data, _ := json.Marshal(ex.Value)
					return o.ID, r.Status, data, s
				}
			}
		}
	}
	t.Fatal("the contract documents no error example with an error_message")
	return
}

func TestADocumentedErrorStateMustComeWithItsStatusAndBody(t *testing.T) {
	spec := contract(t)
	op, status, body, msg := documentedError(t, spec)
	path := spec.MustOperation(op).Path
	method := spec.MustOperation(op).Method

	exact, _ := judge(t, audit.Options{Spec: spec}, entry(method, path, status, body))
	if exact.Totals.Passed != 1 {
		t.Fatalf("the documented error body failed: %+v %+v", exact.Totals, exact.Specs)
	}
	if c := opCheck(t, exact, op, harness.CheckDocumentedErrorCase); c.Status != harness.CheckPassed {
		t.Fatalf("documented_error_case %+v", c)
	}
	// The same message with another envelope is not the documented case.
	other, _ := json.Marshal(map[string]any{"success": false, "error_message": msg, "extra": 1})
	s, _ := judge(t, audit.Options{Spec: spec}, entry(method, path, status, other))
	if c := check(t, s, 0, harness.CheckDocumentedErrorCase); c.Status != harness.CheckFailed {
		t.Fatalf("documented_error_case on a changed body: %+v", c)
	}
	// A body that names no documented state gets no such check.
	plain, _ := judge(t, audit.Options{Spec: spec}, entry(method, path, status, []byte(`{"success":false,"error_message":"something else"}`)))
	for _, c := range plain.Operations {
		for _, ch := range c.Checks {
			if ch.Name == harness.CheckDocumentedErrorCase {
				t.Fatalf("documented_error_case judged a body of no documented state: %+v", ch)
			}
		}
	}
}

func TestASecuredAnswerWithoutCredentialsIsIgnoredAuth(t *testing.T) {
	spec := contract(t)
	var secured *harness.Operation
	for _, op := range spec.Operations() {
		if op.Secured && op.Documents(200) && op.ID == "me" {
			secured = op
		}
	}
	if secured == nil {
		t.Skip("me is not a secured operation with a 200 in this contract")
	}
	e := entry("POST", "/me", 200, example(t, spec, "me", 200, ""))
	e.Request.Header = http.Header{"CH-AppVersion": {"0.1.28"}}
	s, _ := judge(t, audit.Options{Spec: spec}, e)
	if c := check(t, s, 0, harness.CheckIgnoredAuth); c.Status != harness.CheckFailed {
		t.Fatalf("ignored_auth on a 200 without credentials: %+v", c)
	}
	stripped, _ := judge(t, audit.Options{Spec: spec, CredentialsStripped: true}, e)
	if stripped.Totals.Passed != 1 {
		t.Fatalf("--credentials-stripped still judged ignored_auth: %+v", stripped.Specs)
	}
	withToken, _ := judge(t, audit.Options{Spec: spec}, entry("POST", "/me", 200, example(t, spec, "me", 200, "")))
	if withToken.Totals.Passed != 1 {
		t.Fatalf("an answer to a request with a token failed: %+v", withToken.Specs)
	}
}

func TestAnEntryThatCannotBeReadIsAnError(t *testing.T) {
	e := entry("POST", "/me", 200, nil)
	e.Problem = "response body: gzip: invalid header"
	s, failures := judge(t, audit.Options{}, e)
	if s.Totals.Error != 1 || s.ExitCode() != 2 || !strings.Contains(s.Specs[0].Reason, "gzip") {
		t.Fatalf("totals %+v, specs %+v", s.Totals, s.Specs)
	}
	if len(failures) != 1 {
		t.Fatalf("failures %d", len(failures))
	}
}

func TestTranscriptsAreBoundedButEveryFailureIsListed(t *testing.T) {
	var entries []capture.Entry
	for range 7 {
		entries = append(entries, entry("POST", "/me", 418, []byte(`{}`)))
	}
	s, failures := judge(t, audit.Options{MaxTranscripts: 3}, entries...)
	if s.Totals.Failed != 7 || len(failures) != 3 || s.Audit.TranscriptsOmitted != 4 {
		t.Fatalf("failed %d, transcripts %d, omitted %d", s.Totals.Failed, len(failures), s.Audit.TranscriptsOmitted)
	}
}

func TestSpecNamesAreStableAndInert(t *testing.T) {
	spec := contract(t)
	e := entry("POST", "/me", 200, example(t, spec, "me", 200, ""))
	e.Name = "evil\n::error file=x::pwned\x1b[31m"
	e.File = "/some/dir/capture.har"
	s, _ := judge(t, audit.Options{Spec: spec}, e)
	name := s.Specs[0].Name
	if strings.ContainsAny(name, "\n\x1b") || !strings.HasPrefix(name, "capture.har #0: POST /me") {
		t.Fatalf("spec name %q", name)
	}
	if s.Specs[0].Location != "capture.har#0" {
		t.Fatalf("location %q", s.Specs[0].Location)
	}
}

func TestUnreadableFileIsAnErrorNamingIt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "broken.har")
	if err := os.WriteFile(path, []byte(`{"log":{"entries":[{"request":`), 0o644); err != nil {
		t.Fatal(err)
	}
	a := audit.New(audit.Options{Spec: contract(t)})
	if err := a.File(path); err == nil {
		t.Fatal("a truncated HAR was read without an error")
	}
	s, _ := a.Result()
	if s.ExitCode() != 2 || s.Audit.Files[0].Error == "" || !strings.Contains(s.Specs[0].Name, "broken.har") {
		t.Fatalf("exit %d, files %+v, specs %+v", s.ExitCode(), s.Audit.Files, s.Specs)
	}
}

func TestAMalformedRequestIsOwedARefusalNotADocumentedAnswer(t *testing.T) {
	spec := contract(t)
	var op *harness.Operation
	for _, o := range spec.Operations() {
		if len(harness.MalformedRequests(o)) > 1 {
			op = o
			break
		}
	}
	if op == nil {
		t.Skip("no operation documents a JSON request body")
	}
	malformed := entry(op.Method, op.Path, 400, []byte(`{"detail":"JSON parse error"}`))
	malformed.Request.Body = []byte(`{"`)
	s, _ := judge(t, audit.Options{Spec: spec}, malformed)
	if s.Totals.Passed != 1 {
		t.Fatalf("a 400 to a malformed %s failed: %+v", op.ID, s.Specs)
	}
	if c := opCheck(t, s, op.ID, harness.CheckNegativeDataRejected); c.Status != harness.CheckPassed {
		t.Fatalf("negative_data_rejection %+v", c)
	}
	accepted := malformed
	accepted.Response = &harness.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"success":true}`)}
	s, _ = judge(t, audit.Options{Spec: spec}, accepted)
	// Accepted, it is judged as any answer, and the request is drift.
	for _, o := range s.Operations {
		for _, c := range o.Checks {
			if c.Name == harness.CheckNegativeDataRejected {
				t.Fatalf("a 2xx to a request the contract calls malformed was judged as a refusal: %+v", c)
			}
		}
	}
	if d := drift(t, s, op.ID); len(d.Requests) != 1 || d.Requests[0].Count != 1 {
		t.Fatalf("request drift %+v", d.Requests)
	}
	// A refusal is judged like any answer: a teapot is none the contract knows.
	teapot := malformed
	teapot.Response = &harness.Response{Status: 418, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"detail":"I'm a teapot"}`)}
	if s, _ = judge(t, audit.Options{Spec: spec}, teapot); s.Totals.Failed != 1 {
		t.Fatalf("a 418 to a malformed request passed: %+v", s.Specs)
	}
	// A refusal whose body the capture did not keep is not judged.
	bodiless := malformed
	bodiless.BodyCaptured = false
	bodiless.Response = &harness.Response{Status: 400, Header: http.Header{"Content-Type": {"application/json"}}}
	if s, _ = judge(t, audit.Options{Spec: spec}, bodiless); s.Totals.Passed != 0 || s.Totals.Unsupported != 1 {
		t.Fatalf("a refusal without its body: %+v %+v", s.Totals, s.Specs)
	}
	crashed := malformed
	crashed.Response = &harness.Response{Status: 500, Header: http.Header{}, Body: nil}
	s, _ = judge(t, audit.Options{Spec: spec}, crashed)
	if s.Totals.Failed != 1 {
		t.Fatalf("a 500 to a malformed request passed: %+v", s.Specs)
	}
}

// verified says whether the summary verified op's documented status: it is
// among the documented responses the summary counts, and no gap names it
// (a response the summary does not count is not verified).
func verified(s report.Summary, op, status string) bool {
	documented := false
	for _, o := range s.Operations {
		documented = documented || o.OperationID == op && slices.Contains(o.ResponsesDocumented, status)
	}
	if !documented || s.Verified.Total == 0 {
		return false
	}
	for _, g := range s.Verified.Unverified {
		if g.Operation == op && g.Status == status {
			return false
		}
	}
	return true
}

func hasSpec(s report.Summary, name, reason string) bool {
	for _, sp := range s.Specs {
		if sp.Name == name && strings.Contains(sp.Reason, reason) {
			return true
		}
	}
	return false
}

// An audit reports response coverage like a run: a captured body that
// validated shows its locations, one the capture did not keep shows none,
// and CH_MIN_RESPONSE_COVERAGE holds the capture to a floor.
func TestAuditReportsResponseCoverage(t *testing.T) {
	spec := contract(t)
	meCoverage := func(s report.Summary) report.ResponseLocations {
		t.Helper()
		if s.ResponseCoverage == nil {
			t.Fatal("the audit's summary has no response coverage")
		}
		for _, r := range s.ResponseCoverage.Responses {
			if r.Operation == "me" && r.Status == "200" {
				return r
			}
		}
		t.Fatal("me 200 is not listed")
		return report.ResponseLocations{}
	}
	noBody := entry("POST", "/me", 200, nil)
	noBody.BodyCaptured = false
	s, _ := judge(t, audit.Options{Spec: spec}, noBody)
	if r := meCoverage(s); r.Observed != 0 || r.Total == 0 {
		t.Errorf("an answer without its body showed %d of %d locations", r.Observed, r.Total)
	}

	s, _ = judge(t, audit.Options{Spec: spec, MinResponseCoverage: "0.5"}, entry("POST", "/me", 200, example(t, spec, "me", 200, "")))
	r := meCoverage(s)
	if r.Observed == 0 || slices.Contains(r.Unobserved, "(body)") {
		t.Errorf("a validated body showed nothing: %+v", r)
	}
	if s.ResponseCoverage.Observed >= s.ResponseCoverage.Total/2 {
		t.Fatalf("one answer shows most of the contract? %d of %d", s.ResponseCoverage.Observed, s.ResponseCoverage.Total)
	}
	if len(s.Verified.BelowFloor) != 1 || !strings.Contains(s.Verified.BelowFloor[0], "CH_MIN_RESPONSE_COVERAGE=0.5") {
		t.Errorf("below CH_MIN_RESPONSE_COVERAGE: want it named in below_floor, got %v", s.Verified.BelowFloor)
	}
}

// A captured answer a client could read two ways fails json_interop with its
// pointer, while the schema check, reading the last member as every check
// does, passes it.
func TestAuditFailsAnAmbiguousAnswer(t *testing.T) {
	spec := contract(t)
	body := example(t, spec, "me", 200, "")
	dup := append([]byte(`{"email":0,`), body[1:]...)
	s, _ := judge(t, audit.Options{Spec: spec}, entry("POST", "/me", 200, dup))
	c := opCheck(t, s, "me", harness.CheckJSONInterop)
	if s.Totals.Failed != 1 || c.Status != harness.CheckFailed || !strings.Contains(c.Message, "/email") {
		t.Fatalf("an ambiguous answer: %+v, json_interop %+v", s.Totals, c)
	}
	if c := opCheck(t, s, "me", harness.CheckResponseSchema); c.Status != harness.CheckPassed {
		t.Fatalf("the schema check read another member than the last: %+v", c)
	}
}

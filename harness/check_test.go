package harness

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validProfile keeps every promise of get_profile's 200 in testdata/checks.yaml;
// the cases below break one promise at a time.
const validProfile = `{"success":true,"user_profile":{"user_id":4,"name":"Rohan Seth","photo_url":null,` +
	`"bio":null,"time_created":"2020-03-17T20:23:58.812451+00:00","invited_by_user_profile":null}}`

const waitlisted = `{"success":false,"error_message":"Your account is waitlisted. Please contact us if this is in error."}`

func loadCheckSpec(t *testing.T) *Spec {
	t.Helper()
	data, err := os.ReadFile("testdata/checks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := LoadSpec("testdata/checks.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// exchangeFor builds an exchange of op answered with status, body and the
// header pairs given (name, value, name, value...).
func exchangeFor(spec *Spec, op string, status int, body string, header ...string) *Exchange {
	o := spec.MustOperation(op)
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Add(header[i], header[i+1])
	}
	return &Exchange{
		Op:       o,
		Request:  Request{Method: o.Method, URL: "http://127.0.0.1:8080/api" + o.Path, Header: http.Header{}},
		Response: &Response{Status: status, Header: h, Body: []byte(body)},
	}
}

// okProfile is a get_profile exchange that passes every standard check.
func okProfile(spec *Spec, body string) *Exchange {
	return exchangeFor(spec, "get_profile", 200, body, "Content-Type", "application/json", "X-Request-Id", "0123abcd")
}

type checkCase struct {
	name     string
	check    Check
	ex       *Exchange
	want     CheckStatus
	fragment string // in a finding's message, or in the skip reason
	pointer  string // some finding has this pointer
	findings int    // the exact number of findings, when not 0
}

func runCheckCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			results := Verify(c.ex, c.check)
			if len(results) != 1 {
				t.Fatalf("got %d results", len(results))
			}
			r := results[0]
			if r.Name != c.check.Name {
				t.Errorf("result named %q, want %q", r.Name, c.check.Name)
			}
			if r.Status != c.want {
				t.Fatalf("status %s, want %s; findings %+v; reason %q", r.Status, c.want, r.Findings, r.Reason)
			}
			if c.findings > 0 && len(r.Findings) != c.findings {
				t.Errorf("%d findings, want %d: %+v", len(r.Findings), c.findings, r.Findings)
			}
			if c.fragment != "" && !resultMentions(r, c.fragment) {
				t.Errorf("no finding or reason mentions %q: %+v %q", c.fragment, r.Findings, r.Reason)
			}
			if c.pointer != "" && !hasPointer(r, c.pointer) {
				t.Errorf("no finding points at %q: %+v", c.pointer, r.Findings)
			}
		})
	}
}

func resultMentions(r CheckResult, s string) bool {
	if strings.Contains(r.Reason, s) {
		return true
	}
	for _, f := range r.Findings {
		if strings.Contains(f.Message, s) {
			return true
		}
	}
	return false
}

func hasPointer(r CheckResult, ptr string) bool {
	for _, f := range r.Findings {
		if f.Pointer == ptr {
			return true
		}
	}
	return false
}

func TestResponseReceived(t *testing.T) {
	spec := loadCheckSpec(t)
	reset := exchangeFor(spec, "get_profile", 200, "")
	reset.Response, reset.Err = nil, errors.New("read tcp 127.0.0.1:8080: connection reset by peer")
	silent := exchangeFor(spec, "get_profile", 200, "")
	silent.Response = nil
	runCheckCases(t, []checkCase{
		{name: "transport error", check: ResponseReceived(), ex: reset, want: CheckFailed, fragment: "connection reset by peer"},
		{name: "neither response nor error", check: ResponseReceived(), ex: silent, want: CheckFailed, fragment: "no response"},
		{name: "a response", check: ResponseReceived(), ex: okProfile(spec, validProfile), want: CheckPassed},
	})
}

func TestNotAServerError(t *testing.T) {
	spec := loadCheckSpec(t)
	runCheckCases(t, []checkCase{
		{name: "503", check: NotAServerError(), ex: exchangeFor(spec, "get_profile", 503, ""), want: CheckFailed, fragment: "status 503"},
		{name: "documented 5xx is still a server error", check: NotAServerError(), ex: exchangeFor(spec, "get_feed", 500, ""), want: CheckFailed},
		{name: "400", check: NotAServerError(), ex: exchangeFor(spec, "get_profile", 400, waitlisted), want: CheckPassed},
	})
}

func TestStatusCodeConformance(t *testing.T) {
	spec := loadCheckSpec(t)
	head := exchangeFor(spec, "get_profile", 200, "")
	head.Request.Method = http.MethodHead
	head.Response.Status = 302
	runCheckCases(t, []checkCase{
		{name: "undocumented 418", check: StatusCodeConformance(), ex: exchangeFor(spec, "get_profile", 418, ""), want: CheckFailed,
			fragment: "status 418 is not documented for get_profile (documented: 200, 400, 401)"},
		// ValidateResponse returns nil for these: the check must not.
		{name: "undocumented 301", check: StatusCodeConformance(), ex: exchangeFor(spec, "get_profile", 301, ""), want: CheckFailed, fragment: "301"},
		{name: "undocumented status of a HEAD request", check: StatusCodeConformance(), ex: head, want: CheckFailed, fragment: "302"},
		{name: "range does not cover another class", check: StatusCodeConformance(), ex: exchangeFor(spec, "logout", 500, ""), want: CheckFailed},
		{name: "documented 200", check: StatusCodeConformance(), ex: okProfile(spec, validProfile), want: CheckPassed},
		{name: "4XX range", check: StatusCodeConformance(), ex: exchangeFor(spec, "logout", 429, ""), want: CheckPassed},
		{name: "default", check: StatusCodeConformance(), ex: exchangeFor(spec, "get_feed", 503, ""), want: CheckPassed},
	})
}

func TestContentTypeConformance(t *testing.T) {
	spec := loadCheckSpec(t)
	ct := func(v string) *Exchange {
		return exchangeFor(spec, "get_profile", 200, validProfile, "Content-Type", v)
	}
	runCheckCases(t, []checkCase{
		{name: "text/html", check: ContentTypeConformance(), ex: ct("text/html; charset=utf-8"), want: CheckFailed,
			fragment: `Content-Type "text/html" is not documented for status 200 (documented: application/json)`},
		{name: "missing", check: ContentTypeConformance(), ex: exchangeFor(spec, "get_profile", 200, validProfile), want: CheckFailed, fragment: "missing"},
		{name: "malformed", check: ContentTypeConformance(), ex: ct("application/json; charset"), want: CheckFailed, fragment: "malformed"},
		{name: "body on a response without content", check: ContentTypeConformance(), ex: exchangeFor(spec, "logout", 204, "{}"), want: CheckFailed, fragment: "no content"},
		{name: "json", check: ContentTypeConformance(), ex: ct("application/json"), want: CheckPassed},
		{name: "json with charset, any case", check: ContentTypeConformance(), ex: ct("Application/JSON; charset=UTF-8"), want: CheckPassed},
		{name: "no content, no body", check: ContentTypeConformance(), ex: exchangeFor(spec, "logout", 204, ""), want: CheckPassed},
		{name: "undocumented status", check: ContentTypeConformance(), ex: exchangeFor(spec, "get_profile", 418, ""), want: CheckSkipped, fragment: "not documented"},
	})
}

func TestResponseHeadersConformance(t *testing.T) {
	spec := loadCheckSpec(t)
	hdr := func(pairs ...string) *Exchange {
		return exchangeFor(spec, "get_profile", 200, validProfile, append([]string{"Content-Type", "application/json"}, pairs...)...)
	}
	runCheckCases(t, []checkCase{
		{name: "required header missing", check: ResponseHeadersConformance(), ex: hdr(), want: CheckFailed, fragment: `"X-Request-Id" missing`, findings: 1},
		// kin stops at the first header error: both must be reported.
		{name: "every bad header reported", check: ResponseHeadersConformance(), ex: hdr("X-Request-Id", "xyz", "X-Items", "many"), want: CheckFailed, findings: 2, fragment: "X-Items"},
		{name: "pattern", check: ResponseHeadersConformance(), ex: hdr("X-Request-Id", "0123ABCD"), want: CheckFailed, fragment: "regular expression"},
		{name: "well formed", check: ResponseHeadersConformance(), ex: hdr("X-Request-Id", "0123abcd", "X-Items", "3"), want: CheckPassed},
		{name: "optional header absent", check: ResponseHeadersConformance(), ex: hdr("X-Request-Id", "0123abcd"), want: CheckPassed},
		{name: "no documented header", check: ResponseHeadersConformance(), ex: exchangeFor(spec, "get_profile", 400, waitlisted), want: CheckSkipped},
	})
}

func TestResponseSchemaConformance(t *testing.T) {
	spec := loadCheckSpec(t)
	profile := func(old, new string) *Exchange {
		return okProfile(spec, strings.Replace(validProfile, old, new, 1))
	}
	json := func(op string, status int, body string) *Exchange {
		return exchangeFor(spec, op, status, body, "Content-Type", "application/json")
	}
	lax, strict := ResponseSchemaConformance(false), ResponseSchemaConformance(true)
	runCheckCases(t, []checkCase{
		{name: "valid", check: strict, ex: okProfile(spec, validProfile), want: CheckPassed},
		{name: "integer id made a string", check: lax, ex: profile(`"user_id":4`, `"user_id":"4"`), want: CheckFailed,
			pointer: "/user_profile/user_id", fragment: "/user_profile/user_id: value must be an integer", findings: 1},
		{name: "required field removed", check: lax, ex: profile(`"name":"Rohan Seth",`, ``), want: CheckFailed,
			pointer: "/user_profile/name", fragment: `property "name" is missing`, findings: 1},
		{name: "required field at the root removed", check: lax, ex: profile(`"success":true,`, ``), want: CheckFailed, pointer: "/success"},
		{name: "not a date-time", check: lax, ex: profile(`"2020-03-17T20:23:58.812451+00:00"`, `"2020-02-30T20:23:58Z"`), want: CheckFailed,
			pointer: "/user_profile/time_created", fragment: "date-time"},
		{name: "null where not nullable", check: lax, ex: profile(`"Rohan Seth"`, `null`), want: CheckFailed, pointer: "/user_profile/name", fragment: "not nullable"},
		{name: "nullable allOf ref given an object", check: lax,
			ex: profile(`"invited_by_user_profile":null`, `"invited_by_user_profile":{"user_id":"x","name":"A"}`), want: CheckFailed,
			pointer: "/user_profile/invited_by_user_profile/user_id"},
		{name: "every error, not the first", check: lax, ex: profile(`"user_id":4,"name":"Rohan Seth"`, `"user_id":true`), want: CheckFailed, findings: 2},
		{name: "invalid JSON", check: lax, ex: okProfile(spec, validProfile[:40]), want: CheckFailed, fragment: "not valid JSON", findings: 1},
		{name: "invalid UTF-8", check: lax, ex: profile(`Rohan`, "Ro\xffhan"), want: CheckFailed, fragment: "UTF-8", findings: 1},
		{name: "empty body", check: lax, ex: okProfile(spec, ""), want: CheckFailed, fragment: "empty"},
		{name: "body where none is documented", check: lax, ex: json("logout", 204, "{}"), want: CheckFailed, fragment: "no body"},
		{name: "app error envelope", check: strict, ex: json("get_profile", 400, waitlisted), want: CheckPassed},
		{name: "app error with a null message", check: strict, ex: json("get_profile", 400, `{"success":false,"error_message":null}`), want: CheckPassed},
		{name: "DRF detail not a string", check: lax, ex: json("get_profile", 401, `{"detail":401}`), want: CheckFailed, pointer: "/detail"},
		{name: "range response", check: lax, ex: json("logout", 403, `{"detail":"You do not have permission to perform this action."}`), want: CheckPassed},
		{name: "default response", check: lax, ex: json("get_feed", 500, `{"success":false}`), want: CheckFailed, pointer: "/error_message"},
		{name: "undeclared field, lax", check: lax, ex: profile(`"bio":null`, `"bio":null,"foo":1`), want: CheckPassed},
		{name: "undeclared field, strict", check: strict, ex: profile(`"bio":null`, `"bio":null,"foo":1`), want: CheckFailed,
			pointer: "/user_profile/foo", fragment: "undeclared field /user_profile/foo", findings: 1},
		{name: "anyOf branches' fields are declared", check: strict,
			ex: json("get_feed", 200, `{"items":[{"user_id":1,"name":"a"},{"club_id":2,"is_community":true}],"extra":{"any":1}}`), want: CheckPassed},
		{name: "undeclared field in an array item", check: strict,
			ex: json("get_feed", 200, `{"items":[{"user_id":1,"name":"a","foo":{"bar":1}}]}`), want: CheckFailed, pointer: "/items/0/foo", findings: 1},
		{name: "undocumented Content-Type is another check's", check: lax, ex: exchangeFor(spec, "get_profile", 200, "<html>", "Content-Type", "text/html"),
			want: CheckSkipped, fragment: CheckContentType},
		{name: "undocumented status is another check's", check: lax, ex: json("get_profile", 418, "{}"), want: CheckSkipped, fragment: CheckStatusCode},
	})
}

// Bodies carry tokens: no finding may quote a value of the response.
func TestFindingsNeverQuoteResponseValues(t *testing.T) {
	spec := loadCheckSpec(t)
	const auth, access, refresh, name = "SECRETauthTOKEN0123", "SECRETacc", "SECRETrefresh0123456789", "SECRETname"
	body := `{"user_profile":{"user_id":"` + auth + `","name":{"n":"` + name + `"}},"auth_token":"` + auth +
		`","access_token":"` + access + `","refresh_token":"` + refresh + `"}`
	ex := exchangeFor(spec, "me", 200, body, "Content-Type", "application/json")
	hdrEx := exchangeFor(spec, "get_profile", 200, validProfile, "Content-Type", "application/json",
		"X-Request-Id", auth, "X-Items", auth)
	var results []CheckResult
	results = append(results, Verify(ex, StandardChecks(true)...)...)
	results = append(results, Verify(hdrEx, StandardChecks(true)...)...)
	failed := 0
	for _, r := range results {
		for _, f := range r.Findings {
			failed++
			for _, secret := range []string{auth, access, refresh, name, "SECRET"} {
				if strings.Contains(f.Message, secret) {
					t.Errorf("%s finding quotes a response value: %q", r.Name, f.Message)
				}
			}
		}
	}
	if failed < 6 {
		t.Errorf("expected findings for user_id, name, auth_token, access_token, refresh_token and headers, got %d: %+v", failed, results)
	}
}

func TestDocumentedErrorCase(t *testing.T) {
	spec := loadCheckSpec(t)
	example := spec.MustOperation("get_profile").Responses()[1].Examples[0]
	long := `{"success":false,"error_message":"` + strings.Repeat("x", 2000) + `"}`
	counted := Example{Name: "counted", Value: map[string]any{"count": 1, "success": false}}
	json := func(status int, body string) *Exchange {
		return exchangeFor(spec, "get_profile", status, body, "Content-Type", "application/json")
	}
	runCheckCases(t, []checkCase{
		{name: "same body, other key order and spacing", check: DocumentedErrorCase(400, example),
			ex: json(400, `{ "error_message": "Your account is waitlisted. Please contact us if this is in error.", "success": false }`), want: CheckPassed},
		{name: "numbers compared as numbers", check: DocumentedErrorCase(400, counted), ex: json(400, `{"success":false,"count":1.0}`), want: CheckPassed},
		{name: "other message", check: DocumentedErrorCase(400, example), ex: json(400, `{"success":false,"error_message":""}`), want: CheckFailed,
			pointer: "/error_message", fragment: `got: {"success":false,"error_message":""}`},
		{name: "extra key", check: DocumentedErrorCase(400, example), ex: json(400, strings.Replace(waitlisted, `{`, `{"x":1,`, 1)), want: CheckFailed, pointer: "/x"},
		{name: "other status", check: DocumentedErrorCase(400, example), ex: json(200, validProfile), want: CheckFailed,
			fragment: "expected status 400 with the body of example \"waitlisted\""},
		{name: "long body cut", check: DocumentedErrorCase(400, example), ex: json(400, long), want: CheckFailed, fragment: "more bytes"},
		{name: "not JSON", check: DocumentedErrorCase(400, example), ex: json(400, "<html>"), want: CheckFailed},
	})
	r := Verify(json(400, long), DocumentedErrorCase(400, example))[0]
	if n := len(r.Findings[0].Message); n > 1300 {
		t.Errorf("message of %d bytes: long bodies must be cut", n)
	}
}

func TestIgnoredAuth(t *testing.T) {
	spec := loadCheckSpec(t)
	const notProvided = "Authentication credentials were not provided."
	json := func(status int, body string) *Exchange {
		return exchangeFor(spec, "get_profile", status, body, "Content-Type", "application/json")
	}
	runCheckCases(t, []checkCase{
		{name: "401 DRF", check: IgnoredAuth(""), ex: json(401, `{"detail":"Invalid token."}`), want: CheckPassed},
		{name: "401 DRF with that detail", check: IgnoredAuth(notProvided), ex: json(401, `{"detail":"`+notProvided+`"}`), want: CheckPassed},
		{name: "SimpleJWT extras", check: IgnoredAuth(""), ex: json(401, `{"detail":"x","code":"token_not_valid"}`), want: CheckPassed},
		{name: "other detail", check: IgnoredAuth(notProvided), ex: json(401, `{"detail":"Invalid token."}`), want: CheckFailed,
			pointer: "/detail", fragment: `expected detail "` + notProvided + `", got "Invalid token."`},
		{name: "2xx", check: IgnoredAuth(""), ex: json(200, validProfile), want: CheckFailed, fragment: "endpoint ignored authentication"},
		{name: "403", check: IgnoredAuth(""), ex: json(403, `{"detail":"no"}`), want: CheckFailed, fragment: "expected 401 without valid credentials, got 403"},
		{name: "401 app envelope", check: IgnoredAuth(""), ex: json(401, waitlisted), want: CheckFailed, fragment: "not a DRF envelope"},
		{name: "401 detail not a string", check: IgnoredAuth(""), ex: json(401, `{"detail":1}`), want: CheckFailed},
	})
}

type recorded struct{ results [][]CheckResult }

func (r *recorded) RecordExchange(*Exchange)                    {}
func (r *recorded) RecordChecks(_ *Exchange, res []CheckResult) { r.results = append(r.results, res) }

func TestVerify(t *testing.T) {
	spec := loadCheckSpec(t)

	t.Run("no response skips the rest", func(t *testing.T) {
		ex := exchangeFor(spec, "get_profile", 200, "")
		ex.Response, ex.Err = nil, errors.New("context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
		results := Verify(ex, StandardChecks(false)...)
		if results[0].Status != CheckFailed || !strings.Contains(results[0].Findings[0].Message, "Timeout") {
			t.Fatalf("response_received: %+v", results[0])
		}
		for _, r := range results[1:] {
			if r.Status != CheckSkipped || r.Reason != "no response" {
				t.Errorf("%s: %+v", r.Name, r)
			}
		}
	})

	t.Run("a response with a transport error is not judged", func(t *testing.T) {
		ex := okProfile(spec, validProfile[:10])
		ex.Err = errors.New("response body exceeds the size cap")
		results := Verify(ex, StandardChecks(false)...)
		if results[0].Status != CheckFailed || results[5].Status != CheckSkipped {
			t.Errorf("%+v", results)
		}
	})

	t.Run("a panicking check fails alone", func(t *testing.T) {
		boom := Check{Name: "boom", Run: func(*Exchange) ([]Finding, string) { panic("nil map") }}
		results := Verify(okProfile(spec, validProfile), boom, NotAServerError())
		if results[0].Status != CheckFailed || !strings.Contains(results[0].Findings[0].Message, "check boom panicked: nil map") {
			t.Errorf("%+v", results[0])
		}
		if results[1].Status != CheckPassed {
			t.Errorf("%+v", results[1])
		}
	})

	t.Run("nil exchange", func(t *testing.T) {
		results := Verify(nil, StandardChecks(false)...)
		if len(results) != len(StandardChecks(false)) || results[0].Status != CheckSkipped {
			t.Errorf("%+v", results)
		}
	})

	t.Run("results are recorded", func(t *testing.T) {
		rec := &recorded{}
		ex := okProfile(spec, validProfile).WithRecorder(rec)
		results := Verify(ex, StandardChecks(true)...)
		if len(rec.results) != 1 || len(rec.results[0]) != len(results) {
			t.Fatalf("recorded %+v", rec.results)
		}
		var names []string
		for _, r := range results {
			names = append(names, r.Name)
			if r.Status != CheckPassed {
				t.Errorf("%s: %+v", r.Name, r)
			}
		}
		want := "response_received not_rate_limited not_a_server_error status_code_conformance content_type_conformance response_headers_conformance response_schema_conformance json_interop"
		if got := strings.Join(names, " "); got != want {
			t.Errorf("order %q", got)
		}
	})
}

// The project's acceptance test corrupts a recorded exchange one way at a
// time; each corruption must fail exactly the check that owns it.
func TestCorruptionsFailTheirCheck(t *testing.T) {
	spec := loadCheckSpec(t)
	cases := []struct {
		name    string
		corrupt func(*Exchange)
		check   string
		pointer string
	}{
		{"integer id made a string", func(ex *Exchange) {
			ex.Response.Body = []byte(strings.Replace(validProfile, `"user_id":4`, `"user_id":"4"`, 1))
		}, CheckResponseSchema, "/user_profile/user_id"},
		{"required field removed", func(ex *Exchange) {
			ex.Response.Body = []byte(strings.Replace(validProfile, `"time_created":"2020-03-17T20:23:58.812451+00:00",`, ``, 1))
		}, CheckResponseSchema, "/user_profile/time_created"},
		{"status changed to an undocumented one", func(ex *Exchange) { ex.Response.Status = 299 }, CheckStatusCode, ""},
		{"Content-Type set to text/html", func(ex *Exchange) { ex.Response.Header.Set("Content-Type", "text/html") }, CheckContentType, ""},
		{"server error", func(ex *Exchange) { ex.Response.Status = 502 }, CheckNotAServerError, ""},
		{"documented header dropped", func(ex *Exchange) { ex.Response.Header.Del("X-Request-Id") }, CheckResponseHeaders, ""},
		// The schema reads the last user_id (4) as every check does; only
		// json_interop sees that a client may read the first.
		{"member repeated", func(ex *Exchange) {
			ex.Response.Body = []byte(strings.Replace(validProfile, `"user_id":4`, `"user_id":"4","user_id":4`, 1))
		}, CheckJSONInterop, "/user_profile/user_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ex := okProfile(spec, validProfile)
			c.corrupt(ex)
			for _, r := range Verify(ex, StandardChecks(false)...) {
				switch {
				case r.Name == c.check && r.Status != CheckFailed:
					t.Errorf("%s did not fail: %+v", r.Name, r)
				case r.Name == c.check && c.pointer != "" && !hasPointer(r, c.pointer):
					t.Errorf("%s does not point at %s: %+v", r.Name, c.pointer, r.Findings)
				case r.Name != c.check && r.Status == CheckFailed && !(c.check == CheckNotAServerError && r.Name == CheckStatusCode):
					t.Errorf("%s failed too: %+v", r.Name, r.Findings)
				}
			}
		})
	}
}

// Findings end up in reports: no check quotes a secret of the body it
// judges, whatever field or text holds it.
func TestChecksNeverQuoteSecrets(t *testing.T) {
	spec := loadCheckSpec(t)
	cross := loadCrossSpec(t)
	example := spec.MustOperation("get_profile").Responses()[1].Examples[0]
	for name, body := range leakBodies {
		t.Run(name, func(t *testing.T) {
			ex := func(status int) *Exchange {
				return exchangeFor(spec, "get_profile", status, body, "Content-Type", "application/json")
			}
			page := func(status int, b string) *Exchange { return crossExchange(cross, "get_following", status, b) }
			runs := []struct {
				check Check
				ex    *Exchange
			}{
				{DocumentedErrorCase(400, example), ex(400)},
				{DocumentedErrorCase(400, example), ex(200)},
				{DocumentedErrorCase(400, Example{Name: "secret", Value: map[string]any{"access": leakJWT, "phone": leakPhone}}), ex(400)},
				{IgnoredAuth(""), ex(403)},
				{IgnoredAuth(""), ex(401)},
				{IgnoredAuth("Authentication credentials were not provided."), ex(401)},
				{NegativeDataRejection(), ex(200)},
				{NegativeDataRejection(), ex(500)},
				{MethodEquivalence(ex(400)), ex(200)},
				{MethodEquivalence(exchangeFor(spec, "get_profile", 200, `{"x":2}`)), ex(200)},
				{MethodEquivalence(exchangeFor(spec, "get_profile", 200, `{"access":"other","refresh":"other","auth_token":"other","error_message":"other","data":"other","detail":"other"}`)), ex(200)},
				{StatefulConsistency("w", ContainsJSONValue("nothing.here", 1)), ex(200)},
				{StatefulConsistency("w", ContainsJSONValue("access", "x")), ex(200)},
				{StatefulConsistency("w", ContainsJSONValue("refresh", "x")), ex(200)},
				{StatefulConsistency("w", ContainsJSONValue("error_message", "x")), ex(200)},
				{StatefulConsistency("w", ContainsJSONValue("x", 1)), ex(404)},
				{IdentityIsolation("w", ContainsJSONValue("refresh", "x"), true), ex(200)},
				{IdentityIsolation("w", LacksJSONValue("x", 1), false), ex(404)},
				{IdentityIsolation("w", LacksJSONValue("x", 1), true), ex(500)},
				{PaginationConformance(1, 10), page(200, `{"count":1,"next":"`+leakJWT+`","previous":"`+leakPhone+`","users":[]}`)},
				{ResponseSchemaConformance(true), ex(200)},
				{ContentTypeConformance(), exchangeFor(spec, "get_profile", 200, body, "Content-Type", "application/json; token="+leakUpper+"; =")},
				{ResponseHeadersConformance(), exchangeFor(spec, "get_profile", 200, validProfile, "Content-Type", "application/json", "X-Request-Id", leakUpper)},
			}
			failed := 0
			for _, run := range runs {
				r := Verify(run.ex, run.check)[0]
				if r.Status == CheckFailed {
					failed++
				}
				for _, f := range r.Findings {
					assertNoLeak(t, r.Name, f.Message)
				}
				assertNoLeak(t, r.Name+" reason", r.Reason)
			}
			if failed < 12 {
				t.Errorf("only %d of %d runs failed: the cases no longer exercise the quoting", failed, len(runs))
			}
		})
	}
}

// Every check is safe to run on its own, outside Verify (harness/suite runs
// MethodEquivalence directly): on an exchange without a response, or no
// exchange at all, it skips or fails, never panics. The table must name
// every exported constructor of a Check (found in the package's sources).
func TestEveryCheckSurvivesNoResponse(t *testing.T) {
	spec := loadCheckSpec(t)
	example := spec.MustOperation("get_profile").Responses()[1].Examples[0]
	answered := okProfile(spec, validProfile)
	table := map[string][]Check{
		"ResponseReceived":           {ResponseReceived()},
		"NotAServerError":            {NotAServerError()},
		"StatusCodeConformance":      {StatusCodeConformance()},
		"ContentTypeConformance":     {ContentTypeConformance()},
		"ResponseHeadersConformance": {ResponseHeadersConformance()},
		"ResponseSchemaConformance":  {ResponseSchemaConformance(false), ResponseSchemaConformance(true)},
		"StandardChecks":             StandardChecks(true),
		"DocumentedErrorCase":        {DocumentedErrorCase(400, example)},
		"IgnoredAuth":                {IgnoredAuth(""), IgnoredAuth("Invalid token.")},
		"PaginationConformance":      {PaginationConformance(1, 0), PaginationConformance(2, 10)},
		"NegativeDataRejection":      {NegativeDataRejection()},
		"PositiveDataAcceptance":     {PositiveDataAcceptance()},
		"DocumentedRefusal":          {DocumentedRefusal()},
		"MethodEquivalence":          {MethodEquivalence(answered), MethodEquivalence(nil), MethodEquivalence(&Exchange{})},
		"StatefulConsistency": {StatefulConsistency("w", ContainsJSONValue("users.#.user_id", 1)),
			StatefulConsistency("w", nil)},
		"IdentityIsolation": {IdentityIsolation("w", LacksJSONValue("users.#.user_id", 1), false),
			IdentityIsolation("w", ContainsJSONValue("users.#.user_id", 1), true), IdentityIsolation("w", nil, true)},
		"NotRateLimited": {NotRateLimited()},
		"JSONInterop":    {JSONInterop()},
	}
	// ratelimit.go is not part of this change: NotRateLimited reads
	// ex.RateLimited without a nil check. Verify never hands it a nil
	// exchange; only a direct Run on nil would panic.
	nilExchangeExempt := map[string]bool{CheckNotRateLimited: true}

	for _, name := range exportedCheckConstructors(t) {
		if _, ok := table[name]; !ok {
			t.Errorf("%s returns a Check but is not in the table", name)
		}
	}
	gone := exchangeFor(spec, "get_profile", 200, "")
	gone.Response, gone.Err = nil, errors.New("connection refused")
	silent := exchangeFor(spec, "get_profile", 200, "")
	silent.Response = nil
	for ctor, checks := range table {
		for _, c := range checks {
			for what, ex := range map[string]*Exchange{"transport error": gone, "no response, no error": silent, "nil exchange": nil} {
				if ex == nil && nilExchangeExempt[c.Name] {
					continue
				}
				t.Run(ctor+"/"+c.Name+"/"+what, func(t *testing.T) {
					var findings []Finding
					var skip string
					func() {
						defer func() {
							if p := recover(); p != nil {
								t.Fatalf("Run panicked: %v", p)
							}
						}()
						findings, skip = c.Run(ex)
					}()
					if skip == "" && len(findings) == 0 && c.Name != CheckNotRateLimited {
						t.Errorf("passed without a response; want a skip or a finding")
					}
					if skip != "" && len(findings) > 0 {
						t.Errorf("both skipped (%q) and failed (%+v)", skip, findings)
					}
				})
			}
		}
	}
	// And through ContainsJSONValue on its own.
	if f := ContainsJSONValue("x", 1)(nil); len(f) != 1 {
		t.Errorf("ContainsJSONValue on nil: %+v", f)
	}
}

// exportedCheckConstructors lists the package's exported functions that
// return a Check or []Check.
func exportedCheckConstructors(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !fn.Name.IsExported() || fn.Type.Results == nil || len(fn.Type.Results.List) != 1 {
				continue
			}
			switch r := fn.Type.Results.List[0].Type.(type) {
			case *ast.Ident:
				if r.Name == "Check" {
					names = append(names, fn.Name.Name)
				}
			case *ast.ArrayType:
				if id, ok := r.Elt.(*ast.Ident); ok && id.Name == "Check" {
					names = append(names, fn.Name.Name)
				}
			}
		}
	}
	if len(names) < 10 {
		t.Fatalf("found only %d Check constructors: %v", len(names), names)
	}
	return names
}

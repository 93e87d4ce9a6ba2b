package harness

import (
	"errors"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
)

// matchOutcome applies m to actual and returns whether it matched, its error,
// and the message Gomega would print for the failing polarity.
func matchOutcome(t *testing.T, m types.GomegaMatcher, actual any) (bool, string, error) {
	t.Helper()
	ok, err := m.Match(actual)
	if err != nil {
		return ok, err.Error(), err
	}
	if ok {
		return ok, m.NegatedFailureMessage(actual), nil
	}
	return ok, m.FailureMessage(actual), nil
}

type matcherCase struct {
	name    string
	matcher types.GomegaMatcher
	actual  any
	want    bool
	wantErr bool
	message []string // fragments of the message for the failing polarity
	absent  []string // must not appear in it
}

func runMatcherCases(t *testing.T, cases []matcherCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, msg, err := matchOutcome(t, c.matcher, c.actual)
			if (err != nil) != c.wantErr {
				t.Fatalf("error %v, want error: %v", err, c.wantErr)
			}
			if !c.wantErr && ok != c.want {
				t.Fatalf("matched %v, want %v; message:\n%s", ok, c.want, msg)
			}
			for _, f := range c.message {
				if !strings.Contains(msg, f) {
					t.Errorf("message lacks %q:\n%s", f, msg)
				}
			}
			for _, f := range c.absent {
				if strings.Contains(msg, f) {
					t.Errorf("message contains %q:\n%s", f, msg)
				}
			}
		})
	}
}

func TestConformToSpec(t *testing.T) {
	spec := loadCheckSpec(t)
	broken := okProfile(spec, strings.Replace(validProfile, `"user_id":4`, `"user_id":"4"`, 1))
	broken.Response.Header.Set("Content-Type", "text/html")
	extra := okProfile(spec, strings.Replace(validProfile, `"bio":null`, `"bio":null,"foo":1`, 1))
	long := okProfile(spec, `{"success":true,"user_profile":{"user_id":"x","name":"`+strings.Repeat("y", 3000)+`"}}`)
	token := exchangeFor(spec, "me", 200, `{"user_profile":{"user_id":"1","name":"a"},"auth_token":"SECRETtoken"}`, "Content-Type", "application/json")
	gone := exchangeFor(spec, "get_profile", 200, "")
	gone.Response, gone.Err = nil, errors.New("dial tcp 127.0.0.1:8080: connect: connection refused")
	runMatcherCases(t, []matcherCase{
		{name: "conforming", matcher: ConformToSpec(), actual: okProfile(spec, validProfile), want: true,
			message: []string{"not to conform", "every check passed"}},
		{name: "broken", matcher: ConformToSpec(), actual: broken, want: false, message: []string{
			"Expected get_profile (POST /get_profile) to conform to the contract; 1 check(s) failed",
			"content_type_conformance", `Content-Type "text/html" is not documented for status 200`,
			"Response: status 200", `"user_id":"4"`,
		}},
		{name: "schema finding with pointer", matcher: ConformToSpec(),
			actual:  okProfile(spec, strings.Replace(validProfile, `"user_id":4`, `"user_id":"4"`, 1)),
			message: []string{"response_schema_conformance\n    - /user_profile/user_id: value must be an integer"}},
		{name: "undeclared field passes by default", matcher: ConformToSpec(), actual: extra, want: true},
		{name: "undeclared field fails when strict", matcher: ConformToSpecStrict(), actual: extra, want: false,
			message: []string{"undeclared field /user_profile/foo"}},
		{name: "strict option", matcher: ConformToSpec(Strict(true)), actual: extra, want: false},
		{name: "body cut at about 1 KB", matcher: ConformToSpec(), actual: long, want: false, message: []string{"more bytes"}},
		{name: "token fields masked in the body excerpt", matcher: ConformToSpec(), actual: token, want: false,
			message: []string{`"auth_token":"<auth_token>"`}, absent: []string{"SECRETtoken"}},
		{name: "no response", matcher: ConformToSpec(), actual: gone, want: false,
			message: []string{"response_received", "connection refused"}},
		{name: "not an exchange", matcher: ConformToSpec(), actual: "200 OK", wantErr: true, message: []string{"*harness.Exchange"}},
	})
	if len(long.Response.Body) < 3000 {
		t.Fatal("the long body is not long")
	}
	_, msg, _ := matchOutcome(t, ConformToSpec(), long)
	if len(msg) > 2000 {
		t.Errorf("message of %d bytes", len(msg))
	}
}

func TestConformToSpecInGomega(t *testing.T) {
	spec := loadCheckSpec(t)
	g := NewWithT(t)
	rec := &recorded{}
	g.Expect(okProfile(spec, validProfile).WithRecorder(rec)).To(ConformToSpec())
	g.Expect(rec.results).To(HaveLen(1), "the verdicts reach the recorder")
	g.Expect(exchangeFor(spec, "get_profile", 418, "")).NotTo(ConformToSpec())
}

func TestBeDocumentedErrorCase(t *testing.T) {
	spec := loadCheckSpec(t)
	example := spec.MustOperation("get_profile").Responses()[1].Examples[0]
	json := func(status int, body string) *Exchange {
		return exchangeFor(spec, "get_profile", status, body, "Content-Type", "application/json")
	}
	runMatcherCases(t, []matcherCase{
		{name: "documented body", matcher: BeDocumentedErrorCase(400, example), actual: json(400, waitlisted), want: true},
		{name: "other message", matcher: BeDocumentedErrorCase(400, example), actual: json(400, `{"success":false,"error_message":"nope"}`), want: false,
			message: []string{`to answer 400 with the documented body of example "waitlisted"`, "documented_error_case", `"nope"`, "/error_message"}},
		{name: "other status", matcher: BeDocumentedErrorCase(400, example), actual: json(401, `{"detail":"x"}`), want: false,
			message: []string{"got status 401"}},
	})
}

func TestRejectMissingAuth(t *testing.T) {
	spec := loadCheckSpec(t)
	json := func(status int, body string) *Exchange {
		return exchangeFor(spec, "get_profile", status, body, "Content-Type", "application/json")
	}
	const notProvided = "Authentication credentials were not provided."
	runMatcherCases(t, []matcherCase{
		{name: "401 DRF", matcher: RejectMissingAuth(notProvided), actual: json(401, `{"detail":"`+notProvided+`"}`), want: true},
		{name: "any detail", matcher: RejectMissingAuth(""), actual: json(401, `{"detail":"Invalid token."}`), want: true},
		{name: "200", matcher: RejectMissingAuth(""), actual: json(200, validProfile), want: false,
			message: []string{"ignored_auth", "endpoint ignored authentication"}},
	})
}

func TestHaveStatus(t *testing.T) {
	spec := loadCheckSpec(t)
	gone := exchangeFor(spec, "get_profile", 200, "")
	gone.Response, gone.Err = nil, errors.New("i/o timeout")
	runMatcherCases(t, []matcherCase{
		{name: "same", matcher: HaveStatus(200), actual: okProfile(spec, validProfile), want: true,
			message: []string{"not to answer status 200"}},
		{name: "other", matcher: HaveStatus(200), actual: exchangeFor(spec, "get_profile", 401, `{"detail":"Invalid token."}`), want: false,
			message: []string{"Expected get_profile (POST /get_profile) to answer status 200, got 401", `{"detail":"Invalid token."}`}},
		{name: "no response", matcher: HaveStatus(200), actual: gone, wantErr: true, message: []string{"no response: i/o timeout"}},
	})
}

func TestHaveJSON(t *testing.T) {
	spec := loadCheckSpec(t)
	ex := okProfile(spec, validProfile)
	runMatcherCases(t, []matcherCase{
		{name: "present", matcher: HaveJSON("user_profile.name"), actual: ex, want: true,
			message: []string{`no value at JSON path "user_profile.name"`, `"Rohan Seth"`}},
		{name: "present null", matcher: HaveJSON("user_profile.bio", BeNil()), actual: ex, want: true},
		{name: "numbers are float64", matcher: HaveJSON("user_profile.user_id", Equal(4.0)), actual: ex, want: true},
		{name: "several matchers", matcher: HaveJSON("user_profile.name", HavePrefix("Rohan"), HaveSuffix("Seth")), actual: ex, want: true},
		{name: "absent", matcher: HaveJSON("user_profile.username"), actual: ex, want: false,
			message: []string{`to have a value at JSON path "user_profile.username"; there is none`, "Response: status 200"}},
		{name: "value differs", matcher: HaveJSON("user_profile.name", Equal("Paul")), actual: ex, want: false,
			message: []string{`At JSON path "user_profile.name" of the body of get_profile (POST /get_profile)`, "Rohan Seth", "Paul"}},
		{name: "not JSON", matcher: HaveJSON("success"), actual: okProfile(spec, "<html>oops</html>"), wantErr: true,
			message: []string{"is not JSON", "<html>oops"}},
	})
}

func TestBeDRFDetail(t *testing.T) {
	spec := loadCheckSpec(t)
	json := func(status int, body string) *Exchange {
		return exchangeFor(spec, "get_profile", status, body, "Content-Type", "application/json")
	}
	const notProvided = "Authentication credentials were not provided."
	runMatcherCases(t, []matcherCase{
		{name: "exact", matcher: BeDRFDetail(401, notProvided), actual: json(401, `{"detail":"`+notProvided+`"}`), want: true},
		{name: "SimpleJWT extras", matcher: BeDRFDetail(401, "Token is invalid or expired"),
			actual: json(401, `{"detail":"Token is invalid or expired","code":"token_not_valid"}`), want: true},
		{name: "other detail", matcher: BeDRFDetail(401, notProvided), actual: json(401, `{"detail":"Invalid token."}`), want: false,
			message: []string{`to answer 401 {"detail": "` + notProvided + `"}, got detail "Invalid token."`}},
		{name: "other status", matcher: BeDRFDetail(401, notProvided), actual: json(403, `{"detail":"`+notProvided+`"}`), want: false,
			message: []string{"got status 403"}},
		{name: "app envelope", matcher: BeDRFDetail(401, notProvided), actual: json(401, waitlisted), want: false,
			message: []string{"not a DRF envelope"}},
	})
}

func TestBeAppError(t *testing.T) {
	spec := loadCheckSpec(t)
	json := func(status int, body string) *Exchange {
		return exchangeFor(spec, "get_profile", status, body, "Content-Type", "application/json")
	}
	const msg = "Your account is waitlisted. Please contact us if this is in error."
	runMatcherCases(t, []matcherCase{
		{name: "exact", matcher: BeAppError(400, msg), actual: json(400, waitlisted), want: true},
		{name: "extra keys", matcher: BeAppError(400, "x"), actual: json(400, `{"success":false,"notifications_enabled":false,"error_message":"x"}`), want: true},
		{name: "other message", matcher: BeAppError(400, msg), actual: json(400, `{"success":false,"error_message":""}`), want: false,
			message: []string{`got error_message ""`}},
		{name: "success true", matcher: BeAppError(400, msg), actual: json(400, `{"success":true,"error_message":"`+msg+`"}`), want: false,
			message: []string{`"success" is true, not false`}},
		{name: "success missing", matcher: BeAppError(400, msg), actual: json(400, `{"error_message":"`+msg+`"}`), want: false,
			message: []string{`"success" is null or absent`}},
		{name: "null message", matcher: BeAppError(400, ""), actual: json(400, `{"success":false,"error_message":null}`), want: false,
			message: []string{`"error_message" is null or absent, not a string`}},
		{name: "other status", matcher: BeAppError(400, msg), actual: json(200, waitlisted), want: false, message: []string{"got status 200"}},
		{name: "not JSON", matcher: BeAppError(400, msg), actual: json(400, "Bad Request"), want: false, message: []string{"not a JSON object"}},
	})
}

// Failure messages end up in reports: no matcher quotes a secret of the
// body, in either polarity, nor in its error.
func TestMatchersNeverQuoteSecrets(t *testing.T) {
	spec := loadCheckSpec(t)
	example := spec.MustOperation("get_profile").Responses()[1].Examples[0]
	for name, body := range leakBodies {
		t.Run(name, func(t *testing.T) {
			ex := func(status int) *Exchange {
				return exchangeFor(spec, "get_profile", status, body, "Content-Type", "application/json")
			}
			noOp := ex(200)
			noOp.Op, noOp.Request.URL = nil, "http://alice:"+leakOpaque+"@127.0.0.1/api/get_profile?token="+leakHex
			matchers := []struct {
				m  types.GomegaMatcher
				ex *Exchange
			}{
				{ConformToSpecStrict(), ex(200)},
				{BeDocumentedErrorCase(400, example), ex(400)},
				{RejectMissingAuth("Authentication credentials were not provided."), ex(401)},
				{RejectMissingAuth(""), ex(403)},
				{HaveStatus(201), ex(200)},
				{HaveStatus(201), noOp},
				{BeDRFDetail(401, "Invalid token."), ex(401)},
				{BeAppError(400, "x"), ex(400)},
				{RejectMalformedInput(), ex(200)},
				{AnswerTheSameAs(ex(400)), ex(200)},
				{ShowTheWrite("w", ContainsJSONValue("refresh", "x")), ex(200)},
				{HaveJSON("access", MatchRegexp(`^x$`)), ex(200)},
				{HaveJSON("access", HaveLen(3)), ex(200)},
				{HaveJSON("refresh", Equal("x")), ex(200)},
				{HaveJSON("refresh", BeNumerically(">", 1)), ex(200)},
				{HaveJSON("auth_token", Equal("x")), ex(200)},
				{HaveJSON("data", BeTrue()), ex(200)},
				{HaveJSON("error_message", Equal("x")), ex(200)},
				{HaveJSON("detail", ContainSubstring("nothing")), ex(200)},
				{HaveJSON("missing"), ex(200)},
				{HaveJSON("access"), ex(200)},
				{HaveJSON("refresh", Not(BeEmpty())), ex(200)},
				{HaveJSON("@this"), ex(200)},
			}
			for _, c := range matchers {
				ok, err := c.m.Match(c.ex)
				if err != nil {
					assertNoLeak(t, "error", err.Error())
					continue
				}
				// Whichever polarity Gomega would print.
				if ok {
					assertNoLeak(t, "negated failure message", c.m.NegatedFailureMessage(c.ex))
				} else {
					assertNoLeak(t, "failure message", c.m.FailureMessage(c.ex))
				}
			}
		})
	}
}

// A value a matcher cannot judge is an error naming the path and the JSON
// type, never a panic, whatever the polarity.
func TestHaveJSONValueOfTheWrongType(t *testing.T) {
	spec := loadCheckSpec(t)
	ex := okProfile(spec, `{"success":null,"name":"yes","count":3,"flag":true,"list":[1],"obj":{},"access":"`+leakJWT+`"}`)
	cases := []struct {
		path    string
		matcher types.GomegaMatcher
		kind    string
	}{
		{"success", BeTrue(), "null"},
		{"success", BeFalse(), "null"},
		{"success", BeNumerically(">", 1), "null"},
		{"name", BeTrue(), "a string"},
		{"name", BeFalse(), "a string"},
		{"name", BeNumerically(">", 1), "a string"},
		{"count", BeTrue(), "a number"},
		{"count", BeFalse(), "a number"},
		{"flag", BeNumerically("==", 1), "a boolean"},
		{"list", BeTrue(), "an array"},
		{"obj", BeFalse(), "an object"},
		{"success", Or(BeFalse(), BeTrue()), "null"},
		{"access", BeTrue(), "a string"},
	}
	for _, c := range cases {
		t.Run(c.path+" "+c.kind+" "+matcherName(c.matcher), func(t *testing.T) {
			var (
				ok  bool
				err error
			)
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("HaveJSON(%q) panicked: %v", c.path, p)
					}
				}()
				ok, err = HaveJSON(c.path, c.matcher).Match(ex)
			}()
			if ok || err == nil {
				t.Fatalf("matched %v, error %v: want an error", ok, err)
			}
			want := "the value at " + c.path + " is " + c.kind
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), `HaveJSON("`+c.path+`")`) {
				t.Errorf("error %q lacks %q", err, want)
			}
			assertNoLeak(t, "error", err.Error())
		})
	}
	// Through Gomega: a failure in both polarities, never a panic.
	for _, negate := range []bool{false, true} {
		var msg string
		g := NewGomega(func(message string, _ ...int) { msg = message })
		if negate {
			g.Expect(ex).NotTo(HaveJSON("success", BeTrue()))
		} else {
			g.Expect(ex).To(HaveJSON("success", BeTrue()))
		}
		if !strings.Contains(msg, "the value at success is null") {
			t.Errorf("negated %v: Gomega printed %q", negate, msg)
		}
	}
	// What the matchers can judge still is judged.
	for _, c := range []struct {
		path string
		m    types.GomegaMatcher
		want bool
	}{
		{"success", BeNil(), true}, {"flag", BeTrue(), true}, {"flag", BeFalse(), false},
		{"count", BeNumerically(">", 1), true}, {"count", BeNumerically(">", 5), false},
	} {
		if ok, err := HaveJSON(c.path, c.m).Match(ex); ok != c.want || err != nil {
			t.Errorf("HaveJSON(%q, %s) = %v, %v; want %v", c.path, matcherName(c.m), ok, err, c.want)
		}
	}
}

func TestHaveJSONFailureMasksTheValue(t *testing.T) {
	spec := loadCheckSpec(t)
	ex := okProfile(spec, `{"access":"`+leakJWT+`","refresh":"`+leakOpaque+`"}`)
	runMatcherCases(t, []matcherCase{
		{name: "a JWT against a pattern", matcher: HaveJSON("access", MatchRegexp(`^[0-9a-f]{40}$`)), actual: ex, want: false,
			message: []string{`At JSON path "access"`, "<string>: <jwt>", "to match regular expression"}, absent: leakFragments},
		{name: "an opaque credential", matcher: HaveJSON("refresh", Equal("x")), actual: ex, want: false,
			message: []string{`At JSON path "refresh"`, "<string>: <refresh>"}, absent: leakFragments},
		{name: "negated", matcher: HaveJSON("refresh", HavePrefix("opaque")), actual: ex, want: true,
			message: []string{"<refresh>"}, absent: leakFragments},
	})
}

package harness

import (
	"net/http"
	"strings"
	"testing"
)

func testProfile() *Profile {
	return &Profile{
		Name: "test",
		Accounts: map[string]Account{
			"default":    {AuthToken: "f1d2d2f924e986ac86fdf7b36c94bcdf32beec15"},
			"waitlisted": {AuthToken: "e242ed3bffccdf271b7fbaf34ed72d089537b42f"},
		},
		States: map[string]StateRecipe{
			"phone-blocked": {Body: map[string]any{"phone_number": "+15555550103"}},
		},
	}
}

func TestRedactorMasksSecrets(t *testing.T) {
	r := NewRedactor(testProfile())
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxMjM0fQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	cases := []struct{ in, want, secret string }{
		{"Token e242ed3bffccdf271b7fbaf34ed72d089537b42f", "Token <auth_token:waitlisted>", "e242ed3b"},
		{`{"phone_number":"+15555550103"}`, `{"phone_number":"<phone_number:phone-blocked>"}`, "5550103"},
		{`{"phone_number":"+14155550000"}`, `{"phone_number":"<phone>"}`, "4155550000"},
		{`{"access_token":"` + jwt + `"}`, `{"access_token":"<jwt>"}`, "eyJ1c2Vy"},
		{`{"auth_token":"0123456789abcdef0123456789abcdef01234567"}`, `{"auth_token":"<token>"}`, "0123456789abcdef"},
		{`{"token":"agora-secret-value"}`, `{"token":"<token>"}`, "agora-secret"},
		{`{"user_id":1234,"name":"+ not a phone"}`, `{"user_id":1234,"name":"+ not a phone"}`, ""},
	}
	for _, c := range cases {
		got := string(r.Body([]byte(c.in)))
		if got != c.want {
			t.Errorf("Body(%s) = %s, want %s", c.in, got, c.want)
		}
		if c.secret != "" && strings.Contains(got, c.secret) {
			t.Errorf("Body(%s) leaks %s", c.in, c.secret)
		}
	}
}

func TestRedactorMasksAuthorizationHeaders(t *testing.T) {
	r := NewRedactor(testProfile())
	h := r.Header(http.Header{
		"Authorization": {"Token f1d2d2f924e986ac86fdf7b36c94bcdf32beec15"},
		"X-Other":       {"Bearer abc"},
	})
	if got := h.Get("Authorization"); got != "Token <auth_token:default>" {
		t.Errorf("known token: %q", got)
	}
	h = r.Header(http.Header{"Authorization": {"Token somebody-elses-token"}})
	if got := h.Get("Authorization"); got != "Token <redacted>" {
		t.Errorf("unknown token: %q", got)
	}
}

// The secrets the checks and matchers must never quote: what a Clubhouse
// target really answers (SimpleJWT pairs, 40-hex tokens, in either case, and
// phone numbers inside messages).
const (
	leakJWT     = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwidXNlcl9pZCI6MTIzNH0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	leakRefresh = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJlLXJlZnJlc2gtc2lnbmF0dXJl"
	leakHex     = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"
	leakUpper   = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1C"
	leakPhone   = "+14155550123"
	leakOpaque  = "opaque-refresh-value-not-a-jwt"
)

// leakFragments are parts of the secrets above, any of which in a message is
// a leak (a cut secret leaks too).
var leakFragments = []string{"SflKxwRJSMeKKF2QT4fw", "eyJ0b2tlbl90eXBl", "c2lnbmF0dXJlLXJlZnJl", "9f86d081884c7d65",
	"9F86D081884C7D65", "4155550123", "opaque-refresh-value"}

// leakBodies each hold some of the secrets: every way a body carries one.
var leakBodies = map[string]string{
	"a JWT":                   `{"success":false,"access_token":"` + leakJWT + `","x":1}`,
	"a 40-hex token":          `{"success":false,"auth_token":"` + leakHex + `","user_id":1}`,
	"an upper-case hex token": `{"success":false,"data":"` + leakUpper + `"}`,
	"a phone in free text":    `{"success":false,"error_message":"We texted ` + leakPhone + `, please check your phone."}`,
	"a SimpleJWT pair":        `{"access":"` + leakJWT + `","refresh":"` + leakRefresh + `"}`,
	"an opaque refresh":       `{"access":"` + leakJWT + `","refresh":"` + leakOpaque + `"}`,
	"a DRF detail":            `{"detail":"Token ` + leakUpper + ` of ` + leakPhone + ` is invalid"}`,
	"not JSON":                `token=` + leakHex + `&access=` + leakJWT + `&phone=` + leakPhone,
}

func assertNoLeak(t *testing.T, where, msg string) {
	t.Helper()
	for _, f := range leakFragments {
		if strings.Contains(msg, f) {
			t.Errorf("%s quotes a secret (%s): %s", where, f, msg)
		}
	}
}

func TestPatternRedactorMasksWithoutProfile(t *testing.T) {
	r := NewRedactor(nil)
	cases := []struct{ in, want string }{
		{leakUpper, "<token>"},
		{"Token " + leakHex, "Token <token>"},
		{"We texted " + leakPhone + ", please check", "We texted <phone>, please check"},
		{`{"access":"` + leakJWT + `","refresh":"` + leakOpaque + `"}`, `{"access":"<jwt>","refresh":"<refresh>"}`},
		// Text that quotes JSON without being JSON: a message, a cut body.
		{`got: {"refresh": "` + leakOpaque + `", "token":"agora`, `got: {"refresh": "<refresh>", "token":"agora`},
		{`got: {"token":"agora-secret","name":"a"}`, `got: {"token":"<token>","name":"a"}`},
		{`{"token_type":"access","user_id":"12345"}`, `{"token_type":"access","user_id":"12345"}`},
	}
	for _, c := range cases {
		if got := r.String(c.in); got != c.want {
			t.Errorf("String(%s) = %s, want %s", c.in, got, c.want)
		}
	}
	for name, body := range leakBodies {
		assertNoLeak(t, "Body("+name+")", string(r.Body([]byte(body))))
		assertNoLeak(t, "String("+name+")", r.String(body))
	}
}

func TestRedactorMasksURLUserInfo(t *testing.T) {
	r := NewRedactor(testProfile())
	cases := []struct{ in, want string }{
		{"http://alice:hunter2secret@host/api/me", "http://<redacted>@host/api/me"},
		{"https://alice@example.test:8443/api", "https://<redacted>@example.test:8443/api"},
		{`Post "http://alice:hunter2secret@127.0.0.1:8080/api/me": dial tcp: connection refused`,
			`Post "http://<redacted>@127.0.0.1:8080/api/me": dial tcp: connection refused`},
		{"http://host/api/me?email=a@b.test", "http://host/api/me?email=a@b.test"},
		{"mail alice@example.test", "mail alice@example.test"},
	}
	for _, c := range cases {
		if got := r.String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRedactorMasksCookies(t *testing.T) {
	r := NewRedactor(nil)
	h := r.Header(http.Header{
		"Cookie":     {"sessionid=s3cr3t-session; csrftoken=abcdefcsrf"},
		"Set-Cookie": {"sessionid=s3cr3t-session; Path=/; HttpOnly", "csrftoken=abcdefcsrf; Max-Age=31449600"},
	})
	if got := h.Get("Cookie"); got != "sessionid=<redacted>; csrftoken=<redacted>" {
		t.Errorf("Cookie: %q", got)
	}
	if got := h.Values("Set-Cookie"); len(got) != 2 || got[0] != "sessionid=<redacted>; Path=/; HttpOnly" ||
		got[1] != "csrftoken=<redacted>; Max-Age=31449600" {
		t.Errorf("Set-Cookie: %q", got)
	}
}

func TestRedactorValues(t *testing.T) {
	r := NewRedactor(nil)
	got := r.Values(`parsing time "2020-13-45" as "2006-01-02": month "13" out of range; token `+leakHex, "2020-13-45")
	if strings.Contains(got, "2020-13-45") || strings.Contains(got, leakHex) {
		t.Errorf("Values leaks: %s", got)
	}
	if !strings.Contains(got, `"<value>"`) || !strings.Contains(got, "<token>") {
		t.Errorf("Values: %s", got)
	}
}

// TestRedactorKeepsEscapedPlaceholders: Go's JSON encoder writes "<" as
// \u003c, and a placeholder sent that way must stay the same placeholder, or
// a fixture recorded with it never matches again.
func TestRedactorKeepsEscapedPlaceholders(t *testing.T) {
	r := NewRedactor(nil)
	in := `{"refresh":"\u003crefresh_token\u003e"}`
	if got := r.String(in); got != in {
		t.Errorf("String(%s) = %s", in, got)
	}
	if got := r.String(`{"refresh":"opaque-refresh-value"}`); got != `{"refresh":"<refresh>"}` {
		t.Errorf("a real value must still be masked: %s", got)
	}
}

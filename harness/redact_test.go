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

package harness

import (
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// formsToken is a configured token of no recognisable shape: only the
// redactor's knowledge of it can mask it.
const formsToken = "Live+tok/en_Secret-9f2Q"

func formsRedactor() *Redactor {
	return NewRedactor(&Profile{Accounts: map[string]Account{"default": {AuthToken: formsToken}}})
}

func unicodeEscape(s, format string) string {
	var b strings.Builder
	for _, c := range s {
		fmt.Fprintf(&b, format, c)
	}
	return b.String()
}

// TestRedactorMasksEveryFormOfAKnownSecret: issue 11, item 2. The known
// token in base64 (alone or inside a longer encoded text such as Basic
// credentials), upper or lower case, URL-encoded, JSON-escaped.
func TestRedactorMasksEveryFormOfAKnownSecret(t *testing.T) {
	r := formsRedactor()
	forms := map[string]string{
		"raw":                      formsToken,
		"upper case":               strings.ToUpper(formsToken),
		"lower case":               strings.ToLower(formsToken),
		"base64":                   base64.StdEncoding.EncodeToString([]byte(formsToken)),
		"base64url":                base64.RawURLEncoding.EncodeToString([]byte(formsToken)),
		"base64 of Basic user:tok": base64.StdEncoding.EncodeToString([]byte("user:" + formsToken)),
		"base64 of a JSON body":    base64.StdEncoding.EncodeToString([]byte(`{"x":"` + formsToken + `"}`)),
		"URL-encoded":              url.QueryEscape(formsToken),
		"path-escaped":             url.PathEscape(formsToken),
		"lower-case %xx":           strings.NewReplacer("%2F", "%2f", "%2B", "%2b").Replace(url.QueryEscape(formsToken)),
		`\u-escaped`:               unicodeEscape(formsToken, `\u%04x`),
		`\U-escaped`:               unicodeEscape(formsToken, `\u%04X`),
		`JSON \/`:                  strings.ReplaceAll(formsToken, "/", `\/`),
	}
	for name, form := range forms {
		for _, where := range []string{"%s", `{"detail":"Invalid token %s"}`, "token was %s."} {
			in := fmt.Sprintf(where, form)
			got := r.String(in)
			// The middle of the encoded form is what must go: at most the
			// two characters at each end of a base64 form may depend on
			// its neighbours.
			if len(form) > 6 && strings.Contains(got, form[2:len(form)-2]) {
				t.Errorf("%s: String(%q) = %q still holds the token", name, in, got)
			}
			if strings.HasPrefix(name, "base64") {
				continue
			}
			if !strings.Contains(got, "<auth_token:default>") {
				t.Errorf("%s: String(%q) = %q, want the token's placeholder", name, in, got)
			}
		}
	}
}

// TestRedactorMasksRenamedSecretFieldsHeadersAndPhones: issue 11, item 2.
func TestRedactorMasksRenamedSecretFieldsHeadersAndPhones(t *testing.T) {
	r := NewRedactor(nil)
	secret := "opaque-session-value-77"
	cases := []struct{ name, in, leak, want string }{
		{"Auth_Token", `{"Auth_Token":"` + secret + `"}`, secret, `{"Auth_Token":"<Auth_Token>"}`},
		{"authToken", `{"user":{"authToken":"` + secret + `"}}`, secret, `{"user":{"authToken":"<authToken>"}}`},
		{"accessToken", `{"accessToken":"` + secret + `"}`, secret, `{"accessToken":"<accessToken>"}`},
		{"sessionid", `{"sessionid":"` + secret + `"}`, secret, `{"sessionid":"<sessionid>"}`},
		{"api_key in a query", `GET /api/me?api_key=` + secret + `&page=2`, secret, `GET /api/me?api_key=<api_key>&page=2`},
		{"apiKey in a form body", `apiKey=` + secret + `&x=1`, secret, `apiKey=<apiKey>&x=1`},
		{"the verification code", `{"phone_number":"<phone>","verification_code":"4321"}`, "4321", `{"phone_number":"<phone>","verification_code":"<verification_code>"}`},
		{"a phone number without +", `{"phone_number":"14155550123"}`, "14155550123", `{"phone_number":"<phone_number>"}`},
		{"a phone number as a JSON number", `{"phone_number": 14155550123, "user_id": 14155550123}`, "", `{"phone_number": "<phone_number>", "user_id": 14155550123}`},
		{"phoneNumber", `{"phoneNumber":"4155550123"}`, "4155550123", `{"phoneNumber":"<phoneNumber>"}`},
		{"a phone in a form body", `phone_number=14155550123&code=1`, "14155550123", `phone_number=<phone_number>&code=1`},
		{"a phone without + in a message", `{"error_message":"We texted 14155550123, check your phone"}`, "14155550123", `{"error_message":"We texted <phone>, check your phone"}`},
		{"a phone after its field name", `phone number: 0014155550123`, "14155550123", `phone number: 00<phone>`},
		// Not phones: ids, counts and timestamps keep their digits.
		{"ids and counts", `{"user_id":14155550123,"count":1234567890123,"time_created":"2021-02-13T12:00:00"}`, "", `{"user_id":14155550123,"count":1234567890123,"time_created":"2021-02-13T12:00:00"}`},
		{"a number after other words", `channel 14155550123 has 1234567890 listeners`, "", `channel 14155550123 has 1234567890 listeners`},
		{"token_type stays", `{"token_type":"access","page_size":"50"}`, "", `{"token_type":"access","page_size":"50"}`},
	}
	for _, c := range cases {
		for _, how := range []string{"String", "Body"} {
			got := r.String(c.in)
			if how == "Body" {
				got = string(r.Body([]byte(c.in)))
			}
			if c.leak != "" && strings.Contains(got, c.leak) {
				t.Errorf("%s: %s(%s) = %s leaks %s", c.name, how, c.in, got, c.leak)
			}
			if got != c.want {
				t.Errorf("%s: %s(%s) = %s, want %s", c.name, how, c.in, got, c.want)
			}
		}
	}

	known := formsRedactor()
	h := known.Header(http.Header{
		"X-Auth-Token":        {secret},
		"X-Api-Key":           {secret},
		"X-Session-Id":        {secret},
		"Api-Token":           {formsToken},
		"Www-Authenticate":    {`Token realm="api", error="invalid_token", token="` + secret + `"`, "Bearer " + secret},
		"Proxy-Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("u:"+secret))},
		"Ch-Userid":           {"1234"},
		"Content-Type":        {"application/json"},
	})
	for name, values := range h {
		for _, v := range values {
			if strings.Contains(v, secret) || strings.Contains(v, formsToken) {
				t.Errorf("header %s: %q leaks", name, v)
			}
		}
	}
	if got := h.Get("Api-Token"); got != "<auth_token:default>" {
		t.Errorf("a known token in a credential header keeps its name: %q", got)
	}
	if got := h.Get("X-Api-Key"); got != "<redacted>" {
		t.Errorf("X-Api-Key: %q", got)
	}
	if got := h.Values("Www-Authenticate"); got[0] != `Token realm="api", error="invalid_token", token="<token>"` || got[1] != "Bearer <redacted>" {
		t.Errorf("WWW-Authenticate: %q", got)
	}
	if h.Get("Ch-Userid") != "1234" || h.Get("Content-Type") != "application/json" {
		t.Errorf("identifiers and ordinary headers stay: %v", h)
	}
}

// TestRedactorStaysLinear: masking a body costs time in proportion to its
// size, whatever the number of known secrets: twice the body, about twice
// the time (not four times).
func TestRedactorStaysLinear(t *testing.T) {
	p := &Profile{Accounts: map[string]Account{}}
	for i := 0; i < 50; i++ {
		p.Accounts[fmt.Sprint("a", i)] = Account{AuthToken: fmt.Sprintf("opaque-token-number-%03d-xyz", i)}
	}
	r := NewRedactor(p)
	body := func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			b.WriteString(`{"user_id":12345,"name":"Someone","phone_number":"+14155550123","detail":"Invalid token opaque-token-number-007-xyz","bio":"hello world"},`)
		}
		return b.String()
	}
	measure := func(s string) time.Duration {
		best := time.Duration(1 << 62)
		for i := 0; i < 3; i++ {
			start := time.Now()
			r.String(s)
			if d := time.Since(start); d < best {
				best = d
			}
		}
		return best
	}
	small, large := body(256<<10), body(1<<20)
	ds, dl := measure(small), measure(large)
	t.Logf("String: 256 KiB %s, 1 MiB %s (%.1f MB/s)", ds, dl, float64(len(large))/dl.Seconds()/1e6)
	if dl > 10*ds+100*time.Millisecond { // quadratic would be 16x; the margin is for a loaded machine
		t.Errorf("4x the input took %.1fx the time: not linear", float64(dl)/float64(ds))
	}
}

// TestRecordModeWritesNoEncodedOrRenamedSecret: issue 11, item 2, where it
// mattered most: fixtures recorded with CH_RECORD are meant to be committed.
func TestRecordModeWritesNoEncodedOrRenamedSecret(t *testing.T) {
	spec := mustContract(t)
	base := "http://127.0.0.1:1/api?api_key=query-secret-42"
	cfg, err := LoadConfig(lookupFrom(map[string]string{"CH_BASE_URL": base, "CH_AUTH_TOKEN": formsToken}))
	if err != nil {
		t.Fatal(err)
	}
	p := &Profile{Accounts: map[string]Account{"default": {AuthToken: formsToken}}}
	dir := t.TempDir()
	tape, err := NewTape(dir, base, NewRedactor(p, cfg.Secrets()...))
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString([]byte(formsToken))
	ex := &Exchange{Op: spec.MustOperation("complete_phone_number_auth"),
		Request: Request{Method: "POST", URL: "http://127.0.0.1:1/api/complete_phone_number_auth?api_key=query-secret-42",
			Header: http.Header{"Authorization": {"Token " + formsToken}},
			Body:   []byte(`{"phone_number":"14155550123","verification_code":"4321"}`)},
		Response: &Response{Status: 200,
			Header: http.Header{"Content-Type": {"application/json"}, "X-Auth-Token": {"opaque-session-value-77"},
				"Www-Authenticate": {`Token token="` + strings.ToUpper(formsToken) + `"`}},
			Body: []byte(`{"success":true,"authToken":"opaque-session-value-77","echo":"` + b64 + `","url":"` +
				url.QueryEscape(formsToken) + `","esc":"` + unicodeEscape(formsToken, `\u%04x`) + `"}`)}}
	if err := tape.Record(ex, "spec"); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	walkFiles(t, dir, func(data []byte) { all.Write(data) })
	text := all.String()
	if text == "" {
		t.Fatal("nothing recorded")
	}
	for _, leak := range []string{formsToken, strings.ToUpper(formsToken), b64[2 : len(b64)-4], url.QueryEscape(formsToken),
		unicodeEscape(formsToken, `\u%04x`), "opaque-session-value-77", "14155550123", "4321", "query-secret-42"} {
		if strings.Contains(text, leak) {
			t.Errorf("the recording holds %q:\n%s", leak, text)
		}
	}
}

func walkFiles(t *testing.T, dir string, each func([]byte)) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		each(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

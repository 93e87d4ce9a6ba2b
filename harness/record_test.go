package harness

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTapeRecordsRedactedDeduplicatedFixturesThatReplay(t *testing.T) {
	spec := mustContract(t)
	profile := &Profile{Name: "rec", Accounts: map[string]Account{AccountDefault: {AuthToken: "c0ffee5eed00c0ffee5eed00c0ffee5eed001234"}}}
	redact := NewRedactor(profile)
	dir := t.TempDir()
	tape, err := NewTape(dir, "http://user:pw@127.0.0.1:8080/api", redact)
	if err != nil {
		t.Fatal(err)
	}
	op := spec.MustOperation("complete_phone_number_auth")
	exchange := func(phone, token string, status int) *Exchange {
		return &Exchange{Op: op,
			Request: Request{Method: "POST", URL: "http://user:pw@127.0.0.1:8080/api/complete_phone_number_auth",
				Header: http.Header{"Ch-Appversion": {"0.1.28"}, "Ch-Appbuild": {"304"}, "Ch-Locale": {"en_US"}, "User-Agent": {"c0ffee5eed00c0ffee5eed00c0ffee5eed001234"}},
				Body:   []byte(`{"phone_number":"` + phone + `","verification_code":"1234"}`)},
			Response: &Response{Status: status, Header: http.Header{"Content-Type": {"application/json"}, "Date": {"Wed, 10 Feb 2021 12:00:00 GMT"}},
				Body: []byte(`{"success":true,"is_verified":true,"auth_token":"` + token + `"}`)},
		}
	}
	spec1 := "auth: POST /complete_phone_number_auth with the right code returns a token"
	if err := tape.Record(exchange("+15550001111", "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2", 200), spec1); err != nil {
		t.Fatal(err)
	}
	// The same request after masking (another random phone): not recorded twice.
	if err := tape.Record(exchange("+15550002222", "fedcba9876543210fedcba9876543210fedcba98", 200), spec1); err != nil {
		t.Fatal(err)
	}
	// A retried attempt and a transport failure are no recordings.
	retried := exchange("+15550003333", "x", 429)
	retried.Request.Body = []byte(`{}`)
	retried.RetriedAfter = 1
	_ = tape.Record(retried, spec1)

	files, _ := filepath.Glob(filepath.Join(dir, "complete_phone_number_auth", "*.yaml"))
	if len(files) != 1 || filepath.Base(files[0]) != "200-auth-post-complete-phone-number-auth-with-the-right-code-ret-1.yaml" {
		t.Fatalf("files %v", files)
	}
	data, _ := os.ReadFile(files[0])
	text := string(data)
	for _, secret := range []string{"+1555000", "c0ffee5eed", "a1b2c3d4e5f6", "user:pw", "Date"} {
		if strings.Contains(text, secret) {
			t.Errorf("the recording holds %q:\n%s", secret, text)
		}
	}
	for _, want := range []string{`"Authorization": ""`, `"CH-Locale": "en_US"`, `"phone_number": "<phone>"`, `query: {}`, `"auth_token": "` + RecordedToken + `"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the recording lacks %s:\n%s", want, text)
		}
	}

	// A second tape on the same folder (another process) keeps what is there.
	again, err := NewTape(dir, "http://127.0.0.1:8080/api", redact)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Record(exchange("+15550004444", "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2", 200), "another spec"); err != nil {
		t.Fatal(err)
	}
	fixtures, err := LoadFixtures(os.DirFS(dir))
	if err != nil || len(fixtures) != 1 {
		t.Fatalf("the recording loads as fixtures without ambiguity: %d, %v", len(fixtures), err)
	}

	// And it replays: the same call through the fixture transport.
	base, _ := url.Parse(FixturesBaseURL)
	c := &Client{HTTP: &http.Client{Transport: FixtureTransport(fixtures, redact)}, Base: base, Profile: profile}
	ex := c.Do(context.Background(), Call{Op: op, Body: map[string]any{"phone_number": "+15559998888", "verification_code": "1234"}})
	if ex.Err != nil || ex.Response.Status != 200 {
		t.Fatalf("replay: %v %+v", ex.Err, ex.Response)
	}
}

func TestTapeLeavesOutWhatTheFormatCannotHold(t *testing.T) {
	spec := mustContract(t)
	tape, err := NewTape(t.TempDir(), "http://127.0.0.1:1/api", NewRedactor(nil))
	if err != nil {
		t.Fatal(err)
	}
	ex := &Exchange{Op: spec.MustOperation("get_profile"),
		Request:  Request{Method: "POST", URL: "http://127.0.0.1:1/api/get_profile", Header: http.Header{}},
		Response: &Response{Status: 200, Header: http.Header{}, Body: []byte("\xff\xfe\x00")}}
	if err := tape.Record(ex, "s"); err == nil || !strings.Contains(err.Error(), ErrUnrecordable.Error()) {
		t.Errorf("invalid UTF-8 cannot be a YAML fixture: %v", err)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"users: POST /me returns 200 (examples)": "users-post-me-returns-200-examples",
		"--":                                     "exchange",
	} {
		if got := Slug(in); got != want {
			t.Errorf("%q: %q", in, got)
		}
	}
}

type memoryLog struct {
	logged []LoggedExchange
	closed int
}

func (m *memoryLog) Log(x LoggedExchange) error { m.logged = append(m.logged, x); return nil }
func (m *memoryLog) Close() error               { m.closed++; return nil }

func TestTapeLogsEveryExchangeMaskedAsItsFixtures(t *testing.T) {
	spec := mustContract(t)
	profile := &Profile{Name: "rec", Accounts: map[string]Account{AccountDefault: {AuthToken: "c0ffee5eed00c0ffee5eed00c0ffee5eed001234"}}}
	tape, err := NewTape(t.TempDir(), "http://user:pw@127.0.0.1:8080/api", NewRedactor(profile))
	if err != nil {
		t.Fatal(err)
	}
	log := &memoryLog{}
	tape.SetLog(log)
	op := spec.MustOperation("me")
	ok := &Exchange{Op: op, Elapsed: 3 * time.Millisecond,
		Request: Request{Method: "POST", URL: "http://user:pw@127.0.0.1:8080/api/me",
			Header: http.Header{"Authorization": {"Token c0ffee5eed00c0ffee5eed00c0ffee5eed001234"}, "Content-Length": {"2"}}, Body: []byte(`{}`)},
		Response: &Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {"80"}, "Set-Cookie": {"s=abc"}},
			Body: []byte(`{"auth_token":"a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2","success":true}`)}}
	retried := *ok
	retried.RetriedAfter = time.Second
	failed := &Exchange{Op: op, Request: ok.Request, Err: errors.New("dial http://user:pw@127.0.0.1:8080: refused")}
	for _, ex := range []*Exchange{ok, ok, &retried, failed} {
		if err := tape.Record(ex, "spec c0ffee5eed00c0ffee5eed00c0ffee5eed001234"); err != nil {
			t.Fatal(err)
		}
	}
	if len(log.logged) != 4 {
		t.Fatalf("%d exchanges logged, 4 given (fixtures keep one; the log keeps all)", len(log.logged))
	}
	x := log.logged[0]
	if x.Spec != "spec <auth_token:default>" || x.Request.URL != "http://<redacted>@127.0.0.1:8080/api/me" ||
		x.Request.Header.Get("Authorization") != "Token <auth_token:default>" || x.Request.Header.Get("Content-Length") != "" {
		t.Errorf("request %+v", x)
	}
	if x.Response.Header.Get("Content-Length") != "" || x.Response.Header.Get("Set-Cookie") != "" || x.Response.Header.Get("Content-Type") != "application/json" ||
		string(x.Response.Body) != `{"auth_token":"`+RecordedToken+`","success":true}` || x.Elapsed != 3*time.Millisecond || x.Started.IsZero() {
		t.Errorf("response %+v %s", x.Response, x.Response.Body)
	}
	if f := log.logged[3]; f.Response != nil || f.Problem != "no response: dial http://<redacted>@127.0.0.1:8080: refused" {
		t.Errorf("failure %+v", f)
	}
	if err := tape.Close(); err != nil || log.closed != 1 {
		t.Errorf("close: %v, %d", err, log.closed)
	}
	if err := tape.Close(); err != nil || log.closed != 1 {
		t.Errorf("a second close: %v, %d", err, log.closed)
	}
}

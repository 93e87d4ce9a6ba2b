package harness

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
)

const fixturesTestSpec = `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /me:
    post:
      operationId: me
      security: [{TokenAuth: []}]
      responses:
        "200": {description: ok}
        "403": {description: blocked}
components:
  securitySchemes:
    TokenAuth: {type: apiKey, in: header, name: Authorization}
`

func fixtureClient(t *testing.T, files fstest.MapFS) *Client {
	t.Helper()
	fixtures, err := LoadFixtures(files)
	if err != nil {
		t.Fatal(err)
	}
	p := testProfile()
	p.Accounts["blocked"] = Account{AuthToken: "6eae3a5b062c6d0d79f070c26e6d62486b40cb46"}
	base, _ := url.Parse(FixturesBaseURL)
	return &Client{HTTP: &http.Client{Transport: FixtureTransport(fixtures, NewRedactor(p))}, Base: base, Profile: p}
}

func TestFixtureTransportPicksTheMostSpecificRecording(t *testing.T) {
	spec, err := LoadSpec("test", []byte(fixturesTestSpec))
	if err != nil {
		t.Fatal(err)
	}
	me := spec.MustOperation("me")
	client := fixtureClient(t, fstest.MapFS{
		"me/200.yaml": {Data: []byte("description: d\nrequest: {method: POST, path: /me, headers: {Authorization: \"Token <auth_token:default>\"}}\nresponse: {status: 200, body: '{\"success\":true}'}\n")},
		"me/403.yaml": {Data: []byte("description: d\nrequest: {method: POST, path: /me, headers: {Authorization: \"Token <auth_token:blocked>\"}, body: '{}'}\nresponse: {status: 403, body: '{\"detail\":\"x\"}'}\n")},
	})
	cases := []struct {
		account string
		status  int
		noMatch bool
	}{
		{account: "default", status: 200},
		{account: "blocked", status: 403},
		{account: AccountNone, noMatch: true},
		{account: AccountInvalid, noMatch: true},
	}
	for _, c := range cases {
		ex := client.Do(context.Background(), Call{Op: me, Account: c.account, Body: map[string]any{}})
		if c.noMatch {
			if !errors.Is(ex.Err, ErrNoFixture) {
				t.Errorf("%s: want ErrNoFixture, got %v", c.account, ex.Err)
			}
			continue
		}
		if ex.Err != nil || ex.Response.Status != c.status {
			t.Errorf("%s: want %d, got %+v %v", c.account, c.status, ex.Response, ex.Err)
		}
	}
	// A body that differs from the recorded one is another request.
	ex := client.Do(context.Background(), Call{Op: me, Account: "blocked", Body: map[string]any{"x": 1}})
	if !errors.Is(ex.Err, ErrNoFixture) {
		t.Errorf("a different body must not match the recording: %v", ex.Err)
	}
}

func TestLoadFixturesRefusesBrokenOrAmbiguousFiles(t *testing.T) {
	same := []byte("description: d\nrequest: {method: POST, path: /me}\nresponse: {status: 200}\n")
	cases := map[string]fstest.MapFS{
		"ambiguous":     {"me/a.yaml": {Data: same}, "me/b.yaml": {Data: same}},
		"unknown field": {"me/a.yaml": {Data: []byte("descripton: d\nrequest: {method: POST, path: /me}\nresponse: {status: 200}\n")}},
		"no status":     {"me/a.yaml": {Data: []byte("description: d\nrequest: {method: POST, path: /me}\nresponse: {}\n")}},
	}
	for name, files := range cases {
		if _, err := LoadFixtures(files); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestEncodeFixtureRoundTrips(t *testing.T) {
	f := &Fixture{
		Description: "a \"quoted\" description",
		Example:     "roomNotAvailable",
		Request:     FixtureRequest{Method: "POST", Path: "/join_channel", Headers: map[string]string{"Authorization": ""}, Body: `{"channel":"x"}`},
		Response:    FixtureResponse{Status: 400, Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"success":false,"error_message":"That room is no longer available 👋🏼\nTry starting a new one instead?"}`},
	}
	data := EncodeFixture(f)
	back, err := LoadFixtures(fstest.MapFS{"join_channel/400.yaml": {Data: data}})
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	got := back[0]
	if got.Description != f.Description || got.Request.Headers["Authorization"] != "" || len(got.Request.Headers) != 1 {
		t.Fatalf("round trip lost data:\n%s", data)
	}
	if !sameBody([]byte(got.Response.Body), []byte(f.Response.Body)) || !strings.Contains(string(data), "👋🏼") {
		t.Fatalf("body changed in the round trip:\n%s", data)
	}
}

package harness

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func loopbackClient(t *testing.T, h http.Handler, timeout time.Duration) (*Client, *Spec) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	spec, err := LoadSpec("test", []byte(fixturesTestSpec))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(srv.URL + "/api")
	return &Client{HTTP: srv.Client(), Base: base, Profile: testProfile(), Timeout: timeout, SpecName: "a spec"}, spec
}

func TestClientSendsTheAppHeaders(t *testing.T) {
	var got http.Header
	var path string
	client, spec := loopbackClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, path = r.Header.Clone(), r.URL.Path
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"success":true}`))
	}), time.Second)
	ex := client.Do(context.Background(), Call{Op: spec.MustOperation("me"), Body: map[string]any{}})
	if ex.Err != nil || ex.Response.Status != 200 {
		t.Fatalf("exchange: %+v %v", ex.Response, ex.Err)
	}
	want := map[string]string{
		"Authorization": "Token f1d2d2f924e986ac86fdf7b36c94bcdf32beec15",
		"CH-AppVersion": DefaultAppVersion, "CH-AppBuild": DefaultAppBuild, "CH-Locale": "en_US",
		"CH-Languages": "en-US", "User-Agent": DefaultUserAgent, SpecHeader: "a spec",
		"Content-Type": "application/json; charset=utf-8",
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("%s: got %q, want %q", k, got.Get(k), v)
		}
	}
	if ex.Request.Method != "POST" || string(ex.Request.Body) != "{}" || ex.Request.Header.Get("CH-Locale") != "en_US" || ex.Request.URL == "" {
		t.Errorf("the exchange does not hold the request as sent: %+v", ex.Request)
	}
	if got.Get("CH-DeviceId") == "" || path != "/api/me" {
		t.Errorf("device id %q, path %q", got.Get("CH-DeviceId"), path)
	}
	// Overrides: an empty value removes the header; AccountNone sends no token.
	client.Do(context.Background(), Call{Op: spec.MustOperation("me"), Account: AccountNone, Header: map[string]string{"CH-AppVersion": ""}})
	if got.Get("Authorization") != "" || got.Get("CH-AppVersion") != "" {
		t.Errorf("overrides not applied: %v", got)
	}
}

func TestClientTimesOutOnASilentTarget(t *testing.T) {
	release := make(chan struct{})
	client, spec := loopbackClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}), 50*time.Millisecond)
	defer close(release)
	ex := client.Do(context.Background(), Call{Op: spec.MustOperation("me")})
	if ex.Err == nil || !errors.Is(ex.Err, context.DeadlineExceeded) {
		t.Fatalf("want a deadline error, got %v", ex.Err)
	}
}

func TestClientCapsTheBody(t *testing.T) {
	client, spec := loopbackClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 1<<20))
		for i := 0; i < MaxBodyBytes>>20+2; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}), 5*time.Second)
	ex := client.Do(context.Background(), Call{Op: spec.MustOperation("me")})
	if !errors.Is(ex.Err, ErrBodyTooLarge) || len(ex.Response.Body) != MaxBodyBytes || !ex.Response.Truncated {
		t.Fatalf("want the body cut at the cap, got %d bytes, %v", len(ex.Response.Body), ex.Err)
	}
}

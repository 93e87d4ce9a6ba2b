package main

import (
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/mutation"
)

// switchable is a loopback front whose upstream can be swapped: the same
// base URL answers through a faulty proxy first and a sound emulator later,
// as a server does before and after its fix.
type switchable struct {
	URL     string
	current atomic.Pointer[url.URL]
}

func newSwitchable(t *testing.T, upstream string) *switchable {
	t.Helper()
	s := &switchable{}
	s.set(t, upstream)
	front := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(s.current.Load())
		r.Out.URL.Path = r.In.URL.Path // the upstream's base path is the front's
	}})
	t.Cleanup(front.Close)
	s.URL = front.URL + "/api"
	return s
}

func (s *switchable) set(t *testing.T, upstream string) {
	t.Helper()
	u, err := url.Parse(strings.TrimSuffix(upstream, "/api"))
	if err != nil {
		t.Fatal(err)
	}
	s.current.Store(u)
}

// A failure recorded against the emulator behind a faulty proxy
// (get_profile's user_id sent as a string) replays as STILL FAILING while
// the fault is there and as FIXED once it is gone; one case can be replayed
// alone; a target that cannot be reached makes the replay exit 2.
func TestReplayTellsFixedFromStillFailing(t *testing.T) {
	chconformBinary(t)
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	fault, ok := mutation.Lookup(spec, "get_profile/200/type-changed/user_profile.user_id")
	if !ok {
		t.Fatal("the catalogue has no type-changed get_profile user_profile.user_id mutant")
	}
	faulty := mutation.NewTarget(spec, &fault, time.Second)
	defer faulty.Close()
	sound := mutation.NewTarget(spec, nil, time.Second)
	defer sound.Close()
	target := newSwitchable(t, faulty.URL)

	first := filepath.Join(t.TempDir(), "first")
	code, out := runBinary(t, "run", "--base-url", target.URL, "--profile", "emulator", "--filter", "op:get_profile", "--report-dir", first)
	if code != 1 {
		t.Fatalf("the run against the faulty target exited %d, want 1:\n%s", code, out)
	}
	cases := failedCases(summaryIn(t, first))
	if len(cases) == 0 {
		t.Fatal("the run against the faulty target reports no failed case")
	}

	code, out = runBinary(t, "replay", "--out", filepath.Join(t.TempDir(), "still"), first)
	if code != 1 || !strings.Contains(out, replayStillFailing) || strings.Contains(out, replayFixed+" ") {
		t.Errorf("replay while the fault is there: exit %d, want 1 and every case STILL FAILING:\n%s", code, out)
	}

	target.set(t, sound.URL)
	code, out = runBinary(t, "replay", "--out", filepath.Join(t.TempDir(), "fixed"), first)
	if code != 0 || strings.Count(out, replayFixed) != len(cases) {
		t.Errorf("replay once the fault is gone: exit %d, want 0 and %d FIXED:\n%s", code, len(cases), out)
	}
	code, out = runBinary(t, "replay", "--case", cases[0].Name, "--out", filepath.Join(t.TempDir(), "one"), first)
	if code != 0 || !strings.Contains(out, "1 of 1 case(s) fixed") {
		t.Errorf("replay of one case: exit %d, want 0 and 1 of 1 fixed:\n%s", code, out)
	}

	code, out = runBinary(t, "replay", "--base-url", "http://127.0.0.1:1/api", "--out", filepath.Join(t.TempDir(), "gone"), first)
	if code != 2 {
		t.Errorf("replay against a closed port: exit %d, want 2:\n%s", code, out)
	}
	code, out = runBinary(t, "replay", "--case", "no such case", first)
	if code != 2 || !strings.Contains(out, "no failed case") {
		t.Errorf("replay of an unknown case: exit %d, want 2:\n%s", code, out)
	}
}

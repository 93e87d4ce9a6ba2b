package mutation

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Each request mutant changes what the emulator answers to the input it is
// about, and only to that input: the unmutated emulator refuses the same
// request with a 4xx (or answers it), and a valid request through the
// mutant fires nothing.
func TestRequestMutantsAreMadeByTheEmulator(t *testing.T) {
	spec := loadSpec(t)
	const token = "c0ffee5eed00c0ffee5eed00c0ffee5eed001234"
	send := func(t *testing.T, base, method, path, body string) int {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("CH-AppVersion", "0.1.28")
		req.Header.Set("Authorization", "Token "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}
	for _, tc := range []struct {
		id, method, path, valid, input string
		mutated, unmutated             int // status; 4 means any 4xx
	}{
		{"follow/server-error-on-missing-property/user_id", "POST", "/follow", `{"user_id":2}`, `{"source":4}`, 500, 4},
		{"get_profile/server-error-on-null-property/user_id", "POST", "/get_profile", `{"user_id":1234}`, `{"user_id":null}`, 500, 4},
		{"get_profile/server-error-on-mistyped-property/user_id", "POST", "/get_profile", `{"user_id":1234}`, `{"user_id":[1234]}`, 500, 4},
		{"record_action_trails/server-error-on-mistyped-property/action_trails", "POST", "/record_action_trails", `{"action_trails":[]}`, `{"action_trails":{"a":1}}`, 500, 4},
		{"get_clubs_for_topic/server-error-on-edge-value/topic_id", "POST", "/get_clubs_for_topic", `{"topic_id":140}`, `{"topic_id":0}`, 500, 4},
		{"get_notifications/server-error-on-edge-value/page", "GET", "/get_notifications?page=1", "", "", 500, 4},
		{"get_profile/mistyped-property-accepted/user_id", "POST", "/get_profile", `{"user_id":1234}`, `{"user_id":true}`, 200, 4},
		{"me/mistyped-property-accepted/return_blocked_ids", "POST", "/me", `{"return_blocked_ids":true}`, `{"return_blocked_ids":2}`, 200, 4},
		{"get_following/out-of-range-accepted/page", "POST", "/get_following", `{"user_id":1234,"page":1}`, `{"user_id":1234,"page":0}`, 200, 4},
		{"get_clubs_for_topic/out-of-range-accepted/page_size", "POST", "/get_clubs_for_topic", `{"topic_id":140,"page_size":5}`, `{"topic_id":140,"page_size":-3}`, 200, 4},
	} {
		t.Run(tc.id, func(t *testing.T) {
			m, ok := Lookup(spec, tc.id)
			if !ok {
				t.Fatalf("%s is not in the catalogue", tc.id)
			}
			path := tc.path
			if tc.method == "GET" {
				path = strings.Replace(tc.path, "page=1", "page=0", 1)
			}
			tg := NewTarget(spec, &m, 0)
			defer tg.Close()
			if got := send(t, tg.URL, tc.method, tc.path, tc.valid); got != 200 || tg.Proxy.Fired() != 0 {
				t.Errorf("a valid request through the mutant: %d, fired %d", got, tg.Proxy.Fired())
			}
			if got := send(t, tg.URL, tc.method, path, tc.input); got != tc.mutated || tg.Proxy.Fired() != 1 {
				t.Errorf("the mutant answered %d (fired %d), want %d", got, tg.Proxy.Fired(), tc.mutated)
			}
			clean := NewTarget(spec, nil, 0)
			defer clean.Close()
			got := send(t, clean.URL, tc.method, path, tc.input)
			if tc.unmutated == 4 && got/100 != 4 || tc.unmutated != 4 && got != tc.unmutated {
				t.Errorf("the unmutated emulator answered %d, want %d", got, tc.unmutated)
			}
		})
	}
}

// Every request mutant of the catalogue names a property the emulator's
// fault can watch: one that names none would fire on nothing and read as a
// suite gap.
func TestEveryRequestMutantBuildsItsFault(t *testing.T) {
	spec := loadSpec(t)
	n := 0
	for _, m := range Catalogue(spec) {
		if !IsRequestKind(m.Kind) {
			continue
		}
		n++
		if f, ok := requestFault(spec, &m); !ok || f.Match == nil || f.Property != m.Path {
			t.Errorf("%s: no emulator fault for it", m.ID)
		}
	}
	if n == 0 {
		t.Fatal("the catalogue has no request mutant")
	}
}

// An accepting fault reads a value the way the request carried it: text
// stays text, so a query's enum value is read like a client's.
func TestNearestValidKeepsTheValuesKind(t *testing.T) {
	spec := loadSpec(t)
	op, _ := spec.Operation("check_for_update")
	p, ok := requestProp(op, "is_testflight")
	if !ok {
		t.Fatal("check_for_update has no is_testflight")
	}
	if v, ok := nearestValid(p, "2", true); !ok || v != "0" {
		t.Errorf("is_testflight=2 read as %#v (%v), want the text \"0\"", v, ok)
	}
	if _, ok := nearestValid(p, "1", true); ok {
		t.Error("is_testflight=1, a valid value, was matched")
	}
	op, _ = spec.Operation("get_following")
	p, _ = requestProp(op, "page")
	if v, ok := nearestValid(p, json.Number("-4"), false); !ok || v != json.Number("1") {
		t.Errorf("page -4 read as %#v (%v), want the number 1", v, ok)
	}
}

// An out-of-range value accepted is a fault only a provisional check would
// judge (the contract's bounds come from clients): its survival is reported
// apart, never scored or gated, while another request fault's is a survivor.
func TestAcceptedOutOfRangeIsProvisional(t *testing.T) {
	spec := loadSpec(t)
	for id, want := range map[string]string{
		"get_following/out-of-range-accepted/page":       Provisional,
		"get_events/mistyped-property-accepted/page":     Provisional,
		"get_profile/mistyped-property-accepted/user_id": Survived,
	} {
		m, ok := Lookup(spec, id)
		if !ok {
			t.Fatalf("%s is not in the catalogue", id)
		}
		res := Result{Mutant: m, Fired: 2}
		decide(spec, &res)
		if res.Outcome != want {
			t.Errorf("%s survived as %s (%s), want %s", id, res.Outcome, res.Reason, want)
		}
	}
	s := Summarise("chconform", []Result{{Mutant: Mutant{ID: "x", Kind: KindRangeAccepted}, Outcome: Provisional}})
	if s.Overall.Provisional != 1 || s.Overall.Score != -1 || len(s.Survivors) != 1 {
		t.Errorf("tally %+v, %d listed", s.Overall, len(s.Survivors))
	}
}

// An accepting fault fires only when the request is then answered with a
// success: a mistyped value read leniently and refused for another reason
// (an unknown user) changed nothing a check of the contract tells apart.
func TestAnAcceptedValueRefusedAnywayDoesNotFire(t *testing.T) {
	spec := loadSpec(t)
	m, ok := Lookup(spec, "follow/mistyped-property-accepted/source")
	if !ok {
		t.Fatal("follow/mistyped-property-accepted/source is not in the catalogue")
	}
	tg := NewTarget(spec, &m, 0)
	defer tg.Close()
	post := func(body string) int {
		req, _ := http.NewRequest(http.MethodPost, tg.URL+"/follow", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Token c0ffee5eed00c0ffee5eed00c0ffee5eed001234")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(`{"user_id":987654321,"source":true}`); got/100 != 4 || tg.Proxy.Fired() != 0 {
		t.Errorf("an unknown user with a mistyped source: %d, fired %d; want a refusal that does not fire", got, tg.Proxy.Fired())
	}
	if got := post(`{"user_id":2,"source":true}`); got != 200 || tg.Proxy.Fired() != 1 {
		t.Errorf("a known user with a mistyped source: %d, fired %d; want 200, fired once", got, tg.Proxy.Fired())
	}
}

package mutation

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
)

func loadSpec(t *testing.T) *harness.Spec {
	t.Helper()
	s, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCatalogueCoversEveryDocumentedResponse(t *testing.T) {
	spec := loadSpec(t)
	cat := Catalogue(spec)
	ids := map[string]bool{}
	for _, m := range cat {
		if ids[m.ID] {
			t.Errorf("mutant id %s twice", m.ID)
		}
		ids[m.ID] = true
	}
	for _, op := range spec.Operations() {
		for _, r := range op.Responses() {
			for _, k := range []Kind{KindStatus, KindContentType} {
				id := op.ID + "/" + itoa(r.Status) + "/" + string(k)
				if !ids[id] {
					t.Errorf("no mutant %s", id)
				}
			}
		}
		for _, k := range []Kind{KindDelay, KindServerError} {
			if !ids[op.ID+"/"+string(k)] {
				t.Errorf("no %s mutant for %s", k, op.ID)
			}
		}
		if op.Secured && !ids[op.ID+"/"+string(KindAuthIgnored)] {
			t.Errorf("no auth-ignored mutant for %s", op.ID)
		}
	}
	for _, want := range []string{
		"get_channels/200/required-field-dropped/channels[].channel",
		"get_channels/200/type-changed/channels[].users[].user_id",
		"follow/200/write-not-applied",
		"join_channel/200/write-not-applied",
		"update_username/200/write-not-applied",
		"me/identity-from-header",
		"follow/identity-from-header",
		"follow/write-to-another-account",
		"update_username/write-to-another-account",
		"join_channel/write-to-another-account",
		"join_channel/ended-room-joinable",
		"join_channel/ended-room-joinable-by-creator",
		"get_profile/200/member-duplicated/success",
	} {
		if !ids[want] {
			t.Errorf("no mutant %s", want)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestMutateBody(t *testing.T) {
	body := []byte(`{"count":3,"next":2,"previous":null,"users":[{"user_id":1,"name":"a"},{"user_id":2,"name":null}]}`)
	cases := []struct {
		m    Mutant
		want string
		ok   bool
	}{
		{Mutant{Kind: KindDrop, Path: "users[].user_id"}, `{"count":3,"next":2,"previous":null,"users":[{"name":"a"},{"name":null}]}`, true},
		{Mutant{Kind: KindNull, Path: "users[].name"}, `{"count":3,"next":2,"previous":null,"users":[{"name":null,"user_id":1},{"name":null,"user_id":2}]}`, true},
		{Mutant{Kind: KindType, Path: "count", Value: "12345"}, `{"count":"12345","next":2,"previous":null,"users":[{"name":"a","user_id":1},{"name":null,"user_id":2}]}`, true},
		{Mutant{Kind: KindPageCount, Path: "count"}, `{"count":4,"next":2,"previous":null,"users":[{"name":"a","user_id":1},{"name":null,"user_id":2}]}`, true},
		{Mutant{Kind: KindPagePrevious, Path: "previous"}, `{"count":3,"next":2,"previous":1,"users":[{"name":"a","user_id":1},{"name":null,"user_id":2}]}`, true},
		{Mutant{Kind: KindDrop, Path: "clubs[].club_id"}, "", false},
	}
	for _, c := range cases {
		got, ok := mutateBody(c.m, body)
		if ok != c.ok || (ok && string(got) != c.want) {
			t.Errorf("%s %s: got %s (%v), want %s (%v)", c.m.Kind, c.m.Path, got, ok, c.want, c.ok)
		}
	}
	if got := splitPath("[].a[][].b"); strings.Join(got, " ") != "[] a [] [] b" {
		t.Errorf("splitPath: %q", got)
	}
}

// TestProxyAppliesOneFaultToOneOperation drives a fresh emulator through the
// A duplicated member reads as the answer to encoding/json (the last wins)
// and as the copy to gjson (the first): only json_interop can kill it.
func TestDuplicateMember(t *testing.T) {
	cases := []struct{ body, name, want string }{
		{`{"success":true,"user_id":4}`, "user_id", `{"user_id":"duplicate","success":true,"user_id":4}`},
		{` {"detail":"Invalid token."}`, "detail", ` {"detail":0,"detail":"Invalid token."}`},
		{`{"success":true}`, "user_id", `{"success":true}`},
		{`[1]`, "user_id", `[1]`},
	}
	for _, c := range cases {
		got, changed := duplicateMember([]byte(c.body), c.name)
		if string(got) != c.want || changed != (c.want != c.body) {
			t.Errorf("duplicateMember(%s, %s) = %s %v, want %s", c.body, c.name, got, changed, c.want)
		}
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(cases[0].want), &v); err != nil || v["user_id"] != 4.0 {
		t.Errorf("encoding/json reads %v (%v), want the server's member", v, err)
	}
}

// proxy: the mutated operation's answer changes, the others pass untouched.
func TestProxyAppliesOneFaultToOneOperation(t *testing.T) {
	spec := loadSpec(t)
	m := Mutant{ID: "x", Op: "get_all_topics", Status: 200, Kind: KindStatus, To: 201}
	tg := NewTarget(spec, &m, 50*time.Millisecond)
	defer tg.Close()
	get := func(path, auth string) int {
		req, _ := http.NewRequest(http.MethodGet, tg.URL+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		req.Header.Set("CH-AppVersion", "0.1.28")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	token := "Token c0ffee5eed00c0ffee5eed00c0ffee5eed001234"
	if got := get("/get_all_topics", token); got != 201 {
		t.Errorf("mutated get_all_topics answered %d, want 201", got)
	}
	if got := get("/get_all_topics", ""); got != 401 {
		t.Errorf("a 401 of the mutated operation answered %d, want it untouched", got)
	}
	if got := get("/get_channels", token); got != 200 {
		t.Errorf("get_channels answered %d through the proxy, want 200", got)
	}
	if tg.Proxy.Fired() != 1 || tg.Proxy.Matched() != 2 {
		t.Errorf("fired %d matched %d, want 1 and 2", tg.Proxy.Fired(), tg.Proxy.Matched())
	}
	if s := tg.Proxy.FirstSample(); s == nil || s.Status != 201 {
		t.Errorf("sample %+v", s)
	}
}

func TestProxyAuthIgnoredAnswersAsTheDefaultAccount(t *testing.T) {
	spec := loadSpec(t)
	m := Mutant{ID: "x", Op: "get_all_topics", Kind: KindAuthIgnored}
	tg := NewTarget(spec, &m, 0)
	defer tg.Close()
	resp, err := http.Get(tg.URL + "/get_all_topics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("an unauthenticated request answered %d, want the default account's 200", resp.StatusCode)
	}
}

func TestJudgeSampleNamesTheBrokenCheck(t *testing.T) {
	spec := loadSpec(t)
	got := JudgeSample(spec, "get_all_topics", &Sample{Method: "GET", URL: "/api/get_all_topics", Status: 200,
		ContentType: "text/html", Body: "<html></html>"})
	if len(got) == 0 || !strings.HasPrefix(got[0], harness.CheckContentType) {
		t.Errorf("findings %v", got)
	}
}

// Lookup finds a mutant by the ID `chconform mutate list` prints, and
// nothing for an ID the catalogue does not have.
func TestLookupByID(t *testing.T) {
	spec := loadSpec(t)
	const id = "get_profile/200/type-changed/user_profile.user_id"
	m, ok := Lookup(spec, id)
	if !ok || m.ID != id || m.Op != "get_profile" || m.Status != 200 || m.Kind != KindType || m.Path != "user_profile.user_id" {
		t.Errorf("Lookup(%q) = %+v, %v", id, m, ok)
	}
	if _, ok := Lookup(spec, "get_profile/200/no-such-fault"); ok {
		t.Error("Lookup found a mutant the catalogue does not have")
	}
}

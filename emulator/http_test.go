package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
)

func TestHTTPHabits(t *testing.T) {
	e := newEnv(t)
	status, h, body := e.raw("POST", "/api/get_release_notes", "application/json", `{}`, nil)
	if status != 200 || h.Get("Content-Type") != "application/json" || h.Get("Allow") != "POST, OPTIONS" {
		t.Fatalf("status %d, headers %v", status, h)
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, body)
	if compact.String() != string(body) || bytes.Contains(body, []byte(`\u`)) {
		t.Fatalf("body is not compact raw UTF-8 JSON: %s", body)
	}
	cases := []struct {
		name, method, path, ctype, body string
		header                          map[string]string
		status                          int
		want                            string
	}{
		{"method outside Allow", "PUT", "/api/me", "application/json", `{}`, nil, 405, `{"detail":"Method \"PUT\" not allowed."}`},
		{"DELETE", "DELETE", "/api/get_channels", "", "", nil, 405, `{"detail":"Method \"DELETE\" not allowed."}`},
		{"GET on a POST-only view", "GET", "/api/join_channel", "", "", nil, 405, `{"detail":"Method \"GET\" not allowed."}`},
		{"unknown path", "GET", "/api/no_such_thing", "", "", nil, 404, `{"detail":"Not found."}`},
		{"outside /api", "GET", "/me", "", "", nil, 404, `{"detail":"Not found."}`},
		{"malformed JSON", "POST", "/api/me", "application/json", `{"return_blocked_ids":`, nil, 400, ""},
		{"JSON array", "POST", "/api/get_profile", "application/json", `[1,2]`, nil, 400, ""},
		{"trailing garbage", "POST", "/api/me", "application/json", `{} {}`, nil, 400, ""},
		{"unsupported media type", "POST", "/api/me", "text/plain", `hello`, nil, 415, `{"detail":"Unsupported media type \"text/plain\" in request."}`},
		{"form body", "POST", "/api/get_profile", "application/x-www-form-urlencoded", `user_id=4075733`, nil, 200, ""},
		{"missing required field", "POST", "/api/join_channel", "application/json", `{}`, nil, 400, `{"success":false,"error_message":"Missing required field: channel."}`},
		{"wrong type", "POST", "/api/get_profile", "application/json", `{"user_id":"abc"}`, nil, 400, ""},
		{"string id is coerced", "POST", "/api/get_profile", "application/json", `{"user_id":"4075733"}`, nil, 200, ""},
		{"no credentials before the method", "PUT", "/api/me", "", "", map[string]string{"Authorization": ""}, 401, `{"detail":"Authentication credentials were not provided."}`},
		{"start without app headers", "POST", "/api/start_phone_number_auth", "application/json", `{"phone_number":"+15550001111"}`, map[string]string{"CH-AppBuild": ""}, 200, `{"success":true,"is_blocked":true}`},
		{"OPTIONS", "OPTIONS", "/api/get_channels", "", "", nil, 200, ""},
		{"trailing slash", "POST", "/api/me/", "application/json", `{}`, nil, 200, ""},
		{"health", "GET", "/healthz", "", "", nil, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, h, body := e.raw(c.method, c.path, c.ctype, c.body, c.header)
			if status != c.status {
				t.Fatalf("status %d, want %d: %s", status, c.status, body)
			}
			if h.Get("Content-Type") != "application/json" {
				t.Fatalf("Content-Type %q", h.Get("Content-Type"))
			}
			if c.want != "" {
				jsonEqual(t, body, c.want)
			}
			if status == 405 && h.Get("Allow") == "" {
				t.Fatal("405 without Allow")
			}
			if strings.HasPrefix(c.name, "malformed") && !strings.HasPrefix(string(body), `{"detail":"JSON parse error - `) {
				t.Fatalf("malformed JSON body: %s", body)
			}
		})
	}
	big := `{"query":"` + strings.Repeat("a", emulator.MaxBodyBytes) + `"}`
	if status, _, body := e.raw("POST", "/api/search_users", "application/json", big, nil); status != 413 {
		t.Fatalf("oversized body: %d %s", status, body)
	}
}

// The GET operations answer POST the same, with the parameters in the
// query or in a JSON body; the POST ones that also allow GET answer GET the
// same with the parameters in the query.
func TestMethodEquivalence(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		id     string
		params map[string]any
	}{
		{"get_users_for_topic", map[string]any{"topic_id": 140, "page_size": 5, "page": 2}},
		{"get_suggested_follows_all", map[string]any{"in_onboarding": true, "page_size": 10, "page": 1}},
		{"get_events", map[string]any{"is_filtered": false, "page_size": 2, "page": 1}},
		{"get_notifications", map[string]any{"page_size": 2, "page": 1}},
		{"get_actionable_notifications", map[string]any{}},
		{"get_settings", map[string]any{}},
		{"get_all_topics", map[string]any{}},
		{"check_for_update", map[string]any{"is_testflight": 1}},
		{"get_following", map[string]any{"user_id": 1234, "page_size": 2, "page": 2}},
		{"get_clubs_for_topic", map[string]any{"topic_id": 140}},
		{"search_users", map[string]any{"query": "ava", "page_size": 3}},
		{"search_clubs", map[string]any{"query": "club"}},
		{"check_waitlist_status", map[string]any{}},
		{"get_online_friends", map[string]any{}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			q := url.Values{}
			for k, v := range c.params {
				q.Set(k, fmt.Sprint(v))
			}
			byGet := e.do(harness.Call{Op: e.op(c.id), Method: "GET", Query: q})
			byPost := e.do(harness.Call{Op: e.op(c.id), Method: "POST", Body: c.params})
			byPostQuery := e.do(harness.Call{Op: e.op(c.id), Method: "POST", Query: q})
			e.status(byGet, 200)
			e.conform(byPost)
			for _, ex := range []*harness.Exchange{byPost, byPostQuery} {
				if string(ex.Response.Body) != string(byGet.Response.Body) {
					t.Fatalf("GET answered %s\nPOST answered %s", byGet.Response.Body, ex.Response.Body)
				}
			}
		})
	}
}

// Walk every page of the paginated lists: count, next and previous agree
// with the pages and the items.
func TestPagination(t *testing.T) {
	e := newEnv(t)
	lists := []struct {
		id, items string
		params    map[string]any
	}{
		{"get_users_for_topic", "users", map[string]any{"topic_id": 140}},
		{"get_suggested_follows_all", "users", map[string]any{}},
		{"search_users", "users", map[string]any{"query": "a"}},
		{"get_following", "users", map[string]any{"user_id": 1234}},
		{"get_clubs_for_topic", "clubs", map[string]any{"topic_id": 1}},
		{"get_events", "events", map[string]any{}},
	}
	for _, l := range lists {
		t.Run(l.id, func(t *testing.T) {
			seen, total := 0, int64(-1)
			for pg := 1; pg < 100; pg++ {
				p := map[string]any{"page": pg, "page_size": 7}
				for k, v := range l.params {
					p[k] = v
				}
				ex := e.send(l.id, nil, p)
				e.status(ex, 200)
				e.conform(ex)
				n := len(get(ex, l.items).Array())
				if l.id == "get_following" {
					n += len(get(ex, "clubs").Array())
				}
				seen += n
				count := get(ex, "count").Int()
				if total >= 0 && count != total {
					t.Fatalf("count changed between pages: %d then %d", total, count)
				}
				total = count
				prev, next := get(ex, "previous"), get(ex, "next")
				if (pg == 1 && prev.Type.String() != "Null") || (pg > 1 && prev.Int() != int64(pg-1)) {
					t.Fatalf("page %d: previous %s", pg, prev.Raw)
				}
				if n > 7 {
					t.Fatalf("page %d has %d items, page_size 7", pg, n)
				}
				if next.Type.String() == "Null" {
					break
				}
				if next.Int() != int64(pg+1) || n != 7 {
					t.Fatalf("page %d: next %s with %d items", pg, next.Raw, n)
				}
			}
			if int64(seen) != total {
				t.Fatalf("walked %d items, count says %d", seen, total)
			}
		})
	}
	past := e.send("get_users_for_topic", nil, map[string]any{"topic_id": 140, "page": 999})
	e.conform(past)
	if len(get(past, "users").Array()) != 0 || get(past, "next").Type.String() != "Null" {
		t.Fatalf("a page past the end: %s", past.Response.Body)
	}
	for _, bad := range []map[string]any{{"page": 0}, {"page_size": -1}, {"page": "x"}} {
		bad["topic_id"] = 140
		e.status(e.send("get_users_for_topic", nil, bad), 400)
	}
}

func TestStatesOnOtherOperations(t *testing.T) {
	e := newEnv(t)
	w := &harness.Account{AuthToken: e.prof.Accounts["waitlisted"].AuthToken}
	for _, id := range []string{"invite_to_app", "invite_from_waitlist", "update_notifications", "get_create_channel_targets", "create_channel", "join_channel"} {
		call, _ := e.op(id).DocumentedCall(e.prof, "")
		call.As = w
		ex := e.do(call)
		jsonEqual(t, ex.Response.Body, `{"success":false,"error_message":"Your account is waitlisted. Please contact us if this is in error."}`)
		e.status(ex, 400)
	}
	old := e.do(harness.Call{Op: e.op("check_for_update"), Header: map[string]string{"CH-AppBuild": "261"}})
	if !get(old, "has_update").Bool() {
		t.Fatalf("build 261 should get an update: %s", old.Response.Body)
	}
}

func TestRequestLog(t *testing.T) {
	var buf safeBuffer
	srv := emulator.New(emulator.Options{RequestLog: &buf})
	req, _ := http.NewRequest("POST", "/api/follow", strings.NewReader(`{"user_id":4}`))
	req.Header.Set("Authorization", "Token c0ffee5eed00c0ffee5eed00c0ffee5eed001234")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(harness.SpecHeader, "a spec")
	rec := newRecorder()
	srv.Handler().ServeHTTP(rec, req)
	req2, _ := http.NewRequest("GET", "/api/get_channels", nil)
	srv.Handler().ServeHTTP(newRecorder(), req2)
	log := srv.Requests()
	if len(log) != 2 || log[0].Spec != "a spec" || log[0].Operation != "follow" || !log[0].Mutating || log[0].Status != 200 ||
		log[1].Status != 401 || log[1].Mutating || log[1].Method != "GET" || log[1].Path != "/api/get_channels" {
		t.Fatalf("request log: %+v", log)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("request log file: %q", buf.String())
	}
	var entry emulator.LoggedRequest
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil || entry.Operation != "follow" {
		t.Fatalf("log line %q: %v", lines[0], err)
	}
}

type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

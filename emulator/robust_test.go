package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
)

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// malformedBodies are inputs no operation may answer with a 5xx.
var malformedBodies = []string{
	``, ` `, `{`, `}`, `null`, `[]`, `[{}]`, `"x"`, `1`, `true`, `{"a":}`, `{} x`, `{"user_id":null}`,
	`{"user_id":"abc"}`, `{"user_id":1.5}`, `{"user_id":1e400}`, `{"user_id":-1}`, `{"user_id":99999999999999999999}`,
	`{"user_id":[1]}`, `{"user_id":{"a":1}}`, `{"channel":123}`, `{"channel":""}`, `{"channel":"abc\u0000def"}`,
	`{"channel":["abcdefgh"]}`, `{"username":null}`, `{"username":1}`, `{"username":"` + strings.Repeat("z", 5000) + `"}`,
	`{"phone_number":{}}`, `{"phone_number":"+1"}`, `{"verification_code":1234,"phone_number":"+15550001234"}`,
	`{"refresh":null}`, `{"refresh":"a.b.c"}`, `{"refresh":"eyJhbGciOiJub25lIn0.eyJ1c2VyX2lkIjoxfQ."}`,
	`{"contacts":"x"}`, `{"contacts":[1,2]}`, `{"contacts":[{"phone_number":5}]}`, `{"action_trails":{}}`,
	`{"action_trails":[1]}`, `{"action_trails":[{"blob_data":"x"}]}`, `{"user_ids":"x"}`, `{"user_ids":[{}]}`,
	`{"topic_id":"x"}`, `{"topic_id":0}`, `{"club_id":true}`, `{"page":-5,"page_size":0}`, `{"page":1e10}`,
	`{"query":null}`, `{"query":{}}`, `{"topic":5}`, `{"is_private":"yes"}`, `{"attribution_details":"%%%"}`,
	`{"return_following_ids":"maybe"}`, `{"enable_trending":"x"}`, "\xff\xfe", `{"a":"\ud800"}`,
	strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
}

var contentTypes = []string{"application/json", "application/json; charset=utf-8", "", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset", ";;;"}

func TestNoServerErrorOnMalformedInput(t *testing.T) {
	srv := emulator.New(emulator.Options{})
	h := srv.Handler()
	methods := []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
	auths := []string{"", "Token c0ffee5eed00c0ffee5eed00c0ffee5eed001234", "Token c0ffee5eed00c0ffee5eed00c0ffee5eed002001",
		"Token c0ffee5eed00c0ffee5eed00c0ffee5eed002002", "Bearer x.y.z", "Token a b", "Bearer"}
	requests := 0
	for _, id := range srv.OperationIDs() {
		for i, body := range malformedBodies {
			method := methods[i%len(methods)]
			if i%3 != 0 {
				method = "POST"
			}
			ct := contentTypes[i%len(contentTypes)]
			auth := auths[i%len(auths)]
			for _, a := range []string{auth, auths[1]} {
				req := httptest.NewRequest(method, "/api/"+id+"?page=x&user_id=%ff&topic_id=1", strings.NewReader(body))
				if ct != "" {
					req.Header.Set("Content-Type", ct)
				}
				if a != "" {
					req.Header.Set("Authorization", a)
				}
				req.Header.Set("CH-AppVersion", []string{"0.0.1", "x.y", "", "0.1.28"}[i%4])
				req.Header.Set("CH-AppBuild", []string{"abc", "100", "", "304"}[i%4])
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				requests++
				if rec.Code >= 500 {
					t.Errorf("%s %s %q (%s): %d %s", method, id, cut(body), ct, rec.Code, rec.Body.String())
				}
				if rec.Header().Get("Content-Type") != "application/json" {
					t.Errorf("%s %s: Content-Type %q", method, id, rec.Header().Get("Content-Type"))
				}
			}
		}
	}
	if requests < 41*len(malformedBodies) {
		t.Fatalf("only %d requests", requests)
	}
}

func cut(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// Parallel clients sign up, follow, join and leave rooms and rename
// themselves; every write is visible afterwards and nothing is corrupted
// (run under -race).
func TestConcurrentClients(t *testing.T) {
	e := newEnv(t)
	const workers = 16
	var wg sync.WaitGroup
	accounts := make([]*harness.Account, workers)
	errs := make(chan string, workers*10)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sub := *e
			ft := &fakeT{TB: t}
			sub.t = ft
			defer func() {
				if r := recover(); r != nil && r != errFatal {
					panic(r)
				}
				if msg := ft.msg(); msg != "" {
					errs <- msg
				}
			}()
			a := sub.signup("+1555000", harness.Unique(fmt.Sprintf("w%d_{unique}", i)))
			accounts[i] = a
			for j := 0; j < 5; j++ {
				sub.status(sub.send("follow", a, map[string]any{"user_id": 10001 + j}), 200)
				sub.status(sub.send("join_channel", a, map[string]any{"channel": "abcdefgh"}), 200)
				sub.status(sub.do(harness.Call{Op: sub.op("get_channels"), As: a}), 200)
				sub.status(sub.send("leave_channel", a, map[string]any{"channel": "abcdefgh"}), 200)
				sub.status(sub.send("join_channel", a, map[string]any{"channel": "xjXqoW1A"}), 200)
				sub.status(sub.send("update_username", a, map[string]any{"username": harness.Unique(fmt.Sprintf("w%d_{unique}", i))}), 200)
				sub.status(sub.send("create_channel", a, map[string]any{"topic": "parallel"}), 200)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	if t.Failed() {
		return
	}
	ch := e.send("join_channel", nil, map[string]any{"channel": "xjXqoW1A"})
	for _, a := range accounts {
		if !strings.Contains(get(ch, "users.#.user_id").Raw, a.UserID) {
			t.Errorf("user %s is missing from the room", a.UserID)
		}
		fol := e.send("get_following", a, map[string]any{})
		if get(fol, "count").Int() != 5 {
			t.Errorf("user %s follows %d, want 5", a.UserID, get(fol, "count").Int())
		}
	}
	list := e.do(harness.Call{Op: e.op("get_channels")})
	e.conform(list)
	abc := 0
	for _, c := range get(list, "channels").Array() {
		if c.Get("channel").String() == "abcdefgh" {
			abc = len(c.Get("users").Array())
		}
	}
	if abc != 4 {
		t.Errorf("room abcdefgh has %d users after everyone left, want its 4 seeded ones", abc)
	}
}

var errFatal = fmt.Errorf("fatal")

// fakeT collects failures from a goroutine (t.Fatal must not be called off
// the test's goroutine).
type fakeT struct {
	testing.TB
	mu   sync.Mutex
	msgs []string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}
func (f *fakeT) Fatalf(format string, args ...any) { f.Errorf(format, args...); panic(errFatal) }
func (f *fakeT) Fatal(args ...any)                 { f.Errorf("%s", fmt.Sprint(args...)); panic(errFatal) }
func (f *fakeT) msg() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.msgs, "; ")
}

var _ http.Handler = emulator.New(emulator.Options{}).Handler()

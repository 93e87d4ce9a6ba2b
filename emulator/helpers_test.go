package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tidwall/gjson"
	"sigs.k8s.io/yaml"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
)

var (
	specOnce sync.Once
	spec     *harness.Spec
	specErr  error
	profile  *harness.Profile
)

// contract loads api.yaml and the emulator's profile once per test binary.
func contract(t testing.TB) (*harness.Spec, *harness.Profile) {
	t.Helper()
	specOnce.Do(func() {
		spec, specErr = harness.LoadSpec("api.yaml", chconform.Contract)
		if specErr != nil {
			return
		}
		var data []byte
		data, specErr = fs.ReadFile(chconform.Profiles(), "emulator.yaml")
		if specErr != nil {
			return
		}
		profile = &harness.Profile{}
		specErr = yaml.UnmarshalStrict(data, profile)
	})
	if specErr != nil {
		t.Fatalf("loading the contract and the emulator profile: %v", specErr)
	}
	return spec, profile
}

// env is one emulator behind an httptest server, with a harness client.
type env struct {
	t      testing.TB
	srv    *emulator.Server
	http   *httptest.Server
	client *harness.Client
	spec   *harness.Spec
	prof   *harness.Profile
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, emulator.Options{})
}

func newEnvWith(t testing.TB, opts emulator.Options) *env {
	t.Helper()
	sp, prof := contract(t)
	srv := emulator.New(opts)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	base, _ := url.Parse(hs.URL + "/api")
	return &env{t: t, srv: srv, http: hs, spec: sp, prof: prof,
		client: &harness.Client{HTTP: hs.Client(), Base: base, Profile: prof, SpecName: t.Name()}}
}

func (e *env) op(id string) *harness.Operation { return e.spec.MustOperation(id) }

// do sends a call and fails the test on a transport error.
func (e *env) do(call harness.Call) *harness.Exchange {
	e.t.Helper()
	ex := e.client.Do(context.Background(), call)
	if ex.Err != nil || ex.Response == nil {
		e.t.Fatalf("%s: no response: %v", call.Op.ID, ex.Err)
	}
	return ex
}

// send is do for the operation id as account (nil: the default account).
func (e *env) send(id string, as *harness.Account, body any) *harness.Exchange {
	e.t.Helper()
	return e.do(harness.Call{Op: e.op(id), As: as, Body: body})
}

// conform runs the standard checks in strict mode and fails on any finding.
func (e *env) conform(ex *harness.Exchange, extra ...harness.Check) {
	e.t.Helper()
	checks := append(harness.StandardChecks(true), extra...)
	for _, r := range harness.Verify(ex, checks...) {
		if r.Status == harness.CheckFailed {
			e.t.Errorf("%s: %s failed: %v\nresponse %d: %s", ex.Op.ID, r.Name, r.Findings, ex.Response.Status, ex.Response.Body)
		}
	}
}

func (e *env) status(ex *harness.Exchange, want int) {
	e.t.Helper()
	if ex.Response.Status != want {
		e.t.Fatalf("%s: status %d, want %d: %s", ex.Op.ID, ex.Response.Status, want, ex.Response.Body)
	}
}

func get(ex *harness.Exchange, path string) gjson.Result {
	return gjson.GetBytes(ex.Response.Body, path)
}

var phoneSeq atomic.Int64

// phone returns a test number no other test of the process uses.
func phone(prefix string) string {
	return fmt.Sprintf("%s%04d", prefix, phoneSeq.Add(1)%10000)
}

// signup makes a fresh account through the phone flow; username "" leaves
// it onboarding.
func (e *env) signup(prefix, username string) *harness.Account {
	e.t.Helper()
	num := phone(prefix)
	start := e.do(harness.Call{Op: e.op("start_phone_number_auth"), Account: harness.AccountNone, Body: map[string]any{"phone_number": num}})
	e.status(start, 200)
	done := e.do(harness.Call{Op: e.op("complete_phone_number_auth"), Account: harness.AccountNone,
		Body: map[string]any{"phone_number": num, "verification_code": emulator.VerificationCode}})
	e.status(done, 200)
	e.conform(done)
	if !get(done, "is_verified").Bool() {
		e.t.Fatalf("signup %s: not verified: %s", num, done.Response.Body)
	}
	a := &harness.Account{AuthToken: get(done, "auth_token").String(), AccessToken: get(done, "access_token").String(),
		RefreshToken: get(done, "refresh_token").String(), UserID: get(done, "user_profile.user_id").String()}
	if username != "" {
		e.status(e.send("update_username", a, map[string]any{"username": username}), 200)
	}
	return a
}

// raw sends a hand-made HTTP request to path under /api.
func (e *env) raw(method, path, contentType, body string, header map[string]string) (int, http.Header, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.http.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Token "+e.prof.Accounts["default"].AuthToken)
	req.Header.Set("CH-Locale", "en_US")
	req.Header.Set("CH-AppVersion", harness.DefaultAppVersion)
	req.Header.Set("CH-AppBuild", harness.DefaultAppBuild)
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, resp.Header, []byte(b.String())
}

func jsonEqual(t testing.TB, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body is not JSON: %s", got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %s", want)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Fatalf("body %s, want %s", got, want)
	}
}

// jsonHas fails unless every top-level key of want is in got with the same
// value (got may carry more: the optional fields of a member's answer).
func jsonHas(t testing.TB, got []byte, want string) {
	t.Helper()
	var g, w map[string]any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body is not a JSON object: %s", got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %s", want)
	}
	for k, v := range w {
		gb, _ := json.Marshal(g[k])
		wb, _ := json.Marshal(v)
		if _, ok := g[k]; !ok || string(gb) != string(wb) {
			t.Fatalf("body %s: %s is %s, want %s", got, k, gb, wb)
		}
	}
}

package capture

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
)

// tapeRecorder is what harness/suite's recorder does with a tape.
type tapeRecorder struct {
	t    *testing.T
	tape *harness.Tape
	spec string
}

func (r tapeRecorder) RecordExchange(ex *harness.Exchange) {
	if err := r.tape.Record(ex, r.spec); err != nil {
		r.t.Errorf("recording: %v", err)
	}
}
func (tapeRecorder) RecordChecks(*harness.Exchange, []harness.CheckResult) {}

func TestRecordModeWritesARedactedHARTheReaderReadsBack(t *testing.T) {
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	profile, err := harness.LoadProfile(harness.Config{Profile: "emulator"}, chconform.Profiles())
	if err != nil {
		t.Fatal(err)
	}
	redact := harness.NewRedactor(profile)
	srv := httptest.NewServer(emulator.New(emulator.Options{}).Handler())
	defer srv.Close()
	base, _ := url.Parse(srv.URL + "/api")

	dir := t.TempDir()
	tape, err := harness.NewTape(dir, base.String(), redact)
	if err != nil {
		t.Fatal(err)
	}
	log := NewRunLog(dir, "users", "chconform")
	tape.SetLog(log)

	type sent struct {
		op, account string
		status      int // 0: no response
	}
	want := []sent{{"me", "", 200}, {"get_profile", "", 200}, {"refresh_token", "", 200}, {"me", harness.AccountNone, 401}, {"me", "", 200}}
	for i, s := range want {
		op := spec.MustOperation(s.op)
		call, err := op.DocumentedCall(profile, "")
		if err != nil {
			t.Fatal(err)
		}
		call.Account = s.account
		c := &harness.Client{HTTP: &http.Client{}, Base: base, Profile: profile, Timeout: 5 * time.Second,
			Recorder: tapeRecorder{t, tape, "spec " + s.op}, SpecName: "spec " + s.op}
		if i == len(want)-1 {
			c.Base, _ = url.Parse("http://127.0.0.1:1/api") // nothing listens: no response
			want[i].status = 0
		}
		ex := c.Do(context.Background(), call)
		if got := 0; ex.Response != nil {
			got = ex.Response.Status
			if got != want[i].status {
				t.Fatalf("%s answered %d, want %d: %s", s.op, got, want[i].status, ex.Response.Body)
			}
		}
	}
	if err := tape.Close(); err != nil {
		t.Fatal(err)
	}
	if log.Path() != filepath.Join(dir, "run-users.har") {
		t.Errorf("run log at %q", log.Path())
	}

	data, err := os.ReadFile(log.Path())
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range profile.Accounts {
		for _, secret := range []string{a.AuthToken, a.AccessToken, a.RefreshToken} {
			if secret != "" && strings.Contains(string(data), secret) {
				t.Errorf("the run log holds a secret of the account %s", name)
			}
		}
	}
	for _, secret := range []string{"c0ffee5eed00c0ffee5eed00", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBl"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the run log holds %q", secret)
		}
	}
	var got []Entry
	if err := Read(log.Path(), func(e Entry) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries in the run log, %d exchanges sent", len(got), len(want))
	}
	for i, e := range got {
		w := want[i]
		if !strings.HasSuffix(e.Request.URL, "/api/"+w.op) || e.Name != "spec "+w.op {
			t.Errorf("entry %d: %s %q, want %s", i, e.Request.URL, e.Name, w.op)
		}
		if w.status == 0 {
			if e.Response != nil || !strings.HasPrefix(e.Problem, "no response: ") {
				t.Errorf("entry %d: %+v", i, e)
			}
			continue
		}
		if e.Response == nil || e.Response.Status != w.status || !e.BodyCaptured || !e.HeadersCaptured || e.Problem != "" {
			t.Errorf("entry %d: %+v", i, e)
			continue
		}
		if e.Response.Header.Get("Content-Length") != "" || e.Response.Header.Get("Date") != "" {
			t.Errorf("entry %d keeps headers the fixtures leave out: %v", i, e.Response.Header)
		}
		if e.StartedAt.IsZero() || e.Elapsed <= 0 {
			t.Errorf("entry %d: started %s, elapsed %s", i, e.StartedAt, e.Elapsed)
		}
	}
	if auth := got[0].Request.Header.Get("Authorization"); auth != "Token <auth_token:default>" {
		t.Errorf("Authorization logged as %q", auth)
	}
	if body := string(got[2].Request.Body); !strings.Contains(body, "<refresh_token:default>") {
		t.Errorf("refresh_token request body logged as %s", body)
	}
	// The same masking as the fixtures: each recorded fixture's answer is the
	// logged answer of its request.
	fixtures, err := harness.LoadFixtures(os.DirFS(dir))
	if err != nil || len(fixtures) == 0 {
		t.Fatalf("%d fixtures: %v", len(fixtures), err)
	}
	for _, f := range fixtures {
		found := false
		for _, e := range got {
			if e.Response != nil && strings.HasSuffix(e.Request.URL, f.Request.Path) && e.Response.Status == f.Response.Status {
				found = found || jsonEqual(e.Response.Body, []byte(f.Response.Body))
			}
		}
		if !found {
			t.Errorf("the fixture of %s %d is not the logged answer:\n%s", f.Request.Path, f.Response.Status, f.Response.Body)
		}
	}
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func TestRunLogsOfProcessesNeverShareAFile(t *testing.T) {
	dir := t.TempDir()
	idle := NewRunLog(dir, "app", "chconform")
	if err := idle.Close(); err != nil || idle.Path() != "" {
		t.Errorf("a process that sent nothing leaves no log: %q %v", idle.Path(), err)
	}
	x := harness.LoggedExchange{Spec: "s", Request: harness.Request{Method: "POST", URL: "http://x/api/me"},
		Response: &harness.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{}`)}}
	logs := []*RunLog{NewRunLog(dir, "users", "chconform"), NewRunLog(dir, "users", "chconform"), NewRunLog(dir, "users", "chconform")}
	var wg sync.WaitGroup
	for _, l := range logs {
		wg.Go(func() {
			for range 50 {
				if err := l.Log(x); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	paths := map[string]bool{}
	for _, l := range logs {
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		paths[l.Path()] = true
		n := 0
		if err := Read(l.Path(), func(Entry) error { n++; return nil }); err != nil || n != 50 {
			t.Errorf("%s: %d entries, %v", l.Path(), n, err)
		}
	}
	for _, want := range []string{"run-users.har", "run-users-2.har", "run-users-3.har"} {
		if !paths[filepath.Join(dir, want)] {
			t.Errorf("no %s among %v", want, paths)
		}
	}
	if got := ProcessName("/tmp/go-build1/b001/users.test", 2, 4); got != "users-p2" {
		t.Errorf("ProcessName %q", got)
	}
	if got := ProcessName("users.test", 1, 1); got != "users" {
		t.Errorf("ProcessName %q", got)
	}
}

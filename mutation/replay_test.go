package mutation

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A peer's verdict on a mutant is judged per exchange: a fault that changed
// only answers the peer already rejects unmutated cannot be told apart by
// it, and is no survivor.
func TestPeerVerdict(t *testing.T) {
	const flagged = "type at /user_profile/user_id"
	for _, tc := range []struct {
		name string
		exs  []PeerExchange
		want string
	}{
		{"the unmutated answer is already flagged", []PeerExchange{
			{Judged: true, Fired: 1, BaseFinding: flagged, Finding: flagged},
		}, NotJudgeable},
		{"clean unmutated, flagged mutated", []PeerExchange{
			{Judged: true, Fired: 1, Finding: flagged},
		}, Killed},
		{"clean both", []PeerExchange{
			{Judged: true, Fired: 1},
		}, Survived},
		{"one changed answer was clean unmutated and passed", []PeerExchange{
			{Judged: true, Fired: 1, BaseFinding: flagged, Finding: flagged},
			{Judged: true, Fired: 1},
		}, Survived},
		{"flagged where the fault did not fire, clean where it did", []PeerExchange{
			{Judged: true, Fired: 0, Finding: flagged},
			{Judged: true, Fired: 1},
		}, Killed},
		{"flagged without the fault firing anywhere", []PeerExchange{
			{Judged: true, Finding: flagged},
		}, Flaky},
		{"the fault changed only a request the tool could not take", []PeerExchange{
			{Judged: false, Fired: 2},
			{Judged: true},
		}, Unexercised},
		{"the fault fired nowhere", []PeerExchange{{Judged: true}}, Unexercised},
		{"a finding on a request the tool did not judge is no kill", []PeerExchange{
			{Judged: false, Fired: 1, Finding: flagged},
			{Judged: true, Fired: 1},
		}, Survived},
	} {
		if got, why := PeerVerdict(tc.exs); got != tc.want {
			t.Errorf("%s: %s (%s), want %s", tc.name, got, why, tc.want)
		}
	}
}

func TestNotJudgeableIsOutsideTheScore(t *testing.T) {
	m := Mutant{ID: "me/200/type-changed/x", Op: "me", Kind: KindType}
	out, why := PeerVerdict([]PeerExchange{{Judged: true, Fired: 1, BaseFinding: "maxLength at /bio", Finding: "maxLength at /bio"}})
	results := []Result{
		{Mutant: m, Outcome: Killed},
		{Mutant: m, Outcome: Survived},
		{Mutant: m, Outcome: out, Reason: "the tool rejects the unmutated answer", Explanation: why},
	}
	s := Summarise("Prism", results)
	if o := s.Overall; o.Score != 50 || o.NotJudgeable != 1 || o.Survived != 1 || s.ByKind[string(KindType)].NotJudgeable != 1 {
		t.Errorf("tally %+v", o)
	}
	data, _ := json.Marshal(s.Overall)
	if !strings.Contains(string(data), `"not_judgeable":1`) {
		t.Errorf("summary.json: %s", data)
	}
	md := s.Markdown()
	if !strings.Contains(md, "1 not judgeable") || !strings.Contains(md, "## Not judgeable") || !strings.Contains(md, "maxLength at /bio") {
		t.Errorf("survivors.md does not show the not judgeable mutant:\n%s", md)
	}
	// chconform's own summary has none: its JSON and survivors.md keep
	// their shape.
	own := Summarise("chconform", results[:2])
	data, _ = json.Marshal(own.Overall)
	if strings.Contains(string(data), "not_judgeable") || strings.Contains(own.Markdown(), "judgeable") {
		t.Errorf("a summary without peer outcomes mentions them: %s", data)
	}
}

// A replayed request n (/m/<key>/r<n>/<path>) reaches the mutant's target
// as /api/<path>, and the fault's firings on it are counted for it alone.
func TestMultiTargetCountsFiringsPerReplayedRequest(t *testing.T) {
	spec := loadSpec(t)
	m, ok := Lookup(spec, "get_topic/server-error")
	if !ok {
		t.Fatal("no server-error mutant of get_topic in the catalogue")
	}
	mt := NewMultiTarget(spec, []Mutant{m}, time.Second)
	srv := httptest.NewServer(mt)
	defer func() { srv.Close(); mt.Drop() }()
	for _, p := range []string{"/m/0/r0003/get_topic", "/m/0/r0004/me", "/m/base/r0003/get_topic"} {
		resp, err := http.Post(srv.URL+p, "application/json", strings.NewReader(`{"topic_id":1}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if got := mt.FiredAt("0", "r0003"); got != 1 {
		t.Errorf("fired on request 3: %d, want 1", got)
	}
	if got := mt.FiredAt("0", "r0004"); got != 0 {
		t.Errorf("fired on request 4 (another operation): %d, want 0", got)
	}
	if got := mt.FiredAt(BaseKey, "r0003"); got != 0 {
		t.Errorf("fired on the unmutated target: %d, want 0", got)
	}
}

// The recorder keeps each request as the client sent it, with the
// operation it went to and the status it got.
func TestRecorderKeepsTheRequestAndItsStatus(t *testing.T) {
	spec := loadSpec(t)
	rec := &recorder{ops: opsByPath(spec), next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"detail":"no","channel":"abcdEFGH","user":{"auth_token":"c0ffee5eed"}}`))
	})}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/get_topic?x=1", strings.NewReader(`{"topic_id":1}`))
	req.Header.Set("Authorization", "Token abc")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(rec.seq) != 1 {
		t.Fatalf("recorded %d requests", len(rec.seq))
	}
	got := rec.seq[0]
	if got.Op != "get_topic" || got.Status != 401 || got.Path != "/get_topic" || got.Query != "x=1" ||
		got.Body != `{"topic_id":1}` || got.Header["Authorization"] != "Token abc" || got.Header["Content-Length"] != "" ||
		len(got.Captured) != 2 || got.Captured["/channel"] != "abcdEFGH" || got.Captured["/user/auth_token"] != "c0ffee5eed" {
		t.Errorf("recorded %+v", got)
	}
}

// A replay on a fresh emulator gets other tokens than the recording run:
// the request that carried the recorded token carries the replay's.
func TestTranslatorCarriesTheReplayedTokens(t *testing.T) {
	const old, fresh = "0123456789abcdef-recorded", "fedcba9876543210-replayed"
	seq := []PeerRequest{
		{Path: "/complete_phone_number_auth", Captured: map[string]string{"/auth_token": old}},
		{Path: "/me", Header: map[string]string{"Authorization": "Token " + old}, Body: `{"token":"` + old + `"}`},
	}
	var gotAuth, gotBody string
	tr := NewTranslator(seq, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(ReplayHeader) != "" {
			t.Error("the replay index reached the target")
		}
		if r.URL.Path == "/complete_phone_number_auth" {
			_, _ = w.Write([]byte(`{"auth_token":"` + fresh + `"}`))
			return
		}
		gotAuth = r.Header.Get("Authorization")
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
	}))
	srv := httptest.NewServer(tr)
	defer srv.Close()
	for i, q := range seq {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+q.Path, strings.NewReader(q.Body))
		for k, v := range q.Header {
			req.Header.Set(k, v)
		}
		req.Header.Set(ReplayHeader, itoa(i))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if gotAuth != "Token "+fresh || gotBody != `{"token":"`+fresh+`"}` {
		t.Errorf("the second request reached the target with %q and %s", gotAuth, gotBody)
	}
}

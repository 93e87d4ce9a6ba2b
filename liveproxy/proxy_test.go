package liveproxy_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/audit"
	"github.com/chconform/chconform/capture"
	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
	"github.com/chconform/chconform/liveproxy"
)

// emulatorToken is the emulator's default account (profiles/emulator.yaml).
const emulatorToken = "c0ffee5eed00c0ffee5eed00c0ffee5eed001234"

// session is one proxy run in front of an upstream, ended by stop.
type session struct {
	url     string
	cancel  context.CancelFunc
	done    chan liveproxy.Result
	errc    chan error
	out     *syncBuffer
	auditor *audit.Auditor
	har     string
}

func newAuditor(t testing.TB) *audit.Auditor {
	t.Helper()
	spec, err := harness.LoadSpec("api.yaml (embedded)", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	return audit.New(audit.Options{Spec: spec, Tool: report.CurrentTool()})
}

func start(t testing.TB, upstream string, tweak func(*liveproxy.Config)) *session {
	t.Helper()
	up, err := liveproxy.ParseUpstream(upstream)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &session{out: &syncBuffer{}, auditor: newAuditor(t), done: make(chan liveproxy.Result, 1), errc: make(chan error, 1)}
	s.har = filepath.Join(t.TempDir(), "proxy.har")
	cfg := liveproxy.Config{
		Options:     liveproxy.Options{Upstream: up, MaxBody: 8 << 20, HeldBudget: 64 << 20, UpstreamTimeout: 10 * time.Second},
		Listener:    ln,
		Auditor:     s.auditor,
		JudgeBudget: 64 << 20,
		HAR:         s.har,
		Out:         s.out,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	var ctx context.Context
	ctx, s.cancel = context.WithCancel(context.Background())
	ready := make(chan string, 1)
	cfg.Ready = func(u string) { ready <- u }
	go func() {
		res, err := liveproxy.Run(ctx, cfg)
		s.errc <- err
		s.done <- res
	}()
	select {
	case s.url = <-ready:
	case err := <-s.errc:
		t.Fatalf("the proxy did not start: %v", err)
	}
	t.Cleanup(s.cancel)
	return s
}

// stop ends the session and returns its verdict.
func (s *session) stop(t testing.TB) (liveproxy.Result, report.Summary, []report.FailedSpec) {
	t.Helper()
	s.cancel()
	if err := <-s.errc; err != nil {
		t.Fatalf("Run: %v", err)
	}
	res := <-s.done
	sum, failures := s.auditor.Result()
	return res, sum, failures
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// rawClient sends requests as they are written: no compression asked or
// undone, no connection kept.
var rawClient = &http.Client{Transport: &http.Transport{DisableCompression: true, DisableKeepAlives: true}}

func emulatorRequest(t testing.TB, method, base, op string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, base+"/"+op, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token "+emulatorToken)
	req.Header.Set("CH-AppVersion", harness.DefaultAppVersion)
	req.Header.Set("CH-AppBuild", "304")
	req.Header.Set("CH-Languages", "en-US")
	req.Header.Set("CH-Locale", "en_US")
	req.Header.Set("CH-DeviceId", "C0FFEE00-5EED-4E00-8000-000000001234")
	return req
}

func do(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// hopByHop are the headers a proxy may not pass on (RFC 9110 §7.6.1).
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func withoutHopByHop(h http.Header) http.Header {
	h = h.Clone()
	for _, name := range hopByHop {
		h.Del(name)
	}
	return h
}

func TestForwardsRequestAndAnswerByteExact(t *testing.T) {
	t.Parallel()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bytes.Repeat([]byte(`{"channels":[]}`), 200))
	zw.Close()
	answer := append([]byte("\xff\xfe not UTF-8 \x00"), gz.Bytes()...)

	var got *http.Request
	var gotBody []byte
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		gotBody, _ = io.ReadAll(r.Body)
		w.Header()["Set-Cookie"] = []string{"a=1; Path=/", "b=2"}
		w.Header().Set("X-Odd", "  spaced  value ")
		w.Header().Add("X-Twice", "one")
		w.Header().Add("X-Twice", "two")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(418)
		w.Write(answer)
	}))
	defer upstream.Close()
	s := start(t, upstream.URL+"/base", nil)

	sent := []byte("\x00binary\xff request body")
	req, _ := http.NewRequest("PATCH", s.url+"/some/path%2Fenc?b=2&a=%zz;x&a=1", bytes.NewReader(sent))
	req.Header.Set("User-Agent", "test-client/1")
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("X-Forwarded-For", "10.1.2.3")
	req.Header.Set("Forwarded", "for=10.1.2.3")
	req.Header.Add("X-Twice", "1")
	req.Header.Add("X-Twice", "2")
	req.Header.Set("Authorization", "Bearer abc.def")
	resp, body := do(t, req)

	if got.Method != "PATCH" || got.URL.RequestURI() != "/base/some/path%2Fenc?b=2&a=%zz;x&a=1" {
		t.Errorf("upstream got %s %s", got.Method, got.URL.RequestURI())
	}
	// Content-Length is the one header a client's transport writes
	// beside those the request holds.
	want := req.Header.Clone()
	want.Set("Content-Length", strconv.Itoa(len(sent)))
	if !reflect.DeepEqual(withoutHopByHop(got.Header), want) {
		t.Errorf("request headers changed:\n sent %v\n got  %v", want, got.Header)
	}
	if !bytes.Equal(gotBody, sent) {
		t.Errorf("request body changed: %q", gotBody)
	}
	if resp.StatusCode != 418 || !bytes.Equal(body, answer) {
		t.Errorf("answer changed: %d, %d bytes (want 418, %d bytes)", resp.StatusCode, len(body), len(answer))
	}
	// What the upstream's server wrote, read straight from it.
	direct, _ := http.NewRequest("GET", upstream.URL, nil)
	direct.Header.Set("Accept-Encoding", "gzip")
	dresp, _ := do(t, direct)
	wantAnswer := withoutHopByHop(dresp.Header)
	wantAnswer.Del("Date")
	have := withoutHopByHop(resp.Header)
	have.Del("Date")
	if !reflect.DeepEqual(have, wantAnswer) {
		t.Errorf("answer headers changed:\n upstream %v\n proxy    %v", wantAnswer, have)
	}
	res, _, _ := s.stop(t)
	if res.Exchanges != 1 {
		t.Errorf("%d exchanges, want 1", res.Exchanges)
	}
}

func TestStreamsAnAnswerBeforeTheUpstreamEndsIt(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"first":`)
		w.(http.Flusher).Flush()
		<-release
		io.WriteString(w, `true}`)
	}))
	defer upstream.Close()
	s := start(t, upstream.URL, nil)
	req, _ := http.NewRequest("GET", s.url+"/get_channels", nil)
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, len(`{"first":`))
	read := make(chan error, 1)
	go func() { _, err := io.ReadFull(resp.Body, first); read <- err }()
	select {
	case err := <-read:
		if err != nil || string(first) != `{"first":` {
			t.Fatalf("first chunk: %q, %v", first, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first chunk did not reach the client while the upstream held the rest")
	}
	close(release)
	rest, _ := io.ReadAll(resp.Body)
	if string(rest) != `true}` {
		t.Errorf("rest: %q", rest)
	}
	s.stop(t)
}

// An upstream that hangs up on a request it read must cost that request a
// 502, never a second delivery (net/http resends a GET, HEAD, DELETE or a
// POST with an Idempotency-Key on its own when a kept-alive connection
// turns out closed), and a failed exchange with a transcript. The first
// request of each pair reaches the upstream as sent: no body, no
// Transfer-Encoding.
func TestNeverResendsARequestAndAResetIsA502(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ method, header string }{{"GET", ""}, {"DELETE", ""}, {"POST", "Idempotency-Key"}, {"PUT", "X-Idempotency-Key"}} {
		var count atomic.Int64
		var sawBody atomic.Bool
		var conns sync.Map
		upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conns.Store(r.RemoteAddr, true)
			if count.Add(1) == 1 {
				b, _ := io.ReadAll(r.Body)
				sawBody.Store(len(b) > 0 || len(r.TransferEncoding) > 0 || r.ContentLength > 0)
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{}`)
				return
			}
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.(*net.TCPConn).SetLinger(0)
				conn.Close()
			}
		}))
		s := start(t, upstream.URL+"/api", nil)
		client := &http.Client{Transport: &http.Transport{}} // keeps its connection to the proxy
		for i, want := range []int{200, 502} {
			req := emulatorRequest(t, tc.method, s.url, "get_channels")
			if tc.header != "" {
				req.Header.Set(tc.header, "k1")
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("%s request %d: status %d, want %d", tc.method, i+1, resp.StatusCode, want)
			}
		}
		_, sum, failures := s.stop(t)
		upstream.Close()
		if n := count.Load(); n != 2 {
			t.Errorf("%s: the upstream got %d requests for 2 sent", tc.method, n)
		}
		if sawBody.Load() {
			t.Errorf("%s: the upstream got a body or a Transfer-Encoding the client did not send", tc.method)
		}
		n := 0
		conns.Range(func(any, any) bool { n++; return true })
		if reused := n == 1; reused != (tc.header == "") {
			// The second request of a pair goes on the first one's
			// connection (the case where net/http would resend), unless
			// it is one the proxy sends on a fresh connection.
			t.Errorf("%s: %d upstream connections for 2 requests", tc.method, n)
		}
		if tc.method == "GET" && (sum.Totals.Failed != 2 || !hasTranscript(failures, "no answer")) {
			// The first answer ({}) breaks get_channels' schema too.
			t.Errorf("failed: %d, want 2; transcripts: %+v", sum.Totals.Failed, failures)
		}
	}
}

func TestAHungUpstreamIsA502AndAFailedExchange(t *testing.T) {
	t.Parallel()
	hang := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer upstream.Close()
	defer close(hang)
	s := start(t, upstream.URL+"/api", func(c *liveproxy.Config) { c.UpstreamTimeout = 200 * time.Millisecond })
	resp, body := do(t, emulatorRequest(t, "GET", s.url, "get_channels"))
	if resp.StatusCode != 502 {
		t.Errorf("status %d (%s), want 502", resp.StatusCode, body)
	}
	_, sum, failures := s.stop(t)
	if sum.Totals.Failed != 1 || !hasTranscript(failures, "timeout") {
		t.Errorf("failed %d, transcripts %+v", sum.Totals.Failed, failures)
	}
	if out := s.out.String(); !strings.Contains(out, "FAILED CH-") || !strings.Contains(out, "get_channels response_received") {
		t.Errorf("no failure line:\n%s", out)
	}
}

func hasTranscript(failures []report.FailedSpec, text string) bool {
	for _, f := range failures {
		for _, c := range f.Spec.Checks {
			if c.Name == harness.CheckResponseReceived && strings.Contains(c.Message, text) && len(f.Exchanges) == 1 {
				return true
			}
		}
	}
	return false
}

func TestJudgesBesideForwarding(t *testing.T) {
	t.Parallel()
	emu := httptest.NewServer(emulator.New(emulator.Options{}).Handler())
	defer emu.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"success": true, "channels": "not a list", "events": []}`)
	}))
	defer broken.Close()

	t.Run("conforming", func(t *testing.T) {
		s := start(t, emu.URL+"/api", nil)
		direct, want := do(t, emulatorRequest(t, "GET", emu.URL+"/api", "get_channels"))
		resp, got := do(t, emulatorRequest(t, "GET", s.url, "get_channels"))
		if direct.StatusCode != 200 || resp.StatusCode != 200 || !bytes.Equal(got, want) {
			t.Fatalf("statuses %d/%d, the bodies differ: %v", direct.StatusCode, resp.StatusCode, !bytes.Equal(got, want))
		}
		do(t, emulatorRequest(t, "GET", s.url, "no_such_operation"))
		_, sum, _ := s.stop(t)
		if sum.Totals.Passed != 1 || sum.Totals.Failed != 0 || sum.ExitCode() != 0 {
			t.Errorf("totals %+v, exit %d", sum.Totals, sum.ExitCode())
		}
		if len(sum.Audit.Outside) != 1 || sum.Audit.Outside[0].Path != "/api/no_such_operation" {
			t.Errorf("outside the contract: %+v", sum.Audit.Outside)
		}
		if strings.Contains(s.out.String(), "FAILED") {
			t.Errorf("a failure line for a conforming answer:\n%s", s.out)
		}
	})
	t.Run("schema-breaking", func(t *testing.T) {
		s := start(t, broken.URL+"/api", nil)
		do(t, emulatorRequest(t, "GET", s.url, "get_channels"))
		_, sum, _ := s.stop(t)
		if sum.Totals.Failed != 1 || sum.ExitCode() != 1 {
			t.Errorf("totals %+v, exit %d", sum.Totals, sum.ExitCode())
		}
		var id string
		for _, sp := range sum.Specs {
			for _, c := range sp.Checks {
				if c.Name == harness.CheckResponseSchema && c.CaseID != "" {
					id = c.CaseID
				}
			}
		}
		line := "FAILED " + id + " get_channels " + harness.CheckResponseSchema + ": proxy #1: GET /get_channels"
		if id == "" || !strings.Contains(s.out.String(), line) {
			t.Errorf("want the line %q (the summary's case id) in:\n%s", line, s.out)
		}
	})
}

func TestAnAnswerPastTheSizeBoundIsForwardedAndNotJudged(t *testing.T) {
	t.Parallel()
	emu := httptest.NewServer(emulator.New(emulator.Options{}).Handler())
	defer emu.Close()
	s := start(t, emu.URL+"/api", func(c *liveproxy.Config) { c.MaxBody = 4096 })
	_, want := do(t, emulatorRequest(t, "GET", emu.URL+"/api", "get_channels"))
	resp, got := do(t, emulatorRequest(t, "GET", s.url, "get_channels"))
	if resp.StatusCode != 200 || len(want) < 100000 || !bytes.Equal(got, want) {
		t.Fatalf("status %d, %d bytes forwarded of %d", resp.StatusCode, len(got), len(want))
	}
	_, sum, _ := s.stop(t)
	var sp *report.SpecSummary
	for i := range sum.Specs {
		if strings.HasPrefix(sum.Specs[i].Name, "proxy #1") {
			sp = &sum.Specs[i]
		}
	}
	if sp == nil || sp.Outcome != report.OutcomeUnsupported || !strings.Contains(sp.Reason, "--max-body 4096") {
		t.Fatalf("the oversize answer's line: %+v", sp)
	}
	e := readHAR(t, s.har)[0]
	if e.BodyCaptured || e.Response == nil || e.Response.Status != 200 {
		t.Errorf("the HAR keeps the oversize answer as %+v", e)
	}
}

func TestTheJudgeBehindCostsVerdictsNotForwarding(t *testing.T) {
	t.Parallel()
	emu := httptest.NewServer(emulator.New(emulator.Options{}).Handler())
	defer emu.Close()
	// A budget smaller than one answer: while one waits for the judge,
	// the next is judged by its status and headers only.
	s := start(t, emu.URL+"/api", func(c *liveproxy.Config) { c.JudgeBudget = 1024; c.Workers = 1 })
	for range 20 {
		if resp, _ := do(t, emulatorRequest(t, "GET", s.url, "get_channels")); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	_, sum, _ := s.stop(t)
	behind := 0
	for _, sp := range sum.Specs {
		if sp.Outcome == report.OutcomeUnsupported && strings.Contains(sp.Reason, "the judge was behind") {
			behind++
		}
	}
	if sum.Totals.Passed+behind != 20 || sum.Totals.Failed != 0 {
		t.Errorf("passed %d, behind %d, totals %+v", sum.Totals.Passed, behind, sum.Totals)
	}
}

// The upstream echoes the client's credential (of no shape the masking
// knows) in a header and in a body that breaks the contract, so that the
// reports quote it: no file written, no line printed holds it.
func TestSecretsTheUpstreamEchoesAreMasked(t *testing.T) {
	t.Parallel()
	const secret = "Zq-echoed-Secret-77"
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Token ")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", token)
		io.WriteString(w, `{"success": true, "channels": "`+token+`", "cookie": "`+secret+`-c"}`)
	}))
	defer upstream.Close()
	dir := t.TempDir()
	s := start(t, upstream.URL+"/api", func(c *liveproxy.Config) { c.HAR = filepath.Join(dir, "proxy.har") })
	req := emulatorRequest(t, "GET", s.url, "get_channels")
	req.Header.Set("Authorization", "Token "+secret)
	req.Header.Set("Cookie", "sid="+secret+"-c")
	do(t, req)
	_, sum, failures := s.stop(t)
	if sum.Totals.Failed != 1 {
		t.Fatalf("totals %+v", sum.Totals)
	}
	if err := report.WriteRenderings(sum, failures, nil, report.PathsIn(dir)); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteJSONFile(filepath.Join(dir, "summary.json"), sum); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, f := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, f.Name()))
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("%s holds the secret", f.Name())
		}
	}
	if len(entries) < 5 || strings.Contains(s.out.String(), secret) {
		t.Errorf("files %d; output:\n%s", len(entries), s.out)
	}
	if har := readHAR(t, filepath.Join(dir, "proxy.har")); len(har) != 1 || !strings.Contains(string(har[0].Response.Body), "<client_credential>") {
		t.Errorf("the HAR's answer: %+v", har)
	}
}

func readHAR(t testing.TB, path string) []capture.Entry {
	t.Helper()
	var out []capture.Entry
	if err := capture.Read(path, func(e capture.Entry) error { out = append(out, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoopbackAddresses(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"127.0.0.1:0": true, "localhost:8080": true, "[::1]:0": true, "127.1.2.3:9": true,
		"0.0.0.0:8080": false, ":8080": false, "[::]:0": false, "192.168.1.2:80": false, "example.com:80": false, "nonsense": false,
	} {
		if got := liveproxy.IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v", addr, got)
		}
	}
}

func TestUpstreamURLs(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{
		"http://127.0.0.1:8080/api": true, "https://example.com": true,
		"ftp://x/": false, "127.0.0.1:8080": false, "http:///api": false,
	} {
		if _, err := liveproxy.ParseUpstream(raw); (err == nil) != ok {
			t.Errorf("ParseUpstream(%q): %v", raw, err)
		}
	}
	if _, err := liveproxy.ParseUpstream("http://user:hunter22secret@:bad"); err == nil || strings.Contains(err.Error(), "hunter22secret") {
		t.Errorf("the error shows the password: %v", err)
	}
}

// The client's request body read past its declared length fails, as a
// server's does once it closed the request: net/http's transport reads
// there to check the body's end, and an error there made it drop the
// upstream connection while the answer was still arriving (a truncated
// answer to the client, about one large answer in a hundred under load).
func TestAReadPastTheRequestBodyNeverCutsTheAnswer(t *testing.T) {
	t.Parallel()
	answer := bytes.Repeat([]byte(`{"user_id": 1234567, "name": "n"},`), 16<<10)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
		half := len(answer) / 2
		w.Write(answer[:half])
		w.(http.Flusher).Flush()
		time.Sleep(100 * time.Millisecond) // the transport's check happens meanwhile
		w.Write(answer[half:])
	}))
	defer upstream.Close()
	up, _ := liveproxy.ParseUpstream(upstream.URL + "/api")
	var got *liveproxy.Exchange
	fwd := liveproxy.NewForwarder(liveproxy.Options{Upstream: up, MaxBody: 8 << 20, HeldBudget: 64 << 20}, func(x *liveproxy.Exchange) { got = x })
	const sent = `{"user_id": 1234}`
	req := httptest.NewRequest("POST", "/get_profile", &closedAfter{r: strings.NewReader(sent)})
	req.ContentLength = int64(len(sent))
	rec := httptest.NewRecorder()
	fwd.ServeHTTP(rec, req)
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), answer) {
		t.Fatalf("status %d, %d of %d bytes", rec.Code, rec.Body.Len(), len(answer))
	}
	if got == nil || string(got.RequestBody) != sent || got.RequestLost != "" || got.ResponseLost != "" {
		t.Errorf("the exchange kept: %+v", got)
	}
}

// closedAfter is a request body that fails once its bytes are all read,
// as a closed one does.
type closedAfter struct{ r *strings.Reader }

func (c *closedAfter) Read(p []byte) (int, error) {
	if c.r.Len() == 0 {
		return 0, errors.New("http: invalid Read on closed Body")
	}
	return c.r.Read(p)
}

func TestEndsAfterItsDurationOrItsExchanges(t *testing.T) {
	t.Parallel()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer upstream.Close()
	s := start(t, upstream.URL, func(c *liveproxy.Config) { c.Duration = 300 * time.Millisecond })
	select {
	case err := <-s.errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the session outlived its duration")
	}
	s = start(t, upstream.URL, func(c *liveproxy.Config) { c.MaxExchanges = 2 })
	for range 2 {
		do(t, emulatorRequest(t, "GET", s.url, "get_channels"))
	}
	select {
	case err := <-s.errc:
		if res := <-s.done; err != nil || res.Exchanges != 2 {
			t.Fatalf("%v, %d exchanges", err, res.Exchanges)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the session outlived its two exchanges")
	}
}

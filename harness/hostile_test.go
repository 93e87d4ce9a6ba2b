package harness

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The harness is pointed at servers its authors do not control. Each test
// here starts a misbehaving server on loopback and proves the exchange ends
// as a failed check with a clear message and its transcript: never a panic,
// never a hang, never a goroutine left behind.

const hostileTimeout = 1500 * time.Millisecond

// hostileCase is one misbehaving server and what the harness must make of it.
type hostileCase struct {
	name string
	// handler serves with net/http; raw, when set instead, gets the
	// accepted connection (after the request was read, when readRequest).
	handler     http.HandlerFunc
	raw         func(net.Conn)
	readRequest bool
	// check is the check that must fail, with a message matching fragment.
	check    string
	fragment string
	// maxHits bounds the requests the server may see (1: no retry, no redirect followed).
	maxHits int32
	// extra asserts on the exchange.
	extra func(t *testing.T, ex *Exchange)
}

func hostileCases(done <-chan struct{}, written *atomic.Int64) []hostileCase {
	jsonHeader := func(w http.ResponseWriter) { w.Header().Set("Content-Type", "application/json") }
	status := func(code int, body string, header ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			jsonHeader(w)
			for i := 0; i+1 < len(header); i += 2 {
				w.Header().Set(header[i], header[i+1])
			}
			w.WriteHeader(code)
			_, _ = w.Write([]byte(body))
		}
	}
	return []hostileCase{
		{name: "never answers", raw: func(c net.Conn) { <-done }, readRequest: true,
			check: CheckResponseReceived, fragment: "context deadline exceeded"},
		{name: "headers then silence", handler: func(w http.ResponseWriter, r *http.Request) {
			jsonHeader(w)
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"success":`))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-done:
			}
		}, check: CheckResponseReceived, fragment: "reading the response body: context deadline exceeded",
			extra: func(t *testing.T, ex *Exchange) {
				if ex.Response == nil || ex.Response.Status != 200 || !ex.Response.Truncated {
					t.Errorf("the status and the start of the body are kept for the transcript: %+v", ex.Response)
				}
			}},
		{name: "connection reset", raw: func(c net.Conn) {
			_ = c.(*net.TCPConn).SetLinger(0) // close with RST
		}, readRequest: true, check: CheckResponseReceived, fragment: "connection reset|EOF"},
		{name: "invalid JSON", handler: status(200, `{"success": tru`), check: CheckResponseSchema, fragment: "not valid JSON"},
		{name: "invalid UTF-8", handler: status(200, "{\"success\":true,\"user_profile\":{\"user_id\":4,\"name\":\"\xff\xfe\"}}"),
			check: CheckResponseSchema, fragment: "not valid UTF-8"},
		{name: "a 200 MB body", handler: func(w http.ResponseWriter, _ *http.Request) {
			jsonHeader(w)
			w.Header().Set("Content-Length", fmt.Sprint(200<<20))
			chunk := []byte(strings.Repeat(" ", 64<<10))
			for sent := 0; sent < 200<<20; sent += len(chunk) {
				n, err := w.Write(chunk)
				written.Add(int64(n))
				if err != nil {
					return
				}
			}
		}, check: CheckResponseReceived, fragment: "exceeds the size cap",
			extra: func(t *testing.T, ex *Exchange) {
				if ex.Response == nil || len(ex.Response.Body) != MaxBodyBytes || !ex.Response.Truncated {
					t.Errorf("the body is cut at the cap, not read whole")
				}
			}},
		{name: "Content-Length longer than the body", raw: func(c net.Conn) {
			_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"success\":true}"))
		}, readRequest: true, check: CheckResponseReceived, fragment: "unexpected EOF"},
		{name: "a body dripping one byte a second", handler: func(w http.ResponseWriter, r *http.Request) {
			jsonHeader(w)
			w.WriteHeader(200)
			for _, b := range []byte(`{"success":true,"user_profile":{}}`) {
				_, _ = w.Write([]byte{b})
				w.(http.Flusher).Flush()
				select {
				case <-time.After(time.Second):
				case <-r.Context().Done():
					return
				case <-done:
					return
				}
			}
		}, check: CheckResponseReceived, fragment: "reading the response body: context deadline exceeded"},
		{name: "a redirect loop", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.String(), http.StatusFound)
		}, check: CheckStatusCode, fragment: "status 302 is not documented", maxHits: 1},
		{name: "HTML instead of JSON", handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>"))
		}, check: CheckContentType, fragment: `Content-Type "text/html" is not documented`},
		{name: "an empty body", handler: status(200, ""), check: CheckResponseSchema, fragment: "the body is empty"},
		{name: "204 No Content", handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) },
			check: CheckStatusCode, fragment: "status 204 is not documented"},
		{name: "418 I'm a teapot", handler: status(418, `{"detail":"I'm a teapot"}`), check: CheckStatusCode, fragment: "status 418 is not documented"},
		{name: "500", handler: status(500, "<h1>Server Error (500)</h1>"), check: CheckNotAServerError, fragment: "server error: status 500"},
		{name: "503", handler: status(503, "upstream connect error"), check: CheckNotAServerError, fragment: "server error: status 503"},
		{name: "429 with an absurd Retry-After", handler: status(429, `{"detail":"Request was throttled."}`, "Retry-After", "31536000"),
			check: CheckNotRateLimited, fragment: "beyond the 30s the harness waits per request", maxHits: 1},
	}
}

// serveRaw accepts connections on loopback and hands each to raw, then
// closes it; it stops when the test ends.
func serveRaw(t *testing.T, raw func(net.Conn), readRequest bool, hits *atomic.Int32) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			hits.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				if readRequest {
					if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
						return
					}
				}
				raw(c)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return "http://" + ln.Addr().String()
}

func TestHostileServersEndAsFailedChecks(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end (every hostile server, with its timeouts): make test-e2e runs it")
	}
	for i, c := range hostileCases(nil, nil) {
		t.Run(c.name, func(t *testing.T) {
			noLeaks(t)
			done := make(chan struct{})
			var written atomic.Int64
			c := hostileCases(done, &written)[i] // the case bound to this test's channel
			var hits atomic.Int32
			var url string
			if c.raw != nil {
				url = serveRaw(t, c.raw, c.readRequest, &hits)
			} else {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					hits.Add(1)
					c.handler(w, r)
				}))
				t.Cleanup(srv.Close)
				url = srv.URL
			}
			t.Cleanup(func() { close(done) }) // runs first: lets silent handlers return

			client, rec := testClient(t, url, hostileTimeout)
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			ex := client.Do(context.Background(), profileCall(t))
			took := time.Since(start)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)

			if took > hostileTimeout+time.Second {
				t.Errorf("took %s; the timeout is %s", took, hostileTimeout)
			}
			m := ConformToSpec()
			ok, err := m.Match(ex)
			if err != nil || ok {
				t.Fatalf("the exchange conforms (%v, %v): a hostile server must fail a check", ok, err)
			}
			failed := resultOf(rec.verdicts[len(rec.verdicts)-1], c.check)
			msg := m.FailureMessage(ex)
			if failed.Status != CheckFailed || !regexp.MustCompile(c.fragment).MatchString(msg) {
				t.Errorf("want %s failed with /%s/; %s: %+v\n%s", c.check, c.fragment, c.check, failed, msg)
			}
			if len(rec.exchanges) == 0 || rec.exchanges[0].Request.URL == "" || rec.exchanges[0].Request.Header.Get(SpecHeader) == "" {
				t.Errorf("the exchange is recorded for the transcript, with its spec header: %+v", rec.exchanges)
			}
			if c.maxHits > 0 && hits.Load() > c.maxHits {
				t.Errorf("the server saw %d requests, at most %d expected (no redirect followed, no retry)", hits.Load(), c.maxHits)
			}
			if grown := int64(after.TotalAlloc - before.TotalAlloc); grown > 96<<20 {
				t.Errorf("allocated %d MiB for one exchange", grown>>20)
			}
			if w := written.Load(); w > 64<<20 {
				t.Errorf("the server could write %d MiB: the client must stop reading at the cap", w>>20)
			}
			if c.extra != nil {
				c.extra(t, ex)
			}
			t.Logf("%s: %s in %s", c.name, strings.SplitN(strings.TrimSpace(firstFinding(failed)), "\n", 2)[0], took.Round(time.Millisecond))
		})
	}
}

// noLeaks fails the test when, after every cleanup (servers closed, idle
// connections dropped), a goroutine it started is still running. Registered
// first, it runs last.
func noLeaks(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

func firstFinding(r CheckResult) string {
	if len(r.Findings) == 0 {
		return ""
	}
	return r.Findings[0].Message
}

// A target that refuses connections is one clear error, quickly.
func TestRefusedConnectionIsAFailedCheckNotAHang(t *testing.T) {
	noLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	client, _ := testClient(t, "http://"+addr, hostileTimeout)
	start := time.Now()
	ex := client.Do(context.Background(), profileCall(t))
	r := resultOf(Verify(ex, StandardChecks(false)...), CheckResponseReceived)
	if r.Status != CheckFailed || !strings.Contains(firstFinding(r), "connection refused") || time.Since(start) > time.Second {
		t.Errorf("%+v in %s", r, time.Since(start))
	}
}

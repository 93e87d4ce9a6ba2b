// Package liveproxy is `chconform proxy`: a reverse proxy that hands a
// client's requests to an upstream and the upstream's answers back
// unchanged, streamed, while a copy of each exchange (bounded in size) is
// judged beside the forwarding by the audit's checks (audit.Live). The
// client never waits for a verdict.
//
// What it promises a service it stands in front of:
//
//   - a request goes upstream once: net/http resends a GET or HEAD on its own
//     when a kept-alive connection turns out closed; the proxy's transport
//     makes every request one it does not resend (NewTransport);
//   - no header is added, removed or changed but the hop-by-hop ones
//     (httputil.ReverseProxy's handling: Connection and what it names,
//     Keep-Alive, Transfer-Encoding, TE, Upgrade...), and Host, which names
//     the upstream; the client's X-Forwarded-* headers and its query string
//     go as they came (ReverseProxy's Rewrite would drop or clean them);
//   - no credential is added; the body is neither decompressed nor
//     compressed (the transport's transparent gzip is off);
//   - memory is bounded: a body past MaxBody is forwarded whole and not
//     kept; the bodies kept while forwarding and those queued for the judge
//     each have a byte budget.
package liveproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// Exchange is one request and answer that passed through, as far as the
// proxy kept them.
type Exchange struct {
	Index   int
	Started time.Time
	// Elapsed runs until the answer's last byte was handed to the client.
	Elapsed time.Duration
	Method  string
	// URL is the upstream URL the request went to.
	URL           string
	RequestHeader http.Header
	// RequestBody is the request's body when Kept says it was kept whole;
	// RequestLost says why it was not.
	RequestBody []byte
	RequestLost string
	// Status is 0 when the upstream gave no answer; Err then says why (the
	// client got a 502).
	Status         int
	ResponseHeader http.Header
	ResponseBody   []byte
	// ResponseLost says why the answer's body was not kept whole ("" when
	// it was): over the size bound, the memory bound, the upstream broke
	// it off, the client went away.
	ResponseLost string
	Err          error
	// ClientGone: the client went away before the exchange ended.
	ClientGone bool
}

// Options configure the forwarding.
type Options struct {
	Upstream *url.URL
	// MaxBody bounds each body kept for the judge (the body is forwarded
	// whole whatever its size).
	MaxBody int64
	// HeldBudget bounds the bytes of bodies kept by all exchanges in flight.
	HeldBudget int64
	// UpstreamTimeout bounds the wait for the upstream's answer headers (a
	// hung upstream becomes a 502); 0 waits as long as the client does.
	UpstreamTimeout time.Duration
	// Transport replaces the proxy's own transport to the upstream (tests,
	// benchmarks); it must not retry either.
	Transport http.RoundTripper
}

// Forwarder is the forwarding http.Handler; done is told each exchange once
// it ended, on the goroutine that forwarded it (so it must be quick: the
// last bytes of the answer may still be in the server's buffer).
type Forwarder struct {
	rp      *httputil.ReverseProxy
	opts    Options
	done    func(*Exchange)
	next    atomic.Int64
	held    atomic.Int64
	flights sync.WaitGroup
}

type exchangeKey struct{}

// forwardingHeaders are the headers ReverseProxy's Rewrite strips from the
// request before Rewrite runs; the proxy puts the client's back.
var forwardingHeaders = []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"}

// NewTransport is the transport to the upstream: no proxy from the
// environment, no transparent compression, and no request sent twice.
//
// net/http's Transport resends a request on its own when a kept-alive
// connection turns out closed, but only a request it calls replayable
// (GET, HEAD, OPTIONS, TRACE or one with an Idempotency-Key header, with no
// body or a GetBody). So every request goes out with a body that has no
// GetBody: the proxy's copy of the client's body, or, for the methods that
// usually have none (GET, HEAD, DELETE, OPTIONS...), an empty body with the
// "identity" transfer coding, which net/http writes as it writes no body at
// all (no Content-Length, no Transfer-Encoding, no bytes) without probing
// it. The rest (a body-less TRACE, or a POST with an Idempotency-Key) would
// still be replayable: they go on a fresh connection, which net/http never
// resends on.
func NewTransport(timeout time.Duration) http.RoundTripper {
	base := func(keepAlive bool) *http.Transport {
		return &http.Transport{
			DialContext:            (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
			DisableKeepAlives:      !keepAlive,
			DisableCompression:     true,
			ResponseHeaderTimeout:  timeout,
			TLSHandshakeTimeout:    10 * time.Second,
			MaxIdleConns:           64,
			MaxIdleConnsPerHost:    64,
			IdleConnTimeout:        30 * time.Second,
			MaxResponseHeaderBytes: 1 << 20,
		}
	}
	return &noResend{kept: base(true), fresh: base(false)}
}

type noResend struct{ kept, fresh *http.Transport }

func (t *noResend) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		return t.kept.RoundTrip(req)
	}
	switch req.Method {
	case "GET", "HEAD", "DELETE", "OPTIONS", "PROPFIND", "SEARCH":
		out := req.WithContext(req.Context())
		out.Body, out.ContentLength, out.TransferEncoding = emptyBody{}, 0, []string{"identity"}
		return t.kept.RoundTrip(out)
	case "TRACE":
		return t.fresh.RoundTrip(req)
	}
	if req.Header.Get("Idempotency-Key") != "" || req.Header.Get("X-Idempotency-Key") != "" {
		return t.fresh.RoundTrip(req)
	}
	return t.kept.RoundTrip(req)
}

// emptyBody is a body of no bytes that net/http cannot rewind.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// NewForwarder returns the forwarding handler.
func NewForwarder(opts Options, done func(*Exchange)) *Forwarder {
	f := &Forwarder{opts: opts, done: done}
	transport := opts.Transport
	if transport == nil {
		transport = NewTransport(opts.UpstreamTimeout)
	}
	f.rp = &httputil.ReverseProxy{
		Rewrite:        f.rewrite,
		Transport:      transport,
		ModifyResponse: f.modifyResponse,
		ErrorHandler:   f.errorHandler,
		ErrorLog:       log.New(io.Discard, "", 0),
		BufferPool:     bufferPool{},
	}
	return f
}

// Wait waits for the exchanges in flight to end.
func (f *Forwarder) Wait() { f.flights.Wait() }

func (f *Forwarder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.flights.Add(1)
	defer f.flights.Done()
	x := &Exchange{
		Index:         int(f.next.Add(1)),
		Started:       time.Now(),
		Method:        r.Method,
		URL:           r.URL.String(),
		RequestHeader: r.Header,
	}
	st := &state{x: x, f: f}
	if r.Body != nil && r.Body != http.NoBody {
		st.req = f.newTee(r.Body, r.ContentLength)
		r.Body = st.req
	}
	f.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), exchangeKey{}, st)))
	// An answer whose body was never read to its end (ModifyResponse not
	// reached, or a status without a body) ends here at the latest.
	st.finish()
}

// state is one exchange while it is forwarded.
type state struct {
	f        *Forwarder
	x        *Exchange
	req, res *tee
	once     sync.Once
}

func stateOf(ctx context.Context) *state { return ctx.Value(exchangeKey{}).(*state) }

func (f *Forwarder) rewrite(pr *httputil.ProxyRequest) {
	pr.SetURL(f.opts.Upstream)
	if f.opts.Upstream.RawQuery == "" {
		pr.Out.URL.RawQuery = pr.In.URL.RawQuery
	}
	for _, name := range forwardingHeaders {
		if v, ok := pr.In.Header[name]; ok {
			pr.Out.Header[name] = v
		}
	}
	stateOf(pr.In.Context()).x.URL = pr.Out.URL.String()
}

func (f *Forwarder) modifyResponse(res *http.Response) error {
	st := stateOf(res.Request.Context())
	st.x.Status = res.StatusCode
	st.x.ResponseHeader = res.Header
	if res.StatusCode == http.StatusSwitchingProtocols {
		// The body is the upgraded connection, which ReverseProxy needs
		// as it is; nothing of it is a contract's answer.
		st.x.ResponseLost = "the connection was upgraded (" + res.Header.Get("Upgrade") + ")"
		return nil
	}
	st.res = f.newTee(res.Body, res.ContentLength)
	st.res.onClose = st.finish
	res.Body = st.res
	return nil
}

func (f *Forwarder) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	st := stateOf(r.Context())
	if r.Context().Err() != nil {
		st.x.ClientGone = true
	}
	st.x.Err = err
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusBadGateway)
	fmt.Fprintln(w, "chconform proxy: no answer from the upstream")
	st.finish()
}

// finish hands the exchange over, once.
func (st *state) finish() {
	st.once.Do(func() {
		x := st.x
		x.Elapsed = time.Since(x.Started)
		if st.req != nil {
			x.RequestBody, x.RequestLost = st.req.take("the request's body")
		}
		if st.res != nil {
			x.ResponseBody, x.ResponseLost = st.res.take("the answer's body")
			if st.res.readErr == nil && !st.res.eof && x.Err == nil {
				x.ClientGone = true
			}
		}
		st.f.done(x)
	})
}

// tee keeps a copy of a body as it is forwarded, up to the size bound and
// within the budget shared by every exchange in flight.
type tee struct {
	f       *Forwarder
	rc      io.ReadCloser
	onClose func()

	mu sync.Mutex // the transport may still read a request body
	// length is the body's declared length (-1: not declared); read
	// counts what was read of it.
	length, read int64
	buf          []byte
	held         int64
	lost         string
	eof          bool
	readErr      error
}

func (f *Forwarder) newTee(rc io.ReadCloser, length int64) *tee {
	t := &tee{f: f, rc: rc, length: length}
	switch {
	case length > f.opts.MaxBody:
		t.lose(f.overSize())
	case length > 0:
		if !t.reserve(length) {
			break
		}
		t.buf = make([]byte, 0, length)
	}
	return t
}

func (f *Forwarder) overSize() string {
	return fmt.Sprintf("it is larger than the proxy keeps (--max-body %d bytes); forwarded whole", f.opts.MaxBody)
}

func (t *tee) reserve(n int64) bool {
	if t.f.held.Add(n) > t.f.opts.HeldBudget {
		t.f.held.Add(-n)
		t.lose(fmt.Sprintf("the bodies in flight reached the proxy's memory bound (%d bytes); forwarded whole", t.f.opts.HeldBudget))
		return false
	}
	t.held += n
	return true
}

func (t *tee) lose(why string) {
	if t.lost == "" {
		t.lost = why
	}
	t.buf = nil
	t.f.held.Add(-t.held)
	t.held = 0
}

func (t *tee) Read(p []byte) (int, error) {
	t.mu.Lock()
	done := t.length >= 0 && t.read >= t.length
	t.mu.Unlock()
	if done {
		// A body of declared length is whole: net/http's transport reads
		// on to check there is no more, and that read of the client's
		// request may come after the server closed it once the answer
		// began; its error would make the transport drop the connection
		// the answer is still arriving on.
		return 0, io.EOF
	}
	n, err := t.rc.Read(p)
	t.mu.Lock()
	t.read += int64(n)
	if n > 0 && t.lost == "" {
		switch {
		case int64(len(t.buf)+n) > t.f.opts.MaxBody:
			t.lose(t.f.overSize())
		case int64(len(t.buf)+n) <= t.held || t.reserve(int64(len(t.buf)+n)-t.held):
			t.buf = append(t.buf, p[:n]...)
		}
	}
	switch {
	case err == io.EOF || t.length >= 0 && t.read >= t.length:
		t.eof = true
	case err != nil && t.readErr == nil:
		t.readErr = err
	}
	t.mu.Unlock()
	return n, err
}

func (t *tee) Close() error {
	err := t.rc.Close()
	if t.onClose != nil {
		t.onClose()
	}
	return err
}

// take gives up the copy (and its share of the budget): the body when it
// was kept whole, else why not.
func (t *tee) take(what string) ([]byte, string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	buf, lost := t.buf, t.lost
	switch {
	case lost != "":
	case t.eof:
	case t.readErr != nil && !errors.Is(t.readErr, context.Canceled):
		lost = what + " broke off: " + t.readErr.Error()
	case !t.eof:
		lost = what + " was not read to its end"
	}
	t.f.held.Add(-t.held)
	t.buf, t.held = nil, 0
	if lost != "" {
		return nil, lost
	}
	return buf, ""
}

// bufferPool lends ReverseProxy its copy buffers.
type bufferPool struct{}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (bufferPool) Get() []byte  { return *(copyBuffers.Get().(*[]byte)) }
func (bufferPool) Put(b []byte) { copyBuffers.Put(&b) }

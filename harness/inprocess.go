package harness

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// HandlerTransport serves every request with Handler in this process: no
// socket, no port, no HTTP parsing (issue 19, the public Go API). What the
// client gets is what net/http's server would have sent for the same
// handler, so the checks judge the same answer either way: a Date header, a
// sniffed Content-Type where the handler set none, a Content-Length when the
// handler finished within the first 2048 bytes, chunked beyond, no body on
// HEAD, 204 and 304. The body streams through a pipe once the handler
// writes past that buffer, so the client's size cap and timeout hold
// against a handler that never stops writing.
type HandlerTransport struct {
	Handler http.Handler
	// RemoteAddr is what the handler sees as the client's address;
	// InProcessRemoteAddr when empty.
	RemoteAddr string
}

// InProcessRemoteAddr is the client address a handler served in process
// sees: a loopback address, as from a client on the same machine.
const InProcessRemoteAddr = "127.0.0.1:1"

// bufferBeforeStreaming is net/http's bufferBeforeChunkingSize: a response
// the handler finishes within it gets a Content-Length.
const bufferBeforeStreaming = 2048

// RoundTrip implements http.RoundTripper.
func (t HandlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Handler == nil {
		closeBody(req)
		return nil, fmt.Errorf("in-process handler: no handler")
	}
	if err := req.Context().Err(); err != nil {
		closeBody(req)
		return nil, err
	}
	// The handler's context ends when the client gives up, when it closes
	// the body, or when the handler returns, as a server connection's does.
	ctx, cancel := context.WithCancel(req.Context())
	sr := serverRequest(ctx, req, t.RemoteAddr)
	w := &inProcessWriter{
		req:    sr,
		client: req.Context(),
		header: http.Header{},
		ready:  make(chan *http.Response, 1),
		failed: make(chan error, 1),
		done:   make(chan struct{}),
		cancel: cancel,
	}
	go func() {
		defer close(w.done)
		defer cancel()
		defer closeBody(req)
		defer w.finish()
		t.Handler.ServeHTTP(w, sr)
	}()
	select {
	case resp := <-w.ready:
		resp.Request = req
		return resp, nil
	case err := <-w.failed:
		return nil, err
	case <-req.Context().Done():
		w.abandon()
		return nil, req.Context().Err()
	}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// serverRequest is req as a server hands it to a handler: a request URI,
// a URL of path and query only, the Host apart from the headers, a body
// that is never nil and the length it declares.
func serverRequest(ctx context.Context, req *http.Request, remote string) *http.Request {
	sr := req.Clone(ctx)
	sr.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	sr.RequestURI = req.URL.RequestURI()
	sr.Host = req.Host
	if sr.Host == "" {
		sr.Host = req.URL.Host
	}
	sr.Proto, sr.ProtoMajor, sr.ProtoMinor = "HTTP/1.1", 1, 1
	sr.RemoteAddr = remote
	if sr.RemoteAddr == "" {
		sr.RemoteAddr = InProcessRemoteAddr
	}
	if sr.Header.Get("User-Agent") == "" {
		sr.Header.Set("User-Agent", "Go-http-client/1.1") // what net/http's client sends
	}
	if req.Body == nil || req.Body == http.NoBody {
		sr.Body, sr.ContentLength = http.NoBody, 0
	} else {
		// The client closes the request body itself (closeBody): the
		// handler's Close must not close it under the client.
		sr.Body = io.NopCloser(req.Body)
		if sr.ContentLength > 0 {
			sr.Header.Set("Content-Length", strconv.FormatInt(sr.ContentLength, 10))
		} else if sr.ContentLength < 0 {
			sr.TransferEncoding = []string{"chunked"}
		}
	}
	return sr
}

// inProcessWriter is the handler's http.ResponseWriter. Only the handler's
// goroutine touches its fields (the handler must not use a ResponseWriter
// after it returns, as with net/http), except pr, set before the response
// is handed over.
type inProcessWriter struct {
	req *http.Request
	// client is the client's context: when it ends, a streamed body ends
	// with its error and the handler's writes fail.
	client context.Context
	header http.Header
	status int
	buf    []byte
	// sent is set once the response has been handed to the client; the
	// body then goes through pw.
	sent   bool
	pr     *io.PipeReader
	pw     *io.PipeWriter
	ready  chan *http.Response
	failed chan error
	// done is closed once the handler has returned.
	done   chan struct{}
	cancel context.CancelFunc
}

func (w *inProcessWriter) Header() http.Header { return w.header }

func (w *inProcessWriter) WriteHeader(code int) {
	if w.status != 0 || w.sent {
		return // net/http logs a superfluous WriteHeader and ignores it
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		return // an informational answer; the client's Go transport skips it too
	}
	w.status = code
}

func (w *inProcessWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if !w.sent {
		if len(w.buf)+len(p) <= bufferBeforeStreaming {
			w.buf = append(w.buf, p...)
			return len(p), nil
		}
		w.stream(p)
	}
	if w.req.Method == http.MethodHead {
		return len(p), nil
	}
	return w.pw.Write(p)
}

// Flush sends what is buffered: the response is then streamed.
func (w *inProcessWriter) Flush() {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !w.sent {
		w.stream(nil)
	}
}

// stream hands the client a response whose body is a pipe, starting with
// what was buffered; next is the write that did not fit, which net/http
// sniffs with it.
func (w *inProcessWriter) stream(next []byte) {
	w.pr, w.pw = io.Pipe()
	resp := w.response(false, append(slices.Clip(w.buf), next...))
	resp.Body = &inProcessBody{pr: w.pr, cancel: w.cancel}
	w.sent = true
	w.ready <- resp
	go func(pw *io.PipeWriter) {
		select {
		case <-w.client.Done():
			pw.CloseWithError(w.client.Err())
		case <-w.done:
		}
	}(w.pw)
	if len(w.buf) > 0 && w.req.Method != http.MethodHead {
		w.pw.Write(w.buf) // an error here is the client gone; later writes say so
	}
	w.buf = nil
}

// finish ends the handler's answer: a response not yet handed over goes
// whole with its length; a streamed one ends. A handler that panics leaves
// the client what net/http's server leaves it, a broken connection.
func (w *inProcessWriter) finish() {
	if p := recover(); p != nil {
		err := fmt.Errorf("in-process handler panicked: %v", p)
		if w.sent {
			w.pw.CloseWithError(io.ErrUnexpectedEOF)
		} else {
			w.failed <- err
		}
		return
	}
	if w.sent {
		w.pw.Close()
		return
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	resp := w.response(true, w.buf)
	w.sent = true
	w.ready <- resp
}

// abandon is the client giving up before the response arrived: writes of
// a handler still running fail from then on, as on a closed connection.
func (w *inProcessWriter) abandon() {
	select {
	case resp := <-w.ready:
		resp.Body.Close()
	default:
	}
}

// response snapshots the status and headers as net/http's server would
// send them; done says the handler has returned with the whole body in buf;
// first is the start of the body, for sniffing its type.
func (w *inProcessWriter) response(done bool, first []byte) *http.Response {
	code := w.status
	h := w.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	head := w.req.Method == http.MethodHead
	_, hasTE := h["Transfer-Encoding"]
	if bodyAllowed(code) {
		if _, ok := h["Content-Type"]; !ok && h.Get("Content-Encoding") == "" && !hasTE && len(first) > 0 {
			h.Set("Content-Type", http.DetectContentType(first))
		}
	} else {
		h.Del("Content-Length")
		h.Del("Transfer-Encoding")
		if code == http.StatusNotModified {
			h.Del("Content-Type")
		}
	}
	if _, ok := h["Date"]; !ok {
		h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	}
	if done && !hasTE && bodyAllowed(code) && h.Get("Content-Length") == "" && (!head || len(w.buf) > 0) {
		h.Set("Content-Length", strconv.Itoa(len(w.buf)))
	}
	resp := &http.Response{
		Status:     fmt.Sprintf("%d %s", code, http.StatusText(code)),
		StatusCode: code,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
	}
	// What net/http's client makes of the header: the length as a field,
	// the transfer coding moved out of the header.
	resp.ContentLength = -1
	if n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64); err == nil && n >= 0 {
		resp.ContentLength = n
	}
	h.Del("Transfer-Encoding")
	switch {
	case head:
		resp.Body = http.NoBody
	case !bodyAllowed(code):
		resp.ContentLength, resp.Body = 0, http.NoBody
	case done:
		resp.ContentLength = int64(len(w.buf))
		resp.Body = io.NopCloser(bytes.NewReader(w.buf))
	default:
		if h.Get("Content-Length") == "" {
			resp.TransferEncoding = []string{"chunked"}
		}
	}
	return resp
}

// bodyAllowed is net/http's bodyAllowedForStatus.
func bodyAllowed(code int) bool {
	switch {
	case code >= 100 && code <= 199:
		return false
	case code == http.StatusNoContent, code == http.StatusNotModified:
		return false
	}
	return true
}

// inProcessBody is a streamed body: closing it stops the handler's writes
// and ends its context, as closing a connection would.
type inProcessBody struct {
	pr     *io.PipeReader
	cancel context.CancelFunc
}

func (b *inProcessBody) Read(p []byte) (int, error) { return b.pr.Read(p) }

func (b *inProcessBody) Close() error {
	b.pr.Close()
	b.cancel()
	return nil
}

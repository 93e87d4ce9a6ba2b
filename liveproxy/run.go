package liveproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chconform/chconform/audit"
	"github.com/chconform/chconform/capture"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// Config is one proxy session.
type Config struct {
	Options
	// Listen is the address to listen on ("127.0.0.1:0"); Listener, when
	// set, is used instead (tests).
	Listen   string
	Listener net.Listener
	// MaxExchanges ends the session after that many exchanges (0: no
	// bound); Duration after that long (0: no bound).
	MaxExchanges int
	Duration     time.Duration
	// Auditor judges the exchanges; its Redactor (with the credentials of
	// each exchange's request) masks what the reports, the failure lines
	// and the HAR show.
	Auditor *audit.Auditor
	// Workers judge exchanges at once (0: the number of CPUs), each on a
	// thread of the lowest priority; JudgeBudget bounds the bytes of bodies
	// waiting for them (and, apart, for the HAR writer).
	Workers     int
	JudgeBudget int64
	// HAR is the file the exchanges are written to, masked ("" for none).
	HAR string
	// Out receives the listening line and one line per failure.
	Out io.Writer
	// Ready, when set, is called with the proxy's URL once it listens.
	Ready func(url string)
}

// Result says what a session saw.
type Result struct {
	URL       string
	Exchanges int
	// HAR is the file written ("" when none was asked for).
	HAR string
	// Failures counts the failure lines printed.
	Failures int
}

// ListeningLine starts the line printed once the proxy listens; the URL
// follows it.
const ListeningLine = "chconform proxy listening on "

// judgeGrace is how long the end of a session waits for the judge to get
// through the exchanges still queued; the rest are listed as not judged.
const judgeGrace = 10 * time.Second

// shutdownGrace is how long the end of a session waits for exchanges in
// flight before it closes their connections.
const shutdownGrace = 5 * time.Second

// Run forwards until ctx ends, MaxExchanges exchanges ended, or Duration
// passed; it then waits for the exchanges in flight (at most shutdownGrace,
// then their connections are closed) and for their verdicts. The reports
// are the Auditor's to write.
func Run(ctx context.Context, cfg Config) (Result, error) {
	ln := cfg.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			return Result{}, err
		}
	}
	res := Result{URL: "http://" + ln.Addr().String()}
	out := &lineWriter{w: cfg.Out}
	if cfg.Out == nil {
		out.w = io.Discard
	}

	var har *harStream
	if cfg.HAR != "" {
		var err error
		if har, err = openHAR(cfg.HAR, cfg.JudgeBudget); err != nil {
			ln.Close()
			return res, err
		}
		res.HAR = cfg.HAR
	}
	var failures atomic.Int64
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	defer moreProcs(workers)()
	live := cfg.Auditor.Live(audit.LiveOptions{
		Name: "proxy", Budget: cfg.JudgeBudget, Workers: workers, WorkerInit: judgeThread,
		After: func(v audit.LiveVerdict) {
			failures.Add(int64(printFailures(out, v)))
			if har != nil {
				har.offer(v)
			}
		},
	})

	stop := make(chan struct{})
	var stopOnce sync.Once
	end := func() { stopOnce.Do(func() { close(stop) }) }
	var count atomic.Int64
	fwd := NewForwarder(cfg.Options, func(x *Exchange) {
		live.Offer(entryOf(x))
		if n := count.Add(1); cfg.MaxExchanges > 0 && n >= int64(cfg.MaxExchanges) {
			end()
		}
	})
	srv := &http.Server{Handler: fwd, ReadHeaderTimeout: 30 * time.Second, ErrorLog: quietLog()}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	out.line(ListeningLine + res.URL)
	if cfg.Ready != nil {
		cfg.Ready(res.URL)
	}

	var timeout <-chan time.Time
	if cfg.Duration > 0 {
		t := time.NewTimer(cfg.Duration)
		defer t.Stop()
		timeout = t.C
	}
	var err error
	select {
	case <-ctx.Done():
	case <-stop:
	case <-timeout:
	case err = <-served:
	}
	grace, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	if srv.Shutdown(grace) != nil {
		srv.Close()
	}
	cancel()
	fwd.Wait()
	live.Close(judgeGrace)
	if har != nil {
		if herr := har.close(); err == nil {
			err = herr
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	res.Exchanges = int(count.Load())
	res.Failures = int(failures.Load())
	return res, err
}

// The judge runs on threads of the lowest OS priority (judgeThread); while
// the OS makes one wait, the Go processor it holds waits with it. So while
// sessions run there is one processor more per judging thread, and the
// forwarding keeps the processors it had (GOMAXPROCS as set, or by CPU).
var procs struct {
	sync.Mutex
	sessions, extra, before int
}

// moreProcs raises GOMAXPROCS by n for a session; the function it returns
// gives them back, and the last session to end restores the setting.
func moreProcs(n int) func() {
	procs.Lock()
	defer procs.Unlock()
	if procs.sessions == 0 {
		procs.before = runtime.GOMAXPROCS(0)
	}
	procs.sessions++
	procs.extra += n
	runtime.GOMAXPROCS(procs.before + procs.extra)
	return func() {
		procs.Lock()
		defer procs.Unlock()
		procs.sessions--
		procs.extra -= n
		runtime.GOMAXPROCS(procs.before + procs.extra)
	}
}

// entryOf is an exchange as the audit reads a captured one.
func entryOf(x *Exchange) audit.LiveEntry {
	e := capture.Entry{
		Index:     x.Index,
		Request:   harness.Request{Method: x.Method, URL: x.URL, Header: x.RequestHeader, Body: x.RequestBody},
		StartedAt: x.Started.UTC(),
		Elapsed:   x.Elapsed,
	}
	le := audit.LiveEntry{Entry: e, Secrets: credentials(x.RequestHeader)}
	if e.Request.Header == nil {
		le.Entry.Request.Header = http.Header{}
	}
	switch {
	case x.ClientGone:
		le.Unjudged = "the client went away before the exchange ended"
	case x.RequestLost != "":
		le.Unjudged = x.RequestLost
	}
	if x.Status == 0 {
		le.Entry.NoResponse = "the upstream gave no answer (the client got 502 Bad Gateway)"
		if x.Err != nil {
			le.Entry.NoResponse += ": " + x.Err.Error()
		}
		return le
	}
	r := &harness.Response{Status: x.Status, Header: x.ResponseHeader, Body: x.ResponseBody}
	le.Entry.Response = r
	le.Entry.HeadersCaptured = len(r.Header) > 0
	le.Entry.MimeType = r.Header.Get("Content-Type")
	le.Entry.BodyCaptured = x.ResponseLost == ""
	le.Entry.Uncaptured = x.ResponseLost
	if le.Entry.BodyCaptured {
		body, err := capture.DecodeBody(r.Body, r.Header.Values("Content-Encoding"))
		if err != nil {
			le.Entry.BodyCaptured, le.Entry.Uncaptured = false, err.Error()
		}
		r.Body = body
	}
	return le
}

// credentials are the secrets a request carries: its Authorization
// credential, its cookies' values, the values of headers named like a
// credential. The upstream may echo them anywhere; the proxy masks them
// wherever they appear in what it writes.
func credentials(h http.Header) []harness.KnownSecret {
	var out []harness.KnownSecret
	for name, values := range h {
		for _, v := range values {
			switch canonical := http.CanonicalHeaderKey(name); {
			case canonical == "Authorization" || canonical == "Proxy-Authorization":
				if _, cred, ok := strings.Cut(v, " "); ok {
					v = strings.TrimSpace(cred)
				}
				out = append(out, harness.KnownSecret{Value: v, Label: "client_credential"})
			case canonical == "Cookie":
				for _, c := range strings.Split(v, ";") {
					if _, val, ok := strings.Cut(c, "="); ok {
						out = append(out, harness.KnownSecret{Value: strings.TrimSpace(val), Label: "client_cookie"})
					}
				}
			case harness.IsSecretField(name) || harness.IsCredentialHeader(name):
				out = append(out, harness.KnownSecret{Value: v, Label: "client_credential"})
			}
		}
	}
	return out
}

// printFailures prints one line per failed check of a failed (or errored)
// exchange: the case id, the operation, the check, and which exchange.
func printFailures(out *lineWriter, v audit.LiveVerdict) int {
	sp := v.Spec
	if sp.Outcome != report.OutcomeFailed && sp.Outcome != report.OutcomeError {
		return 0
	}
	op := "(no operation)"
	if len(sp.Operations) > 0 {
		op = sp.Operations[0]
	}
	tag := "FAILED"
	if sp.Outcome == report.OutcomeError {
		tag = "ERROR"
	}
	var names []string
	for _, c := range sp.Checks {
		if c.Status == harness.CheckFailed {
			names = append(names, c.Name)
		}
	}
	if len(names) == 0 {
		names = []string{report.CaseSpecCheck}
	}
	for _, name := range names {
		out.line(harness.OneLine(fmt.Sprintf("%s %s %s %s: %s", tag, report.CaseID(sp.Name, name), op, name, harness.Cut(sp.Name, 200))))
	}
	return len(names)
}

// lineWriter writes whole lines from any goroutine.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) line(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(l.w, s)
}

// IsLoopback reports whether a listen address ("host:port") only accepts
// connections from this machine.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ParseUpstream checks the upstream base URL: http or https, a host, no
// fragment.
func ParseUpstream(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, fmt.Errorf("--upstream %q is not a URL", harness.NewRedactor(nil).String(raw))
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("--upstream %q: the scheme must be http or https", harness.NewRedactor(nil).String(raw))
	case u.Host == "":
		return nil, fmt.Errorf("--upstream %q names no host", harness.NewRedactor(nil).String(raw))
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

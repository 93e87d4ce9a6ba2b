package mutation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chconform/chconform/harness"
)

// Proxy is a reverse proxy in front of an emulator that applies one mutant to
// the responses of one operation and passes everything else through.
type Proxy struct {
	mutant  *Mutant // nil: a faithful proxy (the baseline)
	backend http.Handler
	// token is the default account's auth token: an auth-ignored mutant
	// answers an unauthenticated request as this account.
	token string
	delay time.Duration
	ops   map[string]string // request path ("/api/get_channels") to operationId
	rp    *httputil.ReverseProxy

	matched atomic.Int64 // responses of the mutated operation
	fired   atomic.Int64 // responses the fault changed
	// emFired counts the requests the emulator's own fault switch changed
	// (identity faults); nil when the emulator has none.
	emFired func() int64

	mu     sync.Mutex
	sample *Sample
	sink   string // auth token of the account writes are diverted to
}

// Sample is the first response a mutant changed: the request and the
// mutated answer, kept to judge a survivor against the contract.
type Sample struct {
	Method      string `json:"method"`
	URL         string `json:"url"`
	RequestBody string `json:"request_body,omitempty"`
	Status      int    `json:"status"`
	ContentType string `json:"content_type"`
	Body        string `json:"body"`
}

// ProxyOptions configure NewProxy.
type ProxyOptions struct {
	// Upstream is the emulator's base URL (without /api).
	Upstream *url.URL
	// Backend is the same emulator's handler, for the proxy's own requests
	// (answering a 401 as the default account, diverting a write).
	Backend http.Handler
	// DefaultToken is the auth token of the emulator's default account.
	DefaultToken string
	// Delay is how long a delayed-past-timeout answer waits.
	Delay time.Duration
	// EmulatorFired, when set, counts what the emulator's fault switch
	// changed (emulator.Options.Fault): those faults fire upstream.
	EmulatorFired func() int64
}

// NewProxy builds the mutating proxy for m (nil for none).
func NewProxy(spec *harness.Spec, m *Mutant, o ProxyOptions) *Proxy {
	p := &Proxy{mutant: m, backend: o.Backend, token: o.DefaultToken, delay: o.Delay, ops: map[string]string{}, emFired: o.EmulatorFired}
	for _, op := range spec.Operations() {
		p.ops["/api"+strings.TrimSuffix(op.Path, "/")] = op.ID
	}
	p.rp = httputil.NewSingleHostReverseProxy(o.Upstream)
	p.rp.ModifyResponse = p.modify
	p.rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		if r.Context().Err() != nil {
			return // the client gave up (a delayed answer); nothing to send
		}
		http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
	}
	return p
}

// Matched is how many responses of the mutated operation went through.
func (p *Proxy) Matched() int64 { return p.matched.Load() }

// Fired is how many responses the fault changed, here or, for a fault the
// emulator makes itself, upstream: 0 means no spec exercised the mutant.
func (p *Proxy) Fired() int64 {
	n := p.fired.Load()
	if p.emFired != nil {
		n += p.emFired()
	}
	return n
}

// FirstSample is the first mutated response, or nil.
func (p *Proxy) FirstSample() *Sample {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sample
}

type ctxKey struct{}

// reqInfo travels with a forwarded request to ModifyResponse.
type reqInfo struct {
	body     []byte
	diverted bool
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	m := p.mutant
	if m == nil || p.ops[strings.TrimSuffix(r.URL.Path, "/")] != m.Op {
		p.rp.ServeHTTP(w, r)
		return
	}
	p.matched.Add(1)
	info := &reqInfo{body: body}
	switch m.Kind {
	case KindDelay:
		p.fire(nil)
		select {
		case <-time.After(p.delay):
		case <-r.Context().Done():
			return
		}
	case KindServerError:
		p.fire(nil)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"detail":"A server error occurred."}`))
		return
	case KindWriteDropped:
		if r.Method == http.MethodPost || r.Method == http.MethodGet {
			if sink := p.divert(r); sink != "" {
				r.Header.Set("Authorization", "Token "+sink)
				info.diverted = true
			}
		}
	}
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, info))
	p.rp.ServeHTTP(w, r)
}

func (p *Proxy) fire(s *Sample) {
	p.fired.Add(1)
	if s == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sample == nil {
		p.sample = s
	}
}

// modify applies the response faults.
func (p *Proxy) modify(resp *http.Response) error {
	info, _ := resp.Request.Context().Value(ctxKey{}).(*reqInfo)
	if info == nil {
		return nil // not the mutated operation
	}
	m := p.mutant
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	status := resp.StatusCode
	changed := false
	switch m.Kind {
	case KindAuthIgnored:
		if status == http.StatusUnauthorized {
			rec := p.call(resp.Request.Method, resp.Request.URL.RequestURI(), resp.Request.Header, info.body, "Token "+p.token)
			status, body = rec.Code, rec.Body.Bytes()
			resp.Header = rec.Header().Clone()
			changed = true
		}
	case KindWriteDropped:
		changed = info.diverted && status/100 == 2
	case KindStatus:
		if status == m.Status {
			status, changed = m.To, true
		}
	case KindContentType:
		if status == m.Status {
			resp.Header.Set("Content-Type", "text/html; charset=utf-8")
			changed = true
		}
	case KindDuplicate:
		if status == m.Status {
			body, changed = duplicateMember(body, m.Path)
		}
	case KindDrop, KindType, KindNull, KindEnum, KindErrorMessage, KindPageCount, KindPageNext, KindPagePrevious:
		if status == m.Status {
			body, changed = mutateBody(*m, body)
		}
	}
	if changed {
		p.fire(&Sample{Method: resp.Request.Method, URL: resp.Request.URL.RequestURI(), RequestBody: string(info.body),
			Status: status, ContentType: resp.Header.Get("Content-Type"), Body: string(body)})
	}
	resp.StatusCode = status
	resp.Status = fmt.Sprintf("%d %s", status, http.StatusText(status))
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// call sends a request straight to the emulator, bypassing the proxy.
func (p *Proxy) call(method, uri string, h http.Header, body []byte, auth string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, uri, bytes.NewReader(body))
	req.Header = h.Clone()
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	p.backend.ServeHTTP(rec, req)
	return rec
}

// divert decides whether a write is acknowledged without being applied: when
// its credentials name an ordinary account (valid, not waitlisted, not
// blocked) the write goes to the proxy's own sink account instead, so the
// answer is the one the write gets and the asking account never changes.
// Documented error states (no credentials, waitlisted, blocked) pass through.
func (p *Proxy) divert(r *http.Request) string {
	if r.Header.Get("Authorization") == "" {
		return ""
	}
	rec := p.call(http.MethodPost, "/api/check_waitlist_status", r.Header, []byte("{}"), "")
	if rec.Code != http.StatusOK {
		return ""
	}
	var st struct {
		IsWaitlisted bool `json:"is_waitlisted"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &st) != nil || st.IsWaitlisted {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sink == "" {
		p.sink = p.signUpSink(r.Header)
	}
	return p.sink
}

// signUpSink signs up the account diverted writes land on.
func (p *Proxy) signUpSink(h http.Header) string {
	h = h.Clone()
	h.Del("Authorization")
	h.Set("Content-Type", "application/json")
	phone := "+15550000000" // not a number the suites invite (…9999)
	if rec := p.call(http.MethodPost, "/api/start_phone_number_auth", h, []byte(`{"phone_number":"`+phone+`"}`), ""); rec.Code != 200 {
		return ""
	}
	rec := p.call(http.MethodPost, "/api/complete_phone_number_auth", h,
		[]byte(`{"phone_number":"`+phone+`","verification_code":"1234"}`), "")
	var done struct {
		AuthToken string `json:"auth_token"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &done)
	return done.AuthToken
}

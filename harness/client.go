package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// The headers the Clubhouse iOS app sent in 2021 (app 0.1.28, build 304: the
// pair most public clients copied). Targets may refuse requests without them.
const (
	DefaultUserAgent  = "clubhouse/304 (iPhone; iOS 14.4; Scale/3.00)"
	DefaultAppVersion = "0.1.28"
	DefaultAppBuild   = "304"
	DefaultDeviceID   = "5F1E9A2C-3B4D-4E6F-8A7B-9C0D1E2F3A4B"
	// SpecHeader names the spec that sent a request, so a target's logs can
	// be matched to the report.
	SpecHeader = "X-Chconform-Spec"
	// MaxBodyBytes caps what is read of a response body: a target that sends
	// gigabytes costs a truncated transcript, not the run's memory.
	MaxBodyBytes = 8 << 20
)

// ErrBodyTooLarge marks a response cut at MaxBodyBytes.
var ErrBodyTooLarge = errors.New("response body exceeds the size cap")

// Client sends the requests of one spec. It is cheap: make one per spec.
type Client struct {
	HTTP     *http.Client
	Base     *url.URL
	Profile  *Profile
	Timeout  time.Duration
	Recorder Recorder
	// SpecName is sent in SpecHeader.
	SpecName string
	// Limiter, when set, is waited on before every attempt, with the
	// request's context: one limiter per process is shared by every client,
	// so CH_RATE bounds the process, not the spec.
	Limiter *rate.Limiter
	// MaxRetryWait caps the total time one Do waits on Retry-After before it
	// gives up and lets the not_rate_limited check fail; 0 never retries.
	MaxRetryWait time.Duration
	// Breaker, when set, stops sending to a target that stopped answering
	// (shared by every client of the process, like Limiter).
	Breaker *Breaker
	// Deadline, when set, is the end of the run (CH_RUN_TIMEOUT): no
	// request is sent after it and a request in flight is cut off at it.
	Deadline time.Time
}

// DefaultMaxRetryWait is how long the suites wait, in total per request, on
// a target that answers 429 or 503 with Retry-After.
const DefaultMaxRetryWait = 30 * time.Second

// Call is one request to send, in terms of the contract.
type Call struct {
	Op *Operation
	// Method overrides the operation's method (method equivalence probes).
	Method string
	Query  url.Values
	// Body is marshalled as JSON; RawBody, when set, is sent as is.
	Body    any
	RawBody []byte
	// Account names the profile account to authenticate as; empty is the
	// default account, AccountNone sends no Authorization.
	Account string
	// As, when set, is the account to authenticate as (a fresh account signed
	// up for this spec); it wins over Account.
	As *Account
	// Header overrides the app headers; an empty value removes the header.
	Header map[string]string
}

// Do sends the call and returns the exchange; transport failures are in
// Exchange.Err, never a panic. A 429, or a 503 with Retry-After, is retried
// after the wait the target asks for while the waits add up to no more than
// MaxRetryWait; no other status is ever retried. Every attempt is recorded;
// the returned exchange is the last one.
func (c *Client) Do(ctx context.Context, call Call) *Exchange {
	var waited time.Duration
	for attempt := 0; ; attempt++ {
		ex := c.attempt(ctx, call)
		ex.Retries, ex.RetryWait = attempt, waited
		wait, retry, why := c.retryAfter(ex, waited, attempt, time.Now())
		if !retry {
			ex.RateLimited = why
			c.record(ex)
			return ex
		}
		ex.RetriedAfter = wait
		c.record(ex)
		if err := sleep(ctx, wait); err != nil {
			ex.RetriedAfter = 0
			ex.RateLimited = fmt.Sprintf("%s; interrupted while waiting %s to retry: %v", why, wait, err)
			return ex
		}
		waited += wait
	}
}

// attempt sends the call once.
func (c *Client) attempt(ctx context.Context, call Call) *Exchange {
	ex := &Exchange{Op: call.Op, recorder: c.Recorder}
	req, body, err := c.build(ctx, call)
	if err != nil {
		ex.Err = err
		return ex
	}
	ex.Request = Request{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: body}
	if !c.Deadline.IsZero() {
		if !time.Now().Before(c.Deadline) {
			ex.Err = runDeadlineError(c.Deadline, nil)
			return ex
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, c.Deadline)
		defer cancel()
		req = req.WithContext(ctx)
		defer func() {
			if ex.Err != nil && !time.Now().Before(c.Deadline) && !errors.Is(ex.Err, ErrRunTimeout) {
				ex.Err = runDeadlineError(c.Deadline, ex.Err)
			}
		}()
	}
	if err := c.Breaker.allow(time.Now()); err != nil {
		ex.Err = err
		return ex
	}
	if c.Limiter != nil {
		if err := c.Limiter.Wait(ctx); err != nil {
			c.Breaker.release()
			ex.Err = fmt.Errorf("waiting for the request rate limit (CH_RATE): %w", err)
			return ex
		}
	}
	defer func() { c.Breaker.observe(ex, time.Now()) }()
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
		req = req.WithContext(ctx)
	}
	start := time.Now()
	resp, err := c.httpClient().Do(req)
	if err != nil {
		ex.Err = err
		ex.Elapsed = time.Since(start)
		return ex
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	ex.Elapsed = time.Since(start)
	ex.Response = &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	switch {
	case len(body) > MaxBodyBytes:
		ex.Response.Body = body[:MaxBodyBytes]
		ex.Response.Truncated = true
		ex.Err = fmt.Errorf("%w (%d bytes)", ErrBodyTooLarge, MaxBodyBytes)
	case readErr != nil:
		ex.Response.Truncated = true
		ex.Err = fmt.Errorf("reading the response body: %w", readErr)
	}
	guardDepth(ex)
	return ex
}

// httpClient is the configured client that never follows a redirect: a 3xx
// is an answer to judge, and following one could take the harness to a host
// it was never pointed at.
func (c *Client) httpClient() *http.Client {
	var hc http.Client
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) record(ex *Exchange) {
	if c.Recorder != nil {
		c.Recorder.RecordExchange(ex)
	}
}

func (c *Client) build(ctx context.Context, call Call) (*http.Request, []byte, error) {
	if call.Op == nil {
		return nil, nil, errors.New("harness error: call without an operation")
	}
	method := call.Method
	if method == "" {
		method = call.Op.Method
	}
	u := *c.Base
	u.Path = strings.TrimSuffix(u.Path, "/") + call.Op.Path
	u.RawQuery = call.Query.Encode()

	var body []byte
	switch {
	case call.RawBody != nil:
		body = call.RawBody
	case call.Body != nil:
		var err error
		if body, err = json.Marshal(call.Body); err != nil {
			return nil, nil, fmt.Errorf("harness error: encoding the request body: %w", err)
		}
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), reader)
	if err != nil {
		return nil, nil, fmt.Errorf("harness error: %w", err)
	}
	if err := c.setHeaders(req, call, body != nil); err != nil {
		return nil, nil, err
	}
	return req, body, nil
}

func (c *Client) setHeaders(req *http.Request, call Call, hasBody bool) error {
	h := req.Header
	h.Set("User-Agent", DefaultUserAgent)
	h.Set("Accept", "application/json")
	h.Set("CH-Languages", "en-US")
	h.Set("CH-Locale", "en_US")
	h.Set("CH-AppVersion", DefaultAppVersion)
	h.Set("CH-AppBuild", DefaultAppBuild)
	h.Set("CH-DeviceId", DefaultDeviceID)
	h.Set("CH-UserID", "(null)") // what the app sends before sign-in
	if hasBody {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	if c.SpecName != "" {
		h.Set(SpecHeader, headerSafe(c.SpecName))
	}
	if err := c.authenticate(h, call); err != nil {
		return err
	}
	for name, value := range call.Header {
		if value == "" {
			h.Del(name)
		} else {
			h.Set(name, value)
		}
	}
	return nil
}

func (c *Client) authenticate(h http.Header, call Call) error {
	name := call.Account
	if name == "" {
		name = AccountDefault
	}
	switch name {
	case AccountNone:
		return nil
	case AccountInvalid:
		h.Set("Authorization", "Token "+invalidToken)
		return nil
	case AccountInvalidBearer:
		h.Set("Authorization", "Bearer "+invalidBearer)
		return nil
	}
	var a Account
	switch {
	case call.As != nil:
		a = *call.As
	case c.Profile == nil:
		return nil
	default:
		var ok bool
		if a, ok = c.Profile.Accounts[name]; !ok {
			return fmt.Errorf("harness error: profile %s has no account %q", c.Profile.Name, name)
		}
	}
	if a.DeviceID != "" {
		h.Set("CH-DeviceId", a.DeviceID)
	}
	if a.UserID != "" {
		h.Set("CH-UserID", a.UserID)
	}
	if a.AuthToken != "" && call.Op.Secured {
		h.Set("Authorization", "Token "+a.AuthToken)
	}
	return nil
}

// headerSafe keeps a spec name within what a header value may carry.
func headerSafe(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if ch < 0x20 || ch > 0x7e {
			b[i] = '?'
		}
	}
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}

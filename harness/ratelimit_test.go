package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	chconform "github.com/chconform/chconform"
)

// contractSpec is the project's own contract, loaded once for these tests.
var contractSpec = sync.OnceValues(func() (*Spec, error) { return LoadSpec("api.yaml", chconform.Contract) })

func mustContract(t *testing.T) *Spec {
	t.Helper()
	spec, err := contractSpec()
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// tapeRecorder keeps what a client records: every attempt's transcript and
// every verdict.
type tapeRecorder struct {
	mu        sync.Mutex
	exchanges []*Exchange
	verdicts  [][]CheckResult
}

func (r *tapeRecorder) RecordExchange(ex *Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exchanges = append(r.exchanges, ex)
}

func (r *tapeRecorder) RecordChecks(_ *Exchange, results []CheckResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.verdicts = append(r.verdicts, results)
}

// testClient is a client of the contract's get_profile at server, as the
// suites build one (a spec name, a timeout, the 30 s retry cap).
func testClient(t *testing.T, server string, timeout time.Duration) (*Client, *tapeRecorder) {
	t.Helper()
	base, err := url.Parse(server + "/api")
	if err != nil {
		t.Fatal(err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)
	rec := &tapeRecorder{}
	return &Client{
		HTTP:         &http.Client{Transport: transport},
		Base:         base,
		Timeout:      timeout,
		Recorder:     rec,
		SpecName:     "hostile: " + t.Name(),
		MaxRetryWait: DefaultMaxRetryWait,
	}, rec
}

func profileCall(t *testing.T) Call {
	return Call{Op: mustContract(t).MustOperation("get_profile"), Account: AccountNone, Body: map[string]any{"user_id": 4}}
}

func resultOf(results []CheckResult, name string) CheckResult {
	for _, r := range results {
		if r.Name == name {
			return r
		}
	}
	return CheckResult{}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2021, 2, 10, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		raw  string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{"Wed, 10 Feb 2021 12:00:05 GMT", 5 * time.Second, true},
		{"Wed, 10 Feb 2021 11:00:00 GMT", 0, true}, // in the past: now
		{"99999999999999999999", 365 * 24 * time.Hour, true},
		{"-3", 0, false},
		{"soon", 0, false},
		{"1.5", 0, false},
	}
	for _, c := range cases {
		got, ok := parseRetryAfter(c.raw, now)
		if got != c.want || ok != c.ok {
			t.Errorf("%q: %v %v, want %v %v", c.raw, got, ok, c.want, c.ok)
		}
	}
}

// server answers the i-th request (from 0) with respond(i), counting them and
// keeping the spec header of each.
func countingServer(t *testing.T, respond func(i int, w http.ResponseWriter)) (*httptest.Server, *atomic.Int32, *[]string) {
	t.Helper()
	var n atomic.Int32
	var mu sync.Mutex
	var specs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		specs = append(specs, r.Header.Get(SpecHeader))
		mu.Unlock()
		respond(int(n.Add(1))-1, w)
	}))
	t.Cleanup(srv.Close)
	return srv, &n, &specs
}

func okJSON(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"success":true,"user_profile":{"user_id":4,"name":"Rohan Seth","photo_url":null,"username":"rohan"}}`))
}

func TestRetryAfterIsHonouredAndRetried(t *testing.T) {
	srv, hits, specs := countingServer(t, func(i int, w http.ResponseWriter) {
		switch i {
		case 0:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			okJSON(w)
		}
	})
	c, rec := testClient(t, srv.URL, 2*time.Second)
	start := time.Now()
	ex := c.Do(context.Background(), profileCall(t))
	took := time.Since(start)
	if ex.Err != nil || ex.Response.Status != 200 || hits.Load() != 3 || ex.Retries != 2 || ex.RetryWait != time.Second {
		t.Fatalf("status %v err %v hits %d retries %d waited %s", ex.Response, ex.Err, hits.Load(), ex.Retries, ex.RetryWait)
	}
	if took < time.Second || took > 3*time.Second {
		t.Errorf("took %s; Retry-After: 1 asks for one second", took)
	}
	if len(rec.exchanges) != 3 || rec.exchanges[0].RetriedAfter != time.Second || rec.exchanges[2].RetriedAfter != 0 {
		t.Errorf("every attempt is in the transcript, the retried ones marked: %d", len(rec.exchanges))
	}
	if r := resultOf(Verify(ex, StandardChecks(false)...), CheckNotRateLimited); r.Status != CheckPassed {
		t.Errorf("not_rate_limited after a successful retry: %+v", r)
	}
	for _, s := range *specs {
		if s != "hostile: "+t.Name() {
			t.Errorf("every attempt names its spec in %s, got %q", SpecHeader, s)
		}
	}
}

func TestRateLimitBeyondTheCapFailsNotRateLimited(t *testing.T) {
	cases := []struct {
		name, retryAfter string
		status           int
		hits             int32
		fragment         string
	}{
		{"absurd seconds", "86400", 429, 1, "asks to wait 24h0m0s"},
		{"absurd date", "Fri, 31 Dec 2100 23:59:59 GMT", 429, 1, "beyond the 30s the harness waits per request"},
		{"garbage", "in a while", 429, 1, "neither seconds nor an HTTP date"},
		{"no Retry-After", "", 429, 1, "429 without Retry-After"},
		{"forever zero", "0", 503, maxRetries + 1, "still after 5 retries"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, hits, _ := countingServer(t, func(_ int, w http.ResponseWriter) {
				if c.retryAfter != "" {
					w.Header().Set("Retry-After", c.retryAfter)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(`{"detail":"Request was throttled."}`))
			})
			cl, _ := testClient(t, srv.URL, 2*time.Second)
			start := time.Now()
			ex := cl.Do(context.Background(), profileCall(t))
			if time.Since(start) > 2*time.Second {
				t.Errorf("took %s: an absurd Retry-After must not be waited on", time.Since(start))
			}
			if hits.Load() != c.hits {
				t.Errorf("%d requests, want %d", hits.Load(), c.hits)
			}
			r := resultOf(Verify(ex, StandardChecks(false)...), CheckNotRateLimited)
			if r.Status != CheckFailed || !strings.Contains(r.Findings[0].Message, c.fragment) {
				t.Errorf("not_rate_limited: %+v, want a failure with %q", r, c.fragment)
			}
		})
	}
}

func TestRetryBudgetIsPerRequestAndOtherStatusesAreNeverRetried(t *testing.T) {
	srv, hits, _ := countingServer(t, func(_ int, w http.ResponseWriter) {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c, _ := testClient(t, srv.URL, time.Second)
	c.MaxRetryWait = 1500 * time.Millisecond
	ex := c.Do(context.Background(), profileCall(t))
	if hits.Load() != 2 || !strings.Contains(ex.RateLimited, "after 1 retries and 1s of waiting") {
		t.Errorf("hits %d, %q: one retry fits a 1.5 s budget, a second does not", hits.Load(), ex.RateLimited)
	}

	for _, status := range []int{500, 502, 504, 418, 403} {
		srv, hits, _ := countingServer(t, func(_ int, w http.ResponseWriter) {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(status)
		})
		c, _ := testClient(t, srv.URL, time.Second)
		ex := c.Do(context.Background(), profileCall(t))
		if hits.Load() != 1 || ex.RateLimited != "" {
			t.Errorf("status %d with Retry-After was sent %d times (%q): only 429 and 503 are retried", status, hits.Load(), ex.RateLimited)
		}
	}
}

func TestLimiterSpacesRequestsAndHonoursTheContext(t *testing.T) {
	srv, hits, _ := countingServer(t, func(_ int, w http.ResponseWriter) { okJSON(w) })
	c, _ := testClient(t, srv.URL, time.Second)
	c.Limiter = rate.NewLimiter(20, 1)
	start := time.Now()
	for i := 0; i < 6; i++ {
		c.Do(context.Background(), profileCall(t))
	}
	if took := time.Since(start); took < 240*time.Millisecond {
		t.Errorf("6 requests at 20/s took %s, want >= 250ms", took)
	}
	c.Limiter = rate.NewLimiter(0.1, 1)
	c.Do(context.Background(), profileCall(t)) // spends the burst
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	before := hits.Load()
	ex := c.Do(ctx, profileCall(t))
	if ex.Err == nil || !strings.Contains(ex.Err.Error(), "CH_RATE") || hits.Load() != before {
		t.Errorf("a wait beyond the spec's context is an error naming CH_RATE, not a request: %v", ex.Err)
	}
}

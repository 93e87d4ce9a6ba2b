package harness

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CheckNotRateLimited fails when the target kept rate-limiting a request
// beyond what the harness honours: a 429 (with or without Retry-After), or a
// 503 with Retry-After, that was still the answer once the retry budget
// (Client.MaxRetryWait) was spent or the wait asked for was beyond it.
const CheckNotRateLimited = "not_rate_limited"

// maxRetries bounds the retries of one request whatever Retry-After says
// (a target answering "Retry-After: 0" forever must not hold the run).
const maxRetries = 5

// NotRateLimited is the not_rate_limited check.
func NotRateLimited() Check {
	return Check{Name: CheckNotRateLimited, Run: func(ex *Exchange) ([]Finding, string) {
		if ex.RateLimited != "" {
			return []Finding{{Message: ex.RateLimited}}, ""
		}
		return nil, ""
	}}
}

// retryAfter decides whether the exchange is retried and after how long. why
// says, when the answer is a rate limit, why it was not (or was) retried.
func (c *Client) retryAfter(ex *Exchange, waited time.Duration, attempt int, now time.Time) (wait time.Duration, retry bool, why string) {
	if ex.Response == nil {
		return 0, false, ""
	}
	status := ex.Response.Status
	if status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable {
		return 0, false, ""
	}
	raw := strings.TrimSpace(ex.Response.Header.Get("Retry-After"))
	if raw == "" {
		if status == http.StatusTooManyRequests {
			return 0, false, "rate limited: status 429 without Retry-After" + retriedSoFar(attempt, waited)
		}
		return 0, false, "" // a plain 503: not_a_server_error judges it
	}
	d, ok := parseRetryAfter(raw, now)
	if !ok {
		return 0, false, fmt.Sprintf("rate limited: status %d with a Retry-After that is neither seconds nor an HTTP date: %q%s",
			status, cut(raw, 100), retriedSoFar(attempt, waited))
	}
	budget := c.MaxRetryWait - waited
	switch {
	case c.MaxRetryWait <= 0:
		return 0, false, fmt.Sprintf("rate limited: status %d with Retry-After %q; this client never retries", status, cut(raw, 100))
	case d > budget:
		return 0, false, fmt.Sprintf("rate limited: status %d asks to wait %s (Retry-After: %q), beyond the %s the harness waits per request%s",
			status, d, cut(raw, 100), c.MaxRetryWait, retriedSoFar(attempt, waited))
	case attempt >= maxRetries:
		return 0, false, fmt.Sprintf("rate limited: status %d still after %d retries%s", status, attempt, retriedSoFar(attempt, waited))
	}
	return d, true, fmt.Sprintf("rate limited: status %d with Retry-After %q", status, cut(raw, 100))
}

func retriedSoFar(attempt int, waited time.Duration) string {
	if attempt == 0 {
		return ""
	}
	return fmt.Sprintf(" (after %d retries and %s of waiting)", attempt, waited)
}

// parseRetryAfter reads delay-seconds or an HTTP date (RFC 9110 §10.2.3); a
// date in the past means now.
func parseRetryAfter(raw string, now time.Time) (time.Duration, bool) {
	const absurd = 365 * 24 * time.Hour // beyond any cap; never an overflow
	if n, err := strconv.ParseUint(raw, 10, 63); err == nil {
		if n > uint64(absurd/time.Second) {
			return absurd, true
		}
		return time.Duration(n) * time.Second, true
	} else if errors.Is(err, strconv.ErrRange) {
		return absurd, true
	}
	t, err := http.ParseTime(raw)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}

package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrTargetDown marks a request the client did not send because the target
// stopped answering: after Breaker.Threshold requests in a row got no
// response at all, the next ones fail at once instead of each waiting out
// the timeout. A run against a dead target then ends in seconds, its specs
// reported as harness errors naming the last transport failure.
var ErrTargetDown = errors.New("target not answering")

// Breaker is shared by every client of a process (the Env holds one). It
// counts consecutive requests that got no complete HTTP response: no response
// at all (timeout, refused, reset), or headers followed by a body that
// stalled, dripped past CH_TIMEOUT, broke off or ran past the size cap. Any
// complete response, whatever its status, resets the count. Once open, it
// lets one request through every Cooldown to see whether the target is back.
type Breaker struct {
	// Threshold is how many requests in a row without a response open it.
	Threshold int
	// Cooldown is how long it stays open before letting one request try.
	Cooldown time.Duration

	mu       sync.Mutex
	failures int
	last     error
	openedAt time.Time
	probing  bool
}

// NewBreaker opens after threshold requests without a response and tries
// again after cooldown.
func NewBreaker(threshold int, cooldown time.Duration) *Breaker {
	return &Breaker{Threshold: threshold, Cooldown: cooldown}
}

// allow returns nil when a request may be sent, or an error wrapping
// ErrTargetDown.
func (b *Breaker) allow(now time.Time) error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.Threshold <= 0 || b.failures < b.Threshold {
		return nil
	}
	if !b.probing && now.Sub(b.openedAt) >= b.Cooldown {
		b.probing = true // one request tries; the others keep failing fast
		return nil
	}
	return fmt.Errorf("%w: the last %d requests got no complete response (last: %v); circuit breaker open, not sending more until one does", ErrTargetDown, b.failures, b.last)
}

// observe counts the outcome of a request that was sent.
func (b *Breaker) observe(ex *Exchange, now time.Time) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
	if answered(ex) {
		b.failures, b.last = 0, nil
		return
	}
	if ex.Err == nil || errors.Is(ex.Err, context.Canceled) || errors.Is(ex.Err, ErrNoFixture) {
		return // the spec was interrupted, or a fixture is missing: not the target's doing
	}
	b.failures++
	b.last = ex.Err
	if b.failures >= b.Threshold {
		b.openedAt = now
	}
}

// release gives back a probe that was allowed but never sent.
func (b *Breaker) release() {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.probing = false
	b.mu.Unlock()
}

// answered reports whether the target answered the exchange completely: a
// response whose body arrived whole (a too-deep body is complete, only
// refused). A body cut by the timeout, the connection or the size cap is a
// target that stopped answering, as much as no response is.
func answered(ex *Exchange) bool {
	return ex.Response != nil && (ex.Err == nil || errors.Is(ex.Err, ErrJSONTooDeep))
}

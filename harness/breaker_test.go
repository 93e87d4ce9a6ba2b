package harness

import (
	"errors"
	"testing"
	"time"
)

func TestBreakerOpensAfterConsecutiveSilencesAndProbesAfterCooldown(t *testing.T) {
	b := NewBreaker(3, 10*time.Second)
	now := time.Date(2021, 2, 10, 12, 0, 0, 0, time.UTC)
	silent := &Exchange{Err: errors.New("context deadline exceeded")}
	answered := &Exchange{Response: &Response{Status: 500}}
	for i := 0; i < 2; i++ {
		b.observe(silent, now)
	}
	b.observe(answered, now) // any answer resets the count
	for i := 0; i < 3; i++ {
		if err := b.allow(now); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		b.observe(silent, now)
	}
	err := b.allow(now.Add(time.Second))
	if !errors.Is(err, ErrTargetDown) || err.Error() != "target not answering: the last 3 requests got no complete response (last: context deadline exceeded); circuit breaker open, not sending more until one does" {
		t.Fatalf("open: %v", err)
	}
	later := now.Add(11 * time.Second)
	if err := b.allow(later); err != nil {
		t.Fatalf("after the cooldown one request tries: %v", err)
	}
	if err := b.allow(later); !errors.Is(err, ErrTargetDown) {
		t.Fatalf("only one: %v", err)
	}
	b.observe(answered, later)
	if err := b.allow(later); err != nil {
		t.Fatalf("the target is back: %v", err)
	}
}

package explore

import (
	"flag"
	"fmt"
	"hash/fnv"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// Settings bound one exploration.
type Settings struct {
	// Seed makes the requests: the same seed, the same requests.
	Seed uint64
	// Examples is how many requests are generated (before shrinking).
	Examples int
	// Deadline, when set, stops generating new requests once passed; a
	// failure found before it is still shrunk (within ShrinkTime).
	Deadline time.Time
	// ShrinkTime bounds the shrinking of a failure in time, and MaxShrink
	// (default DefaultMaxShrink) in requests judged: past it a smaller
	// candidate is not sent and counts as passing, so rapid keeps the
	// smallest failure found so far, the same one on every run of the seed.
	ShrinkTime time.Duration
	MaxShrink  int
}

// DefaultMaxShrink bounds a shrink: rapid tries each draw smaller in turn,
// a thousand requests and more for a request with headers and a body, most
// of them no smaller in any way a reader cares about.
const DefaultMaxShrink = 300

// Outcome is what an exploration found.
type Outcome struct {
	// Ran is how many requests were judged, shrinking included.
	Ran int
	// Generated is how many were drawn before a failure (or all of them).
	Generated int
	// Failure is the reason of the smallest failing request ("": none
	// failed), and Minimal that request.
	Failure string
	Minimal Request
	// OutOfTime is set when the deadline stopped the generation early.
	OutOfTime bool
}

// Judge sends one request and says why its answer fails ("" when it
// passes). The same kind of failure must give the same reason (a check
// name and a status class, not a body): shrinking keeps a smaller request
// only when it fails for the same reason.
type Judge func(Request) string

// SeedFor derives the seed of one exploration (one operation, one purpose)
// from the run's seed, so explorations do not depend on the order specs
// run in.
func SeedFor(run int64, parts ...string) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d", run)
	for _, p := range parts {
		fmt.Fprintf(h, "/%s", p)
	}
	s := h.Sum64()
	if s == 0 {
		s = 1 // rapid reads 0 as "pick a random seed"
	}
	return s
}

// mu serialises explorations: rapid reads its seed and budget from
// process-wide flags. Ginkgo runs one spec at a time per process.
var mu sync.Mutex

// Explore draws requests from gen and judges each until one fails or the
// examples are spent, then shrinks the failure with rapid to the smallest
// request that fails for the same reason.
func Explore(gen interface {
	Draw(*rapid.T, string) Request
}, s Settings, judge Judge) (Outcome, error) {
	mu.Lock()
	defer mu.Unlock()
	if err := setFlags(s); err != nil {
		return Outcome{}, err
	}
	var out Outcome
	failing := false
	shrunk := 0
	maxShrink := s.MaxShrink
	if maxShrink <= 0 {
		maxShrink = DefaultMaxShrink
	}
	var last Request
	var judged struct {
		r      Request
		reason string
	}
	prop := func(t *rapid.T) {
		if !failing && !s.Deadline.IsZero() && time.Now().After(s.Deadline) {
			out.OutOfTime = true
			return // counted as passed: nothing more is sent
		}
		r := gen.Draw(t, "request")
		last = r
		var why string
		switch {
		case failing && shrunk >= maxShrink:
			// Not sent: the smallest failure so far stands. rapid runs a
			// candidate it keeps twice in a row, and the smallest once
			// more at the end: the same request fails as it did.
			if !reflect.DeepEqual(r, judged.r) {
				return
			}
			why = judged.reason
		default:
			if failing {
				shrunk++
			} else {
				out.Generated++
			}
			out.Ran++
			why = judge(r)
			judged.r, judged.reason = r, why
		}
		if why != "" {
			failing = true
			// One call site: rapid tells failures apart by their traceback.
			t.Fatal(why)
		}
	}
	tb := &recorderTB{name: "explore"}
	rapid.Check(tb, prop)
	if tb.failed {
		// rapid ends a failure by running the smallest failing input once
		// more: last is that input, and its reason the first line rapid
		// reports.
		out.Minimal = last
		out.Failure = tb.reason()
	}
	return out, nil
}

// setFlags gives rapid the exploration's seed and budget. rapid reads them
// from its command-line flags (rapid.seed, rapid.checks...), registered on
// the process's flag set; a binary that is not a test (chconform run) has
// the testing flags registered and parsed here, which rapid needs for
// testing.Short.
func setFlags(s Settings) error {
	initFlags.Do(func() {
		testing.Init()
		if !flag.Parsed() {
			_ = flag.CommandLine.Parse(nil)
		}
	})
	checks := s.Examples
	if testing.Short() {
		checks *= 5 // rapid checks a fifth under -short: the budget is ours
	}
	shrink := s.ShrinkTime
	if shrink <= 0 {
		shrink = 10 * time.Second
	}
	for name, value := range map[string]string{
		"rapid.seed":       strconv.FormatUint(s.Seed, 10),
		"rapid.checks":     strconv.Itoa(checks),
		"rapid.nofailfile": "true",
		"rapid.shrinktime": shrink.String(),
		"rapid.v":          "false",
		"rapid.log":        "false",
	} {
		if err := flag.Set(name, value); err != nil {
			return fmt.Errorf("harness error: setting %s for rapid: %w", name, err)
		}
	}
	return nil
}

var initFlags sync.Once

// recorderTB is the rapid.TB of an exploration: it keeps what rapid
// reports and fails nothing itself.
type recorderTB struct {
	name   string
	failed bool
	errors []string
}

func (tb *recorderTB) Helper()                        {}
func (tb *recorderTB) Name() string                   { return tb.name }
func (tb *recorderTB) Logf(string, ...any)            {}
func (tb *recorderTB) Log(...any)                     {}
func (tb *recorderTB) Skipf(format string, a ...any)  { tb.Errorf(format, a...) }
func (tb *recorderTB) Skip(a ...any)                  { tb.Error(a...) }
func (tb *recorderTB) SkipNow()                       { tb.Fail() }
func (tb *recorderTB) Errorf(format string, a ...any) { tb.Error(fmt.Sprintf(format, a...)) }
func (tb *recorderTB) Error(a ...any) {
	tb.failed = true
	tb.errors = append(tb.errors, fmt.Sprint(a...))
}
func (tb *recorderTB) Fatalf(format string, a ...any) { tb.Errorf(format, a...) }
func (tb *recorderTB) Fatal(a ...any)                 { tb.Error(a...) }
func (tb *recorderTB) FailNow()                       { tb.failed = true }
func (tb *recorderTB) Fail()                          { tb.failed = true }
func (tb *recorderTB) Failed() bool                   { return tb.failed }

// reason is the failure as rapid reported it: "[rapid] failed after 3
// tests: <reason>\nTo reproduce...".
func (tb *recorderTB) reason() string {
	for _, e := range tb.errors {
		if _, rest, ok := strings.Cut(e, "tests: "); ok {
			first, _, _ := strings.Cut(rest, "\n")
			return first
		}
	}
	if len(tb.errors) > 0 {
		first, _, _ := strings.Cut(tb.errors[0], "\n")
		return first
	}
	return "failed"
}

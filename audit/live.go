package audit

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/chconform/chconform/capture"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// Live judges exchanges handed over while they happen (a proxy's forwarding
// goroutines), with the checks, roll-ups and reports of a file's audit.
// Offer never makes its caller wait: an exchange is queued, assessed on
// several goroutines and added to the audit in the order it was offered.
// The bodies queued are bounded by a byte budget; past it an exchange is
// still listed and judged by its status and headers, its body not judged
// ("the judge was behind"), so a client outrunning the judge costs verdicts,
// never time, and memory only the request lines and headers of what waits.
//
// The Auditor must not be used otherwise until Close returns.
type Live struct {
	a      *Auditor
	name   string
	budget int64
	after  func(LiveVerdict)

	mu     sync.Mutex
	wake   *sync.Cond
	queue  []*liveJob
	held   int64 // bytes of the jobs offered and not yet applied
	offers int
	closed bool
	// hurry: Close's grace is over; what is still queued is listed as not
	// judged.
	hurry bool
	done  chan struct{}
}

// LiveEntry is one exchange handed to Live.
type LiveEntry struct {
	Entry capture.Entry
	// Secrets are masked wherever the reports show this exchange, beside
	// those the audit's Redactor knows (the credentials its own request
	// carried, which an answer may echo).
	Secrets []harness.KnownSecret
	// Unjudged, when set, lists the exchange as not judged for that reason
	// without running any check (a request the proxy could not keep whole:
	// judging the answer to a request it did not see would be a guess).
	Unjudged string
}

// LiveVerdict is an exchange's verdict, told as soon as it is reached (on
// one of the judging goroutines, so not in the order offered).
type LiveVerdict struct {
	Entry  capture.Entry
	Redact *harness.Redactor
	// Spec is the exchange's line in the summary, case ids set when it
	// failed; Outside says it is of no contract operation (listed, not
	// judged).
	Spec    report.SpecSummary
	Outside bool
}

type liveJob struct {
	le   LiveEntry
	size int64
	j    *assessed
	done chan struct{}
}

// LiveOptions say how Live judges.
type LiveOptions struct {
	// Name stands for the capture file in spec names and locations
	// ("proxy" makes "proxy #12").
	Name string
	// Budget bounds the bytes of bodies queued.
	Budget int64
	// Workers is how many exchanges are judged at once (0: GOMAXPROCS).
	Workers int
	// WorkerInit, when set, runs first on each judging goroutine (a proxy
	// lowers the OS priority of the thread it locks there, so judging
	// yields the processor to forwarding).
	WorkerInit func()
	// After, when set, is told every verdict. It runs on a judging
	// goroutine: it must be safe for concurrent use, and slow work there
	// slows the judge, never the one who offers.
	After func(LiveVerdict)
}

// Live starts judging exchanges as they are offered.
func (a *Auditor) Live(opts LiveOptions) *Live {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	l := &Live{a: a, name: opts.Name, budget: opts.Budget, after: opts.After, done: make(chan struct{})}
	l.wake = sync.NewCond(&l.mu)
	jobs := make(chan *liveJob, workers)
	inOrder := make(chan *liveJob, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if opts.WorkerInit != nil {
				opts.WorkerInit()
			}
			for jb := range jobs {
				jb.j = l.assess(jb.le)
				close(jb.done)
			}
		}()
	}
	go func() {
		for {
			l.mu.Lock()
			for len(l.queue) == 0 && !l.closed {
				l.wake.Wait()
			}
			if len(l.queue) == 0 {
				l.mu.Unlock()
				break
			}
			jb := l.queue[0]
			l.queue[0] = nil
			l.queue = l.queue[1:]
			if l.hurry && jb.le.Unjudged == "" {
				jb.le.Unjudged = "the session ended before the judge got to it"
			}
			l.mu.Unlock()
			inOrder <- jb
			jobs <- jb
		}
		close(jobs)
		close(inOrder)
	}()
	go func() {
		defer close(l.done)
		for jb := range inOrder {
			<-jb.done
			a.apply(jb.j)
			l.mu.Lock()
			l.held -= jb.size
			l.mu.Unlock()
		}
		wg.Wait()
	}()
	return l
}

// Offer queues one exchange; it never blocks on the judge. Entry.File is
// set to the Live's name; Entry.Index is the caller's (its exchange number).
func (l *Live) Offer(le LiveEntry) {
	le.Entry.File = l.name
	size := entrySize(le.Entry)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	if l.held > 0 && l.held+size > l.budget {
		why := fmt.Sprintf("the judge was behind (%d bytes of bodies waiting, its bound is %d)", l.held, l.budget)
		if r := le.Entry.Response; r != nil && le.Entry.BodyCaptured {
			stripped := *r
			stripped.Body = nil
			le.Entry.Response = &stripped
			le.Entry.BodyCaptured, le.Entry.Uncaptured = false, why
		}
		// What is left (the request line and headers, a request body) is
		// small and judged quickly; a request body that does not fit is
		// dropped, and the answer to a request not seen whole is not judged.
		if size = entrySize(le.Entry); l.held+size > l.budget && len(le.Entry.Request.Body) > 0 {
			le.Entry.Request.Body = nil
			le.Unjudged = why
			size = entrySize(le.Entry)
		}
	}
	l.held += size
	l.offers++
	l.queue = append(l.queue, &liveJob{le: le, size: size, done: make(chan struct{})})
	l.wake.Signal()
}

// assess judges one offered exchange and tells after.
func (l *Live) assess(le LiveEntry) *assessed {
	var j *assessed
	redact := l.a.opts.Redact.With(le.Secrets...)
	if le.Unjudged != "" {
		j = &assessed{e: le.Entry, redact: redact}
		j.op, j.path = l.a.operation(le.Entry.Request)
		if j.op != nil {
			j.skipped = true
			j.spec = report.SpecSummary{
				Name:       specName(le.Entry, j.op, redact),
				Group:      j.op.Group,
				Operations: []string{j.op.ID},
				Location:   location(le.Entry.File, le.Entry.Index),
				Outcome:    report.OutcomeUnsupported,
				Reason:     NotJudged + redact.String(le.Unjudged),
			}
		}
	} else {
		j = l.a.assess(le.Entry, redact)
	}
	if l.after != nil {
		spec := j.spec
		if spec.Outcome == report.OutcomeFailed || spec.Outcome == report.OutcomeError {
			spec.Checks = append([]report.CheckSummary(nil), spec.Checks...)
			report.SpecCaseIDs(&spec)
		}
		l.after(LiveVerdict{Entry: j.e, Redact: j.redact, Spec: spec, Outside: j.op == nil})
	}
	return j
}

// Close judges what is queued, waits for it, and records the live source
// among the audit's files; what is still queued after grace is listed as
// not judged. Offers after Close are dropped.
func (l *Live) Close(grace time.Duration) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		<-l.done
		return
	}
	l.closed = true
	l.wake.Broadcast()
	l.mu.Unlock()
	select {
	case <-l.done:
	case <-time.After(grace):
		l.mu.Lock()
		l.hurry = true
		l.mu.Unlock()
		<-l.done
	}
	l.a.info.Files = append(l.a.info.Files, report.AuditFile{Path: l.name, Format: "live", Entries: l.offers})
}

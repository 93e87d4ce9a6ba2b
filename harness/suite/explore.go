package suite

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/explore"
	"github.com/chconform/chconform/harness/report"
)

// LabelExplore selects the generation phase (explore.Label).
const LabelExplore = explore.Label

// EntryExplore is the report entry of one exploration: its seed, how many
// requests it sent, and the smallest failing one.
const EntryExplore = "chconform.explore"

// ExploreEntry is what an exploration records.
type ExploreEntry struct {
	Operation string `json:"operation"`
	Purpose   string `json:"purpose"`
	// RunSeed is the run's seed (CH_EXPLORE_SEED), Seed this exploration's,
	// derived from it and the operation.
	RunSeed   int64  `json:"run_seed"`
	Seed      uint64 `json:"seed"`
	Generated int    `json:"generated"`
	Sent      int    `json:"sent"`
	OutOfTime bool   `json:"out_of_time,omitempty"`
	Failure   string `json:"failure,omitempty"`
	Minimal   string `json:"minimal,omitempty"`
}

// ExploreSpecs declares the generation phase (issue 21): for every
// operation, a spec that sends requests generated from its request schema
// and parameters and holds the answers to the verdict's checks, and a
// provisional one that holds them to the checks the real server's
// behaviour does not back yet. A failure is shrunk to the smallest request
// that fails the same way, which is sent once more, recorded, and fails the
// spec with a case id and a curl command like any.
func ExploreSpecs() {
	e := MustLoad()
	for _, op := range e.Spec.Operations() {
		labels := append(LabelsFor(op), LabelExplore)
		labels = append(labels, exploreTokenLabel(e, op)...)
		ginkgo.It(fmt.Sprintf("%s answers generated requests as the contract says", op), labels, func(ctx ginkgo.SpecContext) {
			exploreOperation(ctx, op, explore.Verdict)
		})
		ProvisionalIt(fmt.Sprintf("%s takes generated valid requests and refuses invalid ones with a documented status", op), labels, func(ctx ginkgo.SpecContext) {
			exploreOperation(ctx, op, explore.Provisional)
		})
	}
}

// exploreTokenLabel is the needs-token label of op's explorations: they
// authenticate as the default account unless they write (a fresh account
// where the target can make one) or do not run at all.
func exploreTokenLabel(e *Env, op *harness.Operation) ginkgo.Labels {
	if reason, _ := exploreOff(e, op); reason != "" {
		return nil
	}
	if op.Mutating() && op.Secured {
		return WriterNeedsToken(op)
	}
	return tokenLabel(documentedNeedsToken(e, op, ""))
}

// exploreOff says why op's explorations do not run in this configuration,
// and whether that makes them unsupported (the target cannot answer) rather
// than disabled (the configuration keeps them off).
func exploreOff(e *Env, op *harness.Operation) (reason string, unsupported bool) {
	cfg := e.Config
	switch {
	case cfg.Explore == "off":
		return "CH_EXPLORE=off turns the generation phase off", false
	case cfg.BaseURL == nil && inProcess == nil:
		return "the fixtures answer the documented requests only: generated requests need a server (CH_BASE_URL)", true
	case cfg.BaseURL == nil || harness.IsLoopback(cfg.BaseURL):
		return "", false
	case cfg.Explore != "on":
		return "generated requests go to a loopback target only, unless CH_EXPLORE=on", false
	case op.Mutating() || op.SendsSMS() || op.PhoneAuth():
		return fmt.Sprintf("%s changes server state: generated requests go to a target that is not on loopback only for the operations that change nothing", op.ID), false
	}
	return "", false
}

// profileValues are the values the profile's accounts, requests and state
// recipes name (user ids, phone numbers, usernames, rooms): the entities
// other specs rely on. Strings shorter than 4 characters are too common to
// keep out.
func profileValues(p *harness.Profile) map[string]bool {
	out := map[string]bool{}
	add := func(v any) {
		switch x := v.(type) {
		case string:
			if len(x) >= 4 {
				out[x] = true
			}
		case float64:
			out[strconv.FormatFloat(x, 'f', -1, 64)] = true
		case int, int64:
			out[fmt.Sprint(x)] = true
		}
	}
	for _, a := range p.Accounts {
		add(a.UserID)
	}
	for _, recipes := range []map[string]harness.StateRecipe{p.Requests, p.States} {
		for _, r := range recipes {
			for _, v := range r.Body {
				add(v)
				if list, ok := v.([]any); ok {
					for _, item := range list {
						if m, ok := item.(map[string]any); ok {
							for _, w := range m {
								add(w)
							}
						}
					}
				}
			}
		}
	}
	return out
}

// ExploreSeed is the run's seed of generated requests: CH_EXPLORE_SEED, else
// the run's random seed (Ginkgo's, which every process of a parallel run
// shares and the run prints), so a run is made again with the seed it shows.
func ExploreSeed(e *Env) int64 {
	if e.Config.ExploreSeed != 0 {
		return e.Config.ExploreSeed
	}
	cfg, _ := ginkgo.GinkgoConfiguration()
	if cfg.RandomSeed == 0 {
		return 1
	}
	return cfg.RandomSeed
}

// exploreBudget is the time the phase has spent in this process, against
// CH_EXPLORE_BUDGET.
var exploreBudget struct {
	sync.Mutex
	spent time.Duration
}

func exploreDeadline(e *Env) time.Time {
	exploreBudget.Lock()
	defer exploreBudget.Unlock()
	return time.Now().Add(e.Config.ExploreBudget - exploreBudget.spent)
}

func exploreSpent(d time.Duration) {
	exploreBudget.Lock()
	defer exploreBudget.Unlock()
	exploreBudget.spent += d
}

// shrinkBound bounds the requests a shrink sends: a failure of the verdict
// is rare and worth its smallest form; a provisional one is common (the
// contract's gaps) and read for its kind, and for a write short, since
// every candidate that passes changes the world (create_channel's shrink
// once opened two hundred rooms, and get_channels lists every one).
func shrinkBound(op *harness.Operation, purpose explore.Purpose) int {
	switch {
	case purpose == explore.Verdict:
		return 2000
	case op.Mutating():
		return 25
	}
	return 200
}

func exploreOperation(ctx context.Context, op *harness.Operation, purpose explore.Purpose) {
	ginkgo.GinkgoHelper()
	e := MustLoad()
	if reason, unsupported := exploreOff(e, op); reason != "" {
		if unsupported {
			Skip(report.SkipUnsupported + reason)
		}
		Skip(report.SkipDisabled + reason)
	}
	RequireAllowed(op)
	base, err := op.DocumentedCall(e.Profile, "")
	if errors.Is(err, harness.ErrUnsupported) {
		Skip(report.SkipUnsupported + err.Error())
	}
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	// Generated writes go to an account of the spec's own: they must not
	// change what specs running beside it see.
	if op.Mutating() && op.Secured && base.Account == "" {
		base.As = WriterAccount(ctx)
	}
	RequireCredentials(base)

	strict := e.Config.Strict
	protected := profileValues(e.Profile)
	client := Client()
	client.Recorder = nil // thousands of passing requests are no transcript
	var harnessErr error
	judge := func(r explore.Request) string {
		if harnessErr != nil {
			return ""
		}
		if op.Mutating() && r.Names(protected) {
			// A write naming what the profile's accounts and recipes name
			// (the waitlisted user another spec lets in) is not sent.
			return ""
		}
		ex := client.Do(ctx, r.Call(base))
		if errors.Is(ex.Err, harness.ErrTargetDown) || errors.Is(ex.Err, harness.ErrRunTimeout) || errors.Is(ex.Err, harness.ErrNoFixture) || ctx.Err() != nil {
			harnessErr = ex.Err
			if harnessErr == nil {
				harnessErr = ctx.Err()
			}
			return ""
		}
		if ex.RateLimited != "" {
			return "" // the target asked for less: nothing is judged
		}
		return explore.Reason(ex, harness.Verify(ex, explore.Checks(purpose, r.Kind, ex, strict)...))
	}
	runSeed := ExploreSeed(e)
	seed := explore.SeedFor(runSeed, string(purpose), op.ID)
	start := time.Now()
	out, err := explore.Explore(explore.Requests(op), explore.Settings{
		Seed: seed, Examples: e.Config.ExploreExamples, Deadline: exploreDeadline(e), MaxShrink: shrinkBound(op, purpose),
	}, judge)
	exploreSpent(time.Since(start))
	if err != nil {
		Fail(report.HarnessErrorPrefix + " " + err.Error())
	}
	if harnessErr != nil {
		var urlErr *url.Error
		if errors.As(harnessErr, &urlErr) && errors.Is(harnessErr, harness.ErrNoFixture) {
			Skip(report.SkipUnsupported + urlErr.Err.Error())
		}
		Fail(report.HarnessErrorPrefix + " " + harnessErr.Error())
	}
	entry := ExploreEntry{Operation: op.ID, Purpose: string(purpose), RunSeed: runSeed, Seed: seed,
		Generated: out.Generated, Sent: out.Ran, OutOfTime: out.OutOfTime, Failure: out.Failure}
	if out.Failure != "" {
		entry.Minimal = MustLoad().Redactor.String(out.Minimal.Describe())
	}
	ginkgo.AddReportEntry(EntryExplore, entry, ginkgo.ReportEntryVisibilityNever)
	if out.Failure == "" {
		if out.Generated == 0 {
			Skip(report.SkipDisabled + "CH_EXPLORE_BUDGET was spent before this operation's turn")
		}
		return
	}
	// The smallest failing request, sent once more through the recording
	// client: its transcript, its curl command and its checks are the
	// report's, as for any failure.
	var ex *harness.Exchange
	if purpose == explore.Provisional {
		// Judged by checks the verdict does not hold (a valid request
		// refused with an undocumented status): kept out of the run log
		// (CH_RECORD), whose audit judges every exchange by the verdict's.
		c := Client()
		c.Recorder = recorder{redact: e.Redactor, spec: c.SpecName}
		if ex = c.Do(ctx, out.Minimal.Call(base)); ex.Err != nil {
			Fail(report.HarnessErrorPrefix + " " + ex.Err.Error())
		}
	} else {
		ex = Send(ctx, out.Minimal.Call(base))
	}
	what := fmt.Sprintf("generated request %d failed (%s), shrunk by rapid to the smallest that fails so; seed %d (CH_EXPLORE_SEED=%d): %s",
		out.Generated, out.Failure, seed, runSeed, out.Minimal.Describe())
	checks := explore.Checks(purpose, out.Minimal.Kind, ex, strict)
	gomega.Expect(ex).To(harness.PassChecks("to answer a generated request as the contract says", checks...), what)
	Fail(fmt.Sprintf("%s; sent again, it passed: the target answers it two ways", what))
}

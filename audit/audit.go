// Package audit judges captured traffic (HAR files, Postman collections with
// saved responses) against the contract: every check that needs only one
// exchange, on every captured exchange of a contract operation, with no
// request sent. Its verdict is a report.Summary, so the four reports, the
// regression gate and `chreport diff` work on an audit as on a run; what it
// adds is the drift between the captured answers and the contract.
package audit

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/chconform/chconform/capture"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// Options say what an audit judges and how.
type Options struct {
	Spec *harness.Spec
	// Strict also fails answers that carry fields the contract does not
	// declare (CH_STRICT); without it they are drift, not failures.
	Strict bool
	// OutsideCounts fails the audit on entries of no contract operation.
	OutsideCounts bool
	// CredentialsStripped says the capture tool removed Authorization
	// headers (Chrome's sanitized HAR export does), so a request without one
	// proves nothing and ignored_auth is not judged.
	CredentialsStripped bool
	// Redact masks what the reports show; nil masks secrets by their shapes.
	Redact *harness.Redactor
	// MaxTranscripts bounds the failed entries reported with a transcript;
	// the others are listed without one. 0 means DefaultMaxTranscripts.
	MaxTranscripts int
	Tool           report.ToolInfo
	// MinResponseCoverage is CH_MIN_RESPONSE_COVERAGE: the fraction of the
	// response coverage locations the capture must show ("" for none).
	MinResponseCoverage string
	// Workers is how many entries are judged at once (0: GOMAXPROCS). The
	// reports do not depend on it.
	Workers int
}

// DefaultMaxTranscripts keeps report.html of a huge failing capture to a
// size a browser opens.
const DefaultMaxTranscripts = 200

// Auditor judges entries one at a time and keeps only roll-ups, so a capture
// of any length is audited in bounded memory (plus one spec line per entry).
type Auditor struct {
	opts     Options
	builder  *report.Builder
	byPath   map[string][]*harness.Operation // contract path -> operations
	errors   map[string][]errorCase          // operation -> documented error examples
	info     report.AuditInfo
	outside  map[[2]string]int
	drift    map[string]*driftAgg
	failures []report.FailedSpec
	omitted  int
	// verdicts counts the entries that passed or failed; notJudged the
	// entries of a contract operation that did neither.
	verdicts, notJudged int
	// errored counts the unreadable files and entries, each already an
	// errored spec that says why.
	errored int
	// observed is the response coverage of the validated answers.
	observed harness.CoverageLog
	// read is capture.Read (tests swap in the encoding/json reader).
	read func(path string, fn func(capture.Entry) error) error
	// readLazy reads for several workers: entries found, not decoded.
	readLazy func(path string, fn func(*capture.Pending) error) error
}

// New starts an audit against opts.Spec.
func New(opts Options) *Auditor {
	if opts.Redact == nil {
		opts.Redact = harness.NewRedactor(nil)
	}
	if opts.MaxTranscripts <= 0 {
		opts.MaxTranscripts = DefaultMaxTranscripts
	}
	a := &Auditor{
		opts:     opts,
		builder:  report.NewBuilder(opts.Tool),
		byPath:   map[string][]*harness.Operation{},
		outside:  map[[2]string]int{},
		drift:    map[string]*driftAgg{},
		errors:   map[string][]errorCase{},
		read:     capture.Read,
		readLazy: capture.ReadLazy,
	}
	a.info.OutsideCounts = opts.OutsideCounts
	for _, op := range opts.Spec.Operations() {
		a.byPath[op.Path] = append(a.byPath[op.Path], op)
		a.errors[op.ID] = errorCases(op)
	}
	return a
}

// File audits every entry of one capture file. Unreadable input (not a
// capture, truncated, too large) is returned as an error, and is also in the
// summary as an errored spec naming the file and entry, so the reports say
// why the audit could not be made. The entries read before the problem stay
// judged.
func (a *Auditor) File(path string) error {
	file := report.AuditFile{Path: path}
	err := a.entries(path, func(j *assessed) {
		file.Entries++
		a.apply(j)
	})
	if err != nil {
		file.Error = a.opts.Redact.String(err.Error())
		index := -1
		var cerr *capture.Error
		if errors.As(err, &cerr) {
			index = cerr.Index
		}
		name := "unreadable capture " + filepath.Base(path)
		if index >= 0 {
			name += fmt.Sprintf(" at entry #%d", index)
		}
		a.errored++
		a.builder.AddSpec(report.SpecSummary{
			Name:     name,
			Outcome:  report.OutcomeError,
			Reason:   file.Error,
			Location: location(path, index),
		})
	}
	a.info.Files = append(a.info.Files, file)
	return err
}

// entries reads the capture at path and hands each entry, assessed, to
// apply in the capture's order. With more than one worker the entries are
// assessed on that many goroutines while the file is read and apply runs on
// its own: a few MiB of entries per worker are in memory at once.
func (a *Auditor) entries(path string, apply func(*assessed)) error {
	workers := a.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers == 1 {
		return a.read(path, func(e capture.Entry) error {
			apply(a.assess(e, nil))
			capture.Recycle(&e)
			return nil
		})
	}
	// A job is a few entries in a row: handing entries over one by one
	// woke a goroutine per entry, and most entries are a few KiB.
	type job struct {
		ps   []*capture.Pending
		size int64
		// done holds an assessment per entry, nil from the first entry
		// that could not be decoded on.
		done chan []*assessed
	}
	// In flight (read, not yet applied): at most maxInFlight jobs and
	// inFlightBytes of bodies per worker, but always one. A capture mixes
	// small answers and large ones; the reader must run ahead by more than
	// one large answer for the workers to judge two at once. The reader only
	// finds each entry; the workers decode it (most of reading a capture)
	// as well as judge it.
	const maxInFlight = 256
	var (
		mu      sync.Mutex
		room    = sync.NewCond(&mu)
		pending int64
		budget  = int64(workers) * inFlightBytes
		// undecodable: the first entry the workers could not decode (-1:
		// none); from it on nothing is applied, and stop ends the read.
		undecodable = -1
		stop        atomic.Bool
	)
	jobs := make(chan *job, maxInFlight)
	inOrder := make(chan *job, maxInFlight)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for jb := range jobs {
				out := make([]*assessed, len(jb.ps))
				for i, p := range jb.ps {
					e, ok := p.Decode()
					if !ok {
						break
					}
					out[i] = a.assess(e, nil)
				}
				jb.done <- out
			}
		}()
	}
	applied := make(chan struct{})
	go func() {
		defer close(applied)
		for jb := range inOrder {
			for i, j := range <-jb.done {
				switch {
				case undecodable >= 0:
				case j == nil:
					undecodable = jb.ps[i].Index()
					stop.Store(true)
				default:
					apply(j)
					// What the audit keeps of a body it copied.
					capture.Recycle(&j.e)
				}
			}
			mu.Lock()
			pending -= jb.size
			room.Signal()
			mu.Unlock()
		}
	}()
	// batch is the job being filled; a job is sent when it holds
	// batchBytes or batchEntries.
	const batchBytes, batchEntries = 64 << 10, 32
	batch := &job{}
	send := func() {
		if len(batch.ps) == 0 {
			return
		}
		jb := batch
		batch = &job{}
		jb.done = make(chan []*assessed, 1)
		mu.Lock()
		for pending > 0 && pending+jb.size > budget {
			room.Wait()
		}
		pending += jb.size
		mu.Unlock()
		inOrder <- jb
		jobs <- jb
	}
	errStop := errors.New("stopped at an entry that cannot be decoded")
	err := a.readLazy(path, func(p *capture.Pending) error {
		if stop.Load() {
			return errStop
		}
		batch.ps = append(batch.ps, p)
		batch.size += p.Size()
		if batch.size >= batchBytes || len(batch.ps) >= batchEntries {
			send()
		}
		return nil
	})
	send()
	close(jobs)
	close(inOrder)
	wg.Wait()
	<-applied
	if undecodable >= 0 {
		// Read says in its own words what is wrong with that entry (and
		// judges the rest, should it read the entry after all).
		return a.read(path, func(e capture.Entry) error {
			if e.Index >= undecodable {
				apply(a.assess(e, nil))
			}
			return nil
		})
	}
	return err
}

// inFlightBytes is the capture bodies each worker may have read ahead.
const inFlightBytes = 4 << 20

// entrySize is what an entry holds in memory, about.
func entrySize(e capture.Entry) int64 { return capture.Decoded(e).Size() }

// Judge judges one captured entry.
func (a *Auditor) Judge(e capture.Entry) { a.apply(a.assess(e, nil)) }

// assessed is one entry's verdict before it is added to the audit: what
// assess works out touches nothing shared, so entries are assessed on
// several cores, and apply adds them in the capture's order (the reports,
// the drift's first examples and the coverage each entry adds depend on it).
type assessed struct {
	e capture.Entry
	// redact masks what the reports show of this entry.
	redact *harness.Redactor
	// skipped: listed as not judged without a check run (spec says why).
	skipped bool
	op      *harness.Operation
	path    string
	spec    report.SpecSummary
	ex      *harness.Exchange
	// results, entry: the checks' verdicts (nil when the entry could not be
	// read); requestProblem: the request body the contract rejects.
	unreadable     bool
	results        []harness.CheckResult
	entry          report.ChecksEntry
	requestProblem string
	undeclared     []harness.FieldValue
	observed       *harness.Observation
}

// assess judges one entry without adding it to the audit; redact masks
// what the reports show of it (nil: the audit's own Redactor).
func (a *Auditor) assess(e capture.Entry, redact *harness.Redactor) *assessed {
	if redact == nil {
		redact = a.opts.Redact
	}
	j := &assessed{e: e, redact: redact}
	j.op, j.path = a.operation(e.Request)
	op := j.op
	if op == nil {
		if a.opts.OutsideCounts {
			j.spec = report.SpecSummary{
				Name:     specName(e, nil, redact),
				Outcome:  report.OutcomeFailed,
				Reason:   fmt.Sprintf("%s %s is no operation of the contract", e.Request.Method, j.path),
				Location: location(e.File, e.Index),
			}
		}
		return j
	}
	spec := report.SpecSummary{
		Name:       specName(e, op, redact),
		Group:      op.Group,
		Operations: []string{op.ID},
		Location:   location(e.File, e.Index),
	}
	ex := exchange(e, op)
	j.ex = ex
	if e.Problem != "" {
		// The capture holds something that cannot be read back (bad
		// base64, a corrupt gzip): a verdict on it would be a guess.
		spec.Outcome = report.OutcomeError
		spec.Reason = redact.String("the entry cannot be read: " + e.Problem)
		j.spec, j.unreadable = spec, true
		return j
	}

	checks, requestProblem := a.checks(e, ex)
	j.requestProblem = requestProblem
	results := harness.Verify(ex, checks...)
	entry := report.NewChecksEntry(ex, results, redact)
	j.observed = a.observed.Look(ex)
	if ex.Response != nil && e.BodyCaptured {
		j.undeclared = harness.UndeclaredFields(ex)
	}

	spec.Outcome = report.OutcomePassed
	var failed []string
	for _, r := range results {
		if r.Status == harness.CheckFailed {
			failed = append(failed, r.Name)
		}
	}
	if why := unjudged(results); why != "" && len(failed) == 0 {
		// Nothing broke, but nothing held either: an answer whose body the
		// capture did not keep is no evidence the body kept the contract.
		spec.Outcome = report.OutcomeUnsupported
		spec.Reason = NotJudged + why
		spec.Checks = report.SpecChecks(entry)
	}
	if len(failed) > 0 {
		spec.Outcome = report.OutcomeFailed
		spec.Reason = "failed: " + strings.Join(failed, ", ")
		// Only a failed entry carries its checks: the roll-up per
		// operation holds the rest, and a million passing entries must
		// not make a million-line summary ten times longer.
		spec.Checks = report.SpecChecks(entry)
	}
	j.results, j.entry, j.spec = results, entry, spec
	return j
}

// apply adds an assessed entry to the audit.
func (a *Auditor) apply(j *assessed) {
	a.info.Entries++
	if j.op == nil {
		a.outside[[2]string{j.e.Request.Method, j.path}]++
		if a.opts.OutsideCounts {
			a.builder.AddSpec(j.spec)
		}
		return
	}
	a.info.Judged++
	if j.unreadable {
		a.errored++
		a.builder.AddSpec(j.spec)
		a.keepFailure(j.spec, j.ex, j.redact)
		return
	}
	if j.skipped {
		a.notJudged++
		a.builder.AddSpec(j.spec)
		return
	}
	if j.requestProblem != "" {
		a.driftOf(j.op).request(j.requestProblem)
	}
	j.entry.Observed = a.observed.Add(j.observed)
	a.builder.AddChecks(j.entry)
	a.driftOf(j.op).add(j.ex, j.results, j.e.BodyCaptured, j.undeclared, j.redact, location(j.e.File, j.e.Index))
	a.builder.AddSpec(j.spec)
	switch j.spec.Outcome {
	case report.OutcomeFailed:
		a.verdicts++
		a.keepFailure(j.spec, j.ex, j.redact)
	case report.OutcomePassed:
		a.verdicts++
	default:
		a.notJudged++
	}
}

// nothingJudged says why an audit reached no verdict on any entry.
func (a *Auditor) nothingJudged() string {
	switch {
	case a.info.Entries == 0:
		return "the capture holds no entry"
	case a.info.Judged == 0:
		return fmt.Sprintf("none of the %d entries is of a contract operation", a.info.Entries)
	}
	return fmt.Sprintf("none of the %d entries of a contract operation could be judged (%d without the body the contract describes): export the capture with its response bodies",
		a.info.Judged, a.notJudged)
}

// NotJudged starts the reason of an entry the audit could not judge: its
// status may have held, but the body the contract describes was not there to
// validate. Such an entry is listed, counted apart (as unsupported), and
// never a pass.
const NotJudged = "not judged: "

// unjudged says why an entry's answer was not judged ("" when it was): the
// body the contract describes for its status went unvalidated. An entry
// judged as a refusal of a malformed request carries no schema check; its
// refusal check judges the body instead.
func unjudged(results []harness.CheckResult) string {
	for _, r := range results {
		if r.Name == harness.CheckNegativeDataRejected {
			if r.Status == harness.CheckSkipped {
				return r.Name + ": " + r.Reason
			}
			return ""
		}
	}
	return harness.Unjudged(results)
}

// keepFailure keeps the transcript of a failed entry while there is room.
func (a *Auditor) keepFailure(spec report.SpecSummary, ex *harness.Exchange, redact *harness.Redactor) {
	if len(a.failures) >= a.opts.MaxTranscripts {
		a.omitted++
		return
	}
	a.failures = append(a.failures, report.FailedSpec{
		Spec:      spec,
		Exchanges: []report.ExchangeEntry{report.NewExchangeEntry(ex, redact)},
	})
}

// Result is the audit's verdict and the transcripts of its failures.
func (a *Auditor) Result() (report.Summary, []report.FailedSpec) {
	run := report.RunEntry{
		Mode:       "capture",
		Profile:    "capture",
		SpecPath:   a.opts.Spec.Path,
		SpecSHA:    a.opts.Spec.SHA256,
		Operations: report.OperationInfos(a.opts.Spec),
		Config:     map[string]string{"CH_STRICT": strconv.FormatBool(a.opts.Strict)},
	}
	if a.opts.MinResponseCoverage != "" {
		run.Floor = &report.Floor{MinResponse: a.opts.MinResponseCoverage}
		run.Config["CH_MIN_RESPONSE_COVERAGE"] = a.opts.MinResponseCoverage
	}
	a.builder.AddRun(run)
	if a.verdicts == 0 && a.errored == 0 {
		// An audit that judged nothing cannot pass: like a capture that
		// cannot be read, the input could not support a verdict (exit 2).
		a.builder.AddSpec(report.SpecSummary{
			Name:    "[audit] nothing judged",
			Outcome: report.OutcomeError,
			Reason:  a.nothingJudged(),
		})
	}
	s := a.builder.Summary()
	info := a.info
	info.TranscriptsOmitted = a.omitted
	info.Outside = []report.OutsideEntry{}
	for k, n := range a.outside {
		info.Outside = append(info.Outside, report.OutsideEntry{Method: k[0], Path: k[1], Count: n})
	}
	sort.Slice(info.Outside, func(i, j int) bool {
		if info.Outside[i].Path != info.Outside[j].Path {
			return info.Outside[i].Path < info.Outside[j].Path
		}
		return info.Outside[i].Method < info.Outside[j].Method
	})
	info.Drift = []report.OperationDrift{}
	for id, d := range a.drift {
		info.Drift = append(info.Drift, d.summary(id))
	}
	sort.Slice(info.Drift, func(i, j int) bool { return info.Drift[i].OperationID < info.Drift[j].OperationID })
	s.Audit = &info

	// Failures in the order the summary lists its specs (a map of the
	// failures only: a long capture has a spec per entry).
	order := make(map[string]int, len(a.failures))
	for _, f := range a.failures {
		order[f.Spec.Location] = -1
	}
	for i, sp := range s.Specs {
		if _, ok := order[sp.Location]; ok {
			order[sp.Location] = i
		}
	}
	failures := append([]report.FailedSpec(nil), a.failures...)
	sort.SliceStable(failures, func(i, j int) bool {
		return order[failures[i].Spec.Location] < order[failures[j].Spec.Location]
	})
	return s, failures
}

// operation finds the contract operation of a captured request: its path
// under any base ("/api/get_channels" on any host) and its method, the
// documented one or a documented alternate. It returns the path it matched
// on, for the outside-the-contract list.
func (a *Auditor) operation(r harness.Request) (*harness.Operation, string) {
	path := r.URL
	if u, err := url.Parse(r.URL); err == nil {
		path = u.EscapedPath()
		if path == "" {
			path = u.Opaque
		}
	}
	path = strings.TrimRight(path, "/")
	if path == "" {
		path = "/"
	}
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] != '/' {
			continue
		}
		ops := a.byPath[path[i:]]
		for _, op := range ops {
			if op.Method == r.Method {
				return op, path
			}
		}
		for _, op := range ops {
			for _, m := range op.AlternateMethods() {
				if m == r.Method {
					return op, path
				}
			}
		}
		if len(ops) > 0 {
			return nil, path
		}
	}
	return nil, path
}

// checks are the single-exchange checks that apply to a captured entry, and
// the problem the contract finds with its request body ("" for none; it is
// the request's drift):
// those a conformance run applies to every answer, the documented error case
// when the body names a documented error state, and ignored_auth when the
// request carried no credentials. What the capture did not keep is skipped
// with that reason, never failed.
func (a *Auditor) checks(e capture.Entry, ex *harness.Exchange) ([]harness.Check, string) {
	problem := harness.RequestBodyProblem(ex.Op, ex.Request.Header, ex.Request.Body)
	if problem != "" {
		// A request the contract calls malformed (a suite's probe, a
		// client's mistake) is owed a refusal. But a capture's request is
		// not always the one that was answered (a Postman collection keeps
		// an example request beside a saved response), and when the server
		// accepted it, that is evidence against the contract's request
		// schema: the answer is then judged as any answer is, and the
		// request is drift.
		if ex.Response == nil || ex.Response.Status < 200 || ex.Response.Status > 299 {
			refusal := harness.NegativeDataRejection()
			if !e.BodyCaptured {
				// The refusal is judged by its body too.
				refusal = notCaptured(refusal.Name, uncaptured(e))
			}
			return []harness.Check{harness.ResponseReceived(), harness.NotAServerError(), refusal}, problem
		}
	}
	var out []harness.Check
	for _, c := range harness.StandardChecks(a.opts.Strict) {
		switch {
		case !e.BodyCaptured && (c.Name == harness.CheckResponseSchema || c.Name == harness.CheckJSONInterop):
			c = notCaptured(c.Name, uncaptured(e))
		case !e.HeadersCaptured && c.Name == harness.CheckResponseHeaders:
			c = unlessUndocumented(c, "headers not captured")
		case !e.HeadersCaptured && e.MimeType == "" && c.Name == harness.CheckContentType:
			c = notCaptured(c.Name, "headers not captured")
		}
		out = append(out, c)
	}
	if e.BodyCaptured && ex.Response != nil {
		if c, ok := a.documentedErrorCase(ex); ok {
			out = append(out, c)
		}
	}
	if ex.Op.Secured && !a.opts.CredentialsStripped && len(ex.Request.Header) > 0 && !hasCredentials(ex.Request.Header) {
		out = append(out, harness.IgnoredAuth(""))
	}
	return out, problem
}

// unlessUndocumented is c where the contract documents nothing for it to
// judge (its own skip), and otherwise a skip for what the capture did not
// keep: a status without documented headers is judged whole without them.
func unlessUndocumented(c harness.Check, reason string) harness.Check {
	return harness.Check{Name: c.Name, Run: func(ex *harness.Exchange) ([]harness.Finding, string) {
		if findings, skip := c.Run(ex); skip != "" && len(findings) == 0 {
			return nil, skip
		}
		return nil, reason
	}}
}

// uncaptured says why the entry's body is not there to judge.
func uncaptured(e capture.Entry) string {
	if e.Uncaptured != "" {
		return e.Uncaptured
	}
	return "body not captured"
}

func notCaptured(name, reason string) harness.Check {
	return harness.Check{Name: name, Run: func(*harness.Exchange) ([]harness.Finding, string) { return nil, reason }}
}

func hasCredentials(h http.Header) bool {
	return h.Get("Authorization") != "" || h.Get("Cookie") != ""
}

// errorCase is a documented error example and the message that names it.
type errorCase struct {
	status  int
	example harness.Example
	message string
}

// errorCases lists the documented error examples of op by their message
// (error_message or detail).
func errorCases(op *harness.Operation) []errorCase {
	var out []errorCase
	for _, r := range op.Responses() {
		for _, ex := range r.Examples {
			if m, ok := errorMessage(ex.Value); ok && m != "" {
				out = append(out, errorCase{r.Status, ex, m})
			}
		}
	}
	return out
}

// maxErrorBody bounds the bodies read for a documented error message: error
// envelopes are a few hundred bytes, and a page of rooms names no error.
const maxErrorBody = 64 << 10

// documentedErrorCase finds the documented error example whose message the
// body carries and checks the answer against it: its documented status and
// exactly its body. A body that names no documented error state gets no
// such check.
func (a *Auditor) documentedErrorCase(ex *harness.Exchange) (harness.Check, bool) {
	cases := a.errors[ex.Op.ID]
	body := ex.Response.Body
	if len(cases) == 0 || len(body) > maxErrorBody ||
		!bytes.Contains(body, []byte(`"error_message"`)) && !bytes.Contains(body, []byte(`"detail"`)) {
		return harness.Check{}, false
	}
	// The check's own reading of the body, which it judges next.
	envelope, _ := ex.Response.JSONValue()
	msg, ok := errorMessage(envelope)
	if !ok || msg == "" {
		return harness.Check{}, false
	}
	// The example at the answer's own status is the one it must match;
	// another status is the first thing the check will report.
	var best *errorCase
	for i, c := range cases {
		if c.message != msg {
			continue
		}
		if best == nil || c.status == ex.Response.Status && best.status != ex.Response.Status {
			best = &cases[i]
		}
	}
	if best == nil {
		return harness.Check{}, false
	}
	return harness.DocumentedErrorCase(best.status, best.example), true
}

func errorMessage(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	for _, key := range []string{"error_message", "detail"} {
		if s, ok := m[key].(string); ok {
			return s, true
		}
	}
	return "", false
}

// exchange is a captured entry as the checks see it. A response whose
// capture kept no header but the body's media type (HAR content.mimeType is
// the Content-Type's value) gets that one header, so its body can be judged.
func exchange(e capture.Entry, op *harness.Operation) *harness.Exchange {
	ex := &harness.Exchange{Op: op, Request: e.Request, Elapsed: e.Elapsed}
	if ex.Request.Header == nil {
		ex.Request.Header = http.Header{}
	}
	if e.Response != nil {
		resp := *e.Response
		if resp.Header == nil {
			resp.Header = http.Header{}
		}
		if !e.HeadersCaptured && e.MimeType != "" && resp.Header.Get("Content-Type") == "" {
			resp.Header = resp.Header.Clone()
			resp.Header.Set("Content-Type", e.MimeType)
		}
		ex.Response = &resp
	} else {
		ex.Err = errors.New("the capture holds no response for this request")
		if e.NoResponse != "" {
			ex.Err = errors.New(e.NoResponse)
		}
	}
	return ex
}

// specName names an entry the same way on every audit of the same file, so
// two audits diff by entry: the file, the entry's index, method and path,
// and the capture's own label, made safe to print.
func specName(e capture.Entry, op *harness.Operation, redact *harness.Redactor) string {
	path := "(unknown)"
	if op != nil {
		path = op.Path
	} else if u, err := url.Parse(e.Request.URL); err == nil {
		path = u.Path
	}
	name := fmt.Sprintf("%s #%d: %s %s", filepath.Base(e.File), e.Index, e.Request.Method, printable(path, 120))
	if label := printable(e.Name, 100); label != "" {
		name += " (" + redact.String(label) + ")"
	}
	return name
}

func location(file string, index int) string {
	if index < 0 {
		return filepath.Base(file)
	}
	return fmt.Sprintf("%s#%d", filepath.Base(file), index)
}

// printable keeps a capture's text on one inert line: control characters
// (terminal escapes, newlines that would start a CI workflow command) become
// spaces, and it is cut to n bytes.
func printable(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return harness.Cut(strings.TrimSpace(s), n)
}

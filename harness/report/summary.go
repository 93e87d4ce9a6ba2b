package report

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chconform/chconform/harness"
	"github.com/onsi/ginkgo/v2/types"
)

// ToolInfo names the build that produced a summary, so two summaries that
// differ can be told apart by tool as well as by target.
type ToolInfo struct {
	Version    string `json:"version"`
	KinOpenAPI string `json:"kin_openapi,omitempty"`
	Ginkgo     string `json:"ginkgo,omitempty"`
}

// Summary is summary.json: the machine-readable verdict of one run. Every
// slice is sorted and nothing depends on map order, parallelism or spec
// randomisation, so two summaries of the same run are byte-identical and a
// diff of two runs shows only what changed.
type Summary struct {
	// SchemaVersion is the format of this document (SchemaVersion,
	// summary.schema.json).
	SchemaVersion string `json:"schema_version"`
	// StartedAt is the earliest suite start; the only time in the summary.
	StartedAt  string             `json:"started_at,omitempty"`
	Target     Target             `json:"target"`
	Spec       SpecInfo           `json:"spec"`
	Tool       ToolInfo           `json:"tool"`
	Totals     Totals             `json:"totals"`
	Coverage   Coverage           `json:"coverage"`
	Operations []OperationSummary `json:"operations"`
	Specs      []SpecSummary      `json:"specs"`
	// Audit is set on the summary of an audit of captured traffic.
	Audit *AuditInfo `json:"audit,omitempty"`

	// Verdict and Verified: verified coverage against the run's floor
	// (issue 12; verdict.go).
	Verdict  Verdict      `json:"verdict"`
	Verified Verification `json:"verified"`
	// ResponseCoverage is which places of the documented responses' schemas
	// the run saw in validated bodies (issue 18 §2; respcov.go).
	ResponseCoverage *ResponseCoverage `json:"response_coverage,omitempty"`

	// Provisional lists the specs labelled provisional (issue 13), apart:
	// cases the contract does not document yet. They are in none of the
	// totals, operations, coverage or verdict above, whatever their outcome.
	Provisional *Provisional `json:"provisional,omitempty"`

	// Skips lists the skips the implementer declared (skips.go), each
	// with the specs it skipped; any makes the verdict
	// conformant-with-gaps at best.
	Skips []Skip `json:"skips,omitempty"`
}

// Provisional is the specs of cases the contract does not document yet,
// counted apart from the verdict.
type Provisional struct {
	Totals Totals        `json:"totals"`
	Specs  []SpecSummary `json:"specs"`
}

// Target is what the run was pointed at.
type Target struct {
	Mode    string            `json:"mode"`
	BaseURL string            `json:"base_url,omitempty"`
	Profile string            `json:"profile"`
	Config  map[string]string `json:"config,omitempty"` // redacted by the suites
	// Shard is "I/N" for one part of a sharded run; empty for a whole run.
	Shard string `json:"shard,omitempty"`
	// Anonymous is set when the run was anonymous on purpose
	// (CH_ANONYMOUS): its verdict is what a client without CH_AUTH_TOKEN
	// can verify, and every report says so beside the verdict.
	Anonymous bool `json:"anonymous,omitempty"`
}

// SpecInfo identifies the contract the run checked against.
type SpecInfo struct {
	Path       string `json:"path"`
	SHA256     string `json:"sha256"`
	Operations int    `json:"operations"`
}

// Totals counts spec outcomes. Specs the run did not select (label filter,
// focus, pending) are in none of them.
type Totals struct {
	Passed      int `json:"passed"`
	Failed      int `json:"failed"`
	Unsupported int `json:"unsupported"`
	Disabled    int `json:"disabled"`
	Error       int `json:"error"`
	// Flaky counts the passed specs that passed only on a retry (Ginkgo's
	// flake attempts, CH_RERUNS): they are in Passed too, since their
	// outcome is passed, and each one keeps the run from being conformant
	// (verdict.go).
	Flaky int `json:"flaky"`
}

// Coverage says how much of the contract the run actually reached.
type Coverage struct {
	OperationsExercised int `json:"operations_exercised"`
	OperationsTotal     int `json:"operations_total"`
	ResponsesExercised  int `json:"responses_exercised"`
	ResponsesTotal      int `json:"responses_total"`
}

// OperationSummary is one row of the operation x check matrix.
type OperationSummary struct {
	OperationID         string         `json:"operation_id"`
	Group               string         `json:"group"`
	Method              string         `json:"method"`
	Path                string         `json:"path"`
	Status              Outcome        `json:"status"`
	Checks              []CheckSummary `json:"checks"`
	ResponsesDocumented []string       `json:"responses_documented"`
	ResponsesExercised  []string       `json:"responses_exercised"`
}

// CheckSummary is one check's verdict, on a spec's exchange or rolled up
// over an operation.
type CheckSummary struct {
	// Operation is set on a spec's checks, where one spec may exercise
	// several operations; an operation's own checks leave it out.
	Operation string              `json:"operation,omitempty"`
	Name      string              `json:"name"`
	Status    harness.CheckStatus `json:"status"`
	Message   string              `json:"message"`
	// CaseID is set on a failed check of a spec: the stable id of that
	// failure (caseid.go).
	CaseID string `json:"case_id,omitempty"`
}

// SpecSummary is one selected spec, or one suite-level problem (a failed
// BeforeSuite, a suite that did not compile) reported as a spec so that it
// is counted and listed like one.
type SpecSummary struct {
	Name       string         `json:"name"`
	Group      string         `json:"group,omitempty"`
	Operations []string       `json:"operations,omitempty"`
	State      string         `json:"state,omitempty"` // Ginkgo's own word
	Outcome    Outcome        `json:"outcome"`
	Reason     string         `json:"reason,omitempty"`
	Checks     []CheckSummary `json:"checks,omitempty"`
	Location   string         `json:"location,omitempty"`
	// CaseIDs are the stable ids of the spec's failures, one per failed
	// check (caseid.go); set on failed, errored and flaky specs.
	CaseIDs []string `json:"case_ids,omitempty"`
	// Flaky is set on a spec that passed only on a retry: a failed attempt
	// first, then a passed one. Its outcome stays passed (the outcome
	// values are a closed set); Reason says what the failed attempts said.
	Flaky bool `json:"flaky,omitempty"`
	// Attempts is how many times Ginkgo ran the spec, when more than once.
	Attempts int `json:"attempts,omitempty"`
	// Reproduce is a curl command per exchange the spec sent, for failed,
	// errored and flaky specs (curl.go), in the order they were sent.
	Reproduce []Reproduction `json:"reproduce,omitempty"`
	// Covers lists the documented responses ("<op>:<status>") the spec's
	// covers: labels declare; the summary uses it for verified coverage.
	Covers []string `json:"-"`
	// Skip is the match of the declared skip that skipped the spec
	// (skips.go); its outcome is disabled.
	Skip string `json:"skip,omitempty"`
}

// ExitCode is the run's exit status as DESIGN.md defines it: 2 when the
// harness could not do its job (an error, or nothing ran at all, which is
// never what a conformance run is for), 1 when the target broke the
// contract (a spec failed, or passed only on a retry) or the run verified
// less than its floor requires, 0 otherwise.
func (s Summary) ExitCode() int {
	switch {
	case s.Totals.Error > 0 || len(s.Specs) == 0:
		return 2
	case s.Totals.Failed > 0 || s.Totals.Flaky > 0 || len(s.Verified.BelowFloor) > 0:
		// A flaky spec is not a pass (verdict.go): the target answered
		// the same question two ways.
		return 1
	default:
		return 0
	}
}

// maxMessages caps how many distinct messages an operation's check keeps,
// so one broken schema hit by a hundred specs stays one readable line.
const maxMessages = 5

// Build reduces Ginkgo reports (one per suite package, as
// `ginkgo --json-report` writes them, or straight from a ReportAfterSuite)
// to a Summary. It fails only when a chconform report entry cannot be
// decoded, which means writer and reader disagree on the wire format.
func Build(reports []types.Report, tool ToolInfo) (Summary, error) {
	b := NewBuilder(tool)
	for ri, r := range reports {
		b.Started(r.StartTime)
		suiteBroken := false
		for _, sr := range sortedSpecReports(r.SpecReports) {
			runs, entries, exchanges, err := decodeEntries(sr)
			if err != nil {
				return Summary{}, fmt.Errorf("suite %q: %w", suiteName(r, ri), err)
			}
			for _, run := range runs {
				b.AddRun(run)
			}
			// A provisional spec's exchanges judge a case the contract does
			// not document: they roll into no operation, no coverage and
			// no verdict (its own checks stay with it in the list apart).
			provisional := sr.LeafNodeType == types.NodeTypeIt && slices.Contains(sr.Labels(), LabelProvisional)
			for _, e := range entries {
				if !provisional {
					b.AddChecks(e)
				}
			}

			if sr.LeafNodeType != types.NodeTypeIt {
				// Suite-level nodes have no outcome of their own, but when
				// one fails the specs behind it never ran: that is the
				// harness failing, not the target.
				if sr.State.Is(types.SpecStateFailureStates) {
					suiteBroken = true
					_, reason, _ := classify(sr)
					b.AddSpec(SpecSummary{
						Name:     fmt.Sprintf("[%s] %s", sr.LeafNodeType, suiteName(r, ri)),
						State:    sr.State.String(),
						Outcome:  OutcomeError,
						Reason:   reason,
						Location: location(sr.LeafNodeLocation),
					})
				}
				continue
			}

			outcome, reason, selected := classify(sr)
			if !selected {
				continue
			}
			if outcome == OutcomeFailed || outcome == OutcomeError {
				suiteBroken = true
			}
			if provisional && sr.State == types.SpecStateSkipped && strings.HasPrefix(sr.Failure.Message, SkipProvisionalFailed) {
				outcome, reason = OutcomeFailed, oneLine(strings.TrimPrefix(sr.Failure.Message, SkipProvisionalFailed))
			}
			spec := SpecSummary{
				Name:     sr.FullText(),
				State:    sr.State.String(),
				Outcome:  outcome,
				Reason:   reason,
				Location: location(sr.LeafNodeLocation),
			}
			for _, l := range sr.Labels() {
				switch {
				case strings.HasPrefix(l, LabelGroup) && spec.Group == "":
					spec.Group = strings.TrimPrefix(l, LabelGroup)
				case strings.HasPrefix(l, LabelOp):
					spec.Operations = append(spec.Operations, strings.TrimPrefix(l, LabelOp))
				case strings.HasPrefix(l, LabelCovers):
					spec.Covers = append(spec.Covers, strings.TrimPrefix(l, LabelCovers))
				}
			}
			for _, e := range entries {
				spec.Checks = append(spec.Checks, SpecChecks(e)...)
			}
			if sr.NumAttempts > 1 {
				spec.Attempts = sr.NumAttempts
			}
			if spec.Skip, err = declaredSkip(sr); err != nil {
				return Summary{}, fmt.Errorf("suite %q: %w", suiteName(r, ri), err)
			}
			if isFlaky(sr) {
				spec.Flaky = true
				spec.Reason = flakyReason(sr)
			}
			if spec.Flaky || outcome == OutcomeFailed || outcome == OutcomeError {
				spec.Reproduce = Reproductions(exchanges)
			}
			if provisional {
				b.AddProvisional(spec)
				continue
			}
			b.AddSpec(spec)
		}

		// Ginkgo can fail a suite with no spec to blame: it did not compile,
		// it was interrupted, --fail-on-pending. The exit code must not say
		// 0 when Ginkgo said the suite failed.
		if !r.SuiteSucceeded && !suiteBroken {
			reason := strings.Join(r.SpecialSuiteFailureReasons, "; ")
			if reason == "" {
				reason = "the suite failed without a failed spec"
			}
			b.AddSpec(SpecSummary{
				Name:    "[suite] " + suiteName(r, ri),
				Outcome: OutcomeError,
				Reason:  reason,
			})
		}
	}

	if b.run == nil && len(reports) > 0 {
		// Without it the summary cannot name the target or the contract,
		// and every operation would be missing from the matrix.
		b.AddSpec(SpecSummary{
			Name:    "[" + EntryRun + "]",
			Outcome: OutcomeError,
			Reason:  "no suite recorded a " + EntryRun + " report entry",
		})
	}
	return b.Summary(), nil
}

// SpecChecks is one exchange's check results as a spec lists them.
func SpecChecks(e ChecksEntry) []CheckSummary {
	out := make([]CheckSummary, 0, len(e.Checks))
	for _, c := range e.Checks {
		out = append(out, CheckSummary{
			Operation: e.Operation,
			Name:      c.Name,
			Status:    c.Status,
			Message:   checkMessage(c),
		})
	}
	return out
}

// Builder reduces what a run recorded (its run description, the verdicts on
// each exchange, each spec's outcome) to a Summary. Build feeds it from
// Ginkgo reports; an audit of captured traffic feeds it exchange by exchange,
// so both roll up operations, checks and coverage by the same rules.
type Builder struct {
	tool    ToolInfo
	specs   []SpecSummary
	run     *RunEntry
	ops     map[string]OperationInfo
	status  map[string]Outcome
	checks  map[string]map[string]*checkAgg
	seen    map[string]map[string]bool // op -> response statuses that conformed
	reached map[string]bool            // ops that got at least one response
	// For verified coverage (verdict.go):
	failedAt map[string]map[string][]string // op -> status -> checks that failed on it
	// validated: op -> statuses some exchange got with its body judged
	// (harness.Unjudged); unjudged: why the others' were not.
	validated map[string]map[string]bool
	unjudged  map[string]map[string][]string
	covers    map[string]*coverRecord // "<op>:<status>" -> its selected covering specs
	// observed: "<op>:<status>" -> the response coverage locations seen
	observed map[string]map[string]bool
	started  time.Time
	// provisional holds the specs labelled provisional, counted apart.
	provisional []SpecSummary
	// skips are the declared skips of the run descriptions (skips.go).
	skips []Skip
}

// NewBuilder starts an empty summary made by tool.
func NewBuilder(tool ToolInfo) *Builder {
	return &Builder{
		tool:    tool,
		ops:     map[string]OperationInfo{},
		status:  map[string]Outcome{},
		checks:  map[string]map[string]*checkAgg{},
		seen:    map[string]map[string]bool{},
		reached: map[string]bool{},
	}
}

// Started notes a start time; the summary keeps the earliest.
func (b *Builder) Started(t time.Time) {
	if !t.IsZero() && (b.started.IsZero() || t.Before(b.started)) {
		b.started = t
	}
}

// AddRun describes the target and the contract. The first description names
// the target; every one adds its operations (each suite process describes
// the same contract, and a union still keeps one listed by only one).
func (b *Builder) AddRun(run RunEntry) {
	if b.run == nil {
		b.run = &run
	} else if b.run.Shard != run.Shard {
		// The parts of a sharded run, merged: the whole is no part.
		b.run.Shard = ""
	}
	b.addSkips(run.Skips)
	for _, op := range run.Operations {
		if _, ok := b.ops[op.ID]; !ok {
			b.ops[op.ID] = op
		}
	}
}

// AddChecks rolls the verdicts on one exchange into its operation's checks
// and coverage.
func (b *Builder) AddChecks(e ChecksEntry) {
	if e.Status != 0 {
		b.reached[e.Operation] = true
	}
	b.noteStatus(e)
	b.noteObserved(e)
	for _, c := range e.Checks {
		if b.checks[e.Operation] == nil {
			b.checks[e.Operation] = map[string]*checkAgg{}
		}
		agg := b.checks[e.Operation][c.Name]
		if agg == nil {
			agg = &checkAgg{}
			b.checks[e.Operation][c.Name] = agg
		}
		agg.add(c)
		if c.Name == harness.CheckStatusCode && c.Status == harness.CheckPassed && e.Status != 0 {
			if b.seen[e.Operation] == nil {
				b.seen[e.Operation] = map[string]bool{}
			}
			b.seen[e.Operation][strconv.Itoa(e.Status)] = true
			b.noteBody(e)
		}
	}
}

// AddSpec adds one spec (or one suite-level problem reported as a spec) and
// raises the status of the operations it exercised.
func (b *Builder) AddSpec(spec SpecSummary) {
	slices.Sort(spec.Operations)
	spec.Operations = slices.Compact(spec.Operations)
	for _, op := range spec.Operations {
		b.status[op] = b.status[op].raise(spec.Outcome)
	}
	if spec.Flaky || spec.Outcome == OutcomeFailed || spec.Outcome == OutcomeError {
		SpecCaseIDs(&spec)
	}
	b.noteCovers(spec)
	b.specs = append(b.specs, spec)
}

// AddProvisional adds a spec of a case the contract does not document yet:
// listed apart, it raises no operation's status, covers nothing and counts
// in no total of the verdict.
func (b *Builder) AddProvisional(spec SpecSummary) {
	slices.Sort(spec.Operations)
	spec.Operations = slices.Compact(spec.Operations)
	b.provisional = append(b.provisional, spec)
}

// Summary is the verdict: operations, coverage and totals, sorted so that it
// does not depend on the order things were added in. The summary takes the
// specs over (an audit of a long capture holds one per entry, and a copy
// would double them): add nothing after it.
func (b *Builder) Summary() Summary {
	s := Summary{SchemaVersion: SchemaVersion, Tool: b.tool, Operations: []OperationSummary{}, Specs: b.specs}
	b.specs = nil
	if s.Specs == nil {
		s.Specs = []SpecSummary{}
	}
	if b.run != nil {
		s.Target = Target{Mode: b.run.Mode, BaseURL: b.run.BaseURL, Profile: b.run.Profile, Config: b.run.Config, Shard: b.run.Shard, Anonymous: b.run.Anonymous}
		s.Spec = SpecInfo{Path: b.run.SpecPath, SHA256: b.run.SpecSHA}
	}
	if !b.started.IsZero() {
		s.StartedAt = b.started.UTC().Format(time.RFC3339)
	}

	for id, op := range b.ops {
		documented := slices.Clone(op.ResponsesDocumented)
		slices.Sort(documented)
		documented = slices.Compact(documented)
		if documented == nil {
			documented = []string{}
		}
		exercised := []string{}
		for _, code := range documented {
			if b.seen[id][code] {
				exercised = append(exercised, code)
			}
		}
		o := OperationSummary{
			OperationID:         id,
			Group:               op.Group,
			Method:              op.Method,
			Path:                op.Path,
			Status:              OutcomeNotRun.raise(b.status[id]),
			Checks:              []CheckSummary{},
			ResponsesDocumented: documented,
			ResponsesExercised:  exercised,
		}
		for name, agg := range b.checks[id] {
			o.Checks = append(o.Checks, CheckSummary{Name: name, Status: agg.status, Message: agg.message()})
		}
		sort.Slice(o.Checks, func(i, j int) bool { return o.Checks[i].Name < o.Checks[j].Name })
		s.Operations = append(s.Operations, o)

		s.Coverage.OperationsTotal++
		s.Coverage.ResponsesTotal += len(documented)
		s.Coverage.ResponsesExercised += len(exercised)
		if b.reached[id] {
			s.Coverage.OperationsExercised++
		}
	}
	s.Spec.Operations = len(b.ops)
	sort.Slice(s.Operations, func(i, j int) bool { return s.Operations[i].OperationID < s.Operations[j].OperationID })

	// A failed BeforeSuite shows up once per parallel process; once is enough.
	sort.SliceStable(s.Specs, func(i, j int) bool { return specLess(s.Specs[i], s.Specs[j]) })
	s.Specs = slices.CompactFunc(s.Specs, func(a, b SpecSummary) bool {
		return strings.HasPrefix(a.Name, "[") && a.Name == b.Name && a.Reason == b.Reason
	})
	s.Totals = countOutcomes(s.Specs)
	if len(b.provisional) > 0 {
		p := &Provisional{Specs: b.provisional}
		b.provisional = nil
		sort.SliceStable(p.Specs, func(i, j int) bool { return specLess(p.Specs[i], p.Specs[j]) })
		p.Totals = countOutcomes(p.Specs)
		s.Provisional = p
	}
	// summary.json carries the commands of the first MaxFailuresInFull
	// failed or flaky specs, as report.html carries their transcripts.
	withRepro := 0
	for i := range s.Specs {
		if len(s.Specs[i].Reproduce) == 0 {
			continue
		}
		if withRepro++; withRepro > MaxFailuresInFull {
			s.Specs[i].Reproduce = nil
		}
	}
	s.ResponseCoverage = b.responseCoverage()
	s.Skips = summarySkips(b.skips, s.Specs)
	s.Verified = b.verification(s.Operations)
	responseFloor(&s.Verified, s.ResponseCoverage)
	s.Verdict = verdict(s)
	return s
}

// countOutcomes counts specs by outcome.
func countOutcomes(specs []SpecSummary) Totals {
	var t Totals
	for _, sp := range specs {
		switch sp.Outcome {
		case OutcomePassed:
			t.Passed++
		case OutcomeFailed:
			t.Failed++
		case OutcomeUnsupported:
			t.Unsupported++
		case OutcomeDisabled:
			t.Disabled++
		case OutcomeError:
			t.Error++
		}
		if sp.Flaky {
			t.Flaky++
		}
	}
	return t
}

// specLess orders specs by name, then by everything else that can differ,
// so that duplicate names (table entries with the same text) still sort the
// same way every time.
func specLess(a, b SpecSummary) bool {
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	if a.Location != b.Location {
		return a.Location < b.Location
	}
	if a.Outcome != b.Outcome {
		return a.Outcome < b.Outcome
	}
	return a.Reason < b.Reason
}

// sortedSpecReports returns the reports in an order that does not depend on
// parallel scheduling or --randomize-all, so that "the first RunEntry" and
// the order of rolled-up check messages are the same on every run.
func sortedSpecReports(in types.SpecReports) []types.SpecReport {
	out := slices.Clone([]types.SpecReport(in))
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.LeafNodeType != b.LeafNodeType {
			return a.LeafNodeType < b.LeafNodeType
		}
		if fa, fb := a.FullText(), b.FullText(); fa != fb {
			return fa < fb
		}
		if la, lb := location(a.LeafNodeLocation), location(b.LeafNodeLocation); la != lb {
			return la < lb
		}
		return a.ParallelProcess < b.ParallelProcess
	})
	return out
}

// decodeEntries picks the chconform entries out of one spec report. Values
// read back from a JSON report carry AsJSON; values from an in-process
// report (ReportAfterSuite, or tests) carry only the raw value, which is
// round-tripped through JSON so both paths decode the same way.
func decodeEntries(sr types.SpecReport) ([]RunEntry, []ChecksEntry, []ExchangeEntry, error) {
	var (
		runs      []RunEntry
		checks    []ChecksEntry
		exchanges []ExchangeEntry
	)
	for _, e := range sr.ReportEntries {
		switch e.Name {
		case EntryRun:
			var v RunEntry
			if err := decodeValue(e, &v); err != nil {
				return nil, nil, nil, err
			}
			runs = append(runs, v)
		case EntryChecks:
			var v ChecksEntry
			if err := decodeValue(e, &v); err != nil {
				return nil, nil, nil, err
			}
			checks = append(checks, v)
		case EntryExchange:
			var v ExchangeEntry
			if err := decodeValue(e, &v); err != nil {
				return nil, nil, nil, err
			}
			exchanges = append(exchanges, v)
		}
	}
	return runs, checks, exchanges, nil
}

// isFlaky reports whether a spec passed only on a retry. Ginkgo (v2.34,
// internal/group.go) runs a spec up to its flake attempts until one passes,
// counting them in NumAttempts: a passed spec with more than one attempt
// failed first. (Under MustPassRepeatedly, the other reason to run a spec
// more than once, a passed spec passed every attempt.)
func isFlaky(sr types.SpecReport) bool {
	return sr.LeafNodeType == types.NodeTypeIt && sr.State == types.SpecStatePassed && sr.NumAttempts > 1 &&
		sr.MaxMustPassRepeatedly == 0
}

// flakyReason says on which attempt a flaky spec passed and what the
// failed ones said: Ginkgo keeps each failed attempt's failure in
// AdditionalFailures ("Failure recorded during attempt N: ...").
func flakyReason(sr types.SpecReport) string {
	parts := []string{fmt.Sprintf("flaky: passed on attempt %d of %d", sr.NumAttempts, max(sr.MaxFlakeAttempts, sr.NumAttempts))}
	for _, af := range sr.AdditionalFailures {
		msg := strings.TrimPrefix(af.Failure.Message, "Failure recorded during ")
		parts = append(parts, msg)
	}
	return oneLine(strings.Join(parts, "; "))
}

// Reproductions are the curl commands of a spec's exchanges, at most
// MaxExchangesInFull of them (the transcripts report.html shows).
func Reproductions(exchanges []ExchangeEntry) []Reproduction {
	var out []Reproduction
	for i, e := range exchanges {
		if i == MaxExchangesInFull {
			break
		}
		if e.Request.URL == "" {
			continue
		}
		out = append(out, Reproduction{Operation: e.Operation, Attempt: e.Attempt, Curl: CurlCommand(e.Request)})
	}
	return out
}

func decodeValue(e types.ReportEntry, v any) error {
	data := []byte(e.Value.AsJSON)
	if len(data) == 0 {
		raw := e.GetRawValue()
		if raw == nil {
			return fmt.Errorf("report entry %s at %s has no value", e.Name, location(e.Location))
		}
		var err error
		if data, err = json.Marshal(raw); err != nil {
			return fmt.Errorf("report entry %s at %s: %w", e.Name, location(e.Location), err)
		}
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("report entry %s at %s: %w", e.Name, location(e.Location), err)
	}
	return nil
}

func suiteName(r types.Report, i int) string {
	switch {
	case r.SuiteDescription != "":
		return r.SuiteDescription
	case r.SuitePath != "":
		return r.SuitePath
	default:
		return fmt.Sprintf("suite #%d", i+1)
	}
}

// location prints file:line relative to the repository when it can, so a
// summary made in CI diffs cleanly against one made on a laptop.
func location(cl types.CodeLocation) string {
	if cl.FileName == "" {
		return ""
	}
	file := cl.FileName
	for _, dir := range []string{"/suites/", "/harness/", "/cmd/", "/emulator/"} {
		if i := strings.LastIndex(file, dir); i >= 0 {
			file = file[i+1:]
			break
		}
	}
	return fmt.Sprintf("%s:%d", file, cl.LineNumber)
}

// checkMessage renders a check's findings on one line: a failed check lists
// what broke and where, a skipped one says why.
func checkMessage(c harness.CheckResult) string {
	if len(c.Findings) == 0 {
		return c.Reason
	}
	parts := make([]string, 0, len(c.Findings))
	for _, f := range c.Findings {
		if f.Pointer != "" {
			parts = append(parts, fmt.Sprintf("%s (at %s)", f.Message, f.Pointer))
		} else {
			parts = append(parts, f.Message)
		}
	}
	return strings.Join(parts, "; ")
}

// checkAgg rolls up one check over every exchange of one operation: the
// worst status wins (failed > passed > skipped) and keeps the messages of
// the results at that status.
type checkAgg struct {
	status   harness.CheckStatus
	messages []string // distinct
}

func checkRank(s harness.CheckStatus) int {
	switch s {
	case harness.CheckFailed:
		return 2
	case harness.CheckPassed:
		return 1
	default:
		return 0
	}
}

func (a *checkAgg) add(c harness.CheckResult) {
	switch r := checkRank(c.Status); {
	case a.status == "" || r > checkRank(a.status):
		a.status, a.messages = c.Status, nil
	case r < checkRank(a.status):
		return
	}
	msg := checkMessage(c)
	if msg != "" && !slices.Contains(a.messages, msg) {
		a.messages = append(a.messages, msg)
	}
}

// message lists the messages sorted: the order the exchanges were visited
// in is the order of the suites' (or a sharded run's parts') reports, and a
// summary must not depend on how the run was split.
func (a *checkAgg) message() string {
	slices.Sort(a.messages)
	if len(a.messages) <= maxMessages {
		return strings.Join(a.messages, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(a.messages[:maxMessages], "; "), len(a.messages)-maxMessages)
}

// Stable returns the summary without what changes from one run of the same
// code to the next (the start time, the tool's VCS revision, the report
// directory a run happened to use), so a committed baseline changes only when
// the verdict does.
func (s Summary) Stable() Summary {
	s.StartedAt = ""
	s.Tool.Version = ""
	// The curl commands name the target's URL, whose loopback port is new
	// in every run of a test server; case ids stay, they are stable.
	specs := s.Specs
	for i := range specs {
		if specs[i].Reproduce == nil {
			continue
		}
		if &specs[0] == &s.Specs[0] {
			specs = slices.Clone(s.Specs)
		}
		specs[i].Reproduce = nil
	}
	s.Specs = specs
	if s.Target.Config != nil {
		cfg := make(map[string]string, len(s.Target.Config))
		for k, v := range s.Target.Config {
			// The generation phase's seed is drawn anew by every run
			// unless CH_EXPLORE_SEED sets it.
			if k != "CH_REPORT_DIR" && k != "CH_EXPLORE_SEED" {
				cfg[k] = v
			}
		}
		s.Target.Config = cfg
	}
	return s
}

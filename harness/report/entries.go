// Package report turns what a conformance run recorded into the reports
// people and CI read: summary.json now, HTML and Markdown later.
//
// The suites record two kinds of Ginkgo report entries per exchange; this file
// is their wire format, shared by the writer (harness/suite) and the readers
// (cmd/chreport).
package report

import "github.com/chconform/chconform/harness"

// Names of the Ginkgo report entries the suites add.
const (
	EntryExchange = "chconform.exchange"
	EntryChecks   = "chconform.checks"
	EntryRun      = "chconform.run"
)

// Spec label prefixes. A spec carries one group label, one op label per
// operation it exercises, "mutating" when it changes server state, and
// "state:<name>" when it needs a documented server state.
const (
	LabelGroup    = "group:"
	LabelOp       = "op:"
	LabelState    = "state:"
	LabelMutating = "mutating"
	// LabelCovers declares a documented response a spec exercises:
	// "covers:<operationId>:<status>".
	LabelCovers = "covers:"
	// LabelProvisional marks a spec for a case the contract and the seed do
	// not document (issue 13): it runs and is reported, apart, but never
	// counts towards the verdict or the exit status until the contract
	// documents the case (as gateway-api reports provisional tests).
	LabelProvisional = "provisional"
	// LabelNeedsToken marks a spec that, in the run being made, would
	// authenticate as the profile's default account on a secured operation
	// (harness/suite: NeedsToken): what CH_AUTH_TOKEN is for. The run counts
	// the selected ones before the first spec, so a run without the token
	// stops (exit 2) instead of shrinking to what an anonymous client sees.
	LabelNeedsToken = "needs:auth-token"
)

// Skip message prefixes that classify a skipped spec.
const (
	SkipUnsupported = "unsupported: "
	SkipDisabled    = "disabled: "
	// SkipProvisionalFailed is how a provisional spec that failed ends
	// (suite.Provisional): a skip, so Ginkgo's own exit status stays 0,
	// which the report reads back as a failure counted apart.
	SkipProvisionalFailed = "provisional failed: "
)

// ExchangeEntry is one exchange as a report shows it: secrets already masked.
type ExchangeEntry struct {
	Operation string      `json:"operation"`
	Request   Transcript  `json:"request"`
	Response  *Transcript `json:"response,omitempty"`
	Error     string      `json:"error,omitempty"`
	ElapsedMS float64     `json:"elapsed_ms"`
	// Attempt is the Ginkgo attempt that sent it (1, 2, ...), set when
	// the spec may run more than once (flake attempts): Ginkgo keeps the
	// report entries of every attempt in one list, and this tells them
	// apart.
	Attempt int `json:"attempt,omitempty"`
}

// Transcript is one side of an exchange, redacted.
type Transcript struct {
	Method  string              `json:"method,omitempty"`
	URL     string              `json:"url,omitempty"`
	Status  int                 `json:"status,omitempty"`
	Headers map[string][]string `json:"headers,omitempty"`
	Body    string              `json:"body,omitempty"`
	// BodyTruncated is set when the body was cut for the report or at the
	// client's size cap.
	BodyTruncated bool `json:"body_truncated,omitempty"`
}

// ChecksEntry is the verdict of the checks applied to one exchange.
type ChecksEntry struct {
	Operation string                `json:"operation"`
	Status    int                   `json:"status,omitempty"` // the response status, 0 when none arrived
	Checks    []harness.CheckResult `json:"checks"`
	// Attempt is as in ExchangeEntry.
	Attempt int `json:"attempt,omitempty"`
	// Observed lists the response coverage locations (respcov.go) the
	// exchange's validated body showed that earlier exchanges of the same
	// process had not: each process reports a location once.
	Observed []string `json:"observed,omitempty"`
}

// RunEntry describes the run once per suite process (added in a
// ReportBeforeSuite), so the summary can name the target without the
// environment of the process that renders it.
type RunEntry struct {
	Mode       string            `json:"mode"` // fixtures | base-url
	BaseURL    string            `json:"base_url,omitempty"`
	Profile    string            `json:"profile"`
	SpecPath   string            `json:"spec_path"`
	SpecSHA    string            `json:"spec_sha256"`
	Config     map[string]string `json:"config"` // redacted
	Operations []OperationInfo   `json:"operations"`
	// Floor is what the run must verify: the profile's coverage rule,
	// CH_MIN_COVERAGE and the exempt responses (verdict.go).
	Floor *Floor `json:"floor,omitempty"`
	// Shard is "I/N" when the run was the I-th of N parts (chconform run
	// --shard); chconform merge puts the parts together.
	Shard string `json:"shard,omitempty"`
	// Anonymous is set on an anonymous run (CH_ANONYMOUS): the specs that
	// need the default account's token were unsupported on purpose.
	Anonymous bool `json:"anonymous,omitempty"`
	// Skips are the skips the implementer declared (skips.go).
	Skips []Skip `json:"skips,omitempty"`
}

// OperationInfo is what the summary needs to know of each contract operation.
type OperationInfo struct {
	ID                  string   `json:"operation_id"`
	Group               string   `json:"group"`
	Method              string   `json:"method"`
	Path                string   `json:"path"`
	ResponsesDocumented []string `json:"responses_documented"`
	// ResponseLocations is the response coverage catalogue of each
	// documented status with a JSON body (harness.ResponseLocations).
	ResponseLocations map[string][]string `json:"response_locations,omitempty"`
}

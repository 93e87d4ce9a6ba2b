package harness

import (
	"net/http"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// Exchange is one request sent to the target and what came back. It is the
// unit every check looks at: checks never send requests of their own.
type Exchange struct {
	// Op is the contract operation the request was sent for.
	Op *Operation
	// Request is what was sent, byte for byte (secrets are masked only when the
	// exchange is written to a report).
	Request Request
	// Response is nil when no HTTP response arrived (see Err).
	Response *Response
	// Err is the transport failure: timeout, reset, size cap, no fixture.
	Err error
	// Elapsed is the wall time from sending to the end of the body.
	Elapsed time.Duration
	// Retries is how many earlier attempts the target rate-limited, and
	// RetryWait how long the client waited on their Retry-After in total.
	Retries   int
	RetryWait time.Duration
	// RetriedAfter is set on an attempt the target rate-limited and the
	// client retried after that wait: a transcript, never a verdict.
	RetriedAfter time.Duration
	// RateLimited says why the client stopped honouring the target's rate
	// limit (a 429, or a 503 with Retry-After, beyond the cap); the
	// not_rate_limited check fails with it.
	RateLimited string

	// recorder receives check results; nil outside a conformance run.
	recorder Recorder
	// validated is the schema response_schema_conformance validated the
	// body against and passed: only such a body counts for response
	// coverage (respcov.go).
	validated *openapi3.Schema
}

// Request is the sent half of an exchange.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Response is the received half of an exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Truncated is set when the body was cut at the client's size cap.
	Truncated bool

	// read is the one reading of Body every check shares (JSONText).
	read *bodyReading
	// fast is fastschema's verdict on that reading (fastJudge).
	fast *fastVerdict
}

// Recorder is told about every exchange and every verdict on it, so that a run
// can report them (a Ginkgo report entry in the suites, nothing in unit tests).
type Recorder interface {
	RecordExchange(*Exchange)
	RecordChecks(*Exchange, []CheckResult)
}

// WithRecorder returns the exchange bound to r: verdicts reached on it are
// reported to r.
func (e *Exchange) WithRecorder(r Recorder) *Exchange {
	e.recorder = r
	return e
}

func (e *Exchange) recordChecks(results []CheckResult) {
	if e != nil && e.recorder != nil {
		e.recorder.RecordChecks(e, results)
	}
}

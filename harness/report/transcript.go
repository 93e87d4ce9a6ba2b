package report

import (
	"fmt"

	"github.com/chconform/chconform/harness"
)

// TranscriptBodyLimit cuts bodies in transcripts: enough to see what went
// wrong, small enough that a report of 41 operations stays readable.
const TranscriptBodyLimit = 16 << 10

// NewExchangeEntry is ex as a report shows it, masked by redact first:
// nothing unmasked reaches a report. The suites record one per exchange they
// send; an audit, one per captured exchange it judged failed.
func NewExchangeEntry(ex *harness.Exchange, redact *harness.Redactor) ExchangeEntry {
	e := ExchangeEntry{ElapsedMS: float64(ex.Elapsed.Microseconds()) / 1000}
	if ex.Op != nil {
		e.Operation = ex.Op.ID
	}
	e.Request = Transcript{
		Method:  ex.Request.Method,
		URL:     redact.String(ex.Request.URL),
		Headers: capHeaders(redact.Header(ex.Request.Header)),
	}
	e.Request.Body, e.Request.BodyTruncated = transcriptBody(ex.Request.Body, redact)
	if ex.Response != nil {
		e.Response = &Transcript{Status: ex.Response.Status, Headers: capHeaders(redact.Header(ex.Response.Header))}
		e.Response.Body, e.Response.BodyTruncated = transcriptBody(ex.Response.Body, redact)
		e.Response.BodyTruncated = e.Response.BodyTruncated || ex.Response.Truncated
	}
	if ex.Err != nil {
		e.Error = redact.String(ex.Err.Error())
	}
	if ex.RetriedAfter > 0 {
		e.Error = fmt.Sprintf("rate limited: retried after %s (Retry-After)", ex.RetriedAfter)
	}
	return e
}

func transcriptBody(b []byte, redact *harness.Redactor) (string, bool) {
	masked := redact.Body(b)
	if len(masked) > TranscriptBodyLimit {
		return string(masked[:TranscriptBodyLimit]), true
	}
	return string(masked), false
}

// NewChecksEntry is the verdicts on ex as a report keeps them. The checks
// mask secrets by their shapes; redact also knows the run's own secrets. The
// results are copied: the caller keeps its own.
func NewChecksEntry(ex *harness.Exchange, results []harness.CheckResult, redact *harness.Redactor) ChecksEntry {
	masked := make([]harness.CheckResult, len(results))
	for i, res := range results {
		if len(res.Findings) > 0 {
			res.Findings = append([]harness.Finding(nil), res.Findings...)
			for j := range res.Findings {
				res.Findings[j].Message = redact.String(res.Findings[j].Message)
			}
		}
		masked[i] = res
	}
	entry := ChecksEntry{Checks: masked}
	if ex.Op != nil {
		entry.Operation = ex.Op.ID
	}
	if ex.Response != nil {
		entry.Status = ex.Response.Status
	}
	return entry
}

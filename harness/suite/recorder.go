package suite

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// reportBodyLimit cuts bodies in transcripts: enough to see what went wrong,
// small enough that a report of 41 operations stays readable.
const reportBodyLimit = 16 << 10

// recorder writes exchanges and verdicts into the running spec's report,
// masked by the redactor first: nothing unmasked reaches a report.
// In record mode (CH_RECORD) the exchange is also written as a fixture.
type recorder struct {
	redact *harness.Redactor
	tape   *harness.Tape
	spec   string
}

func (r recorder) RecordExchange(ex *harness.Exchange) {
	ginkgo.AddReportEntry(report.EntryExchange, transcriptEntry{r.entry(ex)}, ginkgo.ReportEntryVisibilityFailureOrVerbose)
	if r.tape != nil {
		if err := r.tape.Record(ex, r.spec); errors.Is(err, harness.ErrUnrecordable) {
			ginkgo.AddReportEntry("chconform.not-recorded", r.redact.String(err.Error()), ginkgo.ReportEntryVisibilityFailureOrVerbose)
		} else if err != nil {
			Fail(report.HarnessErrorPrefix + " recording the exchange (CH_RECORD): " + err.Error())
		}
	}
}

func (r recorder) RecordChecks(ex *harness.Exchange, results []harness.CheckResult) {
	entry := report.NewChecksEntry(ex, results, r.redact)
	entry.Attempt = attempt()
	// A provisional spec judges a case the contract does not document: the
	// summary counts none of its exchanges, so none of its observations.
	if !slices.Contains(ginkgo.CurrentSpecReport().Labels(), report.LabelProvisional) {
		entry.Observed = observed.Observe(ex)
	}
	ginkgo.AddReportEntry(report.EntryChecks, entry, ginkgo.ReportEntryVisibilityNever)
}

// observed is the process's response coverage: each location goes into
// the report once, with the first exchange of the process that showed it,
// and the summary unites the processes' (and a sharded run's parts').
var observed harness.CoverageLog

func (r recorder) entry(ex *harness.Exchange) report.ExchangeEntry {
	e := report.NewExchangeEntry(ex, r.redact)
	e.Attempt = attempt()
	return e
}

// attempt is the running spec's attempt number when it may run more than
// once (flake attempts: CH_RERUNS, --flake-attempts, FlakeAttempts; or
// MustPassRepeatedly), 0
// otherwise. Ginkgo v2.34 keeps the report entries of every attempt in one
// list (internal/group.go never resets them between attempts), so without
// this tag a flaky spec's failed and passed exchanges would be one jumble.
func attempt() int {
	sr := ginkgo.CurrentSpecReport()
	if sr.MaxFlakeAttempts > 1 || sr.MaxMustPassRepeatedly > 1 || sr.NumAttempts > 1 {
		return sr.NumAttempts
	}
	return 0
}

// transcriptEntry prints as a readable transcript when Ginkgo shows it under
// a failed spec, and marshals as the ExchangeEntry for the JSON report.
type transcriptEntry struct{ report.ExchangeEntry }

func (t transcriptEntry) String() string {
	var b strings.Builder
	e := t.ExchangeEntry
	if e.Attempt > 0 {
		fmt.Fprintf(&b, "(attempt %d)\n", e.Attempt)
	}
	fmt.Fprintf(&b, "%s %s  [%s, %.1f ms]\n", e.Request.Method, e.Request.URL, e.Operation, e.ElapsedMS)
	writeHeaders(&b, "> ", e.Request.Headers)
	if e.Request.Body != "" {
		fmt.Fprintf(&b, "> \n> %s\n", harness.PrefixLines(harness.Cut(e.Request.Body, 2048), "> "))
	}
	if e.Response != nil {
		fmt.Fprintf(&b, "< %d %s\n", e.Response.Status, http.StatusText(e.Response.Status))
		writeHeaders(&b, "< ", e.Response.Headers)
		if e.Response.Body != "" {
			fmt.Fprintf(&b, "< \n< %s\n", harness.PrefixLines(harness.Cut(e.Response.Body, 2048), "< "))
		}
	}
	if e.Error != "" {
		fmt.Fprintf(&b, "! %s\n", harness.PrefixLines(e.Error, "! "))
	}
	// Ginkgo prints this on stdout under a failed spec: every line above
	// starts with the harness's own marker; LogSafe strips what is left.
	return harness.LogSafe(b.String())
}

func writeHeaders(b *strings.Builder, prefix string, h map[string][]string) {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(b, "%s%s: %s\n", prefix, name, harness.OneLine(strings.Join(h[name], ", ")))
	}
}

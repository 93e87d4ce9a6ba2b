package suite

import (
	"net/http"

	"github.com/onsi/ginkgo/v2"

	"github.com/chconform/chconform/harness/report"
)

// ModeHandler is the target mode of a run served by an http.Handler in
// process (SetHandler): no socket between the suite and the target.
const ModeHandler = "handler"

var (
	// inProcess serves the run when set: its base URL (CH_BASE_URL) only
	// names the paths the handler is sent.
	inProcess http.Handler
	// declared are the skips the implementer declared (SetSkips).
	declared []report.Skip
)

// SetHandler makes the process's run go to h, in process, instead of over
// a socket to CH_BASE_URL (which must still be set: its path is the API
// root the handler serves). Call it once, before Load and RunSpecs.
func SetHandler(h http.Handler) { inProcess = h }

// SetSkips declares specs or case ids the implementer knows to fail, each
// with its reason: they are not run, every report lists them, and the run
// is conformant-with-gaps at best. Call it once, before Wire.
func SetSkips(skips []report.Skip) { declared = skips }

// skipDeclared skips the running spec when a declared skip names it.
func skipDeclared() {
	name := ginkgo.CurrentSpecReport().FullText()
	for _, s := range declared {
		if report.SkipMatches(s.Match, name, caseChecks) {
			ginkgo.AddReportEntry(report.EntrySkip, s, ginkgo.ReportEntryVisibilityNever)
			Skip(report.SkipDeclared + s.Match + ": " + s.Reason)
		}
	}
}

// caseChecks are the checks a case id can name (report.CaseID): a skip by
// case id matches a spec when the id is that of the spec and one of them.
// The reports' own list of checks; inprocess_test.go keeps it in step with
// the harness's checks.
var caseChecks = report.CheckNames()

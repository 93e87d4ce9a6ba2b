package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/chconform/chconform/audit"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// maxVerdictLines bounds the failures printed to the terminal (or a CI log);
// the reports hold every one.
const maxVerdictLines = 20

func runAudit(args []string, stdout, stderr io.Writer, getenv env) int {
	fs := verbFlags("audit", "[flags] FILE...", stderr,
		"Judges every captured exchange of each FILE (HAR 1.2 or Postman v2.1 with saved responses)",
		"against the contract and writes summary.json, junit.xml, report.html and report.md,",
		"with the drift between the captured answers and the contract. Exit 0: every judged",
		"exchange kept the contract; 1: some did not; 2: a file could not be read, or no entry",
		"could be judged (none of the contract, or none with the body the contract describes).",
	)
	reportDir := fs.String("report-dir", or(getenv("CH_REPORT_DIR"), filepath.Join("reports", "latest")), "where to write the reports (CH_REPORT_DIR)")
	judge, err := addJudgeFlags(fs, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "chconform audit: %v\n", err)
		return exitUsage
	}
	if code, done := parseVerbFlags(fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "chconform audit: name at least one capture file")
		fs.Usage()
		return exitUsage
	}
	a, err := judge.auditor(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "chconform audit: %v\n", err)
		return exitUsage
	}
	for _, file := range fs.Args() {
		if err := a.File(file); err != nil {
			fmt.Fprintf(stderr, "chconform audit: %s\n", harness.NewRedactor(nil).String(err.Error()))
		}
	}
	s, failures := a.Result()
	if err := writeAuditReports(*reportDir, s, failures); err != nil {
		fmt.Fprintf(stderr, "chconform audit: %v\n", err)
		return exitUsage
	}
	printAuditVerdict(stdout, s, *reportDir)
	if *judge.suggest != "" {
		n, err := writeSuggestion(a, *judge.suggest)
		if err != nil {
			fmt.Fprintf(stderr, "chconform audit: --suggest: %v\n", err)
			return exitUsage
		}
		fmt.Fprintf(stdout, "  suggested overlay: %d action(s) in %s\n", n, *judge.suggest)
	}
	return auditExit(s)
}

// auditExit is 2 when a capture could not be read or nothing in it could be
// judged (the audit adds an errored "[audit] nothing judged" spec: the input
// could not support a verdict, as a missing secret cannot on a run), 1 when
// an entry broke the contract, 0 otherwise. Entries not judged beside judged
// ones are listed and leave the exit status to the judged ones.
func auditExit(s report.Summary) int {
	switch {
	case s.Totals.Error > 0:
		return exitUsage
	case s.Totals.Failed > 0 || len(s.Verified.BelowFloor) > 0:
		return exitFail
	default:
		return exitOK
	}
}

func printAuditVerdict(w io.Writer, s report.Summary, dir string) {
	a := s.Audit
	t := s.Totals
	fmt.Fprintf(w, "chconform audit: %d entries from %d file(s), %d of a contract operation: %d passed, %d failed, %d not judged, %d error; %d outside the contract\n",
		a.Entries, len(a.Files), a.Judged, t.Passed, t.Failed, t.Unsupported, t.Error, outsideCount(a))
	// Failures first: a long list of entries not judged must not hide one.
	var listed []report.SpecSummary
	for _, want := range []report.Outcome{report.OutcomeError, report.OutcomeFailed, report.OutcomeUnsupported} {
		for _, sp := range s.Specs {
			if sp.Outcome == want {
				listed = append(listed, sp)
			}
		}
	}
	if rc := s.ResponseCoverage; rc != nil {
		fmt.Fprintf(w, "  response coverage: %d/%d schema locations observed in the answers that validated\n", rc.Observed, rc.Total)
	}
	for _, m := range s.Verified.BelowFloor {
		fmt.Fprintln(w, harness.OneLine("  BELOW FLOOR "+m))
	}
	shown := 0
	for _, sp := range listed {
		tag := map[report.Outcome]string{report.OutcomeFailed: "FAILED", report.OutcomeError: "ERROR ", report.OutcomeUnsupported: "NOT JUDGED"}[sp.Outcome]
		if shown == maxVerdictLines {
			fmt.Fprintf(w, "  … and %d more\n", len(listed)-shown)
			break
		}
		fmt.Fprintln(w, harness.OneLine(fmt.Sprintf("  %s %s: %s", tag, sp.Name, harness.Cut(sp.Reason, 300))))
		shown++
	}
	drifting := 0
	for _, d := range a.Drift {
		if d.HasDrift() {
			drifting++
		}
	}
	fmt.Fprintf(w, "  drift: %d operation(s) whose answers leave the contract; reports in %s\n", drifting, dir)
}

func outsideCount(a *report.AuditInfo) int {
	n := 0
	for _, o := range a.Outside {
		n += o.Count
	}
	return n
}

func envBool(getenv env, name string) (bool, error) {
	raw := getenv(name)
	if raw == "" {
		return false, nil
	}
	v, err := strconv.ParseBool(raw)
	if err != nil {
		return false, fmt.Errorf("%s=%q is not a boolean (true or false)", name, raw)
	}
	return v, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// writeSuggestion writes the audit's suggested overlay to path.
func writeSuggestion(a *audit.Auditor, path string) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	n, err := a.WriteSuggestion(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

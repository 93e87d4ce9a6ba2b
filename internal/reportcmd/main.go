// Command chreport renders what a conformance run left in its report
// directory. Each job is a subcommand so that diff, spec-diff and html can
// join summary without changing how the existing one is called:
//
//	chreport preflight
//	chreport summary [--ginkgo PATH] [--out PATH] [--html PATH] [--md PATH] [--junit PATH] [--stable]
//	chreport diff [--format text|md|json] BASE NEW
//	chreport spec-diff [--format text|md|json] OLD NEW
//
// Exit status follows DESIGN.md: 0 nothing failed, 1 the target broke the
// contract, 2 the run (or chreport itself) could not do its job.
package reportcmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/chconform/chconform/harness/report"
	"github.com/onsi/ginkgo/v2/types"
)

// exitUsage is also the harness-error status: a bad invocation is a broken
// run, never a conformance verdict.
const exitUsage = 2

// env is how subcommands read the environment; tests pass a map instead of
// mutating the process's own.
type env func(string) string

type command struct {
	name  string
	usage string
	run   func(args []string, stdout, stderr io.Writer, getenv env) int
}

func commands() []command {
	return []command{
		{"preflight", "  check the configuration, contract, profile and fixtures a run would use (exit 2 naming the problem)", runPreflight},
		{"summary", "[--ginkgo PATH] [--out PATH] [--html PATH] [--md PATH] [--junit PATH] [--stable]\n      write summary.json, report.html, report.md and junit.xml from ginkgo.json and print the verdict", runSummary},
		{"diff", "[--format text|md|json] BASE NEW\n      compare two summary.json files; exit 1 on a regression", runDiff},
		{"spec-diff", "[--format text|md|json] OLD NEW\n      compare two api.yaml versions (files, REF:path or REF) with oasdiff; exit 1 on a breaking change", runSpecDiff},
	}
}

// Main runs one chreport command: `chconform report|diff|spec-diff|preflight`
// call it with the verb's arguments.
func Main(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return run(args, stdout, stderr, getenv)
}

func run(args []string, stdout, stderr io.Writer, getenv env) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr, getenv)
		}
	}
	fmt.Fprintf(stderr, "chconform: unknown verb %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: chconform <verb> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Paths default to files in $CH_REPORT_DIR (reports/latest when unset).")
}

// reportDir is where a run wrote its reports, as DESIGN.md's CH_REPORT_DIR.
func reportDir(getenv env) string {
	if d := getenv("CH_REPORT_DIR"); d != "" {
		return d
	}
	return filepath.Join("reports", "latest")
}

func runSummary(args []string, stdout, stderr io.Writer, getenv env) int {
	dir := reportDir(getenv)
	fs := flag.NewFlagSet("chconform report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ginkgoPath := fs.String("ginkgo", filepath.Join(dir, "ginkgo.json"), "Ginkgo JSON report to read (ginkgo --json-report)")
	outPath := fs.String("out", filepath.Join(dir, "summary.json"), "where to write summary.json")
	// The other reports go next to summary.json unless named; an empty path
	// leaves one out (a baseline needs only summary.json).
	var htmlPath, mdPath, junitPath, badgePath optionalPath
	fs.Var(&htmlPath, "html", "where to write report.html (default: next to --out; empty: none)")
	fs.Var(&mdPath, "md", "where to write report.md (default: next to --out; empty: none)")
	fs.Var(&badgePath, "badge", "where to write badge.json, a shields.io endpoint (default: next to --out; empty: none)")
	fs.Var(&junitPath, "junit", "where to write junit.xml, replacing Ginkgo's (default: next to --out; empty: none)")
	stable := fs.Bool("stable", false, "leave out what changes from run to run (start time, tool revision, report dir): for a committed baseline")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "chconform report: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return exitUsage
	}

	reports, err := readGinkgoReport(*ginkgoPath)
	if err != nil {
		fmt.Fprintf(stderr, "chconform report: %v\n", err)
		return exitUsage
	}
	s, err := report.Build(reports, toolInfo())
	if err != nil {
		fmt.Fprintf(stderr, "chconform report: %s: %v\n", *ginkgoPath, err)
		return exitUsage
	}
	written := s
	if *stable {
		written = s.Stable()
	}
	if err := report.WriteJSONFile(*outPath, written); err != nil {
		fmt.Fprintf(stderr, "chconform report: %v\n", err)
		return exitUsage
	}
	outDir := filepath.Dir(*outPath)
	if err := writeRenderings(s, reports, renderPaths{
		HTML:  htmlPath.or(filepath.Join(outDir, "report.html")),
		MD:    mdPath.or(filepath.Join(outDir, "report.md")),
		JUnit: junitPath.or(filepath.Join(outDir, "junit.xml")),
		Badge: badgePath.or(filepath.Join(outDir, "badge.json")),
	}); err != nil {
		fmt.Fprintf(stderr, "chconform report: %v\n", err)
		return exitUsage
	}
	printVerdict(stdout, s, len(reports))
	return s.ExitCode()
}

// readGinkgoReport reads what `ginkgo --json-report` writes: an array of
// suite reports. A single report object (what a suite's own
// ReportAfterSuite might write) is accepted too.
func readGinkgoReport(path string) ([]types.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the Ginkgo report: %w", err)
	}
	data = bytes.TrimSpace(data)
	var reports []types.Report
	if len(data) > 0 && data[0] == '{' {
		var one types.Report
		err = json.Unmarshal(data, &one)
		reports = []types.Report{one}
	} else {
		err = json.Unmarshal(data, &reports)
	}
	if err != nil {
		return nil, fmt.Errorf("%s is not a Ginkgo JSON report: %w", path, err)
	}
	return reports, nil
}

func printVerdict(w io.Writer, s report.Summary, suites int) { report.WriteVerdict(w, s, suites) }

func toolInfo() report.ToolInfo { return report.CurrentTool() }

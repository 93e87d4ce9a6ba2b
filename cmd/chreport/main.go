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
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

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

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
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
	fmt.Fprintf(stderr, "chreport: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: chreport <command> [flags]")
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
	fs := flag.NewFlagSet("chreport summary", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ginkgoPath := fs.String("ginkgo", filepath.Join(dir, "ginkgo.json"), "Ginkgo JSON report to read (ginkgo --json-report)")
	outPath := fs.String("out", filepath.Join(dir, "summary.json"), "where to write summary.json")
	// The other reports go next to summary.json unless named; an empty path
	// leaves one out (a baseline needs only summary.json).
	var htmlPath, mdPath, junitPath optionalPath
	fs.Var(&htmlPath, "html", "where to write report.html (default: next to --out; empty: none)")
	fs.Var(&mdPath, "md", "where to write report.md (default: next to --out; empty: none)")
	fs.Var(&junitPath, "junit", "where to write junit.xml, replacing Ginkgo's (default: next to --out; empty: none)")
	stable := fs.Bool("stable", false, "leave out what changes from run to run (start time, tool revision, report dir): for a committed baseline")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "chreport summary: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return exitUsage
	}

	reports, err := readGinkgoReport(*ginkgoPath)
	if err != nil {
		fmt.Fprintf(stderr, "chreport summary: %v\n", err)
		return exitUsage
	}
	s, err := report.Build(reports, toolInfo())
	if err != nil {
		fmt.Fprintf(stderr, "chreport summary: %s: %v\n", *ginkgoPath, err)
		return exitUsage
	}
	written := s
	if *stable {
		written = s.Stable()
	}
	if err := writeJSON(*outPath, written); err != nil {
		fmt.Fprintf(stderr, "chreport summary: %v\n", err)
		return exitUsage
	}
	outDir := filepath.Dir(*outPath)
	if err := writeRenderings(s, reports, renderPaths{
		html:  htmlPath.or(filepath.Join(outDir, "report.html")),
		md:    mdPath.or(filepath.Join(outDir, "report.md")),
		junit: junitPath.or(filepath.Join(outDir, "junit.xml")),
	}); err != nil {
		fmt.Fprintf(stderr, "chreport summary: %v\n", err)
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

// writeJSON writes through a temporary file and a rename, so a reader (CI
// uploading artifacts, a diff) never sees half a summary.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	return writeFileAtomic(path, data)
}

// writeFileAtomic writes data to path through a temporary file and a rename.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// printVerdict is the few lines a person reads at the end of a run: the
// totals, the coverage, and what to look at first.
func printVerdict(w io.Writer, s report.Summary, suites int) {
	t, c := s.Totals, s.Coverage
	fmt.Fprintf(w, "chconform: %d passed, %d failed, %d unsupported, %d disabled, %d error; coverage %d/%d operations, %d/%d responses\n",
		t.Passed, t.Failed, t.Unsupported, t.Disabled, t.Error,
		c.OperationsExercised, c.OperationsTotal, c.ResponsesExercised, c.ResponsesTotal)
	switch {
	case suites == 0:
		// Ginkgo leaves a suite that failed to compile out of its JSON
		// report entirely, so an empty report usually means exactly that.
		fmt.Fprintln(w, "  the Ginkgo report holds no suite: did the suites compile?")
	case len(s.Specs) == 0:
		fmt.Fprintln(w, "  no spec ran: check the label filter")
	}
	for _, sp := range s.Specs {
		var tag string
		switch sp.Outcome {
		case report.OutcomeFailed:
			tag = "FAILED"
		case report.OutcomeError:
			tag = "ERROR "
		default:
			continue
		}
		line := fmt.Sprintf("  %s %s", tag, sp.Name)
		if sp.Reason != "" {
			line += ": " + sp.Reason
		}
		if sp.Location != "" {
			line += " (" + sp.Location + ")"
		}
		fmt.Fprintln(w, line)
	}
}

// toolInfo names this build and the libraries whose behaviour shapes a
// verdict (kin-openapi validates, Ginkgo classifies), read from the binary
// itself so the summary cannot drift from what actually ran.
func toolInfo() report.ToolInfo {
	info := report.ToolInfo{Version: "unknown"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return info
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		info.Version = v
	} else {
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			info.Version = "devel-" + rev + dirty
		} else {
			info.Version = "devel"
		}
	}
	for _, d := range bi.Deps {
		version := d.Version
		if d.Replace != nil {
			version = d.Replace.Version // what was linked, under the name go.mod uses
		}
		switch {
		case d.Path == "github.com/getkin/kin-openapi":
			info.KinOpenAPI = version
		case strings.HasPrefix(d.Path, "github.com/onsi/ginkgo"):
			info.Ginkgo = version
		}
	}
	return info
}

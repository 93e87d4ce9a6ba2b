package reportcmd

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/chconform/chconform/harness/report"
)

// Exit statuses of the two diff commands: 1 is "the gate fails" (a
// regression, a breaking contract change), kept apart from 2, "the
// comparison could not be made", so CI can tell a red build from a broken one.
const (
	exitSame       = 0
	exitRegression = 1
)

// parseFormatArgs reads `[--format text|md|json] A B`, the shape both diff
// commands share.
func parseFormatArgs(name string, args []string, stderr io.Writer) (format, a, b string, code int, ok bool) {
	fs := flag.NewFlagSet("chconform "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := fs.String("format", "text", "output format: text, md or json")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", "", "", 0, false
		}
		return "", "", "", exitUsage, false
	}
	switch *f {
	case "text", "md", "json":
	default:
		fmt.Fprintf(stderr, "chconform %s: unknown --format %q (text, md or json)\n", name, *f)
		return "", "", "", exitUsage, false
	}
	if fs.NArg() != 2 {
		fmt.Fprintf(stderr, "chconform %s: want two arguments, got %d\n", name, fs.NArg())
		fs.Usage()
		return "", "", "", exitUsage, false
	}
	return *f, fs.Arg(0), fs.Arg(1), 0, true
}

// runDiff is the regression gate: exit 1 when NEW regressed against BASE.
func runDiff(args []string, stdout, stderr io.Writer, _ env) int {
	format, basePath, newPath, code, ok := parseFormatArgs("diff", args, stderr)
	if !ok {
		return code
	}
	base, err := readSummary(basePath)
	if err != nil {
		fmt.Fprintf(stderr, "chconform diff: %v\n", err)
		return exitUsage
	}
	cur, err := readSummary(newPath)
	if err != nil {
		fmt.Fprintf(stderr, "chconform diff: %v\n", err)
		return exitUsage
	}
	d := report.Compare(base, cur)
	switch format {
	case "md":
		err = report.WriteDiffMarkdown(stdout, d)
	case "json":
		err = report.WriteDiffJSON(stdout, d)
	default:
		err = report.WriteDiffText(stdout, d)
	}
	if err != nil {
		fmt.Fprintf(stderr, "chconform diff: %v\n", err)
		return exitUsage
	}
	if d.Regressed() {
		return exitRegression
	}
	return exitSame
}

// readSummary reads a summary.json and refuses what is not one: a diff of
// two empty objects would say "no regression" about nothing.
func readSummary(path string) (report.Summary, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return report.Summary{}, err
	}
	var s report.Summary
	if err := json.Unmarshal(data, &s); err != nil {
		return report.Summary{}, fmt.Errorf("%s is not a summary.json: %w", path, err)
	}
	if s.Spec.SHA256 == "" && len(s.Operations) == 0 && len(s.Specs) == 0 {
		return report.Summary{}, fmt.Errorf("%s is not a summary.json: no contract, operation or spec in it", path)
	}
	return s, nil
}

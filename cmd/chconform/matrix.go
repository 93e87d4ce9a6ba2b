package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/chconform/chconform/harness/report"
)

func runMatrix(args []string, stdout, stderr io.Writer, getenv env) int {
	fs := verbFlags("matrix", "[flags] SUMMARY.json...", stderr,
		"Lays several summaries (runs and audits, any mix of targets) side by side in matrix.html and",
		"matrix.md: targets as columns, documented responses and checks as rows, disagreements first.",
		"Exit 0 when written, 2 when a file is not a summary.json.",
	)
	out := fs.String("report-dir", or(getenv("CH_REPORT_DIR"), filepath.Join("reports", "matrix")), "where to write matrix.html and matrix.md (CH_REPORT_DIR)")
	trend := fs.Bool("trend", false, "the summaries are one target over time: columns in time order, the first red cell of each row marked")
	if code, done := parseVerbFlags(fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "chconform matrix: name at least one summary.json")
		return exitUsage
	}
	var items []report.Labeled
	for _, path := range fs.Args() {
		s, err := readSummary(path)
		if err != nil {
			fmt.Fprintf(stderr, "chconform matrix: %v\n", err)
			return exitUsage
		}
		item := report.Labeled{Summary: s, Path: path}
		html := filepath.Join(filepath.Dir(path), "report.html")
		if _, err := os.Stat(html); err == nil {
			if rel, err := relativeTo(*out, html); err == nil {
				item.Link = filepath.ToSlash(rel)
			}
		}
		items = append(items, item)
	}
	c := report.CompareTargets(items, *trend)
	var h, m bytes.Buffer
	if err := report.WriteCompareHTML(&h, c); err != nil {
		fmt.Fprintf(stderr, "chconform matrix: %v\n", err)
		return exitUsage
	}
	if err := report.WriteCompareMarkdown(&m, c, report.MarkdownLimit); err != nil {
		fmt.Fprintf(stderr, "chconform matrix: %v\n", err)
		return exitUsage
	}
	for name, data := range map[string][]byte{"matrix.html": h.Bytes(), "matrix.md": m.Bytes()} {
		if err := report.WriteFileAtomic(filepath.Join(*out, name), data); err != nil {
			fmt.Fprintf(stderr, "chconform matrix: %v\n", err)
			return exitUsage
		}
	}
	fmt.Fprintf(stdout, "chconform matrix: %d summaries, %d of %d rows disagree; %s\n", len(items), c.Disagreeing, len(c.Rows), filepath.Join(*out, "matrix.html"))
	return exitOK
}

// readSummary reads a summary.json; anything else is refused, never guessed.
func readSummary(path string) (report.Summary, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return report.Summary{}, err
	}
	var s report.Summary
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&s); err != nil {
		return report.Summary{}, fmt.Errorf("%s is not a summary.json: %v", path, err)
	}
	if s.Operations == nil || s.Specs == nil {
		return report.Summary{}, fmt.Errorf("%s is not a summary.json: no operations or specs", path)
	}
	return s, nil
}

func relativeTo(dir, target string) (string, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	absTarget, err := filepath.Abs(target)
	if err != nil {
		return "", err
	}
	return filepath.Rel(absDir, absTarget)
}

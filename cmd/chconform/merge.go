package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chconform/chconform/harness/report"
)

// runMerge puts the parts of a sharded run back together. Each part's folder
// holds what `chconform run --shard I/N` wrote; the merge reads their
// ginkgo.json (every spec with its transcripts, not only the summary's
// digest) and builds the summary and the reports from all of them at once,
// the same way a single run builds them from its one report, so the merged
// verdict, totals, coverage and checks are those a single run would give.
func runMerge(args []string, stdout, stderr io.Writer, getenv env) int {
	fs := verbFlags("merge", "[--report-dir OUT] DIR...", stderr,
		"Merges the report folders of the N parts of a sharded run (chconform run --shard I/N)",
		"into one ginkgo.json, summary.json, junit.xml, report.html, report.md and badge.json.",
		"Refuses (exit 2) parts of different contracts, targets, tool versions or shard counts,",
		"a part given twice and a missing part. Exit 0 / 1 as for the run.",
	)
	out := fs.String("report-dir", or(getenv("CH_REPORT_DIR"), filepath.Join("reports", "latest")), "where to write the merged reports (CH_REPORT_DIR)")
	if code, done := parseVerbFlags(fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "chconform merge: name the report folder of every part")
		fs.Usage()
		return exitUsage
	}
	var parts []shardPart
	for _, dir := range fs.Args() {
		p, err := readPart(dir)
		if err != nil {
			fmt.Fprintf(stderr, "chconform merge: %v\n", err)
			return exitUsage
		}
		parts = append(parts, p)
	}
	if err := checkParts(parts); err != nil {
		fmt.Fprintf(stderr, "chconform merge: %v\n", err)
		return exitUsage
	}
	var reports []types.Report
	for _, p := range parts {
		reports = append(reports, p.reports...)
	}
	s, err := report.Build(reports, report.CurrentTool())
	if err != nil {
		fmt.Fprintf(stderr, "chconform merge: %v\n", err)
		return exitUsage
	}
	// The parts' tool is what judged the target; the merge only counts.
	s.Tool = parts[0].summary.Tool
	if err := writeMerged(*out, s, reports); err != nil {
		fmt.Fprintf(stderr, "chconform merge: %v\n", err)
		return exitUsage
	}
	report.WriteVerdict(stdout, s, len(parts))
	return s.ExitCode()
}

// shardPart is one part's report folder, read.
type shardPart struct {
	dir     string
	summary report.Summary
	reports []types.Report
	index   int // 0 for an unsharded run
	total   int
}

func readPart(dir string) (shardPart, error) {
	p := shardPart{dir: dir}
	if _, err := os.Stat(filepath.Join(dir, "summary.json")); err != nil {
		return p, fmt.Errorf("%s: not the report folder of a run: %w", dir, err)
	}
	s, err := readSummary(filepath.Join(dir, "summary.json"))
	if err != nil {
		return p, err
	}
	p.summary = s
	if p.summary.Audit != nil {
		return p, fmt.Errorf("%s holds an audit, not a part of a run", dir)
	}
	if sh := p.summary.Target.Shard; sh != "" {
		i, n, _ := strings.Cut(sh, "/")
		p.index, _ = strconv.Atoi(i)
		p.total, _ = strconv.Atoi(n)
	}
	data, err := os.ReadFile(filepath.Join(dir, "ginkgo.json"))
	if err != nil {
		return p, fmt.Errorf("%s: the part's ginkgo.json is needed (its summary.json is a digest): %w", dir, err)
	}
	if err := json.Unmarshal(data, &p.reports); err != nil {
		return p, fmt.Errorf("%s/ginkgo.json: %w", dir, err)
	}
	return p, nil
}

// checkParts refuses what would make the merge a lie: parts that judged
// different things (contract, target, tool) or that do not add up to one
// whole run (a part twice, a part missing, parts of different splits).
func checkParts(parts []shardPart) error {
	first := parts[0]
	seen := map[int]string{}
	for _, p := range parts {
		switch {
		case p.summary.Spec.SHA256 != first.summary.Spec.SHA256:
			return fmt.Errorf("%s checked contract sha256 %.12s, %s checked %.12s: parts of one run check one contract",
				p.dir, p.summary.Spec.SHA256, first.dir, first.summary.Spec.SHA256)
		case p.summary.Target.Mode != first.summary.Target.Mode || p.summary.Target.BaseURL != first.summary.Target.BaseURL ||
			p.summary.Target.Profile != first.summary.Target.Profile:
			return fmt.Errorf("%s ran against %s, %s against %s: parts of one run have one target",
				p.dir, targetName(p.summary.Target), first.dir, targetName(first.summary.Target))
		case p.summary.Tool.Version != first.summary.Tool.Version:
			return fmt.Errorf("%s was made by chconform %s, %s by %s: parts of one run come from one build",
				p.dir, p.summary.Tool.Version, first.dir, first.summary.Tool.Version)
		case p.total != first.total:
			return fmt.Errorf("%s is part %s, %s is part %s: parts of one run share one --shard N",
				p.dir, orWhole(p.summary.Target.Shard), first.dir, orWhole(first.summary.Target.Shard))
		}
		if other, dup := seen[p.index]; dup {
			return fmt.Errorf("%s and %s are both part %s", other, p.dir, orWhole(p.summary.Target.Shard))
		}
		seen[p.index] = p.dir
	}
	if first.total == 0 {
		if len(parts) > 1 {
			return errors.New("only the parts of a sharded run (chconform run --shard I/N) can be merged")
		}
		return nil
	}
	var missing []string
	for i := 1; i <= first.total; i++ {
		if _, ok := seen[i]; !ok {
			missing = append(missing, fmt.Sprintf("%d/%d", i, first.total))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("part(s) %s missing: a merge without them would report their specs as never run", strings.Join(missing, ", "))
	}
	return nil
}

func targetName(t report.Target) string {
	if t.BaseURL != "" {
		return t.Profile + " " + t.BaseURL
	}
	return t.Mode + " (profile " + t.Profile + ")"
}

func orWhole(shard string) string {
	if shard == "" {
		return "(a whole run)"
	}
	return shard
}

// writeMerged writes the merged ginkgo.json (so `chconform report` and
// `chconform replay` work on the merge as on a run) and every report.
func writeMerged(dir string, s report.Summary, reports []types.Report) error {
	if err := clearReports(dir); err != nil {
		return err
	}
	if err := report.WriteJSONFile(filepath.Join(dir, "ginkgo.json"), reports); err != nil {
		return err
	}
	if err := report.WriteJSONFile(filepath.Join(dir, "summary.json"), s); err != nil {
		return err
	}
	failures, err := report.Failures(s, reports)
	if err != nil {
		return err
	}
	return report.WriteRenderings(s, failures, reports, report.PathsIn(dir))
}

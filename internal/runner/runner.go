// Package runner makes one conformance run in this process: every
// registered spec (suites/all) against the target the CH_* variables name,
// then the reports. `chconform run` and `chconform replay` use it, and so
// does the public Go API (package conformance): one path, so an embedded
// run gives the same verdict as the command on the same target.
package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/chconform/chconform/harness/suite"
	"github.com/chconform/chconform/internal/reportcmd"
	// Every group's specs, registered into this process.
	_ "github.com/chconform/chconform/suites/all"
)

// SuiteDescription names the run's one Ginkgo suite. Ginkgo matches a
// --focus expression against it, a space and the spec's full name.
const SuiteDescription = "chconform"

// Exit statuses, as DESIGN.md defines them.
const (
	ExitOK    = 0
	ExitUsage = 2
)

// Options are a run's own settings, those no CH_* variable carries.
type Options struct {
	Filter string   // a Ginkgo label filter
	Focus  []string // regular expressions, any of which selects a spec
	Shard  string   // "I/N", or "" for a whole run
	// Seed is the random order's seed; 0 picks one from the clock.
	Seed            int64
	DryRun, Verbose bool
	NoRandomize     bool
}

// Run makes one run in this process (Ginkgo allows one per process) with
// the configuration in the environment, and writes its reports. It returns
// the report folder and the exit status.
func Run(o Options, stdout, stderr io.Writer) (string, int) {
	if os.Getenv("CH_REPORT_DIR") == "" {
		os.Setenv("CH_REPORT_DIR", filepath.Join("reports", "latest"))
	}
	// The run's deadline (CH_RUN_TIMEOUT) counts from here unless a caller
	// that runs several processes set one start for all.
	if os.Getenv("CH_RUN_STARTED") == "" {
		os.Setenv("CH_RUN_STARTED", strconv.FormatInt(time.Now().Unix(), 10))
	}
	shard, err := ParseShard(o.Shard)
	if err != nil {
		fmt.Fprintf(stderr, "chconform run: %v\n", err)
		return "", ExitUsage
	}
	if shard.Total > 1 {
		suite.SetShard(shard.Index, shard.Total)
	}
	if code := reportcmd.Main([]string{"preflight"}, stdout, stderr, os.Getenv); code != 0 {
		return "", code
	}
	dir, err := filepath.Abs(os.Getenv("CH_REPORT_DIR"))
	if err != nil {
		fmt.Fprintf(stderr, "chconform run: CH_REPORT_DIR: %v\n", err)
		return "", ExitUsage
	}
	if err := ClearReports(dir); err != nil {
		fmt.Fprintf(stderr, "chconform run: %v\n", err)
		return "", ExitUsage
	}

	suiteConfig, reporterConfig := ginkgo.GinkgoConfiguration()
	suiteConfig.RandomizeAllSpecs = !o.NoRandomize
	suiteConfig.RandomSeed = o.Seed
	if suiteConfig.RandomSeed == 0 {
		suiteConfig.RandomSeed = time.Now().UnixNano() % 1_000_000
	}
	suiteConfig.LabelFilter = labelFilter(o.Filter, shard)
	suiteConfig.FocusStrings = o.Focus
	suiteConfig.DryRun = o.DryRun
	if !o.DryRun {
		if err := checkCredentials(suiteConfig, shard); err != nil {
			fmt.Fprintf(stderr, "chconform: %v\n", err)
			return "", ExitUsage
		}
	}

	// preflight checked the configuration and the target: what remains of
	// suite.Prepare is the wiring.
	suite.Wire()
	if shard.Total > 1 {
		defer shardSpecs(shard)()
	}
	// A failed spec runs again (CH_RERUNS); one that then passes is flaky.
	suiteConfig.FlakeAttempts = suite.MustLoad().Config.FlakeAttempts()
	reporterConfig.JSONReport = filepath.Join(dir, "ginkgo.json")
	reporterConfig.NoColor = !isTerminal(os.Stdout)
	reporterConfig.Verbose = o.Verbose

	passed := ginkgo.RunSpecs(failRecorder{}, SuiteDescription, suiteConfig, reporterConfig)
	if o.DryRun {
		fmt.Fprintf(stdout, "chconform run: dry run, the specs it would make are in %s\n", reporterConfig.JSONReport)
		return dir, ExitOK
	}
	code := reportcmd.Main([]string{"summary"}, stdout, stderr, os.Getenv)
	if code == ExitOK && !passed {
		fmt.Fprintln(stderr, "chconform: Ginkgo reports a failure although no spec failed")
		return dir, ExitUsage
	}
	return dir, code
}

// checkCredentials previews the specs the run selects (its filter, focus
// and shard) and refuses, before the first spec, a run whose selected specs
// need CH_AUTH_TOKEN and were not given it (suite.CheckCredentials). The
// preview builds the tree once more: the shard's labels are dealt afresh
// for it, so the run's own deal is the same.
func checkCredentials(cfg types.SuiteConfig, shard Shard) error {
	return suite.CheckCredentials(suite.MustLoad(), func() types.Report {
		if shard.Total > 1 {
			defer shardSpecs(shard)()
		}
		return ginkgo.PreviewSpecs(SuiteDescription, cfg)
	})
}

// failRecorder is the testing.T that RunSpecs wants: the run's verdict
// comes from the reports (RunSpecs also returns whether the suite passed),
// so a caller under `go test` fails its own t from them, spec by spec.
type failRecorder struct{}

func (failRecorder) Fail() {}

// ClearReports removes only the files a run writes: CH_REPORT_DIR may hold
// other things, and a report left from an earlier run must not pass for
// this one's.
func ClearReports(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("CH_REPORT_DIR: %w", err)
	}
	for _, name := range []string{"ginkgo.json", "summary.json", "junit.xml", "report.html", "report.md", "badge.json"} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// isTerminal says whether f is a terminal: logs and CI pages show colour
// codes as noise.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// labelFilter joins the user's filter with the shard's label.
func labelFilter(user string, s Shard) string {
	var parts []string
	if strings.TrimSpace(user) != "" {
		parts = append(parts, "("+user+")")
	}
	if s.Total > 1 {
		parts = append(parts, s.label(s.Index))
	}
	return strings.Join(parts, " && ")
}

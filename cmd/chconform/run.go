package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
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

// envFlag is a run flag that stands for a CH_* variable: the flag, when
// given, sets the variable, so the configuration is read (and refused with
// the variable's name) in one place, harness.LoadConfigFromEnv.
type envFlag struct {
	name, variable, usage string
}

// envFlags are the configuration variables a command line may set. The
// credentials (CH_AUTH_TOKEN and the profile's tokens) are not among them:
// a command line is visible to every user of the machine (ps) and lands in
// shell histories and CI logs.
var envFlags = []envFlag{
	{"base-url", "CH_BASE_URL", "the target's API root (default: the embedded fixtures)"},
	{"profile", "CH_PROFILE", "fixtures, emulator, live, or a profile file"},
	{"fixtures", "CH_FIXTURES", "a fixture folder instead of the embedded fixtures"},
	{"spec", "CH_SPEC", "the contract (default: the embedded api.yaml)"},
	{"config", "CH_CONFIG", "a YAML file of CH_* settings"},
	{"report-dir", "CH_REPORT_DIR", "where the reports go (default reports/latest)"},
	{"record", "CH_RECORD", "a folder to record every exchange into (fixtures and a HAR per run)"},
	{"timeout", "CH_TIMEOUT", "bound on one request (Go duration)"},
	{"run-timeout", "CH_RUN_TIMEOUT", "bound on the whole run (Go duration)"},
	{"rate", "CH_RATE", "requests per second to the target"},
	{"min-coverage", "CH_MIN_COVERAGE", "the verified share the run must reach: a fraction, or all"},
	{"min-response-coverage", "CH_MIN_RESPONSE_COVERAGE", "the share of the documented responses' schema locations validated bodies must show: a fraction"},
	{"strict", "CH_STRICT", "fail answers with fields the contract does not declare (true/false)"},
	{"allow-mutations", "CH_ALLOW_MUTATIONS", "let the specs write to a live target (true/false)"},
	{"allow-sms", "CH_ALLOW_SMS", "let the specs that send an SMS run (true/false)"},
	{"anonymous", "CH_ANONYMOUS", "an anonymous run: the specs that need CH_AUTH_TOKEN are unsupported and every report says anonymous (true/false)"},
	{"allow-insecure", "CH_ALLOW_INSECURE", "send credentials over plain http to a remote host (true/false)"},
	{"user-id", "CH_USER_ID", "the configured account's user id"},
	{"device-id", "CH_DEVICE_ID", "the CH-DeviceID the requests carry"},
	{"reruns", "CH_RERUNS", "re-runs of a failed spec before the verdict; one that then passes is flaky (default 2)"},
}

// suiteDescription names the run's one Ginkgo suite. Ginkgo matches a
// --focus expression against it, a space and the spec's full name.
const suiteDescription = "chconform"

// runOptions are the run's own flags, those no CH_* variable carries.
type runOptions struct {
	filter, focus, shard string
	focusList            []string // regular expressions, any of which selects a spec
	seed                 int64
	dryRun, verbose      bool
	noRandomize          bool
}

func runRun(args []string, stdout, stderr io.Writer, getenv env) int {
	fs := verbFlags("run", "[flags]", stderr,
		"Runs every conformance spec against the configured target (the embedded fixtures by",
		"default) and writes ginkgo.json, summary.json, junit.xml, report.html, report.md and",
		"badge.json. Flags named after a CH_* variable set it; credentials are read from the",
		"environment or CH_CONFIG only. Exit 0: conformant; 1: not; 2: the run could not be made.",
	)
	set := map[string]*string{}
	for _, f := range envFlags {
		set[f.variable] = fs.String(f.name, "", f.usage+" ("+f.variable+")")
	}
	var o runOptions
	fs.StringVar(&o.filter, "filter", getenv("FILTER"), "a Ginkgo label filter: group:auth, op:join_channel, '!mutating' (FILTER)")
	fs.StringVar(&o.focus, "focus", "", "run only the specs whose name matches this regular expression (Ginkgo matches it against \"chconform \" and the full name)")
	fs.StringVar(&o.shard, "shard", "", "I/N: run the I-th of N deterministic, balanced parts of the specs (merge them with chconform merge)")
	fs.Int64Var(&o.seed, "seed", 0, "the random order's seed (default: from the clock, printed)")
	fs.BoolVar(&o.noRandomize, "no-randomize", false, "run the specs in the order they are declared")
	fs.BoolVar(&o.dryRun, "dry-run", false, "list the specs the run would make in ginkgo.json, send nothing")
	fs.BoolVar(&o.verbose, "v", false, "name every spec as it runs")
	if code, done := parseVerbFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "chconform run: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	for _, f := range envFlags {
		if v := *set[f.variable]; v != "" {
			os.Setenv(f.variable, v)
		}
	}
	if o.focus != "" {
		if _, err := regexp.Compile(o.focus); err != nil {
			fmt.Fprintf(stderr, "chconform run: -focus: %v\n", err)
			return exitUsage
		}
		o.focusList = []string{o.focus}
	}
	_, code := runSpecs(o, stdout, stderr)
	return code
}

// runSpecs makes one run in this process (Ginkgo allows one per process)
// with the configuration in the environment, and writes its reports. It
// returns the report folder and the exit status.
func runSpecs(o runOptions, stdout, stderr io.Writer) (string, int) {
	if os.Getenv("CH_REPORT_DIR") == "" {
		os.Setenv("CH_REPORT_DIR", filepath.Join("reports", "latest"))
	}
	// The run's deadline (CH_RUN_TIMEOUT) counts from here unless a caller
	// that runs several processes set one start for all.
	if os.Getenv("CH_RUN_STARTED") == "" {
		os.Setenv("CH_RUN_STARTED", strconv.FormatInt(time.Now().Unix(), 10))
	}
	shard, err := parseShard(o.shard)
	if err != nil {
		fmt.Fprintf(stderr, "chconform run: %v\n", err)
		return "", exitUsage
	}
	if shard.total > 1 {
		suite.SetShard(shard.index, shard.total)
	}
	if code := reportcmd.Main([]string{"preflight"}, stdout, stderr, os.Getenv); code != 0 {
		return "", code
	}
	dir, err := filepath.Abs(os.Getenv("CH_REPORT_DIR"))
	if err != nil {
		fmt.Fprintf(stderr, "chconform run: CH_REPORT_DIR: %v\n", err)
		return "", exitUsage
	}
	if err := clearReports(dir); err != nil {
		fmt.Fprintf(stderr, "chconform run: %v\n", err)
		return "", exitUsage
	}

	suiteConfig, reporterConfig := ginkgo.GinkgoConfiguration()
	suiteConfig.RandomizeAllSpecs = !o.noRandomize
	suiteConfig.RandomSeed = o.seed
	if suiteConfig.RandomSeed == 0 {
		suiteConfig.RandomSeed = time.Now().UnixNano() % 1_000_000
	}
	suiteConfig.LabelFilter = labelFilter(o.filter, shard)
	suiteConfig.FocusStrings = o.focusList
	suiteConfig.DryRun = o.dryRun
	if !o.dryRun {
		if err := checkCredentials(suiteConfig, shard); err != nil {
			fmt.Fprintf(stderr, "chconform: %v\n", err)
			return "", exitUsage
		}
	}

	// preflight checked the configuration and the target: what remains of
	// suite.Prepare is the wiring.
	suite.Wire()
	if shard.total > 1 {
		defer shardSpecs(shard)()
	}
	// A failed spec runs again (CH_RERUNS); one that then passes is flaky.
	suiteConfig.FlakeAttempts = suite.MustLoad().Config.FlakeAttempts()
	reporterConfig.JSONReport = filepath.Join(dir, "ginkgo.json")
	reporterConfig.NoColor = !isTerminal(os.Stdout)
	reporterConfig.Verbose = o.verbose

	passed := ginkgo.RunSpecs(failRecorder{}, suiteDescription, suiteConfig, reporterConfig)
	if o.dryRun {
		fmt.Fprintf(stdout, "chconform run: dry run, the specs it would make are in %s\n", reporterConfig.JSONReport)
		return dir, exitOK
	}
	code := reportcmd.Main([]string{"summary"}, stdout, stderr, os.Getenv)
	if code == exitOK && !passed {
		fmt.Fprintln(stderr, "chconform: Ginkgo reports a failure although no spec failed")
		return dir, exitUsage
	}
	return dir, code
}

// checkCredentials previews the specs the run selects (its filter, focus
// and shard) and refuses, before the first spec, a run whose selected specs
// need CH_AUTH_TOKEN and were not given it (suite.CheckCredentials). The
// preview builds the tree once more: the shard's labels are dealt afresh
// for it, so the run's own deal is the same.
func checkCredentials(cfg types.SuiteConfig, shard shardSpec) error {
	return suite.CheckCredentials(suite.MustLoad(), func() types.Report {
		if shard.total > 1 {
			defer shardSpecs(shard)()
		}
		return ginkgo.PreviewSpecs(suiteDescription, cfg)
	})
}

// failRecorder is the testing.T that RunSpecs wants outside `go test`;
// RunSpecs also returns whether the suite passed, which is what the run uses.
type failRecorder struct{}

func (failRecorder) Fail() {}

// clearReports removes only the files a run writes: CH_REPORT_DIR may hold
// other things, and a report left from an earlier run must not pass for
// this one's.
func clearReports(dir string) error {
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
func labelFilter(user string, s shardSpec) string {
	var parts []string
	if strings.TrimSpace(user) != "" {
		parts = append(parts, "("+user+")")
	}
	if s.total > 1 {
		parts = append(parts, s.label(s.index))
	}
	return strings.Join(parts, " && ")
}

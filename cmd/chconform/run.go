package main

import (
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/chconform/chconform/internal/runner"
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
	{"explore", "CH_EXPLORE", "the generated requests (phase:explore): auto (loopback targets only), on or off"},
	{"explore-examples", "CH_EXPLORE_EXAMPLES", "requests generated per explore spec (default 25)"},
	{"explore-budget", "CH_EXPLORE_BUDGET", "time the explore phase may take per process (default 40s)"},
	{"explore-seed", "CH_EXPLORE_SEED", "seed of the generated requests (default: the run's --seed)"},
}

// suiteDescription names the run's one Ginkgo suite (runner.SuiteDescription).
const suiteDescription = runner.SuiteDescription

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
// with the configuration in the environment, and writes its reports: the
// runner's one path, which the public Go API (package conformance) takes
// too. It returns the report folder and the exit status.
func runSpecs(o runOptions, stdout, stderr io.Writer) (string, int) {
	return runner.Run(runner.Options{
		Filter: o.filter, Focus: o.focusList, Shard: o.shard, Seed: o.seed,
		DryRun: o.dryRun, Verbose: o.verbose, NoRandomize: o.noRandomize,
	}, stdout, stderr)
}

// clearReports is runner.ClearReports, for chconform merge.
func clearReports(dir string) error { return runner.ClearReports(dir) }

// Command chconform is the one command of the conformance suite. Its verbs:
//
//	chconform run [flags]           every spec against the target (the embedded fixtures by default)
//	chconform audit FILE...         judge captured traffic (HAR, Postman) against the contract
//	chconform overlay OVERLAY       the contract with an OpenAPI Overlay (audit --suggest) applied
//	chconform proxy --upstream URL  forward live traffic to the upstream and judge it as it passes
//	chconform merge DIR...          the parts of a sharded run (run --shard I/N) as one run
//	chconform matrix SUMMARY...     several summaries side by side (or over time with --trend)
//	chconform report|diff|spec-diff|preflight   the reports, the regression gate, the contract diff
//	chconform fixtures|mutate|emulate           fixtures, mutation testing, the emulator
//
// Every verb exits 0 when the target (or the capture) kept the contract, 1
// when it broke it, 2 when the verb could not do its job (bad input, bad
// configuration).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"

	"github.com/chconform/chconform/internal/emulatecmd"
	"github.com/chconform/chconform/internal/fixturescmd"
	"github.com/chconform/chconform/internal/mutatecmd"
	"github.com/chconform/chconform/internal/reportcmd"
)

const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

type env func(string) string

type verb struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer, getenv env) int
}

func verbs() map[string]verb {
	return map[string]verb{
		"run":       {"run", "run every conformance spec against the target (the embedded fixtures by default)", runRun},
		"audit":     {"audit", "judge captured traffic (HAR 1.2, Postman v2.1) against the contract", runAudit},
		"overlay":   {"overlay", "apply an OpenAPI Overlay (an audit's --suggest) to the contract and write the result", runOverlay},
		"proxy":     {"proxy", "forward a client's traffic to an upstream and judge it as it passes", runProxy},
		"replay":    {"replay", "re-run the failed cases of a report and say of each FIXED, STILL FAILING or ERROR", runReplay},
		"merge":     {"merge", "put the report folders of a sharded run's parts (run --shard I/N) together", runMerge},
		"matrix":    {"matrix", "lay several summaries (targets, or one target over time) side by side", runMatrix},
		"report":    {"report", "rewrite summary.json and the reports from a run's ginkgo.json", reportVerb("summary")},
		"diff":      {"diff", "compare two summary.json files; exit 1 on a regression", reportVerb("diff")},
		"spec-diff": {"spec-diff", "compare two versions of the contract with oasdiff; exit 1 on a breaking change", reportVerb("spec-diff")},
		"preflight": {"preflight", "check the configuration, contract, profile and target a run would use", reportVerb("preflight")},
		"fixtures":  {"fixtures", "write a fixture for every documented example that has none", plainVerb(fixturescmd.Main)},
		"mutate":    {"mutate", "measure the suites' strength by mutation testing (run, list, serve, peer)", plainVerb(mutatecmd.Main)},
		"emulate":   {"emulate", "serve the project's stateful Clubhouse emulator", plainVerb(emulatecmd.Main)},
	}
}

// reportVerb is a verb served by one of chreport's former commands.
func reportVerb(command string) func([]string, io.Writer, io.Writer, env) int {
	return func(args []string, stdout, stderr io.Writer, getenv env) int {
		return reportcmd.Main(append([]string{command}, args...), stdout, stderr, getenv)
	}
}

// plainVerb is a verb that writes to the process's own standard streams
// (the emulator and the mutation runner print as they go).
func plainVerb(main func([]string) int) func([]string, io.Writer, io.Writer, env) int {
	return func(args []string, _, _ io.Writer, _ env) int { return main(args) }
}

// verbFlags is a verb's flag set: errors and usage go to stderr, and the
// usage opens with the verb's synopsis and what it does.
func verbFlags(verb, synopsis string, stderr io.Writer, about ...string) *flag.FlagSet {
	fs := flag.NewFlagSet("chconform "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: chconform %s %s\n", verb, synopsis)
		for _, line := range about {
			fmt.Fprintln(stderr, line)
		}
		fs.PrintDefaults()
	}
	return fs
}

// parseVerbFlags parses a verb's arguments; done says the verb is over,
// with code: 0 after --help, 2 after a flag it does not know.
func parseVerbFlags(fs *flag.FlagSet, args []string) (code int, done bool) {
	switch err := fs.Parse(args); {
	case err == nil:
		return exitOK, false
	case errors.Is(err, flag.ErrHelp):
		return exitOK, true
	default:
		return exitUsage, true
	}
}

// memoryLimit is the heap size past which the garbage collector works
// harder (a soft limit, never a failure): an audit streams its capture and
// keeps one line per entry, so its live heap is small, but at Go's default
// pace the heap of a long audit grows to twice what is live. GOMEMLIMIT,
// when set, wins.
const memoryLimit = 128 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

func run(args []string, stdout, stderr io.Writer, getenv env) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return exitOK
	}
	v, ok := verbs()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "chconform: unknown verb %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return v.run(args[1:], stdout, stderr, getenv)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: chconform VERB [flags] [args]")
	fmt.Fprintln(w, "verbs:")
	vs := verbs()
	names := make([]string, 0, len(vs))
	for n := range vs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, vs[n].summary)
	}
	fmt.Fprintln(w, "run `chconform VERB --help` for a verb's flags; exit status 0 conformant, 1 not, 2 could not run")
}

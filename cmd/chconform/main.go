// Command chconform is the one command of the conformance suite. Its verbs:
//
//	chconform audit FILE...         judge captured traffic (HAR, Postman) against the contract
//	chconform matrix SUMMARY...     several summaries side by side (or over time with --trend)
//
// Every verb exits 0 when the target (or the capture) kept the contract, 1
// when it broke it, 2 when the verb could not do its job (bad input, bad
// configuration).
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
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
		"audit":  {"audit", "judge captured traffic (HAR 1.2, Postman v2.1) against the contract", runAudit},
		"matrix": {"matrix", "lay several summaries (targets, or one target over time) side by side", runMatrix},
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
		fmt.Fprintf(w, "  %-8s %s\n", n, vs[n].summary)
	}
	fmt.Fprintln(w, "run `chconform VERB --help` for a verb's flags; exit status 0 conformant, 1 not, 2 could not run")
}

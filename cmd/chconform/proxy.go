package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/liveproxy"
)

// allowRemoteFlag is the flag that lets the proxy listen beyond loopback.
const allowRemoteFlag = "--allow-remote-listen"

// proxyGCPercent is the collector's GOGC while the proxy runs, unless GOGC
// is set (why: runProxy).
const proxyGCPercent = 400

func runProxy(args []string, stdout, stderr io.Writer, getenv env) int {
	fs := verbFlags("proxy", "--upstream URL [flags]", stderr,
		"Listens (on loopback unless asked otherwise), forwards every request to the upstream unchanged",
		"and hands back the upstream's answer unchanged and streamed, while each exchange of a",
		"contract operation is judged with the audit's checks beside the forwarding. Prints",
		"`"+liveproxy.ListeningLine+"http://HOST:PORT` once it listens, then one line per failure",
		"(case id, operation, check). Ends on SIGINT or SIGTERM, after --max-exchanges or --duration,",
		"and writes summary.json, junit.xml, report.html, report.md (with the drift) and proxy.har",
		"(secrets masked) into --report-dir. Exit 0: every judged exchange kept the contract;",
		"1: some did not; 2: the proxy could not run, or nothing could be judged.",
	)
	upstream := fs.String("upstream", "", "the base URL requests are forwarded to (required)")
	listen := fs.String("listen", "127.0.0.1:0", "the address to listen on (loopback unless "+allowRemoteFlag+")")
	allowRemote := fs.Bool(allowRemoteFlag[2:], false, "allow a --listen address other machines can reach")
	reportDir := fs.String("report-dir", or(getenv("CH_REPORT_DIR"), filepath.Join("reports", "latest")), "where to write the reports and proxy.har (CH_REPORT_DIR)")
	maxExchanges := fs.Int("max-exchanges", 0, "end after this many exchanges (0: no bound)")
	duration := fs.Duration("duration", 0, "end after this long (0: no bound)")
	maxBody := fs.Int64("max-body", harness.MaxBodyBytes, "bodies larger than this are forwarded whole and not judged")
	upstreamTimeout := fs.Duration("upstream-timeout", 30*time.Second, "how long to wait for the upstream's answer headers before the client gets 502 (0: as long as the client waits)")
	judge, err := addJudgeFlags(fs, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "chconform proxy: %v\n", err)
		return exitUsage
	}
	if code, done := parseVerbFlags(fs, args); done {
		return code
	}
	usageError := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "chconform proxy: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case fs.NArg() > 0:
		return usageError("unexpected argument %q (the proxy takes flags only)", harness.OneLine(fs.Arg(0)))
	case *upstream == "":
		return usageError("--upstream URL is required")
	case !liveproxy.IsLoopback(*listen) && !*allowRemote:
		return usageError("--listen %s is not a loopback address: other machines could send traffic through the proxy; pass %s to listen there anyway", harness.OneLine(*listen), allowRemoteFlag)
	case *maxBody <= 0 || *maxExchanges < 0 || *duration < 0 || *upstreamTimeout < 0:
		return usageError("--max-body must be positive; --max-exchanges, --duration and --upstream-timeout not negative")
	}
	up, err := liveproxy.ParseUpstream(*upstream)
	if err != nil {
		return usageError("%v", err)
	}
	a, err := judge.auditor(getenv)
	if err != nil {
		return usageError("%v", err)
	}

	if os.Getenv("GOMEMLIMIT") == "" {
		// The three byte budgets below and the judging's own garbage sit
		// near main's 128 MiB soft limit, where the collector would run
		// without pause and charge its work to the forwarding goroutines.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
	}
	if os.Getenv("GOGC") == "" {
		// Each collection stops the world twice, and stopping it waits for
		// the judge's threads, which run at the lowest OS priority: on a
		// busy machine that took 2-17 ms, during which nothing is
		// forwarded. A kept body is a fresh 240 KB, so at the default
		// percentage the live heap of ~10 MB was collected every dozen
		// exchanges; at 400 it is a quarter as often (the memory limit
		// above still bounds the heap). Measured at 6a7647b: p99 added
		// latency 3-4 ms instead of 9-20 ms (docs/proxy.md).
		defer debug.SetGCPercent(debug.SetGCPercent(proxyGCPercent))
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// The bodies in flight, those waiting for the judge and those waiting
	// for the HAR each have a budget of a few bodies of the largest size
	// kept (and never less than dozens of large answers), so the heap stays
	// under the command's soft memory limit (main.go) with room for the
	// judging itself.
	budget := max(2**maxBody, 16<<20)
	har := filepath.Join(*reportDir, "proxy.har")
	res, err := liveproxy.Run(ctx, liveproxy.Config{
		Options: liveproxy.Options{
			Upstream:        up,
			MaxBody:         *maxBody,
			HeldBudget:      budget,
			UpstreamTimeout: *upstreamTimeout,
		},
		Listen:       *listen,
		MaxExchanges: *maxExchanges,
		Duration:     *duration,
		Auditor:      a,
		JudgeBudget:  budget,
		HAR:          har,
		Out:          stdout,
	})
	if err != nil {
		return usageError("%s", harness.NewRedactor(nil).String(err.Error()))
	}
	s, failures := a.Result()
	if err := writeAuditReports(*reportDir, s, failures); err != nil {
		return usageError("%v", err)
	}
	if *judge.suggest != "" {
		n, err := writeSuggestion(a, *judge.suggest)
		if err != nil {
			return usageError("--suggest: %v", err)
		}
		fmt.Fprintf(stdout, "  suggested overlay: %d action(s) in %s\n", n, *judge.suggest)
	}
	t := s.Totals
	fmt.Fprintf(stdout, "chconform proxy: %d exchanges, %d of a contract operation: %d passed, %d failed, %d not judged, %d error; %d outside the contract; %d failure line(s); reports and proxy.har in %s\n",
		res.Exchanges, s.Audit.Judged, t.Passed, t.Failed, t.Unsupported, t.Error, outsideCount(s.Audit), res.Failures, *reportDir)
	return auditExit(s)
}

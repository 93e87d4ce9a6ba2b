// Command chmutate measures the suites' strength by mutation testing: every
// mutant of the catalogue (generated from the contract, plus behavioural
// faults) is applied by a proxy in front of a fresh emulator, the suites that
// exercise the mutated operation run against it, and the mutant is killed
// when one of their specs fails (a spec that errors, a panic or a harness
// error, makes the mutant errored, not killed).
//
//	chmutate [run] [-workers 2] [-out reports/mutation] [-ops a,b] [-kinds k1,k2] [-sample N [-seed commit|N]] [-explore-examples 100]
//	chmutate list [-json]                 the catalogue
//	chmutate serve [-addr 127.0.0.1:0]    a switchable mutant target for other tools
//	chmutate peer -tool dredd|prism -bin <exe> -out <dir>   the same mutants judged by Dredd or Prism
//
// serve prints "chmutate serving http://HOST:PORT/api" and answers
// POST /_mutant?id=<mutant id> (a fresh emulator behind that mutant; an empty
// id for none) and GET /_mutant (the current mutant's fired/matched counts).
package mutatecmd

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/mutation"
)

// Main runs one chmutate command: `chconform mutate [run|list|serve|peer]`.
func Main(args []string) int {
	cmd := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	spec, err := harness.LoadSpec("api.yaml (embedded)", chconform.Contract)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chconform mutate:", err)
		return 2
	}
	switch cmd {
	case "run":
		return run(spec, args)
	case "list":
		return list(spec, args)
	case "serve":
		return serve(spec, args)
	case "peer":
		return peer(spec, args)
	default:
		fmt.Fprintf(os.Stderr, "chconform mutate: unknown command %q (run, list, serve, peer)\n", cmd)
		return 2
	}
}

// parseStatus is the exit status of a verb whose flags did not parse: 0
// for --help (the flag package printed the usage), 2 otherwise.
func parseStatus(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// selectMutants narrows the catalogue by operation and kind lists.
func selectMutants(spec *harness.Spec, ops, kinds string, limit int) []mutation.Mutant {
	want := func(list, v string) bool {
		if list == "" {
			return true
		}
		for _, x := range strings.Split(list, ",") {
			if strings.TrimSpace(x) == v {
				return true
			}
		}
		return false
	}
	var out []mutation.Mutant
	for _, m := range mutation.Catalogue(spec) {
		if want(ops, m.Op) && want(kinds, string(m.Kind)) {
			out = append(out, m)
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func run(spec *harness.Spec, args []string) int {
	fs := flag.NewFlagSet("chconform mutate run", flag.ContinueOnError)
	workers := fs.Int("workers", 2, "mutants run at once, each with its own emulator")
	out := fs.String("out", "reports/mutation", "where summary.json and survivors.md go")
	timeout := fs.Duration("timeout", 2*time.Second, "CH_TIMEOUT of the suites (a delayed mutant waits past it)")
	suiteTimeout := fs.Duration("suite-timeout", 3*time.Minute, "bound on one suite binary's run on one mutant")
	ops := fs.String("ops", "", "only the mutants of these operations (comma-separated)")
	kinds := fs.String("kinds", "", "only the mutants of these kinds (comma-separated)")
	limit := fs.Int("limit", 0, "only the first N selected mutants")
	sample := fs.Int("sample", 0, "judge a seeded draw of N of the selected mutants (0: all of them)")
	seedFlag := fs.String("seed", "commit", "the draw's seed: a decimal number, or commit (from the checkout's HEAD)")
	skipBaseline := fs.Bool("skip-baseline", false, "do not check first that the unmutated target passes")
	// The generation phase draws its changes at random: at its default of
	// 25 requests a spec, a request fault's property is met too seldom for
	// the catalogue to say what the phase can kill.
	exploreExamples := fs.Int("explore-examples", 100, "CH_EXPLORE_EXAMPLES of the suites: requests per generation-phase spec (0: the phase's default)")
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}

	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chconform mutate:", err)
		return 2
	}
	tree := mutation.ReadTree(root)
	mutants := selectMutants(spec, *ops, *kinds, *limit)
	var drawn *mutation.SampleInfo
	if *sample > 0 {
		seed, err := mutation.SeedOf(*seedFlag, tree)
		if err != nil {
			fmt.Fprintln(os.Stderr, "chconform mutate:", err)
			return 2
		}
		drawn = &mutation.SampleInfo{Size: min(*sample, len(mutants)), Of: len(mutants), Seed: seed}
		mutants = mutation.Draw(mutants, *sample, seed)
		fmt.Printf("chconform mutate: a sample of %d of %d mutants, seed %d\n", len(mutants), drawn.Of, seed)
	}
	bin, err := os.MkdirTemp("", "chmutate-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "chconform mutate:", err)
		return 2
	}
	defer os.RemoveAll(bin)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	start := time.Now()
	r := &mutation.Runner{Spec: spec, Root: root, BinDir: bin, Timeout: *timeout, SuiteTimeout: *suiteTimeout, Workers: *workers, ExploreExamples: *exploreExamples,
		Log: func(format string, a ...any) { fmt.Printf(format+"\n", a...) }}
	fmt.Println("chconform mutate: building the suites")
	if err := r.Build(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "chconform mutate:", err)
		return 2
	}
	if !*skipBaseline {
		fmt.Println("chconform mutate: baseline (every suite through the unmutated proxy)")
		if err := r.Baseline(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "chconform mutate:", err)
			return 2
		}
	}
	fmt.Printf("chconform mutate: %d mutants, %d workers (built and checked in %.1fs)\n", len(mutants), *workers, time.Since(start).Seconds())
	results := r.Run(ctx, mutants)
	s := mutation.Summarise("chconform", results)
	s.SpecSHA, s.Workers, s.Timeout = spec.SHA256, *workers, timeout.String()
	s.Tree, s.Sample = tree, drawn
	s.Seconds = time.Since(start).Seconds()
	if err := s.Write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "chconform mutate:", err)
		return 2
	}
	o := s.Overall
	fmt.Printf("chconform mutate: score %.2f%%: %d mutants, %d killed (%d only by generated requests), %d survived, %d errored (not kills), %d equivalent, %d provisional, %d not exercised, %d flaky (%.0fs); survivors in %s\n",
		o.Score, o.Total, o.Killed, o.OnlyGenerated, o.Survived, o.Errored, o.Equivalent, o.Provisional, o.Unexercised, o.Flaky, s.Seconds, filepath.Join(*out, "survivors.md"))
	if ctx.Err() != nil {
		return 2
	}
	return gateStatus(o)
}

// gateStatus is the exit status of a finished run: a survivor or an errored
// mutant is a fault of the suite the run was asked to find, so it exits 1
// and a CI job can gate on it. Not exercised mutants are listed with their
// reason (mutation/unreachable.yaml), not failed on.
func gateStatus(o mutation.Tally) int {
	if o.Survived > 0 || o.Errored > 0 {
		return 1
	}
	return 0
}

func list(spec *harness.Spec, args []string) int {
	fs := flag.NewFlagSet("chconform mutate list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the catalogue as JSON")
	ops := fs.String("ops", "", "only these operations")
	kinds := fs.String("kinds", "", "only these kinds")
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	mutants := selectMutants(spec, *ops, *kinds, 0)
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(mutants)
		return 0
	}
	for _, m := range mutants {
		fmt.Printf("%s\t%s\n", m.ID, m.Description)
	}
	return 0
}

// serve runs a switchable target: the mutant is chosen over HTTP, each time
// on a fresh emulator, so a tool that cannot be told about mutants (Dredd,
// Prism) can be pointed at one URL for the whole catalogue.
func serve(spec *harness.Spec, args []string) int {
	fs := flag.NewFlagSet("chconform mutate serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	timeout := fs.Duration("delay", 3*time.Second, "how long a delayed-past-timeout answer waits")
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	byID := map[string]mutation.Mutant{}
	for _, m := range mutation.Catalogue(spec) {
		byID[m.ID] = m
	}
	var mu sync.Mutex
	current := mutation.NewTarget(spec, nil, *timeout)
	currentID := ""
	mux := http.NewServeMux()
	mux.HandleFunc("/_mutant", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodPost {
			id := r.URL.Query().Get("id")
			var m *mutation.Mutant
			if id != "" {
				mm, ok := byID[id]
				if !ok {
					http.Error(w, "unknown mutant "+id, http.StatusNotFound)
					return
				}
				m = &mm
			}
			current.Close()
			current, currentID = mutation.NewTarget(spec, m, *timeout), id
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"id": currentID, "fired": current.Proxy.Fired(), "matched": current.Proxy.Matched()})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		t := current
		mu.Unlock()
		t.Proxy.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chconform mutate:", err)
		return 2
	}
	fmt.Printf("chmutate serving http://%s/api\n", ln.Addr())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "chconform mutate:", err)
		return 2
	}
	return 0
}

// moduleRoot walks up from the working directory to go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

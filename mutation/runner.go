package mutation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
)

// Runner runs mutants against the suites' test binaries.
type Runner struct {
	Spec *harness.Spec
	// Root is the module root (where suites/ is).
	Root string
	// BinDir holds the compiled suites (<group>.test); Build fills it.
	BinDir string
	// Timeout is CH_TIMEOUT of every run; a delayed mutant waits past it.
	Timeout time.Duration
	// SuiteTimeout bounds one suite binary's run on one mutant.
	SuiteTimeout time.Duration
	// Workers is how many mutants run at once, each with its own emulator.
	Workers int
	// Log receives one line per mutant.
	Log func(format string, args ...any)

	suites  []string            // groups, sorted
	opSuite map[string][]string // operationId to the groups with a spec labelled op:<id>
}

// Result is the verdict on one mutant.
type Result struct {
	Mutant  Mutant `json:"mutant"`
	Outcome string `json:"outcome"` // killed, survived, unexercised, equivalent
	// Fired is how many responses the fault changed; Matched how many
	// responses of the operation went through the proxy.
	Fired   int64    `json:"fired"`
	Matched int64    `json:"matched"`
	Suites  []string `json:"suites"`
	// KilledBy names the first failing spec and its failure.
	KilledBy string `json:"killed_by,omitempty"`
	ExitCode int    `json:"exit_code,omitempty"`
	// Reason explains a survivor: suite gap, contract gap or equivalent.
	Reason      string  `json:"reason,omitempty"`
	Explanation string  `json:"explanation,omitempty"`
	Sample      *Sample `json:"sample,omitempty"`
	Seconds     float64 `json:"seconds"`
}

// Outcomes.
const (
	Killed      = "killed"
	Survived    = "survived"
	Unexercised = "unexercised"
	Equivalent  = "equivalent"
	Flaky       = "flaky"
)

// Build compiles every suite once (go test -c) and reads which operations
// each suite's specs are labelled with (a dry run).
func (r *Runner) Build(ctx context.Context) error {
	entries, err := os.ReadDir(filepath.Join(r.Root, "suites"))
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			r.suites = append(r.suites, e.Name())
		}
	}
	sort.Strings(r.suites)
	var wg sync.WaitGroup
	errs := make([]error, len(r.suites))
	sem := make(chan struct{}, max(1, r.Workers))
	for i, g := range r.suites {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", r.bin(g), "./suites/"+g)
			cmd.Dir = r.Root
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("building suite %s: %v\n%s", g, err, out)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	r.opSuite = map[string][]string{}
	for _, g := range r.suites {
		report := filepath.Join(r.BinDir, g+".dry.json")
		cmd := exec.CommandContext(ctx, r.bin(g), "-ginkgo.dry-run", "-ginkgo.no-color", "-ginkgo.json-report="+report)
		cmd.Env = cleanEnv(nil)
		cmd.Dir = filepath.Join(r.Root, "suites", g)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("dry run of suite %s: %v\n%s", g, err, out)
		}
		reports, err := readReports(report)
		if err != nil {
			return err
		}
		ops := map[string]bool{}
		for _, rep := range reports {
			for _, s := range rep.SpecReports {
				for _, l := range s.Labels() {
					if id, ok := strings.CutPrefix(l, "op:"); ok {
						ops[id] = true
					}
				}
			}
		}
		for id := range ops {
			r.opSuite[id] = append(r.opSuite[id], g)
		}
	}
	for _, op := range r.Spec.Operations() {
		// The operation's own group first: it is the likeliest to kill.
		gs := r.opSuite[op.ID]
		sort.SliceStable(gs, func(i, j int) bool { return gs[i] == op.Group && gs[j] != op.Group })
	}
	return nil
}

func (r *Runner) bin(group string) string { return filepath.Join(r.BinDir, group+".test") }

// SuitesFor lists the suites with a spec labelled op:<id>.
func (r *Runner) SuitesFor(op string) []string { return r.opSuite[op] }

func readReports(path string) ([]types.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var reports []types.Report
	if err := json.Unmarshal(data, &reports); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return reports, nil
}

// cleanEnv is the process environment without any CH_* variable, plus set.
func cleanEnv(set map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CH_") {
			env = append(env, kv)
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+set[k])
	}
	return env
}

// Target is one fresh emulator behind one mutating proxy.
type Target struct {
	Proxy    *Proxy
	URL      string // the proxy's API base URL (…/api)
	upstream *httptest.Server
	front    *httptest.Server
}

// Close stops the proxy and the emulator.
func (t *Target) Close() {
	t.front.CloseClientConnections()
	t.front.Close()
	t.upstream.Close()
}

// NewTarget starts a fresh in-process emulator and a proxy applying m (nil
// for none) in front of it, both on loopback ports.
func NewTarget(spec *harness.Spec, m *Mutant, delay time.Duration) *Target {
	em := emulator.New(emulator.Options{})
	up := httptest.NewServer(em.Handler())
	u, _ := url.Parse(up.URL)
	token, _ := em.AccountToken("default")
	px := NewProxy(spec, m, ProxyOptions{Upstream: u, Backend: em.Handler(), DefaultToken: token, Delay: delay})
	front := httptest.NewServer(px)
	return &Target{Proxy: px, URL: front.URL + "/api", upstream: up, front: front}
}

// suiteRun is the outcome of one suite binary on one target.
type suiteRun struct {
	exit   int
	failed string // the first failed spec and its message
	err    error
}

// runSuite runs one compiled suite against base, narrowed by filter.
func (r *Runner) runSuite(ctx context.Context, group, base, filter, dir string) suiteRun {
	ctx, cancel := context.WithTimeout(ctx, r.SuiteTimeout)
	defer cancel()
	report := filepath.Join(dir, group+".json")
	args := []string{"-ginkgo.no-color", "-ginkgo.fail-fast", "-ginkgo.json-report=" + report}
	if filter != "" {
		args = append(args, "-ginkgo.label-filter="+filter)
	}
	cmd := exec.CommandContext(ctx, r.bin(group), args...)
	cmd.Dir = filepath.Join(r.Root, "suites", group)
	cmd.Env = cleanEnv(map[string]string{
		"CH_BASE_URL":   base,
		"CH_PROFILE":    "emulator",
		"CH_TIMEOUT":    r.Timeout.String(),
		"CH_REPORT_DIR": dir,
	})
	out, err := cmd.CombinedOutput()
	run := suiteRun{}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		run.exit = exitErr.ExitCode()
		if ctx.Err() != nil {
			run.err = fmt.Errorf("suite %s timed out after %s", group, r.SuiteTimeout)
		}
	default:
		run.exit, run.err = -1, err
	}
	if run.exit != 0 {
		run.failed = firstFailure(report)
		if run.failed == "" {
			run.failed = "exit " + fmt.Sprint(run.exit) + ": " + lastLines(string(out), 3)
		}
	}
	return run
}

func firstFailure(report string) string {
	reports, err := readReports(report)
	if err != nil {
		return ""
	}
	for _, rep := range reports {
		for _, s := range rep.SpecReports {
			if s.State.Is(types.SpecStateFailureStates) {
				msg := s.Failure.Message
				if i := strings.IndexByte(msg, '\n'); i >= 0 {
					msg = msg[:i]
				}
				name := s.FullText()
				if name == "" {
					name = s.LeafNodeType.String()
				}
				return cut(name+": "+msg, 400)
			}
		}
	}
	return ""
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Baseline runs every suite through a faithful proxy: the mutants mean
// nothing unless the unmutated target passes.
func (r *Runner) Baseline(ctx context.Context) error {
	t := NewTarget(r.Spec, nil, 0)
	defer t.Close()
	dir, err := os.MkdirTemp("", "chmutate-baseline-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, g := range r.suites {
		if run := r.runSuite(ctx, g, t.URL, "", dir); run.exit != 0 || run.err != nil {
			return fmt.Errorf("baseline: suite %s fails through the unmutated proxy: %s %v", g, run.failed, run.err)
		}
	}
	return nil
}

// Run runs every mutant, Workers at a time, and returns the results in
// catalogue order.
func (r *Runner) Run(ctx context.Context, mutants []Mutant) []Result {
	results := make([]Result, len(mutants))
	next := make(chan int)
	var wg sync.WaitGroup
	var done int
	var mu sync.Mutex
	for w := 0; w < max(1, r.Workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = r.RunMutant(ctx, mutants[i])
				mu.Lock()
				done++
				n := done
				mu.Unlock()
				if r.Log != nil {
					res := results[i]
					r.Log("[%d/%d] %-11s %s (fired %d) %.1fs", n, len(mutants), res.Outcome, res.Mutant.ID, res.Fired, res.Seconds)
				}
			}
		}()
	}
	for i := range mutants {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// RunMutant runs the suites exercising the mutant's operation against a
// fresh emulator behind the mutating proxy.
func (r *Runner) RunMutant(ctx context.Context, m Mutant) Result {
	start := time.Now()
	res := Result{Mutant: m, Suites: r.SuitesFor(m.Op)}
	t := NewTarget(r.Spec, &m, r.Timeout+time.Second)
	dir, err := os.MkdirTemp("", "chmutate-")
	if err == nil {
		defer os.RemoveAll(dir)
	}
	for _, g := range res.Suites {
		run := r.runSuite(ctx, g, t.URL, "op:"+m.Op, dir)
		if run.exit != 0 {
			res.ExitCode = run.exit
			res.KilledBy = g + ": " + run.failed
			break
		}
	}
	t.Close()
	res.Fired, res.Matched = t.Proxy.Fired(), t.Proxy.Matched()
	res.Sample = t.Proxy.FirstSample()
	switch {
	case res.KilledBy != "" && res.Fired == 0:
		// The run failed although the fault never fired: the failure is not
		// the mutant's doing (a flaky spec, a harness error).
		res.Outcome = Flaky
		res.Reason = "the suites failed without the fault firing"
		res.Explanation = res.KilledBy
		res.Sample = nil
	case res.KilledBy != "":
		res.Outcome = Killed
		res.Sample = nil
	case res.Fired == 0:
		res.Outcome = Unexercised
		res.Reason = "no spec exercised it"
		res.Explanation = unexercisedWhy(r.Spec, m, res.Matched)
	default:
		res.Outcome = Survived
		classify(r.Spec, &res)
	}
	res.Seconds = time.Since(start).Seconds()
	return res
}

func unexercisedWhy(spec *harness.Spec, m Mutant, matched int64) string {
	if op, ok := spec.Operation(m.Op); ok && m.Kind == KindWriteDropped && !op.Documents(200) {
		return "contract gap: the contract documents no success answer of " + m.Op + " (only its refusals), so no spec may expect one"
	}
	if matched == 0 {
		return "no request of " + m.Op + " reached the proxy"
	}
	if m.Path != "" {
		return fmt.Sprintf("%d answers of %s went through, none with status %d holding %s", matched, m.Op, m.Status, m.Path)
	}
	return fmt.Sprintf("%d answers of %s went through, none with status %d", matched, m.Op, m.Status)
}

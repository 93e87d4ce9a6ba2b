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
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/explore"
	"github.com/chconform/chconform/harness/report"
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
	// ExploreExamples is CH_EXPLORE_EXAMPLES of every suite run (0: the
	// phase's default): the generation phase draws its changes at random,
	// and a request fault is killed only when a draw meets its property.
	ExploreExamples int
	// Log receives one line per mutant.
	Log func(format string, args ...any)

	suites  []string            // groups, sorted
	opSuite map[string][]string // operationId to the groups with a spec labelled op:<id>
	// generationOnly are the groups whose every spec is of the generation
	// phase: they run after the others, so a mutant the documented
	// requests kill never waits for generated ones.
	generationOnly map[string]bool
}

// explorationSeed is CH_EXPLORE_SEED of every suite run.
const explorationSeed = "1"

// GenerationPhase labels the specs whose requests are generated from the
// contract rather than documented (issue 21): a mutant only they kill is a
// fault no documented request reaches.
const GenerationPhase = explore.Label

// Result is the verdict on one mutant.
type Result struct {
	Mutant  Mutant `json:"mutant"`
	Outcome string `json:"outcome"` // killed, survived, errored, unexercised, equivalent, flaky
	// Fired is how many responses the fault changed; Matched how many
	// responses of the operation went through the proxy.
	Fired   int64    `json:"fired"`
	Matched int64    `json:"matched"`
	Suites  []string `json:"suites"`
	// KilledBy names the first spec whose outcome is failed, and its failure.
	KilledBy string `json:"killed_by,omitempty"`
	// KilledIn is the phase label (GenerationPhase) of that spec; empty
	// for the specs that send documented requests.
	KilledIn string `json:"killed_in,omitempty"`
	// OnlyKilledIn is set when the phase that killed the mutant is the only
	// one that does: run again without that phase's specs, the others
	// passed (AlsoKilledBy names the one that failed when they did not).
	OnlyKilledIn string `json:"only_killed_in,omitempty"`
	AlsoKilledBy string `json:"also_killed_by,omitempty"`
	// killerSuite is the group whose spec killed the mutant.
	killerSuite string
	// ErroredBy names the first spec whose outcome is error (a panic, a
	// harness error, a suite that did not run), when no spec failed.
	ErroredBy string `json:"errored_by,omitempty"`
	ExitCode  int    `json:"exit_code,omitempty"`
	// Reason explains a survivor: suite gap, contract gap or equivalent.
	Reason      string  `json:"reason,omitempty"`
	Explanation string  `json:"explanation,omitempty"`
	Sample      *Sample `json:"sample,omitempty"`
	Seconds     float64 `json:"seconds"`
}

// Outcomes.
const (
	Killed   = "killed"
	Survived = "survived"
	// Errored: the runs ended in errors only (a spec panicked, the harness
	// could not make a request, the suite did not start), no spec failed.
	// Not a kill: nothing judged the mutated answer and found it wrong.
	Errored     = "errored"
	Unexercised = "unexercised"
	Equivalent  = "equivalent"
	// Provisional: a fault only a provisional check would judge (the real
	// server's answer to that input is not evidenced, issue 21): reported
	// apart, outside the score and the gate, like the check itself.
	Provisional = "provisional"
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
		// suites/all holds every group at once: the runner picks the groups
		// that exercise a mutant, so it runs them one by one.
		if e.IsDir() && e.Name() != "all" {
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
	r.generationOnly = map[string]bool{}
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
		specs, generated := 0, 0
		for _, rep := range reports {
			for _, s := range rep.SpecReports {
				if s.LeafNodeType == types.NodeTypeIt {
					specs++
					if slices.Contains(s.Labels(), GenerationPhase) {
						generated++
					}
				}
				for _, l := range s.Labels() {
					if id, ok := strings.CutPrefix(l, "op:"); ok {
						ops[id] = true
					}
				}
			}
		}
		r.generationOnly[g] = specs > 0 && generated == specs
		for id := range ops {
			r.opSuite[id] = append(r.opSuite[id], g)
		}
	}
	for _, op := range r.Spec.Operations() {
		// The operation's own group first: it is the likeliest to kill;
		// generated requests last: they cost the most.
		gs := r.opSuite[op.ID]
		rank := func(g string) int {
			switch {
			case r.generationOnly[g]:
				return 2
			case g == op.Group:
				return 0
			}
			return 1
		}
		sort.SliceStable(gs, func(i, j int) bool { return rank(gs[i]) < rank(gs[j]) })
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
	em := emulator.New(emulator.Options{Fault: emulatorFault(spec, m)})
	up := httptest.NewServer(em.Handler())
	u, _ := url.Parse(up.URL)
	token, _ := em.AccountToken("default")
	px := NewProxy(spec, m, ProxyOptions{Upstream: u, Backend: em.Handler(), DefaultToken: token, Delay: delay,
		EmulatorFired: em.FaultsFired})
	front := httptest.NewServer(px)
	return &Target{Proxy: px, URL: front.URL + "/api", upstream: up, front: front}
}

// emulatorFault is the emulator's own fault switch for the mutants only
// the emulator can make (whose state a request reads or writes, how it
// treats a request's input); the zero Fault for every other mutant.
func emulatorFault(spec *harness.Spec, m *Mutant) emulator.Fault {
	if m == nil {
		return emulator.Fault{}
	}
	if f, ok := requestFault(spec, m); ok {
		return f
	}
	kinds := map[Kind]emulator.FaultKind{
		KindIdentityFromHeader:       emulator.FaultIdentityFromHeader,
		KindWriteToAnotherAccount:    emulator.FaultWriteToAnotherAccount,
		KindEndedRoomJoinable:        emulator.FaultEndedRoomJoinable,
		KindEndedRoomCreatorJoinable: emulator.FaultEndedRoomJoinableByCreator,
	}
	if k, ok := kinds[m.Kind]; ok {
		return emulator.Fault{Kind: k, Op: m.Op}
	}
	return emulator.Fault{}
}

// suiteRun is the outcome of one suite binary on one target, read from
// the run's Ginkgo JSON report through report.Build: the same outcomes
// summary.json gives (passed, failed, unsupported, disabled, error).
type suiteRun struct {
	exit    int
	failed  string // the first spec whose outcome is failed, and its reason
	phase   string // GenerationPhase when that spec carries it
	errored string // the first spec whose outcome is error, and its reason
}

// runSuite runs one compiled suite against base, narrowed by filter; with
// failFast it stops at the first spec that does not pass.
func (r *Runner) runSuite(ctx context.Context, group, base, filter, dir string, failFast bool) suiteRun {
	ctx, cancel := context.WithTimeout(ctx, r.SuiteTimeout)
	defer cancel()
	reportFile := filepath.Join(dir, group+".json")
	_ = os.Remove(reportFile) // never read the report of an earlier run
	args := []string{"-ginkgo.no-color", "-ginkgo.json-report=" + reportFile}
	if failFast {
		args = append(args, "-ginkgo.fail-fast")
	}
	if filter != "" {
		args = append(args, "-ginkgo.label-filter="+filter)
	}
	cmd := exec.CommandContext(ctx, r.bin(group), args...)
	cmd.Dir = filepath.Join(r.Root, "suites", group)
	env := map[string]string{
		"CH_BASE_URL":   base,
		"CH_PROFILE":    "emulator",
		"CH_TIMEOUT":    r.Timeout.String(),
		"CH_REPORT_DIR": dir,
		// The generation phase's requests are the same on every mutant and
		// every run: a kill, or a survival, is the fault's doing and can be
		// made again (the phase's default seed changes from run to run).
		"CH_EXPLORE_SEED": explorationSeed,
	}
	if r.ExploreExamples > 0 {
		env["CH_EXPLORE_EXAMPLES"] = fmt.Sprint(r.ExploreExamples)
	}
	cmd.Env = cleanEnv(env)
	out, err := cmd.CombinedOutput()
	exit := 0
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		exit = exitErr.ExitCode()
	default:
		exit = -1
	}
	if ctx.Err() != nil {
		return suiteRun{exit: exit, errored: fmt.Sprintf("suite %s timed out after %s", group, r.SuiteTimeout)}
	}
	if err != nil && exitErr == nil {
		return suiteRun{exit: exit, errored: "suite " + group + " did not run: " + err.Error()}
	}
	return judgeSuite(reportFile, exit, string(out))
}

// judgeSuite reads a suite run's Ginkgo JSON report and names its first
// failed and first errored spec. A run that exited non-zero with no report,
// or with a report that names nothing wrong, is an error: the process died
// (a config error, an unreachable target, a crash), it did not judge.
func judgeSuite(reportFile string, exit int, output string) suiteRun {
	run := suiteRun{exit: exit}
	reports, err := readReports(reportFile)
	if err == nil {
		generated := map[string]bool{}
		for _, rep := range reports {
			for _, sr := range rep.SpecReports {
				if slices.Contains(sr.Labels(), GenerationPhase) {
					generated[sr.FullText()] = true
				}
			}
		}
		s, berr := report.Build(reports, report.ToolInfo{})
		if berr != nil {
			run.errored = "reading the run's report: " + berr.Error()
			return run
		}
		nErr := 0
		// A documented spec's failure names the kill before a generated
		// one's: the phase is the generation's only when nothing else failed.
		var failedGenerated string
		for _, sp := range s.Specs {
			switch {
			case sp.Outcome == report.OutcomeFailed && generated[sp.Name]:
				if failedGenerated == "" {
					failedGenerated = harness.Cut(sp.Name+": "+sp.Reason, 400)
				}
			case sp.Outcome == report.OutcomeFailed && run.failed == "":
				run.failed = harness.Cut(sp.Name+": "+sp.Reason, 400)
			case sp.Outcome == report.OutcomeError:
				if nErr++; run.errored == "" {
					run.errored = harness.Cut(sp.Name+": "+sp.Reason, 400)
				}
			}
		}
		if nErr > 1 {
			run.errored += fmt.Sprintf(" (and %d more errored specs)", nErr-1)
		}
		if run.failed == "" && failedGenerated != "" {
			run.failed, run.phase = failedGenerated, GenerationPhase
		}
	}
	if exit != 0 && run.failed == "" && run.errored == "" {
		why := "no report"
		if err == nil {
			why = "the report names no failed spec"
		}
		run.errored = harness.Cut(fmt.Sprintf("exit %d (%s): %s", exit, why, lastLines(output, 3)), 400)
	}
	return run
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
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
	// In the order a mutant's run takes them: the generation phase last,
	// since what its requests change (an account signed up with a
	// documented phone number) is not what the documented specs expect.
	suites := slices.Clone(r.suites)
	sort.SliceStable(suites, func(i, j int) bool { return !r.generationOnly[suites[i]] && r.generationOnly[suites[j]] })
	for _, g := range suites {
		if run := r.runSuite(ctx, g, t.URL, "", dir, true); run.exit != 0 || run.failed != "" || run.errored != "" {
			return fmt.Errorf("baseline: suite %s does not pass through the unmutated proxy (exit %d): %s", g, run.exit, firstOf(run.failed, run.errored))
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
// fresh emulator behind the mutating proxy. The suites run with
// -ginkgo.fail-fast and stop at the first spec that fails. When the only
// specs that did not pass errored (a panic, a harness error), the fail-fast
// may have stopped the specs that would have judged the answer, so the
// mutant runs once more on a fresh emulator without it; that run decides.
//
// Whether the documented requests kill a mutant the generation phase
// killed too is what tells a fault only generated input reaches
// (OnlyKilledIn). The phase's own suite runs after every other suite of the
// operation, so a kill there is one the others did not make; a generated
// spec in a suite beside documented ones makes the mutant run once more
// without the phase's specs.
func (r *Runner) RunMutant(ctx context.Context, m Mutant) Result {
	start := time.Now()
	filter := "op:" + m.Op
	if IsRequestKind(m.Kind) {
		// A provisional spec never kills; for a request fault it would
		// only fire it with input whose answer is not evidenced, and that
		// would read as a survivor of the verdict's checks.
		filter += " && !" + report.LabelProvisional
	}
	res := r.attempt(ctx, m, filter, true)
	if res.KilledBy == "" && res.ErroredBy != "" && ctx.Err() == nil {
		res = r.attempt(ctx, m, filter, false)
		if res.ErroredBy != "" {
			res.ErroredBy += " (also without -ginkgo.fail-fast)"
		}
	}
	decide(r.Spec, &res)
	switch {
	case res.Outcome != Killed || res.KilledIn == "":
	case r.generationOnly[res.killerSuite]:
		// Its suite runs after every other one of the operation, and
		// none of them failed: the documented specs do not kill it.
		res.OnlyKilledIn = res.KilledIn
	case ctx.Err() == nil:
		again := r.attempt(ctx, m, filter+" && !"+res.KilledIn, true)
		if again.KilledBy != "" && again.Fired > 0 {
			res.AlsoKilledBy = again.KilledBy
		} else {
			res.OnlyKilledIn = res.KilledIn
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res
}

// attempt is one run of the mutant's suites on a fresh target. It stops at
// the first suite with a failed spec; with failFast, also at the first with
// an errored one.
func (r *Runner) attempt(ctx context.Context, m Mutant, filter string, failFast bool) Result {
	res := Result{Mutant: m, Suites: r.SuitesFor(m.Op)}
	t := NewTarget(r.Spec, &m, r.Timeout+time.Second)
	dir, err := os.MkdirTemp("", "chmutate-")
	if err == nil {
		defer os.RemoveAll(dir)
	}
	for _, g := range res.Suites {
		run := r.runSuite(ctx, g, t.URL, filter, dir, failFast)
		if run.exit != 0 && res.ExitCode == 0 {
			res.ExitCode = run.exit
		}
		if run.errored != "" && res.ErroredBy == "" {
			res.ErroredBy = g + ": " + run.errored
		}
		if run.failed != "" {
			res.KilledBy = g + ": " + run.failed
			res.KilledIn, res.killerSuite = run.phase, g
			res.ExitCode = run.exit
			break
		}
		if run.errored != "" && failFast {
			break
		}
	}
	t.Close()
	res.Fired, res.Matched = t.Proxy.Fired(), t.Proxy.Matched()
	res.Sample = t.Proxy.FirstSample()
	return res
}

// decide sets a mutant's outcome from its run: killed only when a spec's
// outcome was failed and the fault fired; errored when specs errored and
// none failed; a failure or error without the fault firing is flaky (not
// the mutant's doing); no fired fault is not exercised; the rest survived.
func decide(spec *harness.Spec, res *Result) {
	switch {
	case (res.KilledBy != "" || res.ErroredBy != "") && res.Fired == 0:
		res.Outcome = Flaky
		res.Reason = "the suites failed without the fault firing"
		if res.KilledBy == "" {
			res.Reason = "the suites errored without the fault firing"
		}
		res.Explanation = firstOf(res.KilledBy, res.ErroredBy)
		res.Sample = nil
	case res.KilledBy != "":
		res.Outcome = Killed
		res.ErroredBy = "" // a kill is a kill; an error beside it is not the verdict
		res.Sample = nil
	case res.ErroredBy != "":
		res.Outcome = Errored
		res.Reason = "errored, not killed"
		res.Explanation = "no spec failed; " + res.ErroredBy
	case res.Fired == 0:
		res.Outcome = Unexercised
		res.Reason = "no spec exercised it"
		res.Explanation = unexercisedWhy(spec, res.Mutant, res.Matched)
		if u, listed := unreachableFor(res.Mutant.ID); listed {
			// Studied and listed in unreachable.yaml: the reason no state
			// reaches it, not a gap of the suites or the world.
			res.Reason, res.Explanation = u.Reason, u.Why
		}
	default:
		res.Outcome = Survived
		classify(spec, res)
	}
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func unexercisedWhy(spec *harness.Spec, m Mutant, matched int64) string {
	if op, ok := spec.Operation(m.Op); ok && m.Kind == KindWriteDropped && !op.Documents(200) {
		return "contract gap: the contract documents no success answer of " + m.Op + " (only its refusals), so no spec may expect one"
	}
	if matched == 0 {
		return "no request of " + m.Op + " reached the proxy"
	}
	if IsRequestKind(m.Kind) {
		return fmt.Sprintf("%d requests of %s went through, none with a %s the fault fires on: no spec sends that input", matched, m.Op, m.Path)
	}
	if m.Path != "" {
		return fmt.Sprintf("%d answers of %s went through, none with status %d holding %s", matched, m.Op, m.Status, m.Path)
	}
	return fmt.Sprintf("%d answers of %s went through, none with status %d", matched, m.Op, m.Status)
}

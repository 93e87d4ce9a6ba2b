package mutatecmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/mutation"
)

// recordAll records, per operation, the requests chconform's suites send on
// a mutant of it (mutation.Runner.Record), workers operations at once.
func recordAll(ctx context.Context, spec *harness.Spec, opIDs []string, workers int) (map[string][]mutation.PeerRequest, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	bin, err := os.MkdirTemp("", "chmutate-bin-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(bin)
	r := &mutation.Runner{Spec: spec, Root: root, BinDir: bin, Timeout: 2 * time.Second, SuiteTimeout: 3 * time.Minute, Workers: workers}
	if err := r.Build(ctx); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	out := map[string][]mutation.PeerRequest{}
	err = forEach(opIDs, workers, func(op string) error {
		seq, err := r.Record(ctx, op)
		if err != nil {
			return err
		}
		mu.Lock()
		out[op] = seq
		mu.Unlock()
		n := 0
		for _, q := range seq {
			if q.Op == op {
				n++
			}
		}
		fmt.Printf("recorded %s: %d requests, %d of them to %s\n", op, len(seq), n, op)
		return nil
	})
	return out, err
}

// loadOrRecord reads the recorded requests from file when it exists and
// holds every operation of opIDs, and records them (and writes the file)
// otherwise: two tools given one file replay the very same requests.
func loadOrRecord(file string, spec *harness.Spec, opIDs []string, workers int) (map[string][]mutation.PeerRequest, error) {
	if data, err := os.ReadFile(file); err == nil {
		var seqs map[string][]mutation.PeerRequest
		if err := json.Unmarshal(data, &seqs); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		missing := 0
		for _, op := range opIDs {
			if _, ok := seqs[op]; !ok {
				missing++
			}
		}
		if missing == 0 {
			fmt.Printf("recorded requests read from %s\n", file)
			return seqs, nil
		}
	}
	seqs, err := recordAll(context.Background(), spec, opIDs, workers)
	if err != nil {
		return nil, err
	}
	data, _ := json.MarshalIndent(seqs, "", " ")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return nil, err
	}
	return seqs, os.WriteFile(file, append(data, '\n'), 0o644)
}

// replayOne sends one request of a sequence to base and returns the tool's
// finding on it ("" when none).
func replayOne(client *http.Client, base string, q mutation.PeerRequest) (mutation.ReplayResult, string) {
	got := mutation.Replay(context.Background(), client, base, []mutation.PeerRequest{q})[0]
	finding := got.Violations
	if got.Err != "" {
		finding = "" // a transport error is no judgement by the tool
	}
	return got, finding
}

// prismRun is one replay of an operation's sequence through Prism: what
// Prism said on each request and whether it reached the target.
type prismRun struct {
	findings []string
	judged   []bool
	fired    []int64
	statuses []int
	errs     []string // transport errors (Prism never answers a body that is not JSON)
}

func replayPrism(client *http.Client, prismBase, direct string, sw *switchTarget, t *mutation.Target, op string, seq []mutation.PeerRequest, skip []bool) prismRun {
	run := prismRun{findings: make([]string, len(seq)), judged: make([]bool, len(seq)), fired: make([]int64, len(seq)), statuses: make([]int, len(seq)),
		errs: make([]string, len(seq))}
	for i, q := range seq {
		h := make(map[string]string, len(q.Header)+1)
		for k, v := range q.Header {
			h[k] = v
		}
		h[mutation.ReplayHeader] = fmt.Sprint(i)
		q.Header = h
		served, fired := sw.served.Load(), t.Proxy.Fired()
		if q.Op != op || skip[i] {
			// Setup calls (another operation's answers, never mutated but for
			// the emulator's own faults) go to the target directly.
			got, _ := replayOne(client, direct, q)
			run.statuses[i] = got.Status
		} else {
			got, finding := replayOne(client, prismBase, q)
			run.errs[i] = got.Err
			run.statuses[i] = got.Status
			run.findings[i] = finding
			run.judged[i] = sw.served.Load() > served
		}
		run.fired[i] = t.Proxy.Fired() - fired
	}
	return run
}

// peerPrismReplay is the fair Prism run: on every mutant of an operation,
// the requests chconform sent for it (seqs[op]), the operation's own
// through Prism's proxy.
func peerPrismReplay(spec *harness.Spec, catalogue []mutation.Mutant, byOp map[string][]int, opIDs []string, seqs map[string][]mutation.PeerRequest,
	bin, work string, workers int, delay time.Duration, results []mutation.Result) error {
	specFile := filepath.Join(work, "api.yaml")
	if err := os.WriteFile(specFile, chconform.Contract, 0o644); err != nil {
		return err
	}
	var mu sync.Mutex
	var prismErr error
	err := forEach(opIDs, workers, func(op string) error {
		sw := &switchTarget{spec: spec, delay: delay}
		sw.set(nil)
		tr := mutation.NewTranslator(nil, sw)
		srv := httptest.NewServer(tr)
		defer func() { srv.Close(); sw.close() }()
		port, err := freePort()
		if err != nil {
			return err
		}
		cmd := exec.Command(bin, "proxy", specFile, srv.URL+"/api", "--errors", "--host", "127.0.0.1", "--port", fmt.Sprint(port))
		var logBuf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &logBuf, &logBuf
		if err := cmd.Start(); err != nil {
			return err
		}
		defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
		if !waitListening(port, 60*time.Second) {
			mu.Lock()
			prismErr = fmt.Errorf("prism did not start:\n%s", lastN(logBuf.String(), 20))
			mu.Unlock()
			return prismErr
		}
		client := &http.Client{Timeout: 10 * time.Second}
		prismBase, direct := fmt.Sprintf("http://127.0.0.1:%d", port), srv.URL+"/api"
		seq := seqs[op]
		tr.Reset(seq)
		base := replayPrism(client, prismBase, direct, sw, sw.set(nil), op, seq, make([]bool, len(seq)))
		// A request Prism did not answer unmutated (it never answers a
		// malformed JSON body) goes to the target directly on the mutants:
		// Prism cannot take it, and waiting for it costs the timeout.
		skip, hung := make([]bool, len(seq)), 0
		for j, e := range base.errs {
			if e != "" {
				skip[j] = true
				hung++
			}
		}
		for _, i := range byOp[op] {
			m := catalogue[i]
			t := sw.set(&m)
			tr.Reset(seq)
			began := time.Now()
			got := replayPrism(client, prismBase, direct, sw, t, op, seq, skip)
			exs := make([]mutation.PeerExchange, len(seq))
			for j := range seq {
				exs[j] = mutation.PeerExchange{Judged: got.judged[j] && base.judged[j], Fired: got.fired[j], BaseFinding: base.findings[j], Finding: got.findings[j]}
			}
			results[i] = replayOutcome(m, t, exs, func(j int) string {
				return fmt.Sprintf("prism flagged request %d, %s %s (%d): %s", j, seq[j].Method, seq[j].Path, got.statuses[j], harness.Cut(got.findings[j], 200))
			})
			fmt.Printf("  %-13s %s %.1fs\n", results[i].Outcome, m.ID, time.Since(began).Seconds())
		}
		fmt.Printf("prism %s; %d never answered by Prism\n", describeSeq(op, seq, base.judged, base.findings, len(byOp[op])), hung)
		for j, f := range base.findings {
			if f != "" {
				fmt.Printf("  unmutated, prism flags or answers itself request %d (%s %s, %s): %s\n", j, seq[j].Method, seq[j].Path, seq[j].Header[harness.SpecHeader], harness.Cut(f, 200))
			}
		}
		return nil
	})
	if err == nil {
		err = prismErr
	}
	return err
}

// replayOutcome turns a replayed mutant's exchanges into its result; killed
// names the exchange that killed it.
func replayOutcome(m mutation.Mutant, t *mutation.Target, exs []mutation.PeerExchange, killed func(j int) string) mutation.Result {
	r := mutation.Result{Mutant: m, Fired: t.Proxy.Fired(), Matched: t.Proxy.Matched()}
	outcome, why := mutation.PeerVerdict(exs)
	r.Outcome = outcome
	switch outcome {
	case mutation.Killed:
		for j, e := range exs {
			if e.Judged && e.BaseFinding == "" && e.Finding != "" {
				r.KilledBy = killed(j)
				break
			}
		}
	case mutation.Survived:
		r.Reason = why
		r.Sample = t.Proxy.FirstSample()
	default:
		r.Reason, r.Explanation = outcome, why
		if outcome == mutation.NotJudgeable {
			r.Reason = "the tool rejects the unmutated answer"
		}
	}
	return r
}

// describeSeq is one line per operation: what the tool could take of the
// sequence and what it flags unmutated.
func describeSeq(op string, seq []mutation.PeerRequest, judged []bool, findings []string, mutants int) string {
	own, took, flagged := 0, 0, 0
	for j, q := range seq {
		if q.Op != op {
			continue
		}
		own++
		if judged[j] {
			took++
			if findings[j] != "" {
				flagged++
			}
		}
	}
	return fmt.Sprintf("%s: %d mutants; %d requests replayed, %d to %s, %d of them judged by the tool (%d flagged unmutated), %d it could not take",
		op, mutants, len(seq), own, op, took, flagged, own-took)
}

// peerDreddReplay is the fair Dredd run: per operation one Dredd run on a
// derived contract with one path per (mutant, request of the sequence sent
// to the operation) whose status the contract documents; the hooks
// (bench/dredd-replay-hooks.js) give each transaction its recorded request
// and send the sequence's other requests themselves, in order, first.
func peerDreddReplay(spec *harness.Spec, catalogue []mutation.Mutant, byOp map[string][]int, opIDs []string, seqs map[string][]mutation.PeerRequest,
	bin, hooks, work string, workers int, delay time.Duration, results []mutation.Result) error {
	hooks, _ = filepath.Abs(hooks)
	// Dredd's reading of a document grows faster than the document: one
	// run takes the unmutated target and at most dreddPaths/judged mutants
	// (each run judges its mutants against its own unmutated transactions).
	const dreddPaths = 400
	var jobs []string
	chunks := map[string][]int{}
	for _, op := range opIDs {
		o, _ := spec.Operation(op)
		n := 0
		for _, q := range seqs[op] {
			if q.Op == op && o.Documents(q.Status) {
				n++
			}
		}
		per := max(1, dreddPaths/max(1, n)-1)
		for c, all := 0, byOp[op]; len(all) > 0; c++ {
			k := min(per, len(all))
			job := fmt.Sprintf("%s#%d", op, c)
			jobs, chunks[job], all = append(jobs, job), all[:k], all[k:]
		}
	}
	return forEach(jobs, workers, func(job string) error {
		op, _, _ := strings.Cut(job, "#")
		o, _ := spec.Operation(op)
		seq := seqs[op]
		var judged []string // "r<n>" of the requests Dredd has a transaction for
		for j, q := range seq {
			if q.Op == op && o.Documents(q.Status) {
				judged = append(judged, idxName(j))
			}
		}
		idx := chunks[job]
		keys := []string{mutation.BaseKey}
		for _, i := range idx {
			keys = append(keys, fmt.Sprint(i))
		}
		var paths []string
		for _, k := range keys {
			for _, n := range judged {
				paths = append(paths, k+"/"+n)
			}
		}
		if len(judged) == 0 {
			paths = keys // Dredd takes none of the requests: the mutants come out unexercised
		}
		doc, err := mutation.DerivedContract(chconform.Contract, spec, op, paths)
		if err != nil {
			return err
		}
		docFile := filepath.Join(work, job+".yaml")
		seqFile := filepath.Join(work, job+".seq.json")
		data, _ := json.Marshal(map[string]any{"requests": seq, "judged": judged})
		if err := os.WriteFile(docFile, doc, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(seqFile, data, 0o644); err != nil {
			return err
		}
		mt := mutation.NewMultiTarget(spec, catalogue, delay)
		mt.Replaying(seq)
		defer mt.Drop()
		lines, output := dreddLines(bin, docFile, hooks, "DREDD_SEQUENCE="+seqFile, mt)
		ran := map[string]map[string]string{} // key → r<n> → "" (pass) or the failure
		for _, m := range lines {
			n, _, _ := strings.Cut(strings.TrimPrefix(m[5], "/"), "/")
			if ran[m[4]] == nil {
				ran[m[4]] = map[string]string{}
			}
			if m[1] == "fail" {
				ran[m[4]][n] = "dredd transaction " + m[2] + " " + n + " (" + m[3] + ") failed"
			} else if _, seen := ran[m[4]][n]; !seen {
				ran[m[4]][n] = ""
			}
		}
		if len(judged) > 0 && len(ran[mutation.BaseKey]) == 0 {
			return fmt.Errorf("dredd ran no transaction for %s:\n%s", op, lastN(output, 30))
		}
		for _, i := range idx {
			key := fmt.Sprint(i)
			exs := make([]mutation.PeerExchange, len(seq))
			for j := range seq {
				n := idxName(j)
				baseF, baseRan := ran[mutation.BaseKey][n]
				f, mutRan := ran[key][n]
				exs[j] = mutation.PeerExchange{Judged: baseRan && mutRan, Fired: mt.FiredAt(key, n), BaseFinding: baseF, Finding: f}
			}
			t, _ := mt.Target(key)
			results[i] = replayOutcome(catalogue[i], t, exs, func(j int) string { return ran[key][idxName(j)] })
		}
		base := ran[mutation.BaseKey]
		took, flagged := make([]bool, len(seq)), make([]string, len(seq))
		for j := range seq {
			f, ok := base[idxName(j)]
			took[j], flagged[j] = ok, f
		}
		fmt.Println("dredd " + job + " " + describeSeq(op, seq, took, flagged, len(idx)))
		return nil
	})
}

// idxName names request j of a sequence in derived paths: zero-padded, so
// that Dredd, which runs a document's paths in their (sorted) order, sends a
// mutant's requests in the order they were recorded.
func idxName(j int) string { return fmt.Sprintf("r%04d", j) }

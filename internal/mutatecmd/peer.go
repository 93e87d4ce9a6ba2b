package mutatecmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/mutation"
)

// peer gives another tool the same mutants: Dredd (a derived contract per
// operation, every mutant on a path of its own) or Prism (its validation
// proxy in front of a switchable target, the documented requests replayed).
func peer(spec *harness.Spec, args []string) int {
	fs := flag.NewFlagSet("chconform mutate peer", flag.ContinueOnError)
	tool := fs.String("tool", "", "dredd or prism")
	bin := fs.String("bin", "", "the tool's executable (bench/node_modules/.bin/<tool>)")
	hooks := fs.String("hooks", "bench/dredd-hooks.js", "Dredd's hook file")
	workers := fs.Int("workers", 2, "operations (dredd) or Prism proxies (prism) at once")
	out := fs.String("out", "", "where summary.json and survivors.md go")
	ops := fs.String("ops", "", "only these operations")
	kinds := fs.String("kinds", "", "only these kinds")
	delay := fs.Duration("delay", 3*time.Second, "how long a delayed answer waits")
	requests := fs.String("requests", "documented", "what the tool is given: documented (one request per documented response) or recorded (every request chconform's suites send on a mutant of the operation, replayed)")
	recording := fs.String("recording", "", "with -requests recorded: the recorded requests (JSON, operation to requests); read when the file exists, else recorded and written there (default <out>/requests.json)")
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	if *tool != "dredd" && *tool != "prism" || *bin == "" || *out == "" || *requests != "documented" && *requests != "recorded" {
		fmt.Fprintln(os.Stderr, "chconform mutate peer: -tool dredd|prism, -bin and -out are required; -requests is documented or recorded")
		return 2
	}
	start := time.Now()
	catalogue := mutation.Catalogue(spec)
	selected := map[string]bool{}
	for _, m := range selectMutants(spec, *ops, *kinds, 0) {
		selected[m.ID] = true
	}
	byOp := map[string][]int{}
	var opIDs []string
	for i, m := range catalogue {
		if selected[m.ID] {
			if byOp[m.Op] == nil {
				opIDs = append(opIDs, m.Op)
			}
			byOp[m.Op] = append(byOp[m.Op], i)
		}
	}
	reqs, err := mutation.PeerRequests(spec, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chconform mutate:", err)
		return 2
	}
	work, err := os.MkdirTemp("", "chmutate-peer-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "chconform mutate:", err)
		return 2
	}
	defer os.RemoveAll(work)
	results := make([]mutation.Result, len(catalogue))
	var runErr error
	var seqs map[string][]mutation.PeerRequest
	if *requests == "recorded" {
		if *recording == "" {
			*recording = filepath.Join(*out, "requests.json")
		}
		if seqs, err = loadOrRecord(*recording, spec, opIDs, *workers); err != nil {
			fmt.Fprintln(os.Stderr, "chconform mutate:", err)
			return 2
		}
		*tool += "-replay"
	}
	switch *tool {
	case "dredd-replay":
		runErr = peerDreddReplay(spec, catalogue, byOp, opIDs, seqs, *bin, *hooks, work, *workers, *delay, results)
	case "prism-replay":
		runErr = peerPrismReplay(spec, catalogue, byOp, opIDs, seqs, *bin, work, *workers, *delay, results)
	case "dredd":
		runErr = peerDredd(spec, catalogue, byOp, opIDs, reqs, *bin, *hooks, work, *workers, *delay, results)
	case "prism":
		runErr = peerPrism(spec, catalogue, byOp, opIDs, reqs, *bin, work, *workers, *delay, results)
	}
	if runErr != nil {
		// The operations that ran are still reported; the summary leaves
		// out the mutants of the one that could not.
		fmt.Fprintln(os.Stderr, "chconform mutate: (partial run)", runErr)
	}
	name := map[string]string{"dredd": "Dredd 14.1.0", "prism": "Prism 5.16.0 (prism proxy --errors)",
		"dredd-replay": "Dredd 14.1.0, replaying chconform's requests", "prism-replay": "Prism 5.16.0 (prism proxy --errors), replaying chconform's requests"}[*tool]
	s := mutation.Summarise(name, results)
	s.SpecSHA, s.Workers, s.Timeout = spec.SHA256, *workers, "-"
	s.Seconds = time.Since(start).Seconds()
	if err := s.Write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "chconform mutate:", err)
		return 2
	}
	o := s.Overall
	fmt.Printf("chmutate peer %s: score %.2f%%: %d mutants, %d killed, %d survived, %d not judgeable, %d flaky, %d not exercised (%.0fs)\n",
		*tool, o.Score, o.Total, o.Killed, o.Survived, o.NotJudgeable, o.Flaky, o.Unexercised, s.Seconds)
	if runErr != nil {
		return 1
	}
	return 0
}

// outcome turns a tool's verdict into a result.
func outcome(m mutation.Mutant, t *mutation.Target, killedBy string) mutation.Result {
	r := mutation.Result{Mutant: m, Fired: t.Proxy.Fired(), Matched: t.Proxy.Matched(), KilledBy: killedBy}
	switch {
	case killedBy != "":
		r.Outcome = mutation.Killed
	case r.Fired == 0:
		r.Outcome, r.Reason = mutation.Unexercised, "no request of the tool met the fault"
	default:
		r.Outcome, r.Reason = mutation.Survived, "the tool did not notice"
		r.Sample = t.Proxy.FirstSample()
	}
	return r
}

var dreddLine = regexp.MustCompile(`^(pass|fail|skip): (\S+) \((\d+)\) /m/([^/]+)(\S*)`)

// dreddLines runs Dredd on docFile against mt (env is one more VAR=value
// for the hooks) and returns the submatches of its pass and fail lines, and
// its whole output.
func dreddLines(bin, docFile, hooks, env string, mt *mutation.MultiTarget) ([][]string, string) {
	srv := httptest.NewServer(mt)
	defer srv.Close()
	cmd := exec.Command(bin, docFile, srv.URL, "--hookfiles="+hooks, "--no-color", "--language=nodejs")
	cmd.Env = append(os.Environ(), env)
	var outBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outBuf, &outBuf
	_ = cmd.Run() // exit 1 whenever a transaction fails: the lines say which
	var lines [][]string
	sc := bufio.NewScanner(bytes.NewReader(outBuf.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if m := dreddLine.FindStringSubmatch(sc.Text()); m != nil && m[1] != "skip" {
			lines = append(lines, m)
		}
	}
	return lines, outBuf.String()
}

func peerDredd(spec *harness.Spec, catalogue []mutation.Mutant, byOp map[string][]int, opIDs []string, reqs []mutation.PeerRequest,
	bin, hooks, work string, workers int, delay time.Duration, results []mutation.Result) error {
	reqFile := filepath.Join(work, "requests.json")
	data, _ := json.Marshal(reqs)
	if err := os.WriteFile(reqFile, data, 0o644); err != nil {
		return err
	}
	hooks, _ = filepath.Abs(hooks)
	return forEach(opIDs, workers, func(op string) error {
		idx := byOp[op]
		keys := []string{mutation.BaseKey}
		for _, i := range idx {
			keys = append(keys, fmt.Sprint(i))
		}
		doc, err := mutation.DerivedContract(chconform.Contract, spec, op, keys)
		if err != nil {
			return err
		}
		docFile := filepath.Join(work, op+".yaml")
		if err := os.WriteFile(docFile, doc, 0o644); err != nil {
			return err
		}
		mt := mutation.NewMultiTarget(spec, catalogue, delay)
		defer mt.Drop()
		lines, output := dreddLines(bin, docFile, hooks, "DREDD_REQUESTS="+reqFile, mt)
		failed := map[string]map[string]bool{}
		ran := len(lines)
		for _, m := range lines {
			if m[1] == "fail" {
				if failed[m[4]] == nil {
					failed[m[4]] = map[string]bool{}
				}
				failed[m[4]][m[2]+" "+m[3]] = true
			}
		}
		if ran == 0 {
			return fmt.Errorf("dredd ran no transaction for %s:\n%s", op, lastN(output, 30))
		}
		for _, i := range idx {
			key := fmt.Sprint(i)
			var newly []string
			for tr := range failed[key] {
				if !failed[mutation.BaseKey][tr] {
					newly = append(newly, tr)
				}
			}
			sort.Strings(newly)
			killedBy := ""
			if len(newly) > 0 {
				killedBy = "dredd transaction " + strings.Join(newly, ", ") + " failed"
			}
			t, _ := mt.Target(key)
			results[i] = outcome(catalogue[i], t, killedBy)
		}
		fmt.Printf("dredd %s: %d mutants, baseline failures %d\n", op, len(idx), len(failed[mutation.BaseKey]))
		return nil
	})
}

func peerPrism(spec *harness.Spec, catalogue []mutation.Mutant, byOp map[string][]int, opIDs []string, reqs []mutation.PeerRequest,
	bin, work string, workers int, delay time.Duration, results []mutation.Result) error {
	specFile := filepath.Join(work, "api.yaml")
	if err := os.WriteFile(specFile, chconform.Contract, 0o644); err != nil {
		return err
	}
	reqsFor := map[string][]mutation.PeerRequest{}
	for _, r := range reqs {
		reqsFor[r.Op] = append(reqsFor[r.Op], r)
	}
	// One switchable target and one Prism proxy per worker; the operations
	// are shared out between them.
	jobs := make(chan string)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sw := &switchTarget{spec: spec, delay: delay}
			sw.set(nil)
			srv := httptest.NewServer(sw)
			defer func() { srv.Close(); sw.close() }()
			port, err := freePort()
			if err != nil {
				errs <- err
				return
			}
			cmd := exec.Command(bin, "proxy", specFile, srv.URL+"/api", "--errors", "--host", "127.0.0.1", "--port", fmt.Sprint(port))
			var logBuf bytes.Buffer
			cmd.Stdout, cmd.Stderr = &logBuf, &logBuf
			if err := cmd.Start(); err != nil {
				errs <- err
				return
			}
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			base := fmt.Sprintf("http://127.0.0.1:%d", port)
			if !waitListening(port, 60*time.Second) {
				errs <- fmt.Errorf("prism did not start:\n%s", lastN(logBuf.String(), 20))
				return
			}
			client := &http.Client{Timeout: 30 * time.Second}
			for op := range jobs {
				sw.set(nil)
				baseline := mutation.Replay(context.Background(), client, base, reqsFor[op])
				for _, i := range byOp[op] {
					m := catalogue[i]
					t := sw.set(&m)
					got := mutation.Replay(context.Background(), client, base, reqsFor[op])
					killedBy := ""
					for j, g := range got {
						if g.Violations != "" && baseline[j].Violations == "" {
							killedBy = fmt.Sprintf("prism flagged %s %s (%d): %s", reqsFor[op][j].Method, reqsFor[op][j].Path, g.Status, harness.Cut(g.Violations, 200))
							break
						}
					}
					results[i] = outcome(m, t, killedBy)
				}
				flagged := 0
				for _, b := range baseline {
					if b.Violations != "" {
						flagged++
					}
				}
				fmt.Printf("prism %s: %d mutants, %d requests, baseline violations %d\n", op, len(byOp[op]), len(reqsFor[op]), flagged)
			}
		}()
	}
	for _, op := range opIDs {
		select {
		case err := <-errs:
			close(jobs)
			wg.Wait()
			return err
		case jobs <- op:
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	return nil
}

// switchTarget serves whichever target was set last.
type switchTarget struct {
	spec  *harness.Spec
	delay time.Duration
	mu    sync.Mutex
	cur   *mutation.Target
	// served counts the requests that reached the target: one a tool
	// answered itself (Prism's own 401 or 422) never does.
	served atomic.Int64
}

func (s *switchTarget) set(m *mutation.Mutant) *mutation.Target {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		s.cur.Close()
	}
	s.cur = mutation.NewTarget(s.spec, m, s.delay)
	return s.cur
}

func (s *switchTarget) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		s.cur.Close()
	}
}

func (s *switchTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.served.Add(1)
	s.mu.Lock()
	t := s.cur
	s.mu.Unlock()
	t.Proxy.ServeHTTP(w, r)
}

func forEach(items []string, workers int, f func(string) error) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	next := make(chan string)
	for w := 0; w < max(1, workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range next {
				if err := f(it); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, it := range items {
		next <- it
	}
	close(next)
	wg.Wait()
	return first
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitListening(port int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			c.Close()
			return true
		}
		time.Sleep(200 * time.Millisecond)
	}
	return false
}

func lastN(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

package mutation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"

	"github.com/chconform/chconform/harness"
)

// The fair peer comparison (issue 18 §6) gives Dredd and Prism the requests
// chconform itself sends on a mutant of an operation: the suites labelled
// op:<id> are run once against an unmutated target behind a recorder, and
// that sequence (setup calls to other operations included, in order) is what
// the peers replay on every mutant of the operation.

// NotJudgeable is a peer outcome: every exchange the fault changed was
// already flagged by the tool on the unmutated target, so the tool's verdict
// on the mutant says nothing about the fault. It is outside the score.
const NotJudgeable = "not-judgeable"

// Record runs the suites that exercise op (those with a spec labelled
// op:<id>, the ones a mutant of op runs) against a fresh unmutated target
// and returns every request they sent, in order, each with the status the
// target answered. Build must have run.
func (r *Runner) Record(ctx context.Context, op string) ([]PeerRequest, error) {
	t := NewTarget(r.Spec, nil, r.Timeout)
	defer t.Close()
	rec := &recorder{next: t.Proxy, ops: opsByPath(r.Spec)}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	dir, err := os.MkdirTemp("", "chmutate-record-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	for _, g := range r.SuitesFor(op) {
		if run := r.runSuite(ctx, g, srv.URL+"/api", "op:"+op, dir, false); run.failed != "" || run.errored != "" {
			return nil, fmt.Errorf("recording %s: suite %s does not pass on the unmutated target: %s", op, g, firstOf(run.failed, run.errored))
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.seq, nil
}

func opsByPath(spec *harness.Spec) map[string]string {
	ops := map[string]string{}
	for _, o := range spec.Operations() {
		ops[strings.TrimSuffix(o.Path, "/")] = o.ID
	}
	return ops
}

// recorder keeps every request it passes on, as the client sent it.
type recorder struct {
	next http.Handler
	ops  map[string]string
	mu   sync.Mutex
	seq  []PeerRequest
}

// hopHeaders describe the connection, not the request: a replay sets its own.
var hopHeaders = map[string]bool{"Content-Length": true, "Connection": true, "Accept-Encoding": true, "Keep-Alive": true}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	path := strings.TrimPrefix(r.URL.Path, "/api")
	h := map[string]string{}
	for k := range r.Header {
		if !hopHeaders[k] {
			h[k] = r.Header.Get(k)
		}
	}
	resp := httptest.NewRecorder()
	rc.next.ServeHTTP(resp, r)
	copyResponse(w, resp)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.seq = append(rc.seq, PeerRequest{Op: rc.ops[strings.TrimSuffix(path, "/")], Status: resp.Code, Example: "recorded",
		Method: r.Method, Path: path, Query: r.URL.RawQuery, Header: h, Body: string(body), Captured: captures(resp.Body.Bytes())})
}

func copyResponse(w http.ResponseWriter, resp *httptest.ResponseRecorder) {
	for k, v := range resp.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.Code)
	_, _ = w.Write(resp.Body.Bytes())
}

// volatileKeys name the values of an answer that a fresh emulator makes
// anew (random tokens, signed tokens, random room names) and that a later
// request of the same spec carries: a replay maps each recorded value to the
// one the replayed answer holds.
var volatileKeys = map[string]bool{"auth_token": true, "access_token": true, "refresh_token": true, "channel": true}

// captures lists an answer's volatile values by JSON path.
func captures(body []byte) map[string]string {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return nil
	}
	out := map[string]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if str, ok := e.(string); ok && volatileKeys[k] && len(str) >= 8 {
					out[path+"/"+k] = str
				}
				walk(path+"/"+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s/%d", path, i), e)
			}
		}
	}
	walk("", doc)
	if len(out) == 0 {
		return nil
	}
	return out
}

// ReplayHeader carries the index of a replayed request in its sequence, for
// the Translator in front of the target (removed before the target).
const ReplayHeader = "X-Chconform-Replay"

// Translator stands in front of a replay's target: the recorded requests
// carry the tokens and room names the recording run's emulator made, a fresh
// emulator makes others, so each recorded value is replaced by the one the
// replayed answer to the same request held.
type Translator struct {
	next  http.Handler
	mu    sync.Mutex
	seq   []PeerRequest
	subst map[string]string
}

// NewTranslator translates the requests of seq on their way to next.
func NewTranslator(seq []PeerRequest, next http.Handler) *Translator {
	return &Translator{next: next, seq: seq, subst: map[string]string{}}
}

// Reset starts a new replay of seq (a fresh target).
func (tr *Translator) Reset(seq []PeerRequest) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.seq, tr.subst = seq, map[string]string{}
}

func (tr *Translator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := -1
	if v := r.Header.Get(ReplayHeader); v != "" {
		_, _ = fmt.Sscan(v, &n)
		r.Header.Del(ReplayHeader)
	}
	tr.mu.Lock()
	var want map[string]string
	if n >= 0 && n < len(tr.seq) {
		want = tr.seq[n].Captured
	}
	pairs := make([]string, 0, 2*len(tr.subst))
	for old, nu := range tr.subst {
		pairs = append(pairs, old, nu)
	}
	tr.mu.Unlock()
	if len(pairs) > 0 {
		rp := strings.NewReplacer(pairs...)
		for k, vs := range r.Header {
			for i, v := range vs {
				r.Header[k][i] = rp.Replace(v)
			}
		}
		r.URL.RawQuery = rp.Replace(r.URL.RawQuery)
		body, _ := io.ReadAll(r.Body)
		body = []byte(rp.Replace(string(body)))
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	if len(want) == 0 {
		tr.next.ServeHTTP(w, r)
		return
	}
	resp := httptest.NewRecorder()
	tr.next.ServeHTTP(resp, r)
	copyResponse(w, resp)
	got := captures(resp.Body.Bytes())
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for path, old := range want {
		if nu := got[path]; nu != "" && nu != old {
			tr.subst[old] = nu
		}
	}
}

// PeerExchange is one request of a replayed sequence as a peer tool saw it,
// on the unmutated target and on the mutant.
type PeerExchange struct {
	// Judged: the tool validated the answer (a Dredd transaction, a request
	// Prism forwarded). A request the tool could not take (Prism answered it
	// itself, Dredd has no transaction for its status) was sent, not judged.
	Judged bool
	// Fired is how many times the fault changed this exchange's answer.
	Fired int64
	// BaseFinding is the tool's complaint on the unmutated target ("" when
	// it passed), Finding the one on the mutant.
	BaseFinding, Finding string
}

// PeerVerdict judges a peer on one mutant from its exchanges: killed when the
// tool flags a mutated answer it did not flag unmutated (flaky when the fault
// fired nowhere); not exercised when the fault changed no answer the tool
// judged; not judgeable when every judged answer the fault changed was
// already flagged unmutated (the tool cannot tell the fault from what it
// already rejects); survived otherwise.
func PeerVerdict(exs []PeerExchange) (outcome, why string) {
	var fired, firedJudged, firedClean int64
	kill, baseFinding := "", ""
	for _, e := range exs {
		fired += e.Fired
		if !e.Judged {
			continue
		}
		if kill == "" && e.BaseFinding == "" && e.Finding != "" {
			kill = e.Finding
		}
		if e.Fired > 0 {
			firedJudged += e.Fired
			if e.BaseFinding == "" {
				firedClean += e.Fired
			} else if baseFinding == "" {
				baseFinding = e.BaseFinding
			}
		}
	}
	switch {
	case kill != "" && fired == 0:
		return Flaky, "the tool flagged an answer the fault did not change: " + kill
	case kill != "":
		return Killed, kill
	case firedJudged == 0 && fired > 0:
		return Unexercised, "the fault changed only answers to requests the tool could not take"
	case firedJudged == 0:
		return Unexercised, "no request of the tool met the fault"
	case firedClean == 0:
		return NotJudgeable, "the tool already flags the unmutated answer to every request the fault changed: " + harness.Cut(baseFinding, 200)
	default:
		return Survived, "the tool did not notice"
	}
}

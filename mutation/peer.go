package mutation

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/yaml"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
)

// The peer comparison (bench/compare.sh) gives other tools the same mutants:
// Dredd reads a contract, so it gets a derived contract in which every
// mutant of one operation has a path of its own (/m/<key>/<path>) served by
// a MultiTarget; Prism is a proxy, so it sits in front of one switchable
// target and the documented requests are replayed through it.

// BaseKey names the unmutated target of a MultiTarget.
const BaseKey = "base"

// MultiTarget serves /m/<key>/<operation path> from a fresh emulator behind
// the mutant <key> (an index into its mutant list, or BaseKey for none),
// created on first use.
type MultiTarget struct {
	spec    *harness.Spec
	mutants []Mutant
	delay   time.Duration
	mu      sync.Mutex
	targets map[string]*Target
	fired   map[string]int64 // "<key>/r<n>": the fault's firings on replayed request n
	seq     []PeerRequest    // the replayed sequence (Replaying)
	tr      map[string]*Translator
}

// Replaying makes the requests /m/<key>/r<n>/… request n of seq: each key's
// tokens and room names are translated to its own target's (Translator).
func (mt *MultiTarget) Replaying(seq []PeerRequest) {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	mt.seq, mt.tr = seq, map[string]*Translator{}
}

// NewMultiTarget serves the given mutants.
func NewMultiTarget(spec *harness.Spec, mutants []Mutant, delay time.Duration) *MultiTarget {
	return &MultiTarget{spec: spec, mutants: mutants, delay: delay, targets: map[string]*Target{}, fired: map[string]int64{}}
}

// Target returns the target of key, starting it when needed.
func (mt *MultiTarget) Target(key string) (*Target, error) {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	if t, ok := mt.targets[key]; ok {
		return t, nil
	}
	var m *Mutant
	if key != BaseKey {
		var i int
		if _, err := fmt.Sscan(key, &i); err != nil || i < 0 || i >= len(mt.mutants) {
			return nil, fmt.Errorf("no mutant %q", key)
		}
		m = &mt.mutants[i]
	}
	t := NewTarget(mt.spec, m, mt.delay)
	mt.targets[key] = t
	return t, nil
}

// Drop stops every target.
func (mt *MultiTarget) Drop() {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	for k, t := range mt.targets {
		t.Close()
		delete(mt.targets, k)
	}
}

func (mt *MultiTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/m/")
	key, path, _ := strings.Cut(rest, "/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	t, err := mt.Target(key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	// /m/<key>/r<n>/<path> is request n of a replayed sequence: the fault's
	// firings on it are kept (a key's requests come one at a time).
	idx := ""
	if n, p, ok := strings.Cut(path, "/"); ok && len(n) > 1 && n[0] == 'r' && strings.Trim(n[1:], "0123456789") == "" {
		idx, path = n, p
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/api/" + path
	r2.URL.RawPath = ""
	r2.RequestURI = ""
	var h http.Handler = t.Proxy
	if idx != "" {
		mt.mu.Lock()
		if mt.seq != nil {
			if mt.tr[key] == nil {
				mt.tr[key] = NewTranslator(mt.seq, t.Proxy)
			}
			h = mt.tr[key]
			n, _ := strconv.Atoi(idx[1:])
			r2.Header.Set(ReplayHeader, strconv.Itoa(n))
		}
		mt.mu.Unlock()
	}
	before := t.Proxy.Fired()
	h.ServeHTTP(w, r2)
	if idx != "" {
		mt.mu.Lock()
		mt.fired[key+"/"+idx] += t.Proxy.Fired() - before
		mt.mu.Unlock()
	}
}

// FiredAt is how many times the fault of key changed the answer to request
// idx ("r<n>") of a replayed sequence.
func (mt *MultiTarget) FiredAt(key, idx string) int64 {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	return mt.fired[key+"/"+idx]
}

// DerivedContract is api.yaml with only the paths of op, each repeated once
// per key under /m/<key>, and every response's examples cut to the first
// (by name, the order chconform reads them in).
func DerivedContract(raw []byte, spec *harness.Spec, opID string, keys []string) ([]byte, error) {
	op, ok := spec.Operation(opID)
	if !ok {
		return nil, fmt.Errorf("no operation %s", opID)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	paths, _ := doc["paths"].(map[string]any)
	item, _ := paths[op.Path].(map[string]any)
	if item == nil {
		return nil, fmt.Errorf("no path %s", op.Path)
	}
	for _, v := range item {
		o, _ := v.(map[string]any)
		resps, _ := o["responses"].(map[string]any)
		for _, r := range resps {
			content, _ := r.(map[string]any)["content"].(map[string]any)
			for _, mt := range content {
				mtm, _ := mt.(map[string]any)
				if exs, ok := mtm["examples"].(map[string]any); ok && len(exs) > 1 {
					first := sortedKeys(exs)[0]
					mtm["examples"] = map[string]any{first: exs[first]}
				}
			}
		}
	}
	out := map[string]any{}
	for _, k := range keys {
		out["/m/"+k+op.Path] = item
	}
	doc["paths"] = out
	delete(doc, "servers")
	return yaml.Marshal(doc)
}

// PeerRequest is a documented request as chconform's client sends it, for a
// tool to send the same: the operation's documented call in the state of one
// documented response.
type PeerRequest struct {
	Op      string            `json:"operation"`
	Status  int               `json:"status"`
	Example string            `json:"example"`
	Method  string            `json:"method"`
	Path    string            `json:"path"` // the contract's path
	Query   string            `json:"query,omitempty"`
	Header  map[string]string `json:"headers"`
	Body    string            `json:"body,omitempty"`
	// Captured holds the recorded answer's volatile values (tokens, room
	// names) by JSON path, for a Translator.
	Captured map[string]string `json:"captured,omitempty"`
}

// PeerRequests builds the documented request of every documented response
// of the operations (all when ops is empty), with the emulator profile's
// state recipes applied, through chconform's own client.
func PeerRequests(spec *harness.Spec, ops map[string]bool) ([]PeerRequest, error) {
	cfg, err := harness.LoadConfig(func(k string) (string, bool) {
		switch k {
		case "CH_PROFILE":
			return "emulator", true
		case "CH_BASE_URL":
			return "http://127.0.0.1:1/api", true
		}
		return "", false
	})
	if err != nil {
		return nil, err
	}
	profile, err := harness.LoadProfile(cfg, chconform.Profiles())
	if err != nil {
		return nil, err
	}
	var captured *http.Request
	var body []byte
	capture := roundTrip(func(r *http.Request) (*http.Response, error) {
		captured = r
		body = nil
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
		}
		return &http.Response{StatusCode: 204, Body: io.NopCloser(bytes.NewReader(nil)), Header: http.Header{}, Request: r}, nil
	})
	base, _ := url.Parse("http://127.0.0.1:1/api")
	client := &harness.Client{HTTP: &http.Client{Transport: capture}, Base: base, Profile: profile, Timeout: time.Second}
	var out []PeerRequest
	for _, op := range spec.Operations() {
		if len(ops) > 0 && !ops[op.ID] {
			continue
		}
		for _, r := range op.Responses() {
			examples := r.Examples
			if len(examples) == 0 && r.Status == http.StatusUnauthorized && op.Secured {
				// A 401 documented without an example: the authentication
				// probe, as chconform sends it.
				examples = []harness.Example{{Name: "no-credentials", State: "no-credentials"}}
			}
			for i, ex := range examples {
				if i > 0 {
					break // one request per documented response, as Dredd has
				}
				call, err := op.DocumentedCall(profile, ex.State)
				if err != nil {
					continue
				}
				captured = nil
				client.Do(context.Background(), call)
				if captured == nil {
					continue
				}
				h := map[string]string{}
				for k := range captured.Header {
					h[k] = captured.Header.Get(k)
				}
				out = append(out, PeerRequest{Op: op.ID, Status: r.Status, Example: ex.Name, Method: captured.Method,
					Path: op.Path, Query: captured.URL.RawQuery, Header: h, Body: string(body)})
			}
		}
	}
	return out, nil
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Replay sends the requests to base (…/api) and returns, per request, the
// status and the Prism violation header ("" when none) or the transport
// error.
func Replay(ctx context.Context, client *http.Client, base string, reqs []PeerRequest) []ReplayResult {
	out := make([]ReplayResult, len(reqs))
	for i, pr := range reqs {
		u := base + pr.Path
		if pr.Query != "" {
			u += "?" + pr.Query
		}
		var rd io.Reader
		if pr.Body != "" {
			rd = strings.NewReader(pr.Body)
		}
		req, err := http.NewRequestWithContext(ctx, pr.Method, u, rd)
		if err != nil {
			out[i].Err = err.Error()
			continue
		}
		for k, v := range pr.Header {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			out[i].Err = err.Error()
			continue
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out[i].Status = resp.StatusCode
		out[i].Violations = resp.Header.Get("sl-violations")
		if out[i].Violations == "" && strings.Contains(resp.Header.Get("Content-Type"), "problem+json") &&
			strings.Contains(string(data), "stoplight.io/prism/errors") {
			out[i].Violations = harness.Cut(string(data), 300)
		}
	}
	return out
}

// ReplayResult is one replayed request's answer as the tool judged it.
type ReplayResult struct {
	Status     int    `json:"status"`
	Violations string `json:"violations,omitempty"`
	Err        string `json:"error,omitempty"`
}

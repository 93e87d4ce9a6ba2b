package harness_test

// Throughput of the standard checks on large answers (issue 10, part 3):
// real bodies from ../shared/realdata (read, never copied into the project)
// and an emulator answer of the same size built here. b.SetBytes makes
// `go test -bench` print MB/s of response body per core.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
	"github.com/getkin/kin-openapi/openapi3"
)

// realHAR is the capture the benchmarks read; absent on machines without
// the shared data, and then the real-body benchmarks skip.
const realHAR = "../../shared/realdata/clubhouse-postman-2021-04.har"

type harLog struct {
	Log struct {
		Entries []struct {
			Request struct {
				Method  string `json:"method"`
				URL     string `json:"url"`
				Headers []struct {
					Name  string `json:"name"`
					Value string `json:"value"`
				} `json:"headers"`
				PostData *struct {
					Text string `json:"text"`
				} `json:"postData"`
			} `json:"request"`
			Response struct {
				Status  int `json:"status"`
				Headers []struct {
					Name  string `json:"name"`
					Value string `json:"value"`
				} `json:"headers"`
				Content struct {
					MimeType string `json:"mimeType"`
					Text     string `json:"text"`
				} `json:"content"`
			} `json:"response"`
		} `json:"entries"`
	} `json:"log"`
}

// realExchanges turns the capture's answers to operations of the contract
// into exchanges, keyed "<operationId>_<status>_<KB>KB". Only bodies of at
// least minBytes are kept. The HAR holds decoded bodies, so the transfer
// headers (Content-Encoding, Content-Length, Transfer-Encoding) are dropped.
func realExchanges(tb testing.TB, spec *harness.Spec, minBytes int) (map[string]*harness.Exchange, []string) {
	tb.Helper()
	path, _ := filepath.Abs(realHAR)
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Skipf("real captures not available (%v): the real-body benchmarks need ../shared/realdata", err)
	}
	var har harLog
	if err := json.Unmarshal(data, &har); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	out := map[string]*harness.Exchange{}
	for _, e := range har.Log.Entries {
		u, err := url.Parse(e.Request.URL)
		if err != nil {
			continue
		}
		opID := strings.TrimPrefix(u.Path, "/api/")
		op, ok := spec.Operation(opID)
		body := e.Response.Content.Text
		if !ok || len(body) < minBytes {
			continue
		}
		h := http.Header{}
		for _, kv := range e.Response.Headers {
			switch strings.ToLower(kv.Name) {
			case "content-encoding", "content-length", "transfer-encoding":
				continue
			}
			h.Add(kv.Name, kv.Value)
		}
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", e.Response.Content.MimeType)
		}
		name := fmt.Sprintf("%s_%d_%dKB", opID, e.Response.Status, (len(body)+512)/1024)
		reqHeader := http.Header{}
		for _, kv := range e.Request.Headers {
			switch strings.ToLower(kv.Name) {
			case "accept-encoding", "connection", "content-length", "host":
				continue
			}
			reqHeader.Add(kv.Name, kv.Value)
		}
		var reqBody []byte
		if e.Request.PostData != nil {
			reqBody = []byte(e.Request.PostData.Text)
		}
		out[name] = &harness.Exchange{
			Op:       op,
			Request:  harness.Request{Method: e.Request.Method, URL: e.Request.URL, Header: reqHeader, Body: reqBody},
			Response: &harness.Response{Status: e.Response.Status, Header: h, Body: []byte(body)},
		}
	}
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	return out, names
}

// benchThroughput times the standard checks on ex. A body the contract
// rejects is measured too (it takes the slow path, kin-openapi's); its
// verdict is logged and reported as the metric failed=1.
func benchThroughput(b *testing.B, ex *harness.Exchange) { benchChecks(b, ex, false) }

func benchChecks(b *testing.B, ex *harness.Exchange, strict bool) {
	checks := harness.StandardChecks(strict)
	failed := 0.0
	for _, r := range harness.Verify(ex, checks...) {
		if r.Status == harness.CheckFailed {
			failed = 1
			b.Logf("fails %s (%d findings), e.g. %v", r.Name, len(r.Findings), r.Findings[0])
		}
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(ex.Response.Body)))
	cpu0 := cpuTime()
	for b.Loop() {
		harness.Verify(fresh(ex), checks...)
	}
	// MB/s is wall time: on a shared machine it drops whenever another
	// process holds the core. MB/cpu-s divides by the CPU time this process
	// used (GC included), which is the per-core cost whatever the load.
	if cpu := (cpuTime() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(float64(len(ex.Response.Body))*float64(b.N)/cpu/1e6, "MB/cpu-s")
	}
	b.ReportMetric(failed, "failed")
}

// cpuTime is the user+system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStandardChecksRealBodies: the real server's large answers
// (≥ 20 KB) of operations in the contract.
func BenchmarkStandardChecksRealBodies(b *testing.B) {
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		b.Fatal(err)
	}
	exs, names := realExchanges(b, spec, 20<<10)
	// The passing case of a body today's contract rejects: the same body
	// under a relaxed copy of the contract (every schema nullable, nothing
	// required), where it takes the fast path as it will once the contract
	// is fixed. The walk is the same; only the verdict differs.
	relaxed, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		b.Fatal(err)
	}
	relax(relaxed.Doc)
	for _, name := range names {
		b.Run(name, func(b *testing.B) { benchThroughput(b, exs[name]) })
		ex := exs[name]
		if failsSchema(ex) {
			rx := *ex
			rx.Op = relaxed.MustOperation(ex.Op.ID)
			if !failsSchema(&rx) {
				b.Run(name+"/relaxed-contract-passes", func(b *testing.B) { benchThroughput(b, &rx) })
			}
		}
	}
}

func failsSchema(ex *harness.Exchange) bool {
	for _, r := range harness.Verify(ex, harness.StandardChecks(false)...) {
		if r.Status == harness.CheckFailed {
			return true
		}
	}
	return false
}

// relax makes every schema of doc nullable and drops every required list.
func relax(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var visit func(ref *openapi3.SchemaRef)
	visit = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		s.Nullable, s.Required = true, nil
		for _, p := range s.Properties {
			visit(p)
		}
		for _, group := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, r := range group {
				visit(r)
			}
		}
		visit(s.Items)
		visit(s.AdditionalProperties.Schema)
	}
	for _, r := range doc.Components.Schemas {
		visit(r)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, resp := range op.Responses.Map() {
				for _, mt := range resp.Value.Content {
					visit(mt.Schema)
				}
			}
		}
	}
}

// largeChannels builds a get_channels answer of at least size bytes from the
// emulator's own answer: its rooms repeated under fresh room ids until the
// body is that large. The result validates (checked by the benchmark).
func largeChannels(tb testing.TB, small []byte, size int) []byte {
	tb.Helper()
	var doc map[string]any
	if err := json.Unmarshal(small, &doc); err != nil {
		tb.Fatal(err)
	}
	rooms, _ := doc["channels"].([]any)
	if len(rooms) == 0 {
		tb.Fatal("the emulator's get_channels lists no room")
	}
	base, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	var all []any
	total := len(base)
	for i := 0; total < size; i++ {
		var room map[string]any
		raw, _ := json.Marshal(rooms[i%len(rooms)])
		_ = json.Unmarshal(raw, &room)
		room["channel"] = fmt.Sprintf("xRoom%03d", i)
		room["channel_id"] = 100000 + i
		all = append(all, room)
		one, _ := json.Marshal(room)
		total += len(one) + 1
	}
	doc["channels"] = all
	out, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// BenchmarkStandardChecksLargeEmulatorAnswer: a get_channels answer of the
// emulator's shape as large as the real one (≈ 237 KB, some 80+ rooms).
func BenchmarkStandardChecksLargeEmulatorAnswer(b *testing.B) {
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		b.Fatal(err)
	}
	ex := emulatorAnswer(b, spec, "get_channels", "")
	ex.Response.Body = largeChannels(b, ex.Response.Body, 237<<10)
	for _, r := range harness.Verify(ex, harness.StandardChecks(false)...) {
		if r.Status == harness.CheckFailed {
			b.Fatalf("the large emulator answer fails %s: %v", r.Name, r.Findings)
		}
	}
	b.Run("lenient", func(b *testing.B) { benchChecks(b, ex, false) })
	// json_interop alone: the one scan of the body every check then shares.
	b.Run("json_interop", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(ex.Response.Body)))
		cpu0 := cpuTime()
		for b.Loop() {
			harness.Verify(fresh(ex), harness.JSONInterop())
		}
		if cpu := (cpuTime() - cpu0).Seconds(); cpu > 0 {
			b.ReportMetric(float64(len(ex.Response.Body))*float64(b.N)/cpu/1e6, "MB/cpu-s")
		}
	})
	// Strict mode (CH_STRICT) also walks the body for undeclared fields:
	// that walk decodes it with encoding/json, the slow part left.
	b.Run("strict", func(b *testing.B) { benchChecks(b, ex, true) })
}

// TestDumpThroughputBodies writes the bodies of the throughput benchmarks,
// with the request that asks for each, into $CH_THROUGHPUT_DUMP (a scratch
// folder outside the project: the real bodies are third-party data), for
// bench/validate-throughput.sh to replay through Prism. Skipped otherwise.
func TestDumpThroughputBodies(t *testing.T) {
	dir := os.Getenv("CH_THROUGHPUT_DUMP")
	if dir == "" {
		t.Skip("set CH_THROUGHPUT_DUMP to a folder to write the benchmark bodies there")
	}
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	exs := map[string]*harness.Exchange{}
	if _, err := os.Stat(realHAR); err == nil {
		exs, _ = realExchanges(t, spec, 20<<10)
	}
	em := emulatorAnswer(t, spec, "get_channels", "")
	em.Response.Body = largeChannels(t, em.Response.Body, 237<<10)
	exs["emulator_get_channels_200_large"] = em
	for name, ex := range exs {
		u, err := url.Parse(ex.Request.URL)
		if err != nil {
			t.Fatal(err)
		}
		headers := map[string]string{}
		for k := range ex.Request.Header {
			headers[k] = ex.Request.Header.Get(k)
		}
		method, query, body := ex.Request.Method, u.RawQuery, string(ex.Request.Body)
		if method != ex.Op.Method && ex.Op.Method == http.MethodPost && body == "" {
			// Asked by GET (an alternate method Prism does not know): the
			// documented POST with the query as its JSON body.
			fields := map[string]any{}
			for k, v := range u.Query() {
				if n, err := strconv.Atoi(v[0]); err == nil {
					fields[k] = n
				} else {
					fields[k] = v[0]
				}
			}
			b, _ := json.Marshal(fields)
			method, query, body = http.MethodPost, "", string(b)
		}
		req, _ := json.Marshal(map[string]any{
			"method": method, "path": ex.Op.Path, "query": query, "headers": headers, "body": body,
		})
		if err := os.WriteFile(filepath.Join(dir, name+".body"), ex.Response.Body, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".req.json"), req, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

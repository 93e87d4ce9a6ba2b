package harness_test

// Benchmarks of the harness (issue 7): loading the contract, validating one
// answer, and whole suite runs in fixture mode and against the in-process
// emulator. bench/run.sh runs them and bench/RESULTS.md records the numbers.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
)

func BenchmarkLoadContract(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(chconform.Contract)))
	for b.Loop() {
		if _, err := harness.LoadSpec("api.yaml", chconform.Contract); err != nil {
			b.Fatal(err)
		}
	}
}

// emulatorAnswer asks a fresh in-process emulator for one operation's answer
// as the default account.
func emulatorAnswer(b testing.TB, spec *harness.Spec, opID string, body string) *harness.Exchange {
	b.Helper()
	em := emulator.New(emulator.Options{})
	token, _ := em.AccountToken("default")
	op := spec.MustOperation(opID)
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(op.Method, "/api"+op.Path, rd)
	req.Header.Set("Authorization", "Token "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("CH-AppVersion", harness.DefaultAppVersion)
	req.Header.Set("CH-AppBuild", harness.DefaultAppBuild)
	req.Header.Set("CH-Locale", "en_US")
	rec := httptest.NewRecorder()
	em.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%s answered %d: %s", opID, rec.Code, rec.Body.String())
	}
	return &harness.Exchange{
		Op:       op,
		Request:  harness.Request{Method: op.Method, URL: "http://127.0.0.1/api" + op.Path, Header: req.Header, Body: []byte(body)},
		Response: &harness.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()},
	}
}

// benchValidate runs the standard checks (status, Content-Type, headers,
// schema) on one answer; validations/s on one core is 1e9 / ns/op.
func benchValidate(b *testing.B, opID, body string) {
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		b.Fatal(err)
	}
	ex := emulatorAnswer(b, spec, opID, body)
	checks := harness.StandardChecks(false)
	for _, r := range harness.Verify(ex, checks...) {
		if r.Status == harness.CheckFailed {
			b.Fatalf("the emulator's %s answer fails %s: %v", opID, r.Name, r.Findings)
		}
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(ex.Response.Body)))
	start := time.Now()
	for b.Loop() {
		harness.Verify(fresh(ex), checks...)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "validations/s")
}

// fresh is ex with a response that no check has read yet: a response keeps
// the reading of its body its first check made (Response.JSONText), so a
// benchmark that judged the same one each time would measure that only once.
func fresh(ex *harness.Exchange) *harness.Exchange {
	cp := *ex
	r := ex.Response
	cp.Response = &harness.Response{Status: r.Status, Header: r.Header, Body: r.Body, Truncated: r.Truncated}
	return &cp
}

func BenchmarkValidateGetChannels(b *testing.B) { benchValidate(b, "get_channels", "") }

// BenchmarkObserveGetChannels is what response coverage adds to a run per
// answer (the suites' recorder, the audit): the validated body walked for
// the schema locations it shows, into a fresh log each time so that every
// walk is made (a log that has seen everything skips the walk).
func BenchmarkObserveGetChannels(b *testing.B) {
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		b.Fatal(err)
	}
	ex := emulatorAnswer(b, spec, "get_channels", "")
	harness.Verify(ex, harness.StandardChecks(false)...)
	var probe harness.CoverageLog
	if len(probe.Observe(ex)) == 0 {
		b.Fatal("the emulator's get_channels answer showed no location")
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(ex.Response.Body)))
	for b.Loop() {
		var log harness.CoverageLog
		log.Observe(ex)
	}
}

func BenchmarkValidateJoinChannel(b *testing.B) {
	benchValidate(b, "join_channel", `{"channel":"xjXqoW1A","attribution_source":"feed","attribution_details":"eyJpc19leHBsb3JlIjpmYWxzZSwicmFuayI6MX0="}`)
}

// BenchmarkEmulatorParallel is the emulator's throughput under concurrent
// clients over loopback HTTP: a read (get_channels) and a write (follow)
// per client in turn.
func BenchmarkEmulatorParallel(b *testing.B) {
	em := emulator.New(emulator.Options{})
	srv := httptest.NewServer(em.Handler())
	defer srv.Close()
	token, _ := em.AccountToken("default")
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	do := func(method, path, body string) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, srv.URL+"/api"+path, rd)
		req.Header.Set("Authorization", "Token "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Errorf("%s answered %d", path, resp.StatusCode)
		}
	}
	b.ReportAllocs()
	b.SetParallelism(4) // 4 clients per GOMAXPROCS
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if i%2 == 0 {
				do(http.MethodGet, "/get_channels", "")
			} else {
				do(http.MethodPost, "/follow", `{"user_id":5678,"source":4}`)
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// suiteBinaries compiles every suite once (go test -c); the benchmark times
// full runs of the compiled suites, which is what a run costs once built.
func suiteBinaries(b *testing.B) (root string, bins []string) {
	b.Helper()
	if testing.Short() {
		b.Skip("builds the suites")
	}
	root, _ = filepath.Abs("..")
	dir := b.TempDir()
	groups, err := os.ReadDir(filepath.Join(root, "suites"))
	if err != nil {
		b.Fatal(err)
	}
	for _, g := range groups {
		if !g.IsDir() {
			continue
		}
		bin := filepath.Join(dir, g.Name()+".test")
		cmd := exec.Command("go", "test", "-c", "-o", bin, "./suites/"+g.Name())
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("building %s: %v\n%s", g.Name(), err, out)
		}
		bins = append(bins, bin)
	}
	return root, bins
}

// runSuites runs every compiled suite once, one after the other as
// `ginkgo ./suites/...` does, and returns the specs' own run time (Ginkgo's
// RunTime summed over the suites) and the largest peak RSS of a suite
// process.
func runSuites(b *testing.B, root string, bins []string, env []string) (testTime time.Duration, peakRSS int64) {
	b.Helper()
	dir := b.TempDir()
	for _, bin := range bins {
		group := strings.TrimSuffix(filepath.Base(bin), ".test")
		report := filepath.Join(dir, group+".json")
		cmd := exec.Command(bin, "-ginkgo.no-color", "-ginkgo.json-report="+report)
		cmd.Dir = filepath.Join(root, "suites", group)
		cmd.Env = append(cleanEnv(), env...)
		cmd.Env = append(cmd.Env, "CH_REPORT_DIR="+dir)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			b.Fatalf("suite %s: %v\n%s", group, err, out.String())
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > peakRSS {
			peakRSS = ru.Maxrss // KiB on Linux
		}
		data, err := os.ReadFile(report)
		if err != nil {
			b.Fatal(err)
		}
		var reports []struct {
			RunTime time.Duration
		}
		if err := json.Unmarshal(data, &reports); err != nil {
			b.Fatal(err)
		}
		for _, r := range reports {
			testTime += r.RunTime
		}
	}
	return testTime, peakRSS
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CH_") {
			env = append(env, kv)
		}
	}
	return env
}

func benchSuites(b *testing.B, target func() (env []string, stop func())) {
	root, bins := suiteBinaries(b)
	var total time.Duration
	var peak int64
	start := time.Now()
	for b.Loop() {
		env, stop := target()
		t, rss := runSuites(b, root, bins, env)
		stop()
		total += t
		peak = max(peak, rss)
	}
	wall := time.Since(start)
	b.ReportMetric(total.Seconds()/float64(b.N), "test-s/op")
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/op")
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
}

// BenchmarkSuitesFixtures is a full run of every suite in fixture mode.
func BenchmarkSuitesFixtures(b *testing.B) {
	benchSuites(b, func() ([]string, func()) { return nil, func() {} })
}

// BenchmarkSuitesEmulator is a full run of every suite against a fresh
// in-process emulator on a loopback port.
func BenchmarkSuitesEmulator(b *testing.B) {
	benchSuites(b, func() ([]string, func()) {
		srv := httptest.NewServer(emulator.New(emulator.Options{}).Handler())
		return []string{"CH_BASE_URL=" + srv.URL + "/api", "CH_PROFILE=emulator"}, srv.Close
	})
}

// Command proxyload drives bench/proxy.sh: `proxyload upstream DIR` serves
// the benchmark bodies of DIR (as harness's TestDumpThroughputBodies writes
// them) on a loopback port it prints, the body chosen by GET /__use/<name>;
// `proxyload client ...` sends each body's request straight to that
// upstream and through the proxies named, sequentially on one kept-alive
// connection each, and prints MB/s of answer body and the latency
// percentiles. Loopback only.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: proxyload upstream DIR | client [flags]")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "upstream":
		upstream(os.Args[2])
	case "client":
		client(os.Args[2:])
	default:
		os.Exit(2)
	}
}

func bodies(dir string) map[string][]byte {
	out := map[string][]byte{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.body"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			panic(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".body")] = b
	}
	return out
}

func upstream(dir string) {
	all := bodies(dir)
	var cur atomic.Pointer[[]byte]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := strings.CutPrefix(r.URL.Path, "/__use/"); ok {
			b, found := all[name]
			if !found {
				http.Error(w, "unknown", 404)
				return
			}
			cur.Store(&b)
			io.WriteString(w, "ok")
			return
		}
		io.Copy(io.Discard, r.Body)
		b := *cur.Load()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	}))
}

type request struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   string            `json:"query"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

type target struct{ name, base string }

type result struct {
	n        int
	seconds  float64
	status   int
	verdict  string
	bytes    int64
	perCall  []time.Duration
	problems int
}

var httpClient = &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}

func call(base string, r request) (int, int64, string, time.Duration, error) {
	u := base + r.Path
	if r.Query != "" {
		u += "?" + r.Query
	}
	req, err := http.NewRequest(r.Method, u, strings.NewReader(r.Body))
	if err != nil {
		return 0, 0, "", 0, err
	}
	if r.Body == "" {
		req.Body, req.ContentLength = nil, 0
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	t0 := time.Now()
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, 0, "", 0, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, n, resp.Header.Get("Sl-Violations"), time.Since(t0), err
}

// run sends r to base after two warm-ups until n requests or maxSeconds.
func run(base string, r request, n int, maxSeconds float64) result {
	var res result
	for range 2 {
		call(base, r)
	}
	t0 := time.Now()
	for res.n < n && time.Since(t0).Seconds() < maxSeconds {
		status, bytes, v, d, err := call(base, r)
		if err != nil {
			res.problems++
		}
		res.n++
		res.status, res.verdict, res.bytes = status, v, bytes
		res.perCall = append(res.perCall, d)
	}
	res.seconds = time.Since(t0).Seconds()
	return res
}

func pct(d []time.Duration, p float64) float64 {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s)-1) * p)
	return float64(s[i].Microseconds()) / 1000
}

func client(args []string) {
	fs := flag.NewFlagSet("client", flag.ExitOnError)
	dir := fs.String("bodies", "", "the bodies' folder")
	up := fs.String("upstream", "", "the upstream base URL (the /api base)")
	chc := fs.String("chconform", "", "chconform proxy's URL")
	prism := fs.String("prism", "", "Prism's URL")
	n := fs.Int("n", 300, "requests per body through chconform and straight")
	prismN := fs.Int("prism-n", 40, "requests per body through Prism")
	maxSeconds := fs.Float64("seconds", 20, "at most this long per body and target")
	latencyBody := fs.String("latency-body", "emulator_get_channels_200_large", "the body whose added latency is measured")
	latencyN := fs.Int("latency-n", 1000, "requests of the latency measure (each straight and through chconform, interleaved; 0: none)")
	pace := fs.Duration("latency-pace", 0, "start a pair of the latency measure every this long (0: back to back)")
	tag := fs.String("latency-tag", "", "when set, the latency is also printed as one line \"LATENCY tag ...\" for bench/proxy.sh")
	ranges := fs.String("ranges", "", "a file to write, per body, the numbers of the exchanges sent through chconform (first last), so the proxy's summary tells how many of them were judged")
	fs.Parse(args)
	root := strings.TrimSuffix(*up, "/api")
	use := func(name string) {
		resp, err := http.Get(root + "/__use/" + name)
		if err != nil || resp.StatusCode != 200 {
			panic(fmt.Sprint("upstream: ", err))
		}
		resp.Body.Close()
	}
	all := bodies(*dir)
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	sort.Strings(names)
	reqs := map[string]request{}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(*dir, name+".req.json"))
		if err != nil {
			panic(err)
		}
		var r request
		if err := json.Unmarshal(data, &r); err != nil {
			panic(err)
		}
		reqs[name] = r
	}

	var rangeLines []string
	sentToChc := 0 // exchanges through chconform so far: the proxy numbers them from 1
	if *n == 0 {
		names = nil
	} else {
		fmt.Println("## Throughput: MB/s of answer body, sequential requests on one kept-alive connection")
	}
	fmt.Printf("%-44s %9s  %-22s %-26s %-26s %9s\n", "body", "bytes", "straight MB/s (ms/req)", "chconform MB/s (ms/req)", "Prism MB/s (ms/req)", "chc/Prism")
	for _, name := range names {
		use(name)
		r := reqs[name]
		size := float64(len(all[name]))
		row := map[string]result{}
		for _, t := range []target{{"straight", *up}, {"chconform", *chc}, {"prism", *prism}} {
			if t.base == "" {
				continue
			}
			count := *n
			if t.name == "prism" {
				count = *prismN
			}
			row[t.name] = run(t.base, r, count, *maxSeconds)
			if t.name == "chconform" {
				first := sentToChc + 1
				sentToChc += row[t.name].n + 2 // and run's two warm-ups
				rangeLines = append(rangeLines, fmt.Sprintf("%s %d %d %d", name, first, sentToChc, len(all[name])))
			}
		}
		mb := func(x result) float64 { return size * float64(x.n) / x.seconds / 1e6 }
		cell := func(x result) string {
			if x.n == 0 {
				return "-"
			}
			s := fmt.Sprintf("%.1f (%.2f)", mb(x), 1000*x.seconds/float64(x.n))
			if x.problems > 0 || x.bytes != int64(size) {
				s += fmt.Sprintf(" [%d errors, %d bytes]", x.problems, x.bytes)
			}
			return s
		}
		ratio := "-"
		if p := row["prism"]; p.n > 0 {
			ratio = fmt.Sprintf("%.0fx", mb(row["chconform"])/mb(p))
		}
		fmt.Printf("%-44s %9d  %-22s %-26s %-26s %9s\n", name, len(all[name]), cell(row["straight"]), cell(row["chconform"]), cell(row["prism"]), ratio)
		if p := row["prism"]; p.n > 0 {
			v := p.verdict
			if v == "" {
				v = "(no violation)"
			}
			fmt.Printf("    Prism status %d, %s\n", p.status, cut(v, 110))
		}
	}

	if *ranges != "" {
		if err := os.WriteFile(*ranges, []byte(strings.Join(rangeLines, "\n")+"\n"), 0o644); err != nil {
			panic(err)
		}
	}
	r, ok := reqs[*latencyBody]
	if !ok || *latencyN == 0 {
		return
	}
	use(*latencyBody)
	fmt.Printf("\n## Latency of %s (%d bytes): ms per request, %d each straight and through chconform, interleaved\n", *latencyBody, len(all[*latencyBody]), *latencyN)
	var straight, through []time.Duration
	for range 5 {
		call(*up, r)
		call(*chc, r)
	}
	// Paced, each pair starts on its own tick (a client reading at its
	// pace); a pair that ran late starts the next at once.
	start := time.Now()
	for i := range *latencyN {
		if *pace > 0 {
			time.Sleep(time.Until(start.Add(time.Duration(i) * *pace)))
		}
		_, _, _, d1, _ := call(*up, r)
		_, _, _, d2, _ := call(*chc, r)
		straight = append(straight, d1)
		through = append(through, d2)
	}
	fmt.Printf("%-12s %8s %8s %8s\n", "", "p50", "p90", "p99")
	for _, row := range []struct {
		name string
		d    []time.Duration
	}{{"straight", straight}, {"chconform", through}} {
		fmt.Printf("%-12s %8.3f %8.3f %8.3f\n", row.name, pct(row.d, .5), pct(row.d, .9), pct(row.d, .99))
	}
	fmt.Printf("%-12s %8.3f %8.3f %8.3f\n", "added", pct(through, .5)-pct(straight, .5), pct(through, .9)-pct(straight, .9), pct(through, .99)-pct(straight, .99))
	if *tag != "" {
		fmt.Printf("LATENCY %s straight %.3f %.3f %.3f chconform %.3f %.3f %.3f added %.3f %.3f %.3f\n", *tag,
			pct(straight, .5), pct(straight, .9), pct(straight, .99), pct(through, .5), pct(through, .9), pct(through, .99),
			pct(through, .5)-pct(straight, .5), pct(through, .9)-pct(straight, .9), pct(through, .99)-pct(straight, .99))
	}
	if *prism != "" {
		p := run(*prism, r, *prismN, *maxSeconds)
		fmt.Printf("%-12s %8.3f %8.3f %8.3f   (%d requests)\n", "Prism", pct(p.perCall, .5), pct(p.perCall, .9), pct(p.perCall, .99), p.n)
	}
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

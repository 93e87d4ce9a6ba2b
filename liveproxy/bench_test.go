package liveproxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/liveproxy"
)

// BenchmarkForward is the forwarding path on the emulator's get_channels
// answer (about 200 KB), served from memory: straight to the upstream (the
// floor), through the Forwarder alone, and through a whole session that
// judges every answer beside the forwarding. MB/s is of answer body; the
// p50 and p99 metrics are one request's wall time.
func BenchmarkForward(b *testing.B) {
	emu := httptest.NewServer(emulator.New(emulator.Options{}).Handler())
	defer emu.Close()
	resp, body := do(b, emulatorRequest(b, "GET", emu.URL+"/api", "get_channels"))
	if resp.StatusCode != 200 {
		b.Fatalf("status %d", resp.StatusCode)
	}
	header := resp.Header.Clone()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
	defer upstream.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 16}}

	run := func(b *testing.B, base string) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		times := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for range b.N {
			t0 := time.Now()
			resp, err := client.Do(emulatorRequest(b, "GET", base, "get_channels"))
			if err != nil {
				b.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if n != int64(len(body)) {
				b.Fatalf("%d bytes of %d", n, len(body))
			}
			times = append(times, time.Since(t0))
		}
		b.StopTimer()
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		b.ReportMetric(float64(times[len(times)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(times[len(times)*99/100].Microseconds()), "p99-µs")
	}
	b.Run("direct", func(b *testing.B) { run(b, upstream.URL+"/api") })
	b.Run("forwarder", func(b *testing.B) {
		up, _ := liveproxy.ParseUpstream(upstream.URL + "/api")
		fwd := liveproxy.NewForwarder(liveproxy.Options{Upstream: up, MaxBody: 8 << 20, HeldBudget: 64 << 20}, func(*liveproxy.Exchange) {})
		srv := httptest.NewServer(fwd)
		defer srv.Close()
		run(b, srv.URL)
	})
	b.Run("judged", func(b *testing.B) {
		s := start(b, upstream.URL+"/api", func(c *liveproxy.Config) { c.HAR = "" })
		run(b, s.url)
		b.StopTimer()
		_, sum, _ := s.stop(b)
		b.ReportMetric(float64(sum.Totals.Passed)/float64(b.N), "judged/op")
	})
}

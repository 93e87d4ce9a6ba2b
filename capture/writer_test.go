package capture

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chconform/chconform/harness"
)

func sampleEntries() []Entry {
	start := time.Date(2026, 11, 29, 1, 2, 3, 456789000, time.UTC)
	return []Entry{
		{Name: "users: POST /me returns 200", StartedAt: start, Elapsed: 12345678 * time.Nanosecond,
			Request: harness.Request{Method: "POST", URL: "http://127.0.0.1:8080/api/me?x=1&y=a%20b",
				Header: http.Header{"Content-Type": {"application/json"}, "Ch-Appversion": {"0.1.28"}}, Body: []byte(`{"return_blocked_ids":false}`)},
			Response: &harness.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "Set-Cookie": {"a=<redacted>", "b=<redacted>"}}, Body: []byte(`{"success":true,"html":"<b>&</b>"}`)},
			MimeType: "application/json", BodyCaptured: true, HeadersCaptured: true},
		{Name: "binary, compressed, truncated", StartedAt: start.Add(time.Second), Elapsed: time.Millisecond,
			Request:      harness.Request{Method: "POST", URL: "http://127.0.0.1:8080/api/upload", Header: http.Header{}, Body: []byte{0xff, 0x00, 0x01}},
			Response:     &harness.Response{Status: 200, Header: http.Header{"Content-Encoding": {"gzip"}}, Body: gz("not undone twice"), Truncated: true},
			BodyCaptured: true, HeadersCaptured: true},
		{Name: "no body kept", Request: harness.Request{Method: "GET", URL: "http://x/api/get_feed", Header: http.Header{}},
			Response: &harness.Response{Status: 500, Header: http.Header{}}, BodyCaptured: false, HeadersCaptured: false},
		{Name: "transport failure", Request: harness.Request{Method: "POST", URL: "http://x/api/me", Header: http.Header{}},
			Problem: "no response: dial tcp 127.0.0.1:1: connection refused"},
		{Request: harness.Request{Method: "POST", URL: "http://x/api/empty", Header: http.Header{}},
			Response: &harness.Response{Status: 200, Header: http.Header{"X": {"1"}}}, BodyCaptured: true, HeadersCaptured: true},
	}
}

func TestHARWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewHARWriter(&buf, "chconform/test")
	if err != nil {
		t.Fatal(err)
	}
	want := sampleEntries()
	for _, e := range want {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(want[0]); err == nil {
		t.Error("a write after Close is refused")
	}
	checkHAR12(t, buf.Bytes(), len(want))
	var got []Entry
	if err := ReadReader("run.har", bytes.NewReader(buf.Bytes()), func(e Entry) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries read back, %d written", len(got), len(want))
	}
	for i := range want {
		want[i].File, want[i].Index = "run.har", i
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// checkHAR12 checks the members HAR 1.2 requires, on the file as JSON.
func checkHAR12(t *testing.T, data []byte, n int) {
	t.Helper()
	var doc struct {
		Log struct {
			Version string
			Creator struct{ Name, Version *string }
			Entries []map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	if doc.Log.Version != "1.2" || doc.Log.Creator.Name == nil || *doc.Log.Creator.Name != "chconform" || doc.Log.Creator.Version == nil {
		t.Errorf("log %+v", doc.Log)
	}
	if len(doc.Log.Entries) != n {
		t.Fatalf("%d entries", len(doc.Log.Entries))
	}
	required := map[string][]string{
		"":         {"startedDateTime", "time", "request", "response", "cache", "timings"},
		"request":  {"method", "url", "httpVersion", "headers", "queryString", "cookies", "headersSize", "bodySize"},
		"response": {"status", "statusText", "httpVersion", "headers", "cookies", "content", "redirectURL", "headersSize", "bodySize"},
		"content":  {"size", "mimeType"},
		"timings":  {"send", "wait", "receive"},
	}
	for i, e := range doc.Log.Entries {
		objects := map[string]map[string]json.RawMessage{"": e}
		for _, part := range []string{"request", "response", "timings"} {
			var o map[string]json.RawMessage
			_ = json.Unmarshal(e[part], &o)
			objects[part] = o
		}
		var c map[string]json.RawMessage
		_ = json.Unmarshal(objects["response"]["content"], &c)
		objects["content"] = c
		for part, members := range required {
			for _, m := range members {
				if _, ok := objects[part][m]; !ok {
					t.Errorf("entry %d: %s lacks %s", i, part, m)
				}
			}
		}
	}
}

// writeLargeHAR writes n entries of about 1 KiB each through HARWriter.
func writeLargeHAR(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<16)
	w, err := NewHARWriter(bw, "chconform/bench")
	if err != nil {
		tb.Fatal(err)
	}
	body := []byte(`{"success":true,"users":[` + strings.Repeat(`{"user_id":1234,"name":"Someone","photo_url":null},`, 12) + `{}]}`)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		e := Entry{Name: fmt.Sprintf("spec %d", i), StartedAt: start.Add(time.Duration(i) * time.Millisecond), Elapsed: 3 * time.Millisecond,
			Request: harness.Request{Method: "POST", URL: "http://127.0.0.1:8080/api/get_following",
				Header: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Token <auth_token:default>"}}, Body: []byte(`{"user_id":1234,"page_size":50,"page":1}`)},
			Response:     &harness.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body},
			BodyCaptured: true, HeadersCaptured: true}
		if err := w.Write(e); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
}

// streamPeak reads path and returns the entries read, the peak live heap
// above the heap before the read (sampled every 1000 entries after a GC: what
// the read holds), and the peak heap in use garbage included (sampled every
// 100 entries without a GC: what the process actually reached).
func streamPeak(tb testing.TB, path string) (n int, live, inUse uint64) {
	tb.Helper()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	err := Read(path, func(e Entry) error {
		n++
		if n%100 != 0 {
			return nil
		}
		if n%1000 == 0 {
			runtime.GC()
		}
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > base {
			if n%1000 == 0 {
				live = max(live, ms.HeapAlloc-base)
			}
			inUse = max(inUse, ms.HeapAlloc-base)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n, live, inUse
}

func TestLargeHARStreamsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads a 100,000-entry HAR (about 120 MB)")
	}
	const n = 100_000
	path := filepath.Join(t.TempDir(), "large.har")
	begin := time.Now()
	writeLargeHAR(t, path, n)
	wrote := time.Since(begin)
	info, _ := os.Stat(path)
	begin = time.Now()
	got, live, inUse := streamPeak(t, path)
	took := time.Since(begin)
	if got != n {
		t.Fatalf("%d entries read", got)
	}
	t.Logf("%d entries, %.1f MB: written in %s, read in %s (100 forced GCs included); over the heap before the read: peak live %.3f MB, peak in use with garbage %.2f MB",
		n, float64(info.Size())/1e6, wrote.Round(time.Millisecond), took.Round(time.Millisecond), float64(live)/1e6, float64(inUse)/1e6)
	if live > 1<<20 || inUse > 16<<20 {
		t.Errorf("reading held %d bytes live, %d with garbage: not bounded", live, inUse)
	}
}

func BenchmarkReadHAR(b *testing.B) {
	const n = 100_000
	path := filepath.Join(b.TempDir(), "large.har")
	writeLargeHAR(b, path, n)
	info, _ := os.Stat(path)
	b.SetBytes(info.Size())
	b.ReportAllocs()
	for b.Loop() {
		count := 0
		if err := Read(path, func(Entry) error { count++; return nil }); err != nil || count != n {
			b.Fatal(err, count)
		}
	}
}

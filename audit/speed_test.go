package audit_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chconform/chconform/audit"
	"github.com/chconform/chconform/capture"
	"github.com/chconform/chconform/harness/report"
)

// awkwardCapture writes a HAR of every documented example of every
// operation (passing and failing answers), the same bodies broken (an
// undeclared field, a wrong type), and entries no tool writes twice alike:
// escaped and non-ASCII strings, base64 and gzip bodies, missing content,
// non-JSON answers, requests outside the contract, a shape encoding/json
// reads by case folding, and last an entry past the size cap.
func awkwardCapture(t *testing.T, dir string) string {
	t.Helper()
	spec := contract(t)
	raw := func(method, url, reqHeaders, status, headers, content string) string {
		return `{"startedDateTime":"2026-01-01T00:00:00.000Z","time":1.5,"request":{"method":"` + method + `","url":"` + url +
			`","httpVersion":"HTTP/1.1","headers":[` + reqHeaders + `],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":2,"postData":{"mimeType":"application/json","text":"{}"}},` +
			`"response":{"status":` + status + `,"statusText":"","httpVersion":"HTTP/1.1","headers":[` + headers + `],"cookies":[],"content":` + content +
			`,"redirectURL":"","headersSize":-1,"bodySize":-1},"cache":{},"timings":{"send":0,"wait":1,"receive":0}}`
	}
	quote := func(b []byte) string {
		q, _ := json.Marshal(string(b))
		return string(q)
	}
	auth := `{"name":"Authorization","value":"Token 0123456789abcdef0123456789abcdef01234567"}`
	ct := `{"name":"Content-Type","value":"application/json"}`
	var entries []string
	for _, op := range spec.Operations() {
		url := "https://capture.example/api" + op.Path
		for _, r := range op.Responses() {
			for _, ex := range r.Examples {
				body, err := json.Marshal(ex.Value)
				if err != nil {
					t.Fatal(err)
				}
				status := fmt.Sprint(r.Status)
				entries = append(entries, raw(op.Method, url, auth, status, ct, `{"size":1,"mimeType":"application/json","text":`+quote(body)+`}`))
				if bytes.HasPrefix(body, []byte("{")) && len(body) > 2 {
					extra := append([]byte(`{"undeclared_\u00e9":"caf\u00e9 \ud83d\ude00","id":"x",`), body[1:]...)
					entries = append(entries,
						raw(op.Method, url, auth, status, ct, `{"size":1,"mimeType":"application/json","encoding":"base64","text":"`+base64.StdEncoding.EncodeToString(extra)+`"}`),
						raw(op.Method, url, "", status, "", `{"size":1,"mimeType":"application/json","text":`+quote(extra)+`}`))
				}
			}
		}
		entries = append(entries,
			raw(op.Method, url, auth, "200", ct, `{"size":10,"mimeType":"application/json"}`),
			raw(op.Method, url, auth, "502", `{"name":"Content-Type","value":"text/html"}`, `{"size":10,"mimeType":"text/html","text":"<html>\n\u003cb\u003ebad\u003c/b\u003e</html>"}`),
			raw(op.Method, url, auth, "200", ct+`,{"name":"Content-Encoding","value":"gzip"}`, `{"size":10,"mimeType":"application/json","encoding":"base64","text":"not gzip \u00ff"}`),
			strings.Replace(raw(op.Method, url, auth, "200", ct, `{"size":2,"mimeType":"application/json","text":"{}"}`), `"time"`, `"Time"`, 1),
		)
	}
	entries = append(entries,
		raw("GET", "https://capture.example/favicon.ico", "", "200", "", `{"size":3,"mimeType":"image/x-icon","encoding":"base64","text":"AAEC"}`),
		raw("POST", "https://capture.example/api/no_such_operation", auth, "404", ct, `{"size":2,"mimeType":"application/json","text":"{}"}`),
		raw("POST", "https://capture.example/api/me", auth, "0", "", `{"size":0,"mimeType":""}`),
		raw("POST", "https://capture.example/api/me", auth, "200", ct, `{"size":1,"mimeType":"application/json","text":"`+strings.Repeat("x", 300<<10)+`"}`),
	)
	path := filepath.Join(dir, "awkward.har")
	data := `{"log":{"version":"1.2","creator":{"name":"test","version":"1"},"entries":[` + strings.Join(entries, ",\n") + `]}}`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeReports writes an audit's four reports into out and returns its
// summary and the files' bytes by name.
func writeReports(t *testing.T, a *audit.Auditor, out string) (report.Summary, map[string][]byte) {
	t.Helper()
	s, failures := a.Result()
	if err := report.WriteJSONFile(filepath.Join(out, "summary.json"), s); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteRenderings(s, failures, nil, report.PathsIn(out)); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	names, _ := filepath.Glob(filepath.Join(out, "*"))
	for _, n := range names {
		files[filepath.Base(n)], _ = os.ReadFile(n)
	}
	return s, files
}

// TestTheFastReaderAndWorkersWriteTheSameReports: the reports of an audit
// read by the fast reader on several workers are byte for byte those of the
// encoding/json reader on one, strict or not.
func TestTheFastReaderAndWorkersWriteTheSameReports(t *testing.T) {
	defer func(old int64) { capture.MaxEntryBytes = old }(capture.MaxEntryBytes)
	capture.MaxEntryBytes = 256 << 10 // the last entry is past it
	dir := t.TempDir()
	path := awkwardCapture(t, dir)
	spec := contract(t)
	// Every body the audit gives back is overwritten: a report, a drift
	// example or a suggestion that still pointed into one would differ.
	defer capture.PoisonRecycled(true)()
	reports := func(name string, strict, slow bool, workers int) map[string][]byte {
		a := audit.New(audit.Options{Spec: spec, Strict: strict, Workers: workers, MaxTranscripts: 7})
		if slow {
			audit.UseEncodingJSONReader(a)
		}
		if err := a.File(path); err == nil {
			t.Fatalf("%s: the entry past the cap was read", name)
		}
		s, files := writeReports(t, a, filepath.Join(dir, name))
		files["suggested overlay"] = suggest(t, a)
		if s.Totals.Passed == 0 || s.Totals.Failed == 0 || s.Totals.Unsupported == 0 || s.Totals.Error == 0 {
			t.Fatalf("%s: the capture does not exercise every outcome: %+v", name, s.Totals)
		}
		return files
	}
	for _, strict := range []bool{false, true} {
		want := reports(fmt.Sprintf("slow-%v", strict), strict, true, 1)
		if len(want) < 4 {
			t.Fatalf("reports written: %d", len(want))
		}
		for _, workers := range []int{1, 2, 5} {
			name := fmt.Sprintf("fast-%v-%d", strict, workers)
			got := reports(name, strict, false, workers)
			for f, data := range want {
				if !bytes.Equal(got[f], data) {
					t.Errorf("%s: %s differs from the encoding/json reader's on one worker", name, f)
				}
			}
		}
	}
}

// TestWorkersStopAtAnEntryOnlyEncodingJSONCanName: the workers decode the
// entries the reader found; one that no decoder accepts (a syntax error, a
// string where a number belongs) in the middle of a capture stops the audit
// there with the encoding/json reader's words, and every report is byte for
// byte the one-worker encoding/json audit's, however many workers run.
func TestWorkersStopAtAnEntryOnlyEncodingJSONCanName(t *testing.T) {
	dir := t.TempDir()
	full, err := os.ReadFile(awkwardCapture(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	// Without the last entry (past the size cap) the capture reads whole.
	cut := bytes.LastIndex(full, []byte(",\n"))
	whole := append(append([]byte(nil), full[:cut]...), "]}}"...)
	spec := contract(t)
	for _, bad := range []string{
		`{"time":1.5,"request":{"method":"GET" "url":"https://capture.example/api/me"}}`,
		`{"time":"slow","request":{"method":"GET","url":"https://capture.example/api/me"}}`,
	} {
		at := 0
		for range 12 {
			at += bytes.Index(whole[at:], []byte(",\n")) + 2
		}
		data := append(append(append([]byte(nil), whole[:at]...), bad+",\n"...), whole[at:]...)
		path := filepath.Join(dir, "bad.har")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		reports := func(name string, slow bool, workers int) (map[string][]byte, string) {
			a := audit.New(audit.Options{Spec: spec, Workers: workers, MaxTranscripts: 7})
			if slow {
				audit.UseEncodingJSONReader(a)
			}
			err := a.File(path)
			var cerr *capture.Error
			if !errors.As(err, &cerr) || cerr.Index != 12 {
				t.Fatalf("%s: want the audit stopped at entry #12, got %v", name, err)
			}
			s, files := writeReports(t, a, filepath.Join(dir, name))
			files["suggested overlay"] = suggest(t, a)
			if s.Totals.Passed == 0 {
				t.Fatalf("%s: no entry before the broken one was judged: %+v", name, s.Totals)
			}
			return files, err.Error()
		}
		want, wantErr := reports("slow", true, 1)
		if len(want) < 4 {
			t.Fatalf("reports written: %d", len(want))
		}
		for _, workers := range []int{1, 2, 5} {
			name := fmt.Sprintf("fast-%d", workers)
			got, gotErr := reports(name, false, workers)
			if gotErr != wantErr {
				t.Errorf("%s: error %q, the encoding/json reader's %q", name, gotErr, wantErr)
			}
			for f, data := range want {
				if !bytes.Equal(got[f], data) {
					t.Errorf("%s: %s differs from the encoding/json reader's on one worker", name, f)
				}
			}
		}
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

func runCmd(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

// har writes a HAR of one exchange with the given answer.
func har(t *testing.T, dir, name string, status int, body string) string {
	t.Helper()
	doc := map[string]any{"log": map[string]any{"version": "1.2", "creator": map[string]any{"name": "test", "version": "1"},
		"entries": []any{map[string]any{
			"startedDateTime": "2021-04-04T10:00:00.000Z", "time": 10,
			"request": map[string]any{"method": "POST", "url": "https://www.clubhouseapi.com/api/get_release_notes",
				"httpVersion": "HTTP/1.1", "headers": []any{map[string]any{"name": "Authorization", "value": "Token 0123456789abcdef0123456789abcdef01234567"}},
				"queryString": []any{}, "cookies": []any{}, "headersSize": -1, "bodySize": 0},
			"response": map[string]any{"status": status, "statusText": "", "httpVersion": "HTTP/1.1",
				"headers": []any{map[string]any{"name": "Content-Type", "value": "application/json"}}, "cookies": []any{},
				"content":     map[string]any{"size": len(body), "mimeType": "application/json", "text": body},
				"redirectURL": "", "headersSize": -1, "bodySize": len(body)},
			"cache": map[string]any{}, "timings": map[string]any{"send": 0, "wait": 10, "receive": 0},
		}}}}
	data, _ := json.Marshal(doc)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAuditExitStatusAndReports(t *testing.T) {
	dir := t.TempDir()
	good := har(t, dir, "good.har", 200, releaseNotes(t))
	bad := har(t, dir, "bad.har", 500, `<html>0123456789abcdef0123456789abcdef01234567</html>`)
	// What a HAR exported without content holds: the size, not the text.
	bodiless := strings.Replace(readFile(t, har(t, dir, "bodiless.har", 200, releaseNotes(t))), `"text":`, `"_text":`, 1)
	os.WriteFile(filepath.Join(dir, "bodiless.har"), []byte(bodiless), 0o644)
	broken := filepath.Join(dir, "broken.har")
	os.WriteFile(broken, []byte(`{"log":{"entries":[{"request":{`), 0o644)

	cases := []struct {
		name  string
		files []string
		want  int
		floor string // CH_MIN_RESPONSE_COVERAGE
	}{
		{"conformant capture", []string{good}, 0, ""},
		{"broken contract", []string{good, bad}, 1, ""},
		{"unreadable file", []string{good, broken}, 2, ""},
		// One answer shows a sliver of the contract's response locations.
		{"below CH_MIN_RESPONSE_COVERAGE", []string{good}, 1, "0.5"},
		{"above CH_MIN_RESPONSE_COVERAGE", []string{good}, 0, "0.001"},
		// Nothing judged is no pass: exit 2, as a capture that cannot be read.
		{"no body kept", []string{filepath.Join(dir, "bodiless.har")}, 2, ""},
		{"no body kept beside a judged one", []string{good, filepath.Join(dir, "bodiless.har")}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "reports")
			env := map[string]string{"CH_REPORT_DIR": out}
			if c.floor != "" {
				env["CH_MIN_RESPONSE_COVERAGE"] = c.floor
			}
			code, stdout, stderr := runCmd(t, env, append([]string{"audit"}, c.files...)...)
			if code != c.want {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.want, stdout, stderr)
			}
			for _, f := range []string{"summary.json", "junit.xml", "report.html", "report.md"} {
				data, err := os.ReadFile(filepath.Join(out, f))
				if err != nil {
					t.Fatalf("%s not written: %v", f, err)
				}
				if bytes.Contains(data, []byte("0123456789abcdef0123456789abcdef01234567")) {
					t.Fatalf("%s holds the captured token", f)
				}
			}
			var s report.Summary
			data, _ := os.ReadFile(filepath.Join(out, "summary.json"))
			if err := report.ValidateSummary(data); err != nil {
				t.Fatalf("summary.json breaks its schema: %v", err)
			}
			if err := json.Unmarshal(data, &s); err != nil || s.Audit == nil {
				t.Fatalf("summary.json: %v, audit %v", err, s.Audit)
			}
			if s.ExitCode() != c.want && !(c.want == 0 && len(s.Specs) > 0) {
				t.Fatalf("summary exit %d, command %d", s.ExitCode(), c.want)
			}
		})
	}
}

func TestAuditBadUsageExitsTwo(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no file", nil, []string{"audit"}, "at least one capture file"},
		{"bad CH_STRICT", map[string]string{"CH_STRICT": "maybe"}, []string{"audit", "x.har"}, "CH_STRICT"},
		{"bad CH_MIN_RESPONSE_COVERAGE", map[string]string{"CH_MIN_RESPONSE_COVERAGE": "most"}, []string{"audit", "x.har"}, "CH_MIN_RESPONSE_COVERAGE"},
		{"missing contract", nil, []string{"audit", "--spec", "/nonexistent/api.yaml", "x.har"}, "CH_SPEC"},
		{"unknown verb", nil, []string{"frobnicate"}, "unknown verb"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, c.env, c.args...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, c.want)
			}
		})
	}
}

// releaseNotes is the contract's own get_release_notes answer.
func releaseNotes(t *testing.T) string {
	t.Helper()
	spec, err := harness.LoadContract(chconform.Contract, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range spec.MustOperation("get_release_notes").Responses() {
		if r.Status == 200 && len(r.Examples) > 0 {
			data, _ := json.Marshal(r.Examples[0].Value)
			return string(data)
		}
	}
	t.Fatal("get_release_notes documents no 200 example")
	return ""
}

// TestAuditReadsPostmanCollectionsAndHARsInOneCall gives the audit a Postman
// v2.1 collection with a saved response beside a HAR: both are judged.
func TestAuditReadsPostmanCollectionsAndHARsInOneCall(t *testing.T) {
	dir := t.TempDir()
	notes := releaseNotes(t)
	collection := map[string]any{
		"info": map[string]any{"name": "t", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
		"item": []any{map[string]any{"name": "Other", "item": []any{map[string]any{
			"name":    "Release Notes",
			"request": map[string]any{"method": "POST", "url": "{{baseUrl}}/api/get_release_notes", "header": []any{}},
			"response": []any{map[string]any{
				"name": "Successful", "code": 200, "status": "OK", "body": notes,
				"header": []any{map[string]any{"key": "Content-Type", "value": "application/json"}},
			}},
		}}}},
	}
	data, _ := json.Marshal(collection)
	postman := filepath.Join(dir, "collection.json")
	if err := os.WriteFile(postman, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "reports")
	code, stdout, stderr := runCmd(t, map[string]string{"CH_REPORT_DIR": out}, "audit", postman, har(t, dir, "good.har", 200, notes))
	if code != 0 || !strings.Contains(stdout, "2 entries from 2 file(s), 2 of a contract operation: 2 passed") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}

func TestMatrixLaysAuditsSideBySideAndRefusesWhatIsNoSummary(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good"), filepath.Join(dir, "bad")
	runCmd(t, map[string]string{"CH_REPORT_DIR": good}, "audit", har(t, dir, "good.har", 200, releaseNotes(t)))
	runCmd(t, map[string]string{"CH_REPORT_DIR": bad}, "audit", har(t, dir, "bad.har", 200, `{"notes":"nope"}`))
	out := filepath.Join(dir, "matrix")
	code, stdout, stderr := runCmd(t, nil, "matrix", "--report-dir", out,
		filepath.Join(good, "summary.json"), filepath.Join(bad, "summary.json"))
	if code != 0 || !strings.Contains(stdout, "2 summaries, 1 of") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	html, err := os.ReadFile(filepath.Join(out, "matrix.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), `href="../bad/report.html#failure-1"`) {
		t.Fatalf("the failed cell does not link to its transcript:\n%s", html)
	}
	if _, err := os.Stat(filepath.Join(out, "matrix.md")); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCmd(t, nil, "matrix", "--report-dir", out, filepath.Join(good, "report.md")); code != 2 || !strings.Contains(stderr, "not a summary.json") {
		t.Fatalf("a report.md was taken for a summary: exit %d, %s", code, stderr)
	}
}

// Every verb answers --help with its usage and exit 0, and refuses an
// unknown flag with exit 2: the contract of a command with verbs.
func TestEveryVerbHasHelpAndRefusesUnknownFlags(t *testing.T) {
	for name := range verbs() {
		if name == "run" || name == "replay" {
			continue // they register their flags on first use only; checked below
		}
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCmd(t, nil, name, "--help")
			// fixtures, mutate and emulate print to the process's own
			// streams, which this test does not capture.
			quiet := name == "fixtures" || name == "mutate" || name == "emulate"
			if code != exitOK || !quiet && strings.TrimSpace(out+errOut) == "" {
				t.Errorf("%s --help: exit %d, output %q", name, code, out+errOut)
			}
			if code, _, _ := runCmd(t, nil, name, "--no-such-flag"); code != exitUsage {
				t.Errorf("%s --no-such-flag: exit %d, want 2", name, code)
			}
		})
	}
	for _, name := range []string{"run", "replay"} {
		code, out, errOut := runCmd(t, nil, name, "--help")
		if code != exitOK || !strings.Contains(out+errOut, "usage: chconform "+name) {
			t.Errorf("%s --help: exit %d, output %q", name, code, out+errOut)
		}
		if code, _, _ := runCmd(t, nil, name, "--no-such-flag"); code != exitUsage {
			t.Errorf("%s --no-such-flag: exit %d, want 2", name, code)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// audit --suggest writes the patch the drift asks for; audit --overlay
// judges with it, and chconform overlay writes the patched contract.
func TestAuditSuggestThenOverlay(t *testing.T) {
	dir := t.TempDir()
	var notes map[string]any
	if err := json.Unmarshal([]byte(releaseNotes(t)), &notes); err != nil {
		t.Fatal(err)
	}
	notes["release_channel"] = "beta"
	body, _ := json.Marshal(notes)
	capture := har(t, dir, "drift.har", 200, string(body))
	suggestion := filepath.Join(dir, "suggested.yaml")
	env := map[string]string{"CH_REPORT_DIR": filepath.Join(dir, "r1")}
	code, out, errOut := runCmd(t, env, "audit", "--strict", "--suggest", suggestion, capture)
	if code != exitFail || !strings.Contains(out, "suggested overlay: 1 action(s) in "+suggestion) {
		t.Fatalf("strict audit of an undeclared field: exit %d, %s%s", code, out, errOut)
	}
	env["CH_REPORT_DIR"] = filepath.Join(dir, "r2")
	if code, out, errOut := runCmd(t, env, "audit", "--strict", "--overlay", suggestion, capture); code != exitOK {
		t.Fatalf("with its own suggestion: exit %d, %s%s", code, out, errOut)
	}
	// CH_OVERLAY is --overlay's default, as CH_SPEC is --spec's.
	env["CH_OVERLAY"] = suggestion
	if code, out, errOut := runCmd(t, env, "audit", "--strict", capture); code != exitOK {
		t.Fatalf("with CH_OVERLAY: exit %d, %s%s", code, out, errOut)
	}
	code, contract, errOut := runCmd(t, nil, "overlay", suggestion)
	if code != exitOK || !strings.Contains(contract, "release_channel:") || !strings.Contains(contract, "drift.har#0") {
		t.Fatalf("chconform overlay: exit %d, %s", code, errOut)
	}
}

func TestABrokenOverlayExitsTwoNamingIt(t *testing.T) {
	dir := t.TempDir()
	capture := har(t, dir, "good.har", 200, releaseNotes(t))
	stray := filepath.Join(dir, "stray.yaml")
	os.WriteFile(stray, []byte("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.components.schemas.NoSuchSchema\n    update: {nullable: true}\n"), 0o644)
	for _, args := range [][]string{
		{"audit", "--overlay", stray, capture},
		{"audit", "--overlay", filepath.Join(dir, "missing.yaml"), capture},
		{"overlay", stray},
	} {
		code, _, errOut := runCmd(t, map[string]string{"CH_REPORT_DIR": filepath.Join(dir, "r")}, args...)
		if code != exitUsage || !strings.Contains(errOut, "CH_OVERLAY") {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming CH_OVERLAY", args, code, errOut)
		}
	}
}

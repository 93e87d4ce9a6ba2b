package main

import (
	"bufio"
	"bytes"
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

	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/liveproxy"
)

func TestProxyRefusesWhatItCannotDoSafely(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--upstream", "http://127.0.0.1:1", "--listen", "0.0.0.0:0"}, "--allow-remote-listen"},
		{[]string{"--upstream", "http://127.0.0.1:1", "--listen", ":8080"}, "--allow-remote-listen"},
		{[]string{"--listen", "127.0.0.1:0"}, "--upstream URL is required"},
		{[]string{"--upstream", "ftp://127.0.0.1/"}, "http or https"},
		{[]string{"--upstream", "http://127.0.0.1:1", "--max-body", "0"}, "--max-body must be positive"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"proxy", "--report-dir", t.TempDir()}, tc.args...), &stdout, &stderr, noEnv)
		if code != exitUsage || !strings.Contains(stderr.String(), tc.want) || stdout.Len() > 0 {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want 2 and %q", tc.args, code, stderr.String(), stdout.String(), tc.want)
		}
	}
}

func noEnv(string) string { return "" }

// proxyRun is `chconform proxy` run in this process, its output read line
// by line.
type proxyRun struct {
	lines chan string
	code  chan int
	url   string
}

func startProxyVerb(t *testing.T, args ...string) *proxyRun {
	t.Helper()
	pr, pw := io.Pipe()
	p := &proxyRun{lines: make(chan string, 100), code: make(chan int, 1)}
	go func() {
		p.code <- run(append([]string{"proxy"}, args...), pw, io.Discard, noEnv)
		pw.Close()
	}()
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	p.url = strings.TrimPrefix(p.next(t), liveproxy.ListeningLine)
	if !strings.HasPrefix(p.url, "http://127.0.0.1:") {
		t.Fatalf("first line: %q", p.url)
	}
	return p
}

func (p *proxyRun) next(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			t.Fatal("the proxy's output ended")
		}
		return l
	case <-time.After(30 * time.Second):
		t.Fatal("no line from the proxy")
	}
	return ""
}

func getChannels(t *testing.T, base string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/get_channels", nil)
	req.Header.Set("Authorization", "Token c0ffee5eed00c0ffee5eed00c0ffee5eed001234")
	req.Header.Set("CH-AppVersion", harness.DefaultAppVersion)
	req.Header.Set("CH-AppBuild", "304")
	req.Header.Set("CH-Languages", "en-US")
	req.Header.Set("CH-Locale", "en_US")
	req.Header.Set("CH-DeviceId", "C0FFEE00-5EED-4E00-8000-000000001234")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestProxyVerbExitsByTheVerdict(t *testing.T) {
	t.Parallel()
	emu := httptest.NewServer(emulator.New(emulator.Options{}).Handler())
	defer emu.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"success": true, "channels": 7}`)
	}))
	defer broken.Close()
	for _, tc := range []struct {
		upstream string
		want     int
	}{{emu.URL + "/api", exitOK}, {broken.URL + "/api", exitFail}} {
		dir := t.TempDir()
		p := startProxyVerb(t, "--upstream", tc.upstream, "--max-exchanges", "1", "--report-dir", dir)
		if status := getChannels(t, p.url); status != 200 {
			t.Fatalf("status %d", status)
		}
		var out []string
		for l := range p.lines {
			out = append(out, l)
		}
		if code := <-p.code; code != tc.want {
			t.Errorf("%s: exit %d, want %d:\n%s", tc.upstream, code, tc.want, strings.Join(out, "\n"))
		}
		failLine := len(out) > 0 && strings.HasPrefix(out[0], "FAILED CH-") && strings.Contains(out[0], " get_channels response_schema_conformance: ")
		if failLine != (tc.want == exitFail) {
			t.Errorf("%s: output %q", tc.upstream, out)
		}
		for _, f := range []string{"summary.json", "report.html", "report.md", "junit.xml", "proxy.har"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s: %v", tc.upstream, err)
			}
		}
	}
}

func TestProxyEndsOnSIGTERMWithItsReports(t *testing.T) {
	t.Parallel()
	bin := chconformBinary(t)
	emu := httptest.NewServer(emulator.New(emulator.Options{}).Handler())
	defer emu.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "proxy", "--upstream", emu.URL+"/api", "--report-dir", dir)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), liveproxy.ListeningLine) {
		t.Fatalf("first line: %q", sc.Text())
	}
	base := strings.TrimPrefix(sc.Text(), liveproxy.ListeningLine)
	if status := getChannels(t, base); status != 200 {
		t.Fatalf("status %d", status)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for sc.Scan() {
		rest = append(rest, sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v:\n%s", err, strings.Join(rest, "\n"))
	}
	if len(rest) != 1 || !strings.Contains(rest[0], "1 exchanges, 1 of a contract operation: 1 passed") {
		t.Errorf("after SIGTERM: %q", rest)
	}
	har, err := os.ReadFile(filepath.Join(dir, "proxy.har"))
	if err != nil || !bytes.Contains(har, []byte(`"entries":[`)) || !bytes.HasSuffix(har, []byte("]}}\n")) {
		t.Errorf("proxy.har: %v, %d bytes", err, len(har))
	}
	for _, f := range []string{"summary.json", "report.html", "report.md", "junit.xml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

// The proxy shares the audit's contract path: what it observes becomes a
// suggested overlay naming the proxy exchange, and with that overlay applied
// a strict judge accepts the same answer it failed without it.
func TestProxySuggestsTheOverlayItsDriftAsksFor(t *testing.T) {
	t.Parallel()
	h := emulator.New(emulator.Options{}).Handler()
	drifting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if i := bytes.IndexByte(body, '{'); i >= 0 {
			body = append([]byte(`{"chconform_test_flag": true, `), body[i+1:]...)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		w.Write(body)
	}))
	defer drifting.Close()

	strict := func(extra ...string) (int, string) {
		dir := t.TempDir()
		args := append([]string{"--upstream", drifting.URL + "/api", "--max-exchanges", "1", "--report-dir", dir, "--strict"}, extra...)
		p := startProxyVerb(t, args...)
		if status := getChannels(t, p.url); status != 200 {
			t.Fatalf("status %d", status)
		}
		for range p.lines {
		}
		return <-p.code, dir
	}
	suggestion := filepath.Join(t.TempDir(), "suggested.yaml")
	if code, _ := strict("--suggest", suggestion); code != exitFail {
		t.Fatalf("strict proxy on an undeclared field: exit %d, want %d", code, exitFail)
	}
	text, err := os.ReadFile(suggestion)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"overlay: 1.0", "chconform_test_flag", "x-source", "proxy#1"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("suggestion lacks %q:\n%s", want, text)
		}
	}
	if code, dir := strict("--overlay", suggestion); code != exitOK {
		s, _ := os.ReadFile(filepath.Join(dir, "report.md"))
		t.Errorf("strict proxy with its own suggestion applied: exit %d, want %d\n%s", code, exitOK, s)
	}
}

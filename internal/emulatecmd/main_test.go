package emulatecmd

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chconform/chconform/emulator"
)

// The binary prints its health line with the port it picked, serves the
// API, writes the request log and stops cleanly on SIGTERM.
func TestBinaryStartsServesAndStops(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t)
	logPath := filepath.Join(dir, "requests.jsonl")
	cmd := exec.Command(bin, "emulate", "-addr", "127.0.0.1:0", "-request-log", logPath)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		t.Fatal("no health line")
	}
	m := regexp.MustCompile(`^clubhouse-emulator listening on (http://127\.0\.0\.1:[0-9]+/api)$`).FindStringSubmatch(lines.Text())
	if m == nil {
		t.Fatalf("health line %q", lines.Text())
	}
	base := m[1]
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(strings.TrimSuffix(base, "/api") + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("POST", base+"/get_topic", strings.NewReader(`{"topic_id":140}`))
	req.Header.Set("Authorization", "Token c0ffee5eed00c0ffee5eed00c0ffee5eed001234")
	req.Header.Set("Content-Type", "application/json")
	resp, err = client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("get_topic: %v %v", resp, err)
	}
	var body struct {
		Topic struct{ Title string } `json:"topic"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if body.Topic.Title != "⏳ The Future" {
		t.Fatalf("topic 140: %+v", body)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for lines.Scan() {
		}
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop on SIGTERM")
	}
	data, _ := os.ReadFile(logPath)
	if !strings.Contains(string(data), `"operation":"get_topic"`) {
		t.Fatalf("request log: %q", data)
	}
}

func TestExposureWarning(t *testing.T) {
	for _, c := range []struct {
		ip   string
		warn bool
	}{{"127.0.0.1", false}, {"::1", false}, {"0.0.0.0", true}, {"::", true}, {"192.0.2.10", true}} {
		got := exposureWarning(&net.TCPAddr{IP: net.ParseIP(c.ip), Port: 8080})
		if (got != "") != c.warn || (c.warn && !strings.Contains(got, "not a loopback address")) {
			t.Errorf("%s: %q", c.ip, got)
		}
	}
}

// Without -jwt-secret the emulator signs with a random key, printed once, so
// a token signed with the published test key is refused; with
// -jwt-secret published (what scripts/conformance-emulator.sh asks for) the
// profile's tokens work.
func TestJWTSecretIsRandomUnlessAskedFor(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	published, err := emulator.MintToken([]byte(emulator.DefaultJWTSecret), "access", 1234, time.Date(3020, 1, 1, 0, 0, 0, 0, time.UTC), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args      []string
		wantKey   bool
		wantShown int
	}{{nil, true, 401}, {[]string{"-jwt-secret", "published"}, false, 200}} {
		em := startBinary(t, bin, c.args...)
		req, _ := http.NewRequest("POST", em.base+"/me", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+published)
		req.Header.Set("Content-Type", "application/json")
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		status := 0
		if err == nil {
			status = resp.StatusCode
			resp.Body.Close()
		}
		stderr := em.stop()
		if status != c.wantShown {
			t.Errorf("%v: a token signed with the published key got %d (%v), want %d", c.args, status, err, c.wantShown)
		}
		shown := regexp.MustCompile(`JWT signing key for this run \(random[^)]*\): ([0-9a-f]{64})\n`).FindStringSubmatch(stderr)
		if (shown != nil) != c.wantKey || strings.Count(stderr, "JWT signing key") > 1 {
			t.Errorf("%v: stderr %q", c.args, stderr)
		}
	}
}

// A -fault the emulator cannot apply is a usage error (2) before it
// listens: a typo must not start an emulator without the fault asked for.
func TestFaultFlagRefusesWhatItCannotApply(t *testing.T) {
	for _, bad := range []string{"mistyped-field", "mistyped-field:get_followers", "wrong-kind:me"} {
		if got := run([]string{"-addr", "127.0.0.1:0", "-fault", bad}); got != 2 {
			t.Errorf("-fault %q: exit %d, want 2", bad, got)
		}
	}
}

// -fault mistyped-field:get_topic changes get_topic's answers and no other
// operation's, and says so on stderr.
func TestFaultFlagMistypesTheOperation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	em := startBinary(t, buildBinary(t), "-fault", "mistyped-field:get_topic")
	post := func(op, body string) map[string]any {
		req, _ := http.NewRequest("POST", em.base+"/"+op, strings.NewReader(body))
		req.Header.Set("Authorization", "Token c0ffee5eed00c0ffee5eed00c0ffee5eed001234")
		req.Header.Set("Content-Type", "application/json")
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		return out
	}
	topic, _ := post("get_topic", `{"topic_id":140}`)["topic"].(map[string]any)
	if id, isString := topic["id"].(string); !isString || id != "140" {
		t.Errorf("get_topic: topic.id is %#v, want the string \"140\"", topic["id"])
	}
	profile, _ := post("get_profile", `{"user_id":1234}`)["user_profile"].(map[string]any)
	if id, isNumber := profile["user_id"].(float64); !isNumber || id != 1234 {
		t.Errorf("get_profile (not faulted): user_profile.user_id is %#v, want 1234", profile["user_id"])
	}
	if stderr := em.stop(); !strings.Contains(stderr, "fault on: mistyped-field on get_topic") {
		t.Errorf("stderr does not announce the fault: %q", stderr)
	}
}

// buildBinary builds the command into the test's temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "clubhouse-emulator")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/chconform").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// emulatorProcess is `bin emulate -addr 127.0.0.1:0 ARGS...` once it has
// printed its health line.
type emulatorProcess struct {
	cmd    *exec.Cmd
	base   string // the API root, http://127.0.0.1:PORT/api
	lines  *bufio.Scanner
	stderr *strings.Builder
}

func startBinary(t *testing.T, bin string, args ...string) *emulatorProcess {
	t.Helper()
	p := &emulatorProcess{cmd: exec.Command(bin, append([]string{"emulate", "-addr", "127.0.0.1:0"}, args...)...), stderr: &strings.Builder{}}
	stdout, _ := p.cmd.StdoutPipe()
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A test that fails before stop still ends the process.
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() })
	p.lines = bufio.NewScanner(stdout)
	if !p.lines.Scan() {
		t.Fatal("no health line")
	}
	p.base = strings.TrimPrefix(p.lines.Text(), "clubhouse-emulator listening on ")
	return p
}

// stop ends the process with SIGTERM and returns what it wrote on stderr
// (complete, and no longer written, once it has exited).
func (p *emulatorProcess) stop() string {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	go func() {
		for p.lines.Scan() {
		}
	}()
	_ = p.cmd.Wait()
	return p.stderr.String()
}

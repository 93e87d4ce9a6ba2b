package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The binary prints its health line with the port it picked, serves the
// API, writes the request log and stops cleanly on SIGTERM.
func TestBinaryStartsServesAndStops(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "clubhouse-emulator")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	logPath := filepath.Join(dir, "requests.jsonl")
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-request-log", logPath)
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

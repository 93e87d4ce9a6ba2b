// Command mkcapture writes a large HAR for the audit benchmark: it asks a
// fresh in-process emulator (no network) each operation's answer once, as
// the default account, then writes -n entries cycling through them, so the
// file is as large as a long real capture without any real data in it.
//
//	go run ./bench/mkcapture -n 100000 -o /tmp/big.har
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/capture"
	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
)

func main() {
	n := flag.Int("n", 100000, "entries to write")
	out := flag.String("o", "capture.har", "the HAR file to write")
	flag.Parse()
	if err := write(*n, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mkcapture:", err)
		os.Exit(1)
	}
}

// ops are answered without arguments by the default account.
var ops = []string{"get_channels", "me", "get_all_topics", "get_events", "get_notifications",
	"get_settings", "get_online_friends", "get_suggested_follows_all", "check_waitlist_status", "get_release_notes"}

func write(n int, path string) error {
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		return err
	}
	em := emulator.New(emulator.Options{})
	token, _ := em.AccountToken("default")
	var entries []capture.Entry
	for _, id := range ops {
		op, ok := spec.Operation(id)
		if !ok {
			continue
		}
		req := httptest.NewRequest(op.Method, "/api"+op.Path, strings.NewReader("{}"))
		req.Header.Set("Authorization", "Token "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("CH-AppVersion", harness.DefaultAppVersion)
		req.Header.Set("CH-AppBuild", harness.DefaultAppBuild)
		req.Header.Set("CH-Locale", "en_US")
		rec := httptest.NewRecorder()
		em.Handler().ServeHTTP(rec, req)
		masked := harness.NewRedactor(nil)
		entries = append(entries, capture.Entry{
			Request: harness.Request{Method: op.Method, URL: "http://127.0.0.1:8080/api" + op.Path,
				Header: masked.Header(req.Header), Body: []byte("{}")},
			Response:     &harness.Response{Status: rec.Code, Header: rec.Header(), Body: masked.Body(rec.Body.Bytes())},
			BodyCaptured: true, HeadersCaptured: true, Elapsed: time.Millisecond,
		})
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := bufio.NewWriterSize(f, 1<<20)
	w, err := capture.NewHARWriter(buf, "chconform-mkcapture")
	if err != nil {
		return err
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		e := entries[i%len(entries)]
		e.StartedAt = start.Add(time.Duration(i) * time.Millisecond)
		if err := w.Write(e); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := buf.Flush(); err != nil {
		return err
	}
	return f.Close()
}

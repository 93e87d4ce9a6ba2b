package capture

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/chconform/chconform/harness"
)

// RunLog is record mode's run log: a harness.ExchangeLog that writes the
// exchanges of one process as <dir>/run-<name>.har through a HARWriter. The
// file is created at the first exchange (a process that sends nothing leaves
// no file) with O_EXCL: a name already taken, by an earlier run into the same
// folder or by another process, gets a numbered one (run-<name>-2.har), so
// processes recording into one folder never share or overwrite a file.
// It is safe for concurrent use.
type RunLog struct {
	dir, name, creator string

	mu   sync.Mutex
	path string
	f    *os.File
	bw   *bufio.Writer
	w    *HARWriter
	err  error
}

// NewRunLog prepares a run log in dir; name tells the process apart (its
// suite), creator names the tool ("chconform" or "chconform/<version>"; the
// binary's module version when none is given).
func NewRunLog(dir, name, creator string) *RunLog {
	if !strings.Contains(creator, "/") {
		version := "unknown"
		if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
			version = info.Main.Version
		}
		creator += "/" + version
	}
	return &RunLog{dir: dir, name: harness.Slug(name), creator: creator}
}

// Path is the file written, "" before the first exchange.
func (l *RunLog) Path() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.path
}

// Log appends one exchange. Each entry reaches the file at once (a process
// that dies leaves a log Read delivers up to its last entry).
func (l *RunLog) Log(x harness.LoggedExchange) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	if l.w == nil {
		if l.err = l.open(); l.err != nil {
			return l.err
		}
	}
	e := Entry{Name: x.Spec, Request: x.Request, Response: x.Response, Problem: x.Problem, StartedAt: x.Started, Elapsed: x.Elapsed}
	if e.Request.Header == nil {
		e.Request.Header = map[string][]string{}
	}
	if r := x.Response; r != nil {
		e.BodyCaptured = true
		e.HeadersCaptured = len(r.Header) > 0
		e.MimeType = r.Header.Get("Content-Type")
	}
	if l.err = l.w.Write(e); l.err == nil {
		l.err = l.bw.Flush()
	}
	return l.err
}

func (l *RunLog) open() error {
	for n := 1; ; n++ {
		base := "run-" + l.name
		if n > 1 {
			base += fmt.Sprintf("-%d", n)
		}
		path := filepath.Join(l.dir, base+".har")
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		l.f, l.path = f, path
		l.bw = bufio.NewWriterSize(f, 64<<10)
		w, err := NewHARWriter(l.bw, l.creator)
		if err != nil {
			return err
		}
		l.w = w
		return nil
	}
}

// Close finishes the HAR file and closes it.
func (l *RunLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return l.err
	}
	err := l.w.Close()
	if ferr := l.bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		return err
	}
	return l.err
}

// ProcessName is the name a suite process gives its run log: its test
// binary's ("users" for users.test), and with more than one parallel process
// its number ("users-p2").
func ProcessName(binary string, process, processes int) string {
	name := strings.TrimSuffix(filepath.Base(binary), ".test")
	name = strings.TrimSuffix(name, ".exe")
	if processes > 1 {
		name += fmt.Sprintf("-p%d", process)
	}
	return name
}

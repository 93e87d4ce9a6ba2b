package liveproxy

import (
	"bufio"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/chconform/chconform/audit"
	"github.com/chconform/chconform/capture"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// harStream writes the exchanges to a HAR file as they are judged, masked
// as record mode's run log is (harness.MaskExchange), each entry on disk
// before the next: memory does not grow with the session, and a proxy that
// dies leaves a file capture.Read reads up to its last entry.
type harStream struct {
	mu  sync.Mutex
	f   *os.File
	bw  *bufio.Writer
	w   *capture.HARWriter
	err error
}

func openHAR(path string) (*harStream, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	w, err := capture.NewHARWriter(bw, "chconform proxy/"+report.CurrentTool().Version)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &harStream{f: f, bw: bw, w: w}, nil
}

// write appends one judged exchange, masked with the Redactor that knew
// the exchange's own credentials.
func (h *harStream) write(v audit.LiveVerdict) {
	e := v.Entry
	ex := &harness.Exchange{Request: e.Request, Response: e.Response, Elapsed: e.Elapsed}
	if e.Response == nil {
		ex.Err = errorString(e.NoResponse)
	}
	name := v.Spec.Name
	if name == "" {
		name = "proxy #" + strconv.Itoa(e.Index)
	}
	x := harness.MaskExchange(v.Redact, ex, name, e.StartedAt)
	out := capture.Entry{Name: x.Spec, Request: x.Request, Response: x.Response, Problem: x.Problem, StartedAt: x.Started, Elapsed: x.Elapsed}
	if out.Request.Header == nil {
		out.Request.Header = http.Header{}
	}
	if x.Response != nil {
		out.BodyCaptured = e.BodyCaptured
		out.HeadersCaptured = len(x.Response.Header) > 0
		out.MimeType = e.MimeType
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return
	}
	if h.err = h.w.Write(out); h.err == nil {
		h.err = h.bw.Flush()
	}
}

func (h *harStream) close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	err := h.w.Close()
	if ferr := h.bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := h.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = h.err
	}
	return err
}

type errorString string

func (e errorString) Error() string { return string(e) }

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }

package liveproxy

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/chconform/chconform/audit"
	"github.com/chconform/chconform/capture"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// harStream writes the exchanges to a HAR file as they are judged, masked
// as record mode's run log is (harness.MaskExchange), each entry on disk
// before the next: memory does not grow with the session, and a proxy that
// dies leaves a file capture.Read reads up to its last entry. Masking a
// large body costs more than judging it, so the HAR has its own goroutine
// and its own byte budget: a HAR writer that falls behind writes the next
// entries without their bodies (and says so in the entry's comment), and
// never holds up the judge.
type harStream struct {
	mu     sync.Mutex
	wake   *sync.Cond
	queue  []audit.LiveVerdict
	held   int64
	budget int64
	closed bool
	// hurry: the session ended a while ago; what is still queued is
	// written without its bodies, so the end does not wait on masking.
	hurry bool
	done  chan struct{}

	f   *os.File
	bw  *bufio.Writer
	w   *capture.HARWriter
	err error
}

func openHAR(path string, budget int64) (*harStream, error) {
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
	h := &harStream{f: f, bw: bw, w: w, budget: budget, done: make(chan struct{})}
	h.wake = sync.NewCond(&h.mu)
	go h.run()
	return h, nil
}

// offer queues a judged exchange; it never blocks.
func (h *harStream) offer(v audit.LiveVerdict) {
	size := bodySize(v)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held > 0 && h.held+size > h.budget {
		v = withoutBodies(v, fmt.Sprintf("the HAR writer was behind (%d bytes of bodies waiting, its bound is %d)", h.held, h.budget))
		size = 0
	}
	h.held += size
	h.queue = append(h.queue, v)
	h.wake.Signal()
}

func bodySize(v audit.LiveVerdict) int64 {
	n := int64(len(v.Entry.Request.Body))
	if v.Entry.Response != nil {
		n += int64(len(v.Entry.Response.Body))
	}
	return n
}

// withoutBodies is v to be written without its bodies, its comment saying
// why.
func withoutBodies(v audit.LiveVerdict, why string) audit.LiveVerdict {
	v.Entry.Request.Body = nil
	if r := v.Entry.Response; r != nil {
		stripped := *r
		stripped.Body = nil
		v.Entry.Response = &stripped
		v.Entry.BodyCaptured = false
	}
	v.Spec.Name += " — bodies not written: " + why
	return v
}

func (h *harStream) run() {
	judgeThread()
	defer close(h.done)
	for {
		h.mu.Lock()
		for len(h.queue) == 0 && !h.closed {
			h.wake.Wait()
		}
		if len(h.queue) == 0 {
			h.mu.Unlock()
			return
		}
		v := h.queue[0]
		h.queue[0] = audit.LiveVerdict{}
		h.queue = h.queue[1:]
		hurry := h.hurry
		h.mu.Unlock()
		size := bodySize(v)
		if hurry && size > 0 {
			v = withoutBodies(v, "the session ended before the HAR writer could mask them")
		}
		h.write(v)
		h.mu.Lock()
		h.held -= size
		h.mu.Unlock()
	}
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
	if h.err != nil {
		return
	}
	if h.err = h.w.Write(out); h.err == nil {
		h.err = h.bw.Flush()
	}
}

// harGrace is how long the end of a session waits for the HAR writer to
// mask the bodies still queued.
const harGrace = 3 * time.Second

// close writes what is queued and ends the file.
func (h *harStream) close() error {
	h.mu.Lock()
	h.closed = true
	h.wake.Broadcast()
	h.mu.Unlock()
	select {
	case <-h.done:
	case <-time.After(harGrace):
		h.mu.Lock()
		h.hurry = true
		h.mu.Unlock()
		<-h.done
	}
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

package capture

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"
)

// HARWriter writes a HAR 1.2 file entry by entry (for record mode), so a run
// of any length is written in bounded memory. Each Write appends one entry as
// one line; Close ends the entries array and the log. It is not safe for
// concurrent use.
//
// What HAR 1.2 cannot say is kept in custom members (the spec allows those
// starting with "_"), so that Read gives back the entries written: the
// entry's Problem (_problem), a body that is the exact bytes with no
// Content-Encoding left to undo (content._decoded: Response.Body is always
// written as it is, even when a Content-Encoding header remains), a body cut
// at the client's size cap (content._truncated) and a request body that is
// not UTF-8 (postData._encoding "base64"). A response body that is not UTF-8
// is written in base64 (content.encoding, as HAR 1.2 has it). Entry.File and
// Entry.Index are not written: Read sets them.
type HARWriter struct {
	w      io.Writer
	n      int
	err    error
	closed bool
	// buf is reused from entry to entry: an entry with a large body grew
	// a fresh buffer to twice its size each time (a proxy writes one per
	// exchange, and that garbage drove its collector).
	buf bytes.Buffer
}

// NewHARWriter starts a HAR 1.2 log on w. creator names the tool, as
// "name" or "name/version".
func NewHARWriter(w io.Writer, creator string) (*HARWriter, error) {
	name, version, _ := strings.Cut(creator, "/")
	head, err := json.Marshal(map[string]any{"name": name, "version": version})
	if err != nil {
		return nil, err
	}
	h := &HARWriter{w: w}
	if _, err := io.WriteString(w, `{"log":{"version":"1.2","creator":`+string(head)+`,"pages":[],"entries":[`); err != nil {
		return nil, err
	}
	return h, nil
}

// Write appends e as one entry.
func (h *HARWriter) Write(e Entry) error {
	if h.err != nil {
		return h.err
	}
	if h.closed {
		return errors.New("HARWriter: write after Close")
	}
	buf := &h.buf
	buf.Reset()
	if h.n > 0 {
		buf.WriteByte(',')
	}
	buf.WriteByte('\n')
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(harEntryOf(e)); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline: the next entry's comma goes first
	if _, err := h.w.Write(buf.Bytes()); err != nil {
		h.err = err
		return err
	}
	h.n++
	return nil
}

// Close finishes the JSON; it does not close the underlying writer.
func (h *HARWriter) Close() error {
	if h.closed {
		return h.err
	}
	h.closed = true
	if h.err != nil {
		return h.err
	}
	_, h.err = io.WriteString(h.w, "\n]}}\n")
	return h.err
}

// view is b as a string without a copy: the entry harEntryOf makes lives
// only while Write encodes it, and the caller's body does not change during
// the call (a proxy writes a 240 KB answer per exchange; each copy is
// garbage its collector must chase).
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// harEntryOf is e as HAR; its body texts are views of e's bodies (view),
// so it must not outlive the call that made it.
func harEntryOf(e Entry) *harEntry {
	ms := float64(e.Elapsed) / float64(time.Millisecond)
	he := &harEntry{
		StartedDateTime: e.StartedAt.Format(time.RFC3339Nano),
		Time:            ms,
		Timings:         harTimings{Send: 0, Wait: ms, Receive: 0},
		Comment:         e.Name,
		Request: harRequest{
			Method:      e.Request.Method,
			URL:         e.Request.URL,
			HTTPVersion: "HTTP/1.1",
			Headers:     harNVs(e.Request.Header),
			QueryString: queryString(e.Request.URL),
			Cookies:     []harNV{},
			HeadersSize: -1,
			BodySize:    int64(len(e.Request.Body)),
		},
	}
	if e.Problem != "" {
		p := e.Problem
		he.Problem = &p
	}
	if len(e.Request.Body) > 0 {
		pd := &harPostData{MimeType: e.Request.Header.Get("Content-Type")}
		text := view(e.Request.Body)
		if !utf8.Valid(e.Request.Body) {
			text = base64.StdEncoding.EncodeToString(e.Request.Body)
			pd.Encoding = "base64"
		}
		pd.Text = &text
		he.Request.PostData = pd
	}
	zero := int64(0)
	r := e.Response
	if r == nil {
		// HAR has no entry without a response: status 0 is how browsers
		// write a request that got none, and how Read takes it.
		he.Response = &harResponse{Headers: []harNV{}, Cookies: []harNV{}, Content: harContent{Size: &zero}, HeadersSize: -1, BodySize: -1}
		return he
	}
	size := int64(len(r.Body))
	he.Response = &harResponse{
		Status:      r.Status,
		StatusText:  http.StatusText(r.Status),
		HTTPVersion: "HTTP/1.1",
		Headers:     harNVs(r.Header),
		Cookies:     []harNV{},
		Content:     harContent{Size: &size, MimeType: e.MimeType, Decoded: true, Truncated: r.Truncated},
		HeadersSize: -1,
		BodySize:    -1,
	}
	if e.BodyCaptured {
		text := view(r.Body)
		if !utf8.Valid(r.Body) {
			text = base64.StdEncoding.EncodeToString(r.Body)
			he.Response.Content.Encoding = "base64"
		}
		he.Response.Content.Text = &text
		he.Response.BodySize = size
	}
	return he
}

// harNVs is a header as [{name,value}], names sorted, repeated values in
// their order.
func harNVs(h http.Header) []harNV {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	out := []harNV{}
	for _, name := range names {
		for _, v := range h[name] {
			out = append(out, harNV{Name: name, Value: v})
		}
	}
	return out
}

// queryString is the URL's query as HAR lists it (what the URL says; the URL
// stays the reference).
func queryString(raw string) []harNV {
	out := []harNV{}
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return out
	}
	for _, pair := range strings.Split(u.RawQuery, "&") {
		k, v, _ := strings.Cut(pair, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		out = append(out, harNV{Name: k, Value: v})
	}
	return out
}

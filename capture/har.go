package capture

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chconform/chconform/harness"
)

// The HAR 1.2 shapes, as read and written. Members starting with "_" are the
// custom fields the spec allows: _error is what Chrome writes for a request
// that got no response; the others are this package's own, so that a file
// HARWriter wrote reads back to the entries written.
type harEntry struct {
	PageRef         string       `json:"pageref,omitempty"`
	StartedDateTime string       `json:"startedDateTime"`
	Time            float64      `json:"time"`
	Request         harRequest   `json:"request"`
	Response        *harResponse `json:"response"`
	Cache           struct{}     `json:"cache"`
	Timings         harTimings   `json:"timings"`
	Comment         string       `json:"comment,omitempty"`
	Error           string       `json:"_error,omitempty"`
	// Problem is the entry's Problem as HARWriter was given it: read back as
	// it is instead of being worked out again.
	Problem *string `json:"_problem,omitempty"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	Cookies     []harNV      `json:"cookies"`
	HeadersSize int64        `json:"headersSize"`
	BodySize    int64        `json:"bodySize"`
	PostData    *harPostData `json:"postData,omitempty"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harPostData struct {
	MimeType string     `json:"mimeType"`
	Text     *string    `json:"text,omitempty"`
	Params   []harParam `json:"params,omitempty"`
	// Encoding "base64": a request body that is not UTF-8 text (HAR 1.2 has
	// no way to say it; this package's extension, like content.encoding).
	Encoding string `json:"_encoding,omitempty"`
}

type harParam struct {
	Name        string `json:"name"`
	Value       string `json:"value,omitempty"`
	FileName    string `json:"fileName,omitempty"`
	ContentType string `json:"contentType,omitempty"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Headers     []harNV    `json:"headers"`
	Cookies     []harNV    `json:"cookies"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int64      `json:"headersSize"`
	BodySize    int64      `json:"bodySize"`
}

type harContent struct {
	Size     *int64  `json:"size"`
	MimeType string  `json:"mimeType"`
	Text     *string `json:"text,omitempty"`
	Encoding string  `json:"encoding,omitempty"`
	// Decoded: the text is the body exactly as the entry held it; no
	// Content-Encoding is to be undone (HARWriter's files).
	Decoded bool `json:"_decoded,omitempty"`
	// Truncated: the body was cut at the client's size cap.
	Truncated bool `json:"_truncated,omitempty"`
	// raw is Text as bytes when the fast reader decoded it (non-nil, then
	// Text is nil): a body is not copied from a string once more.
	raw []byte
}

// text is content.text as bytes, and whether the capture has one.
func (c *harContent) text() ([]byte, bool) {
	if c.raw != nil {
		return c.raw, true
	}
	if c.Text == nil {
		return nil, false
	}
	return []byte(*c.Text), true
}

type harTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// harLog reads the members of log after "log": up to entries, which it
// streams; the members after entries are skipped.
func (s *stream) harLog() error {
	t, err := s.token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return s.fail(-1, fmt.Errorf("%w (log is a JSON %s, not an object)", ErrNotCapture, jsonKind(t)))
	}
	seen := false
	for {
		k, more, err := s.key()
		if err != nil {
			return err
		}
		if !more {
			break
		}
		if k != "entries" {
			if err := s.skip(); err != nil {
				return err
			}
			continue
		}
		t, err := s.token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); !ok || d != '[' {
			return s.fail(-1, fmt.Errorf("log.entries is a JSON %s, not an array", jsonKind(t)))
		}
		seen = true
		if err := s.harEntries(); err != nil {
			return err
		}
	}
	if !seen {
		return s.fail(-1, errors.New("a HAR file without log.entries"))
	}
	return s.finishObject()
}

func (s *stream) harEntries() error {
	if s.fast {
		return s.fastEntries()
	}
	for s.dec.More() {
		s.reset()
		var he *harEntry
		if err := s.dec.Decode(&he); err != nil {
			return s.jsonErr(s.next, err)
		}
		if he == nil {
			return s.fail(s.next, errors.New("null where an entry belongs"))
		}
		if err := s.deliver(he.entry()); err != nil {
			return err
		}
	}
	_, err := s.token() // ]
	return err
}

// entry is the HAR entry as an Entry (File and Index are set by deliver).
func (he *harEntry) entry() Entry {
	e := Entry{Name: he.Comment}
	if e.Name == "" {
		e.Name = he.PageRef
	}
	if t, err := time.Parse(time.RFC3339Nano, he.StartedDateTime); err == nil {
		e.StartedAt = t
	}
	if he.Time > 0 && !math.IsInf(he.Time, 0) {
		e.Elapsed = time.Duration(math.Round(he.Time * float64(time.Millisecond)))
	}
	var problems []string
	e.Request = harness.Request{Method: strings.ToUpper(he.Request.Method), URL: he.Request.URL, Header: harHeader(he.Request.Headers)}
	if e.Request.URL == "" {
		problems = append(problems, "the request has no URL")
	}
	if body, problem := he.Request.PostData.body(); problem != "" {
		problems = append(problems, problem)
	} else {
		e.Request.Body = body
	}
	r := he.Response
	switch {
	case r == nil:
		problems = append(problems, "no response captured")
	case r.Status == 0:
		msg := "no response captured (status 0)"
		if he.Error != "" {
			msg += ": " + he.Error
		}
		problems = append(problems, msg)
	default:
		e.Response = &harness.Response{Status: r.Status, Header: harHeader(r.Headers), Truncated: r.Content.Truncated}
		e.MimeType = r.Content.MimeType
		e.HeadersCaptured = len(e.Response.Header) > 0
		body, captured, problem := r.Content.body(e.Response.Header, r.BodySize)
		e.Response.Body, e.BodyCaptured = body, captured
		if problem != "" {
			problems = append(problems, problem)
		}
		if !captured && noBody(e.Request.Method, r.Status) {
			e.BodyCaptured = true
		}
	}
	e.Problem = strings.Join(problems, "; ")
	if he.Problem != nil {
		e.Problem = *he.Problem
	}
	return e
}

// noBody says whether an answer to method with status never has a body.
func noBody(method string, status int) bool {
	return method == http.MethodHead || (status >= 100 && status < 200) || status == http.StatusNoContent || status == http.StatusNotModified
}

// harHeader turns [{name,value}] into a header, repeated names kept in order.
// HTTP/2 pseudo-headers (":authority", ":status") are no headers and left out.
func harHeader(nvs []harNV) http.Header {
	h := http.Header{}
	for _, nv := range nvs {
		if nv.Name == "" || strings.HasPrefix(nv.Name, ":") {
			continue
		}
		h.Add(nv.Name, nv.Value)
	}
	return h
}

// body is the request body: postData.text, or postData.params encoded as a
// form when there is no text.
func (p *harPostData) body() ([]byte, string) {
	if p == nil {
		return nil, ""
	}
	if p.Text != nil && *p.Text != "" {
		if p.Encoding == "base64" {
			b, err := base64.StdEncoding.DecodeString(*p.Text)
			if err != nil {
				return nil, "request body: invalid base64: " + err.Error()
			}
			return b, ""
		}
		return []byte(*p.Text), ""
	}
	if len(p.Params) > 0 {
		form := url.Values{}
		var keys []string
		for _, prm := range p.Params {
			if _, ok := form[prm.Name]; !ok {
				keys = append(keys, prm.Name)
			}
			form[prm.Name] = append(form[prm.Name], prm.Value)
		}
		// url.Values.Encode sorts by name; the capture's order is kept instead.
		var b strings.Builder
		for _, k := range keys {
			for _, v := range form[k] {
				if b.Len() > 0 {
					b.WriteByte('&')
				}
				b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
			}
		}
		return []byte(b.String()), ""
	}
	return nil, ""
}

// body is the response body, whether the capture kept it, and the problem
// met decoding it.
func (c *harContent) body(h http.Header, bodySize int64) ([]byte, bool, string) {
	raw, ok := c.text()
	if !ok {
		return nil, false, ""
	}
	if len(raw) == 0 {
		// "" with a size of bytes: the tool kept the size, not the text.
		// Some tools write size 0 with an omitted body, but keep the bytes
		// transferred (bodySize) or the Content-Length that says there were.
		if c.Size != nil && *c.Size > 0 || bodySize > 0 {
			return nil, false, ""
		}
		n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
		return nil, err != nil || n == 0, ""
	}
	switch strings.ToLower(c.Encoding) {
	case "":
	case "base64":
		text := bytes.TrimSpace(raw)
		b := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
		n, err := base64.StdEncoding.Decode(b, text)
		if err != nil {
			return nil, false, "response body: invalid base64 in content.text: " + err.Error()
		}
		raw = b[:n]
	default:
		return nil, false, fmt.Sprintf("response body: unknown content.encoding %q", c.Encoding)
	}
	if c.Decoded {
		return raw, true, ""
	}
	body, err := decodeBody(raw, h.Values("Content-Encoding"))
	if err != nil {
		return nil, false, "response body: " + err.Error()
	}
	return body, true, ""
}

// Package capture reads exchanges captured outside the harness (HAR 1.2 files
// from devtools, mitmproxy or Charles; Postman v2.1 collections with saved
// responses) one at a time, so `chconform audit` can judge traffic it did not
// send, and writes HAR 1.2 files entry by entry (record mode's run log).
//
// Both directions stream: a file is never loaded whole, and one entry may take
// at most MaxEntryBytes of it.
//
// What a capture did not keep is said, not guessed:
//
//   - BodyCaptured is false when the capture holds no text for the response
//     body while the answer could have one. HAR: content.text missing, or
//     text "" while content.size, the response's bodySize or its
//     Content-Length says there were bytes. content.text "" with none of
//     them above 0 is an empty body that was captured. Postman: body
//     missing or null. A status that never has a body (1xx, 204, 304) or an
//     answer to HEAD counts as captured (it is known to be empty).
//   - HeadersCaptured is false when the response carries no header at all.
//   - Problem says why an entry could not be decoded (bad base64, a body whose
//     Content-Encoding cannot be undone, a status 0 or a missing status); the
//     entry is still delivered and the file goes on.
//
// Response bodies are delivered decoded: base64 undone, and gzip, deflate and
// brotli undone when the response's Content-Encoding names them and the bytes
// are compressed (tools often store the decoded text while keeping the
// header; such text is kept as it is). The headers stay as captured.
package capture

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/chconform/chconform/harness"
)

// MaxEntryBytes bounds the bytes of the file one value may take: one HAR
// entry, one top-level Postman item, or any other member on the way to them.
// A larger value stops the read with an *Error instead of taking the memory.
var MaxEntryBytes int64 = 256 << 20

// MaxDecodedBytes bounds a response body after decompression: a body that
// decompresses to more is a Problem (a zip bomb costs nothing).
var MaxDecodedBytes int64 = 64 << 20

// Entry is one captured exchange.
type Entry struct {
	File  string // the path as given to Read
	Index int    // 0-based: HAR log.entries index; Postman: depth-first order of saved responses
	// Name is a human label: the HAR entry's comment or pageref, or Postman
	// "Folder/Request › response name"; may be empty.
	Name string
	// Request: Method (upper case), URL (absolute as captured; Postman
	// {{variables}} left as they are), Header, Body (decoded text).
	Request harness.Request
	// Response is nil when the capture holds no response for it.
	Response *harness.Response
	// MimeType is the HAR response's content.mimeType (the type of the body
	// as the tool saw it), which may be set when no Content-Type header was
	// captured; no header is invented from it. Empty for Postman.
	MimeType string
	// StartedAt and Elapsed are the HAR entry's startedDateTime and time
	// (Postman: responseTime); zero when the capture does not say.
	StartedAt time.Time
	Elapsed   time.Duration

	// What the capture did not keep. The audit skips checks that need it,
	// never fails them. See the package documentation for the rules.
	BodyCaptured    bool
	HeadersCaptured bool
	// Uncaptured says why BodyCaptured is false when the source knows (a
	// live proxy's size bound); "" reads "body not captured". NoResponse
	// says why Response is nil (an upstream that reset or did not answer);
	// "" reads "the capture holds no response". Neither is read from a file
	// nor written to one.
	Uncaptured, NoResponse string
	// Problem is set when this entry could not be decoded (bad base64,
	// corrupt gzip...): the entry is still delivered, with a message naming
	// what failed; the file goes on.
	Problem string
}

// Error names the file and, when it is about one entry, the entry index (-1
// otherwise).
type Error struct {
	File  string
	Index int
	Err   error
}

func (e *Error) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("%s: entry %d: %v", e.File, e.Index, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Errors an *Error may wrap, for errors.Is.
var (
	ErrNotCapture = errors.New("not a HAR 1.2 file nor a Postman v2.1 collection")
	ErrEmpty      = errors.New("empty file")
	ErrTruncated  = errors.New("truncated JSON")
	ErrTooLarge   = errors.New("larger than the size limit")
)

// Read streams the entries of one file to fn, in order, without loading the
// file whole. The format is detected from the content: HAR 1.2
// ({"log":{..."entries":[...]}}) or a Postman collection v2.1
// ({"info":{"schema":"...v2.1.0..."},"item":[...]} with saved responses). It
// returns an *Error for unreadable input, and what fn returns as it is (fn's
// error stops the read).
func Read(path string, fn func(Entry) error) error {
	f, err := os.Open(path)
	if err != nil {
		return &Error{File: path, Index: -1, Err: err}
	}
	defer f.Close()
	return ReadReader(path, f, fn)
}

// ReadReader is Read on an open stream (name is used in errors).
func ReadReader(name string, r io.Reader, fn func(Entry) error) error {
	return readReader(name, r, fn, nil)
}

// readReader is ReadReader; with lazy, the fast path hands entries to it
// undecoded (the slow path still decodes them and hands them to fn).
func readReader(name string, r io.Reader, fn func(Entry) error, lazy func(*Pending) error) error {
	rs, seekable := r.(io.ReadSeeker)
	var start int64
	if seekable {
		var err error
		start, err = rs.Seek(0, io.SeekCurrent)
		seekable = err == nil
	}
	s := newStream(name, r, fn)
	s.fast = seekable
	s.lazy = lazy
	err := s.run()
	if err == nil || s.stopped != nil || !s.fastUsed {
		return err
	}
	// The fast reader met what it leaves to encoding/json: the file is read
	// again by the slow path, which delivers only the entries not yet
	// delivered and says what is wrong in its own words.
	if _, err := rs.Seek(start, io.SeekStart); err != nil {
		return &Error{File: name, Index: -1, Err: err}
	}
	delivered := s.next
	return newStream(name, r, func(e Entry) error {
		if e.Index < delivered {
			return nil
		}
		return fn(e)
	}).run()
}

func newStream(name string, r io.Reader, fn func(Entry) error) *stream {
	lr := &budgetReader{r: r}
	return &stream{name: name, lr: lr, dec: json.NewDecoder(lr), fn: fn}
}

// budgetReader counts what the decoder reads and refuses to go further than
// limit: the stream sets limit to the decoder's position plus MaxEntryBytes
// before each value, so the budget is per value.
type budgetReader struct {
	r     io.Reader
	read  int64
	limit int64
}

var errBudget = errors.New("value over budget")

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.read >= b.limit {
		return 0, errBudget
	}
	if room := b.limit - b.read; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

// stream is one read of one file.
type stream struct {
	name string
	lr   *budgetReader
	dec  *json.Decoder
	fn   func(Entry) error
	// next is the index of the next entry to deliver.
	next int
	// stopped holds fn's error, returned as is.
	stopped error
	// fast: log.entries may be read by fastEntries (the input can be read
	// again); fastUsed: it was.
	fast, fastUsed bool
	// lazy, when set, is handed the fast path's entries undecoded.
	lazy func(*Pending) error
}

// reset gives the next value a fresh budget.
func (s *stream) reset() { s.lr.limit = s.dec.InputOffset() + MaxEntryBytes }

func (s *stream) fail(index int, err error) error {
	return &Error{File: s.name, Index: index, Err: err}
}

// jsonErr turns a decoding error into what the user reads.
func (s *stream) jsonErr(index int, err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.Is(err, errBudget):
		return s.fail(index, sizeError{MaxEntryBytes})
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return s.fail(index, ErrTruncated)
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return s.fail(index, fmt.Errorf("a JSON %s where an object belongs", typeErr.Value))
		}
		return s.fail(index, fmt.Errorf("%s: a JSON %s where %s belongs", field, typeErr.Value, kindName(typeErr.Type.Kind().String())))
	case errors.As(err, &syntaxErr):
		return s.fail(index, fmt.Errorf("invalid JSON at byte %d: %v", syntaxErr.Offset, err))
	}
	return s.fail(index, err)
}

// sizeError is a value over MaxEntryBytes; it is ErrTooLarge.
type sizeError struct{ limit int64 }

func (e sizeError) Error() string        { return "larger than " + sizeString(e.limit) }
func (e sizeError) Is(target error) bool { return target == ErrTooLarge }

func kindName(k string) string {
	switch k {
	case "int", "int64", "float64":
		return "a number"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "a boolean"
	}
	return "a " + k
}

func sizeString(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// token reads the next token of the envelope (outside any entry).
func (s *stream) token() (json.Token, error) {
	s.reset()
	t, err := s.dec.Token()
	if err != nil {
		return nil, s.jsonErr(-1, err)
	}
	return t, nil
}

// skip passes over one value token by token, so a large member that is
// neither entries nor items costs no memory beyond one string.
func (s *stream) skip() error {
	depth := 0
	for {
		t, err := s.token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// key reads the next member name of an object, or "" and false at its end.
func (s *stream) key() (string, bool, error) {
	t, err := s.token()
	if err != nil {
		return "", false, err
	}
	if d, ok := t.(json.Delim); ok && d == '}' {
		return "", false, nil
	}
	k, _ := t.(string)
	return k, true, nil
}

func (s *stream) run() error {
	s.reset()
	t, err := s.dec.Token()
	switch {
	case errors.Is(err, io.EOF):
		return s.fail(-1, ErrEmpty)
	case errors.Is(err, errBudget):
		return s.jsonErr(-1, err)
	case err != nil:
		return s.fail(-1, fmt.Errorf("%w (not JSON)", ErrNotCapture))
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return s.fail(-1, fmt.Errorf("%w (a JSON %s, not an object)", ErrNotCapture, jsonKind(t)))
	}
	var info *postmanInfo
	for {
		k, more, err := s.key()
		if err != nil {
			return err
		}
		if !more {
			break
		}
		switch k {
		case "log":
			return s.harLog()
		case "info":
			info = &postmanInfo{}
			s.reset()
			if err := s.dec.Decode(info); err != nil {
				return s.jsonErr(-1, fmt.Errorf("info: %w", err))
			}
			if err := info.check(); err != nil {
				return s.fail(-1, err)
			}
		case "item":
			if err := s.postmanItems(); err != nil {
				return err
			}
			return s.finishObject()
		default:
			if err := s.skip(); err != nil {
				return err
			}
		}
	}
	if info != nil {
		return s.fail(-1, errors.New("a Postman collection without an item array"))
	}
	return s.fail(-1, ErrNotCapture)
}

// finishObject reads (and skips) the members left in the current object.
func (s *stream) finishObject() error {
	for {
		_, more, err := s.key()
		if err != nil || !more {
			return err
		}
		if err := s.skip(); err != nil {
			return err
		}
	}
}

func jsonKind(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '[' {
			return "array"
		}
		return "object"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "value"
}

// deliverRaw hands one entry's bytes to lazy, undecoded.
func (s *stream) deliverRaw(raw []byte) error {
	p := &Pending{raw: raw}
	p.e.File, p.e.Index = s.name, s.next
	s.next++
	if err := s.lazy(p); err != nil {
		s.stopped = err
		return err
	}
	return nil
}

// deliver hands one entry to fn.
func (s *stream) deliver(e Entry) error {
	e.File = s.name
	e.Index = s.next
	s.next++
	if e.Request.Header == nil {
		e.Request.Header = http.Header{}
	}
	if err := s.fn(e); err != nil {
		s.stopped = err
		return err
	}
	return nil
}

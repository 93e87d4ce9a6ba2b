package capture

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/chconform/chconform/harness/fastschema"
)

// The fast HAR reader. encoding/json decodes a HAR entry at about 30 MB/s
// (a body is JSON inside a JSON string, scanned byte by byte by a state
// machine, then unquoted); the audit of a long capture spent most of its
// time there. Here an entry's extent is found with bytes.IndexByte over its
// strings, and the entry is decoded by a parser that knows the HAR shape.
//
// Its rule is to deliver exactly the Entry encoding/json would, or nothing:
// every shape it is not sure of (a null, a key that matches a field only by
// case folding or through an escape, a duplicate field, a number that does
// not fit, over-deep nesting) goes to json.Unmarshal for that entry, and any
// error at all (bad JSON, a truncated file, an entry past MaxEntryBytes)
// reads the file again with the encoding/json reader, skipping the entries
// already delivered, so errors keep their exact wording and byte offsets.
// That needs a reader that can seek back; any other stays on the slow path.

// fastChunk is the least room a read is given; the window doubles while an
// entry does not fit.
const fastChunk = 32 << 10

// fastMaxDepth is the nesting the fast parser handles itself; deeper
// entries (encoding/json refuses past 10000) go to encoding/json.
const fastMaxDepth = 512

// errReplay says the fast path met something it leaves to the slow one.
type errReplay struct{}

func (errReplay) Error() string { return "read again with encoding/json" }

// window is the unread part of the file, buf[pos:end].
type window struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	// base is the offset of buf[0] from where the window started.
	base int
}

// at is the offset of pos from where the window started.
func (w *window) at() int { return w.base + w.pos }

// more reads another chunk, keeping buf[pos:end]; false at the end of the
// file or on a read error (both mean the slow path decides).
func (w *window) more() bool {
	if w.eof {
		return false
	}
	if w.pos > 0 {
		w.end = copy(w.buf, w.buf[w.pos:w.end])
		w.base += w.pos
		w.pos = 0
	}
	if len(w.buf) > 16<<20 && w.end < 1<<20 {
		// Past a huge entry: give its memory back.
		w.buf = append(make([]byte, 0, 2<<20), w.buf[:w.end]...)[:2<<20]
	}
	if len(w.buf)-w.end < fastChunk {
		nb := make([]byte, max(min(2*len(w.buf), w.end+64<<20), w.end+2*fastChunk))
		copy(nb, w.buf[:w.end])
		w.buf = nb
	}
	for {
		n, err := w.r.Read(w.buf[w.end:])
		w.end += n
		if err != nil {
			w.eof = true
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// peek skips whitespace and returns the next byte (false at the end).
func (w *window) peek() (byte, bool) {
	for {
		for w.pos < w.end {
			switch c := w.buf[w.pos]; c {
			case ' ', '\t', '\n', '\r':
				w.pos++
			default:
				return c, true
			}
		}
		if !w.more() {
			return 0, false
		}
	}
}

// object returns the bytes of the JSON object at pos (buf[pos] is '{'), by
// its brackets outside strings: whether it is valid JSON is the parser's
// question. False when the file ends first or the object would be longer
// than limit.
func (w *window) object(limit int) ([]byte, bool) {
	depth, inStr := 0, false
	off := 0 // scanned so far, from pos
	for {
		b := w.buf[w.pos:w.end]
		for off < len(b) {
			if inStr {
				// To the quote that ends the string, past the escapes (a
				// body's quotes are all escaped: one every few bytes).
				k := fastschema.QuoteOrBackslash(b, off)
				if k >= len(b) {
					off = len(b)
					break
				}
				if b[k] == '\\' {
					off = k + 2 // may be past b: the next byte is read with more
					continue
				}
				off = k + 1
				inStr = false
				continue
			}
			switch b[off] {
			case '"':
				inStr = true
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					w.pos += off + 1
					return b[:off+1], true
				}
			}
			off++
		}
		if off > limit || !w.more() {
			return nil, false
		}
	}
}

// fastEntries streams the entries of log.entries after its '[', then hands
// the rest of the file back to the decoder.
func (s *stream) fastEntries() error {
	s.fastUsed = true
	src := io.MultiReader(s.dec.Buffered(), s.lr)
	s.lr.limit = math.MaxInt64
	w := &window{r: src}
	p := &fastParser{}
	first := true
	for {
		prev := w.at()
		c, ok := w.peek()
		if !ok {
			return errReplay{}
		}
		if c == ']' {
			w.pos++
			break
		}
		if !first {
			if c != ',' {
				return errReplay{}
			}
			w.pos++
			if c, ok = w.peek(); !ok || c != '{' {
				return errReplay{}
			}
		} else if c != '{' {
			return errReplay{}
		}
		first = false
		// The slow path's budget counts the separator too; an entry near the
		// limit is left to it whole.
		gap := w.at() - prev
		obj, ok := w.object(int(min(MaxEntryBytes, math.MaxInt32)) - gap - 64)
		if !ok || int64(len(obj)+gap+64) > MaxEntryBytes {
			return errReplay{}
		}
		if s.lazy != nil {
			// The window's memory is read into again: the entry keeps a copy.
			if err := s.deliverRaw(rawCopy(obj)); err != nil {
				return err
			}
			continue
		}
		he, ok := p.entry(obj)
		if !ok {
			he = nil
			if err := json.Unmarshal(obj, &he); err != nil || he == nil {
				return errReplay{}
			}
		}
		if err := s.deliver(he.entry()); err != nil {
			return err
		}
	}
	// What follows entries goes back to encoding/json: a decoder over the
	// rest, primed with an envelope that leaves it where the slow path would
	// be (after log.entries, inside log, inside the file's object).
	const prime = `{"":{"":[]`
	rest := io.MultiReader(strings.NewReader(prime), bytes.NewReader(w.buf[w.pos:w.end]), src)
	if w.eof {
		rest = io.MultiReader(strings.NewReader(prime), bytes.NewReader(w.buf[w.pos:w.end]))
	}
	s.lr = &budgetReader{r: rest}
	s.dec = json.NewDecoder(s.lr)
	for range 6 {
		if _, err := s.token(); err != nil {
			return errReplay{}
		}
	}
	return nil
}

// fastParser decodes one HAR entry's bytes into a harEntry as
// encoding/json would, or says it will not (false).
type fastParser struct {
	d       []byte
	scratch []byte
}

func (p *fastParser) entry(d []byte) (*harEntry, bool) {
	p.d = d
	if cap(p.scratch) > 4<<20 {
		p.scratch = nil // one huge escaped body is no reason to keep its memory
	}
	he := &harEntry{}
	end, ok := p.object(0, 1, entryFields, func(k int, i int) (int, bool) {
		switch k {
		case 0:
			return p.str(i, &he.PageRef)
		case 1:
			return p.str(i, &he.StartedDateTime)
		case 2:
			return p.float(i, &he.Time)
		case 3:
			return p.request(i, &he.Request)
		case 4:
			if p.at(i) != '{' {
				return i, false
			}
			he.Response = &harResponse{}
			return p.response(i, he.Response)
		case 5: // cache: any object
			if p.at(i) != '{' {
				return i, false
			}
			return p.skip(i, 2)
		case 6:
			return p.object(i, 2, timingFields, func(k int, i int) (int, bool) {
				return p.float(i, []*float64{&he.Timings.Send, &he.Timings.Wait, &he.Timings.Receive}[k])
			})
		case 7:
			return p.str(i, &he.Comment)
		case 8:
			return p.str(i, &he.Error)
		case 9:
			he.Problem = new(string)
			return p.str(i, he.Problem)
		}
		return i, false
	})
	if !ok || p.ws(end) != len(d) {
		return nil, false
	}
	return he, true
}

var (
	entryFields    = []string{"pageref", "startedDateTime", "time", "request", "response", "cache", "timings", "comment", "_error", "_problem"}
	timingFields   = []string{"send", "wait", "receive"}
	requestFields  = []string{"method", "url", "httpVersion", "headers", "queryString", "cookies", "headersSize", "bodySize", "postData"}
	responseFields = []string{"status", "statusText", "httpVersion", "headers", "cookies", "content", "redirectURL", "headersSize", "bodySize"}
	nvFields       = []string{"name", "value"}
	postDataFields = []string{"mimeType", "text", "params", "_encoding"}
	paramFields    = []string{"name", "value", "fileName", "contentType"}
	contentFields  = []string{"size", "mimeType", "text", "encoding", "_decoded", "_truncated"}
)

func (p *fastParser) request(i int, r *harRequest) (int, bool) {
	var scratch string
	var n int64
	return p.object(i, 2, requestFields, func(k int, i int) (int, bool) {
		switch k {
		case 0:
			return p.str(i, &r.Method)
		case 1:
			return p.str(i, &r.URL)
		case 2:
			return p.str(i, &scratch)
		case 3:
			return p.nvs(i, &r.Headers)
		case 4, 5:
			var drop []harNV
			return p.nvs(i, &drop)
		case 6, 7:
			return p.int(i, &n)
		case 8:
			if p.at(i) != '{' {
				return i, false
			}
			r.PostData = &harPostData{}
			return p.postData(i, r.PostData)
		}
		return i, false
	})
}

func (p *fastParser) response(i int, r *harResponse) (int, bool) {
	var scratch string
	var n int64
	return p.object(i, 2, responseFields, func(k int, i int) (int, bool) {
		switch k {
		case 0:
			end, ok := p.int(i, &n)
			r.Status = int(n)
			return end, ok
		case 1, 2, 6:
			return p.str(i, &scratch)
		case 3:
			return p.nvs(i, &r.Headers)
		case 4:
			var drop []harNV
			return p.nvs(i, &drop)
		case 5:
			return p.content(i, &r.Content)
		case 7:
			return p.int(i, &n)
		case 8:
			return p.int(i, &r.BodySize)
		}
		return i, false
	})
}

func (p *fastParser) content(i int, c *harContent) (int, bool) {
	return p.object(i, 3, contentFields, func(k int, i int) (int, bool) {
		switch k {
		case 0:
			c.Size = new(int64)
			return p.int(i, c.Size)
		case 1:
			return p.str(i, &c.MimeType)
		case 2:
			if p.at(i) != '"' {
				return i, false
			}
			end, b, ok := p.scanBytes(i)
			c.raw = b
			return end, ok
		case 3:
			return p.str(i, &c.Encoding)
		case 4:
			return p.bool(i, &c.Decoded)
		case 5:
			return p.bool(i, &c.Truncated)
		}
		return i, false
	})
}

func (p *fastParser) postData(i int, d *harPostData) (int, bool) {
	return p.object(i, 3, postDataFields, func(k int, i int) (int, bool) {
		switch k {
		case 0:
			return p.str(i, &d.MimeType)
		case 1:
			d.Text = new(string)
			return p.str(i, d.Text)
		case 2:
			return p.array(i, 4, func(i int) (int, bool) {
				var prm harParam
				end, ok := p.object(i, 5, paramFields, func(k int, i int) (int, bool) {
					return p.str(i, []*string{&prm.Name, &prm.Value, &prm.FileName, &prm.ContentType}[k])
				})
				d.Params = append(d.Params, prm)
				return end, ok
			}, func() { d.Params = []harParam{} })
		case 3:
			return p.str(i, &d.Encoding)
		}
		return i, false
	})
}

// nvs reads [{name, value}...].
func (p *fastParser) nvs(i int, out *[]harNV) (int, bool) {
	return p.array(i, 3, func(i int) (int, bool) {
		var nv harNV
		end, ok := p.object(i, 4, nvFields, func(k int, i int) (int, bool) {
			if k == 0 {
				return p.str(i, &nv.Name)
			}
			return p.str(i, &nv.Value)
		})
		*out = append(*out, nv)
		return end, ok
	}, func() { *out = []harNV{} })
}

func (p *fastParser) at(i int) byte {
	if i < len(p.d) {
		return p.d[i]
	}
	return 0
}

func (p *fastParser) ws(i int) int {
	for i < len(p.d) {
		switch p.d[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// object reads an object (i at its '{') whose known member names are
// fields, calling member with the field's index and the value's start.
// Unknown members are checked and skipped; a name that is a field only by
// encoding/json's case folding or through an escape, or a field given
// twice, is left to encoding/json.
func (p *fastParser) object(i, depth int, fields []string, member func(k, i int) (int, bool)) (int, bool) {
	if p.at(i) != '{' || depth > fastMaxDepth {
		return i, false
	}
	var seen uint32
	i = p.ws(i + 1)
	if p.at(i) == '}' {
		return i + 1, true
	}
	for {
		if p.at(i) != '"' {
			return i, false
		}
		start := i + 1
		end := start
		for end < len(p.d) && p.d[end] != '"' {
			if c := p.d[end]; c == '\\' || c < ' ' || c >= utf8.RuneSelf {
				return i, false
			}
			end++
		}
		if end >= len(p.d) {
			return i, false
		}
		name := p.d[start:end]
		i = p.ws(end + 1)
		if p.at(i) != ':' {
			return i, false
		}
		i = p.ws(i + 1)
		k := -1
		for j, f := range fields {
			if string(name) == f {
				k = j
				break
			}
			if bytes.EqualFold(name, []byte(f)) {
				return i, false
			}
		}
		var ok bool
		if k < 0 {
			i, ok = p.skip(i, depth+1)
		} else {
			if seen&(1<<k) != 0 {
				return i, false
			}
			seen |= 1 << k
			i, ok = member(k, i)
		}
		if !ok {
			return i, false
		}
		i = p.ws(i)
		switch p.at(i) {
		case ',':
			i = p.ws(i + 1)
		case '}':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// array reads an array of objects (i at its '['), calling elem on each;
// empty is called for [] (encoding/json's empty, non-nil slice).
func (p *fastParser) array(i, depth int, elem func(i int) (int, bool), empty func()) (int, bool) {
	if p.at(i) != '[' || depth > fastMaxDepth {
		return i, false
	}
	i = p.ws(i + 1)
	if p.at(i) == ']' {
		empty()
		return i + 1, true
	}
	for {
		if p.at(i) != '{' {
			return i, false
		}
		var ok bool
		if i, ok = elem(i); !ok {
			return i, false
		}
		i = p.ws(i)
		switch p.at(i) {
		case ',':
			i = p.ws(i + 1)
		case ']':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// skip checks one value of any kind and returns its end.
func (p *fastParser) skip(i, depth int) (int, bool) {
	if depth > fastMaxDepth {
		return i, false
	}
	switch c := p.at(i); {
	case c == '{':
		return p.object(i, depth, nil, nil)
	case c == '[':
		i = p.ws(i + 1)
		if p.at(i) == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = p.skip(i, depth+1); !ok {
				return i, false
			}
			i = p.ws(i)
			switch p.at(i) {
			case ',':
				i = p.ws(i + 1)
			case ']':
				return i + 1, true
			default:
				return i, false
			}
		}
	case c == '"':
		end, _, ok := p.scanString(i, false)
		return end, ok
	case c == 't':
		return p.lit(i, "true")
	case c == 'f':
		return p.lit(i, "false")
	case c == 'n':
		return p.lit(i, "null")
	default:
		return p.number(i)
	}
}

func (p *fastParser) lit(i int, s string) (int, bool) {
	if len(p.d)-i >= len(s) && string(p.d[i:i+len(s)]) == s {
		return i + len(s), true
	}
	return i, false
}

// number checks the JSON number grammar.
func (p *fastParser) number(i int) (int, bool) {
	d := p.d
	if p.at(i) == '-' {
		i++
	}
	switch {
	case p.at(i) == '0':
		i++
	case p.at(i) >= '1' && p.at(i) <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		return i, false
	}
	if p.at(i) == '.' {
		i++
		if !(p.at(i) >= '0' && p.at(i) <= '9') {
			return i, false
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	if c := p.at(i); c == 'e' || c == 'E' {
		i++
		if c := p.at(i); c == '+' || c == '-' {
			i++
		}
		if !(p.at(i) >= '0' && p.at(i) <= '9') {
			return i, false
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	return i, true
}

func (p *fastParser) int(i int, out *int64) (int, bool) {
	end, ok := p.number(i)
	if !ok {
		return i, false
	}
	n, err := strconv.ParseInt(string(p.d[i:end]), 10, 64)
	if err != nil {
		return i, false
	}
	*out = n
	return end, true
}

func (p *fastParser) float(i int, out *float64) (int, bool) {
	end, ok := p.number(i)
	if !ok {
		return i, false
	}
	f, err := strconv.ParseFloat(string(p.d[i:end]), 64)
	if err != nil {
		return i, false
	}
	*out = f
	return end, true
}

func (p *fastParser) bool(i int, out *bool) (int, bool) {
	if end, ok := p.lit(i, "true"); ok {
		*out = true
		return end, true
	}
	if end, ok := p.lit(i, "false"); ok {
		*out = false
		return end, true
	}
	return i, false
}

func (p *fastParser) str(i int, out *string) (int, bool) {
	if p.at(i) != '"' {
		return i, false
	}
	end, s, ok := p.scanString(i, true)
	if ok {
		*out = s
	}
	return end, ok
}

// scanString checks the string at i (its opening quote) and, when decode is
// set, unquotes it as encoding/json's unquoteBytes does: invalid UTF-8 and
// lone surrogates become U+FFFD.
func (p *fastParser) scanString(i int, decode bool) (int, string, bool) {
	d := p.d
	r := fastschema.PlainEnd(d, i+1)
	if r < len(d) && d[r] == '"' {
		if decode {
			return r + 1, string(d[i+1 : r]), true
		}
		return r + 1, "", true
	}
	b := append(p.scratch[:0], d[i+1:r]...)
	for r < len(d) {
		switch c := d[r]; {
		case c == '"':
			p.scratch = b
			if !decode {
				return r + 1, "", true
			}
			return r + 1, string(b), true
		case c == '\\':
			if r+1 >= len(d) {
				return r, "", false
			}
			switch d[r+1] {
			case '"', '\\', '/':
				b = append(b, d[r+1])
				r += 2
			case 'b':
				b = append(b, '\b')
				r += 2
			case 'f':
				b = append(b, '\f')
				r += 2
			case 'n':
				b = append(b, '\n')
				r += 2
			case 'r':
				b = append(b, '\r')
				r += 2
			case 't':
				b = append(b, '\t')
				r += 2
			case 'u':
				rr := getu4(d[r:])
				if rr < 0 {
					return r, "", false
				}
				r += 6
				if utf16.IsSurrogate(rr) {
					rr1 := getu4(d[r:])
					if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
						r += 6
						b = utf8.AppendRune(b, dec)
						break
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
			default:
				return r, "", false
			}
		case c < ' ':
			return r, "", false
		case c < utf8.RuneSelf:
			// A run of plain ASCII at once.
			j := fastschema.PlainEnd(d, r+1)
			b = append(b, d[r:j]...)
			r = j
		default:
			rr, size := utf8.DecodeRune(d[r:])
			r += size
			b = utf8.AppendRune(b, rr)
		}
	}
	p.scratch = b
	return r, "", false
}

// scanBytes is scanString's decoding into a slice of its own (never nil),
// for a body: one copy of it, not two. The slice comes from the pool of
// entry memory (Recycle gives it back).
func (p *fastParser) scanBytes(i int) (int, []byte, bool) {
	d := p.d
	r := fastschema.PlainEnd(d, i+1)
	if r < len(d) && d[r] == '"' {
		return r + 1, append(bodyBuf(r-i-1), d[i+1:r]...), true
	}
	saved := p.scratch
	p.scratch = bodyBuf(len(d) - i)
	end, _, ok := p.scanString(i, false)
	b := p.scratch
	p.scratch = saved
	return end, b, ok
}

// getu4 is encoding/json's: the rune of \uXXXX at the start of s, or -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c = c - '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

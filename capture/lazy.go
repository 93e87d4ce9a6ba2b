package capture

import (
	"encoding/json"
	"math/bits"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
)

// Pending is one entry of a capture whose extent is known but which may not
// be decoded yet: decoding (HAR's JSON-in-JSON bodies unescaped, base64,
// decompression) is most of reading a capture, and a reader that only finds
// entries leaves that to whoever judges them, on other cores.
type Pending struct {
	raw   []byte
	e     Entry
	ready bool
}

// Decoded is an entry already decoded, as a Pending.
func Decoded(e Entry) *Pending { return &Pending{e: e, ready: true} }

// Index is the entry's place in its file.
func (p *Pending) Index() int { return p.e.Index }

// Size is about what the entry holds in memory, before or after decoding.
func (p *Pending) Size() int64 {
	if !p.ready {
		// The decoded bodies are at most as long as their JSON strings.
		return int64(cap(p.raw)) + 512
	}
	n := int64(len(p.e.Request.Body) + len(p.e.Request.URL) + 512)
	if p.e.Response != nil {
		n += int64(len(p.e.Response.Body))
	}
	return n
}

var parsers = sync.Pool{New: func() any { return &fastParser{} }}

// raws are the memory of entries decoded, by size class (a power of two
// from 4 KiB to maxPooledRaw): the reader copies each entry out of its
// window, and a new slice for every one would double what the collector
// has to keep up with. Nothing decoded refers to it.
var raws [9]sync.Pool

// maxPooledRaw is the largest entry whose memory is used again.
const maxPooledRaw = 1 << 20

// rawClass is the size class of n bytes (-1: too large to pool).
func rawClass(n int) int {
	if n <= 0 || n > maxPooledRaw {
		return -1
	}
	return max(0, bits.Len(uint(n-1))-12)
}

// rawCopy is a copy of b in pooled memory.
func rawCopy(b []byte) []byte { return append(bodyBuf(len(b)), b...) }

// bodyBuf is an empty slice with room for n bytes, from the pool when n
// fits a size class: the answers' bodies decoded from a capture were two
// thirds of all an audit allocated (profile of the 10,000-entry capture),
// and fresh memory for each is page faults and collector work, on every
// core at once.
func bodyBuf(n int) []byte {
	c := rawClass(n)
	if c < 0 {
		return make([]byte, 0, max(n, 0))
	}
	if r, ok := raws[c].Get().(*[]byte); ok {
		return (*r)[:0]
	}
	return make([]byte, 0, 4<<10<<c)
}

// Recycle gives the memory of e's answer body back to the pool the next
// entries' bodies come from, and takes the body from e. Call it only once
// nothing will read the body again, through e or through anything made
// from it without a copy: an audit calls it after the entry is added to the
// audit, whose reports, drift and transcripts copy what they keep of a
// body (audit's TestTheFastReaderAndWorkersWriteTheSameReports audits with
// every recycled body overwritten, PoisonRecycled).
func Recycle(e *Entry) {
	if e.Response == nil || e.Response.Body == nil {
		return
	}
	b := e.Response.Body
	e.Response.Body = nil
	if poisonRecycled.Load() {
		full := b[:cap(b)]
		for i := range full {
			full[i] = '#'
		}
	}
	release(b)
}

var poisonRecycled atomic.Bool

// PoisonRecycled makes Recycle overwrite every body it takes, for tests: a
// report that still pointed into a recycled body would show '#'s where the
// body was. The function returned restores the setting.
func PoisonRecycled(on bool) (restore func()) {
	old := poisonRecycled.Swap(on)
	return func() { poisonRecycled.Store(old) }
}

// release gives raw's memory back for the next entries.
func release(raw []byte) {
	if c := rawClass(cap(raw)); c >= 0 && cap(raw) == 4<<10<<c {
		raws[c].Put(&raw)
	}
}

// Decode returns the entry as Read would deliver it. False: the entry's
// bytes are no JSON object encoding/json accepts, and Read would stop there
// with an error (read the file again with Read, from Index, for its words).
func (p *Pending) Decode() (Entry, bool) {
	if p.ready {
		return p.e, true
	}
	fp := parsers.Get().(*fastParser)
	he, ok := fp.entry(p.raw)
	fp.d = nil
	parsers.Put(fp)
	if !ok {
		he = nil
		if err := json.Unmarshal(p.raw, &he); err != nil || he == nil {
			return Entry{}, false
		}
	}
	release(p.raw)
	e := he.entry()
	e.File, e.Index = p.e.File, p.e.Index
	if e.Request.Header == nil {
		e.Request.Header = http.Header{}
	}
	p.raw, p.e, p.ready = nil, e, true
	return e, true
}

// ReadLazy is Read handing fn each entry before it is decoded, in order.
// Read's errors about the file's shape (truncated, too large) come as
// Read's; an entry Decode refuses is not one of them.
func ReadLazy(path string, fn func(*Pending) error) error {
	f, err := os.Open(path)
	if err != nil {
		return &Error{File: path, Index: -1, Err: err}
	}
	defer f.Close()
	return readReader(path, f, func(e Entry) error { return fn(Decoded(e)) }, fn)
}

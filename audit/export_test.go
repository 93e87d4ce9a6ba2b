package audit

import (
	"io"
	"os"

	"github.com/chconform/chconform/capture"
)

// UseEncodingJSONReader makes a read its captures with capture's
// encoding/json reader (the reader the fast one must agree with): a file
// that cannot seek back is never read by the fast path.
func UseEncodingJSONReader(a *Auditor) {
	a.read = func(path string, fn func(capture.Entry) error) error {
		f, err := os.Open(path)
		if err != nil {
			return capture.Read(path, fn)
		}
		defer f.Close()
		return capture.ReadReader(path, struct{ io.Reader }{f}, fn)
	}
	a.readLazy = func(path string, fn func(*capture.Pending) error) error {
		return a.read(path, func(e capture.Entry) error { return fn(capture.Decoded(e)) })
	}
}

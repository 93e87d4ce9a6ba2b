package capture

// TEMPORARY stub (lead): replaced by the capture helper's package at merge.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/chconform/chconform/harness"
)

type Entry struct {
	File            string
	Index           int
	Name            string
	Request         harness.Request
	Response        *harness.Response
	BodyCaptured    bool
	HeadersCaptured bool
	MimeType        string
	Problem         string
	StartedAt       time.Time
	Elapsed         time.Duration
}

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

func Read(path string, fn func(Entry) error) error {
	f, err := os.Open(path)
	if err != nil {
		return &Error{File: path, Index: -1, Err: err}
	}
	defer f.Close()
	return ReadReader(path, f, fn)
}

func ReadReader(name string, r io.Reader, fn func(Entry) error) error {
	var h struct {
		Log struct {
			Entries []struct {
				Comment string
				Request struct {
					Method   string
					URL      string
					Headers  []struct{ Name, Value string }
					PostData *struct{ Text string }
				}
				Response struct {
					Status  int
					Headers []struct{ Name, Value string }
					Content struct {
						Text     *string
						MimeType string
						Size     int
					}
				}
			}
		}
	}
	if err := json.NewDecoder(r).Decode(&h); err != nil {
		return &Error{File: name, Index: -1, Err: err}
	}
	for i, e := range h.Log.Entries {
		req := harness.Request{Method: strings.ToUpper(e.Request.Method), URL: e.Request.URL, Header: http.Header{}}
		for _, kv := range e.Request.Headers {
			req.Header.Add(kv.Name, kv.Value)
		}
		if e.Request.PostData != nil {
			req.Body = []byte(e.Request.PostData.Text)
		}
		resp := &harness.Response{Status: e.Response.Status, Header: http.Header{}}
		for _, kv := range e.Response.Headers {
			resp.Header.Add(kv.Name, kv.Value)
		}
		en := Entry{File: name, Index: i, Name: e.Comment, Request: req, Response: resp,
			HeadersCaptured: len(e.Response.Headers) > 0, MimeType: e.Response.Content.MimeType}
		if e.Response.Content.Text != nil {
			resp.Body = []byte(*e.Response.Content.Text)
			en.BodyCaptured = true
		}
		if err := fn(en); err != nil {
			return err
		}
	}
	return nil
}

package harness

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// The in-process transport must hand the client what net/http's server
// sends for the same handler: otherwise a check could pass in process and
// fail over a socket (a sniffed Content-Type, a missing Content-Length).
func TestHandlerTransportAnswersAsTheSocketDoes(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 5000)
	handlers := map[string]http.HandlerFunc{
		"json with its type": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"success": true}`)
		},
		"no type: sniffed": func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"success": true}`)
		},
		"empty 200": func(w http.ResponseWriter, r *http.Request) {},
		"204 with a body written": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "3")
			w.WriteHeader(http.StatusNoContent)
			io.WriteString(w, "abc")
		},
		"304 with a type": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotModified)
		},
		"large: chunked": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTeapot)
			io.WriteString(w, big)
		},
		"echo of what the handler saw": func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, strings.Join([]string{r.Method, r.RequestURI, r.URL.String(), r.Host, r.Header.Get("Content-Length"),
				r.Header.Get("User-Agent"), r.Header.Get("X-Probe"), string(body)}, "|"))
		},
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(h)
			defer srv.Close()
			send := func(rt http.RoundTripper, base, method string) (*http.Response, string) {
				req, err := http.NewRequest(method, base+"/api/me?x=1", strings.NewReader(`{"a":1}`))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("X-Probe", "p")
				req.Host = "example.test"
				resp, err := (&http.Client{Transport: rt}).Do(req)
				if err != nil {
					t.Fatalf("%s: %v", method, err)
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				if err != nil {
					t.Fatalf("%s: reading the body: %v", method, err)
				}
				return resp, string(body)
			}
			for _, method := range []string{http.MethodPost, http.MethodHead} {
				want, wantBody := send(http.DefaultTransport, srv.URL, method)
				got, gotBody := send(HandlerTransport{Handler: h}, "http://in-process.test", method)
				if got.StatusCode != want.StatusCode || gotBody != wantBody || got.ContentLength != want.ContentLength ||
					!slices.Equal(got.TransferEncoding, want.TransferEncoding) {
					t.Errorf("%s: in process %d %q (length %d, %v), over a socket %d %q (length %d, %v)", method,
						got.StatusCode, gotBody, got.ContentLength, got.TransferEncoding,
						want.StatusCode, wantBody, want.ContentLength, want.TransferEncoding)
				}
				want.Header.Del("Date")
				if got.Header.Get("Date") == "" {
					t.Errorf("%s: no Date header in process", method)
				}
				got.Header.Del("Date")
				for k := range want.Header {
					if !slices.Equal(got.Header[k], want.Header[k]) {
						t.Errorf("%s: header %s in process %q, over a socket %q", method, k, got.Header[k], want.Header[k])
					}
				}
				for k := range got.Header {
					if _, ok := want.Header[k]; !ok {
						t.Errorf("%s: header %s only in process: %q", method, k, got.Header[k])
					}
				}
			}
		})
	}
}

// A handler that never stops writing must not hold the client past its
// context, and its own writes must fail once the client is gone.
func TestHandlerTransportStopsAnEndlessHandler(t *testing.T) {
	t.Parallel()
	stopped := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("y", 4096))
		for {
			if _, err := w.Write(chunk); err != nil {
				stopped <- err
				return
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://in-process.test/", nil)
	resp, err := HandlerTransport{Handler: h}.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("reading an endless body ended with %v, want the context's deadline", err)
	}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Error("the handler kept writing after the client gave up")
	}
}

// A handler that panics leaves the client an error, as a server closing
// the connection does, never a made-up response.
func TestHandlerTransportPanicIsATransportError(t *testing.T) {
	t.Parallel()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	req, _ := http.NewRequest(http.MethodGet, "http://in-process.test/", nil)
	resp, err := HandlerTransport{Handler: h}.RoundTrip(req)
	if err == nil || !strings.Contains(err.Error(), "panicked: boom") {
		t.Errorf("got %v, %v; want the panic as an error", resp, err)
	}
	// A handler that returns normally gives a response.
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	resp, err = HandlerTransport{Handler: ok}.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Errorf("got %v, %v; want 202", resp, err)
	}
}

package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/jarcoal/httpmock"
	"sigs.k8s.io/yaml"
)

// FixturesBaseURL is where the fixture target pretends to live. httpmock
// answers for it; nothing is ever sent on the network.
const FixturesBaseURL = "http://fixtures.chconform.invalid/api"

// ErrNoFixture marks a request that no recorded exchange answers: the spec
// that sent it is unsupported on the fixture target, never passed.
var ErrNoFixture = errors.New("no fixture")

// Fixture is one recorded exchange: what was asked and what came back. It is
// stored as YAML under fixtures/<operationId>/, secrets replaced by the
// placeholders the Redactor writes ("<auth_token:waitlisted>").
type Fixture struct {
	// Description says in one sentence what the exchange shows.
	Description string `json:"description"`
	// Example names the contract example this exchange reproduces, if any.
	Example  string          `json:"example,omitempty"`
	Request  FixtureRequest  `json:"request"`
	Response FixtureResponse `json:"response"`

	file string
}

// FixtureRequest is what a request must look like to get the recorded
// response. Only what is written is compared: a fixture without headers
// answers any headers. A header written with an empty value must be absent.
type FixtureRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   map[string]string `json:"query,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	// Body is compared as JSON when it is JSON, byte for byte otherwise.
	Body string `json:"body,omitempty"`
}

// FixtureResponse is the recorded answer.
type FixtureResponse struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
}

// File is the fixture's path inside the fixture folder.
func (f *Fixture) File() string { return f.file }

// constraints counts what the fixture compares, so that the most specific
// fixture answers when several match (the waitlisted account's request
// matches the ordinary fixture too, minus its Authorization).
func (f *Fixture) constraints() int {
	n := len(f.Request.Headers) + len(f.Request.Query)
	if f.Request.Query != nil {
		n++ // an explicit empty query says "no parameters"
	}
	if f.Request.Body != "" {
		n++
	}
	return n
}

// LoadFixtures reads every fixtures/<operationId>/*.yaml file.
func LoadFixtures(fsys fs.FS) ([]*Fixture, error) {
	var out []*Fixture
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || (path.Ext(p) != ".yaml" && path.Ext(p) != ".yml") {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		f := &Fixture{file: p}
		if err := yaml.UnmarshalStrict(data, f); err != nil {
			return fmt.Errorf("fixture %s: %w", p, err)
		}
		if f.Request.Method == "" || f.Request.Path == "" || f.Response.Status == 0 {
			return fmt.Errorf("fixture %s: request.method, request.path and response.status are required", p)
		}
		f.Request.Method = strings.ToUpper(f.Request.Method)
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].file < out[j].file })
	return out, checkAmbiguity(out)
}

// checkAmbiguity refuses two fixtures that would answer the same request with
// the same specificity: which one answers would be an accident of ordering.
func checkAmbiguity(fixtures []*Fixture) error {
	seen := map[string]string{}
	for _, f := range fixtures {
		key, _ := json.Marshal(f.Request)
		if other, dup := seen[string(key)]; dup {
			return fmt.Errorf("fixtures %s and %s record the same request", other, f.file)
		}
		seen[string(key)] = f.file
	}
	return nil
}

// FixtureTransport answers requests from the fixtures through httpmock: one
// matcher per fixture, ordered so the most specific fixture is tried first.
// The redactor turns incoming secrets into the placeholders fixtures hold.
func FixtureTransport(fixtures []*Fixture, redact *Redactor) http.RoundTripper {
	mt := httpmock.NewMockTransport()
	base := strings.TrimSuffix(FixturesBaseURL, "/")
	basePath := strings.TrimPrefix(base, "http://fixtures.chconform.invalid")
	for _, f := range fixtures {
		f := f
		// httpmock orders matchers by name: the name sorts the most specific
		// fixture first, then by file for a stable order.
		name := fmt.Sprintf("%04d %s", 9999-f.constraints(), f.file)
		matcher := httpmock.NewMatcher(name, func(req *http.Request) bool { return f.matches(req, redact) })
		mt.RegisterMatcherResponder(f.Request.Method, base+f.Request.Path, matcher, f.respond)
	}
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("%w recorded for %s %s", ErrNoFixture, req.Method, strings.TrimPrefix(req.URL.Path, basePath))
	})
	return mt
}

func (f *Fixture) matches(req *http.Request, redact *Redactor) bool {
	if f.Request.Query != nil {
		q := req.URL.Query()
		if len(q) != len(f.Request.Query) {
			return false
		}
		for k, want := range f.Request.Query {
			if redact.String(q.Get(k)) != want {
				return false
			}
		}
	}
	for name, want := range f.Request.Headers {
		got := req.Header.Get(name)
		if name == "Authorization" || http.CanonicalHeaderKey(name) == "Authorization" {
			got = redact.authorization(got)
			if req.Header.Get(name) == "" {
				got = ""
			}
		} else {
			got = redact.String(got)
		}
		if got != want {
			return false
		}
	}
	if f.Request.Body == "" {
		return true
	}
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	// Both sides masked: a fixture recorded before the redactor knew a form
	// (a verification code, a renamed token field) still matches.
	return sameBody(redact.Body(body), redact.Body([]byte(f.Request.Body)))
}

// sameBody compares JSON by value (key order and spacing do not matter) and
// anything else byte for byte.
func sameBody(got, want []byte) bool {
	var g, w any
	if json.Unmarshal(want, &w) == nil {
		return json.Unmarshal(got, &g) == nil && reflect.DeepEqual(g, w)
	}
	return bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want))
}

func (f *Fixture) respond(req *http.Request) (*http.Response, error) {
	body := []byte(f.Response.Body)
	resp := httpmock.NewBytesResponse(f.Response.Status, body)
	for name, value := range f.Response.Headers {
		resp.Header.Set(name, value)
	}
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp.ContentLength = int64(len(body))
	resp.Request = req
	return resp, nil
}

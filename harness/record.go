package harness

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/yaml"
)

// RecordedRequestHeaders are the request headers a recorded fixture
// constrains, as cmd/chfixtures writes them: the credentials (masked to their
// placeholder) and the app headers whose absence changes the answer. A header
// the request did not carry is written empty: it must be absent on replay.
var RecordedRequestHeaders = []string{"Authorization", "CH-AppBuild", "CH-AppVersion", "CH-Locale"}

// droppedResponseHeaders are not recorded: they describe the connection or
// the moment, not the answer, or they may carry a session.
var droppedResponseHeaders = map[string]bool{
	"Connection": true, "Content-Length": true, "Date": true, "Keep-Alive": true,
	"Transfer-Encoding": true, "Set-Cookie": true, "Proxy-Connection": true, "Trailer": true, "Upgrade": true,
}

// markerDir holds one empty file per recorded request (named by the hash of
// the redacted request), created with O_EXCL so that parallel processes
// recording into one folder never write two fixtures for the same request.
const markerDir = ".chconform-record"

// ErrUnrecordable marks an exchange the fixture format cannot hold faithfully
// (a body that is not valid UTF-8 text): it is left out of the recording.
var ErrUnrecordable = errors.New("not recordable as a fixture")

// Tape writes the exchanges of a run as fixtures in the project's format
// (record mode, CH_RECORD): fixtures/<operationId>/<status>-<spec-slug>-<n>.yaml,
// secrets masked by the run's Redactor. The first exchange of a request is
// kept; a later identical request (after masking) is not written again, since
// two fixtures recording the same request are ambiguous and LoadFixtures
// refuses them. It is safe for concurrent use, also across processes.
type Tape struct {
	dir      string
	basePath string
	base     string // the base URL as fixtures describe it (no credentials)
	redact   *Redactor

	mu   sync.Mutex
	seen map[string]bool
	log  ExchangeLog
}

// ExchangeLog receives every exchange a Tape is given, masked as the fixtures
// are, in the order they come: the run log of record mode (capture.RunLog
// writes it as <dir>/run-<suite>.har). harness cannot import capture (capture
// reads into harness's types), hence the interface.
type ExchangeLog interface {
	Log(LoggedExchange) error
	Close() error
}

// LoggedExchange is one exchange of a run log, secrets masked.
type LoggedExchange struct {
	// Spec names the spec that sent it.
	Spec    string
	Request Request
	// Response is nil when no response arrived; Problem then says why.
	Response *Response
	Problem  string
	Started  time.Time
	Elapsed  time.Duration
}

// NewTape prepares dir for recording exchanges sent to baseURL. Fixtures
// already in dir are kept, and a request they record is not recorded again.
func NewTape(dir, baseURL string, redact *Redactor) (*Tape, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, markerDir), 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the recording folder: %w", err)
	}
	existing, err := LoadFixtures(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("the folder holds fixtures that cannot be loaded: %w", err)
	}
	// The base as shown: no user info, no query values (?api_key=...).
	t := &Tape{dir: dir, basePath: strings.TrimSuffix(u.Path, "/"), base: ShownURL(u), redact: redact, seen: map[string]bool{}}
	for _, f := range existing {
		t.seen[requestKey(f.Request)] = true
	}
	return t, nil
}

// SetLog makes the tape also hand every exchange to log (before the
// filtering fixtures need); Close closes it.
func (t *Tape) SetLog(log ExchangeLog) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.log = log
}

// Close ends the tape's log, if it has one: call it once the process sends no
// more requests (the suites do in their AfterSuite).
func (t *Tape) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.log == nil {
		return nil
	}
	err := t.log.Close()
	t.log = nil
	return err
}

// Record writes ex as a fixture, unless it holds no complete answer (a
// transport error, a body cut at the size cap, an attempt that was retried)
// or its request is already recorded. spec names the spec that sent it.
// Every exchange, recorded as a fixture or not, goes to the tape's log.
func (t *Tape) Record(ex *Exchange, spec string) error {
	if ex == nil {
		return nil
	}
	if err := t.logExchange(ex, spec); err != nil {
		return fmt.Errorf("writing the run log: %w", err)
	}
	if ex.Op == nil || ex.Response == nil || ex.Err != nil || ex.Response.Truncated || ex.RetriedAfter > 0 {
		return nil
	}
	f, err := t.Fixture(ex, spec)
	if err != nil {
		return err
	}
	data := EncodeFixture(f)
	if err := faithful(data, f); err != nil {
		return fmt.Errorf("%w: %s %s: %v", ErrUnrecordable, f.Request.Method, f.Request.Path, err)
	}
	key := requestKey(f.Request)

	t.mu.Lock()
	defer t.mu.Unlock()
	if t.seen[key] {
		return nil
	}
	t.seen[key] = true
	sum := sha256.Sum256([]byte(key))
	marker, err := os.OpenFile(filepath.Join(t.dir, markerDir, hex.EncodeToString(sum[:16])), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil // another process recorded this request first
	}
	if err != nil {
		return err
	}
	_ = marker.Close()
	folder := filepath.Join(t.dir, ex.Op.ID)
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return err
	}
	// Written whole under a temporary name, then linked into place: a
	// process loading the folder never sees half a fixture, and the link
	// fails rather than overwrite a file another process just wrote.
	tmp, err := os.CreateTemp(filepath.Join(t.dir, markerDir), "fixture-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return werr
	}
	slug := Slug(spec)
	for n := 1; ; n++ {
		path := filepath.Join(folder, fmt.Sprintf("%d-%s-%d.yaml", f.Response.Status, slug, n))
		err := os.Link(tmp.Name(), path)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return err
	}
}

// Fixture is ex as a fixture, masked: the request as the harness sent it
// (path relative to the base URL, every query parameter, the recorded
// headers, the body) and the answer.
func (t *Tape) Fixture(ex *Exchange, spec string) (*Fixture, error) {
	u, err := url.Parse(ex.Request.URL)
	if err != nil {
		return nil, fmt.Errorf("recorded URL %q: %w", ex.Request.URL, err)
	}
	path := u.Path
	if t.basePath != "" {
		path = strings.TrimPrefix(path, t.basePath)
	}
	f := &Fixture{
		Description: fmt.Sprintf("%s %s answered %d, recorded from %s by the spec %q",
			ex.Request.Method, path, ex.Response.Status, t.base, t.redact.String(spec)),
		Request: FixtureRequest{Method: ex.Request.Method, Path: path, Query: map[string]string{}, Headers: map[string]string{}},
	}
	for k, v := range u.Query() {
		f.Request.Query[k] = t.redact.String(strings.Join(v, ","))
	}
	for _, name := range RecordedRequestHeaders {
		v := ex.Request.Header.Get(name)
		switch {
		case v == "":
		case name == "Authorization":
			v = t.redact.authorization(v)
		default:
			v = t.redact.String(v)
		}
		f.Request.Headers[name] = v
	}
	if len(ex.Request.Body) > 0 {
		f.Request.Body = string(t.redact.Body(ex.Request.Body))
	}
	f.Response.Status = ex.Response.Status
	for name, values := range t.redact.Header(ex.Response.Header) {
		if droppedResponseHeaders[http.CanonicalHeaderKey(name)] {
			continue
		}
		if f.Response.Headers == nil {
			f.Response.Headers = map[string]string{}
		}
		f.Response.Headers[name] = strings.Join(values, ", ")
	}
	if len(ex.Response.Body) > 0 {
		f.Response.Body = shapedPlaceholders(t.redact.bodyString(ex.Response.Body))
	}
	return f, nil
}

// logExchange hands ex to the log, masked by MaskExchange.
func (t *Tape) logExchange(ex *Exchange, spec string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.log == nil {
		return nil
	}
	return t.log.Log(MaskExchange(t.redact, ex, spec, time.Now().Add(-ex.Elapsed).UTC()))
}

// MaskExchange is ex as a run log (or a proxy's HAR) keeps it, masked as
// Fixture masks it: the URL (user info, tokens in the query), every request
// header by the Redactor, the bodies, the response headers but those
// fixtures leave out (they describe the connection, may carry a session, or
// would no longer match the masked body, as Content-Length), and the
// placeholders of the response body made into values of the same shape, so
// an audit of the log comes to the verdicts the run came to.
func MaskExchange(redact *Redactor, ex *Exchange, spec string, started time.Time) LoggedExchange {
	x := LoggedExchange{
		Spec:    redact.String(spec),
		Started: started,
		Elapsed: ex.Elapsed,
		Request: Request{Method: ex.Request.Method, URL: redact.String(ex.Request.URL), Header: redact.Header(ex.Request.Header)},
	}
	x.Request.Header.Del("Content-Length")
	if len(ex.Request.Body) > 0 {
		x.Request.Body = redact.Body(ex.Request.Body)
	}
	if ex.Response == nil {
		x.Problem = "no response"
		if ex.Err != nil {
			x.Problem += ": " + redact.String(ex.Err.Error())
		}
		return x
	}
	x.Response = &Response{Status: ex.Response.Status, Header: http.Header{}, Truncated: ex.Response.Truncated}
	for name, values := range redact.Header(ex.Response.Header) {
		if !droppedResponseHeaders[http.CanonicalHeaderKey(name)] {
			x.Response.Header[name] = values
		}
	}
	if len(ex.Response.Body) > 0 {
		x.Response.Body = []byte(shapedPlaceholders(redact.bodyString(ex.Response.Body)))
	}
	return x
}

// Made-up values of the right shape (the ones the embedded fixtures use):
// a masked token in a recorded answer is replayed as one of these, so a spec
// that checks the form of what it got ("a 40-hex auth token", "a SimpleJWT")
// comes to the same verdict on the replay as on the recorded target.
const (
	RecordedToken = "0123456789abcdef0123456789abcdef01234567"
	RecordedJWT   = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwicmVjb3JkZWQiOnRydWV9.cmVjb3JkZWQtbm90LWEtc2VjcmV0"
	RecordedPhone = "+15555550100"
)

var (
	tokenPlaceholder = regexp.MustCompile(`"<(?:auth_token|token)(?::[A-Za-z0-9_-]+)?>"`)
	jwtPlaceholder   = regexp.MustCompile(`"<(?:jwt|access_token|refresh_token)(?::[A-Za-z0-9_-]+)?>"`)
	phonePlaceholder = regexp.MustCompile(`"<(?:phone|phone_number)(?::[A-Za-z0-9_-]+)?>"`)
)

// shapedPlaceholders replaces the placeholders that stand alone as JSON
// strings in a response body with made-up values of the same form.
func shapedPlaceholders(body string) string {
	if !strings.Contains(body, `"<`) {
		// Every placeholder pattern starts so; three regexp passes over a
		// large body that has none cost more than judging it.
		return body
	}
	body = tokenPlaceholder.ReplaceAllString(body, `"`+RecordedToken+`"`)
	body = jwtPlaceholder.ReplaceAllString(body, `"`+RecordedJWT+`"`)
	return phonePlaceholder.ReplaceAllString(body, `"`+RecordedPhone+`"`)
}

// faithful checks that the encoded fixture reads back as what was recorded.
func faithful(data []byte, f *Fixture) error {
	back := &Fixture{}
	if err := yaml.UnmarshalStrict(data, back); err != nil {
		return err
	}
	same := func(a, b string) bool {
		return a == b || (a != "" && b != "" && sameBody([]byte(a), []byte(b)) && json.Valid([]byte(a)))
	}
	switch {
	case !same(back.Request.Body, f.Request.Body):
		return errors.New("the request body does not survive the YAML encoding")
	case !same(back.Response.Body, f.Response.Body):
		return errors.New("the response body does not survive the YAML encoding")
	case !reflect.DeepEqual(back.Request.Headers, f.Request.Headers) || back.Response.Status != f.Response.Status:
		return errors.New("the headers do not survive the YAML encoding")
	}
	return nil
}

// requestKey identifies a fixture request the way a replay tells requests
// apart: JSON bodies by value, everything else as written.
func requestKey(r FixtureRequest) string {
	if v, ok := decodeJSON([]byte(r.Body)); ok {
		if canon, err := json.Marshal(v); err == nil {
			r.Body = string(canon)
		}
	}
	r.Body = string(bytes.TrimSpace([]byte(r.Body)))
	key, _ := json.Marshal(r)
	return string(key)
}

// Slug turns a spec name into a file-name part: lower-case words joined by
// dashes, at most 60 characters.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return "exchange"
	}
	return out
}

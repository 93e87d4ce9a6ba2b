// Command chfixtures writes a fixture for every documented response example of
// the contract that has none yet: the request the harness sends for it (in the
// example's state, as the fixtures profile reaches it) and the example as the
// answer. It is how the offline target starts; recorded exchanges from real
// targets replace or join these files over time, and existing files are never
// overwritten.
//
//	go run ./cmd/chfixtures [-dir fixtures] [-force]
package fixturescmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
)

// Main writes the missing fixtures: `chconform fixtures [-dir D] [-force]`.
func Main(args []string) int {
	fs := flag.NewFlagSet("chconform fixtures", flag.ContinueOnError)
	dir := fs.String("dir", "fixtures", "fixture folder to write into")
	force := fs.Bool("force", false, "overwrite existing fixture files")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	n, err := generate(*dir, *force)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chconform fixtures:", err)
		return 2
	}
	fmt.Printf("chconform fixtures: wrote %d fixture(s) into %s\n", n, *dir)
	return 0
}

func generate(dir string, force bool) (int, error) {
	spec, err := harness.LoadSpec("api.yaml (embedded)", chconform.Contract)
	if err != nil {
		return 0, err
	}
	profile, err := harness.LoadProfile(harness.Config{Profile: "fixtures"}, chconform.Profiles())
	if err != nil {
		return 0, err
	}
	redact := harness.NewRedactor(profile)
	written := 0
	for _, op := range spec.Operations() {
		for _, resp := range op.Responses() {
			for _, ex := range resp.Examples {
				path := filepath.Join(dir, op.ID, fmt.Sprintf("%d-%s.yaml", resp.Status, ex.Name))
				if _, err := os.Stat(path); err == nil && !force {
					continue
				}
				f, err := fixtureFor(op, resp.Status, ex, profile, redact, "")
				if err != nil {
					return written, fmt.Errorf("%s %s: %w", op.ID, ex.Name, err)
				}
				if err := writeFixture(path, f); err != nil {
					return written, err
				}
				written++
			}
		}
	}
	n, err := generateProbes(spec, profile, redact, dir, force)
	return written + n, err
}

// probe is an authentication probe of the suites (harness/suite AuthProbes)
// with the answer DRF gives it.
type probe struct {
	file, account, detail, why string
	// extra fields of the answer beside detail (SimpleJWT's code, messages)
	extra map[string]any
}

var probes = []probe{
	{"401-probe-no-credentials.yaml", harness.AccountNone, "Authentication credentials were not provided.",
		"answers DRF's 401 not-provided detail (documented on check_waitlist_status, seen live)", nil},
	{"401-probe-invalid-token.yaml", harness.AccountInvalid, "Invalid token.",
		"answers DRF's 401 with TokenAuthentication's message for an unknown token (DRF default; not recorded from Clubhouse)", nil},
	{"401-probe-invalid-bearer.yaml", harness.AccountInvalidBearer, "Given token not valid for any token type",
		"answers SimpleJWT's 401 for a malformed Bearer token (the body quoted in ground truth §3.2, zhuowei#4; not recorded on this operation)",
		map[string]any{"code": "token_not_valid", "messages": []any{map[string]any{
			"token_class": "AccessToken", "token_type": "access", "message": "Token is invalid or expired"}}}},
}

// generateProbes writes the answers to the authentication probes of every
// operation that needs or accepts a token (only the probes that send one,
// where it is optional), unless the contract documents that state as
// an example already (which then has its own fixture).
func generateProbes(spec *harness.Spec, p *harness.Profile, redact *harness.Redactor, dir string, force bool) (int, error) {
	written := 0
	for _, op := range spec.Operations() {
		if !op.Secured && !op.TokenOptional {
			continue
		}
		for _, pr := range probes {
			if pr.account == harness.AccountNone && (op.TokenOptional || documentsState(op, "no-credentials")) {
				continue
			}
			path := filepath.Join(dir, op.ID, pr.file)
			if _, err := os.Stat(path); err == nil && !force {
				continue
			}
			value := map[string]any{"detail": pr.detail}
			for k, v := range pr.extra {
				value[k] = v
			}
			ex := harness.Example{Name: "probe", Value: value}
			f, err := fixtureFor(op, 401, ex, p, redact, pr.account)
			if err != nil {
				return written, fmt.Errorf("%s %s: %w", op.ID, pr.file, err)
			}
			f.Example = ""
			f.Description = op.String() + " " + pr.why
			if err := writeFixture(path, f); err != nil {
				return written, err
			}
			written++
		}
	}
	return written, nil
}

func documentsState(op *harness.Operation, state string) bool {
	for _, r := range op.Responses() {
		for _, ex := range r.Examples {
			if ex.State == state {
				return true
			}
		}
	}
	return false
}

func writeFixture(path string, f *harness.Fixture) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, harness.EncodeFixture(f), 0o644)
}

// fixtureFor sends the documented call through a transport that captures the
// request instead of sending it, so the fixture holds exactly what the
// harness sends.
func fixtureFor(op *harness.Operation, status int, ex harness.Example, p *harness.Profile, redact *harness.Redactor, account string) (*harness.Fixture, error) {
	call, err := op.DocumentedCall(p, ex.State)
	if err != nil {
		return nil, err
	}
	if account != "" {
		call.Account = account
	}
	capture := &captureTransport{}
	base, _ := url.Parse(harness.FixturesBaseURL)
	client := &harness.Client{HTTP: &http.Client{Transport: capture}, Base: base, Profile: p}
	client.Do(context.Background(), call)
	if capture.req == nil {
		return nil, errors.New("no request was sent")
	}
	body, err := compactJSON(ex.Value)
	if err != nil {
		return nil, err
	}
	req := capture.req
	f := &harness.Fixture{
		Description: describe(op, status, ex),
		Example:     ex.Name,
		Request: harness.FixtureRequest{
			Method: req.Method,
			Path:   op.Path,
			Body:   string(redact.Body(capture.body)),
		},
		Response: harness.FixtureResponse{
			Status:  status,
			Headers: map[string]string{"Content-Type": "application/json"},
			Body:    string(body),
		},
	}
	if q := req.URL.Query(); len(q) > 0 {
		f.Request.Query = map[string]string{}
		for k := range q {
			f.Request.Query[k] = redact.String(q.Get(k))
		}
	}
	headers := map[string]string{}
	// The app headers are part of the recording: a request without them (or
	// with another app version) is another request, which these fixtures do
	// not answer.
	for _, name := range []string{"CH-AppVersion", "CH-AppBuild", "CH-Locale"} {
		headers[name] = req.Header.Get(name)
	}
	// An optional token is part of the request only when one was sent.
	if op.Secured || req.Header.Get("Authorization") != "" {
		auth := redact.Header(http.Header{"Authorization": req.Header.Values("Authorization")}).Get("Authorization")
		headers["Authorization"] = auth // "" when sent without credentials: must be absent
	}
	if recipe, ok := p.State(ex.State); ok && account == "" {
		for k, v := range recipe.Headers {
			headers[k] = v
		}
	}
	if len(headers) > 0 {
		f.Request.Headers = headers
	}
	return f, nil
}

func describe(op *harness.Operation, status int, ex harness.Example) string {
	words := []string{op.String()}
	if phrase := harness.StatePhrase(ex.State); phrase != "" {
		words = append(words, phrase)
	}
	words = append(words, fmt.Sprintf("answers %d with the contract's %s example", status, ex.Name))
	return strings.Join(words, " ")
}

// compactJSON encodes v without HTML escaping, so "<jwt>" stays readable.
func compactJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSpace(b.Bytes()), nil
}

type captureTransport struct {
	req  *http.Request
	body []byte
}

func (c *captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.req = req
	if req.Body != nil {
		c.body, _ = io.ReadAll(req.Body)
	}
	return nil, errors.New("captured, not sent")
}

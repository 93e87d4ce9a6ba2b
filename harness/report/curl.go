package report

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/chconform/chconform/harness"
)

// Reproduction is one recorded request of a failed or flaky spec as a curl
// command (issue 12 §2): paste it into a shell to send the request again.
type Reproduction struct {
	Operation string `json:"operation,omitempty"`
	// Attempt is the Ginkgo attempt that sent the request (1, 2, ...),
	// set when the spec was run more than once (flake attempts).
	Attempt int    `json:"attempt,omitempty"`
	Curl    string `json:"curl"`
}

// CurlCommand is a bash command that sends t, a recorded request, again.
//
// t is a transcript, so its secrets are already masked: a masked value is
// never sent as if it were the real one. Each mask becomes a reference to an
// environment variable the user sets: "<auth_token:default>" (the configured
// account) is "$CH_AUTH_TOKEN", another account's token "$CH_AUTH_TOKEN_<NAME>",
// a token the report cannot name in an Authorization header (an account the
// spec signed up for itself) "$CH_FRESH_TOKEN" ("$CH_FRESH_ACCESS_TOKEN" after
// Bearer), and any other mask
// ("<jwt>", "<phone>", "<refresh>"...) "$CH_<NAME>". A comment line before
// the command says what each variable other than CH_AUTH_TOKEN stands for.
// CH-UserID and CH-DeviceId are kept as they were sent: they are identifiers,
// not secrets, and every transcript shows them (docs/security.md).
//
// Whatever the request holds (a captured one comes from a hostile capture,
// a body from a hostile target's echo), the command runs curl and nothing
// else: every word is single-quoted ('\” for a quote), or ANSI-C quoted
// ($'...', every control byte as \xHH) when it holds a control character;
// a variable reference is "$NAME" with NAME made of [A-Z0-9_] only; the URL
// goes through --url so that it cannot be read as an option; comments hold
// only fixed text and variable names. What a shell argument cannot carry (a
// NUL byte) is left out, and a comment says so.
func CurlCommand(t Transcript) string {
	c := curlBuilder{vars: map[string]string{}}
	// One option a line: the first line says what is sent where.
	first := []shellWord{lit("curl"), lit("-sS"), lit("-i")}
	if t.Method != "" {
		first = append(first, lit("-X"), c.word(t.Method, ""))
	}
	lines := [][]shellWord{first, {lit("--url"), c.word(t.URL, "")}}

	names := make([]string, 0, len(t.Headers))
	for name := range t.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		switch http.CanonicalHeaderKey(name) {
		case "Content-Length", "Host":
			continue // curl computes them
		case HeaderOverflow:
			c.note("some request headers were left out of the transcript (over its size cap): this command does not send them")
			continue
		}
		for _, v := range t.Headers[name] {
			if strings.ContainsRune(name+v, 0) {
				c.note("a request header held a NUL byte, which a shell argument cannot carry: left out")
				continue
			}
			lines = append(lines, []shellWord{lit("-H"), c.word(name+": "+v, name)})
		}
	}
	if t.Body != "" {
		switch {
		case strings.ContainsRune(t.Body, 0):
			c.note("the request body held a NUL byte, which a shell argument cannot carry: this command sends no body")
		default:
			if t.BodyTruncated {
				c.note(fmt.Sprintf("the transcript kept only the first %d bytes of the request body: this command sends that part", len(t.Body)))
			}
			lines = append(lines, []shellWord{lit("--data-raw"), c.word(t.Body, "")})
		}
	}

	var b strings.Builder
	for _, n := range c.notes {
		b.WriteString("# " + n + "\n")
	}
	varNames := make([]string, 0, len(c.vars))
	for v := range c.vars {
		varNames = append(varNames, v)
	}
	sort.Strings(varNames)
	for _, v := range varNames {
		if c.vars[v] != "" {
			fmt.Fprintf(&b, "# $%s: %s\n", v, c.vars[v])
		}
	}
	for i, line := range lines {
		if i > 0 {
			b.WriteString(" \\\n  ")
		}
		for j, w := range line {
			if j > 0 {
				b.WriteString(" ")
			}
			b.WriteString(w.String())
		}
	}
	b.WriteString("\n")
	return b.String()
}

// curlBuilder collects the variables a command refers to and the notes
// about what it could not reproduce.
type curlBuilder struct {
	vars  map[string]string // name -> what it stands for ("" needs no comment)
	notes []string
}

func (c *curlBuilder) note(n string) {
	for _, have := range c.notes {
		if have == n {
			return
		}
	}
	c.notes = append(c.notes, n)
}

// placeholder is a mask the redactor writes: "<label>" or "<kind:name>".
var placeholder = regexp.MustCompile(`<([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z0-9_.-]+))?>`)

// genericMasks are the masks the redactor writes for a value it recognises
// by its shape rather than by name.
var genericMasks = map[string]bool{"jwt": true, "token": true, "key": true, "phone": true, "redacted": true, "value": true}

// word is s as one shell word, each mask in it a variable reference.
// header is the header's name when s is "Name: value".
func (c *curlBuilder) word(s, header string) shellWord {
	scheme := ""
	if h := http.CanonicalHeaderKey(header); h == "Authorization" || h == "Proxy-Authorization" {
		value := strings.TrimPrefix(s, header+": ")
		if sch, _, ok := strings.Cut(value, " "); ok {
			scheme = strings.ToLower(sch)
		} else {
			scheme = "token"
		}
	}
	var w shellWord
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(s, -1) {
		kind, label := s[m[2]:m[3]], ""
		if m[4] >= 0 {
			label = s[m[4]:m[5]]
		}
		if label == "" && !genericMasks[kind] && !harness.IsSecretField(kind) {
			continue // text that only looks like a mask ("<html>")
		}
		name, about := c.variable(kind, label, scheme)
		c.vars[name] = about
		w = append(w, segment{text: s[last:m[0]]}, segment{variable: name})
		last = m[1]
	}
	return append(w, segment{text: s[last:]})
}

// variable names the environment variable that stands for a mask, and says
// what it is for a comment ("" for CH_AUTH_TOKEN, which every user knows).
// scheme is the lower-case scheme of an Authorization header's value ("token",
// "bearer"), "" elsewhere.
//
// In an Authorization header, a mask without a name ("Token <token>": the
// redactor names every token the run was told of, CH_AUTH_TOKEN's and the
// profile's accounts') is a token the run learnt while it ran: the one of the
// account the spec signed up for itself.
func (c *curlBuilder) variable(kind, label, scheme string) (name, about string) {
	switch {
	case kind == "auth_token" && label == "default":
		return "CH_AUTH_TOKEN", ""
	case scheme == "bearer" && label == "":
		return "CH_FRESH_ACCESS_TOKEN", "the spec sent an access token the report does not name: the one of the account it signed up " +
			"for itself (a fresh account), not the configured one; sign up an account and set CH_FRESH_ACCESS_TOKEN to its access_token"
	case scheme != "" && label == "":
		return "CH_FRESH_TOKEN", "the spec sent a token the report does not name: the one of the account it signed up for itself " +
			"(a fresh account), not CH_AUTH_TOKEN's; sign up an account and set CH_FRESH_TOKEN to its auth_token"
	case kind == "auth_token" && label == "invalid":
		return "CH_INVALID_TOKEN", "a token the target must refuse (the harness sends a made-up one)"
	case label == "default":
		name = envName(kind)
		return name, "the " + strings.ToLower(strings.TrimPrefix(name, "CH_")) + " of the configured (default) account"
	case label != "":
		name = envName(kind + "_" + label)
		return name, "a value the report masked (" + strings.ToLower(strings.TrimPrefix(envName(kind), "CH_")) + " of " +
			strings.ToLower(strings.TrimPrefix(envName(label), "CH_")) + "): set it to the real one"
	default:
		name = envName(kind)
		return name, "a value the report masked: set it to the real one"
	}
}

// envName makes an environment variable name of s: upper case, every byte
// but [A-Z0-9] an underscore, and a CH_ prefix.
func envName(s string) string {
	b := []byte(strings.ToUpper(s))
	for i, ch := range b {
		if (ch < 'A' || ch > 'Z') && (ch < '0' || ch > '9') {
			b[i] = '_'
		}
	}
	out := strings.Trim(string(b), "_")
	for strings.Contains(out, "__") {
		out = strings.ReplaceAll(out, "__", "_")
	}
	if !strings.HasPrefix(out, "CH_") {
		out = "CH_" + out
	}
	return out
}

// segment is a piece of a shell word: literal text, or a variable.
type segment struct {
	text     string
	variable string
}

// shellWord is one argument of the command, made of segments quoted each on
// its own and written next to each other.
type shellWord []segment

func lit(s string) shellWord { return shellWord{{text: s}} }

func (w shellWord) String() string {
	var b strings.Builder
	for _, s := range w {
		switch {
		case s.variable != "":
			b.WriteString(`"$` + s.variable + `"`)
		case s.text == "" && len(w) > 1:
			// nothing: the other segments make the word
		default:
			b.WriteString(shellQuote(s.text))
		}
	}
	return b.String()
}

// shellQuote quotes s as one shell word that expands to s exactly: plain
// words as they are, others in single quotes, and text holding a control
// character or invalid UTF-8 in ANSI-C quotes with those bytes escaped, so
// the command stays on the lines it shows and a terminal never receives an
// escape sequence from it.
func shellQuote(s string) string {
	if s != "" && safeWord.MatchString(s) {
		return s
	}
	if !needsANSIC(s) {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1, r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, r == 0x2028, r == 0x2029,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			for _, by := range []byte(s[i : i+size]) {
				fmt.Fprintf(&b, `\x%02x`, by)
			}
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteString("'")
	return b.String()
}

// safeWord needs no quotes in bash, zsh or sh (zsh expands a leading "=").
var safeWord = regexp.MustCompile(`^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$`)

func needsANSIC(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return true
		}
	}
	return false
}

package harness

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Redactor masks secrets before anything leaves the process: report
// transcripts, messages, recorded fixtures. Known secrets (the profile's
// tokens and the configured credentials) become named placeholders such as
// "<auth_token:waitlisted>", so a fixture can still tell accounts apart; any
// other token-shaped or phone-shaped value becomes a generic placeholder.
type Redactor struct {
	known []secret // longest first, so a token is replaced before its prefix
}

type secret struct{ value, label string }

var (
	jwtPattern   = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
	phonePattern = regexp.MustCompile(`\+[1-9][0-9]{6,14}\b`)
	hex40Pattern = regexp.MustCompile(`(?i)\b[0-9a-f]{40}\b`)
	// userInfoPattern is the user:password@ of a URL (CH_BASE_URL may carry one).
	userInfoPattern = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s"'<>]+@`)
	// secretFields are JSON fields whose string values are credentials.
	secretFields = map[string]bool{
		"auth_token": true, "access_token": true, "refresh_token": true, "access": true,
		"refresh": true, "token": true, "rtm_token": true, "pubnub_token": true,
		"phone_number": true, "apn_token": true, "device_token": true, "rc_token": true,
		"twitter_token": true, "twitter_secret": true, "password": true,
	}
	// secretMemberPattern finds credential members in text that is not a whole
	// JSON document (a message quoting a body, a cut body): "token": "...".
	secretMemberPattern = regexp.MustCompile(`"(` + strings.Join(sortedKeys(secretFields), "|") + `)"(\s*:\s*)"((?:[^"\\]|\\.)*)"`)
)

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, regexp.QuoteMeta(k))
	}
	sort.Strings(keys)
	return keys
}

// NewRedactor knows the secrets of every account of the profile.
func NewRedactor(p *Profile) *Redactor {
	r := &Redactor{}
	if p != nil {
		for name, a := range p.Accounts {
			r.add(a.AuthToken, "auth_token:"+name)
			r.add(a.AccessToken, "access_token:"+name)
			r.add(a.RefreshToken, "refresh_token:"+name)
		}
		for state, rec := range p.States {
			for field, v := range rec.Body {
				if s, ok := v.(string); ok && secretFields[field] {
					r.add(s, field+":"+state)
				}
			}
		}
	}
	r.add(invalidToken, "auth_token:invalid")
	sort.Slice(r.known, func(i, j int) bool {
		if len(r.known[i].value) != len(r.known[j].value) {
			return len(r.known[i].value) > len(r.known[j].value)
		}
		return r.known[i].label < r.known[j].label
	})
	return r
}

func (r *Redactor) add(value, label string) {
	// Short values would mask innocent text ("1234" in a body).
	if len(value) >= 6 {
		r.known = append(r.known, secret{value, label})
	}
}

// String masks every secret in s: known secrets, JWTs, 40-hex tokens, E.164
// phone numbers, the user info of URLs, and the values of credential members
// ("auth_token": "...") wherever s quotes JSON.
func (r *Redactor) String(s string) string {
	for _, k := range r.known {
		s = strings.ReplaceAll(s, k.value, "<"+k.label+">")
	}
	s = jwtPattern.ReplaceAllString(s, "<jwt>")
	s = hex40Pattern.ReplaceAllString(s, "<token>")
	s = phonePattern.ReplaceAllString(s, "<phone>")
	s = userInfoPattern.ReplaceAllString(s, "${1}<redacted>@")
	return secretMemberPattern.ReplaceAllStringFunc(s, func(m string) string {
		sub := secretMemberPattern.FindStringSubmatch(m)
		// The value is still JSON-escaped here ("\u003cjwt\u003e" is the
		// placeholder "<jwt>" as Go's encoder writes it).
		value := sub[3]
		if unquoted, err := strconv.Unquote(`"` + value + `"`); err == nil {
			value = unquoted
		}
		if value == "" || isPlaceholder(value) {
			return m
		}
		return `"` + sub[1] + `"` + sub[2] + `"<` + sub[1] + `>"`
	})
}

// Values masks in msg each of values as "<value>", and every quoted part of
// one long enough to recognise (time.Parse quotes pieces of what it parsed),
// then every secret as String does. It is for messages about a value that
// need not look like a secret: a header's, a schema error's.
func (r *Redactor) Values(msg string, values ...string) string {
	for _, v := range values {
		if v == "" {
			continue
		}
		msg = strings.ReplaceAll(msg, v, "<value>")
		msg = quotedPattern.ReplaceAllStringFunc(msg, func(q string) string {
			inner := q[1 : len(q)-1]
			if len(inner) >= 4 && strings.Contains(v, inner) {
				return `"<value>"`
			}
			return q
		})
	}
	return r.String(msg)
}

var quotedPattern = regexp.MustCompile(`"[^"]*"`)

// patterns is the redactor of the checks and matchers: they have no profile at
// hand, so it knows no account's secrets, only their shapes and the credential
// fields. The run's own Redactor masks the findings again when it records
// them (harness/suite).
var patterns = NewRedactor(nil)

// maskedBody is a body as a message may quote it: masked first (a cut JWT or
// a cut JSON document would no longer be recognised), then cut to n bytes.
func maskedBody(body []byte, n int) string {
	return PrefixLines(cut(string(patterns.Body(body)), n), BodyLinePrefix)
}

// Header masks header values; Authorization keeps only its scheme unless the
// token is a known one.
func (r *Redactor) Header(h http.Header) http.Header {
	out := http.Header{}
	for name, values := range h {
		for _, v := range values {
			switch http.CanonicalHeaderKey(name) {
			case "Authorization":
				v = r.authorization(v)
			case "Cookie":
				v = maskCookies(v, false)
			case "Set-Cookie":
				v = maskCookies(v, true)
			default:
				v = r.String(v)
			}
			out[name] = append(out[name], v)
		}
	}
	return out
}

// maskCookies keeps the names of the cookies of a Cookie header ("a=1; b=2")
// and masks their values; of a Set-Cookie header ("a=1; Path=/; HttpOnly"),
// only the first pair is the cookie, the attributes are kept.
func maskCookies(v string, setCookie bool) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		if setCookie && i > 0 {
			break
		}
		name, _, ok := strings.Cut(p, "=")
		if !ok {
			parts[i] = "<redacted>"
			continue
		}
		parts[i] = name + "=<redacted>"
	}
	return strings.Join(parts, ";")
}

func (r *Redactor) authorization(v string) string {
	scheme, cred, ok := strings.Cut(v, " ")
	if !ok {
		return "<redacted>"
	}
	masked := r.String(cred)
	if masked == cred || !strings.HasPrefix(masked, "<") {
		masked = "<redacted>"
	}
	return scheme + " " + masked
}

// Body masks a body: in a JSON body the values of credential fields are
// masked wherever they are nested (the body keeps its own formatting and key
// order); any body then has secret-shaped text masked.
//
// It is linear in the size of the body: the body is decoded once, and every
// quoted credential value is replaced in one pass by a single replacer, not
// by one ReplaceAll over the whole body per member (a 546 KiB body of 10,000
// tokens took 9.7 s and 4.3 GiB that way).
func (r *Redactor) Body(body []byte) []byte {
	var v any
	if json.Unmarshal(body, &v) == nil {
		if rep := r.memberReplacer(collectSecretFields(v, nil)); rep != nil {
			body = []byte(rep.Replace(string(body)))
		}
	}
	return []byte(r.String(string(body)))
}

// memberReplacer replaces each quoted credential value ("abc") by its mask
// ("<token>", or the known secret's placeholder); nil when there is none.
// Longer values come first, so that where two could match at one place the
// longer one wins; a value met twice is masked once.
func (r *Redactor) memberReplacer(fields []fieldValue) *strings.Replacer {
	if len(fields) == 0 {
		return nil
	}
	sort.Slice(fields, func(i, j int) bool {
		a, b := fields[i], fields[j]
		if len(a.value) != len(b.value) {
			return len(a.value) > len(b.value)
		}
		if a.value != b.value {
			return a.value < b.value
		}
		return a.field < b.field
	})
	pairs := make([]string, 0, 2*len(fields))
	for i, f := range fields {
		if i > 0 && fields[i-1].value == f.value {
			continue
		}
		quoted, err := json.Marshal(f.value)
		if err != nil {
			continue
		}
		masked := r.String(f.value)
		if masked == f.value {
			masked = "<" + f.field + ">"
		}
		pairs = append(pairs, string(quoted), `"`+masked+`"`)
	}
	if len(pairs) == 0 {
		return nil
	}
	return strings.NewReplacer(pairs...)
}

type fieldValue struct{ field, value string }

func collectSecretFields(v any, acc []fieldValue) []fieldValue {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if s, ok := child.(string); ok && secretFields[k] && s != "" && !isPlaceholder(s) {
				acc = append(acc, fieldValue{k, s})
				continue
			}
			acc = collectSecretFields(child, acc)
		}
	case []any:
		for _, child := range t {
			acc = collectSecretFields(child, acc)
		}
	}
	return acc
}

// isPlaceholder reports whether s is already a mask ("<jwt>", "<auth_token>").
func isPlaceholder(s string) bool {
	return strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">")
}

// IsSecretField reports whether a JSON field of that name holds a credential,
// so that whoever quotes its value masks it whole.
func IsSecretField(name string) bool { return secretFields[name] }

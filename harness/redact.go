package harness

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
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
	// forms replaces every known secret in every form a target or a client
	// may spell it (see secretForms) in one pass over the text, built once:
	// the cost of masking stays linear in the text, whatever the number of
	// secrets.
	forms *strings.Replacer
}

type secret struct{ value, label string }

// KnownSecret is a secret the run was told outside any profile (the
// credentials of CH_BASE_URL), masked as "<Label>" in every form.
type KnownSecret struct{ Value, Label string }

var (
	jwtPattern   = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
	phonePattern = regexp.MustCompile(`\+[1-9][0-9]{6,14}\b`)
	// phoneContextPattern is a phone number written without "+" (10 to 15
	// digits) shortly after a word that says it is one ("phone", "texted",
	// "sms", ...). Bare digit runs elsewhere are ids and counts and stay.
	phoneContextPattern = regexp.MustCompile(`(?i)\b(?:phone|mobile|msisdn|tel|sms|text|texted|call|called|whatsapp)[^0-9\n<>]{0,24}?(?:\+|00)?([0-9]{10,15})\b`)
	// keyValuePattern is a key=value pair of a query, a form body or an
	// authentication header's parameters (token="..."): the value of a
	// credential key is masked.
	keyValuePattern = regexp.MustCompile(`\b([A-Za-z][A-Za-z0-9_.-]{0,40})=("(?:[^"\\]|\\.)*"|[^&\s"',;<>]+)`)
	hex40Pattern    = regexp.MustCompile(`(?i)\b[0-9a-f]{40}\b`)
	// userInfoPattern is the user:password@ of a URL (CH_BASE_URL may carry one).
	userInfoPattern = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s"'<>]+@`)
	// secretFields are the fields, members, parameters and header names
	// whose values are credentials, in their normal form (secretKey):
	// "Auth_Token", "authToken" and "auth-token" are all "authtoken".
	secretFields = map[string]bool{
		"authtoken": true, "accesstoken": true, "refreshtoken": true, "access": true,
		"refresh": true, "token": true, "rtmtoken": true, "pubnubtoken": true,
		"apntoken": true, "devicetoken": true, "rctoken": true, "idtoken": true,
		"sessiontoken": true, "csrftoken": true, "xsrftoken": true, "jwt": true,
		"twittertoken": true, "twittersecret": true, "secret": true, "clientsecret": true,
		"password": true, "passwd": true, "sessionid": true, "session": true,
		"apikey": true, "apitoken": true, "accesskey": true, "secretkey": true, "privatekey": true,
		"verificationcode": true, "otp": true, "signature": true, "sig": true,
		"phonenumber": true, "phone": true, "mobile": true, "mobilenumber": true, "msisdn": true,
	}
	// phoneFields are the credential fields that hold phone numbers: only
	// they mask a bare number value.
	phoneFields = map[string]bool{"phonenumber": true, "phone": true, "mobile": true, "mobilenumber": true, "msisdn": true}
)

// secretKey is the normal form of a field or header name: lower case,
// without separators and without an "x-" prefix.
func secretKey(name string) string {
	if len(name) > 2 && (name[0] == 'x' || name[0] == 'X') && (name[1] == '-' || name[1] == '_') {
		name = name[2:]
	}
	b := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '_' || c == '-' || c == '.':
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// isSecretKey reports whether a field of that name, in any spelling, holds a
// credential.
func isSecretKey(name string) bool { return secretFields[secretKey(name)] }

// NewRedactor knows the secrets of every account of the profile (where the
// configured CH_AUTH_TOKEN stands in for the default account's), and more.
func NewRedactor(p *Profile, more ...KnownSecret) *Redactor {
	r := &Redactor{}
	for _, k := range more {
		r.add(k.Value, k.Label)
	}
	if p != nil {
		for name, a := range p.Accounts {
			r.add(a.AuthToken, "auth_token:"+name)
			r.add(a.AccessToken, "access_token:"+name)
			r.add(a.RefreshToken, "refresh_token:"+name)
		}
		for state, rec := range p.States {
			for field, v := range rec.Body {
				if s, ok := v.(string); ok && isSecretKey(field) {
					r.add(s, field+":"+state)
				}
			}
		}
	}
	r.add(invalidToken, "auth_token:invalid")
	r.add(invalidBearer, "access_token:invalid")
	r.buildForms()
	return r
}

// With is r knowing more secrets too (a proxy learns each request's
// credentials as it passes, and masks them wherever the answer echoes them).
// r is not changed.
func (r *Redactor) With(more ...KnownSecret) *Redactor {
	out := &Redactor{known: append([]secret(nil), r.known...)}
	n := len(out.known)
	for _, k := range more {
		out.add(k.Value, k.Label)
	}
	if len(out.known) == n {
		return r
	}
	out.buildForms()
	return out
}

// buildForms makes the one replacer of every form of every known secret,
// longest first (strings.Replacer tries its patterns in argument order).
// buildForms also sorts the known secrets, longest first (String relies on
// it so a token is replaced before its prefix).
func (r *Redactor) buildForms() {
	sort.Slice(r.known, func(i, j int) bool {
		if len(r.known[i].value) != len(r.known[j].value) {
			return len(r.known[i].value) > len(r.known[j].value)
		}
		return r.known[i].label < r.known[j].label
	})
	type form struct{ text, label string }
	var forms []form
	seen := map[string]bool{}
	for _, k := range r.known {
		for _, f := range secretForms(k.value) {
			if len(f) >= 6 && !seen[f] {
				seen[f] = true
				forms = append(forms, form{f, k.label})
			}
		}
	}
	if len(forms) == 0 {
		return
	}
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i].text) > len(forms[j].text) })
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f.text, "<"+f.label+">")
	}
	r.forms = strings.NewReplacer(pairs...)
}

// secretForms are the spellings of v a reader could still recognise: as
// is, upper and lower case, base64 (standard and URL alphabets, at each of
// the three byte alignments it can have inside a longer encoded text such as
// Basic credentials or a HAR body, so only the characters that depend on v
// alone), URL-encoded, and JSON-escaped (Go's \u003c style, "\/", and every
// character as \uXXXX).
func secretForms(v string) []string {
	forms := []string{v, strings.ToUpper(v), strings.ToLower(v)}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for a := 0; a < 3; a++ {
			s := enc.EncodeToString(append(make([]byte, a), v...))
			from, to := (8*a+5)/6, 8*(a+len(v))/6
			forms = append(forms, s[from:to])
		}
	}
	q := url.QueryEscape(v)
	forms = append(forms, q, url.PathEscape(v), lowerPercent(q))
	if j, err := json.Marshal(v); err == nil {
		escaped := string(j[1 : len(j)-1])
		forms = append(forms, escaped, strings.ReplaceAll(escaped, "/", `\/`))
	}
	var lower, upper strings.Builder
	for _, c := range v {
		if c > 0xffff {
			lower.WriteRune(c)
			upper.WriteRune(c)
			continue
		}
		fmt.Fprintf(&lower, `\u%04x`, c)
		fmt.Fprintf(&upper, `\u%04X`, c)
	}
	return append(forms, lower.String(), upper.String())
}

// lowerPercent writes the %XX escapes of a URL-encoded text in lower case.
func lowerPercent(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1] = toLowerHex(b[i+1])
			b[i+2] = toLowerHex(b[i+2])
		}
	}
	return string(b)
}

func toLowerHex(c byte) byte {
	if c >= 'A' && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

func (r *Redactor) add(value, label string) {
	// Short values would mask innocent text ("1234" in a body).
	if len(value) >= 6 {
		r.known = append(r.known, secret{value, label})
	}
}

// String masks every secret in s: known secrets in every form (secretForms),
// JWTs, 40-hex tokens, E.164 phone numbers and phone numbers without "+"
// after a word that says so, the user info of URLs, and the values of
// credential members ("auth_token": "...", "authToken": ..., a phone number
// member's number) and parameters (api_key=..., token="...") in any
// spelling. Each step is one pass over s.
func (r *Redactor) String(s string) string {
	if r.forms != nil && r.formsIn(s) {
		s = r.forms.Replace(s)
	}
	// Each pattern runs only where its match could be (the text holds what
	// every match must hold): a regexp pass costs milliseconds on a large
	// body, a byte scan microseconds.
	if strings.Contains(s, "eyJ") {
		s = jwtPattern.ReplaceAllString(s, "<jwt>")
	}
	if hasHexRun(s, 40) {
		s = hex40Pattern.ReplaceAllString(s, "<token>")
	}
	if hasPlusDigit(s) {
		s = phonePattern.ReplaceAllString(s, "<phone>")
	}
	if hasUserInfo(s) {
		s = userInfoPattern.ReplaceAllString(s, "${1}<redacted>@")
	}
	if strings.IndexByte(s, '=') >= 0 {
		s = replaceGroup(s, keyValuePattern, 2, func(sub []string) string {
			value := strings.Trim(sub[2], `"`)
			if !isSecretKey(sub[1]) || value == "" || isPlaceholder(value) || isPlaceholder(unescapeURL(value)) {
				return sub[2]
			}
			if strings.HasPrefix(sub[2], `"`) {
				return `"<` + sub[1] + `>"`
			}
			return "<" + sub[1] + ">"
		})
	}
	s = maskMembers(s)
	if hasDigitRun(s, 10) {
		s = maskContextPhones(s)
	}
	return s
}

// formsIn reports whether s holds a known secret in any of its forms.
// Replace copies s twice even when it finds nothing, and for a large body
// that garbage drove a proxy's collector; WriteString writes s whole, in
// one write (or not at all when it is empty), exactly when nothing matches.
func (r *Redactor) formsIn(s string) bool {
	var p matchProbe
	r.forms.WriteString(&p, s)
	return p.writes > 1 || p.n != len(s)
}

// matchProbe counts what a Replacer writes, keeping none of it.
type matchProbe struct{ writes, n int }

func (p *matchProbe) Write(b []byte) (int, error) { return p.WriteString(string(b)) }
func (p *matchProbe) WriteString(s string) (int, error) {
	p.writes++
	p.n += len(s)
	return len(s), nil
}

// phoneReach bounds how far before the end of its digits a match of
// phoneContextPattern starts: the longest keyword, 24 characters of at most
// 4 bytes, "00", 15 digits, and the character before the keyword.
const phoneReach = 8 + 24*4 + 2 + 15 + 4

// maskContextPhones is phoneContextPattern's masking run only around the
// runs of 10 digits or more, where its matches end (a body of ids and
// timestamps has hundreds, and the pattern on the whole of a large body
// took tens of milliseconds). Each run is looked at in the window of text
// a match ending there can span: the digits of a match are the first run
// after its keyword (nothing between them is a digit) and end it (\b), so
// the window gives the match the whole text gives.
func maskContextPhones(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if from, to := max(0, j-phoneReach), min(len(s), j+1); j-i >= 10 && mayNamePhone(s[from:j]) {
			for _, m := range phoneContextPattern.FindAllStringSubmatchIndex(s[from:to], -1) {
				if m[2] >= 0 && from+m[3] == j && from+m[2] >= last {
					b.WriteString(s[last : from+m[2]])
					b.WriteString("<phone>")
					last = j
				}
			}
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// phoneWords are the roots of phoneContextPattern's keywords ("texted"
// holds "text", "called" "call").
var phoneWords = []string{"phone", "mobile", "msisdn", "tel", "sms", "text", "call", "whatsapp"}

// mayNamePhone reports whether the text before a run of digits may hold a
// keyword of phoneContextPattern: the pattern's backtracking on every id
// and timestamp of a large body cost a millisecond per 240 KB, a byte scan
// of each window microseconds. The pattern's case folding reaches past
// ASCII for one letter of the keywords ("ſ" is an "s"), so a window with
// one is left to it.
func mayNamePhone(w string) bool {
	var buf [256]byte
	if len(w) > len(buf) || strings.Contains(w, "ſ") {
		return true
	}
	low := buf[:len(w)]
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	for _, word := range phoneWords {
		if bytes.Contains(low, []byte(word)) {
			return true
		}
	}
	return false
}

// maskMembers masks, wherever s quotes JSON (a whole document, a message
// quoting a body, a cut body), the string value of every credential member
// ("token": "...") and the number value of a phone member ("phone_number":
// 14155550123) as "<key>". One pass: a member whose string value is never
// closed means no later one can be, so the scan stops looking for them.
func maskMembers(s string) string {
	var b strings.Builder
	last, unclosed := 0, false
	for i := strings.IndexByte(s, '"'); i >= 0 && i < len(s); {
		keyEnd := i + 1
		for keyEnd < len(s) && keyEnd-i <= 42 && isKeyByte(s[keyEnd]) {
			keyEnd++
		}
		next := i + 1
		if keyEnd > i+1 && keyEnd < len(s) && s[keyEnd] == '"' && isLetter(s[i+1]) {
			key := s[i+1 : keyEnd]
			j := keyEnd + 1
			for j < len(s) && isSpace(s[j]) {
				j++
			}
			if j < len(s) && s[j] == ':' {
				j++
				for j < len(s) && isSpace(s[j]) {
					j++
				}
				switch {
				case j < len(s) && s[j] == '"' && !unclosed:
					end := closingQuote(s, j+1)
					if end < 0 {
						unclosed = true
						break
					}
					next = end + 1
					if isSecretKey(key) && maskable(s[j+1:end]) {
						b.WriteString(s[last:j])
						b.WriteString(`"<` + key + `>"`)
						last = end + 1
					}
				case j < len(s) && (s[j] == '+' || isDigit(s[j])):
					end := j
					if s[end] == '+' {
						end++
					}
					digits := end
					for end < len(s) && isDigit(s[end]) {
						end++
					}
					if n := end - digits; n >= 7 && n <= 15 && (end == len(s) || !isKeyByte(s[end])) && phoneFields[secretKey(key)] {
						b.WriteString(s[last:j])
						b.WriteString(`"<` + key + `>"`)
						last = end
						next = end
					}
				}
			}
		}
		k := strings.IndexByte(s[next:], '"')
		if k < 0 {
			break
		}
		i = next + k
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskable reports whether a JSON-escaped string value is a value to mask:
// not empty and not already a placeholder ("\u003cjwt\u003e" is "<jwt>" as
// Go's encoder writes it).
func maskable(escaped string) bool {
	value := escaped
	if strings.IndexByte(escaped, '\\') >= 0 {
		if unquoted, err := strconv.Unquote(`"` + escaped + `"`); err == nil {
			value = unquoted
		}
	}
	return value != "" && !isPlaceholder(value)
}

// closingQuote is the index of the quote that closes a JSON string whose
// content starts at from, or -1.
func closingQuote(s string, from int) int {
	for i := from; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// hasDigitRun reports whether s holds n digits in a row.
// hasHexRun reports whether s holds n hex digits in a row.
func hasHexRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' {
			if run++; run >= n {
				return true
			}
			continue
		}
		run = 0
	}
	return false
}

// hasUserInfo reports whether a "://" of s is followed by what
// userInfoPattern masks: characters other than / ? # @, blanks, quotes and
// angle brackets, then "@".
func hasUserInfo(s string) bool {
	for i := strings.Index(s, "://"); i >= 0; {
		j := i + 3
		for j < len(s) && !strings.ContainsRune("/?#@ \t\n\f\r\"'<>", rune(s[j])) {
			j++
		}
		if j > i+3 && j < len(s) && s[j] == '@' {
			return true
		}
		next := strings.Index(s[i+3:], "://")
		if next < 0 {
			return false
		}
		i += 3 + next
	}
	return false
}

// hasPlusDigit reports whether s holds "+" and a digit 1-9 right after it.
func hasPlusDigit(s string) bool {
	for i := strings.IndexByte(s, '+'); i >= 0 && i+1 < len(s); {
		if s[i+1] >= '1' && s[i+1] <= '9' {
			return true
		}
		j := strings.IndexByte(s[i+1:], '+')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func hasDigitRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isKeyByte(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '_' || c == '-'
}
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// replaceGroup replaces, in every match of re in s, the submatch group with
// what with returns given the match's submatches: one pass over s.
func replaceGroup(s string, re *regexp.Regexp, group int, with func(sub []string) string) string {
	matches := re.FindAllStringSubmatchIndex(s, -1)
	if len(matches) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	sub := make([]string, re.NumSubexp()+1)
	for _, m := range matches {
		for i := range sub {
			sub[i] = ""
			if m[2*i] >= 0 {
				sub[i] = s[m[2*i]:m[2*i+1]]
			}
		}
		start, end := m[2*group], m[2*group+1]
		if start < 0 {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(with(sub))
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

func unescapeURL(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
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
			case "Proxy-Authorization":
				v = r.authorization(v)
			case "Www-Authenticate", "Proxy-Authenticate":
				v = r.challenge(v)
			default:
				if isSecretKey(name) || credentialHeader(name) {
					v = r.credential(v)
					break
				}
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

// credentialHeader reports whether a header of that name carries a
// credential whatever its spelling: X-Auth-Token, X-Api-Key, X-Session-Id...
func credentialHeader(name string) bool {
	n := secretKey(name)
	for _, part := range []string{"token", "apikey", "secret", "password", "session", "credential", "signature", "auth"} {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

// IsCredentialHeader reports whether a header of that name carries a
// credential whatever its spelling (X-Auth-Token, X-Api-Key...).
func IsCredentialHeader(name string) bool { return credentialHeader(name) }

// credential masks a credential header's value whole, naming the known
// secret it is when it is one.
func (r *Redactor) credential(v string) string {
	if masked := r.String(v); isPlaceholder(masked) && !strings.ContainsAny(masked[1:len(masked)-1], "<>") {
		return masked
	}
	return "<redacted>"
}

// challenge masks a WWW-Authenticate challenge: its parameters' credential
// values (token="..."), and a token68 that follows the scheme.
func (r *Redactor) challenge(v string) string {
	v = r.String(v)
	scheme, rest, ok := strings.Cut(v, " ")
	if !ok {
		return v
	}
	first, tail, _ := strings.Cut(rest, ",")
	if first = strings.TrimSpace(first); first != "" && !strings.Contains(strings.TrimRight(first, "="), "=") && !isPlaceholder(first) {
		if tail != "" {
			return scheme + " <redacted>," + tail
		}
		return scheme + " <redacted>"
	}
	return v
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
func (r *Redactor) Body(body []byte) []byte { return []byte(r.bodyString(body)) }

// bodyString is Body as a string, for callers that want one (each
// conversion of a large body is a copy).
func (r *Redactor) bodyString(body []byte) string {
	s := string(body)
	var v any
	if mayHoldSecretMember(s) && json.Unmarshal(body, &v) == nil {
		if rep := r.memberReplacer(collectSecretFields(v, nil)); rep != nil {
			s = rep.Replace(s)
		}
	}
	return r.String(s)
}

// mayHoldSecretMember reports whether a JSON text may have a member
// collectSecretFields would take: false only when every member name is
// free of escapes and of bytes past ASCII (so reads as decoded) and none is
// a credential's. Decoding a large body into a map costs more than the rest
// of the masking together; most answers (a channel list, a profile) have
// no credential member, and one byte scan tells so. In valid JSON each
// quote outside a string opens one, and a string followed by ':' is a
// member's name; an invalid text is not decoded either way.
func mayHoldSecretMember(s string) bool {
	for i := strings.IndexByte(s, '"'); i >= 0; {
		end := closingQuote(s, i+1)
		if end < 0 {
			return true
		}
		j := end + 1
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j < len(s) && s[j] == ':' {
			name := s[i+1 : end]
			for k := 0; k < len(name); k++ {
				if name[k] == '\\' || name[k] >= 0x80 {
					return true
				}
			}
			if isSecretKey(name) {
				return true
			}
		}
		k := strings.IndexByte(s[end+1:], '"')
		if k < 0 {
			return false
		}
		i = end + 1 + k
	}
	return false
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
			if s, ok := child.(string); ok && isSecretKey(k) && s != "" && !isPlaceholder(s) {
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
// Any spelling counts: "Auth_Token", "authToken", "sessionid".
func IsSecretField(name string) bool { return isSecretKey(name) }

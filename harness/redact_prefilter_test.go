package harness

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// The byte scans that spare String its regexp passes (maskContextPhones'
// windows, hasUserInfo, hasHexRun, hasPlusDigit) must mask exactly what
// the passes over the whole text mask: random texts built from the pieces
// the patterns look for are masked both ways and compared.
func TestRedactorScansMaskWhatThePatternsMask(t *testing.T) {
	t.Parallel()
	pieces := []string{
		"phone", "Phone: ", "TEXT", "texted me at ", "call", "tel", "whatsapp ", "sms", "hotel", "context",
		"14155550123", "0014155550123", "+14155550123", "1234567890123456789", "123456789", "9",
		" ", "\n", "<", ">", "é", "日本", `"`, "'", "a", "_", "-", "+", "00", "=", "@", "/", "?", "#",
		"https://", "http://user:pw@host/", "ftp://a@b", "x://", "://@", "token=abc", "eyJhbGciOi.eyJzdWIi.sig",
		"0123456789abcdef0123456789abcdef01234567", strings.Repeat("ab", 25), "—",
		"ſms ", "SMS", "MoBiLe ", "Caller", "ſ",
	}
	rng := rand.New(rand.NewSource(20))
	masked := 0
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.Intn(14) {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		s := b.String()
		got, want := maskContextPhones(s), replaceGroup(s, phoneContextPattern, 1, func([]string) string { return "<phone>" })
		if got != want {
			t.Fatalf("maskContextPhones(%q) = %q, the pattern gives %q", s, got, want)
		}
		if want != s {
			masked++
		}
		if hasUserInfo(s) != userInfoPattern.MatchString(s) && userInfoPattern.MatchString(s) {
			t.Fatalf("hasUserInfo(%q) misses a match", s)
		}
		if !hasHexRun(s, 40) && hex40Pattern.MatchString(s) || !hasPlusDigit(s) && phonePattern.MatchString(s) {
			t.Fatalf("a scan misses a match in %q", s)
		}
	}
	if masked < 500 {
		t.Fatalf("only %d texts held a phone in context: the comparison proves little", masked)
	}
}

// Body decodes a JSON body only when mayHoldSecretMember says it may have a
// credential member: random documents (names escaped, past ASCII, spaced
// before the colon, quoted in values, nested) must never hold one the scan
// said they could not, and the scan must let the ones that do through.
func TestBodyDecodesEveryDocumentWithACredentialMember(t *testing.T) {
	t.Parallel()
	names := []string{`"name"`, `"auth_token"`, `"AuthToken"`, `"auth\u005ftoken"`, `"tökén"`, `"id"`, `"x-api-key"`, `"token "`, `"a\"b"`, `"url"`}
	values := []string{`"abcdefgh"`, `"auth_token"`, `"\"token\": "`, `12`, `null`, `true`, `"a:b"`, `"<jwt>"`, `""`}
	rng := rand.New(rand.NewSource(20))
	var doc func(depth int) string
	doc = func(depth int) string {
		if depth > 2 || rng.Intn(3) == 0 {
			return values[rng.Intn(len(values))]
		}
		if rng.Intn(4) == 0 {
			return "[" + doc(depth+1) + ", " + doc(depth+1) + "]"
		}
		var b strings.Builder
		b.WriteString("{")
		for i := range 1 + rng.Intn(3) {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%s%s:%s", names[rng.Intn(len(names))], strings.Repeat(" ", rng.Intn(2)), doc(depth+1))
		}
		b.WriteString("}")
		return b.String()
	}
	held := 0
	for range 20000 {
		s := doc(0)
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			t.Fatalf("the test made invalid JSON: %s", s)
		}
		fields := collectSecretFields(v, nil)
		if len(fields) > 0 {
			held++
			if !mayHoldSecretMember(s) {
				t.Fatalf("mayHoldSecretMember(%s) = false, but it holds %v", s, fields)
			}
		}
	}
	if held < 2000 || mayHoldSecretMember(`{"name": "token", "list": [{"id": "auth_token:"}]}`) {
		t.Fatalf("%d documents held a credential member, or the scan takes a value for a name: it proves little", held)
	}
}

// shapedPlaceholders' shortcut: a body with no quoted placeholder is left
// as it is, one with one still gets a value of the right shape.
func TestShapedPlaceholdersOnlyWhereAPlaceholderIs(t *testing.T) {
	t.Parallel()
	if got := shapedPlaceholders(`{"a": "<b", "c": 1}`); got != `{"a": "<b", "c": 1}` {
		t.Fatalf("changed a body with no placeholder: %s", got)
	}
	if got := shapedPlaceholders(`{"auth_token": "<auth_token>"}`); got != `{"auth_token": "`+RecordedToken+`"}` {
		t.Fatalf("a placeholder was not shaped: %s", got)
	}
}

// String runs the known secrets' replacer only where formsIn finds one of
// their forms: at the start, the middle and the end of a text, in any
// form, found; elsewhere not (so a large body without one is not copied).
func TestFormsInFindsEveryFormAnywhere(t *testing.T) {
	t.Parallel()
	secret := "s3cr3t-Token-0123456789"
	r := NewRedactor(nil, KnownSecret{Value: secret, Label: "client_credential"})
	for _, form := range secretForms(secret) {
		if len(form) < 6 {
			continue
		}
		for _, s := range []string{form, form + " tail", "head " + form, "head " + form + " tail"} {
			if !r.formsIn(s) || r.String(s) == s {
				t.Fatalf("form %q in %q: formsIn %v, masked %q", form, s, r.formsIn(s), r.String(s))
			}
		}
	}
	for _, s := range []string{"", "nothing here", secret[:len(secret)-1], strings.Repeat(`{"id": 12345678901}`, 1000)} {
		if r.formsIn(s) {
			t.Fatalf("formsIn(%.40q) = true: no form is there", s)
		}
	}
}

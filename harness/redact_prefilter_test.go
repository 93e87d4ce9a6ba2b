package harness

import (
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

package harness

import (
	"strings"
	"testing"
)

func TestLogSafe(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain\ntext", "plain\ntext"},
		{"::error file=README.md,line=1::pwned", "| ::error file=README.md,line=1::pwned"},
		{"ok\n  ::add-mask::abc\n::stop-commands::tok", "ok\n|   ::add-mask::abc\n| ::stop-commands::tok"},
		{"##[error]azure", "| ##[error]azure"},
		{"a ::not at the start", "a ::not at the start"},
		{"\x1b]8;;http://evil\x07click\x1b]8;;\x07\x1b[2J", "]8;;http://evilclick]8;;[2J"},
		{"tab\there\r\n\u202eevil\u2066", "tab here\nevil"},
		{"x\r::warning::after a CR", "x::warning::after a CR"},
	}
	for _, c := range cases {
		if got := LogSafe(c.in); got != c.want {
			t.Errorf("LogSafe(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := OneLine("a\n::error::x\n##[x]"); strings.Contains(got, "\n") || strings.HasPrefix(got, "::") {
		t.Errorf("OneLine: %q", got)
	}
	if got := PrefixLines("a\nb\n::c", BodyLinePrefix); got != "a\n  | b\n  | ::c" {
		t.Errorf("PrefixLines: %q", got)
	}
}

package harness

import "strings"

// What a target sends reaches the CI log through Ginkgo's failure output and
// the verdict lines. A line that starts with "::" is a GitHub workflow
// command (::error, ::add-mask::, ::stop-commands::), "##[" an Azure one,
// and ESC/OSC sequences drive the terminal. These helpers make such text
// inert before it is printed.

// BodyLinePrefix starts every line of a body quoted in a message.
const BodyLinePrefix = "  | "

// LogSafe strips control characters (a tab becomes a space, line breaks are
// kept), C1 controls and bidirectional overrides, and neutralises every line
// that starts, after blanks, with "::" or "##[" by putting "| " before it.
func LogSafe(s string) string {
	s = stripControls(s, true)
	if !strings.Contains(s, "::") && !strings.Contains(s, "##[") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if t := strings.TrimLeft(line, " \t"); strings.HasPrefix(t, "::") || strings.HasPrefix(t, "##[") {
			lines[i] = "| " + line
		}
	}
	return strings.Join(lines, "\n")
}

// OneLine is LogSafe on one line: line breaks become " ⏎ ", so nothing after
// them can start a line of the log.
func OneLine(s string) string {
	s = strings.ReplaceAll(stripControls(s, true), "\n", " ⏎ ")
	return LogSafe(s)
}

// PrefixLines puts prefix before every line of s after the first, so that a
// body quoted in a message never starts a line of the log.
func PrefixLines(s, prefix string) string {
	return strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func stripControls(s string, keepNewline bool) string {
	clean := true
	for _, r := range s {
		if isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' && keepNewline:
			b.WriteRune(r)
		case r == '\t':
			b.WriteByte(' ')
		case r == '\r':
			// CRLF is a line break; a lone CR would overwrite the line
		case isControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isControl is a C0 or C1 control, DEL, a line or paragraph separator, or a
// bidirectional formatting character (which can make a log line read other
// than it is).
func isControl(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r == 0x2028 || r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e || r == 0x200f, r == 0x061c:
		return true
	}
	return false
}

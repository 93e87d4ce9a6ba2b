package report

import (
	"regexp"
	"strings"
	"testing"
)

// What a target puts in a body reaches report.md through reasons and
// messages; report.md is posted as a PR comment, so nothing in it may render
// as a link, an image, a mention, a reference, HTML or a table cell break.
func TestMdEscapeRendersInert(t *testing.T) {
	const z = "\u200d"
	cases := []struct{ in, want string }{
		{`plain text`, `plain text`},
		{`\[text\](https://evil.example)`, `\\\[text\\\]\(https:` + z + `//evil.example\)`},
		{`[text](http://evil.example)`, `\[text\]\(http:` + z + `//evil.example\)`},
		{`![img](http://x/y.png)`, `\!\[img\]\(http:` + z + `//x/y.png\)`},
		{`see https://evil.example/a`, `see https:` + z + `//evil.example/a`},
		{`visit www.evil.example now`, `visit www` + z + `.evil.example now`},
		{`ping @octocat please`, `ping @` + z + `octocat please`},
		{`mail a@b.example`, `mail a@` + z + `b.example`},
		{`fixes #123`, `fixes \#` + z + `123`},
		{`GH-42 and gh-7`, `GH-` + z + `42 and gh-` + z + `7`},
		{`a | b`, `a \| b`},
		{"code `x`", "code \\`x\\`"},
		{`*bold* _it_ ~~s~~ $x$`, `\*bold\* \_it\_ \~\~s\~\~ \$x\$`},
		{`<script>alert(1)</script>`, `&lt;script&gt;alert\(1\)&lt;/script&gt;`},
		{`&lt;b&gt;`, `&amp;lt;b&amp;gt;`},
		{"line\nbreak\r\tand\x1b[31mred", `line break  and \[31mred`},
		{`back\slash`, `back\\slash`},
	}
	for _, c := range cases {
		if got := mdEscape(c.in); got != c.want {
			t.Errorf("mdEscape(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// Whatever the input, the output holds no live autolink, mention or
// reference as GitHub finds them in rendered text.
func TestMdEscapeLeavesNothingLive(t *testing.T) {
	live := []*regexp.Regexp{
		regexp.MustCompile(`(?i)https?://`),
		regexp.MustCompile(`(?i)\bwww\.`),
		regexp.MustCompile(`@[A-Za-z0-9]`),
		regexp.MustCompile(`#[0-9]`),
		regexp.MustCompile(`(?i)\bgh-[0-9]`),
		regexp.MustCompile(`[\x00-\x1f\x7f]`),
		regexp.MustCompile(`(^|[^\\])(\\\\)*[\[\]()<>|*_` + "`" + `]`), // an unescaped Markdown or HTML character
	}
	inputs := []string{
		`::error file=README.md,line=1::pwned https://evil.example @admin #1 www.x.y GH-1`,
		`\\[x\\](javascript:alert(1)) <img src=x onerror=alert(1)> \` + "`" + `code\` + "`",
		"\x1b]8;;http://evil.example\x07click\x1b]8;;\x07",
		strings.Repeat(`\`, 7) + `[a](b)`,
	}
	for _, in := range inputs {
		out := mdEscape(in)
		for _, re := range live {
			if m := re.FindString(out); m != "" {
				t.Errorf("mdEscape(%q) = %q: %q is live (%s)", in, out, m, re)
			}
		}
	}
}

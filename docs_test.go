package chconform_test

// The README is the front door and the guides under docs/ hold the rest
// (issue 19 §3). Text moved between files leaves links behind that GitHub
// renders as 404s or as anchors that scroll nowhere; these tests keep every
// relative link of README.md and docs/*.md pointing at a file that exists
// and, for #anchor links, at a heading of that file.

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// readmeLimit is the README's ceiling: past it, a newcomer scrolls through
// guides again to find how to point the suite at a server.
const readmeLimit = 12000

var (
	// mdLink is an inline link or image: [text](target) or
	// [text](target "title"). Reference-style links are not used here.
	mdLink = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	// codeSpan is inline code, whose brackets are not links.
	codeSpan   = regexp.MustCompile("`+[^`]*`+")
	atxHeading = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	// headingLink keeps a link's text in a heading, as GitHub's slug does.
	headingLink = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	urlScheme   = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// mdDoc is a Markdown file as the link checker reads it: its path
// (slash-separated, relative to the repository root) and its text.
type mdDoc struct {
	path, text string
}

// githubSlug is the anchor GitHub gives a heading: lowercase, every
// character but letters, digits, spaces, '-' and '_' dropped, spaces turned
// into '-'. Markdown syntax in the heading (code spans, links, emphasis) is
// rendered first, so only its text counts.
func githubSlug(heading string) string {
	heading = headingLink.ReplaceAllString(heading, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// proseLines lists the lines of text outside fenced code blocks, where
// brackets and '#' are Markdown rather than code.
func proseLines(text string) []string {
	var lines []string
	fence := ""
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			continue
		}
		lines = append(lines, line)
	}
	return lines
}

// anchors lists the anchors of a Markdown text's headings, numbered as
// GitHub numbers repeated ones (slug, slug-1, slug-2...).
func anchors(text string) map[string]bool {
	seen := map[string]int{}
	out := map[string]bool{}
	for _, line := range proseLines(text) {
		m := atxHeading.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		slug := githubSlug(m[1])
		if n := seen[slug]; n > 0 {
			out[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

// relativeLinks lists the links of a Markdown text that point inside the
// repository: not a URL with a scheme, not protocol-relative.
func relativeLinks(text string) []string {
	var links []string
	for _, line := range proseLines(text) {
		for _, m := range mdLink.FindAllStringSubmatch(codeSpan.ReplaceAllString(line, ""), -1) {
			target := strings.Trim(m[1], "<>")
			if strings.HasPrefix(target, "//") || urlScheme.MatchString(target) {
				continue
			}
			links = append(links, target)
		}
	}
	return links
}

// brokenLinks checks every relative link of docs against the files and
// folders that exist (exists, called with a slash-separated path relative
// to the root) and, for an #anchor into a Markdown file, against that
// file's headings (read, which returns false for a file it cannot read).
func brokenLinks(docs []mdDoc, exists func(string) bool, read func(string) (string, bool)) []string {
	var broken []string
	for _, doc := range docs {
		for _, link := range relativeLinks(doc.text) {
			target, anchor, _ := strings.Cut(link, "#")
			resolved := doc.path
			if target != "" {
				resolved = path.Clean(path.Join(path.Dir(doc.path), target))
				if strings.HasPrefix(resolved, "../") || resolved == ".." {
					broken = append(broken, fmt.Sprintf("%s: %s leaves the repository", doc.path, link))
					continue
				}
				if !exists(resolved) {
					broken = append(broken, fmt.Sprintf("%s: %s: no file %s", doc.path, link, resolved))
					continue
				}
			}
			if anchor == "" || !strings.HasSuffix(resolved, ".md") {
				continue
			}
			text, ok := read(resolved)
			if !ok {
				broken = append(broken, fmt.Sprintf("%s: %s: cannot read %s", doc.path, link, resolved))
				continue
			}
			if !anchors(text)[anchor] {
				broken = append(broken, fmt.Sprintf("%s: %s: no heading #%s in %s", doc.path, link, anchor, resolved))
			}
		}
	}
	return broken
}

func TestBrokenLinksFindsWhatDoesNotResolve(t *testing.T) {
	files := map[string]string{
		"README.md":        "# chconform\n\n## The two commands\n",
		"docs/guide.md":    "# A guide\n\n## Sharded runs\n\n### summary.json is a stable interface\n\n## Notes\n\n## Notes\n\n## Embedding from `go test`\n\n```sh\n# a comment, not a heading\n```\n",
		"docs/fig.png":     "",
		"bench/RESULTS.md": "# Results\n",
	}
	exists := func(p string) bool {
		if _, ok := files[p]; ok {
			return true
		}
		for f := range files {
			if strings.HasPrefix(f, p+"/") {
				return true
			}
		}
		return false
	}
	read := func(p string) (string, bool) {
		s, ok := files[p]
		return s, ok
	}
	cases := []struct {
		name, doc, text string
		broken          bool
	}{
		{"file beside", "docs/guide.md", "see [fig](fig.png)", false},
		{"file moved with the text, link not fixed", "docs/guide.md", "see [results](bench/RESULTS.md)", true},
		{"parent of docs", "docs/guide.md", "see [results](../bench/RESULTS.md)", false},
		{"no such file", "README.md", "see [x](docs/nothing.md)", true},
		{"folder", "README.md", "see [docs](docs)", false},
		{"anchor in another file", "README.md", "see [s](docs/guide.md#sharded-runs)", false},
		{"anchor whose heading moved away", "README.md", "see [s](#sharded-runs)", true},
		{"anchor in the same file", "README.md", "see [c](#the-two-commands)", false},
		{"punctuation dropped from the slug", "README.md", "see [s](docs/guide.md#summaryjson-is-a-stable-interface)", false},
		{"slug keeping the punctuation", "README.md", "see [s](docs/guide.md#summary.json-is-a-stable-interface)", true},
		{"repeated heading numbered", "README.md", "see [n](docs/guide.md#notes-1)", false},
		{"repeated heading beyond its count", "README.md", "see [n](docs/guide.md#notes-2)", true},
		{"code span in a heading kept as text", "README.md", "see [e](docs/guide.md#embedding-from-go-test)", false},
		{"comment in a code block is no heading", "README.md", "see [c](docs/guide.md#a-comment-not-a-heading)", true},
		{"image", "README.md", "![shot](docs/missing.png)", true},
		{"URL", "README.md", "see [oasdiff](https://github.com/oasdiff/oasdiff)", false},
		{"inside a code span", "README.md", "`[a](nowhere.md)`", false},
		{"inside a fenced block", "README.md", "```\n[a](nowhere.md)\n```", false},
		{"leaving the repository", "README.md", "see [up](../shared/x.md)", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := brokenLinks([]mdDoc{{c.doc, c.text}}, exists, read)
			if (len(got) > 0) != c.broken {
				t.Errorf("%s in %s: broken = %v, want broken %v", c.text, c.doc, got, c.broken)
			}
		})
	}
}

// repoDocs reads README.md and every docs/*.md.
func repoDocs(t *testing.T) []mdDoc {
	t.Helper()
	paths, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	paths = append([]string{"README.md"}, paths...)
	var docs []mdDoc
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, mdDoc{filepath.ToSlash(p), string(data)})
	}
	return docs
}

func TestEveryRelativeLinkOfTheDocsResolves(t *testing.T) {
	exists := func(p string) bool {
		_, err := os.Stat(filepath.FromSlash(p))
		return err == nil
	}
	read := func(p string) (string, bool) {
		data, err := os.ReadFile(filepath.FromSlash(p))
		return string(data), err == nil
	}
	docs := repoDocs(t)
	links := 0
	for _, d := range docs {
		links += len(relativeLinks(d.text))
	}
	if links == 0 {
		t.Fatal("no relative link found: the link pattern reads nothing")
	}
	for _, b := range brokenLinks(docs, exists, read) {
		t.Error(b)
	}
}

// The README stays a front door: short, and a way into every guide.
func TestTheReadmeIsShortAndLinksEveryGuide(t *testing.T) {
	docs := repoDocs(t)
	readme := docs[0]
	if len(readme.text) >= readmeLimit {
		t.Errorf("README.md is %d bytes, over %d: move the detail into a guide under docs/", len(readme.text), readmeLimit)
	}
	linked := map[string]bool{}
	for _, l := range relativeLinks(readme.text) {
		target, _, _ := strings.Cut(l, "#")
		linked[path.Clean(target)] = true
	}
	for _, d := range docs[1:] {
		if !linked[d.path] {
			t.Errorf("README.md does not link the guide %s", d.path)
		}
	}
	// The two commands come first, as the newcomer needs them.
	if !strings.Contains(readme.text[:min(len(readme.text), 1500)], "make conformance") ||
		!strings.Contains(readme.text[:min(len(readme.text), 1500)], "make test") {
		t.Error("README.md does not show make conformance and make test at the top")
	}
	makefile, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"conformance", "test"} {
		if !regexp.MustCompile(`(?m)^` + target + `:`).Match(makefile) {
			t.Errorf("README.md names make %s, which the Makefile does not define", target)
		}
	}
}

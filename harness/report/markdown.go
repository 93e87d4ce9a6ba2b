package report

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/chconform/chconform/harness"
)

// MarkdownLimit is the default size cap of report.md. A pull-request comment
// holds at most 65,536 characters and a job summary 1 MiB; staying under the
// smaller one lets the same file serve both. The matrix and the list of
// failures always fit; transcripts are added while they fit, and the rest is
// left to report.html.
const MarkdownLimit = 60000

// WriteMarkdown renders report.md: the verdict, the totals and coverage, the
// operation x check matrix with the same symbols as report.html, every
// failure on one line, and as many transcripts as fit in limit bytes, each
// collapsed in <details> so the page stays short.
func WriteMarkdown(w io.Writer, s Summary, failures []FailedSpec, limit int) error {
	if limit <= 0 {
		limit = MarkdownLimit
	}
	var b strings.Builder
	v := verdictCell(s)
	t, c := s.Totals, s.Coverage
	fmt.Fprintf(&b, "## chconform: %s %s\n\n", v.Symbol, v.Word)
	target := s.Target.Mode
	if s.Target.BaseURL != "" {
		target += " `" + s.Target.BaseURL + "`"
	}
	fmt.Fprintf(&b, "Target **%s**, profile **%s**, contract `%s` (sha256 `%.12s`), chconform %s",
		mdEscape(target), mdEscape(s.Target.Profile), mdEscape(s.Spec.Path), s.Spec.SHA256, mdEscape(s.Tool.Version))
	if s.Tool.KinOpenAPI != "" {
		fmt.Fprintf(&b, ", kin-openapi %s", s.Tool.KinOpenAPI)
	}
	b.WriteString(".\n\n")
	fmt.Fprintf(&b, "| ✓ passed | ✗ failed | ‼ error | ⚠ flaky | – unsupported | – disabled | operations exercised | responses exercised |\n")
	fmt.Fprintf(&b, "|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d | %d/%d | %d/%d |\n\n",
		t.Passed, t.Failed, t.Error, t.Flaky, t.Unsupported, t.Disabled,
		c.OperationsExercised, c.OperationsTotal, c.ResponsesExercised, c.ResponsesTotal)
	b.WriteString(verifiedMarkdown(s, limit/4))
	b.WriteString(responseCoverageMarkdown(s.ResponseCoverage, limit/8))
	b.WriteString(skipsMarkdown(s.Skips))

	m := BuildMatrix(s)
	b.WriteString("### Operations × checks\n\n")
	b.WriteString("✓ passed · ✗ failed · ‼ error · – not applicable or unsupported · ? not run\n\n")
	b.WriteString("| group | operation | result |")
	for _, col := range m.Columns {
		fmt.Fprintf(&b, " %s |", col.Title)
	}
	b.WriteString(" responses |\n|---|---|---|")
	for range m.Columns {
		b.WriteString(":-:|")
	}
	b.WriteString(":-:|\n")
	for _, g := range m.Groups {
		for i, r := range g.Rows {
			group := ""
			if i == 0 {
				group = "**" + mdEscape(g.Name) + "**"
			}
			fmt.Fprintf(&b, "| %s | `%s` | %s %s |", group, r.Op.OperationID, r.Status.Symbol, r.Status.Word)
			for _, cell := range r.Cells {
				fmt.Fprintf(&b, " %s |", cell.Symbol)
			}
			fmt.Fprintf(&b, " %s |\n", r.Responses)
		}
	}
	b.WriteString("\n")
	// An audit's drift is what a contract maintainer came for; it gets a
	// third of the page so the failures still fit.
	b.WriteString(driftMarkdown(s.Audit, limit/3))

	// Flaky specs come first, in a list of their own: they passed in the
	// end, and must not read as failures nor go unseen.
	var flaky []FailedSpec
	failures, flaky = splitFlaky(failures)
	if len(flaky) > 0 {
		fmt.Fprintf(&b, "### ⚠ Flaky (%d)\n\nFailed, then passed when run again: the target answered the same question two ways, so the run is not conformant.\n\n", len(flaky))
		listed := 0
		for _, f := range flaky {
			line := failureLine(f)
			if b.Len()+len(line)+limit/4 > limit {
				break
			}
			b.WriteString(line)
			listed++
		}
		if listed < len(flaky) {
			fmt.Fprintf(&b, "- _%d more flaky spec(s) not listed to stay under %d bytes; see report.html and summary.json._\n", len(flaky)-listed, limit)
		}
		b.WriteString("\n")
	}
	failures = append(failures, flaky...) // their transcripts after the failures'
	if len(failures) == len(flaky) {
		b.WriteString("No spec failed.\n")
	}
	if len(failures) > 0 {
		if n := len(failures) - len(flaky); n > 0 {
			fmt.Fprintf(&b, "### Failures (%d)\n\n", n)
		}
		// The list stops where the page would run out: a target can fail
		// every spec with a long reason. What is left out is counted.
		const more = "- _%d more failure(s) not listed to stay under %d bytes; see report.html and summary.json._\n"
		reserve := len(more) + 40 + skippedReserve
		unlisted := 0
		for _, f := range failures {
			if f.Spec.Flaky {
				continue // listed above
			}
			line := failureLine(f)
			if unlisted > 0 || b.Len()+len(line)+reserve > limit {
				unlisted++
				continue
			}
			b.WriteString(line)
		}
		if unlisted > 0 {
			fmt.Fprintf(&b, more, unlisted, limit)
		}
		b.WriteString("\n")
		// Transcripts go last and only while they fit: the list above is
		// what a reviewer must see, the transcripts are what they might open.
		const tail = "\n_%d transcript(s) left out to stay under %d bytes; see report.html._\n"
		left := 0
		for _, f := range failures {
			if len(f.Exchanges) == 0 {
				continue
			}
			if left > 0 {
				left++
				continue
			}
			block := transcriptBlock(f)
			if b.Len()+len(block)+len(tail)+40 > limit {
				left++
				continue
			}
			b.WriteString(block)
		}
		if left > 0 {
			fmt.Fprintf(&b, tail, left, limit)
		}
	}
	if prov := provisionalList(s); prov != "" && b.Len()+len(prov) < limit {
		b.WriteString(prov)
	}
	if skipped := skippedReasons(s); skipped != "" && b.Len()+len(skipped) < limit {
		b.WriteString(skipped)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// MarkdownReasonCut cuts a failure's reason in report.md's list: the whole
// reason is in report.html and summary.json.
const MarkdownReasonCut = 400

// skippedReserve is what the failure list leaves for the notes after it.
const skippedReserve = 200

// splitFlaky separates the flaky specs from the failed and errored ones.
func splitFlaky(all []FailedSpec) (failures, flaky []FailedSpec) {
	for _, f := range all {
		if f.Spec.Flaky {
			flaky = append(flaky, f)
		} else {
			failures = append(failures, f)
		}
	}
	return failures, flaky
}

// failureLine is one failure in report.md's list, led by its case ids.
func failureLine(f FailedSpec) string {
	var b strings.Builder
	symbol := outcomeCell(f.Spec.Outcome).Symbol
	if f.Spec.Flaky {
		symbol = flakyCell().Symbol
	}
	fmt.Fprintf(&b, "- %s", symbol)
	for _, id := range f.Spec.CaseIDs {
		fmt.Fprintf(&b, " `%s`", mdCode(id))
	}
	fmt.Fprintf(&b, " **%s**", mdEscape(cutUTF8(f.Spec.Name, MarkdownReasonCut)))
	if names := f.FailedChecks(); len(names) > 0 {
		fmt.Fprintf(&b, " — `%s`", strings.Join(names, "`, `"))
	}
	if r := f.Spec.Reason; r != "" {
		if len(r) > MarkdownReasonCut {
			r = cutUTF8(r, MarkdownReasonCut) + "…"
		}
		fmt.Fprintf(&b, ": %s", mdEscape(r))
	}
	b.WriteString("\n")
	return b.String()
}

// transcriptBlock is one failure's exchanges in a collapsed <details>.
func transcriptBlock(f FailedSpec) string {
	if len(f.Exchanges) == 0 {
		return ""
	}
	var b strings.Builder
	what := "exchange(s)"
	if f.Spec.Flaky {
		what = "exchange(s) over every attempt, flaky"
	}
	ids := ""
	if len(f.Spec.CaseIDs) > 0 {
		ids = htmlEscape(strings.Join(f.Spec.CaseIDs, ", ")) + " · "
	}
	fmt.Fprintf(&b, "<details><summary>%s%s (%d %s)</summary>\n\n", ids, htmlEscape(f.Spec.Name), len(f.Exchanges), what)
	for _, e := range f.Exchanges {
		if e.Attempt > 0 {
			fmt.Fprintf(&b, "Attempt %d:\n\n", e.Attempt)
		}
		if e.Error != "" {
			fmt.Fprintf(&b, "Transport error: %s\n\n", mdEscape(e.Error))
		}
		b.WriteString(fence(TranscriptText(&e.Request, true, 2048) + "\n" + responseText(e.Response)))
		if e.Request.URL != "" {
			b.WriteString("Reproduce:\n\n")
			b.WriteString(fenceAs("sh", CurlCommand(e.Request)))
		}
	}
	b.WriteString("</details>\n\n")
	return b.String()
}

func responseText(t *Transcript) string {
	if t == nil {
		return "(no response)\n"
	}
	return TranscriptText(t, false, 2048)
}

// provisionalList is the provisional specs (issue 13), apart from the
// verdict: one line each, failed ones first.
func provisionalList(s Summary) string {
	p := s.Provisional
	if p == nil || len(p.Specs) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary>Provisional specs: %d passed, %d failed, %d not run (not counted: the contract does not document these cases yet)</summary>\n\n",
		p.Totals.Passed, p.Totals.Failed, p.Totals.Unsupported+p.Totals.Disabled+p.Totals.Error)
	for _, want := range []Outcome{OutcomeFailed, OutcomeError, OutcomePassed, OutcomeUnsupported, OutcomeDisabled} {
		for _, sp := range p.Specs {
			if sp.Outcome != want {
				continue
			}
			line := string(sp.Outcome) + ": " + sp.Name
			if sp.Reason != "" {
				line += ": " + harness.Cut(sp.Reason, MarkdownReasonCut)
			}
			fmt.Fprintf(&b, "- %s\n", mdEscape(line))
		}
	}
	b.WriteString("\n</details>\n")
	return b.String()
}

// skippedReasons counts unsupported and disabled specs by reason: one line
// per reason rather than per spec keeps a profile that lacks one capability
// from flooding the comment.
func skippedReasons(s Summary) string {
	counts := map[string]int{}
	for _, sp := range s.Specs {
		if sp.Outcome == OutcomeUnsupported || sp.Outcome == OutcomeDisabled {
			counts[string(sp.Outcome)+": "+sp.Reason]++
		}
	}
	if len(counts) == 0 {
		return ""
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("<details><summary>Unsupported and disabled specs, by reason</summary>\n\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "- %d × %s\n", counts[k], mdEscape(k))
	}
	b.WriteString("\n</details>\n")
	return b.String()
}

// fence wraps text in a code fence longer than any backtick run inside it,
// so a body holding ``` cannot end the block early.
func fence(text string) string { return fenceAs("http", text) }

// fenceAs is fence with another info string.
func fenceAs(lang, text string) string {
	ticks := "```"
	for strings.Contains(text, ticks) {
		ticks += "`"
	}
	return ticks + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + ticks + "\n\n"
}

// mdEscape keeps spec names and messages from the target from turning into
// Markdown or HTML: a table cell must not be split by "|", a name with
// "<script>" must stay text in a comment, "\\[text\\](url)" must not become a
// link. Every Markdown punctuation is backslash-escaped (the backslash
// first), control characters and line breaks become spaces, and what GitHub
// links after rendering, where escapes no longer help, is broken with a zero
// width joiner: URLs ("http://", "www."), @mentions and e-mail addresses,
// "#123" and "GH-123" references.
func mdEscape(s string) string {
	s = htmlEscape(s)
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 {
			return ' '
		}
		return r
	}, s)
	s = mdPunctuation.Replace(s)
	for _, p := range mdAutolinks {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return s
}

// zwj is the zero-width joiner that breaks what GitHub would link.
const zwj = "\u200d"

var (
	mdPunctuation = strings.NewReplacer(`\`, `\\`, "|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`,
		"[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`, "!", `\!`, "~", `\~`, "$", `\$`, "#", `\#`)
	mdAutolinks = []struct {
		re   *regexp.Regexp
		repl string
	}{
		{regexp.MustCompile(`:(/|\\/)`), ":" + zwj + "$1"},               // scheme://
		{regexp.MustCompile(`(?i)\b(www)\.`), "${1}" + zwj + "."},        // www. autolinks
		{regexp.MustCompile(`@`), "@" + zwj},                             // @mentions, e-mail addresses
		{regexp.MustCompile(`#`), "#" + zwj},                             // #123 references
		{regexp.MustCompile(`(?i)\b(gh)-([0-9])`), "${1}-" + zwj + "$2"}, // GH-123 references
	}
)

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

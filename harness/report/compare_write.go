package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

//go:embed compare.html.tmpl
var compareTemplate string

// WriteCompareHTML renders the comparison as one self-contained page: inline
// CSS, no script, no network; html/template escapes everything a target
// sent.
func WriteCompareHTML(w io.Writer, c Comparison) error {
	tmpl, err := template.New("compare").Parse(compareTemplate)
	if err != nil {
		return fmt.Errorf("compare.html template: %w", err)
	}
	return tmpl.Execute(w, c)
}

// WriteCompareMarkdown renders the comparison in Markdown within limit bytes
// (a pull-request comment's): the rows where targets disagree first, then as
// many of the others as fit, with a count of those left out.
func WriteCompareMarkdown(w io.Writer, c Comparison, limit int) error {
	if limit <= 0 {
		limit = MarkdownLimit
	}
	var b strings.Builder
	title := "targets side by side"
	if c.Trend {
		title = "one target over time"
	}
	fmt.Fprintf(&b, "## chconform: %s\n\n%d summaries; %d of %d rows disagree, listed first.\n\n", title, len(c.Columns), c.Disagreeing, len(c.Rows))
	b.WriteString("| operation | response / check | agreement |")
	for _, col := range c.Columns {
		fmt.Fprintf(&b, " %s %s |", col.Verdict.Symbol, mdEscape(col.Label))
	}
	b.WriteString("\n|---|---|---|")
	for range c.Columns {
		b.WriteString(":-:|")
	}
	b.WriteString("\n")
	const tail = "\n_%d more row(s) left out to stay under %d bytes; see the HTML page._\n"
	for i, r := range c.Rows {
		var line strings.Builder
		fmt.Fprintf(&line, "| `%s` | %s | %s |", r.Operation, mdEscape(r.What), r.DisagreeText())
		for _, cell := range r.Cells {
			sym := cell.Symbol
			if cell.Turned {
				sym = "**" + sym + "**"
			}
			fmt.Fprintf(&line, " %s |", sym)
		}
		line.WriteString("\n")
		if b.Len()+line.Len()+len(tail)+20 > limit {
			fmt.Fprintf(&b, tail, len(c.Rows)-i, limit)
			break
		}
		b.WriteString(line.String())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

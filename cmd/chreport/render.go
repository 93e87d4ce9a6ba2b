package main

import (
	"bytes"
	"fmt"

	"github.com/chconform/chconform/harness/report"
	"github.com/onsi/ginkgo/v2/types"
)

// optionalPath is a flag that knows whether it was given: unset means the
// default path, set to "" means "do not write this one".
type optionalPath struct {
	value string
	set   bool
}

func (p *optionalPath) String() string { return p.value }

func (p *optionalPath) Set(v string) error {
	p.value, p.set = v, true
	return nil
}

func (p optionalPath) or(def string) string {
	if p.set {
		return p.value
	}
	return def
}

type renderPaths struct{ html, md, junit string }

// writeRenderings writes report.html, report.md and junit.xml from the same
// summary and transcripts, so the three can never disagree with
// summary.json or with each other.
func writeRenderings(s report.Summary, reports []types.Report, paths renderPaths) error {
	failures, err := report.Failures(s, reports)
	if err != nil {
		return err
	}
	jobs := []struct {
		path   string
		render func(*bytes.Buffer) error
	}{
		{paths.html, func(b *bytes.Buffer) error { return report.WriteHTML(b, s, failures) }},
		{paths.md, func(b *bytes.Buffer) error { return report.WriteMarkdown(b, s, failures, report.MarkdownLimit) }},
		{paths.junit, func(b *bytes.Buffer) error { return report.WriteJUnit(b, s, failures, reports) }},
	}
	for _, j := range jobs {
		if j.path == "" {
			continue
		}
		var b bytes.Buffer
		if err := j.render(&b); err != nil {
			return fmt.Errorf("%s: %w", j.path, err)
		}
		if err := writeFileAtomic(j.path, b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// Skips an implementer declares (issue 19, gateway-api's SkipTests): specs
// or case ids they know to fail, each with a reason. A skipped spec is not
// run; it counts as disabled, every report lists the skip, and the run is
// conformant-with-gaps at best, whatever else happened.

// EntrySkip is the report entry a spec skipped by a declared skip carries:
// the Skip that matched it.
const EntrySkip = "chconform.skip"

// SkipDeclared starts the skip message of a spec a declared skip matched;
// classify counts it as disabled (a bare skip), its reason kept.
const SkipDeclared = "skipped: "

// GapSkipped: every selected spec covering a documented response was
// skipped by a declared skip. Outside what a floor requires (the skip is
// declared and listed, and the verdict is conformant-with-gaps at best),
// but in scope: a CH_MIN_COVERAGE fraction still counts it as unverified.
const GapSkipped = "skipped"

// Skip is one declared skip.
type Skip struct {
	// Match is a case id (CH-xxxxxxxx, as the reports print them) or a
	// spec's full name (as summary.json's specs[].name).
	Match  string `json:"match"`
	Reason string `json:"reason"`
	// Specs are the selected specs it skipped, filled in the summary.
	Specs []string `json:"specs"`
}

// String is how a report names a skip in one line.
func (s Skip) String() string {
	n := fmt.Sprintf("%d specs", len(s.Specs))
	if len(s.Specs) == 1 {
		n = "1 spec"
	}
	return fmt.Sprintf("%s: %s (%s)", s.Match, s.Reason, n)
}

// SkipMatches says whether a declared skip's match names the spec specName,
// by its name (whitespace and loopback ports aside, as case ids see it), or
// by one of the case ids the spec can fail with: one per check in checks,
// and the spec's own (CaseSpecCheck).
func SkipMatches(match, specName string, checks []string) bool {
	match = strings.TrimSpace(match)
	if !strings.HasPrefix(match, CaseIDPrefix) || len(match) != len(CaseIDPrefix)+8 {
		return caseText(match) == caseText(specName)
	}
	if CaseID(specName, CaseSpecCheck) == match {
		return true
	}
	for _, c := range checks {
		if CaseID(specName, c) == match {
			return true
		}
	}
	return false
}

// ValidateSkips refuses a skip without a match or a reason: a skip nobody
// can trace back to a known failure is a hidden failure.
func ValidateSkips(skips []Skip) error {
	for i, s := range skips {
		if strings.TrimSpace(s.Match) == "" {
			return fmt.Errorf("skip %d: no spec name or case id to match", i+1)
		}
		if strings.TrimSpace(s.Reason) == "" {
			return fmt.Errorf("skip %q: no reason; say why the spec is known to fail", s.Match)
		}
	}
	return nil
}

// addSkips joins the declared skips of one run description to those seen
// (the parts of a sharded run each declare them).
func (b *Builder) addSkips(skips []Skip) {
	for _, s := range skips {
		if !slices.ContainsFunc(b.skips, func(o Skip) bool { return o.Match == s.Match }) {
			b.skips = append(b.skips, Skip{Match: s.Match, Reason: s.Reason})
		}
	}
}

// summarySkips lists every declared skip with the selected specs it
// skipped, sorted; nil when none was declared.
func summarySkips(declared []Skip, specs []SpecSummary) []Skip {
	if len(declared) == 0 {
		return nil
	}
	out := make([]Skip, 0, len(declared))
	for _, d := range declared {
		s := Skip{Match: d.Match, Reason: d.Reason, Specs: []string{}}
		for _, sp := range specs {
			if sp.Skip == d.Match {
				s.Specs = append(s.Specs, sp.Name)
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Match < out[j].Match })
	return out
}

// declaredSkip is the match of the declared skip that skipped sr, or "".
func declaredSkip(sr types.SpecReport) (string, error) {
	for _, e := range sr.ReportEntries {
		if e.Name == EntrySkip {
			var s Skip
			if err := decodeValue(e, &s); err != nil {
				return "", err
			}
			return s.Match, nil
		}
	}
	return "", nil
}

// skipsMarkdown is report.md's list of declared skips.
func skipsMarkdown(skips []Skip) string {
	if len(skips) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### Skipped by the implementer (%d): conformant-with-gaps at best\n\n", len(skips))
	for _, s := range skips {
		fmt.Fprintf(&b, "- `%s`: %s", mdEscape(s.Match), mdEscape(cut(s.Reason, 300)))
		switch len(s.Specs) {
		case 0:
			b.WriteString(" (matched no selected spec)")
		case 1:
			fmt.Fprintf(&b, " (skipped: %s)", mdEscape(cut(s.Specs[0], 200)))
		default:
			fmt.Fprintf(&b, " (skipped %d specs)", len(s.Specs))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	return b.String()
}

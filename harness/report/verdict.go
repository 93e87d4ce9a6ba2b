package report

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"sigs.k8s.io/yaml"

	"github.com/chconform/chconform/harness"
)

// Verdict is the one-word answer of a run (issue 12), as gateway-api's
// conformance reports say success, partial or failure.
type Verdict string

const (
	// VerdictConformant: nothing failed and every documented response of
	// the contract was verified.
	VerdictConformant Verdict = "conformant"
	// VerdictWithGaps: nothing failed and the floor was met, but some
	// documented responses were not verified (Verification.Unverified says
	// which and why).
	VerdictWithGaps Verdict = "conformant-with-gaps"
	// VerdictNotConformant: a spec failed, errored or was flaky, or the
	// run verified less than its floor requires (Verification.BelowFloor).
	VerdictNotConformant Verdict = "not-conformant"
)

// Gap kinds: why a documented response was not verified.
const (
	GapFailed       = "failed"        // exercised, and a check failed on an exchange with that status
	GapNotExercised = "not_exercised" // a selected spec covers it and ran, but no exchange got that status
	GapNotJudged    = "not_judged"    // exchanges got that status, but none had its body (or documented headers) judged
	GapUnsupported  = "unsupported"   // every selected spec covering it was unsupported or disabled
	GapNotSelected  = "not_selected"  // no selected spec covers it (a label filter left them out)
	GapExempt       = "exempt"        // no spec can exercise it (ineligible.yaml)
	// GapAnonymous: every selected spec covering it needs the default
	// account's token, and the run was anonymous on purpose (CH_ANONYMOUS).
	// Outside the floor of an anonymous run, which is what an anonymous
	// client can verify; the reports say the run was anonymous.
	GapAnonymous = "anonymous"
)

// FloorAnonymous is Floor.Mode of an anonymous run (CH_ANONYMOUS).
const FloorAnonymous = "anonymous"

// Reasons the suites give a spec that needs the default account's token
// (harness/suite): the verdict tells them from other unsupported specs, so
// a missing secret never lowers a floor silently.
const (
	ReasonNoToken   = "CH_AUTH_TOKEN is not set"
	ReasonAnonymous = "anonymous run (CH_ANONYMOUS=true)"
)

// needsToken says whether an unsupported spec's reason is the default
// account's missing token.
func needsToken(reason string) bool {
	return strings.HasPrefix(reason, ReasonNoToken) || strings.HasPrefix(reason, ReasonAnonymous)
}

// Floor is what a run must verify: its profile's rule, the user's
// CH_MIN_COVERAGE, and the responses exempt from both. The suites record it
// in the RunEntry so chreport can enforce it from the reports alone.
type Floor struct {
	// Profile is the profile's coverage.require: "all", "supported" or "".
	Profile string `json:"profile,omitempty"`
	// Min is CH_MIN_COVERAGE as given: "all" or a fraction; "" for none.
	Min string `json:"min,omitempty"`
	// Exempt lists the documented responses no spec can exercise.
	Exempt []Exemption `json:"exempt,omitempty"`
	// Mode is FloorAnonymous for an anonymous run: the responses only the
	// default account's token reaches are gaps of kind GapAnonymous, out of
	// what the floor requires. "" for a run with the credentials it needs.
	Mode string `json:"mode,omitempty"`
	// MinResponse is CH_MIN_RESPONSE_COVERAGE, ProfileResponse the
	// profile's coverage.response: fractions of the response coverage
	// locations the run must observe (respcov.go); "" for none.
	MinResponse     string `json:"min_response,omitempty"`
	ProfileResponse string `json:"profile_response,omitempty"`
}

// Exemption is one documented response no spec can exercise.
type Exemption struct {
	Operation string `json:"operation"`
	Status    string `json:"status"`
	Reason    string `json:"reason"`
}

// ParseExemptions reads ineligible.yaml.
func ParseExemptions(data []byte) ([]Exemption, error) {
	var raw []struct {
		Operation string `json:"operation"`
		Status    int    `json:"status"`
		Reason    string `json:"reason"`
	}
	if err := yaml.UnmarshalStrict(data, &raw); err != nil {
		return nil, fmt.Errorf("ineligible.yaml: %w", err)
	}
	out := make([]Exemption, 0, len(raw))
	for _, r := range raw {
		out = append(out, Exemption{Operation: r.Operation, Status: strconv.Itoa(r.Status), Reason: strings.TrimSpace(r.Reason)})
	}
	return out, nil
}

// Verification is verified coverage: how many documented responses the run
// verified out of how many the contract documents, each one that was not
// with its reason, and what the floor required.
//
// A documented response (operation, status) is verified when at least one
// exchange of that operation got that status with status_code_conformance
// passed and its body judged (response_schema_conformance passed: a skip, as
// on a capture that kept no body, is no verdict; so is a documented header
// it could not read: see harness.Unjudged),
// and no check failed on any exchange of that operation that got that
// status. (Checks are judged per exchange, so a failure on another status of
// the same operation does not unverify this one.)
type Verification struct {
	Verified int `json:"verified"`
	Total    int `json:"total"`
	// Required is how many documented responses the floor required.
	Required int `json:"required"`
	// Floor is the floor the run was held to (from its RunEntry).
	Floor Floor `json:"floor"`
	// Unverified names every documented response that was not verified.
	Unverified []Gap `json:"unverified"`
	// BelowFloor names what the floor required and the run did not verify;
	// not empty means the run exits 1.
	BelowFloor []string `json:"below_floor,omitempty"`
}

// Gap is one documented response that was not verified.
type Gap struct {
	Operation string `json:"operation"`
	Status    string `json:"status"`
	Kind      string `json:"kind"`
	Reason    string `json:"reason"`
	// Required is set when the floor required this response.
	Required bool `json:"required,omitempty"`
}

// String is how the verdict line and the reports name a gap.
func (g Gap) String() string { return fmt.Sprintf("%s %s: %s", g.Operation, g.Status, g.Reason) }

// coverRecord is what the selected specs covering one documented response
// (their covers:<op>:<status> labels) came to.
type coverRecord struct {
	ran     bool     // one of them passed, failed or errored
	token   bool     // one of them was unsupported for want of the default account's token
	skip    []string // reasons of the ones a declared skip skipped (skips.go)
	skipped []string // reasons of the unsupported and disabled ones, distinct
	broken  []string // "<outcome>: <reason>" of the failed and errored ones, distinct
}

func (b *Builder) noteCovers(spec SpecSummary) {
	for _, key := range spec.Covers {
		if b.covers == nil {
			b.covers = map[string]*coverRecord{}
		}
		r := b.covers[key]
		if r == nil {
			r = &coverRecord{}
			b.covers[key] = r
		}
		switch spec.Outcome {
		case OutcomeUnsupported, OutcomeDisabled:
			if spec.Skip != "" && !slices.Contains(r.skip, spec.Reason) {
				r.skip = append(r.skip, spec.Reason)
			}
			r.token = r.token || (spec.Outcome == OutcomeUnsupported && needsToken(spec.Reason))
			if msg := string(spec.Outcome) + ": " + spec.Reason; len(r.skipped) < 3 && !slices.Contains(r.skipped, msg) {
				r.skipped = append(r.skipped, msg)
			}
		case OutcomeFailed, OutcomeError:
			r.ran = true
			if msg := fmt.Sprintf("%s (%s: %s)", spec.Name, spec.Outcome, spec.Reason); len(r.broken) < 3 && !slices.Contains(r.broken, msg) {
				r.broken = append(r.broken, msg)
			}
		default:
			r.ran = true
		}
	}
}

// noteBody records, for an exchange whose status is documented, whether
// what the contract documents for it (its body, its headers) was judged,
// and why not when it was not.
func (b *Builder) noteBody(e ChecksEntry) {
	code := strconv.Itoa(e.Status)
	why := harness.Unjudged(e.Checks)
	if why == "" {
		if b.validated == nil {
			b.validated = map[string]map[string]bool{}
		}
		if b.validated[e.Operation] == nil {
			b.validated[e.Operation] = map[string]bool{}
		}
		b.validated[e.Operation][code] = true
		return
	}
	if b.unjudged == nil {
		b.unjudged = map[string]map[string][]string{}
	}
	if b.unjudged[e.Operation] == nil {
		b.unjudged[e.Operation] = map[string][]string{}
	}
	if reasons := b.unjudged[e.Operation][code]; len(reasons) < 3 && !slices.Contains(reasons, why) {
		b.unjudged[e.Operation][code] = append(reasons, why)
	}
}

// noteStatus records the checks of one exchange against its status.
func (b *Builder) noteStatus(e ChecksEntry) {
	if e.Status == 0 {
		return
	}
	code := strconv.Itoa(e.Status)
	for _, c := range e.Checks {
		if c.Status != harness.CheckFailed {
			continue
		}
		if b.failedAt == nil {
			b.failedAt = map[string]map[string][]string{}
		}
		if b.failedAt[e.Operation] == nil {
			b.failedAt[e.Operation] = map[string][]string{}
		}
		if !slices.Contains(b.failedAt[e.Operation][code], c.Name) {
			b.failedAt[e.Operation][code] = append(b.failedAt[e.Operation][code], c.Name)
		}
	}
}

// verification computes verified coverage over the summary's operations.
// covered says whether the run had covers labels at all (a Ginkgo run does;
// an audit of captured traffic does not, and then nothing is "not selected").
func (b *Builder) verification(ops []OperationSummary) Verification {
	v := Verification{Unverified: []Gap{}}
	if b.run != nil && b.run.Floor != nil {
		v.Floor = *b.run.Floor
	}
	exempt := map[string]string{}
	for _, e := range v.Floor.Exempt {
		exempt[e.Operation+":"+e.Status] = e.Reason
	}
	inScope, skipped := 0, 0
	for _, op := range ops {
		for _, code := range op.ResponsesDocumented {
			v.Total++
			key := op.OperationID + ":" + code
			failed := slices.Clone(b.failedAt[op.OperationID][code])
			sort.Strings(failed)
			if b.validated[op.OperationID][code] && len(failed) == 0 {
				v.Verified++
				inScope++
				continue
			}
			g := Gap{Operation: op.OperationID, Status: code}
			cov := b.covers[key]
			switch {
			case len(failed) > 0:
				g.Kind, g.Reason = GapFailed, "exercised but failed "+strings.Join(failed, ", ")
			case b.seen[op.OperationID][code]:
				g.Kind, g.Reason = GapNotJudged, "exercised, but its answer was not judged: "+
					strings.Join(b.unjudged[op.OperationID][code], "; ")
			case exempt[key] != "":
				g.Kind, g.Reason = GapExempt, "no spec can exercise it (ineligible.yaml): "+exempt[key]
			case cov == nil && b.covers != nil:
				g.Kind, g.Reason = GapNotSelected, "no selected spec covers it (label filter)"
			case cov != nil && !cov.ran && cov.token && v.Floor.Mode == FloorAnonymous:
				g.Kind, g.Reason = GapAnonymous, "anonymous run: only specs that need the default account's token (CH_AUTH_TOKEN) cover it"
			case cov != nil && !cov.ran && len(cov.skip) > 0:
				// Declared and listed: not what the floor requires.
				inScope++
				skipped++
				g.Kind, g.Reason = GapSkipped, "only in specs the implementer skipped: "+strings.Join(cov.skip, "; ")
			case cov != nil && !cov.ran:
				g.Kind, g.Reason = GapUnsupported, "only in unsupported specs: "+strings.Join(cov.skipped, "; ")
			default:
				g.Kind, g.Reason = GapNotExercised, "never exercised"
				if cov != nil && len(cov.broken) > 0 {
					g.Reason += "; its spec did not pass: " + strings.Join(cov.broken, "; ")
				}
			}
			switch g.Kind {
			case GapFailed, GapNotExercised, GapNotJudged:
				inScope++
				g.Required = v.Floor.Profile != "" || v.Floor.Min == "all"
			case GapUnsupported:
				inScope++
				// A token the run was not given is not a capability the
				// target lacks: the floor keeps requiring the response.
				g.Required = v.Floor.Profile == "all" || v.Floor.Min == "all" || (cov.token && v.Floor.Profile != "")
			}
			v.Unverified = append(v.Unverified, g)
		}
	}
	for _, g := range v.Unverified {
		if g.Required {
			v.BelowFloor = append(v.BelowFloor, g.String())
		}
	}
	switch {
	case v.Floor.Min == "all" || v.Floor.Profile == "all":
		v.Required = inScope - skipped
	case v.Floor.Profile == "supported":
		v.Required = inScope - skipped
		for _, g := range v.Unverified {
			if g.Kind == GapUnsupported && !g.Required {
				v.Required--
			}
		}
	}
	if f, err := strconv.ParseFloat(v.Floor.Min, 64); err == nil && inScope > 0 {
		need := int(f*float64(inScope) + 0.999999)
		if need > v.Required {
			v.Required = need
		}
		if v.Verified < need {
			v.BelowFloor = append(v.BelowFloor, fmt.Sprintf("CH_MIN_COVERAGE=%s: verified %d of %d documented responses in scope, %d required",
				v.Floor.Min, v.Verified, inScope, need))
		}
	}
	return v
}

// verdict is the run's one word: failures and a missed floor first, then
// gaps.
//
// A flaky spec (it failed, then passed on a retry) makes the run
// not-conformant, not conformant-with-gaps: issue 12 says a flaky spec "is
// not a pass for a conformant verdict (the target answered the same question
// two ways)". One of those answers broke the contract, and a gap means
// "not verified", never "seen broken"; the failed attempt's checks already
// mark its documented response failed. So it exits 1 like a failure, while
// the reports still tell it apart from a spec that failed every attempt.
func verdict(s Summary) Verdict {
	switch {
	case s.Totals.Failed > 0 || s.Totals.Error > 0 || s.Totals.Flaky > 0 || len(s.Verified.BelowFloor) > 0:
		return VerdictNotConformant
	case len(s.Verified.Unverified) > 0 || len(s.Skips) > 0:
		// A declared skip is a known failure not run: never conformant.
		return VerdictWithGaps
	default:
		return VerdictConformant
	}
}

// VerdictText is the verdict as every report prints it: the word, and
// "(anonymous)" after it for an anonymous run, whose verdict covers only
// what a client without the token can verify.
func (s Summary) VerdictText() string {
	if s.Target.Anonymous {
		return string(s.Verdict) + " (anonymous)"
	}
	return string(s.Verdict)
}

// FloorLine says in one line what the floor required, or "" when nothing.
func (v Verification) FloorLine() string {
	var parts []string
	if v.Floor.Profile != "" {
		parts = append(parts, "profile requires "+v.Floor.Profile)
	}
	if v.Floor.Min != "" {
		parts = append(parts, "CH_MIN_COVERAGE="+v.Floor.Min)
	}
	if v.Floor.ProfileResponse != "" {
		parts = append(parts, "profile requires response coverage "+v.Floor.ProfileResponse)
	}
	if v.Floor.MinResponse != "" {
		parts = append(parts, "CH_MIN_RESPONSE_COVERAGE="+v.Floor.MinResponse)
	}
	if len(parts) == 0 {
		return ""
	}
	if v.Floor.Mode == FloorAnonymous {
		parts = append(parts, "anonymous: what a client without CH_AUTH_TOKEN can verify")
	}
	return fmt.Sprintf("floor: %s (%d required, %d exempt)", strings.Join(parts, ", "), v.Required, len(v.Floor.Exempt))
}

// verifiedMarkdown is report.md's verified-coverage section: the count, the
// floor, and every documented response that was not verified, with why.
// The section takes at most budget bytes; what does not fit is counted.
func verifiedMarkdown(s Summary, budget int) string {
	v := s.Verified
	var b strings.Builder
	fmt.Fprintf(&b, "**Verified %d/%d documented responses** · verdict **%s**", v.Verified, v.Total, s.VerdictText())
	if line := v.FloorLine(); line != "" {
		fmt.Fprintf(&b, " · %s", mdEscape(line))
	}
	b.WriteString("\n\n")
	if len(v.BelowFloor) > 0 {
		fmt.Fprintf(&b, "Below the floor (%d):\n\n", len(v.BelowFloor))
		for i, m := range v.BelowFloor {
			if b.Len() > budget/2 {
				fmt.Fprintf(&b, "- and %d more (summary.json lists them all)\n", len(v.BelowFloor)-i)
				break
			}
			fmt.Fprintf(&b, "- ✗ %s\n", mdEscape(cut(m, 300)))
		}
		b.WriteString("\n")
	}
	if len(v.Unverified) > 0 {
		b.WriteString("| not verified | why |\n|---|---|\n")
		for i, g := range v.Unverified {
			if b.Len() > budget {
				fmt.Fprintf(&b, "| … | and %d more (summary.json lists them all) |\n", len(v.Unverified)-i)
				break
			}
			req := ""
			if g.Required {
				req = "**required** · "
			}
			fmt.Fprintf(&b, "| `%s %s` | %s%s |\n", g.Operation, g.Status, req, mdEscape(cut(g.Reason, 300)))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// cut shortens s to at most n bytes on a rune boundary, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

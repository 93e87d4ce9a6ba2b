package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/chconform/chconform/harness"
)

// Diff is what changed between two summaries of the same kind of target: the
// regression gate's verdict. Fields a run changes on its own (start time,
// tool revision, configuration, spec locations) are never compared.
type Diff struct {
	// Regressions are the reasons the gate fails, one line each, naming the
	// operation and the check where there is one: what broke first, then
	// what was lost (Lost lists those apart).
	Regressions []string `json:"regressions"`
	// Lost are the regressions that are losses, not failures: a documented
	// response verified in the baseline and not now, a spec that ran in the
	// baseline and is unsupported, disabled or gone now, an operation no
	// longer exercised. Only with the contract unchanged: a changed contract
	// explains them (ContractConsequences).
	Lost []string `json:"lost"`
	// ContractConsequences are the same losses when the two runs checked
	// different contracts: news for whoever changed it, not regressions.
	ContractConsequences []string `json:"contract_consequences"`

	NewFailures []SpecChange `json:"new_failures"`
	Fixed       []SpecChange `json:"fixed"`
	// LostSpecs are the specs that ran in the baseline (passed, flaky or
	// failed) and did not run now: unsupported, disabled or gone.
	LostSpecs        []SpecChange `json:"lost_specs"`
	NewlyUnsupported []SpecChange `json:"newly_unsupported"`
	OtherSpecChanges []SpecChange `json:"other_spec_changes"`
	// ProvisionalChanges are provisional specs whose outcome changed: news
	// for the contract's maintainers (a case the contract does not document
	// yet started or stopped failing), never a regression.
	ProvisionalChanges []SpecChange `json:"provisional_changes"`
	SpecsAdded         []string     `json:"specs_added"`
	SpecsRemoved       []string     `json:"specs_removed"`

	OperationsAdded   []string      `json:"operations_added"`
	OperationsRemoved []string      `json:"operations_removed"`
	CheckChanges      []CheckChange `json:"check_changes"`

	ResponsesLost   []string `json:"responses_lost"`   // "op 200"
	ResponsesGained []string `json:"responses_gained"` // "op 200"
	// VerifiedLost are the documented responses ("op 200") the baseline
	// verified and this run did not.
	VerifiedLost []string `json:"verified_lost"`
	// ResponseCoverageLost are the documented responses with schema
	// locations (response_coverage) the baseline's validated bodies showed
	// and this run's did not.
	ResponseCoverageLost []CoverageLoss `json:"response_coverage_lost"`
	Coverage             struct {
		Base Coverage `json:"base"`
		New  Coverage `json:"new"`
	} `json:"coverage"`
	Totals struct {
		Base Totals `json:"base"`
		New  Totals `json:"new"`
	} `json:"totals"`
	SpecChanged bool `json:"contract_changed"` // the two runs checked different api.yaml
}

// SpecChange is one spec whose outcome differs.
type SpecChange struct {
	Name   string  `json:"name"`
	Before Outcome `json:"before"` // "" when the spec is new
	After  Outcome `json:"after"`  // "" when the spec is gone
	Reason string  `json:"reason,omitempty"`
}

// CheckChange is one cell of the matrix whose status differs.
type CheckChange struct {
	Operation string              `json:"operation"`
	Check     string              `json:"check"`
	Before    harness.CheckStatus `json:"before"` // "" when not run
	After     harness.CheckStatus `json:"after"`
	Message   string              `json:"message,omitempty"`
}

// Regressed says whether the gate fails.
func (d Diff) Regressed() bool { return len(d.Regressions) > 0 }

func bad(o Outcome) bool { return o == OutcomeFailed || o == OutcomeError || o == outcomeFlaky }

// outcomeFlaky is how the diff tells a flaky spec (summary.json: passed,
// with flaky set) from one that passed at once: the target answered one
// question two ways, so turning flaky is a regression like failing.
const outcomeFlaky Outcome = "flaky"

// Compare diffs base against new. A regression is a failure: a spec that is
// failed, errored or flaky now and was not before (a new spec that fails
// counts: the gate is there so that nothing merges failing), or an
// operation check that passed and now fails. Or it is a loss, with the
// contract unchanged: a documented response verified in the baseline and not
// now (or exercised and no longer); a spec that ran in the baseline and is
// unsupported, disabled or gone now (a spec that starts skipping judges
// nothing, whatever else still verifies its response); an operation the
// contract no longer has, or fewer operations exercised. With the contract
// changed, the losses are its consequences, listed apart and not counted.
func Compare(base, cur Summary) Diff {
	var d Diff
	d.Coverage.Base, d.Coverage.New = base.Coverage, cur.Coverage
	d.Totals.Base, d.Totals.New = base.Totals, cur.Totals
	// A summary without a contract hash cannot show that the contract
	// changed: its losses count.
	d.SpecChanged = base.Spec.SHA256 != "" && cur.Spec.SHA256 != "" && base.Spec.SHA256 != cur.Spec.SHA256
	var failures, losses []string
	lose := func(format string, args ...any) { losses = append(losses, fmt.Sprintf(format, args...)) }

	bs, ns := specOutcomes(base), specOutcomes(cur)
	for _, name := range unionKeys(bs, ns) {
		b, inBase := bs[name]
		n, inNew := ns[name]
		switch {
		case !inBase:
			d.SpecsAdded = append(d.SpecsAdded, name)
		case !inNew:
			d.SpecsRemoved = append(d.SpecsRemoved, name)
		}
		if b.Outcome == n.Outcome {
			continue
		}
		ch := SpecChange{Name: name, Before: b.Outcome, After: n.Outcome, Reason: n.Reason}
		switch {
		case bad(n.Outcome) && !bad(b.Outcome):
			d.NewFailures = append(d.NewFailures, ch)
			failures = append(failures, fmt.Sprintf("spec %q: %s → %s: %s", name, word(b.Outcome), n.Outcome, n.Reason))
		case bad(b.Outcome) && n.Outcome == OutcomePassed:
			d.Fixed = append(d.Fixed, ch)
		case inBase && judged(b.Outcome) && !judged(n.Outcome) && n.Outcome != OutcomeError:
			d.LostSpecs = append(d.LostSpecs, ch)
			if inNew {
				lose("spec %q: %s → %s: %s", name, b.Outcome, n.Outcome, n.Reason)
			} else {
				lose("spec %q: %s → absent from this run", name, b.Outcome)
			}
		case n.Outcome == OutcomeUnsupported && inBase:
			d.NewlyUnsupported = append(d.NewlyUnsupported, ch)
		case inBase && inNew:
			d.OtherSpecChanges = append(d.OtherSpecChanges, ch)
		}
	}

	bp, np := specOutcomes(provisionalOnly(base)), specOutcomes(provisionalOnly(cur))
	for _, name := range unionKeys(bp, np) {
		if b, n := bp[name], np[name]; b.Outcome != n.Outcome {
			d.ProvisionalChanges = append(d.ProvisionalChanges, SpecChange{Name: name, Before: b.Outcome, After: n.Outcome, Reason: n.Reason})
		}
	}

	bv, nv := verifiedResponses(base), verifiedResponses(cur)
	bo, no := operations(base), operations(cur)
	for _, id := range unionKeys(bo, no) {
		b, inBase := bo[id]
		n, inNew := no[id]
		switch {
		case !inBase:
			d.OperationsAdded = append(d.OperationsAdded, id)
			continue
		case !inNew:
			d.OperationsRemoved = append(d.OperationsRemoved, id)
			lose("operation %s: removed from the contract", id)
			continue
		}
		bc, nc := checksByName(b), checksByName(n)
		for _, name := range unionKeys(bc, nc) {
			before, after := bc[name], nc[name]
			if before.Status == after.Status {
				continue
			}
			d.CheckChanges = append(d.CheckChanges, CheckChange{
				Operation: id, Check: name, Before: before.Status, After: after.Status, Message: after.Message,
			})
			if before.Status == harness.CheckPassed && after.Status == harness.CheckFailed {
				failures = append(failures, fmt.Sprintf("operation %s: check %s passed → failed: %s", id, name, after.Message))
			}
		}
		codes := slices.Concat(b.ResponsesDocumented, b.ResponsesExercised)
		slices.Sort(codes)
		for _, code := range slices.Compact(codes) {
			key := id + " " + code
			exercisedLost := slices.Contains(b.ResponsesExercised, code) && !slices.Contains(n.ResponsesExercised, code)
			if exercisedLost {
				d.ResponsesLost = append(d.ResponsesLost, key)
			}
			if why, lost := verifiedLost(bv, nv, key); lost {
				d.VerifiedLost = append(d.VerifiedLost, key)
				lose("operation %s: documented response %s verified in the baseline, not now: %s", id, code, why)
			} else if exercisedLost {
				lose("operation %s: documented response %s no longer exercised", id, code)
			}
		}
		for _, code := range n.ResponsesExercised {
			if !slices.Contains(b.ResponsesExercised, code) {
				d.ResponsesGained = append(d.ResponsesGained, id+" "+code)
			}
		}
	}
	if cur.Coverage.OperationsExercised < base.Coverage.OperationsExercised {
		lose("coverage: %d operations exercised, was %d", cur.Coverage.OperationsExercised, base.Coverage.OperationsExercised)
	}
	for _, l := range coverageLost(base.ResponseCoverage, cur.ResponseCoverage) {
		d.ResponseCoverageLost = append(d.ResponseCoverageLost, l)
		lose("operation %s: response %s: %d schema location(s) observed in the baseline are not now (%d of %d observed, was %d): %s",
			l.Operation, l.Status, len(l.Locations), l.Observed, l.Total, l.BaseObserved, strings.Join(firstN(l.Locations, 5), ", "))
	}

	d.Regressions = failures
	if d.SpecChanged {
		d.ContractConsequences = losses
	} else {
		d.Lost = losses
		d.Regressions = append(d.Regressions, losses...)
	}
	return d
}

// judged says whether a spec with this outcome judged the target: it ran
// to a verdict (an error is the harness's, and judged nothing).
func judged(o Outcome) bool { return o == OutcomePassed || o == OutcomeFailed || o == outcomeFlaky }

// verifiedLost says whether base verified the response key and cur did
// not, and why not.
func verifiedLost(base, cur map[string]string, key string) (string, bool) {
	if base == nil || cur == nil {
		return "", false
	}
	if why, documented := base[key]; !documented || why != "" {
		return "", false
	}
	why, documented := cur[key]
	if !documented {
		return "no longer documented", true
	}
	return why, why != ""
}

// verifiedResponses maps every documented response of s ("op 200") to ""
// when s verified it and to why not otherwise; nil when s records no
// verified coverage (a summary older than it).
func verifiedResponses(s Summary) map[string]string {
	if s.Verified.Total == 0 {
		return nil
	}
	out := map[string]string{}
	for _, op := range s.Operations {
		for _, code := range op.ResponsesDocumented {
			out[op.OperationID+" "+code] = ""
		}
	}
	for _, g := range s.Verified.Unverified {
		reason := g.Kind
		if g.Reason != "" {
			reason += ": " + g.Reason
		}
		out[g.Operation+" "+g.Status] = reason
	}
	return out
}

func word(o Outcome) string {
	if o == "" {
		return "new"
	}
	return string(o)
}

// specOutcomes keys specs by name. Two specs with one name (a table with
// duplicate entries) roll up to the worse outcome, so a failure behind a
// duplicate name cannot hide.
func specOutcomes(s Summary) map[string]SpecSummary {
	out := map[string]SpecSummary{}
	for _, sp := range s.Specs {
		if sp.Flaky {
			sp.Outcome = outcomeFlaky
		}
		if prev, ok := out[sp.Name]; ok && prev.Outcome.raise(sp.Outcome) == prev.Outcome {
			continue
		}
		out[sp.Name] = sp
	}
	return out
}

// provisionalOnly is a summary of s's provisional specs alone.
func provisionalOnly(s Summary) Summary {
	if s.Provisional == nil {
		return Summary{}
	}
	return Summary{Specs: s.Provisional.Specs}
}

func operations(s Summary) map[string]OperationSummary {
	out := map[string]OperationSummary{}
	for _, op := range s.Operations {
		out[op.OperationID] = op
	}
	return out
}

func checksByName(op OperationSummary) map[string]CheckSummary {
	out := map[string]CheckSummary{}
	for _, c := range op.Checks {
		out[c.Name] = c
	}
	return out
}

func unionKeys[V any](a, b map[string]V) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// failuresAndLosses splits the regressions into what broke and what was
// lost, so a reader sees them apart.
func (d Diff) failuresAndLosses() (failed, lost []string) {
	return d.Regressions[:len(d.Regressions)-len(d.Lost)], d.Lost
}

// WriteDiffText renders a Diff for a terminal: regressions first, since they
// are why someone is reading it.
func WriteDiffText(w io.Writer, d Diff) error {
	var b strings.Builder
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s (%d):\n", title, len(lines))
		for _, l := range lines {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	if d.Regressed() {
		fmt.Fprintf(&b, "REGRESSIONS (%d):\n", len(d.Regressions))
		failed, lost := d.failuresAndLosses()
		for _, r := range failed {
			fmt.Fprintf(&b, "  ✗ %s\n", r)
		}
		if len(lost) > 0 {
			fmt.Fprintf(&b, "  lost: judged in the baseline, not in this run (%d):\n", len(lost))
			for _, r := range lost {
				fmt.Fprintf(&b, "  ✗ %s\n", r)
			}
		}
	} else {
		b.WriteString("no regression\n")
	}
	section("consequences of the contract change (not regressions)", d.ContractConsequences)
	section("new failures", specLines(d.NewFailures))
	section("fixed", specLines(d.Fixed))
	section("newly unsupported", specLines(d.NewlyUnsupported))
	section("other outcome changes", specLines(d.OtherSpecChanges))
	section("provisional specs changed (not counted)", specLines(d.ProvisionalChanges))
	section("checks changed", checkLines(d.CheckChanges))
	section("operations added", d.OperationsAdded)
	section("operations removed", d.OperationsRemoved)
	section("responses no longer exercised", d.ResponsesLost)
	section("responses newly exercised", d.ResponsesGained)
	section("specs added", d.SpecsAdded)
	section("specs removed", d.SpecsRemoved)
	fmt.Fprintf(&b, "coverage: operations %d → %d of %d, responses %d → %d of %d\n",
		d.Coverage.Base.OperationsExercised, d.Coverage.New.OperationsExercised, d.Coverage.New.OperationsTotal,
		d.Coverage.Base.ResponsesExercised, d.Coverage.New.ResponsesExercised, d.Coverage.New.ResponsesTotal)
	fmt.Fprintf(&b, "totals: %s → %s\n", totalsLine(d.Totals.Base), totalsLine(d.Totals.New))
	if d.SpecChanged {
		b.WriteString("note: the two runs checked different versions of the contract (see chreport spec-diff)\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteDiffMarkdown renders a Diff for a pull-request comment.
func WriteDiffMarkdown(w io.Writer, d Diff) error {
	var b strings.Builder
	if d.Regressed() {
		fmt.Fprintf(&b, "## chconform: ✗ %d regression(s) against the baseline\n\n", len(d.Regressions))
		failed, lost := d.failuresAndLosses()
		for _, r := range failed {
			fmt.Fprintf(&b, "- ✗ %s\n", mdEscape(r))
		}
		if len(lost) > 0 {
			fmt.Fprintf(&b, "\n**Lost** (%d): judged in the baseline, not in this run\n\n", len(lost))
			for _, r := range lost {
				fmt.Fprintf(&b, "- ✗ %s\n", mdEscape(r))
			}
		}
		b.WriteString("\n")
	} else {
		b.WriteString("## chconform: ✓ no regression against the baseline\n\n")
	}
	b.WriteString("| | baseline | this run |\n|---|---:|---:|\n")
	fmt.Fprintf(&b, "| operations exercised | %d/%d | %d/%d |\n", d.Coverage.Base.OperationsExercised, d.Coverage.Base.OperationsTotal, d.Coverage.New.OperationsExercised, d.Coverage.New.OperationsTotal)
	fmt.Fprintf(&b, "| responses exercised | %d/%d | %d/%d |\n", d.Coverage.Base.ResponsesExercised, d.Coverage.Base.ResponsesTotal, d.Coverage.New.ResponsesExercised, d.Coverage.New.ResponsesTotal)
	fmt.Fprintf(&b, "| passed / failed / error | %d / %d / %d | %d / %d / %d |\n", d.Totals.Base.Passed, d.Totals.Base.Failed, d.Totals.Base.Error, d.Totals.New.Passed, d.Totals.New.Failed, d.Totals.New.Error)
	fmt.Fprintf(&b, "| unsupported / disabled | %d / %d | %d / %d |\n\n", d.Totals.Base.Unsupported, d.Totals.Base.Disabled, d.Totals.New.Unsupported, d.Totals.New.Disabled)
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "<details><summary>%s (%d)</summary>\n\n", title, len(lines))
		for _, l := range lines {
			fmt.Fprintf(&b, "- %s\n", mdEscape(l))
		}
		b.WriteString("\n</details>\n\n")
	}
	section("Consequences of the contract change (not regressions)", d.ContractConsequences)
	section("Fixed", specLines(d.Fixed))
	section("Newly unsupported", specLines(d.NewlyUnsupported))
	section("Other outcome changes", specLines(d.OtherSpecChanges))
	section("Provisional specs changed (not counted)", specLines(d.ProvisionalChanges))
	section("Checks changed", checkLines(d.CheckChanges))
	section("Operations added", d.OperationsAdded)
	section("Operations removed", d.OperationsRemoved)
	section("Responses newly exercised", d.ResponsesGained)
	section("Specs added", d.SpecsAdded)
	section("Specs removed", d.SpecsRemoved)
	if d.SpecChanged {
		b.WriteString("_The two runs checked different versions of the contract._\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteDiffJSON renders a Diff for tools; empty lists are [] rather than
// null so a consumer can iterate without a check.
func WriteDiffJSON(w io.Writer, d Diff) error {
	for _, p := range []*[]string{&d.Regressions, &d.Lost, &d.ContractConsequences, &d.VerifiedLost, &d.SpecsAdded, &d.SpecsRemoved, &d.OperationsAdded, &d.OperationsRemoved, &d.ResponsesLost, &d.ResponsesGained} {
		if *p == nil {
			*p = []string{}
		}
	}
	for _, p := range []*[]SpecChange{&d.NewFailures, &d.Fixed, &d.LostSpecs, &d.NewlyUnsupported, &d.OtherSpecChanges, &d.ProvisionalChanges} {
		if *p == nil {
			*p = []SpecChange{}
		}
	}
	if d.CheckChanges == nil {
		d.CheckChanges = []CheckChange{}
	}
	if d.ResponseCoverageLost == nil {
		d.ResponseCoverageLost = []CoverageLoss{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Regressed bool `json:"regressed"`
		Diff
	}{d.Regressed(), d})
}

func specLines(cs []SpecChange) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		l := fmt.Sprintf("%s: %s → %s", c.Name, word(c.Before), gone(c.After))
		if c.Reason != "" && c.After != OutcomePassed {
			l += ": " + c.Reason
		}
		out = append(out, l)
	}
	return out
}

func gone(o Outcome) string {
	if o == "" {
		return "removed"
	}
	return string(o)
}

func checkLines(cs []CheckChange) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		before, after := string(c.Before), string(c.After)
		if before == "" {
			before = "not run"
		}
		if after == "" {
			after = "not run"
		}
		l := fmt.Sprintf("%s %s: %s → %s", c.Operation, c.Check, before, after)
		if c.After == harness.CheckFailed && c.Message != "" {
			l += ": " + c.Message
		}
		out = append(out, l)
	}
	return out
}

func totalsLine(t Totals) string {
	return fmt.Sprintf("%d passed, %d failed, %d error, %d unsupported, %d disabled", t.Passed, t.Failed, t.Error, t.Unsupported, t.Disabled)
}

// CoverageLoss is one documented response whose validated bodies showed
// fewer schema locations than the baseline's: Locations were observed then
// and are not now.
type CoverageLoss struct {
	Operation    string   `json:"operation"`
	Status       string   `json:"status"`
	Observed     int      `json:"observed"`
	BaseObserved int      `json:"base_observed"`
	Total        int      `json:"total"`
	Locations    []string `json:"locations"`
}

// coverageLost compares location by location, not count by count: a run
// that observes one new location and loses another has lost something the
// baseline showed. A summary without response coverage (one written before
// it existed) compares nothing.
func coverageLost(base, cur *ResponseCoverage) []CoverageLoss {
	if base == nil || cur == nil {
		return nil
	}
	var out []CoverageLoss
	for _, n := range cur.Responses {
		b, ok := base.Response(n.Operation, n.Status)
		if !ok {
			continue
		}
		if b.Total != n.Total {
			// Another catalogue (a chconform that lists more or fewer
			// locations): a name missing from the baseline's unobserved
			// list may never have been in it, so only a lower count is
			// known to be a loss.
			if n.Observed < b.Observed {
				out = append(out, CoverageLoss{Operation: n.Operation, Status: n.Status, Observed: n.Observed,
					BaseObserved: b.Observed, Total: n.Total,
					Locations: []string{fmt.Sprintf("(%d fewer, of a catalogue of %d locations that was %d)", b.Observed-n.Observed, n.Total, b.Total)}})
			}
			continue
		}
		var lost []string
		for _, loc := range n.Unobserved {
			if !slices.Contains(b.Unobserved, loc) {
				lost = append(lost, loc)
			}
		}
		if len(lost) > 0 {
			out = append(out, CoverageLoss{Operation: n.Operation, Status: n.Status, Observed: n.Observed,
				BaseObserved: b.Observed, Total: n.Total, Locations: lost})
		}
	}
	return out
}

func firstN(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(slices.Clip(list[:n]), fmt.Sprintf("and %d more", len(list)-n))
}

package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

// WriteJUnit writes junit.xml from the summary rather than keeping the one
// Ginkgo wrote, because Ginkgo's falls short for a CI gate in three ways:
// specs a label filter left out appear as <skipped message="skipped">, so a
// run of one group shows hundreds of "skipped" specs with no reason; a
// harness error (the run could not be made) is a <failure> like a broken
// contract; and the failed check's name is in the message only when the spec
// failed through ConformToSpec. Here a testcase is exactly a spec the summary
// counts, failed specs carry <failure> with the failed checks named first,
// errors carry <error>, unsupported and disabled specs carry <skipped> with
// the reason, and the transcripts of a failure are its body. Ginkgo's own
// XML element types keep the schema the one CI viewers already read.
func WriteJUnit(w io.Writer, s Summary, failures []FailedSpec, reports []types.Report) error {
	failures = boundFailures(failures)
	type key struct{ name, loc string }
	runtime := map[key]float64{}
	for _, r := range reports {
		for _, sr := range r.SpecReports {
			if sr.LeafNodeType == types.NodeTypeIt {
				runtime[key{sr.FullText(), location(sr.LeafNodeLocation)}] += sr.RunTime.Seconds()
			}
		}
	}
	transcripts := map[key]FailedSpec{}
	for _, f := range failures {
		transcripts[key{f.Spec.Name, f.Spec.Location}] = f
	}

	suites := map[string]*reporters.JUnitTestSuite{}
	specs := s.Specs
	if s.Provisional != nil {
		specs = append(slices.Clone(specs), s.Provisional.Specs...)
	}
	provisional := len(s.Specs) // specs[provisional:] are counted apart
	for i, sp := range specs {
		group := sp.Group
		if group == "" {
			group = "chconform"
		}
		ts := suites[group]
		if ts == nil {
			ts = &reporters.JUnitTestSuite{Name: "chconform " + group, Package: "suites/" + group}
			suites[group] = ts
		}
		k := key{sp.Name, sp.Location}
		tc := reporters.JUnitTestCase{
			Name:      sp.Name,
			Classname: "chconform." + group,
			Status:    string(sp.Outcome),
			Time:      runtime[k],
		}
		if ops := sp.Operations; len(ops) > 0 {
			tc.Name += " [op:" + strings.Join(ops, ", op:") + "]"
		}
		for _, id := range sp.CaseIDs {
			tcProperty(&tc, "case_id", id)
		}
		switch {
		case i >= provisional:
			// A case the contract does not document yet: never a failure
			// in a CI viewer, whatever came of it.
			tc.Name = "[provisional] " + tc.Name
			if sp.Outcome != OutcomePassed {
				msg := "provisional, not counted: " + string(sp.Outcome)
				if sp.Reason != "" {
					msg += ": " + sp.Reason
				}
				tc.Skipped = &reporters.JUnitSkipped{Message: msg}
				ts.Skipped++
			}
		case sp.Flaky:
			// A flaky spec is a <failure type="flaky">, not a passed
			// testcase with a property: CI test viewers (GitHub, GitLab,
			// Jenkins, Azure) read only <failure>, <error> and <skipped>,
			// and a property would show the spec green in a run that
			// exits 1 as not conformant. Surefire's <flakyFailure> is
			// known to Jenkins alone; the others would show a pass. The
			// type, the status attribute and the properties let a tool
			// that knows tell it from a failure of every attempt.
			f := transcripts[k]
			tc.Status = "flaky"
			tcProperty(&tc, "flaky", "true")
			tcProperty(&tc, "attempts", fmt.Sprint(sp.Attempts))
			tc.Failure = &reporters.JUnitFailure{Message: failureMessage(sp, f), Type: "flaky", Description: failureBody(sp, f)}
			ts.Failures++
		case sp.Outcome == OutcomeFailed:
			f := transcripts[k]
			tc.Failure = &reporters.JUnitFailure{Message: failureMessage(sp, f), Type: "failed", Description: failureBody(sp, f)}
			ts.Failures++
		case sp.Outcome == OutcomeError:
			f := transcripts[k]
			tc.Error = &reporters.JUnitError{Message: failureMessage(sp, f), Type: "harness error", Description: failureBody(sp, f)}
			ts.Errors++
		case sp.Outcome == OutcomeUnsupported || sp.Outcome == OutcomeDisabled:
			tc.Skipped = &reporters.JUnitSkipped{Message: string(sp.Outcome) + ": " + sp.Reason}
			ts.Skipped++
		}
		ts.Tests++
		ts.Time += tc.Time
		ts.TestCases = append(ts.TestCases, tc)
	}

	names := make([]string, 0, len(suites))
	for n := range suites {
		names = append(names, n)
	}
	sort.Strings(names)
	out := reporters.JUnitTestSuites{}
	for _, n := range names {
		ts := suites[n]
		ts.Properties.Properties = []reporters.JUnitProperty{
			{Name: "target", Value: s.Target.Mode},
			{Name: "profile", Value: s.Target.Profile},
			{Name: "spec_sha256", Value: s.Spec.SHA256},
			{Name: "verdict", Value: s.VerdictText()},
			{Name: "responses_verified", Value: fmt.Sprintf("%d/%d", s.Verified.Verified, s.Verified.Total)},
		}
		if rc := s.ResponseCoverage; rc != nil {
			ts.Properties.Properties = append(ts.Properties.Properties, reporters.JUnitProperty{Name: "response_coverage", Value: fmt.Sprintf("%d/%d", rc.Observed, rc.Total)})
		}
		for _, g := range s.Verified.Unverified {
			ts.Properties.Properties = append(ts.Properties.Properties, reporters.JUnitProperty{Name: "unverified", Value: g.String()})
		}
		for _, sk := range s.Skips {
			ts.Properties.Properties = append(ts.Properties.Properties, reporters.JUnitProperty{Name: "skip", Value: sk.String()})
		}
		for _, m := range s.Verified.BelowFloor {
			ts.Properties.Properties = append(ts.Properties.Properties, reporters.JUnitProperty{Name: "below_floor", Value: m})
		}
		out.Tests += ts.Tests
		out.Failures += ts.Failures
		out.Errors += ts.Errors
		out.Disabled += ts.Skipped
		out.Time += ts.Time
		out.TestSuites = append(out.TestSuites, *ts)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("junit.xml: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// tcProperty adds a property to a testcase.
func tcProperty(tc *reporters.JUnitTestCase, name, value string) {
	if tc.Properties == nil {
		tc.Properties = &reporters.JUnitProperties{}
	}
	tc.Properties.Properties = append(tc.Properties.Properties, reporters.JUnitProperty{Name: name, Value: value})
}

// failureMessage is the one line a CI viewer shows: the failed checks by
// name, the case ids, then the reason.
func failureMessage(sp SpecSummary, f FailedSpec) string {
	sp = boundedSpec(sp, f)
	f.Spec = sp
	ids := ""
	if len(sp.CaseIDs) > 0 {
		ids = strings.Join(sp.CaseIDs, ", ") + ": "
	}
	if names := f.FailedChecks(); len(names) > 0 {
		return "[" + strings.Join(names, ", ") + "] " + ids + sp.Reason
	}
	return ids + sp.Reason
}

// failureBody is what a CI viewer shows when the failure is opened: every
// failed check with its message, where the spec is, and the transcripts.
func failureBody(sp SpecSummary, f FailedSpec) string {
	sp = boundedSpec(sp, f)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", sp.Reason)
	if len(sp.CaseIDs) > 0 {
		fmt.Fprintf(&b, "case ids: %s\n", strings.Join(sp.CaseIDs, ", "))
	}
	for _, c := range sp.Checks {
		if c.Status == "failed" {
			fmt.Fprintf(&b, "  %s %s (%s): %s\n", c.CaseID, c.Name, c.Operation, c.Message)
		}
	}
	if sp.Location != "" {
		fmt.Fprintf(&b, "at %s\n", sp.Location)
	}
	for _, e := range f.Exchanges {
		attempt := ""
		if e.Attempt > 0 {
			attempt = fmt.Sprintf(", attempt %d", e.Attempt)
		}
		fmt.Fprintf(&b, "\n--- %s, %.1f ms%s\n", e.Operation, e.ElapsedMS, attempt)
		b.WriteString(TranscriptText(&e.Request, true, maxTranscriptBody))
		b.WriteString("\n")
		if e.Response != nil {
			b.WriteString(TranscriptText(e.Response, false, maxTranscriptBody))
		} else {
			b.WriteString("(no response)\n")
		}
		if e.Error != "" {
			fmt.Fprintf(&b, "transport error: %s\n", e.Error)
		}
		if e.Request.URL != "" {
			fmt.Fprintf(&b, "reproduce:\n%s", CurlCommand(e.Request))
		}
	}
	if f.LeftOut > 0 {
		fmt.Fprintf(&b, "\n%d exchange(s) left out: junit.xml carries the transcripts of the first %d failures, %d exchanges each\n",
			f.LeftOut, MaxFailuresInFull, MaxExchangesInFull)
	}
	return b.String()
}

// boundedSpec is sp with the reason and messages as boundFailures cut them
// for f, or cut at MaxReasonBytes when f is not a known failure.
func boundedSpec(sp SpecSummary, f FailedSpec) SpecSummary {
	if f.Spec.Name == sp.Name && f.Spec.Location == sp.Location && f.Spec.Outcome != "" {
		return f.Spec
	}
	return boundFailures([]FailedSpec{{Spec: sp}})[0].Spec
}

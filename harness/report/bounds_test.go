package report

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chconform/chconform/harness"
)

// Response headers of up to 1 MiB (what the transport accepts) reach a
// transcript cut: each value at TranscriptHeaderValueLimit, all of them at
// TranscriptHeaderLimit, with what was left out counted.
func TestTranscriptHeadersAreCapped(t *testing.T) {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i < 64; i++ {
		h.Set(fmt.Sprintf("X-Big-%02d", i), strings.Repeat("a", 16<<10))
	}
	ex := &harness.Exchange{
		Request:  harness.Request{Method: "POST", URL: "http://127.0.0.1/api/me", Header: http.Header{"X-Huge": {strings.Repeat("b", 1<<20)}}},
		Response: &harness.Response{Status: 200, Header: h, Body: []byte(`{}`)},
	}
	e := NewExchangeEntry(ex, harness.NewRedactor(nil))
	for _, tr := range []*Transcript{&e.Request, e.Response} {
		size := 0
		for name, vs := range tr.Headers {
			for _, v := range vs {
				size += len(name) + len(v)
				if name != HeaderOverflow && len(v) > TranscriptHeaderValueLimit+40 {
					t.Errorf("%s: a %d-byte value", name, len(v))
				}
			}
		}
		if size > TranscriptHeaderLimit+200 {
			t.Errorf("%d header bytes in a transcript", size)
		}
	}
	if got := e.Response.Headers["Content-Type"]; len(got) != 1 || got[0] != "application/json" {
		t.Errorf("small headers are kept whole: %v", got)
	}
	if len(e.Response.Headers[HeaderOverflow]) != 1 || !strings.Contains(e.Response.Headers[HeaderOverflow][0], "over the") {
		t.Errorf("what is left out is counted: %v", e.Response.Headers[HeaderOverflow])
	}
}

// floodSummary is a run in which n specs failed, each with a long reason,
// a long check message and a transcript.
func floodSummary(n int) (Summary, []FailedSpec) {
	s := Summary{Target: Target{Mode: "base-url", Profile: "live"}}
	var failures []FailedSpec
	for i := 0; i < n; i++ {
		sp := SpecSummary{
			Name: fmt.Sprintf("users get_following answers page %d", i), Group: "users", Operations: []string{"get_following"},
			Outcome: OutcomeFailed, Reason: strings.Repeat("item is not an object; ", 2000),
			Checks: []CheckSummary{{Name: harness.CheckResponseSchema, Operation: "get_following", Status: "failed", Message: strings.Repeat("x", 100<<10)}},
		}
		s.Specs = append(s.Specs, sp)
		s.Totals.Failed++
		failures = append(failures, FailedSpec{Spec: sp, Exchanges: []ExchangeEntry{{
			Operation: "get_following",
			Request:   Transcript{Method: "POST", URL: "http://127.0.0.1/api/get_following"},
			Response:  &Transcript{Status: 200, Body: strings.Repeat("[1,", 4000)},
		}}})
	}
	return s, failures
}

// Every report file stays bounded however many failures there are: report.md
// under MarkdownLimit, its list of failures included; report.html and
// junit.xml with transcripts for the first MaxFailuresInFull failures only,
// and reasons cut.
func TestReportsStayBoundedUnderAFloodOfFailures(t *testing.T) {
	s, failures := floodSummary(2000)
	var md, html, junit bytes.Buffer
	if err := WriteMarkdown(&md, s, failures, MarkdownLimit); err != nil {
		t.Fatal(err)
	}
	if md.Len() >= MarkdownLimit {
		t.Errorf("report.md: %d bytes, limit %d", md.Len(), MarkdownLimit)
	}
	if !strings.Contains(md.String(), "more failure(s) not listed to stay under") {
		t.Errorf("report.md does not count the failures it left out")
	}
	if err := WriteHTML(&html, s, failures); err != nil {
		t.Fatal(err)
	}
	if err := WriteJUnit(&junit, s, failures, nil); err != nil {
		t.Fatal(err)
	}
	// Per failure in full: a cut reason and message and one transcript
	// (bodies cut at 4 KiB); after MaxFailuresInFull, the cut reason only.
	perFull, perRest := 3*MaxReasonBytes+3*maxTranscriptBody, 3*MaxReasonBytes
	bound := MaxFailuresInFull*perFull + (len(failures)-MaxFailuresInFull)*perRest + 1<<20
	for name, b := range map[string]*bytes.Buffer{"report.html": &html, "junit.xml": &junit} {
		t.Logf("%s: %d KiB for %d failures (bound %d KiB)", name, b.Len()>>10, len(failures), bound>>10)
		if b.Len() > bound {
			t.Errorf("%s: %d bytes, bound %d", name, b.Len(), bound)
		}
		if !strings.Contains(b.String(), "exchange(s) left out") {
			t.Errorf("%s does not say transcripts were left out", name)
		}
		if strings.Contains(b.String(), strings.Repeat("x", MaxReasonBytes+1)) {
			t.Errorf("%s holds a message longer than %d bytes", name, MaxReasonBytes)
		}
	}
	// The callers' failures are not changed.
	if len(failures[len(failures)-1].Exchanges) != 1 || len(failures[0].Spec.Checks[0].Message) != 100<<10 {
		t.Errorf("the renderings changed their input")
	}
}

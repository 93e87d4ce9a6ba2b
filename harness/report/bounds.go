package report

import (
	"fmt"
	"net/http"
	"sort"
	"unicode/utf8"
)

// Bounds on what a target can make the reports hold, whatever it sends.
const (
	// TranscriptHeaderValueLimit cuts one header value in a transcript, and
	// TranscriptHeaderLimit all of a transcript's headers: the transport
	// accepts up to 1 MiB of response headers, which a report must not copy.
	TranscriptHeaderValueLimit = 1 << 10
	TranscriptHeaderLimit      = 16 << 10
	// MaxFailuresInFull is how many failures report.html and junit.xml show
	// with their transcripts (up to MaxExchangesInFull exchanges each); the
	// ones after it are listed with their reason, without transcripts.
	MaxFailuresInFull  = 100
	MaxExchangesInFull = 20
	// MaxReasonBytes cuts a failure's reason and each check message in
	// report.html and junit.xml, and ShortReasonBytes those of the failures
	// after the first MaxFailuresInFull.
	MaxReasonBytes   = 8 << 10
	ShortReasonBytes = 512
)

// HeaderOverflow names the pseudo-header that says how much of a
// transcript's headers was left out.
const HeaderOverflow = "X-Chconform-Left-Out"

// capHeaders cuts each value at TranscriptHeaderValueLimit and keeps headers
// (by sorted name) while they fit in TranscriptHeaderLimit; what is left out
// is counted under HeaderOverflow.
func capHeaders(h http.Header) http.Header {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make(http.Header, len(h))
	used, leftBytes, leftValues := 0, 0, 0
	for _, name := range names {
		for _, v := range h[name] {
			if len(v) > TranscriptHeaderValueLimit {
				v = cutUTF8(v, TranscriptHeaderValueLimit) + fmt.Sprintf("… (%d bytes)", len(v))
			}
			if used+len(name)+len(v) > TranscriptHeaderLimit {
				leftBytes += len(name) + len(v)
				leftValues++
				continue
			}
			used += len(name) + len(v)
			out[name] = append(out[name], v)
		}
	}
	if leftValues > 0 {
		out[HeaderOverflow] = []string{fmt.Sprintf("%d header value(s), %d bytes, over the %d-byte transcript cap", leftValues, leftBytes, TranscriptHeaderLimit)}
	}
	return out
}

// cutUTF8 cuts s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// cutReason cuts a reason or message at n bytes, saying so.
func cutReason(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return cutUTF8(s, n) + fmt.Sprintf("… (%d bytes in all; see summary.json)", len(s))
}

// boundFailures is failures as report.html and junit.xml show them: reasons
// and check messages cut at MaxReasonBytes, transcripts only for the first
// MaxFailuresInFull failures and their first MaxExchangesInFull exchanges.
// It copies what it changes.
func boundFailures(failures []FailedSpec) []FailedSpec {
	out := make([]FailedSpec, len(failures))
	for i, f := range failures {
		limit := MaxReasonBytes
		if i >= MaxFailuresInFull {
			limit = ShortReasonBytes
		}
		f.Spec.Reason = cutReason(f.Spec.Reason, limit)
		if len(f.Spec.Checks) > 0 {
			checks := append(f.Spec.Checks[:0:0], f.Spec.Checks...)
			for j := range checks {
				checks[j].Message = cutReason(checks[j].Message, limit)
			}
			f.Spec.Checks = checks
		}
		switch {
		case i >= MaxFailuresInFull:
			f.LeftOut, f.Exchanges = len(f.Exchanges), nil
		case len(f.Exchanges) > MaxExchangesInFull:
			f.LeftOut, f.Exchanges = len(f.Exchanges)-MaxExchangesInFull, f.Exchanges[:MaxExchangesInFull]
		}
		out[i] = f
	}
	return out
}

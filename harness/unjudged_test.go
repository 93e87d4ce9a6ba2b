package harness

import "testing"

// TestUnjudged: a skip is a verdict only where the contract documents
// nothing to judge; everything else left unjudged is named with its check.
func TestUnjudged(t *testing.T) {
	passed := func(name string) CheckResult { return CheckResult{Name: name, Status: CheckPassed} }
	failed := func(name string) CheckResult { return CheckResult{Name: name, Status: CheckFailed} }
	skipped := func(name, reason string) CheckResult {
		return CheckResult{Name: name, Status: CheckSkipped, Reason: reason}
	}
	for _, c := range []struct {
		name    string
		results []CheckResult
		want    string
	}{
		{"body validated", []CheckResult{passed(CheckStatusCode), passed(CheckResponseSchema)}, ""},
		{"body failed: judged", []CheckResult{passed(CheckStatusCode), failed(CheckResponseSchema)}, ""},
		{"no schema documented", []CheckResult{skipped(CheckResponseSchema, "no schema documented for application/json")}, ""},
		{"no header documented", []CheckResult{passed(CheckResponseSchema), skipped(CheckResponseHeaders, "no header documented for status 200")}, ""},
		{"body not captured", []CheckResult{passed(CheckStatusCode), skipped(CheckResponseSchema, "body not captured")},
			"response_schema_conformance: body not captured"},
		{"schema check never ran", []CheckResult{passed(CheckStatusCode)}, "response_schema_conformance: response_schema_conformance did not run"},
		{"documented headers not captured", []CheckResult{passed(CheckResponseSchema), skipped(CheckResponseHeaders, "headers not captured")},
			"response_headers_conformance: headers not captured"},
		{"both", []CheckResult{skipped(CheckResponseSchema, "the body was cut at the client's size cap"), skipped(CheckResponseHeaders, "headers not captured")},
			"response_schema_conformance: the body was cut at the client's size cap; response_headers_conformance: headers not captured"},
	} {
		if got := Unjudged(c.results); got != c.want {
			t.Errorf("%s: Unjudged %q, want %q", c.name, got, c.want)
		}
	}
}

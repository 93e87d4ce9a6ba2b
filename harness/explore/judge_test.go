package explore

import (
	"net/http"
	"slices"
	"testing"

	"github.com/chconform/chconform/harness"
)

// Which checks judge a generated request's answer, by what the request was
// and what came back: each case fails the half it should and passes the
// other.
func TestChecksByKindAndAnswer(t *testing.T) {
	spec := contract(t)
	follow := spec.MustOperation("follow")
	answer := func(status int, body string) *harness.Exchange {
		h := http.Header{}
		if body != "" {
			h.Set("Content-Type", "application/json")
		}
		return &harness.Exchange{Op: follow, Request: harness.Request{Method: "POST", URL: "http://127.0.0.1/api/follow"},
			Response: &harness.Response{Status: status, Header: h, Body: []byte(body)}}
	}
	failed := func(p Purpose, k Kind, ex *harness.Exchange) []string {
		var out []string
		for _, r := range harness.Verify(ex, Checks(p, k, ex, false)...) {
			if r.Status == harness.CheckFailed {
				out = append(out, r.Name)
			}
		}
		return out
	}
	for _, c := range []struct {
		name                 string
		kind                 Kind
		ex                   *harness.Exchange
		verdict, provisional string // the check each half fails on, "" none
	}{
		{"a malformed body accepted", Malformed, answer(200, `{"success":true}`), harness.CheckNegativeDataRejected, ""},
		{"a malformed body refused with the real server's 400", Malformed, answer(400, `{"detail":"JSON parse error"}`), "", harness.CheckNegativeDataRejected},
		{"a malformed body crashing the server", Malformed, answer(500, `oops`), harness.CheckNotAServerError, ""},
		{"a valid request crashing the server", Valid, answer(502, ``), harness.CheckNotAServerError, ""},
		{"a valid request answered off the schema", Valid, answer(200, `{"success":"yes"}`), harness.CheckResponseSchema, ""},
		{"a valid request answered as documented", Valid, answer(200, `{"success":true}`), "", ""},
		{"a valid request refused as malformed", Valid, answer(400, `{"success":false,"error_message":"bad"}`), "", harness.CheckPositiveDataAcceptance},
		{"an out-of-range value accepted", OutOfContract, answer(200, `{"success":true}`), "", harness.CheckNegativeDataRejected},
		{"an out-of-range value accepted off the schema", OutOfContract, answer(200, `{"success":1}`), harness.CheckResponseSchema, harness.CheckNegativeDataRejected},
		{"an out-of-range value refused", OutOfContract, answer(400, `{"success":false,"error_message":"bad"}`), "", ""},
	} {
		v, p := failed(Verdict, c.kind, c.ex), failed(Provisional, c.kind, c.ex)
		if (c.verdict == "") != (len(v) == 0) || (c.verdict != "" && !slices.Contains(v, c.verdict)) {
			t.Errorf("%s: the verdict's half failed %v, want %q", c.name, v, c.verdict)
		}
		if (c.provisional == "") != (len(p) == 0) || (c.provisional != "" && !slices.Contains(p, c.provisional)) {
			t.Errorf("%s: the provisional half failed %v, want %q", c.name, p, c.provisional)
		}
	}
	if got := Reason(answer(500, ``), harness.Verify(answer(500, ``), Checks(Verdict, Valid, answer(500, ``), false)...)); got != "not_a_server_error (status 5xx)" {
		t.Errorf("reason %q", got)
	}
}

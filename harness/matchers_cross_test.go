package harness

import (
	"errors"
	"strings"
	"testing"
)

// crossRecorder keeps the verdicts the matchers record through Verify.
type crossRecorder struct{ results []CheckResult }

func (r *crossRecorder) RecordExchange(*Exchange) {}
func (r *crossRecorder) RecordChecks(_ *Exchange, results []CheckResult) {
	r.results = append(r.results, results...)
}

func TestCrossMatchers(t *testing.T) {
	spec := loadCrossSpec(t)
	sfa := func(status int, body string) *Exchange {
		return crossExchange(spec, "get_suggested_follows_all", status, body)
	}
	get := func(status int, body string) *Exchange { return crossExchange(spec, "get_following", status, body) }
	post := func(status int, body string) *Exchange {
		return crossExchange(spec, "get_following_post", status, body)
	}
	update := func(status int, body string) *Exchange { return crossExchange(spec, "update_thing", status, body) }
	following := crossPage("1", "null", "null", "users", crossUsers(1234, 1))
	lost := sfa(200, "")
	lost.Response, lost.Err = nil, errors.New("connection refused")
	const what = "the followed user appears in get_following"

	runMatcherCases(t, []matcherCase{
		{name: "pagination: the seed example with page_size 50", matcher: BePaginatedConsistently(1, 50), actual: sfa(200, seedSuggested),
			want: false, message: []string{"get_suggested_follows_all (GET /get_suggested_follows_all)", "to be a consistent page 1 of page_size 50",
				CheckPagination, "is not the last (count 59, page_size 50) but holds 1 items", "(at /users)"}},
		{name: "pagination: a URL next", matcher: BePaginatedConsistently(1, 0),
			actual: sfa(200, crossPage("59", `"https://x/api/get_suggested_follows_all?page=2"`, "null", "users", crossUsers(1, 1))),
			want:   false, message: []string{CheckPagination, "page numbers, not URLs", "(at /next)"}},
		{name: "pagination: page 2 of 3", matcher: BePaginatedConsistently(2, 3), actual: sfa(200, crossPage("7", "3", "1", "users", crossUsers(4, 3))),
			want: true, message: []string{"not to be a consistent page 2 of page_size 3"}},
		{name: "pagination: no response", matcher: BePaginatedConsistently(1, 50), actual: lost,
			want: false, message: []string{CheckResponseReceived, "connection refused"}},
		{name: "pagination: not an exchange", matcher: BePaginatedConsistently(1, 50), actual: "body", wantErr: true},

		{name: "malformed: 400", matcher: RejectMalformedInput(), actual: update(400, `{"detail":"JSON parse error"}`), want: true},
		{name: "malformed: 200", matcher: RejectMalformedInput(), actual: update(200, `{"success":true}`),
			want: false, message: []string{"update_thing (POST /update_thing)", "to reject a malformed request with a documented refusal",
				CheckNegativeDataRejected, "accepted a malformed request"}},
		{name: "malformed: 500", matcher: RejectMalformedInput(), actual: update(500, ``),
			want: false, message: []string{"a malformed request caused a server error"}},

		{name: "method: the same", matcher: AnswerTheSameAs(get(200, following)), actual: post(200, following), want: true},
		{name: "method: a different status", matcher: AnswerTheSameAs(get(200, following)), actual: post(405, `{"detail":"no"}`),
			want: false, message: []string{"get_following_post (POST /get_following)", "to answer the same as by GET",
				CheckMethodEquivalence, "status 405 by POST but 200 by GET"}},
		{name: "method: a different value", matcher: AnswerTheSameAs(get(200, following)),
			actual: post(200, strings.Replace(following, `"success":true`, `"success":false`, 1)),
			want:   false, message: []string{"the bodies differ at /success: false by POST, true by GET"}},

		{name: "write: shown", matcher: ShowTheWrite(what, ContainsJSONValue("users.#.user_id", 1234)), actual: get(200, following), want: true},
		{name: "write: not shown", matcher: ShowTheWrite(what, ContainsJSONValue("users.#.user_id", 99)), actual: get(200, following),
			want: false, message: []string{"get_following (GET /get_following)", "to show the write: " + what,
				CheckStatefulConsistency, `no value equal to 99 at "users.#.user_id"; found: [1234]`, "(at /users)"}},
	})
}

func TestCrossMatchersRecordTheirVerdicts(t *testing.T) {
	spec := loadCrossSpec(t)
	rec := &crossRecorder{}
	ex := crossExchange(spec, "get_suggested_follows_all", 200, seedSuggested).WithRecorder(rec)
	if ok, err := BePaginatedConsistently(1, 50).Match(ex); ok || err != nil {
		t.Fatalf("matched %v, error %v", ok, err)
	}
	if len(rec.results) != 2 || rec.results[1].Name != CheckPagination || rec.results[1].Status != CheckFailed {
		t.Errorf("recorded %+v, want response_received then a failed %s", rec.results, CheckPagination)
	}
}

// A matcher whose checks all skipped judged nothing: it fails, saying why,
// unless passing on a skip is what the matcher means.
func TestMatchersFailWhenNothingWasJudged(t *testing.T) {
	spec := loadCrossSpec(t)
	checks := loadCheckSpec(t)
	ex := func(status int, body string) *Exchange { return crossExchange(spec, "get_following", status, body) }
	page := `{"users":[{"user_id":1,"name":"A"}],"count":1,"next":null,"previous":null,"success":true}`
	answered := ex(200, page)
	noAnswer := ex(200, page)
	noAnswer.Response = nil
	noOp := okProfile(checks, validProfile)
	noOp.Op = nil
	runMatcherCases(t, []matcherCase{
		{name: "nothing to compare with", matcher: AnswerTheSameAs(nil), actual: answered, want: false,
			message: []string{"nothing to judge: method_equivalence: no exchange to compare with"}},
		{name: "the other got no response", matcher: AnswerTheSameAs(noAnswer), actual: answered, want: false,
			message: []string{"nothing to judge: method_equivalence: the GET exchange got no response"}},
		{name: "no expectation", matcher: ShowTheWrite("the write", nil), actual: answered, want: false,
			message: []string{"nothing to judge: stateful_consistency: no expectation given for: the write"}},
		{name: "an answer that is not a page", matcher: BePaginatedConsistently(1, 0), actual: ex(200, `{"success":true}`), want: false,
			message: []string{"nothing to judge: pagination_conformance"}},
		{name: "an exchange naming no operation", matcher: ConformToSpec(), actual: noOp, want: false,
			message: []string{"nothing to judge: status_code_conformance: the exchange names no operation",
				"response_schema_conformance: the exchange names no operation"}},
		// What must keep passing.
		{name: "a page is judged", matcher: BePaginatedConsistently(1, 0), actual: answered, want: true},
		{name: "the same answer", matcher: AnswerTheSameAs(ex(200, page)), actual: answered, want: true},
		{name: "no header documented is no reason to fail", matcher: ConformToSpec(), actual: ex(200, page), want: true},
	})
	// ConformToSpec's own rule: skips that the contract explains pass.
	passed := func(name string) CheckResult { return CheckResult{Name: name, Status: CheckPassed} }
	skipped := func(name, reason string) CheckResult {
		return CheckResult{Name: name, Status: CheckSkipped, Reason: reason}
	}
	for _, c := range []struct {
		skip CheckResult
		fail bool
	}{
		{skipped(CheckResponseHeaders, "no header documented for status 200"), false},
		{skipped(CheckResponseSchema, "no schema documented for application/json"), false},
		{skipped(CheckResponseSchema, "the body was cut at the client's size cap"), true},
		{skipped(CheckStatusCode, "the exchange names no operation"), true},
	} {
		results := []CheckResult{passed(CheckResponseReceived), passed(CheckNotAServerError), c.skip}
		if c.skip.Name != CheckResponseSchema {
			results = append(results, passed(CheckResponseSchema))
		}
		if why := conformUnjudged(results); (why != "") != c.fail || (c.fail && !strings.Contains(why, c.skip.Reason)) {
			t.Errorf("%s skipped (%s): unjudged %q, want a failure: %v", c.skip.Name, c.skip.Reason, why, c.fail)
		}
	}
}

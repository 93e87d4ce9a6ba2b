package harness

import "testing"

// TestNegativeDataRejection judges refusals of malformed requests against the
// project's own contract: join_channel documents a 400 (the app's envelope)
// and a 401; get_profile documents no 400.
func TestNegativeDataRejection(t *testing.T) {
	spec := mustContract(t)
	join := func(status int, body string) *Exchange { return crossExchange(spec, "join_channel", status, body) }
	profile := func(status int, body string) *Exchange { return crossExchange(spec, "get_profile", status, body) }
	N := NegativeDataRejection()
	runCheckCases(t, []checkCase{
		// Refusals the contract knows.
		{name: "400 in the documented app envelope", check: N, ex: join(400, `{"success":false,"error_message":"Missing required field: channel."}`), want: CheckPassed},
		{name: "400 in DRF's envelope", check: N, ex: join(400, `{"detail":"JSON parse error - Expecting value"}`), want: CheckPassed},
		{name: "documented 401", check: N, ex: join(401, `{"detail":"Authentication credentials were not provided."}`), want: CheckPassed},
		{name: "400 where the operation documents none: its body still judged", check: N, ex: profile(400, `{"detail":"JSON parse error"}`), want: CheckPassed},
		{name: "400 in the app envelope where the operation documents none", check: N, ex: profile(400, `{"success":false,"error_message":"Invalid value for user_id."}`), want: CheckPassed},

		// Refusals it does not.
		{name: "a teapot, though in DRF's envelope", check: N, ex: join(418, `{"detail":"I'm a teapot"}`), want: CheckFailed,
			fragment: "refused with status 418, which join_channel does not document", findings: 1},
		{name: "422 with FastAPI's list of errors", check: N, ex: profile(422, `{"detail":[{"loc":["body"],"msg":"x"}]}`), want: CheckFailed,
			fragment: "status 422", findings: 2},
		{name: "400 with an HTML page", check: N, ex: join(400, `<h1>Bad Request</h1>`), want: CheckFailed, fragment: "the body is not valid JSON", findings: 1},
		{name: "400 without a body", check: N, ex: join(400, ``), want: CheckFailed, fragment: "the body is empty", findings: 1},
		{name: "400 in no envelope of the contract", check: N, ex: join(400, `{"error":"bad input"}`), want: CheckFailed,
			fragment: "none of the contract's refusal envelopes for join_channel", findings: 1},
		{name: "404 plain text", check: N, ex: profile(404, `Not found`), want: CheckFailed, fragment: "status 404", findings: 2},

		// No refusal at all.
		{name: "200", check: N, ex: join(200, `{"success":true}`), want: CheckFailed, fragment: "accepted a malformed request", findings: 1},
		{name: "204", check: N, ex: join(204, ``), want: CheckFailed, fragment: "accepted a malformed request"},
		{name: "500", check: N, ex: join(500, `Server Error`), want: CheckFailed, fragment: "a malformed request caused a server error"},
		{name: "302", check: N, ex: join(302, ``), want: CheckFailed, fragment: "status 302, expected a 4xx"},
		{name: "101", check: N, ex: join(101, ``), want: CheckFailed, fragment: "status 101"},
		{name: "secrets in the quoted body are masked", check: N, ex: join(200, `{"auth_token":"0123456789abcdef"}`),
			want: CheckFailed, fragment: `"auth_token":"<auth_token>"`},
	})
	for _, ex := range []*Exchange{join(200, `{"auth_token":"0123456789abcdef"}`), join(400, `{"auth_token":"0123456789abcdef"}`)} {
		if r := Verify(ex, N)[0]; resultMentions(r, "0123456789abcdef") {
			t.Errorf("a token leaked into a finding: %+v", r.Findings)
		}
	}

	// The status the contract lacks is told apart, for the provisional spec.
	if why := UndocumentedRefusal(profile(400, `{"detail":"x"}`)); why == "" {
		t.Error("get_profile's 400 is not reported as undocumented")
	}
	for _, ex := range []*Exchange{join(400, `{}`), profile(401, `{}`), profile(200, `{}`), profile(500, ``)} {
		if why := UndocumentedRefusal(ex); why != "" {
			t.Errorf("status %d of %s reported as an undocumented refusal: %s", ex.Response.Status, ex.Op.ID, why)
		}
	}
}

// The refusal check judges the body as every other check of the exchange
// reads it: the shared reading's decode, not a parse of its own.
func TestNegativeDataRejectionReadsTheSharedReading(t *testing.T) {
	ex := crossExchange(mustContract(t), "join_channel", 400, `{"detail":5,"detail":"JSON parse error"}`)
	if r := Verify(ex, NegativeDataRejection())[0]; r.Status != CheckPassed {
		t.Fatalf("a DRF refusal whose detail the reading takes as the last one: %+v", r)
	}
	if rd := ex.Response.read; rd == nil || !rd.decoded {
		t.Error("the refusal check decoded the body apart from the shared reading")
	}
}

// positive_data_acceptance: a request the contract accepts must not be
// refused as malformed. join_channel documents 400 for states (a room gone,
// an app too old): its documented bodies are answers about the state, any
// other 400 is a refusal of the input.
func TestPositiveDataAcceptance(t *testing.T) {
	spec := mustContract(t)
	join := func(status int, body string) *Exchange { return crossExchange(spec, "join_channel", status, body) }
	profile := func(status int, body string) *Exchange { return crossExchange(spec, "get_profile", status, body) }
	P := PositiveDataAcceptance()
	runCheckCases(t, []checkCase{
		{name: "200", check: P, ex: join(200, `{"success":true}`), want: CheckPassed},
		{name: "documented 401", check: P, ex: profile(401, `{"detail":"Authentication credentials were not provided."}`), want: CheckPassed},
		{name: "404 about the thing asked for", check: P, ex: profile(404, `{"detail":"Not found."}`), want: CheckPassed},
		{name: "a documented 400 example", check: P, ex: join(400, `{"success":false,"error_message":"Please upgrade the app to join rooms!"}`), want: CheckPassed},
		{name: "400 in the app envelope with another message", check: P, ex: join(400, `{"success":false,"error_message":"Invalid value for channel."}`),
			want: CheckFailed, fragment: "refused a request the contract accepts: status 400", findings: 1},
		{name: "422", check: P, ex: profile(422, `{"detail":[]}`), want: CheckFailed, fragment: "status 422", findings: 1},
		{name: "an undocumented 409", check: P, ex: profile(409, `{"detail":"x"}`), want: CheckFailed, fragment: "status 409, which get_profile does not document", findings: 1},
		{name: "500 is not_a_server_error's", check: P, ex: profile(500, `oops`), want: CheckPassed},
	})
	D := DocumentedRefusal()
	runCheckCases(t, []checkCase{
		{name: "documented 400", check: D, ex: join(400, `{"detail":"x"}`), want: CheckPassed},
		{name: "undocumented 400", check: D, ex: profile(400, `{"detail":"x"}`), want: CheckFailed, fragment: "refused with status 400, which get_profile does not document", findings: 1},
		{name: "no refusal: the verdict's business", check: D, ex: profile(200, `{}`), want: CheckPassed},
	})
}

package emulator_test

import (
	"testing"

	"github.com/chconform/chconform/harness"
)

// What the generation phase (issue 21) found the emulator answering against
// the contract, each answer as the contract has it now: a blank phone number
// is a bad number and a blank code a wrong code, answered with HTTP 200 and
// a failure body (the PhoneNumber schema: "a bad number gets a 200 failure
// body, not a 4xx"; complete_phone_number_auth: "a wrong code gets
// is_verified false with HTTP 200"), and a blank refresh token is an invalid
// one, answered with refresh_token's documented 401, not an undocumented
// 400. A missing or mistyped field is still refused as malformed.
func TestBlankInputsGetTheContractsAnswers(t *testing.T) {
	e := newEnv(t)
	none := func(id string, body any) *harness.Exchange {
		return e.do(harness.Call{Op: e.op(id), Account: harness.AccountNone, Body: body})
	}
	for _, c := range []struct {
		name   string
		ex     *harness.Exchange
		status int
		body   string
	}{
		{"start with a blank number", none("start_phone_number_auth", map[string]any{"phone_number": ""}), 200,
			`{"success":false,"is_blocked":false,"error_message":"Please enter a valid phone number."}`},
		{"complete with a blank code", none("complete_phone_number_auth", map[string]any{"phone_number": phone("+1555000"), "verification_code": ""}), 200,
			`{"success":true,"is_verified":false,"number_of_attempts_remaining":3}`},
		{"complete with a blank number", none("complete_phone_number_auth", map[string]any{"phone_number": " ", "verification_code": "1234"}), 200,
			`{"success":false,"error_message":"Please enter a valid phone number."}`},
		{"refresh with a blank token", none("refresh_token", map[string]any{"refresh": ""}), 401,
			`{"detail":"Token is invalid or expired","code":"token_not_valid"}`},
	} {
		if c.ex.Response.Status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, c.ex.Response.Status, c.status, c.ex.Response.Body)
			continue
		}
		jsonEqual(t, c.ex.Response.Body, c.body)
		e.conform(c.ex)
	}
	for _, body := range []map[string]any{{}, {"phone_number": 12345}, {"phone_number": nil}} {
		if ex := none("start_phone_number_auth", body); ex.Response.Status != 400 {
			t.Errorf("start_phone_number_auth %v: status %d, want 400 (malformed): %s", body, ex.Response.Status, ex.Response.Body)
		}
	}
	if ex := none("refresh_token", map[string]any{"refresh": 7}); ex.Response.Status != 400 {
		t.Errorf("refresh_token with a number: status %d, want 400", ex.Response.Status)
	}
}

package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// post sends one JSON request to the emulator in-process and decodes the
// answer.
func post(t *testing.T, h http.Handler, op string, body string) map[string]any {
	t.Helper()
	req := httptest.NewRequest("POST", "/api/"+op, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range map[string]string{"CH-Locale": "en_US", "CH-AppVersion": "0.1.28", "CH-AppBuild": "304"} {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s: %d %s", op, rec.Code, rec.Body)
	}
	return out
}

func refusedAnswer(m map[string]any) bool {
	return m["success"] == false && m["error_message"] == msgHighUsage
}

// Sign-ups, pending sign-ins and tokens are bounded; beyond a limit the
// operation answers the documented high-usage message.
func TestStateGrowthIsBounded(t *testing.T) {
	s := New(Options{MaxAccounts: 2, MaxPending: 3, MaxTokens: 1000})
	h := s.Handler()
	complete := func(num string) map[string]any {
		return post(t, h, "complete_phone_number_auth", fmt.Sprintf(`{"phone_number":%q,"verification_code":"1234"}`, num))
	}
	for i := 0; i < 2; i++ {
		if got := complete(fmt.Sprintf("+155500070%02d", i)); got["is_verified"] != true {
			t.Fatalf("sign-up %d: %v", i, got)
		}
	}
	if got := complete("+15550007099"); !refusedAnswer(got) {
		t.Errorf("a third account beyond MaxAccounts=2: %v", got)
	}
	if got := complete("+15550007000"); got["is_verified"] != true {
		t.Errorf("an existing account still signs in: %v", got)
	}

	s = New(Options{MaxPending: 3})
	h = s.Handler()
	for i := 0; i < 3; i++ {
		if got := post(t, h, "start_phone_number_auth", fmt.Sprintf(`{"phone_number":"+155500080%02d"}`, i)); got["success"] != true {
			t.Fatalf("start %d: %v", i, got)
		}
	}
	if got := post(t, h, "start_phone_number_auth", `{"phone_number":"+15550008099"}`); !refusedAnswer(got) {
		t.Errorf("a fourth pending sign-in beyond MaxPending=3: %v", got)
	}
	if got := post(t, h, "complete_phone_number_auth", `{"phone_number":"+15550008098","verification_code":"0000"}`); !refusedAnswer(got) {
		t.Errorf("a wrong code for a new number beyond MaxPending=3: %v", got)
	}
	if got := post(t, h, "start_phone_number_auth", `{"phone_number":"+15550008000"}`); got["success"] != true {
		t.Errorf("a number already pending starts again: %v", got)
	}

	s = New(Options{MaxTokens: len(New(Options{}).w.tokens) + 1})
	h = s.Handler()
	if got := complete("+15550009001"); got["is_verified"] != true {
		t.Fatalf("first token: %v", got)
	}
	if got := complete("+15550009001"); !refusedAnswer(got) {
		t.Errorf("a token beyond MaxTokens: %v", got)
	}
}

// Starting again does not give a number fresh attempts at the code.
func TestStartingAgainKeepsTheWrongCodeCount(t *testing.T) {
	h := New(Options{}).Handler()
	num := "+15550006001"
	wrong := fmt.Sprintf(`{"phone_number":%q,"verification_code":"0000"}`, num)
	post(t, h, "start_phone_number_auth", fmt.Sprintf(`{"phone_number":%q}`, num))
	if got := post(t, h, "complete_phone_number_auth", wrong); got["number_of_attempts_remaining"] != float64(attemptsPerCode-1) {
		t.Fatalf("first wrong code: %v", got)
	}
	post(t, h, "start_phone_number_auth", fmt.Sprintf(`{"phone_number":%q}`, num))
	if got := post(t, h, "complete_phone_number_auth", wrong); got["number_of_attempts_remaining"] != float64(attemptsPerCode-2) {
		t.Errorf("after starting again: %v", got)
	}
}

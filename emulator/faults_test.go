package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
)

// schemaVerdict is the response schema check's status on ex, in strict mode.
func schemaVerdict(ex *harness.Exchange) harness.CheckStatus {
	for _, r := range harness.Verify(ex, harness.StandardChecks(true)...) {
		if r.Name == harness.CheckResponseSchema {
			return r.Status
		}
	}
	return ""
}

// With -fault mistyped-field:OP, every operation's documented success
// answer breaks its response schema (the field changed is one the contract
// documents, with a type), and only that operation's: another one sent to
// the same emulator still conforms.
func TestMistypedFieldBreaksTheSchemaOfTheFaultedOperationOnly(t *testing.T) {
	sp, prof := contract(t)
	n := 0
	for _, op := range sp.Operations() {
		var call harness.Call
		found := false
		for _, resp := range op.Responses() {
			for _, ex := range resp.Examples {
				if found || resp.Status >= 300 || ex.State != "" {
					continue
				}
				c, err := op.DocumentedCall(prof, "")
				if err != nil {
					t.Fatalf("%s: %v", op.ID, err)
				}
				call, found = c, true
			}
		}
		if !found {
			continue
		}
		n++
		op := op
		t.Run(op.ID, func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, emulator.Options{Fault: emulator.Fault{Kind: emulator.FaultMistypedField, Op: op.ID}})
			call := call
			if op.Mutating() && op.Secured && call.Account == "" {
				call.As = e.signup("+1555000", harness.Unique("user_{unique}"))
			}
			got := e.do(call)
			if got.Response.Status/100 != 2 {
				t.Fatalf("status %d: %s", got.Response.Status, got.Response.Body)
			}
			if v := schemaVerdict(got); v != harness.CheckFailed {
				t.Errorf("%s with the fault: %s is %s, want failed: %s", op.ID, harness.CheckResponseSchema, v, got.Response.Body)
			}
			if e.srv.FaultsFired() < 1 {
				t.Errorf("FaultsFired %d", e.srv.FaultsFired())
			}
			other := "get_topic"
			if op.ID == other {
				other = "me"
			}
			oc, err := e.op(other).DocumentedCall(e.prof, "")
			if err != nil {
				t.Fatal(err)
			}
			if v := schemaVerdict(e.do(oc)); v != harness.CheckPassed {
				t.Errorf("%s beside the fault on %s: %s is %s, want passed", other, op.ID, harness.CheckResponseSchema, v)
			}
		})
	}
	if n < 35 {
		t.Fatalf("only %d operations with a documented success", n)
	}
}

// The fault changes the type of one value and nothing else: the first
// number or boolean becomes its text; a body with only strings has its
// first string become a number; errors and OPTIONS answers are left alone.
func TestMistypedFieldChangesOneValue(t *testing.T) {
	e := newEnvWith(t, emulator.Options{Fault: emulator.Fault{Kind: emulator.FaultMistypedField, Op: "get_topic"}})
	_, _, body := e.raw(http.MethodPost, "/api/get_topic", "application/json", `{"topic_id":140}`, nil)
	if v := get(&harness.Exchange{Response: &harness.Response{Body: body}}, "topic.id"); v.Type != gjson.String || v.String() != "140" {
		t.Errorf("topic.id is %s, want the string \"140\": %s", v.Raw, body)
	}
	if !strings.Contains(string(body), `"title":"⏳ The Future"`) {
		t.Errorf("the rest of the answer changed: %s", body)
	}
	status, _, body := e.raw(http.MethodPost, "/api/get_topic", "application/json", `{"topic_id":987654}`, nil)
	if status/100 == 2 || strings.Contains(string(body), `"success":"`) {
		t.Errorf("an error answer was changed (%d): %s", status, body)
	}
	if fired := e.srv.FaultsFired(); fired != 1 {
		t.Errorf("FaultsFired %d, want 1", fired)
	}

	e = newEnvWith(t, emulator.Options{Fault: emulator.Fault{Kind: emulator.FaultMistypedField, Op: "refresh_token"}})
	_, _, body = e.raw(http.MethodPost, "/api/refresh_token", "application/json", `{"refresh":"`+e.prof.Accounts["default"].RefreshToken+`"}`, nil)
	if v := get(&harness.Exchange{Response: &harness.Response{Body: body}}, "access"); v.Type != gjson.Number {
		t.Errorf("access is %s, want a number (only strings in the answer): %s", v.Raw, body)
	}
}

func TestParseFault(t *testing.T) {
	got, err := emulator.ParseFault("mistyped-field:get_profile")
	if err != nil || got.Kind != emulator.FaultMistypedField || got.Op != "get_profile" || got.Match != nil {
		t.Errorf("got %+v, %v", got, err)
	}
	for _, bad := range []string{"", "mistyped-field", "mistyped-field:", ":me", "no-such-kind:me", "mistyped-field:get_followers"} {
		if f, err := emulator.ParseFault(bad); err == nil {
			t.Errorf("%q: accepted as %+v", bad, f)
		}
	}
}

package harness

import "testing"

func TestIdentityIsolation(t *testing.T) {
	spec := loadCrossSpec(t)
	fol := func(status int, body string) *Exchange { return crossExchange(spec, "get_following", status, body) }
	upd := func(status int, body string) *Exchange { return crossExchange(spec, "update_thing", status, body) }
	const what = "A's follow is not in B's get_following"
	body := crossPage("3", "null", "null", "users", crossUsers(1233, 3))
	apart := func(holds func(*Exchange) []Finding) Check { return IdentityIsolation(what, holds, false) }
	forToken := func(holds func(*Exchange) []Finding) Check { return IdentityIsolation(what, holds, true) }
	runCheckCases(t, []checkCase{
		// The read of B keeps what A wrote out of it.
		{name: "B's list lacks A's follow", check: apart(LacksJSONValue("users.#.user_id", 999)), ex: fol(200, body), want: CheckPassed},
		// Nothing at the path is nothing judged: the room is not listed at all.
		{name: "nothing at the path is no verdict", check: apart(LacksJSONValue("clubs.#.club_id", 1234)), ex: fol(200, body),
			want: CheckFailed, pointer: "/clubs", fragment: `expected no 1234 at "clubs.#.club_id", but there is nothing there to judge`, findings: 1},
		{name: "a room not listed is no verdict", check: apart(LacksJSONValue(`channels.#(channel=="xYz").users.#.user_id`, 1234)),
			ex: fol(200, `{"channels":[{"channel":"other","users":[{"user_id":1233}]}]}`), want: CheckFailed, fragment: "nothing there to judge"},
		{name: "a room listed without B", check: apart(LacksJSONValue(`channels.#(channel=="xYz").users.#.user_id`, 1234)),
			ex: fol(200, `{"channels":[{"channel":"xYz","users":[{"user_id":1233}]}]}`), want: CheckPassed},
		{name: "an empty list lacks it", check: apart(LacksJSONValue("users.#.user_id", 1234)), ex: fol(200, crossPage("0", "null", "null", "users", "[]")),
			want: CheckPassed},
		{name: "A's write landed on B", check: apart(LacksJSONValue("users.#.user_id", 1234)), ex: fol(200, body),
			want: CheckFailed, pointer: "/users", fragment: what + `: 1234 is at "users.#.user_id", where it must not be; found: [1233,1234,1235]`, findings: 1},
		{name: "a single value", check: apart(LacksJSONValue("count", 3)), ex: fol(200, body), want: CheckFailed, fragment: `3 is at "count"`},
		{name: "numbers by value", check: apart(LacksJSONValue("users.#.user_id", 1234.0)), ex: fol(200, body), want: CheckFailed},
		{name: "a number is not its string", check: apart(LacksJSONValue("users.#.user_id", "1234")), ex: fol(200, body), want: CheckPassed},
		{name: "not JSON shows nothing", check: apart(LacksJSONValue("users.#.user_id", 1)), ex: fol(200, "<html>"),
			want: CheckFailed, fragment: "the body is not JSON"},
		{name: "a read that failed shows nothing", check: apart(LacksJSONValue("users.#.user_id", 1)), ex: fol(403, `{"detail":"no"}`),
			want: CheckFailed, fragment: what + ": the read answered status 403"},

		// An answer to A's token with B's identity beside it.
		{name: "acted for the token's account", check: forToken(ContainsJSONValue("users.#.user_id", 1233)), ex: fol(200, body), want: CheckPassed},
		{name: "acted for the header's account", check: forToken(ContainsJSONValue("users.#.user_id", 7)), ex: fol(200, body),
			want: CheckFailed, fragment: what + ": no value equal to 7"},
		{name: "refused with a documented status", check: forToken(ContainsJSONValue("x", 1)), ex: upd(400, `{"detail":"no"}`), want: CheckPassed},
		{name: "refused with an undocumented status", check: forToken(ContainsJSONValue("x", 1)), ex: upd(403, `{"detail":"no"}`),
			want: CheckFailed, fragment: "status 403 is neither an answer for the token's account nor a refusal the contract documents"},
		{name: "a 5xx is no refusal", check: forToken(ContainsJSONValue("x", 1)), ex: fol(500, `{}`), want: CheckFailed, fragment: "status 500"},
		{name: "custom expectation", check: forToken(func(*Exchange) []Finding { return []Finding{{Message: "acted as B", Pointer: "/x"}} }),
			ex: fol(200, body), want: CheckFailed, fragment: what + ": acted as B", pointer: "/x"},
		{name: "no expectation", check: forToken(nil), ex: fol(200, body), want: CheckSkipped, fragment: what},
	})
}

func TestIdentityMatchers(t *testing.T) {
	spec := loadCrossSpec(t)
	get := func(status int, body string) *Exchange { return crossExchange(spec, "get_following", status, body) }
	following := crossPage("1", "null", "null", "users", crossUsers(1234, 1))
	const what = "A's follow is not in B's get_following"
	runMatcherCases(t, []matcherCase{
		{name: "apart: kept", matcher: KeepAccountsApart(what, LacksJSONValue("users.#.user_id", 99)), actual: get(200, following), want: true},
		{name: "apart: crossed", matcher: KeepAccountsApart(what, LacksJSONValue("users.#.user_id", 1234)), actual: get(200, following),
			want: false, message: []string{"get_following (GET /get_following)", "to keep accounts apart: " + what,
				CheckIdentityIsolation, `1234 is at "users.#.user_id", where it must not be`, "(at /users)"}},
		{name: "token: acted for A", matcher: ActForTheToken("me answers for A", ContainsJSONValue("users.#.user_id", 1234)), actual: get(200, following), want: true},
		{name: "token: acted for B", matcher: ActForTheToken("me answers for A", ContainsJSONValue("users.#.user_id", 1)), actual: get(200, following),
			want: false, message: []string{"to act for the token's account only: me answers for A", CheckIdentityIsolation, "no value equal to 1"}},
	})
}

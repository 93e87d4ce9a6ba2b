package harness

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
)

// seedSuggested is the seed's get_suggested_follows_all example: 1 user of
// count 59 with next 2, which cannot be page 1 of page_size 50.
const seedSuggested = `{"users":[{"user_id":1234,"name":"John Smith","photo_url":null,"username":"rohan",` +
	`"bio":"Example bio","twitter":"johnsmith"}],"count":59,"next":2,"previous":null,"success":true}`

func loadCrossSpec(t *testing.T) *Spec {
	t.Helper()
	data, err := os.ReadFile("testdata/checks_cross.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := LoadSpec("testdata/checks_cross.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// crossExchange is an exchange of op answered with status and a JSON body.
func crossExchange(spec *Spec, op string, status int, body string) *Exchange {
	o := spec.MustOperation(op)
	return &Exchange{
		Op:       o,
		Request:  Request{Method: o.Method, URL: "http://127.0.0.1:8080/api" + o.Path, Header: http.Header{}},
		Response: &Response{Status: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)},
	}
}

// crossUsers is a JSON array of n user objects with ids from first.
func crossUsers(first, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `{"user_id":` + crossItoa(first+i) + `}`
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func crossItoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// crossPage is a paginated body: the lists given ("users", "[...]") and the
// count/next/previous raw JSON values ("" leaves the member out).
func crossPage(count, next, previous string, lists ...string) string {
	var members []string
	for i := 0; i+1 < len(lists); i += 2 {
		members = append(members, `"`+lists[i]+`":`+lists[i+1])
	}
	for _, kv := range [][2]string{{"count", count}, {"next", next}, {"previous", previous}} {
		if kv[1] != "" {
			members = append(members, `"`+kv[0]+`":`+kv[1])
		}
	}
	return "{" + strings.Join(members, ",") + `,"success":true}`
}

func TestPaginationConformance(t *testing.T) {
	spec := loadCrossSpec(t)
	sfa := func(body string) *Exchange { return crossExchange(spec, "get_suggested_follows_all", 200, body) }
	fol := func(body string) *Exchange { return crossExchange(spec, "get_following", 200, body) }
	P := PaginationConformance
	runCheckCases(t, []checkCase{
		// The seed example.
		{name: "seed example with page_size 50: 1 item on a page that is not the last", check: P(1, 50), ex: sfa(seedSuggested),
			want: CheckFailed, pointer: "/users", fragment: "is not the last (count 59, page_size 50) but holds 1 items", findings: 1},
		{name: "seed example with no page_size asked", check: P(1, 0), ex: sfa(seedSuggested), want: CheckPassed},
		{name: "seed example with page 0 meaning 1", check: P(0, 0), ex: sfa(seedSuggested), want: CheckPassed},
		{name: "seed example with page_size 1", check: P(1, 1), ex: sfa(seedSuggested), want: CheckPassed},

		// Consistent walks.
		{name: "page 1 of 3", check: P(1, 3), ex: sfa(crossPage("7", "2", "null", "users", crossUsers(1, 3))), want: CheckPassed},
		{name: "page 2 of 3", check: P(2, 3), ex: sfa(crossPage("7", "3", "1", "users", crossUsers(4, 3))), want: CheckPassed},
		{name: "last page", check: P(3, 3), ex: sfa(crossPage("7", "null", "2", "users", crossUsers(7, 1))), want: CheckPassed},
		{name: "last page exactly full", check: P(2, 3), ex: sfa(crossPage("6", "null", "1", "users", crossUsers(4, 3))), want: CheckPassed},
		{name: "only page", check: P(1, 50), ex: sfa(crossPage("2", "null", "null", "users", crossUsers(1, 2))), want: CheckPassed},
		{name: "empty result", check: P(1, 50), ex: sfa(crossPage("0", "null", "null", "users", "[]")), want: CheckPassed},
		{name: "past the end is empty", check: P(5, 3), ex: sfa(crossPage("7", "null", "4", "users", "[]")), want: CheckPassed},
		{name: "count 1.0 is an integer", check: P(1, 0), ex: sfa(crossPage("1.0", "null", "null", "users", crossUsers(1, 1))), want: CheckPassed},
		{name: "get_following: users and clubs summed", check: P(1, 5),
			ex: fol(crossPage("5", "null", "null", "users", crossUsers(1, 3), "clubs", `[{"club_id":1},{"club_id":2}]`)), want: CheckPassed},
		{name: "get_following: users and clubs summed, not the last page", check: P(1, 5),
			ex: fol(crossPage("12", "2", "null", "users", crossUsers(1, 4), "clubs", `[{"club_id":1}]`)), want: CheckPassed},
		{name: "get_notifications with disabled", check: P(1, 20),
			ex:   sfa(`{"notifications":[{"notification_id":1}],"count":1,"next":null,"previous":null,"disabled":false,"success":true}`),
			want: CheckPassed},

		// count.
		{name: "count a string", check: P(1, 0), ex: sfa(crossPage(`"59"`, "2", "null", "users", crossUsers(1, 1))),
			want: CheckFailed, pointer: "/count", fragment: "not a non-negative integer"},
		{name: "count negative", check: P(1, 0), ex: sfa(crossPage("-1", "null", "null", "users", "[]")), want: CheckFailed, pointer: "/count"},
		{name: "count a fraction", check: P(1, 0), ex: sfa(crossPage("1.5", "null", "null", "users", crossUsers(1, 1))), want: CheckFailed, pointer: "/count"},
		{name: "count below the items on the page", check: P(2, 0), ex: sfa(crossPage("1", "null", "1", "users", crossUsers(1, 3))),
			want: CheckFailed, pointer: "/count", fragment: "the page alone holds 3 items"},

		// next and previous: types.
		{name: "next a URL", check: P(1, 0),
			ex:   sfa(crossPage("59", `"https://www.clubhouseapi.com/api/get_suggested_follows_all?page=2"`, "null", "users", crossUsers(1, 1))),
			want: CheckFailed, pointer: "/next", fragment: "page numbers, not URLs", findings: 1},
		{name: "previous a URL", check: P(2, 1), ex: sfa(crossPage("3", "3", `"/api/get_following?page=1"`, "users", crossUsers(2, 1))),
			want: CheckFailed, pointer: "/previous", fragment: "page numbers, not URLs"},
		{name: "next a boolean", check: P(1, 0), ex: sfa(crossPage("59", "true", "null", "users", crossUsers(1, 1))),
			want: CheckFailed, pointer: "/next", fragment: "not a page number"},
		{name: "next 0", check: P(1, 0), ex: sfa(crossPage("59", "0", "null", "users", crossUsers(1, 1))), want: CheckFailed, pointer: "/next"},
		{name: "next missing", check: P(1, 0), ex: sfa(crossPage("59", "", "null", "users", crossUsers(1, 1))),
			want: CheckFailed, pointer: "/next", fragment: "next is missing"},
		{name: "previous missing", check: P(1, 0), ex: sfa(crossPage("59", "2", "", "users", crossUsers(1, 1))),
			want: CheckFailed, pointer: "/previous", fragment: "previous is missing"},

		// next and previous: values.
		{name: "previous not null on page 1", check: P(1, 0), ex: sfa(crossPage("59", "2", "1", "users", crossUsers(1, 1))),
			want: CheckFailed, pointer: "/previous", fragment: "it must be null"},
		{name: "previous null on page 2", check: P(2, 3), ex: sfa(crossPage("7", "3", "null", "users", crossUsers(4, 3))),
			want: CheckFailed, pointer: "/previous", fragment: "previous is null on page 2; it must be 1", findings: 1},
		{name: "previous not the page before", check: P(3, 3), ex: sfa(crossPage("7", "null", "1", "users", crossUsers(7, 1))),
			want: CheckFailed, pointer: "/previous", fragment: "it must be 2", findings: 1},
		{name: "next not the page after", check: P(1, 3), ex: sfa(crossPage("7", "3", "null", "users", crossUsers(1, 3))),
			want: CheckFailed, pointer: "/next", fragment: "it must be 2", findings: 1},
		{name: "next not the page after, no page_size", check: P(2, 0), ex: sfa(crossPage("59", "4", "1", "users", crossUsers(1, 1))),
			want: CheckFailed, pointer: "/next", fragment: "it must be 3"},
		{name: "next null although items remain", check: P(1, 3), ex: sfa(crossPage("7", "null", "null", "users", crossUsers(1, 3))),
			want: CheckFailed, pointer: "/next", fragment: "4 of count 7 items come after it", findings: 1},
		{name: "next set on the last page", check: P(3, 3), ex: sfa(crossPage("7", "4", "2", "users", crossUsers(7, 1))),
			want: CheckFailed, pointer: "/next", fragment: "already reaches count 7", findings: 1},

		// items.
		{name: "more items than page_size", check: P(1, 2), ex: sfa(crossPage("7", "2", "null", "users", crossUsers(1, 3))),
			want: CheckFailed, pointer: "/users", fragment: "more than the page_size 2", findings: 1},
		{name: "get_following: users and clubs together above page_size", check: P(1, 5),
			ex:   fol(crossPage("12", "2", "null", "users", crossUsers(1, 3), "clubs", `[{"club_id":1},{"club_id":2},{"club_id":3}]`)),
			want: CheckFailed, pointer: "/users", fragment: "users (3) + clubs (3)", findings: 1},
		{name: "short last page", check: P(3, 3), ex: sfa(crossPage("8", "null", "2", "users", crossUsers(7, 1))),
			want: CheckFailed, pointer: "/users", fragment: "it must hold 2 items, it holds 1", findings: 1},
		{name: "items on a page past the end", check: P(5, 3), ex: sfa(crossPage("7", "null", "4", "users", crossUsers(1, 1))),
			want: CheckFailed, pointer: "/users", fragment: "it must hold 0 items"},
		{name: "only page without page_size holds fewer than count", check: P(1, 0), ex: sfa(crossPage("5", "null", "null", "users", crossUsers(1, 3))),
			want: CheckFailed, pointer: "/users", fragment: "holds 3 of count 5 items", findings: 1},
		{name: "next on page 1 without page_size although all items are there", check: P(1, 0),
			ex: sfa(crossPage("3", "2", "null", "users", crossUsers(1, 3))), want: CheckFailed, pointer: "/next", fragment: "already holds all 3 items"},
		{name: "no item list at all", check: P(1, 0), ex: sfa(crossPage("2", "null", "null")),
			want: CheckFailed, fragment: "no users, clubs, events, notifications, channels array"},

		// Not applicable.
		{name: "no count", check: P(1, 50), ex: sfa(`{"users":[],"success":true}`), want: CheckSkipped, fragment: "no count"},
		{name: "not a 2xx", check: P(1, 50), ex: crossExchange(spec, "get_suggested_follows_all", 400, `{"count":"x"}`),
			want: CheckSkipped, fragment: "not a 2xx"},
		{name: "not JSON", check: P(1, 50), ex: sfa(`<html>`), want: CheckSkipped, fragment: "not a JSON object"},
	})
}

func TestMalformedRequests(t *testing.T) {
	spec := loadCrossSpec(t)
	base := func(drop string, set ...any) map[string]any {
		m := map[string]any{"channel_id": 7.0, "name": "first", "tags": []any{"x"}}
		delete(m, drop)
		for i := 0; i+1 < len(set); i += 2 {
			m[set[i].(string)] = set[i+1]
		}
		return m
	}
	want := []MalformedCase{
		{Name: "malformed JSON", RawBody: []byte(`{"`)},
		{Name: "channel_id: string instead of integer", Body: base("", "channel_id", "not-a-number")},
		{Name: "is_private: string instead of boolean", Body: base("", "is_private", "yes")},
		{Name: "name: integer instead of string", Body: base("", "name", 12345)},
		{Name: "nickname: integer instead of string", Body: base("", "nickname", 12345)},
		{Name: "score: string instead of number", Body: base("", "score", "not-a-number")},
		{Name: "settings: integer instead of object", Body: base("", "settings", 12345)},
		{Name: "tags: string instead of array", Body: base("", "tags", "not-an-array")},
		{Name: "without required channel_id", Body: base("channel_id")},
		{Name: "without required name", Body: base("name")},
	}
	got := MalformedRequests(spec.MustOperation("update_thing"))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cases differ:\n got: %s\nwant: %s", describeCases(got), describeCases(want))
	}
	if again := MalformedRequests(spec.MustOperation("update_thing")); !reflect.DeepEqual(again, got) {
		t.Error("MalformedRequests is not deterministic")
	}
	// The cases do not share the base body, nor alter the contract's example.
	got[1].Body.(map[string]any)["tags"] = "changed"
	if tags := got[2].Body.(map[string]any)["tags"]; !reflect.DeepEqual(tags, []any{"x"}) {
		t.Errorf("cases share their body: tags is %v", tags)
	}
	example := spec.MustOperation("update_thing").RequestExamples()[0].Value.(map[string]any)
	if _, isString := example["channel_id"].(string); isString || example["name"] == nil {
		t.Errorf("the contract's example was changed: %v", example)
	}
	for _, c := range got[1:] {
		if c.RawBody != nil {
			t.Errorf("%s: both RawBody and Body set", c.Name)
		}
		if _, err := json.Marshal(c.Body); err != nil {
			t.Errorf("%s: body cannot be encoded: %v", c.Name, err)
		}
	}

	postFollowing := MalformedRequests(spec.MustOperation("get_following_post"))
	wantFollowing := []MalformedCase{
		{Name: "malformed JSON", RawBody: []byte(`{"`)},
		{Name: "user_id: string instead of integer", Body: map[string]any{"user_id": "not-a-number"}},
	}
	if !reflect.DeepEqual(postFollowing, wantFollowing) {
		t.Errorf("without examples: got %s, want %s", describeCases(postFollowing), describeCases(wantFollowing))
	}
	for _, op := range []string{"no_body", "get_following"} {
		if cases := MalformedRequests(spec.MustOperation(op)); cases != nil {
			t.Errorf("%s documents no request body, got %s", op, describeCases(cases))
		}
	}
	if cases := MalformedRequests(nil); cases != nil {
		t.Errorf("nil operation: got %s", describeCases(cases))
	}
}

func describeCases(cases []MalformedCase) string {
	var b strings.Builder
	for _, c := range cases {
		body, _ := json.Marshal(c.Body)
		b.WriteString("\n  " + c.Name + ": raw " + string(c.RawBody) + " body " + string(body))
	}
	return b.String()
}

func TestMethodEquivalence(t *testing.T) {
	spec := loadCrossSpec(t)
	get := func(status int, body string) *Exchange { return crossExchange(spec, "get_following", status, body) }
	post := func(status int, body string) *Exchange {
		return crossExchange(spec, "get_following_post", status, body)
	}
	body := `{"users":[{"user_id":1,"name":"A"}],"count":1,"next":null,"previous":null,"success":true}`
	reordered := `{"success":true,"previous":null,"next":null,"count":1.0,"users":[{"name":"A","user_id":1}]}`
	noResponse := get(200, "")
	noResponse.Response = nil
	runCheckCases(t, []checkCase{
		{name: "same body, keys reordered, 1 and 1.0", check: MethodEquivalence(get(200, body)), ex: post(200, reordered), want: CheckPassed},
		{name: "same non-JSON body", check: MethodEquivalence(get(404, "Not found")), ex: post(404, "Not found"), want: CheckPassed},
		{name: "statuses differ", check: MethodEquivalence(get(200, body)), ex: post(405, `{"detail":"Method \"POST\" not allowed."}`),
			want: CheckFailed, fragment: "status 405 by POST but 200 by GET", findings: 1},
		{name: "a value differs", check: MethodEquivalence(get(200, body)),
			ex:   post(200, strings.Replace(body, `"name":"A"`, `"name":"B"`, 1)),
			want: CheckFailed, pointer: "/users/0/name", fragment: `at /users/0/name: "B" by POST, "A" by GET`, findings: 1},
		{name: "a member only by one method", check: MethodEquivalence(get(200, body)),
			ex:   post(200, strings.Replace(body, `"count":1`, `"count":1,"extra":true`, 1)),
			want: CheckFailed, pointer: "/extra", fragment: "true by POST, absent by GET"},
		{name: "a number against a string", check: MethodEquivalence(get(200, `{"user_id":1}`)), ex: post(200, `{"user_id":"1"}`),
			want: CheckFailed, pointer: "/user_id"},
		{name: "different roots", check: MethodEquivalence(get(200, `[]`)), ex: post(200, `{}`),
			want: CheckFailed, fragment: "at the root"},
		{name: "one body not JSON", check: MethodEquivalence(get(200, body)), ex: post(200, "<html>"),
			want: CheckFailed, fragment: "not both JSON"},
		{name: "secrets masked", check: MethodEquivalence(get(200, `{"phone_number":"+15555550111"}`)), ex: post(200, `{"phone_number":"+15555550122"}`),
			want: CheckFailed, fragment: "<phone_number>"},
		{name: "tokens reissued per response are no difference", check: MethodEquivalence(get(200, `{"access_token":"one","logging_context":{"batch_id":"a"},"n":1}`)),
			ex: post(200, `{"access_token":"two","logging_context":{"batch_id":"b"},"n":1}`), want: CheckPassed},
		// Other clients change shared state between the two reads: counts,
		// and which rooms a hallway lists, are not the method's to keep.
		{name: "counts changed between the reads", check: MethodEquivalence(get(200, hallway(room(4, 8, "a"), room(5, 2, "b")))),
			ex: post(200, hallway(room(4, 9, "a"), room(5, 2, "b"))), want: CheckPassed},
		{name: "a room opened and another closed between the reads", check: MethodEquivalence(get(200, hallway(room(4, 8, "a"), room(5, 2, "b")))),
			ex: post(200, hallway(room(5, 3, "b"), room(6, 1, "c"))), want: CheckPassed},
		{name: "a page more after a count grew", check: MethodEquivalence(get(200, `{"users":[],"count":1,"next":null,"previous":null}`)),
			ex: post(200, `{"users":[],"count":2,"next":2,"previous":null}`), want: CheckPassed},
		{name: "a room both list differs in a value", check: MethodEquivalence(get(200, hallway(room(4, 8, "a"), room(5, 2, "b")))),
			ex:   post(200, hallway(room(5, 2, "other"), room(4, 8, "a"))),
			want: CheckFailed, pointer: "/channels/0/topic", fragment: `at /channels/0/topic (/channels/1/topic by GET): "other" by POST, "b" by GET`},
		{name: "a count of another kind", check: MethodEquivalence(get(200, hallway(room(4, 8, "a")))),
			ex:   post(200, strings.Replace(hallway(room(4, 8, "a")), `"num_all":8`, `"num_all":"8"`, 1)),
			want: CheckFailed, pointer: "/channels/0/num_all"},
		{name: "a room with a field the other method leaves out", check: MethodEquivalence(get(200, hallway(room(4, 8, "a")))),
			ex:   post(200, strings.Replace(hallway(room(4, 8, "a")), `"topic":"a"`, `"topic":"a","extra":1`, 1)),
			want: CheckFailed, pointer: "/channels/0/extra", fragment: "1 by POST, absent by GET"},
		{name: "a page link of another kind", check: MethodEquivalence(get(200, `{"users":[],"count":2,"next":2}`)),
			ex: post(200, `{"users":[],"count":2,"next":"2"}`), want: CheckFailed, pointer: "/next"},
		{name: "two hallways without a room in common", check: MethodEquivalence(get(200, hallway(room(4, 8, "a"), room(5, 2, "b")))),
			ex: post(200, hallway(room(7, 8, "a"))), want: CheckFailed, pointer: "/channels", fragment: "1 items by POST, 2 by GET, none with the same channel_id"},
		{name: "a list without ids of another length", check: MethodEquivalence(get(200, `{"rules":[{"title":"a"}]}`)),
			ex: post(200, `{"rules":[]}`), want: CheckFailed, pointer: "/rules", fragment: "0 items by POST, 1 by GET"},
		{name: "other got no response", check: MethodEquivalence(noResponse), ex: post(200, body), want: CheckSkipped, fragment: "no response"},
		{name: "no other", check: MethodEquivalence(nil), ex: post(200, body), want: CheckSkipped, fragment: "no exchange to compare with"},
	})
}

func TestAllRefused(t *testing.T) {
	spec := loadCrossSpec(t)
	get := func(status int) *Exchange {
		return crossExchange(spec, "get_following", status, `{"detail":"Invalid token."}`)
	}
	post := func(status int) *Exchange {
		return crossExchange(spec, "get_following_post", status, `{"detail":"Invalid token."}`)
	}
	noResponse := get(401)
	noResponse.Response = nil
	for _, c := range []struct {
		name string
		exs  []*Exchange
		want string
	}{
		{"both refused", []*Exchange{post(401), get(401)}, "401 by POST, 401 by GET"},
		{"refused two ways", []*Exchange{post(403), get(401)}, "403 by POST, 401 by GET"},
		{"one answered", []*Exchange{post(200), get(401)}, ""},
		{"both answered", []*Exchange{post(200), get(200)}, ""},
		{"both failed on the server", []*Exchange{post(500), get(500)}, ""},
		{"one without a response", []*Exchange{post(401), noResponse}, ""},
	} {
		if got := AllRefused(c.exs...); got != c.want {
			t.Errorf("%s: AllRefused = %q, want %q", c.name, got, c.want)
		}
	}
}

// hallway is a get_channels body listing rooms.
func hallway(rooms ...string) string {
	return `{"channels":[` + strings.Join(rooms, ",") + `],"success":true}`
}

// room is one room of a hallway: its id, how many are in it, its topic.
func room(id, numAll int, topic string) string {
	return fmt.Sprintf(`{"channel_id":%d,"channel":"r%d","num_all":%d,"topic":%q,"users":[{"user_id":%d}]}`, id, id, numAll, topic, id*10)
}

func TestStatefulConsistency(t *testing.T) {
	spec := loadCrossSpec(t)
	fol := func(status int, body string) *Exchange { return crossExchange(spec, "get_following", status, body) }
	body := crossPage("3", "null", "null", "users", crossUsers(1233, 3), "clubs", `[{"club_id":"77"}]`)
	const what = "the followed user appears in get_following"
	S := func(holds func(*Exchange) []Finding) Check { return StatefulConsistency(what, holds) }
	long := crossPage("300", "null", "null", "users", crossUsers(1, 300))
	runCheckCases(t, []checkCase{
		{name: "the id is there", check: S(ContainsJSONValue("users.#.user_id", 1234)), ex: fol(200, body), want: CheckPassed},
		{name: "numbers by value", check: S(ContainsJSONValue("users.#.user_id", 1234.0)), ex: fol(200, body), want: CheckPassed},
		{name: "a single value", check: S(ContainsJSONValue("count", 3)), ex: fol(200, body), want: CheckPassed},
		{name: "a whole object", check: S(ContainsJSONValue("users.1", map[string]any{"user_id": 1234})), ex: fol(200, body), want: CheckPassed},
		{name: "a string id", check: S(ContainsJSONValue("clubs.#.club_id", "77")), ex: fol(200, body), want: CheckPassed},
		{name: "the id is missing", check: S(ContainsJSONValue("users.#.user_id", 999)), ex: fol(200, body),
			want: CheckFailed, pointer: "/users", fragment: what + `: no value equal to 999 at "users.#.user_id"; found: [1233,1234,1235]`, findings: 1},
		{name: "a number is not its string", check: S(ContainsJSONValue("users.#.user_id", "1234")), ex: fol(200, body),
			want: CheckFailed, fragment: `no value equal to "1234"`},
		{name: "a string is not its number", check: S(ContainsJSONValue("clubs.#.club_id", 77)), ex: fol(200, body),
			want: CheckFailed, pointer: "/clubs"},
		{name: "nothing at the path", check: S(ContainsJSONValue("channels.#.channel", "xjXqoW1A")), ex: fol(200, body),
			want: CheckFailed, pointer: "/channels", fragment: "there is nothing there"},
		{name: "what was there is cut", check: S(ContainsJSONValue("users.#.user_id", 0)), ex: fol(200, long),
			want: CheckFailed, fragment: "more bytes)"},
		{name: "not JSON", check: S(ContainsJSONValue("users.#.user_id", 1)), ex: fol(200, "<html>"),
			want: CheckFailed, fragment: "the body is not JSON"},
		{name: "the read failed", check: S(ContainsJSONValue("users.#.user_id", 1234)), ex: fol(403, `{"detail":"no"}`),
			want: CheckFailed, fragment: what + ": the read answered status 403"},
		{name: "custom expectation", check: S(func(*Exchange) []Finding { return []Finding{{Message: "custom", Pointer: "/x"}} }),
			ex: fol(200, body), want: CheckFailed, fragment: what + ": custom", pointer: "/x"},
		{name: "no expectation", check: S(nil), ex: fol(200, body), want: CheckSkipped, fragment: what},
	})
}

func TestGjsonPathPointer(t *testing.T) {
	for path, want := range map[string]string{
		"users.#.user_id":          "/users",
		"user_profile.name":        "/user_profile/name",
		"users.0.user_id":          "/users/0/user_id",
		`a\.b.c`:                   "/a.b/c",
		"#":                        "",
		"clubs.#(club_id==1).name": "/clubs",
	} {
		if got := gjsonPathPointer(path); got != want {
			t.Errorf("gjsonPathPointer(%q) = %q, want %q", path, got, want)
		}
	}
}

package explore

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
)

func contract(t *testing.T) *harness.Spec {
	t.Helper()
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// numbers is a generator of requests whose body is one integer.
var numbers = rapid.Custom(func(t *rapid.T) Request {
	return Request{Kind: Valid, HasBody: true, Body: rapid.Int64Range(0, 1_000_000).Draw(t, "n")}
})

// tooLarge refuses every number from 1000 on.
func tooLarge(r Request) string {
	if r.Body.(int64) >= 1000 {
		return "too large"
	}
	return ""
}

// A failure is shrunk to the smallest request that fails the same way: a
// judge that refuses every number from 1000 on ends with exactly 1000.
func TestExploreShrinksToTheSmallestFailingRequest(t *testing.T) {
	out, err := Explore(numbers, Settings{Seed: 42, Examples: 200, MaxShrink: 100000}, tooLarge)
	if err != nil {
		t.Fatal(err)
	}
	if out.Failure != "too large" || out.Minimal.Body != int64(1000) {
		t.Fatalf("want the minimal failing body 1000 with its reason, got %v (%q) after %d requests", out.Minimal.Body, out.Failure, out.Ran)
	}
	if out.Generated < 1 || out.Ran <= out.Generated {
		t.Errorf("a shrunk failure is judged again: generated %d, ran %d", out.Generated, out.Ran)
	}
}

// A shrink is bounded in requests: past MaxShrink the smallest failure so
// far stands, and the same seed ends at the same one.
func TestExploreShrinkIsBounded(t *testing.T) {
	run := func() Outcome {
		out, err := Explore(numbers, Settings{Seed: 42, Examples: 200, MaxShrink: 3}, tooLarge)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := run(), run()
	if a.Ran-a.Generated > 3 || a.Failure != "too large" || a.Minimal.Body.(int64) < 1000 {
		t.Fatalf("want at most 3 shrink requests and a failing minimal, got %+v", a)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("the same seed shrank to two requests: %v and %v", a.Minimal.Body, b.Minimal.Body)
	}
}

// A judge that passes everything: every example is sent, nothing fails.
func TestExplorePassesWhenNothingFails(t *testing.T) {
	out, err := Explore(numbers, Settings{Seed: 7, Examples: 30}, func(Request) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if out.Failure != "" || out.Generated != 30 || out.Ran != 30 {
		t.Fatalf("want 30 requests and no failure, got %+v", out)
	}
}

// The same seed gives the same requests; another seed, others.
func TestExploreSameSeedSameRequests(t *testing.T) {
	sent := func(seed uint64) []any {
		var bodies []any
		if _, err := Explore(numbers, Settings{Seed: seed, Examples: 20}, func(r Request) string {
			bodies = append(bodies, r.Body)
			return ""
		}); err != nil {
			t.Fatal(err)
		}
		return bodies
	}
	a, b, c := sent(99), sent(99), sent(100)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("seed 99 twice gave different requests:\n%v\n%v", a, b)
	}
	if reflect.DeepEqual(a, c) {
		t.Fatalf("seeds 99 and 100 gave the same requests: %v", a)
	}
}

// Past its deadline an exploration sends nothing more.
func TestExploreStopsAtItsDeadline(t *testing.T) {
	n := 0
	out, err := Explore(numbers, Settings{Seed: 1, Examples: 50, Deadline: time.Now().Add(-time.Second)}, func(Request) string {
		n++
		return "fails"
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 || !out.OutOfTime || out.Failure != "" {
		t.Fatalf("want nothing sent after the deadline, got %d sent, %+v", n, out)
	}
}

func TestSeedForDependsOnEveryPart(t *testing.T) {
	a := SeedFor(1, "verdict", "follow")
	for _, other := range []uint64{SeedFor(2, "verdict", "follow"), SeedFor(1, "provisional", "follow"), SeedFor(1, "verdict", "me")} {
		if other == a {
			t.Errorf("two explorations share the seed %d", a)
		}
	}
	if a != SeedFor(1, "verdict", "follow") {
		t.Error("SeedFor is not a function of its parts")
	}
}

// Every operation's generated requests are what their kind says: a valid
// one's body conforms to the request schema, a changed one's does not (or
// is not JSON at all, or the change was to the query), and every kind
// occurs where the contract gives it something to change.
func TestGeneratedRequestsAgreeWithTheContract(t *testing.T) {
	spec := contract(t)
	kinds := map[Kind]int{}
	whats := map[string]bool{}
	for _, op := range spec.Operations() {
		gen := Requests(op)
		g := newOpGen(op)
		for i := 0; i < 300; i++ {
			r := gen.Example(i)
			kinds[r.Kind]++
			whats[r.What] = true
			if g.body == nil || !r.HasBody || r.Raw != nil {
				if r.Raw != nil && json.Valid(r.Raw) {
					t.Errorf("%s: a body meant not JSON is JSON: %q", op.ID, r.Raw)
				}
				continue
			}
			problem := bodyProblem(g.body, r.Body)
			switch {
			case r.Kind == Valid && problem != "":
				t.Errorf("%s: a valid request's body is refused by the contract: %s (%s)", op.ID, problem, r.Describe())
			case r.Kind != Valid && problem == "" && !r.queryChanged() && !r.unchecked:
				t.Errorf("%s: a %s request's body conforms: %s", op.ID, r.Kind, r.Describe())
			case r.Kind == OutOfContract && len(r.What) > 9 && r.What[:9] == "generated":
				t.Errorf("%s: %s", op.ID, r.What)
			}
		}
	}
	for _, k := range []Kind{Valid, Malformed, OutOfContract} {
		if kinds[k] == 0 {
			t.Errorf("no %s request generated over the contract", k)
		}
	}
	for _, want := range []string{"a body that is not JSON", "a JSON body that is not an object", "query page_size: not an integer",
		"channel: a string off the pattern ^[A-Za-z0-9]+$", "action_trails: left out (required)", "page_size: below the minimum 1",
		"attribution_source: a string outside the enum", "attribution_details: a string that is not base64",
		"user_ids[0]: a value of another type than integer"} {
		if !whats[want] {
			t.Errorf("no request %q was generated", want)
		}
	}
	t.Logf("%v over %d operations", kinds, len(spec.Operations()))
}

// A generated request goes out as the harness call it describes.
func TestRequestCall(t *testing.T) {
	base := harness.Call{Account: "writer", Header: map[string]string{"CH-Locale": "en_US"}}
	r := Request{HasBody: true, Body: map[string]any{"a": int64(1)}, Header: map[string]string{"CH-AppBuild": ""}}
	call := r.Call(base)
	if call.Account != "writer" || call.Header["CH-Locale"] != "en_US" || call.Header["CH-AppBuild"] != "" || len(call.Header) != 2 {
		t.Errorf("the call lost the base's account or headers: %+v", call)
	}
	if b, _ := json.Marshal(call.Body); string(b) != `{"a":1}` || call.RawBody != nil {
		t.Errorf("body %s raw %q", b, call.RawBody)
	}
	if null := (Request{HasBody: true}).Call(base); string(null.RawBody) != "null" {
		t.Errorf("a null body must be sent as null, got %q", null.RawBody)
	}
	if raw := (Request{HasBody: true, Raw: []byte(`{"`)}).Call(base); string(raw.RawBody) != `{"` || raw.Body != nil {
		t.Errorf("a raw body must be sent as is: %+v", raw)
	}
	if none := (Request{}).Call(base); none.Body != nil || none.RawBody != nil {
		t.Errorf("no body: %+v", none)
	}
}

// A generated write never names the values the documented requests name:
// complete_phone_number_auth once signed up the contract's example number
// with the example code, and the documented invite_to_app spec, which
// invites that number, found it already on Clubhouse. Reads keep the
// examples, which reach the world's seeded entities.
func TestGeneratedWritesLeaveTheDocumentedValuesAlone(t *testing.T) {
	spec := contract(t)
	for _, id := range []string{"complete_phone_number_auth", "start_phone_number_auth", "invite_to_app", "update_username"} {
		gen := Requests(spec.MustOperation(id))
		for i := 0; i < 300; i++ {
			r := gen.Example(i)
			b, _ := json.Marshal(r.Body)
			for _, documented := range []string{"+11234567890", "+1234567890", `"1234"`, "John Smith"} {
				if strings.Contains(string(b), documented) {
					t.Fatalf("%s: a generated write names the documented %s: %s", id, documented, b)
				}
			}
		}
	}
	read := Requests(spec.MustOperation("get_topic"))
	for i := 0; i < 300; i++ {
		if b, _ := json.Marshal(read.Example(i).Body); strings.Contains(string(b), "140") {
			return
		}
	}
	t.Error("get_topic's generated requests never use the documented topic 140")
}

func TestRequestNames(t *testing.T) {
	values := map[string]bool{"3001": true, "+15550100002": true}
	for body, want := range map[string]bool{
		`{"user_id":3001}`: true, `{"user_ids":[1,3001]}`: true, `{"contacts":[{"phone_number":"+15550100002"}]}`: true,
		`{"user_id":300}`: false, `{"name":"3001x"}`: false, `{}`: false,
	} {
		var v any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatal(err)
		}
		if got := (Request{HasBody: true, Body: v}).Names(values); got != want {
			t.Errorf("%s: %v, want %v", body, got, want)
		}
	}
	if (Request{HasBody: true, Raw: []byte(`3001`)}).Names(values) {
		t.Error("a raw body names nothing")
	}
}

// A bounded shrink keeps its failure: rapid runs a kept candidate twice and
// the smallest once more, and those runs past the bound must fail as the
// request did (they once passed unsent, and rapid called the test flaky).
func TestABoundedShrinkKeepsItsFailure(t *testing.T) {
	op := contract(t).MustOperation("start_phone_number_auth")
	for _, bound := range []int{1, 5, 25} {
		out, err := Explore(Requests(op), Settings{Seed: 12870540838348768072, Examples: 25, MaxShrink: bound}, func(r Request) string {
			if r.Kind == Malformed {
				return "refused"
			}
			return ""
		})
		if err != nil {
			t.Fatal(err)
		}
		if out.Failure != "refused" || out.Minimal.Kind != Malformed || out.Ran-out.Generated > bound {
			t.Errorf("bound %d: %q, %s, %d shrink requests", bound, out.Failure, out.Minimal.Describe(), out.Ran-out.Generated)
		}
	}
}

package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/onsi/gomega"
)

// jsonAnswer is a get_profile exchange answered 200 with body as JSON.
func jsonAnswer(spec *Spec, body string) *Exchange {
	return exchangeFor(spec, "get_profile", 200, body, "Content-Type", "application/json")
}

func TestJSONInterop(t *testing.T) {
	spec := loadCheckSpec(t)
	ok := func(name, body string) checkCase {
		return checkCase{name: name, check: JSONInterop(), ex: jsonAnswer(spec, body), want: CheckPassed}
	}
	bad := func(name, body, pointer, fragment string) checkCase {
		return checkCase{name: name, check: JSONInterop(), ex: jsonAnswer(spec, body), want: CheckFailed,
			pointer: pointer, fragment: fragment, findings: 1}
	}
	skipped := func(name string, ex *Exchange, fragment string) checkCase {
		return checkCase{name: name, check: JSONInterop(), ex: ex, want: CheckSkipped, fragment: fragment}
	}
	truncated := jsonAnswer(spec, `{"a":1,"a":2`)
	truncated.Response.Truncated = true
	runCheckCases(t, []checkCase{
		ok("a valid answer", validProfile),
		ok("equal names in different objects", `{"a":{"id":1},"b":{"id":1},"c":[{"id":1},{"id":2}]}`),
		ok("a surrogate pair", `{"s":"\ud83d\ude00 \uD83D\uDE00"}`),
		ok("UTF-8 text", "{\"s\":\"Zoë 👋🏼 日本\"}"),
		ok("exactly 2^53", `{"n":9007199254740992}`),
		ok("exactly -2^53", `{"n":-9007199254740992}`),
		ok("an integer past 2^53 written as a double", `{"n":9007199254740993.0,"m":1e20,"o":-1.5e300}`),
		ok("a double that underflows", `{"n":1e-400}`),

		bad("a member name repeated at depth", `{"user_profile":{"user_id":4,"name":"a","user_id":5}}`,
			"/user_profile/user_id", "the body is ambiguous"),
		bad("a member name repeated inside an array", `{"users":[{"id":1},{"id":2,"id":2}]}`, "/users/1/id", `"id"`),
		bad("a member name repeated through an escape", `{"ab":1,"a\u0062":2}`, "/ab", "appears more than once"),
		bad("a member name repeated past 16 members",
			`{"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0,"j":0,"k":0,"l":0,"m":0,"n":0,"o":0,"p":0,"q":0,"r":0,"s":0,"b":1}`,
			"/b", "appears more than once"),
		bad("a byte that is not UTF-8", "{\"user\":{\"name\":\"Zo\xebe\"}}", "/user/name", "not UTF-8"),
		bad("a member name that is not UTF-8", "{\"n\xff\":1}", "/n\uFFFD", "not UTF-8"),
		bad("a lone high surrogate", `{"s":"\ud800"}`, "/s", `unpaired surrogate escape \ud800`),
		bad("a high surrogate before another escape", `{"s":["x\uD800\u0041"]}`, "/s/0", `\uD800`),
		bad("a high surrogate at the end of the body's last string", `["\udbff"]`, "/0", "unpaired surrogate"),
		bad("a lone low surrogate", `{"s":"\udc00x"}`, "/s", `\udc00`),
		bad("2^53+1", `{"user_id":9007199254740993}`, "/user_id", "beyond ±2^53"),
		bad("-2^53-1", `{"user_id":-9007199254740993}`, "/user_id", "beyond ±2^53"),
		bad("a 20-digit integer", `{"ids":[1,12345678901234567890]}`, "/ids/1", "of 20 digits"),
		bad("a big integer as the whole body", `9007199254740993`, "", "(body)"),
		bad("a number beyond a double", `{"n":-1e400}`, "/n", "range of a double"),
		{name: "every kind at once", check: JSONInterop(), want: CheckFailed, findings: 4, pointer: "/a",
			ex: jsonAnswer(spec, "{\"a\":1,\"a\":\"\xff\",\"b\":\"\\udfff\",\"c\":99999999999999999}")},

		skipped("a body that is not JSON by its Content-Type",
			exchangeFor(spec, "get_profile", 200, `{"a":1,"a":2}`, "Content-Type", "text/html"), "content_type_conformance"),
		skipped("no Content-Type", exchangeFor(spec, "get_profile", 200, `{"a":1,"a":2}`), "not JSON by its Content-Type"),
		skipped("JSON by its Content-Type but not JSON text", jsonAnswer(spec, `{"a":1,"a":2,}`), "response_schema_conformance"),
		skipped("a bad escape", jsonAnswer(spec, `{"s":"\x"}`), "not JSON text"),
		skipped("an empty body", jsonAnswer(spec, " "), "no body"),
		skipped("a body cut at the size cap", truncated, "size cap"),
		{name: "a +json media type is JSON", check: JSONInterop(), want: CheckFailed, pointer: "/a",
			ex: exchangeFor(spec, "get_profile", 200, `{"a":1,"a":2}`, "Content-Type", "application/problem+json; charset=utf-8")},
	})
}

// The checks and the specs read a body with a repeated member name one way:
// the last member, in the schema check (kin-openapi and fastschema), the
// undeclared-field walk, the gjson matchers and the decoding checks alike.
// Before the shared reading, gjson took the first and kin the last.
func TestEveryReaderTakesTheSameMember(t *testing.T) {
	spec := loadCheckSpec(t)
	g := gomega.NewWithT(t)
	// The schema documents user_id as an integer: the first member is a
	// string, the last an integer.
	lastValid := strings.Replace(validProfile, `"user_id":4`, `"user_id":"four","user_id":4`, 1)
	lastInvalid := strings.Replace(validProfile, `"user_id":4`, `"user_id":4,"user_id":"four"`, 1)

	ex := okProfile(spec, lastValid)
	results := Verify(ex, StandardChecks(true)...)
	for _, r := range results {
		switch {
		case r.Name == CheckJSONInterop:
			if r.Status != CheckFailed || !hasPointer(r, "/user_profile/user_id") || !resultMentions(r, "ambiguous") {
				t.Errorf("json_interop: %+v", r)
			}
		case r.Status != CheckPassed:
			t.Errorf("%s reads another member than the last: %+v", r.Name, r)
		}
	}
	g.Expect(ex).To(HaveJSON("user_profile.user_id", gomega.Equal(4.0)))
	if v, ok := ex.Response.JSONValue(); !ok || v.(map[string]any)["user_profile"].(map[string]any)["user_id"] != jsonNumber("4") {
		t.Errorf("the shared decode reads %v", v)
	}
	if f := ContainsJSONValue("user_profile.user_id", 4)(ex); f != nil {
		t.Errorf("ContainsJSONValue reads another member: %+v", f)
	}

	bad := okProfile(spec, lastInvalid)
	schema := Verify(bad, ResponseSchemaConformance(false))[0]
	if schema.Status != CheckFailed || !hasPointer(schema, "/user_profile/user_id") {
		t.Errorf("the schema check does not read the last member: %+v", schema)
	}
	g.Expect(bad).To(HaveJSON("user_profile.user_id", gomega.Equal("four")))
	if f := ContainsJSONValue("user_profile.user_id", 4)(bad); f == nil {
		t.Error("ContainsJSONValue reads the first member")
	}
	if got, skip := MethodEquivalence(okProfile(spec, strings.Replace(validProfile, `"user_id":4`, `"user_id":"four"`, 1))).Run(bad); got != nil || skip != "" {
		t.Errorf("method_equivalence reads another member: %+v %q", got, skip)
	}
}

func jsonNumber(s string) any {
	v, _ := decodeJSON([]byte(s))
	return v
}

// The members a repeated name overrides are left out of the reading, nested
// ones too, and nothing else changes.
func TestJSONTextLeavesOutOverriddenMembers(t *testing.T) {
	cases := map[string]string{
		`{"a":1,"b":2}`:                `{"a":1,"b":2}`,
		`{"a":1,"a":2}`:                `{"a":2}`,
		`{ "a" : 1 , "b":0, "a" : 2 }`: `{ "b":0, "a" : 2 }`,
		`{"a":1,"a":2,"a":3}`:          `{"a":3}`,
		`[{"x":{"y":1,"y":2},"x":{"z":[{"q":1,"q":2}]}}]`: `[{"x":{"z":[{"q":2}]}}]`,
		"{\"a\":\"\xff\",\"a\":null}":                     `{"a":null}`,
		`{"a":1,"a":2`:                                    `{"a":1,"a":2`, // not JSON: read as it is
	}
	for in, want := range cases {
		r := &Response{Body: []byte(in)}
		if got := string(r.JSONText()); got != want {
			t.Errorf("%q: read as %q, want %q", in, got, want)
		}
	}
	// The reading follows the body when a check replaces or cuts it.
	r := &Response{Body: []byte(`{"a":1,"a":2}`)}
	_ = r.JSONText()
	r.Body = r.Body[:7]
	if got := string(r.JSONText()); got != `{"a":1,` {
		t.Errorf("a cut body is read as %q", got)
	}
}

// The schema check judges a JSON body with kin-openapi's VisitJSON on the
// shared decode; that must find exactly what ValidateResponse, which decodes
// the body itself, finds on every documented example and its mutants.
func TestSharedDecodeJudgesAsValidateResponse(t *testing.T) {
	for i, c := range contractCases(t, true) {
		if testing.Short() && i%5 != 0 {
			continue
		}
		body := c.ex.Response.Body
		if jsonSyntaxFinding(body) != nil {
			continue // the schema check stops before kin
		}
		resp := documentedResponse(c.ex.Op, c.ex.Response.Status)
		mt := resp.Content.Get("application/json")
		input := responseValidationInput(c.ex, &openapi3.Response{Content: resp.Content})
		input.Header.Set("Content-Type", "application/json")
		want := schemaFindings(openapi3filter.ValidateResponse(context.Background(), input))
		got := schemaFindings(validateBody(c.ex, resp, "application/json", mt))
		sortFindings(want)
		sortFindings(got)
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s:\nValidateResponse: %v\nshared decode:    %v", c.name, want, got)
		}
	}
}

func sortFindings(f []Finding) {
	slices.SortFunc(f, func(a, b Finding) int { return strings.Compare(a.Pointer+a.Message, b.Pointer+b.Message) })
}

// FuzzJSONReading: the scanner accepts exactly what encoding/json accepts,
// and the reading it makes decodes to what encoding/json decodes from the
// body itself (the last of equal names wins in both), so leaving members out
// never changes what the schema check judged before. `go test` runs the
// seeds; `go test -fuzz FuzzJSONReading` searches further.
func FuzzJSONReading(f *testing.F) {
	for _, seed := range []string{
		validProfile, `{"a":1,"a":2}`, `{"a":{"b":1,"b":[1,{"c":1,"c":2}]},"a":{"b":3}}`, `[1,2,{"x":"\ud800"}]`,
		"{\"a\xff\":1,\"a\xfe\":2}", `{"a":1,"\u0061":2, "b" : [ ] , "b":{}}`, `{"a":1,}`, `[1,]`, `01`, `-`, `1.`, `1e`,
		`"\u12"`, `{"a" 1}`, `{"a":1 "b":2}`, ` true `, `nul`, `[[[[]]]]`, `{"":1,"":2}`, `9007199254740993`, `-0.0e-0`,
		"\"\t\"", `{"a":"\""}`, "[1]x", `1e400`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if CheckJSONDepth(data, MaxJSONDepth) != nil {
			return
		}
		rd := readBody(data)
		if rd.json != json.Valid(data) {
			t.Fatalf("%q: the scanner says JSON=%v, encoding/json %v", data, rd.json, !rd.json)
		}
		if !rd.json || bytes.Equal(rd.text, data) {
			return
		}
		want, ok1 := decodeJSON(data)
		got, ok2 := decodeJSON(rd.text)
		if !ok1 || !ok2 {
			t.Fatalf("%q: decodes %v, its reading %q %v", data, ok1, rd.text, ok2)
		}
		if ptr, eq := jsonDiff(want, got, nil); !eq {
			t.Fatalf("%q: its reading %q differs at %q", data, rd.text, ptr)
		}
		if !json.Valid(rd.text) {
			t.Fatalf("%q: the reading %q is not JSON", data, rd.text)
		}
	})
}

// The checks of an exchange share one reading, made by the first of them:
// the schema check (strict, so it decodes), json_interop, the matchers and
// the decoding checks all leave the same reading and the same decode behind.
func TestChecksOfAnExchangeShareOneReading(t *testing.T) {
	spec := loadCheckSpec(t)
	ex := okProfile(spec, strings.Replace(validProfile, `"success":true`, `"success":true,"extra":1`, 1))
	Verify(ex, StandardChecks(true)...)
	rd := ex.Response.read
	if rd == nil || !rd.decoded {
		t.Fatalf("the strict schema check did not decode the shared reading: %+v", rd)
	}
	value := rd.value.(map[string]any)
	gomega.NewWithT(t).Expect(ex).To(HaveJSON("extra", gomega.Equal(1.0)))
	Verify(ex, IgnoredAuth(""), PaginationConformance(1, 0), MethodEquivalence(ex))
	again, _ := ex.Response.JSONValue()
	if ex.Response.read != rd || reflect.ValueOf(again).Pointer() != reflect.ValueOf(value).Pointer() {
		t.Error("a later check read the body again")
	}
}

// A body the reading takes as JSON is shallow enough for gjson: the depth
// guard trusts it instead of scanning the body a second time.
func TestReadingStopsWhereTheDepthGuardDoes(t *testing.T) {
	for _, n := range []int{MaxJSONDepth - 1, MaxJSONDepth, MaxJSONDepth + 1} {
		for _, open := range []string{"[", `{"a":`} {
			closing := "]"
			if open != "[" {
				closing = "}"
			}
			body := []byte(strings.Repeat(open, n) + "1" + strings.Repeat(closing, n))
			shallow := CheckJSONDepth(body, MaxJSONDepth) == nil
			r := &Response{Body: body}
			if r.reading().json != shallow || (r.depthError() == nil) != shallow {
				t.Errorf("%d levels of %s: read as JSON %v, depth error %v; CheckJSONDepth says shallow=%v",
					n, open, r.reading().json, r.depthError(), shallow)
			}
		}
	}
}

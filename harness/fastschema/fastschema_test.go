package fastschema_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness/fastschema"
	"github.com/getkin/kin-openapi/openapi3"
)

// kinValid is what openapi3filter.ValidateResponse does with a JSON body once
// the harness let it through (non-empty, valid UTF-8, json.Valid): decode with
// json.Number, then VisitJSON as a response with the harness's options.
func kinValid(s *openapi3.Schema, body []byte) bool {
	if len(bytes.TrimSpace(body)) == 0 || !utf8.Valid(body) || !json.Valid(body) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false
	}
	return s.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors(), openapi3.DisableSchemaErrorDetails()) == nil
}

// handSchemas exercise every keyword the fast path judges, and some it must
// refuse (oneOf, not, uniqueItems, multipleOf, writeOnly, discriminator).
const handSchemas = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    JNull: {type: object, nullable: true, enum: [null]}
    Short:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, format: int64, minimum: 1}
        name: {type: string, minLength: 2, maxLength: 5}
        tag: {type: string, pattern: '^[a-z\u00E9]+$', nullable: true}
        when: {type: string, format: date-time}
        data: {type: string, format: byte}
        score: {type: number, minimum: 0, maximum: 10, exclusiveMaximum: true}
        kind: {type: string, enum: [a, b]}
        flag: {type: integer, enum: [0, 1]}
        ok: {type: boolean}
        any: {}
    Wrapper:
      type: object
      required: [user, list]
      properties:
        user:
          anyOf:
            - $ref: '#/components/schemas/Short'
            - $ref: '#/components/schemas/JNull'
        list:
          type: array
          minItems: 1
          maxItems: 3
          items: {$ref: '#/components/schemas/Short'}
        more:
          allOf:
            - $ref: '#/components/schemas/Short'
            - type: object
              properties:
                extra: {type: integer, format: int32}
              required: [extra]
    Closed:
      type: object
      additionalProperties: false
      minProperties: 2
      maxProperties: 3
      properties:
        a: {type: integer}
        b: {type: integer}
        c: {type: integer}
    MapOf:
      type: object
      additionalProperties: {type: integer, nullable: true}
    Choice:
      anyOf:
        - required: [x]
        - required: [y]
      properties:
        x: {type: string}
        y: {type: integer}
    One:
      oneOf:
        - {type: string}
        - {type: integer}
    Not:
      not: {type: string}
    Unique: {type: array, uniqueItems: true, items: {type: integer}}
    Multiple: {type: number, multipleOf: 0.5}
    WO:
      type: object
      properties:
        secret: {type: string, writeOnly: true}
    Tree:
      type: object
      properties:
        kids: {type: array, items: {$ref: '#/components/schemas/Tree'}}
        v: {type: integer}
    Num: {type: number}
    Int: {type: integer}
    Str: {type: string}
    Empty: {}
    NullableEmpty: {nullable: true}
`

func loadSchemas(t testing.TB, data []byte) map[string]*openapi3.Schema {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*openapi3.Schema{}
	for name, ref := range doc.Components.Schemas {
		out[name] = ref.Value
	}
	return out
}

// contractSchemas are the JSON response schemas of the embedded contract,
// keyed "<operationId> <status>".
func contractSchemas(t testing.TB) map[string]*openapi3.Schema {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*openapi3.Schema{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for status, ref := range op.Responses.Map() {
				if mt := ref.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					out[op.OperationID+" "+status] = mt.Schema.Value
				}
			}
		}
	}
	return out
}

var handBodies = []string{
	`{"id":1,"name":"ab"}`, `{"id":1.0,"name":"ab"}`, `{"id":1.5,"name":"ab"}`, `{"id":0,"name":"ab"}`,
	`{"id":-0,"name":"ab"}`, `{"id":1e0,"name":"ab"}`, `{"id":1e400,"name":"ab"}`, `{"id":9223372036854775807,"name":"ab"}`,
	`{"id":9223372036854775808,"name":"ab"}`, `{"id":99999999999999999999,"name":"ab"}`, `{"id":"1","name":"ab"}`,
	`{"id":1,"name":"a"}`, `{"id":1,"name":"abcdef"}`, `{"id":1,"name":"ééééé"}`, `{"id":1,"name":"éééééé"}`,
	`{"id":1,"name":"\u00e9\u00e9"}`, `{"id":1,"name":"😀😀"}`, `{"id":1,"name":"\ud83d\ude00\ud83d\ude00"}`,
	`{"id":1,"name":"a\ud800"}`, `{"id":1,"name":"ab\udc00"}`, `{"id":1,"name":"ab","tag":null}`, `{"id":1,"name":"ab","tag":"abé"}`,
	`{"id":1,"name":"ab","tag":"AB"}`, `{"id":1,"name":"ab","when":"2021-04-04T10:00:00Z"}`, `{"id":1,"name":"ab","when":"2021-02-30T10:00:00Z"}`,
	`{"id":1,"name":"ab","when":"yesterday"}`, `{"id":1,"name":"ab","data":"U3dhZ2dlcg=="}`, `{"id":1,"name":"ab","data":"%%"}`,
	`{"id":1,"name":"ab","score":10}`, `{"id":1,"name":"ab","score":9.99}`, `{"id":1,"name":"ab","score":-0}`, `{"id":1,"name":"ab","score":-1e-300}`,
	`{"id":1,"name":"ab","kind":"a"}`, `{"id":1,"name":"ab","kind":"c"}`, `{"id":1,"name":"ab","kind":null}`,
	`{"id":1,"name":"ab","flag":1}`, `{"id":1,"name":"ab","flag":1.0}`, `{"id":1,"name":"ab","flag":2}`, `{"id":1,"name":"ab","flag":"1"}`,
	`{"id":1,"name":"ab","ok":true}`, `{"id":1,"name":"ab","ok":"true"}`, `{"id":1,"name":"ab","any":null}`, `{"id":1,"name":"ab","any":[{"z":[]}]}`,
	`{"id":1,"name":"ab","id":2}`, `{"id":1,"name":"ab","id":"x"}`, `{"id":"x","name":"ab","id":1}`, `{"id":1,"name":"ab","zz":1,"zz":2}`,
	`{"i\u0064":1,"name":"ab"}`, `{"id":1,"n\u0061me":"ab","\u007a":0}`, `{"id":1}`, `{}`, `[]`, `null`, `1`, `"x"`, `true`,
	`{"user":null,"list":[{"id":1,"name":"ab"}]}`, `{"user":{"id":1,"name":"ab"},"list":[{"id":1,"name":"ab"}]}`,
	`{"user":{"id":1},"list":[{"id":1,"name":"ab"}]}`, `{"user":null,"list":[]}`, `{"user":null,"list":[{"id":1,"name":"ab"},{"id":1,"name":"ab"},{"id":1,"name":"ab"},{"id":1,"name":"ab"}]}`,
	`{"user":null,"list":[{"id":1,"name":"ab"}],"more":{"id":1,"name":"ab","extra":2147483647}}`,
	`{"user":null,"list":[{"id":1,"name":"ab"}],"more":{"id":1,"name":"ab","extra":2147483648}}`,
	`{"user":null,"list":[{"id":1,"name":"ab"}],"more":{"id":1,"name":"ab"}}`, `{"user":null,"list":[{"id":1,"name":"ab"}],"more":null}`,
	`{"a":1,"b":2}`, `{"a":1}`, `{"a":1,"b":2,"c":3}`, `{"a":1,"b":2,"d":3}`, `{"a":1,"a":2}`, `{"a":1,"a":2,"b":3}`,
	`{"k":1,"j":null}`, `{"k":1.5}`, `{"k":"1"}`, `{"x":"s"}`, `{"y":1}`, `{"y":"s"}`, `{"z":1}`,
	`"s"`, `1.0`, `[1,2]`, `[1,1]`, `0.5`, `0.75`, `{"secret":"x"}`, `{"secret":null}`, `{}`,
	`{"kids":[{"kids":[{"v":1}]}],"v":2}`, `{"kids":[{"kids":[{"v":"1"}]}]}`,
	`-0`, `-0.0`, `1E+2`, `1e-400`, `1e400`, `-1e1000`, `[1e400]`, `{"x":1e400}`, `01`, `1.`, `.5`, `-`, `+1`, `NaN`, `Infinity`, `0x10`,
	"\ufeff{}", `{} x`, `{}}`, ``, ` `, "\t{\n}\r\n", `{"a":1,}`, `[1,]`, `{"a" 1}`, `{'a':1}`, "\"a\tb\"", `"\x"`, `"\u12"`,
	"\"\xff\"", "\"\xc3\"", "{\"\xe9\":1}", `"a\u0000b"`, `"\/"`,
}

// judge runs both validators on body and fails the test when the fast path
// says valid and kin does not.
func judge(t *testing.T, name string, s *openapi3.Schema, body []byte) (fast, kin bool) {
	t.Helper()
	fast, kin = fastschema.Valid(s, body), kinValid(s, body)
	if fast && !kin {
		t.Errorf("UNSOUND: %s: fast path says valid, kin says invalid: %q", name, body)
	}
	// The same walk's answer for strict mode is never surer than
	// Declared's own walk (harness/fastverdict_test.go compares both
	// with the walk on decoded values).
	if v := fastschema.For(s).Judge(body); v.Valid != fast || v.Valid && v.Declared && !fastschema.DeclaredFor(s).None(body) {
		t.Errorf("%s: Judge says %+v, Valid %v, Declared.None %v: %q", name, v, fast, fastschema.DeclaredFor(s).None(body), body)
	}
	sameCoverage(t, name, s, body)
	return fast, kin
}

// sameCoverage: where the walk says it marked the coverage of a valid body,
// it marked what Observe marks. It reports whether the walk was sure.
func sameCoverage(t *testing.T, name string, s *openapi3.Schema, body []byte) bool {
	t.Helper()
	cov := fastschema.CoverageFor(s)
	walked := cov.NewSeen()
	v := fastschema.For(s).JudgeCovering(body, cov, walked)
	if !v.Valid || !v.Covered {
		return false
	}
	observed := cov.NewSeen()
	cov.Observe(body, observed, nil)
	if !slices.Equal(walked, observed) {
		var diff []string
		for i, id := range cov.IDs() {
			if walked.Has(i) != observed.Has(i) {
				diff = append(diff, fmt.Sprintf("%s walk %v observe %v", id, walked.Has(i), observed.Has(i)))
			}
		}
		t.Errorf("%s: the walk's coverage is not Observe's: %v: %q", name, diff, body)
	}
	return true
}

func TestHandSchemas(t *testing.T) {
	schemas := loadSchemas(t, []byte(handSchemas))
	names := make([]string, 0, len(schemas))
	for n := range schemas {
		names = append(names, n)
	}
	slices.Sort(names)
	agree, conservative := 0, 0
	for _, n := range names {
		for _, b := range handBodies {
			fast, kin := judge(t, n, schemas[n], []byte(b))
			if fast == kin {
				agree++
			} else {
				conservative++
				if testing.Verbose() {
					t.Logf("not sure: %s %s", n, b)
				}
			}
		}
	}
	t.Logf("%d verdicts agree, %d valid bodies left to kin (not sure)", agree, conservative)
	// The fast path must actually judge what it claims to support.
	for _, c := range []struct{ schema, body string }{
		{"Short", `{"id":1,"name":"ab","tag":"abé","when":"2021-04-04T10:00:00Z","score":9.5,"kind":"b","flag":1,"ok":false,"any":{"q":[1]}}`},
		{"Wrapper", `{"user":null,"list":[{"id":1,"name":"ab"}],"more":{"id":1,"name":"ab","extra":7}}`},
		{"Wrapper", `{"user":{"id":3,"name":"abc"},"list":[{"id":1,"name":"ab"}]}`},
		{"Closed", `{"a":1,"c":2}`}, {"MapOf", `{"x":1,"y":null}`}, {"Choice", `{"y":2}`},
		{"Tree", `{"kids":[{"kids":[{"v":1}]}],"v":2}`}, {"NullableEmpty", `null`}, {"Empty", `[1,{"a":null}]`},
	} {
		if !fastschema.Valid(schemas[c.schema], []byte(c.body)) {
			t.Errorf("%s: the fast path does not accept %s", c.schema, c.body)
		}
	}
	// ...and refuses what it does not.
	for _, n := range []string{"One", "Not", "Unique", "Multiple"} {
		for _, b := range []string{`"s"`, `1`, `[1,2]`, `0.5`} {
			if fastschema.Valid(schemas[n], []byte(b)) {
				t.Errorf("%s is not supported, yet the fast path judged %s valid", n, b)
			}
		}
	}
	if fastschema.Valid(schemas["WO"], []byte(`{"secret":"x"}`)) {
		t.Error("a writeOnly property in a response was judged valid")
	}
}

// TestEdgeCases: inputs that break naive scanners. None may be judged valid
// unless kin agrees, none may crash or overflow the stack.
func TestEdgeCases(t *testing.T) {
	schemas := contractSchemas(t)
	hand := loadSchemas(t, []byte(handSchemas))
	deep := func(open, close string, n int) []byte {
		return []byte(strings.Repeat(open, n) + strings.Repeat(close, n))
	}
	edge := map[string][]byte{
		"empty":                {},
		"spaces":               []byte("  \n\t "),
		"bom":                  []byte("\ufeff{\"success\":true}"),
		"trailing garbage":     []byte(`{"success":true} {}`),
		"trailing comma":       []byte(`{"success":true,}`),
		"invalid utf-8":        []byte("{\"success\":true,\"x\":\"\xff\xfe\"}"),
		"overlong utf-8":       []byte("{\"x\":\"\xc0\xaf\"}"),
		"surrogate in utf-8":   []byte("{\"x\":\"\xed\xa0\x80\"}"),
		"lone high surrogate":  []byte(`{"x":"\ud800"}`),
		"big number":           []byte(`{"success":true,"x":1e400}`),
		"huge integer":         []byte(`{"success":true,"x":123456789012345678901234567890}`),
		"negative zero":        []byte(`{"success":true,"x":-0}`),
		"duplicate keys":       []byte(`{"success":true,"success":false}`),
		"duplicate undeclared": []byte(`{"success":true,"x":1,"x":2}`),
		"deep arrays":          deep("[", "]", 100000),
		"deep objects":         []byte(strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)),
		"deep within limit":    deep("[", "]", 400),
		"nul byte":             []byte("{\"success\":true}\x00"),
		"control in string":    []byte("{\"x\":\"a\nb\"}"),
		"escaped key":          []byte(`{"succ\u0065ss":true}`),
	}
	names := make([]string, 0, len(schemas))
	for n := range schemas {
		names = append(names, n)
	}
	slices.Sort(names)
	for en, body := range edge {
		for _, n := range names {
			judge(t, n+" / "+en, schemas[n], body)
		}
		for hn, s := range hand {
			judge(t, hn+" / "+en, s, body)
		}
	}
	// Duplicate names are refused everywhere, even where nothing is judged:
	// kin's decoder refuses them when built with GOEXPERIMENT=jsonv2.
	for _, b := range []string{`{"a":1,"a":2}`, `[{"x":{"a":1,"a":2}}]`, `{"a":1,"\u0061":2}`} {
		if fastschema.Valid(hand["Empty"], []byte(b)) {
			t.Errorf("%s: a duplicate name taken as certainly valid", b)
		}
	}
	// Depth: kin's decoder and VisitJSON take 400 levels; the fast path too.
	if !fastschema.Valid(hand["Empty"], deep("[", "]", 400)) {
		t.Error("400 nested arrays under {} should validate on the fast path")
	}
	if fastschema.Valid(hand["Empty"], deep("[", "]", 100000)) {
		t.Error("100000 nested arrays: the fast path must give up, not judge")
	}
}

// FuzzFastSchema: on arbitrary input, the fast path never says valid when
// kin-openapi says invalid. Schemas: a few of the contract's and the
// hand-written ones; the seed corpus is their valid bodies and the edge cases.
func FuzzFastSchema(f *testing.F) {
	contract := contractSchemas(f)
	hand := loadSchemas(f, []byte(handSchemas))
	var schemas []*openapi3.Schema
	var labels []string
	for _, n := range []string{"get_channels 200", "me 200", "get_profile 200", "join_channel 200", "search_users 200", "start_phone_number_auth 200", "get_following 200"} {
		if s, ok := contract[n]; ok {
			schemas = append(schemas, s)
			labels = append(labels, n)
		}
	}
	for _, n := range []string{"Short", "Wrapper", "Closed", "MapOf", "Choice", "Tree"} {
		schemas = append(schemas, hand[n])
		labels = append(labels, n)
	}
	for i := range schemas {
		for _, b := range handBodies {
			f.Add(uint8(i), []byte(b))
		}
	}
	for _, ex := range contractExamples(f) {
		for i := range schemas {
			f.Add(uint8(i), ex)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		i := int(which) % len(schemas)
		judge(t, labels[i], schemas[i], body)
	})
}

// contractExamples are the contract's response examples as JSON bodies.
func contractExamples(t testing.TB) [][]byte {
	doc, err := openapi3.NewLoader().LoadFromData(chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, ref := range op.Responses.Map() {
				mt := ref.Value.Content.Get("application/json")
				if mt == nil {
					continue
				}
				for _, ex := range mt.Examples {
					if ex.Value != nil {
						if b, err := json.Marshal(ex.Value.Value); err == nil {
							out = append(out, b)
						}
					}
				}
			}
		}
	}
	return out
}

func TestContractExamplesTakeTheFastPath(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status, ref := range op.Responses.Map() {
				mt := ref.Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil {
					continue
				}
				for name, ex := range mt.Examples {
					body, _ := json.Marshal(ex.Value.Value)
					fast, kin := judge(t, fmt.Sprintf("%s %s %s %s", method, path, status, name), mt.Schema.Value, body)
					if kin && !fast {
						t.Errorf("%s %s %s example %s validates but the fast path is not sure: %s", method, path, status, name, body)
					}
					n++
				}
			}
		}
	}
	t.Logf("%d contract examples", n)
}

// patternCases: the contract's patterns and some with every construct the
// DFA handles or refuses.
var patternCases = []string{
	`^[0-9]+$`, `^[A-Za-z0-9]+$`,
	`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?[+-][0-9]{2}:[0-9]{2}$`,
	`[a-c]+`, `^a|b$`, `(?i)^abc$`, `^$`, `x*`, `^\d{2,3}(px|em)?$`, `\bword\b`, `(?m)^a$`, `^[^@]+@[^@<>",\s]+$`,
	`^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12})$`, `a.c`, `(?s)a.c`, `\x{e9}`,
}

var patternInputs = []string{
	"", "a", "abc", "ABC", "12", "123", "1234", "12px", "12pt", "2021-04-04T10:00:00+00:00", "2021-04-04T10:00:00.123+00:00",
	"2021-04-04T10:00:00Z", "2021-04-04T10:00:00+00:00\n", "\n", "a\nc", "abc\n", "xword y", "wordy", "é", "aé", "a@b.c", "a@@b",
	"12345678-1234-1234-8234-123456789abc", "xjXqoW1A", "xjX-qoW1A", " 1", "1 ", "-1", "b", "ab", "ba", "a\x00c",
}

func TestPatternDFA(t *testing.T) {
	for _, expr := range patternCases[:3] { // the contract's
		if !fastschema.HasDFA(expr) {
			t.Errorf("%q does not run on the DFA", expr)
		}
	}
	for _, expr := range []string{`\bword\b`, `(?m)^a$`} {
		if fastschema.HasDFA(expr) {
			t.Errorf("%q has assertions the DFA does not handle", expr)
		}
	}
	for _, expr := range patternCases {
		p, err := fastschema.CompilePattern(expr)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(expr)
		for _, in := range patternInputs {
			if got, want := p.MatchString(in), re.MatchString(in); got != want {
				t.Errorf("%q on %q: DFA %v, regexp %v", expr, in, got, want)
			}
		}
	}
}

func FuzzPatternDFA(f *testing.F) {
	for i := range patternCases {
		for _, in := range patternInputs {
			f.Add(uint8(i), in)
		}
	}
	pats := make([]*regexp.Regexp, len(patternCases))
	for i, e := range patternCases {
		pats[i] = regexp.MustCompile(e)
	}
	f.Fuzz(func(t *testing.T, which uint8, in string) {
		i := int(which) % len(patternCases)
		p, _ := fastschema.CompilePattern(patternCases[i])
		if got, want := p.MatchString(in), pats[i].MatchString(in); got != want {
			t.Errorf("%q on %q: DFA %v, regexp %v", patternCases[i], in, got, want)
		}
	})
}

// TestPlainEnd: the eight-bytes-at-a-time scans stop where the byte loops
// do, for every byte value at every place of a run, from every start.
func TestPlainEnd(t *testing.T) {
	plainEnd := func(d []byte, j int) int {
		for j < len(d) && d[j] >= 0x20 && d[j] < 0x80 && d[j] != '"' && d[j] != '\\' {
			j++
		}
		return j
	}
	quoteOrBackslash := func(d []byte, j int) int {
		for j < len(d) && d[j] != '"' && d[j] != '\\' {
			j++
		}
		return j
	}
	for c := range 256 {
		for at := range 24 {
			for _, fill := range []byte{'a', ' ', '~', '!', '#', '[', ']', 0, 0x1f, 0x80, 0xff} {
				d := bytes.Repeat([]byte{fill}, 24)
				d[at] = byte(c)
				for start := range 10 {
					if got, want := fastschema.PlainEnd(d, start), plainEnd(d, start); got != want {
						t.Fatalf("PlainEnd: byte %#x at %d in %#x from %d: %d, want %d", c, at, fill, start, got, want)
					}
					if got, want := fastschema.QuoteOrBackslash(d, start), quoteOrBackslash(d, start); got != want {
						t.Fatalf("QuoteOrBackslash: byte %#x at %d in %#x from %d: %d, want %d", c, at, fill, start, got, want)
					}
				}
			}
		}
	}
}

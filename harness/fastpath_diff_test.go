package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	chconform "github.com/chconform/chconform"
)

// The fast path of response_schema_conformance (harness/fastschema) must
// never change a verdict or a finding. These tests run the check twice on
// every documented example of the contract and on mutants of each (every
// field dropped, nulled, retyped, every string and number pushed out of its
// enum, pattern, format or bounds, objects given undeclared and duplicate
// keys, arrays emptied and grown), once with the fast path and once with
// kin-openapi alone, and require the same results, strict mode included.

// mutantValues replace one value of an example.
var mutantValues = []string{
	`null`, `true`, `false`, `0`, `-0`, `1`, `-1`, `1.5`, `1e400`, `123456789012345678901`, `9223372036854775807`,
	`""`, `"x"`, `"` + strings.Repeat("é", 300) + `"`, `"2021-04-04T10:00:00Z"`, `"2021-04-04T10:00:00+00:00"`,
	`"not-a-date"`, `"12a"`, `"\u0000"`, `"\ud83d\ude00"`, `[]`, `{}`, `[null]`, `{"x":1}`,
}

type mutant struct {
	name string
	body []byte
}

// mutants lists the variants of the JSON value v.
func mutants(v any) []mutant {
	var out []mutant
	add := func(name string, doc any) {
		b, err := json.Marshal(doc)
		if err == nil {
			out = append(out, mutant{name, b})
		}
	}
	var walk func(path string, cur any, set func(any) any)
	walk = func(path string, cur any, set func(any) any) {
		for _, r := range mutantValues {
			add(path+"="+r, set(json.RawMessage(r)))
		}
		switch c := cur.(type) {
		case string:
			for _, s := range []string{c + "é", c + " ", strings.ToUpper(c), "x" + c, c + c, strings.TrimSpace(c[:len(c)/2])} {
				add(path+"=~"+strconv.Quote(s), set(s))
			}
		case float64:
			for _, f := range []float64{c + 0.5, -c, c * 1e20, c + 1, c - 1, 0} {
				add(path+fmt.Sprintf("=%g", f), set(f))
			}
		case []any:
			add(path+"=[]", set([]any{}))
			if len(c) > 0 {
				add(path+"+dup", set(append(slices.Clone(c), c[0])))
			}
			add(path+"+\"x\"", set(append(slices.Clone(c), "x")))
			for i, e := range c {
				if i >= 2 { // the first elements are enough: items share one schema
					break
				}
				walk(path+"/"+strconv.Itoa(i), e, func(nv any) any {
					cp := slices.Clone(c)
					cp[i] = nv
					return set(cp)
				})
			}
		case map[string]any:
			add(path+"+undeclared", set(withKey(c, "zz_undeclared", 1)))
			keys := make([]string, 0, len(c))
			for k := range c {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				cp := withKey(c, "", nil)
				delete(cp, k)
				add(path+"/"+k+" dropped", set(cp))
				walk(path+"/"+k, c[k], func(nv any) any { return set(withKey(c, k, nv)) })
			}
		}
	}
	walk("", v, func(nv any) any { return nv })
	return out
}

func withKey(m map[string]any, k string, v any) map[string]any {
	cp := make(map[string]any, len(m)+1)
	for kk, vv := range m {
		cp[kk] = vv
	}
	if k != "" {
		cp[k] = v
	}
	return cp
}

// rawMutants are byte-level variants: duplicate keys, escapes, framing.
func rawMutants(body []byte) []mutant {
	out := []mutant{
		{"bom", append([]byte("\ufeff"), body...)},
		{"trailing garbage", append(slices.Clone(body), []byte(" x")...)},
		{"trailing value", append(slices.Clone(body), []byte(" {}")...)},
		{"truncated", body[:len(body)/2]},
		{"empty", nil},
		{"whitespace", []byte(" \n")},
		{"invalid utf-8", bytes.Replace(body, []byte(`"`), []byte("\"\xff"), 2)},
		{"surrounding whitespace", append(append([]byte("\n "), body...), '\n')},
	}
	if i := bytes.IndexByte(body, '{'); i >= 0 {
		if j := bytes.IndexByte(body[i:], ','); j > 0 {
			first := body[i+1 : i+j]
			dup := slices.Concat(body[:i+1], first, []byte(","), body[i+1:])
			out = append(out, mutant{"first member duplicated", dup})
			if k := bytes.IndexByte(first, ':'); k > 0 {
				nulled := slices.Concat(body[:i+1], first[:k], []byte(":null,"), body[i+1:])
				out = append(out, mutant{"first key duplicated as null", nulled})
			}
		}
		if k := bytes.Index(body, []byte(`"success"`)); k >= 0 {
			esc := slices.Concat(body[:k], []byte(`"succ\u0065ss"`), body[k+len(`"success"`):])
			out = append(out, mutant{"escaped key", esc})
		}
	}
	return out
}

type diffCase struct {
	ex   *Exchange
	name string
}

// contractCases: every documented JSON example of the contract, with its
// mutants when mutate is set.
func contractCases(t *testing.T, mutate bool) []diffCase {
	spec, err := LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	var out []diffCase
	for _, op := range spec.Operations() {
		for code, ref := range op.Op.Responses.Map() {
			status, err := strconv.Atoi(code)
			if err != nil || ref.Value == nil {
				continue
			}
			mt := ref.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil {
				continue
			}
			names := make([]string, 0, len(mt.Examples))
			for n := range mt.Examples {
				names = append(names, n)
			}
			slices.Sort(names)
			for _, n := range names {
				ex := mt.Examples[n]
				if ex == nil || ex.Value == nil {
					continue
				}
				body, err := json.Marshal(ex.Value.Value)
				if err != nil {
					continue
				}
				variants := []mutant{{"example", body}}
				if mutate {
					variants = append(variants, mutants(ex.Value.Value)...)
					variants = append(variants, rawMutants(body)...)
				}
				for _, m := range variants {
					out = append(out, diffCase{
						name: fmt.Sprintf("%s %d %s: %s", op.ID, status, n, m.name),
						ex: &Exchange{
							Op:       op,
							Request:  Request{Method: op.Method, URL: "http://127.0.0.1/api" + op.Path},
							Response: &Response{Status: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: m.body},
						},
					})
				}
			}
		}
	}
	return out
}

func runSchemaCheck(ex *Exchange, strict, fast bool) ([]Finding, string) {
	defer func(old bool) { useFastSchema = old }(useFastSchema)
	useFastSchema = fast
	return runResponseSchema(ex, strict)
}

func TestFastPathKeepsEveryFinding(t *testing.T) {
	cases := contractCases(t, true)
	var agree, conservative, examples int
	for i, c := range cases {
		// make test takes every seventh body and every example; make
		// test-e2e (not -short) takes them all.
		if testing.Short() && i%7 != 0 && !strings.HasSuffix(c.name, ": example") {
			continue
		}
		mt := documentedResponse(c.ex.Op, c.ex.Response.Status).Content.Get("application/json")
		fast := fastValid(c.ex, c.ex.Response.JSONText(), "application/json", mt)
		want, wantSkip := runSchemaCheck(c.ex, false, false)
		got, gotSkip := runSchemaCheck(c.ex, false, true)
		if !reflect.DeepEqual(want, got) || wantSkip != gotSkip {
			t.Errorf("%s: findings differ\nkin only:  %v %q\nfast path: %v %q", c.name, want, wantSkip, got, gotSkip)
		}
		kinValid := len(want) == 0 && wantSkip == ""
		switch {
		case fast && !kinValid:
			t.Errorf("UNSOUND: %s: the fast path says valid, kin finds %v", c.name, want)
		case fast == kinValid:
			agree++
		default:
			conservative++
			if strings.HasSuffix(c.name, ": example") {
				t.Errorf("%s: a documented example does not take the fast path", c.name)
			} else if testing.Verbose() {
				t.Logf("left to kin although valid: %s", c.name)
			}
		}
		if strings.HasSuffix(c.name, ": example") {
			examples++
		}
		// Strict mode: the undeclared fields are looked for on the fast path too.
		{
			want, wantSkip := runSchemaCheck(c.ex, true, false)
			got, gotSkip := runSchemaCheck(c.ex, true, true)
			if !reflect.DeepEqual(want, got) || wantSkip != gotSkip {
				t.Errorf("%s (strict): findings differ\nkin only:  %v\nfast path: %v", c.name, want, got)
			}
		}
	}
	t.Logf("%d cases (%d documented examples and their mutants): %d verdicts equal to kin's, %d valid bodies left to kin (duplicate keys, escaped names...), 0 unsound",
		len(cases), examples, agree, conservative)
	if conservative*20 > len(cases) {
		t.Errorf("the fast path leaves %d of %d cases to kin although they validate: it has stopped judging something", conservative, len(cases))
	}
}

// TestFastPathVerify: through Verify and the standard checks, results are
// identical with and without the fast path (the examples only: the mutants
// are covered above).
func TestFastPathVerify(t *testing.T) {
	for _, c := range contractCases(t, false) {
		useFastSchema = false
		want := Verify(c.ex, StandardChecks(true)...)
		useFastSchema = true
		got := Verify(c.ex, StandardChecks(true)...)
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s: results differ\nkin only:  %+v\nfast path: %+v", c.name, want, got)
		}
	}
}

package harness

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chconform/chconform/harness/fastschema"
)

// fresh is a copy of ex's exchange with no reading or verdict cached.
func fresh(ex *Exchange) *Exchange {
	cp := *ex
	cp.Response = &Response{Status: ex.Response.Status, Header: ex.Response.Header.Clone(), Body: ex.Response.Body}
	return &cp
}

// judgedWith runs the standard checks and the undeclared-field search on a
// fresh copy of ex, with the fast walk's other answers used or not.
func judgedWith(ex *Exchange, strict, one bool) ([]CheckResult, []byte, []FieldValue, []string) {
	defer func(old bool) { oneWalk = old }(oneWalk)
	oneWalk = one
	e := fresh(ex)
	results := Verify(e, StandardChecks(strict)...)
	var log CoverageLog
	return results, e.Response.JSONText(), UndeclaredFields(e), log.Observe(e)
}

// TestOneWalkKeepsEveryVerdict: the schema check's walk also answers
// whether the body has undeclared fields and whether json_interop has
// anything to report (fastschema.Verdict). On every example of the contract
// and its mutants (undeclared, duplicate and escaped names, integers past
// 2^53, 1e400, invalid UTF-8...), the checks' results, the text they read
// and the undeclared fields are those of the separate walks, and each answer
// is sound where it is given: Declared only where strict mode's walk finds
// nothing, Plain only where the interop scan finds nothing and reads the
// body as it is.
func TestOneWalkKeepsEveryVerdict(t *testing.T) {
	var declared, undeclared, plain, unplain, covered, walkCovered int
	for i, c := range contractCases(t, true) {
		if testing.Short() && i%3 != 0 && !strings.HasSuffix(c.name, ": example") {
			continue
		}
		for _, strict := range []bool{false, true} {
			want, wantText, wantFields, wantCov := judgedWith(c.ex, strict, false)
			got, gotText, gotFields, gotCov := judgedWith(c.ex, strict, true)
			if !slices.Equal(wantCov, gotCov) {
				t.Errorf("%s (strict %v): the coverage differs:\nObserve: %v\nwalk:    %v", c.name, strict, wantCov, gotCov)
			}
			if len(gotCov) > 0 {
				covered++
			}
			if !reflect.DeepEqual(want, got) {
				t.Errorf("%s (strict %v): results differ\nseparate walks: %+v\none walk:       %+v", c.name, strict, want, got)
			}
			if !slices.Equal(wantText, gotText) || !reflect.DeepEqual(wantFields, gotFields) {
				t.Errorf("%s (strict %v): the reading or the undeclared fields differ:\n%q %v\n%q %v", c.name, strict, wantText, wantFields, gotText, gotFields)
			}
		}

		body := c.ex.Response.Body
		mt := documentedResponse(c.ex.Op, c.ex.Response.Status).Content.Get("application/json")
		v := fastschema.For(mt.Schema.Value).Judge(body)
		cov := fastschema.CoverageFor(mt.Schema.Value)
		if v.Valid && cov.Len() > 1 && fastschema.For(mt.Schema.Value).JudgeCovering(body, cov, cov.NewSeen()).Covered {
			walkCovered++
		}
		if v.Valid != fastschema.Valid(mt.Schema.Value, body) {
			t.Errorf("%s: Judge and Valid disagree", c.name)
		}
		if !v.Valid {
			continue
		}
		value, _ := decodeJSON(body)
		var findings []Finding
		walkDeclared([]*openapi3.Schema{mt.Schema.Value}, value, nil, &findings)
		switch {
		case v.Declared && len(findings) > 0:
			t.Errorf("UNSOUND: %s: the walk says every field is declared, strict mode finds %v", c.name, findings)
		case v.Declared:
			declared++
		case len(findings) > 0:
			undeclared++
		}
		rd := readBody(body)
		switch {
		case v.Plain && (!rd.json || len(rd.findings) > 0 || !sameSlice(rd.text, body)):
			t.Errorf("UNSOUND: %s: the walk says plain, the interop scan reads %+v", c.name, rd)
		case v.Plain:
			plain++
		case len(rd.findings) > 0:
			unplain++
		}
	}
	t.Logf("valid bodies: %d all declared, %d with undeclared fields; %d plain, %d with interop findings; %d whose coverage the walk marked; %d with coverage",
		declared, undeclared, plain, unplain, walkCovered, covered)
	// The shortcuts are taken, and the doubts are met: neither side of
	// either answer is vacuous.
	if declared == 0 || undeclared == 0 || plain == 0 || unplain == 0 || covered == 0 || walkCovered == 0 {
		t.Errorf("a side is never exercised: %d declared, %d undeclared, %d plain, %d unplain, %d covered by the walk", declared, undeclared, plain, unplain, walkCovered)
	}
}

// TestOneWalkDoubts: what the walk must not call plain or declared, on a
// schema small enough to read.
func TestOneWalkDoubts(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},
"components":{"schemas":{"S":{"type":"object","properties":{"n":{"type":"integer"},"any":{},"list":{"type":"array","items":{"type":"object","properties":{"a":{"type":"string"}}}}},
"additionalProperties":{"type":"object","properties":{"x":{"type":"string"}}}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	s := doc.Components.Schemas["S"].Value
	// 511 levels: JSON to every reader, but near the limit the walk stops
	// vouching.
	deep := strings.Repeat(`{"list":[`, 255) + "{}" + strings.Repeat(`]}`, 255)
	for _, c := range []struct {
		body            string
		declared, plain bool
	}{
		{`{"n":900719925474099,"list":[{"a":"x"}]}`, true, true},
		{`{"n":-900719925474099}`, true, true},
		{`{"n":9007199254740992}`, true, false}, // 16 digits: a doubt, the scan decides
		{`{"n":9007199254740993}`, true, false},
		{`{"n":12345678901234567}`, true, false},
		{`{"n":1e20}`, true, true},
		{`{"list":[{"a":"x","b":1}]}`, false, true},
		{`{"any":{"a":1}}`, false, true}, // not judged inside: not sure
		{`{"any":[1]}`, false, true},
		{`{"any":"s"}`, true, true},
		{`{"other":{"x":"s"}}`, false, true}, // additionalProperties: Declared does not count its fields
		{deep, false, false},
	} {
		v := fastschema.For(s).Judge([]byte(c.body))
		if !v.Valid {
			t.Errorf("%.60s: not valid", c.body)
			continue
		}
		if v.Declared != c.declared || v.Plain != c.plain {
			t.Errorf("%.60s: declared %v plain %v, want %v %v", c.body, v.Declared, v.Plain, c.declared, c.plain)
		}
	}
}

package audit_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	speakeasy "github.com/speakeasy-api/openapi/overlay"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/audit"
	"github.com/chconform/chconform/capture"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

var update = flag.Bool("update", false, "rewrite testdata/suggested-overlay.yaml from the drifting capture")

// edit decodes a documented example, lets fn change it, and encodes it.
func edit(t *testing.T, body []byte, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// driftingCapture is answers that leave the contract in every way a
// suggestion corrects: an undeclared field (a string, once null), one seen
// with two types, an undeclared object and array, an inline field seen
// null, a $ref field seen null, a required field missing, a bio longer than
// its maxLength, and an undocumented status with a body.
func driftingCapture(t *testing.T, spec *harness.Spec) []capture.Entry {
	channels := example(t, spec, "get_channels", 200, "")
	first := edit(t, channels, func(m map[string]any) {
		list := m["channels"].([]any)
		c := list[0].(map[string]any)
		c["mood"] = "calm"
		c["weird"] = 1
		c["url"] = nil
		c["channel"] = nil
		// Two from one required list: removed by index, the last first.
		delete(c, "is_social_mode")
		delete(c, "topic")
		m["hint"] = map[string]any{"steps": []any{1, 2.5}, "text": "x"}
	})
	second := edit(t, channels, func(m map[string]any) {
		c := m["channels"].([]any)[0].(map[string]any)
		c["mood"] = nil
		c["weird"] = "one"
	})
	following := edit(t, example(t, spec, "get_following", 200, ""), func(m map[string]any) {
		u := m["users"].([]any)[0].(map[string]any)
		u["bio"] = strings.Repeat("é", 100)
	})
	return []capture.Entry{
		entry("GET", "/get_channels", 200, first),
		entry("GET", "/get_channels", 200, second),
		entry("GET", "/get_following", 200, following),
		entry("GET", "/get_channels", 418, []byte(`{"detail":"teapot","retry_in":3,"hints":["a"]}`)),
		entry("GET", "/get_channels", 418, []byte(`{"detail":"teapot"}`)),
	}
}

func suggest(t *testing.T, a *audit.Auditor) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := a.WriteSuggestion(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func driftLeft(s report.Summary) []string {
	var out []string
	for _, d := range s.Audit.Drift {
		if d.HasDrift() {
			b, _ := json.Marshal(d)
			out = append(out, string(b))
		}
	}
	return out
}

// The audit of a capture with drift, re-run against the contract with its
// own suggested overlay applied, has no drift left and no failure, even in
// strict mode; the overlaid contract loads (kin-openapi validation,
// examples included).
func TestTheSuggestedOverlayLeavesNoDrift(t *testing.T) {
	spec := contract(t)
	entries := driftingCapture(t, spec)
	before := audit.New(audit.Options{Spec: spec})
	for i, e := range entries {
		e.Index = i
		before.Judge(e)
	}
	s, _ := before.Result()
	if s.Totals.Failed == 0 || len(driftLeft(s)) == 0 {
		t.Fatalf("the capture was meant to drift and fail: %d failed, drift %v", s.Totals.Failed, driftLeft(s))
	}
	doc := suggest(t, before)
	path := filepath.Join(t.TempDir(), "suggested.yaml")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	patched, err := harness.LoadContract(chconform.Contract, "", path)
	if err != nil {
		t.Fatalf("the suggestion does not apply: %v\n%s", err, doc)
	}
	after := audit.New(audit.Options{Spec: patched, Strict: true})
	for i, e := range entries {
		e.Index = i
		after.Judge(e)
	}
	s2, _ := after.Result()
	if s2.Totals.Failed != 0 || s2.Totals.Error != 0 || s2.Totals.Passed != len(entries) {
		t.Errorf("with the overlay: %d passed, %d failed, %d error of %d\n%s", s2.Totals.Passed, s2.Totals.Failed, s2.Totals.Error, len(entries), doc)
	}
	if left := driftLeft(s2); len(left) > 0 {
		t.Errorf("drift left with the overlay: %v\n%s", left, doc)
	}

	o, err := speakeasy.ParseReader(bytes.NewReader(doc))
	if err != nil || o.Validate() != nil || o.Version != "1.0.0" {
		t.Fatalf("not a valid Overlay 1.0 document: %v", err)
	}
	var text []string
	for _, a := range o.Actions {
		src, _ := a.Extensions["x-source"].(string)
		if !strings.Contains(src, "test.har#") {
			t.Errorf("action on %s cites no entry: %q", a.Target, src)
		}
		text = append(text, a.Target+" "+a.Description)
	}
	all := strings.Join(text, "\n")
	// The corrections are the smallest: each where the contract says it.
	for _, want := range []string{
		"$.components.schemas.ChannelCore.properties declare mood (null, string)",
		"$.components.schemas.ChannelCore.properties.url nullable",
		"$.components.schemas.ChannelCore.properties.channel the $ref below",
		"$.components.schemas.TruncatedBio maxLength 100",
		"$.paths['/get_channels'].get.responses document 418",
		"$.components.schemas.ChannelCore.required[",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no action %q among\n%s", want, all)
		}
	}

	golden := filepath.Join("testdata", "suggested-overlay.yaml")
	if *update {
		if err := os.WriteFile(golden, doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The committed example (make lint lints api.yaml with it applied) is
	// this suggestion, so it cannot go stale.
	if committed, err := os.ReadFile(golden); err != nil || !bytes.Equal(committed, doc) {
		t.Errorf("%s is not the suggestion of this capture (go test ./audit -run TestTheSuggestedOverlayLeavesNoDrift -update): %v", golden, err)
	}
}

// An undeclared field is declared with what the answers showed: anyOf the
// types when they disagree, nullable when null was seen, an object with its
// fields and an array with its items.
func TestSuggestedTypesAreTheTypesSeen(t *testing.T) {
	spec := contract(t)
	a := audit.New(audit.Options{Spec: spec})
	for i, e := range driftingCapture(t, spec) {
		e.Index = i
		a.Judge(e)
	}
	// Compared line by line without the indentation.
	doc := trimLines(string(suggest(t, a)))
	for _, want := range []string{
		"weird:\nanyOf:\n- type: integer\n- type: string\n",
		"mood:\ntype: string\nnullable: true\n",
		"steps:\ntype: array\nitems:\ntype: number\n",
		// Only the keys every 418 body had are required.
		"\"418\":\ndescription: ",
		"required:\n- detail\nproperties:\ndetail:\ntype: string\nretry_in:\ntype: integer\n",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the suggestion lacks\n%s\n--- in ---\n%s", want, doc)
		}
	}
}

func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}

// A capture that keeps the contract asks for nothing.
func TestNoDriftNoAction(t *testing.T) {
	spec := contract(t)
	a := audit.New(audit.Options{Spec: spec})
	a.Judge(entry("GET", "/get_channels", 200, example(t, spec, "get_channels", 200, "")))
	o, err := speakeasy.ParseReader(bytes.NewReader(suggest(t, a)))
	if err != nil || len(o.Actions) != 0 {
		t.Fatalf("%v, %d actions", err, len(o.Actions))
	}
}

// What no action can settle is listed for a person, never guessed: a
// request body the contract rejects, a value of a type the contract
// declares otherwise.
func TestWhatCannotBeSettledIsLeftOutWithWhy(t *testing.T) {
	spec := contract(t)
	a := audit.New(audit.Options{Spec: spec})
	a.Judge(entry("GET", "/get_channels", 200, edit(t, example(t, spec, "get_channels", 200, ""), func(m map[string]any) {
		m["channels"].([]any)[0].(map[string]any)["is_private"] = "no"
	})))
	o, err := speakeasy.ParseReader(bytes.NewReader(suggest(t, a)))
	if err != nil {
		t.Fatal(err)
	}
	left, _ := o.Extensions["x-chconform-left-out"].([]any)
	if len(o.Actions) != 0 || len(left) != 1 || !strings.Contains(left[0].(string), "seen as string, the contract declares boolean") {
		t.Fatalf("%d actions, left out %v", len(o.Actions), left)
	}
}

// An overlay that is not one, that targets nothing, or that breaks the
// contract is refused naming CH_OVERLAY (exit 2 in every verb).
func TestABrokenOverlayIsRefusedNamingIt(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct{ doc, problem string }{
		"not an overlay": {"openapi: 3.0.3\n", "not a valid OpenAPI Overlay"},
		"targets nothing": {"overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.components.schemas.NoSuchSchema\n    update: {nullable: true}\n",
			"did not match any targets"},
		"breaks the contract": {"overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.paths['/get_channels'].get.operationId\n    remove: true\n",
			"overlaid contract is refused"},
		"not YAML": {"overlay: [1.0.0\n", "not an OpenAPI Overlay document"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml")
			if err := os.WriteFile(path, []byte(c.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := harness.LoadContract(chconform.Contract, "", path)
			var ce *harness.ConfigError
			if !errors.As(err, &ce) || ce.Var != "CH_OVERLAY" || !strings.Contains(ce.Problem, c.problem) {
				t.Fatalf("want CH_OVERLAY refused with %q, got %v", c.problem, err)
			}
		})
	}
}

// A contract refused on its own, and not mended by the overlay, is
// CH_SPEC's problem.
func TestABrokenContractUnderAnOverlayIsBlamedOnCHSPEC(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "api.yaml")
	overlay := filepath.Join(dir, "overlay.yaml")
	os.WriteFile(spec, []byte("openapi: 3.0.3\ninfo: {title: t}\npaths: {}\n"), 0o644)
	os.WriteFile(overlay, []byte("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.info\n    update: {description: d}\n"), 0o644)
	_, err := harness.LoadContract(chconform.Contract, spec, overlay)
	var ce *harness.ConfigError
	if !errors.As(err, &ce) || ce.Var != "CH_SPEC" {
		t.Fatalf("want CH_SPEC blamed, got %v", err)
	}
}

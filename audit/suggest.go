package audit

import (
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	speakeasy "github.com/speakeasy-api/openapi/overlay"
	"gopkg.in/yaml.v3"
)

// Suggestion is the contract patch the drift asks for, as an OpenAPI
// Overlay 1.0 document: the smallest set of actions after which the
// contract accepts what the audit observed. Each action names its evidence
// (file#entry, or the proxy's exchange) in x-source, as api.yaml does; what
// the drift shows but no action can settle (a value against a pattern, an
// enum, a type the contract says otherwise) is listed in
// x-chconform-left-out for a person to decide.
func (a *Auditor) Suggestion() (*speakeasy.Overlay, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(a.opts.Spec.Raw, &root); err != nil {
		return nil, fmt.Errorf("the contract is not YAML: %w", err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("the contract is empty")
	}
	p := &planner{r: resolver{root: root.Content[0]}, byKey: map[string]*patch{}}
	for _, id := range slices.Sorted(maps.Keys(a.drift)) {
		op, _ := a.opts.Spec.Operation(id)
		p.operation(id, op.Path, strings.ToLower(op.Method), a.drift[id])
	}
	o := &speakeasy.Overlay{
		Version: speakeasy.Version100,
		Info: speakeasy.Info{
			Title:   "chconform audit: the contract patch the observed answers ask for",
			Version: "1",
		},
		Actions: []speakeasy.Action{},
	}
	lists, listOrder := map[string][]*patch{}, []string(nil)
	for _, pt := range p.order {
		if pt.kind == optional {
			key := strings.Join(pt.at, "\x00")
			if lists[key] == nil {
				listOrder = append(listOrder, key)
			}
			lists[key] = append(lists[key], pt)
			continue
		}
		o.Actions = append(o.Actions, pt.actions(p.r)...)
	}
	// Removals from required lists last: no other action's target moves.
	o.Actions = append(o.Actions, optionalActions(p.r, lists, listOrder)...)
	if len(p.leftOut) > 0 {
		o.Extensions = speakeasy.Extensions{"x-chconform-left-out": p.leftOut}
	}
	return o, nil
}

// WriteSuggestion writes Suggestion as YAML and returns how many actions it
// holds. The proxy calls it as the audit verb does.
func (a *Auditor) WriteSuggestion(w io.Writer) (int, error) {
	o, err := a.Suggestion()
	if err != nil {
		return 0, err
	}
	return len(o.Actions), o.Format(w)
}

// patch kinds.
const (
	addProperty  = iota // declare an undeclared field where its object's schema lives
	makeNullable        // nullable: true on an inline schema
	nullableRef         // a $ref seen null: anyOf [the ref, JsonNull]
	raiseMaxLength
	addStatus
	optional // a required field some answers did not carry
)

// patch is one correction, merged over every operation and status whose
// answers asked for it (a component shared by several operations gets one).
type patch struct {
	kind    int
	at      []string // the node the correction is on
	name    string   // the property or the status
	shape   *shape
	maxLen  int
	ref     string
	status  *statusSeen
	media   string
	sources []string
}

type planner struct {
	r       resolver
	byKey   map[string]*patch
	order   []*patch
	leftOut []string
}

func (p *planner) add(kind int, at []string, name string, source string) *patch {
	key := fmt.Sprintf("%d\x00%s\x00%s", kind, strings.Join(at, "\x00"), name)
	pt := p.byKey[key]
	if pt == nil {
		pt = &patch{kind: kind, at: at, name: name}
		p.byKey[key] = pt
		p.order = append(p.order, pt)
	}
	if !contains(pt.sources, source) {
		pt.sources = append(pt.sources, source)
	}
	return pt
}

func (p *planner) operation(id, path, method string, d *driftAgg) {
	responses := []string{"paths", path, method, "responses"}
	for _, s := range slices.Sorted(maps.Keys(d.bodies)) {
		seen := d.bodies[s]
		if p.r.lookup(responses) == nil {
			p.leftOut = append(p.leftOut, fmt.Sprintf("%s %d: the contract has no responses for %s %s", id, s, method, path))
			continue
		}
		pt := p.add(addStatus, responses, strconv.Itoa(s), fmt.Sprintf("%s answered %d: %s", id, s, seen.cite()))
		pt.status = seen
		pt.media = seen.mediaType
	}
	for _, r := range d.requests {
		p.leftOut = append(p.leftOut, fmt.Sprintf("%s request: %s (%d request(s)); request schemas are for a person to correct", id, r.Message, r.Count))
	}
	bodiless := []int{}
	for s := range d.statuses {
		if _, ok := d.bodies[s]; !ok {
			bodiless = append(bodiless, s)
		}
	}
	sort.Ints(bodiless)
	for _, s := range bodiless {
		p.leftOut = append(p.leftOut, fmt.Sprintf("%s %d: %d answer(s) of this undocumented status, none with its body captured", id, s, d.statuses[s]))
	}
	keys := make([]seenKey, 0, len(d.seen))
	for k := range d.seen {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.status != b.status {
			return a.status < b.status
		}
		if a.pattern != b.pattern {
			return a.pattern < b.pattern
		}
		return !a.undeclared && b.undeclared
	})
	for _, k := range keys {
		if _, undocumented := d.bodies[k.status]; undocumented {
			continue // the status's own schema is made from these bodies
		}
		seen := d.seen[k]
		what := fmt.Sprintf("%s %d %s", id, k.status, k.pattern)
		schema, ok := p.r.responseSchema(path, method, k.status)
		if !ok {
			p.leftOut = append(p.leftOut, what+": the contract documents no JSON schema for this answer")
			continue
		}
		source := what + ": " + seen.cite()
		segs := segments(k.pattern)
		if k.undeclared {
			p.undeclared(what, source, schema, segs, seen)
		} else {
			p.violation(what, source, schema, segs, seen)
		}
	}
}

// undeclared declares a field where the schema of its object is: in the
// component a $ref leads to, so every answer that uses it agrees.
func (p *planner) undeclared(what, source string, schema node, segs []string, seen *valuesSeen) {
	name := segs[len(segs)-1]
	if name == "*" {
		p.leftOut = append(p.leftOut, what+": the keys are numbers (ids as keys?); additionalProperties is for a person to decide")
		return
	}
	for _, parent := range p.r.at(schema, segs[:len(segs)-1]) {
		for _, b := range p.r.branches(parent) {
			if props := get(b.n, "properties"); props != nil && props.Kind == yaml.MappingNode {
				pt := p.add(addProperty, join(b.at, "properties"), name, source)
				if pt.shape == nil {
					pt.shape = &shape{}
				}
				pt.shape.absorb(seen.shape)
				return
			}
		}
	}
	p.leftOut = append(p.leftOut, what+": no object schema declares the fields around it")
}

// violation corrects what the contract can be corrected on without a
// judgement call: a value seen null where the schema is not nullable, a
// string longer than the maxLength. The rest is left out, with why.
func (p *planner) violation(what, source string, schema node, segs []string, seen *valuesSeen) {
	targets := p.r.at(schema, segs)
	if len(targets) == 0 {
		p.leftOut = append(p.leftOut, what+": "+strings.Join(seen.messages, "; ")+" (no schema found there)")
		return
	}
	fixed := false
	if seen.types&tMissing != 0 {
		fixed = p.optional(segs, schema, source)
	}
	if seen.types&tNull != 0 && !p.r.anyNullable(targets) {
		for _, t := range targets {
			if len(t.at) == 0 {
				continue
			}
			if ref := get(t.n, "$ref"); ref != nil {
				p.add(nullableRef, t.at, "", source).ref = ref.Value
			} else {
				p.add(makeNullable, t.at, "", source)
			}
			fixed = true
		}
	}
	if seen.types&tString != 0 {
		for _, t := range targets {
			for _, b := range p.r.branches(t) {
				if ml, err := strconv.Atoi(scalar(get(b.n, "maxLength"))); err == nil && ml < seen.maxLen {
					pt := p.add(raiseMaxLength, b.at, "", source)
					pt.maxLen = max(pt.maxLen, seen.maxLen)
					fixed = true
				}
			}
		}
	}
	if other := seen.types &^ tNull &^ tMissing &^ p.r.accepted(targets); other != 0 {
		p.leftOut = append(p.leftOut, fmt.Sprintf("%s: seen as %s, the contract declares %s", what, typeList(other), typeList(p.r.accepted(targets))))
		return
	}
	if !fixed {
		p.leftOut = append(p.leftOut, what+": "+strings.Join(seen.messages, "; "))
	}
}

// optional takes a field some answers lacked out of every required list
// of its object's schema that names it.
func (p *planner) optional(segs []string, schema node, source string) bool {
	name := segs[len(segs)-1]
	fixed := false
	for _, parent := range p.r.at(schema, segs[:len(segs)-1]) {
		for _, b := range p.r.branches(parent) {
			req := get(b.n, "required")
			if req == nil || req.Kind != yaml.SequenceNode {
				continue
			}
			for _, item := range req.Content {
				if item.Value == name {
					p.add(optional, join(b.at, "required"), name, source)
					fixed = true
				}
			}
		}
	}
	return fixed
}

// optionalActions removes the names from one required list: the list
// whole when no name would stay (OpenAPI 3.0 wants a required list to
// name one field at least), else each by its index, the last first so the
// indices hold while the actions apply.
func optionalActions(r resolver, lists map[string][]*patch, order []string) []speakeasy.Action {
	var out []speakeasy.Action
	for _, key := range order {
		pts := lists[key]
		at := pts[0].at
		req := r.lookup(at)
		drop := map[string]*patch{}
		for _, pt := range pts {
			drop[pt.name] = pt
		}
		if len(drop) == len(req.Content) {
			var names, sources []string
			for _, pt := range pts {
				names = append(names, pt.name)
				sources = append(sources, pt.sources...)
			}
			out = append(out, speakeasy.Action{
				Target: r.jsonPath(at), Remove: true,
				Extensions:  speakeasy.Extensions{"x-source": "[OBS] chconform audit: " + strings.Join(sources, "; ")},
				Description: "optional: " + strings.Join(names, ", ") + " missing from some answers",
			})
			continue
		}
		for i := len(req.Content) - 1; i >= 0; i-- {
			pt := drop[req.Content[i].Value]
			if pt == nil {
				continue
			}
			out = append(out, speakeasy.Action{
				Target: r.jsonPath(join(at, strconv.Itoa(i))), Remove: true,
				Extensions:  speakeasy.Extensions{"x-source": "[OBS] chconform audit: " + strings.Join(pt.sources, "; ")},
				Description: "optional: " + pt.name + " missing from some answers",
			})
		}
	}
	return out
}

// actions are the Overlay actions of one patch.
func (pt *patch) actions(r resolver) []speakeasy.Action {
	source := speakeasy.Extensions{"x-source": "[OBS] chconform audit: " + strings.Join(pt.sources, "; ")}
	target := r.jsonPath(pt.at)
	switch pt.kind {
	case addProperty:
		return []speakeasy.Action{{
			Target: target, Extensions: source,
			Description: fmt.Sprintf("declare %s (%s), seen in the answers and not declared", pt.name, typeList(pt.shape.types)),
			Update:      *mapping(pt.name, withSource(shapeSchema(pt.shape), pt.sources)),
		}}
	case makeNullable:
		return []speakeasy.Action{{
			Target: target, Extensions: source,
			Description: "nullable: the answers carried null here",
			Update:      *mapping("nullable", true),
		}}
	case nullableRef:
		// A $ref's siblings are ignored in OpenAPI 3.0: the reference is
		// replaced by anyOf [it, null], the form api.yaml uses.
		parent, name := pt.at[:len(pt.at)-1], pt.at[len(pt.at)-1]
		return []speakeasy.Action{
			{Target: target, Extensions: source, Remove: true,
				Description: "the $ref below is re-declared nullable"},
			{Target: r.jsonPath(parent), Extensions: source,
				Description: "nullable: the answers carried null here",
				Update:      *mapping(name, withSource(r.nullable(pt.ref), pt.sources))},
		}
	case raiseMaxLength:
		return []speakeasy.Action{{
			Target: target, Extensions: source,
			Description: fmt.Sprintf("maxLength %d: the longest string the answers carried", pt.maxLen),
			Update:      *mapping("maxLength", pt.maxLen),
		}}
	default: // addStatus
		resp := []any{"description", "Observed in captured answers; not documented before (chconform audit --suggest)."}
		if pt.status.body != nil {
			media := pt.media
			if media == "" {
				media = "application/json"
			}
			resp = append(resp, "content", mapping(media, mapping("schema", shapeSchema(pt.status.body))))
		}
		resp = append(resp, "x-source", "[OBS] chconform audit: "+strings.Join(pt.sources, "; "))
		return []speakeasy.Action{{
			Target: target, Extensions: source,
			Description: "document " + pt.name + ": the operation answered it",
			Update:      *mapping(pt.name, mapping(resp...)),
		}}
	}
}

func (s *evidence) cite() string {
	out := strings.Join(s.where, ", ")
	if s.answers > len(s.where) {
		out += fmt.Sprintf(" and %d more", s.answers-len(s.where))
	}
	return fmt.Sprintf("%s (%d answer(s))", out, s.answers)
}

func withSource(schema *yaml.Node, sources []string) *yaml.Node {
	schema.Content = append(schema.Content, mapping("x-source", "[OBS] chconform audit: "+strings.Join(sources, "; ")).Content...)
	return schema
}

// typeSchema is the schema of values of the types seen: one type, or anyOf
// the types when the answers disagree; nullable when null was seen. Only
// null seen gives a schema that accepts null and says nothing else.
func typeSchema(types jsonType, body *shape) *yaml.Node {
	null := types&tNull != 0
	if types&tInteger != 0 && types&tNumber != 0 {
		types &^= tInteger
	}
	var branches []*yaml.Node
	for _, tn := range typeNames {
		if types&tn.t == 0 {
			continue
		}
		s := mapping("type", tn.name)
		switch {
		case tn.t == tObject && body != nil && body.props != nil:
			var required []any
			props := mapping()
			for _, k := range body.order {
				props.Content = append(props.Content, mapping(k, shapeSchema(body.props[k])).Content...)
				if body.present[k] == body.objects {
					required = append(required, k)
				}
			}
			if len(required) > 0 {
				s.Content = append(s.Content, mapping("required", sequence(required...)).Content...)
			}
			s.Content = append(s.Content, mapping("properties", props).Content...)
		case tn.t == tArray:
			items := mapping()
			if body != nil && body.items != nil {
				items = shapeSchema(body.items)
			}
			s.Content = append(s.Content, mapping("items", items).Content...)
		}
		if null {
			s.Content = append(s.Content, mapping("nullable", true).Content...)
		}
		branches = append(branches, s)
	}
	switch len(branches) {
	case 0:
		return mapping("nullable", true, "description", "Only null was seen.")
	case 1:
		return branches[0]
	}
	anyOf := sequence()
	anyOf.Content = branches
	return mapping("anyOf", anyOf)
}

func shapeSchema(s *shape) *yaml.Node { return typeSchema(s.types, s) }

func typeList(types jsonType) string {
	var names []string
	if types&tNull != 0 {
		names = append(names, "null")
	}
	for _, tn := range typeNames {
		if types&tn.t != 0 {
			names = append(names, tn.name)
		}
	}
	if types&tMissing != 0 {
		names = append(names, "missing")
	}
	if len(names) == 0 {
		return "any type"
	}
	return strings.Join(names, ", ")
}

// node is a node of the contract and where it is, as keys from the root.
type node struct {
	at []string
	n  *yaml.Node
}

// resolver finds, in the contract's YAML, the schemas that describe a
// place of an answer, the way the schema check does: through $ref,
// allOf/anyOf/oneOf, properties, items and additionalProperties.
type resolver struct{ root *yaml.Node }

func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func join(at []string, more ...string) []string {
	return append(append(make([]string, 0, len(at)+len(more)), at...), more...)
}

func (r resolver) lookup(at []string) *yaml.Node {
	n := r.root
	for _, k := range at {
		if n != nil && n.Kind == yaml.SequenceNode {
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
			continue
		}
		if n = get(n, k); n == nil {
			return nil
		}
	}
	return n
}

// deref follows local $refs (#/components/...) to the schema they name.
func (r resolver) deref(x node) node {
	for range 16 {
		ref := scalar(get(x.n, "$ref"))
		if !strings.HasPrefix(ref, "#/") {
			return x
		}
		at := segments(ref[1:])
		n := r.lookup(at)
		if n == nil {
			return x
		}
		x = node{at, n}
	}
	return x
}

// branches is x and, through allOf/anyOf/oneOf, every schema it combines.
func (r resolver) branches(x node) []node {
	return r.branchesDepth(x, 0)
}

func (r resolver) branchesDepth(x node, depth int) []node {
	x = r.deref(x)
	out := []node{x}
	if depth > 8 {
		return out
	}
	for _, kw := range []string{"allOf", "anyOf", "oneOf"} {
		seq := get(x.n, kw)
		if seq == nil || seq.Kind != yaml.SequenceNode {
			continue
		}
		for i, c := range seq.Content {
			out = append(out, r.branchesDepth(node{join(x.at, kw, strconv.Itoa(i)), c}, depth+1)...)
		}
	}
	return out
}

// at lists the schemas (as written: a $ref is not followed) that describe
// the place segs under x; "*" is any item of an array.
func (r resolver) at(x node, segs []string) []node {
	if len(segs) == 0 {
		return []node{x}
	}
	var out []node
	seen := map[string]bool{}
	for _, b := range r.branches(x) {
		var next *node
		if segs[0] == "*" {
			if it := get(b.n, "items"); it != nil {
				next = &node{join(b.at, "items"), it}
			}
		}
		if next == nil {
			if pn := get(get(b.n, "properties"), segs[0]); pn != nil {
				next = &node{join(b.at, "properties", segs[0]), pn}
			}
		}
		if next == nil {
			if ap := get(b.n, "additionalProperties"); ap != nil && ap.Kind == yaml.MappingNode {
				next = &node{join(b.at, "additionalProperties"), ap}
			}
		}
		if next == nil {
			continue
		}
		for _, found := range r.at(*next, segs[1:]) {
			if k := strings.Join(found.at, "\x00"); !seen[k] {
				seen[k] = true
				out = append(out, found)
			}
		}
	}
	return out
}

// responseSchema is the schema documented for status, through a
// components/responses $ref, in its JSON media type.
func (r resolver) responseSchema(path, method string, status int) (node, bool) {
	at := []string{"paths", path, method, "responses", strconv.Itoa(status)}
	n := r.lookup(at)
	if n == nil {
		return node{}, false
	}
	resp := r.deref(node{at, n})
	content := get(resp.n, "content")
	if content == nil || content.Kind != yaml.MappingNode {
		return node{}, false
	}
	key := ""
	for i := 0; i+1 < len(content.Content); i += 2 {
		k := content.Content[i].Value
		if k == "application/json" || key == "" && strings.Contains(k, "json") {
			key = k
		}
	}
	schema := get(get(content, key), "schema")
	if schema == nil {
		return node{}, false
	}
	return node{join(resp.at, "content", key, "schema"), schema}, true
}

func (r resolver) anyNullable(targets []node) bool {
	for _, t := range targets {
		for _, b := range r.branches(t) {
			if scalar(get(b.n, "nullable")) == "true" {
				return true
			}
		}
	}
	return false
}

// accepted is the types the schemas allow (every type where one says none).
func (r resolver) accepted(targets []node) jsonType {
	var out jsonType
	for _, t := range targets {
		typed := false
		for _, b := range r.branches(t) {
			switch scalar(get(b.n, "type")) {
			case "":
				continue
			case "integer":
				out |= tInteger
			case "number":
				out |= tInteger | tNumber
			case "string":
				out |= tString
			case "boolean":
				out |= tBoolean
			case "object":
				out |= tObject
			case "array":
				out |= tArray
			}
			typed = true
		}
		if !typed {
			return ^jsonType(0)
		}
	}
	return out
}

// nullable is a reference made nullable: anyOf it and api.yaml's JsonNull
// when the contract has one, or a nullable allOf.
func (r resolver) nullable(ref string) *yaml.Node {
	if r.lookup([]string{"components", "schemas", "JsonNull"}) != nil {
		return mapping("anyOf", sequence(mapping("$ref", ref), mapping("$ref", "#/components/schemas/JsonNull")))
	}
	return mapping("nullable", true, "allOf", sequence(mapping("$ref", ref)))
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// jsonPath is the JSONPath of the node at at, in the forms both of the
// overlay library's JSONPath implementations read.
func (r resolver) jsonPath(at []string) string {
	var b strings.Builder
	b.WriteString("$")
	n := r.root
	for _, k := range at {
		switch {
		case n != nil && n.Kind == yaml.SequenceNode:
			b.WriteString("[" + k + "]")
		case identifier.MatchString(k):
			b.WriteString("." + k)
		default:
			b.WriteString("['" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(k) + "']")
		}
		if n != nil && n.Kind == yaml.SequenceNode {
			if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < len(n.Content) {
				n = n.Content[i]
				continue
			}
			n = nil
			continue
		}
		n = get(n, k)
	}
	return b.String()
}

// segments splits a JSON pointer (or a pattern) into its unescaped keys.
func segments(ptr string) []string {
	ptr = strings.TrimPrefix(ptr, "/")
	if ptr == "" {
		return nil
	}
	parts := strings.Split(ptr, "/")
	for i, s := range parts {
		parts[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
	}
	return parts
}

func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Content = append(n.Content, toNode(kv[i]), toNode(kv[i+1]))
	}
	return n
}

func sequence(items ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	for _, it := range items {
		n.Content = append(n.Content, toNode(it))
	}
	return n
}

func toNode(v any) *yaml.Node {
	switch v := v.(type) {
	case *yaml.Node:
		return v
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v)}
	default:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprint(v)}
	}
}

package mutation

import (
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

// shape is a response schema flattened for mutation: allOf merged, a nullable
// anyOf [X, JsonNull] read as X with nullable set, anyOf/oneOf of objects read
// as the union of their properties (required only when every branch requires).
type shape struct {
	Type     string // "object", "array", "string", "integer", "number", "boolean" or "" (any)
	Nullable bool
	Enum     []any
	Props    map[string]*shape
	Required map[string]bool
	Items    *shape
}

// maxShapeDepth bounds the walk: deep enough for a room's users' profiles,
// shallow enough that recursive schemas end.
const maxShapeDepth = 6

func flatten(ref *openapi3.SchemaRef, depth int) *shape {
	if ref == nil || ref.Value == nil || depth > maxShapeDepth {
		return &shape{}
	}
	s := ref.Value
	out := &shape{Nullable: s.Nullable, Enum: s.Enum}
	if s.Type != nil && len(*s.Type) == 1 {
		out.Type = (*s.Type)[0]
	}
	if s.Items != nil {
		out.Items = flatten(s.Items, depth+1)
		if out.Type == "" {
			out.Type = "array"
		}
	}
	if len(s.Properties) > 0 || len(s.Required) > 0 {
		out.Props = map[string]*shape{}
		out.Required = map[string]bool{}
		for name, p := range s.Properties {
			out.Props[name] = flatten(p, depth+1)
		}
		for _, r := range s.Required {
			out.Required[r] = true
		}
		if out.Type == "" {
			out.Type = "object"
		}
	}
	for _, sub := range s.AllOf {
		merge(out, flatten(sub, depth), true)
	}
	branches := append(append([]*openapi3.SchemaRef{}, s.AnyOf...), s.OneOf...)
	var real []*shape
	for _, b := range branches {
		f := flatten(b, depth)
		if isNullSchema(b) {
			out.Nullable = true
			continue
		}
		real = append(real, f)
	}
	for i, f := range real {
		if i == 0 && out.Type == "" && out.Props == nil {
			merge(out, f, true)
			continue
		}
		merge(out, f, false)
	}
	return out
}

// isNullSchema recognises the contract's JsonNull: nullable with enum [null].
func isNullSchema(ref *openapi3.SchemaRef) bool {
	if ref == nil || ref.Value == nil {
		return false
	}
	v := ref.Value
	return v.Nullable && len(v.Enum) == 1 && v.Enum[0] == nil
}

// merge folds b into a; with all (allOf, or the first branch) b's required
// fields become a's, otherwise only those a already requires stay required.
func merge(a, b *shape, all bool) {
	if a.Type == "" {
		a.Type = b.Type
	}
	if b.Nullable {
		a.Nullable = true
	}
	if len(a.Enum) == 0 {
		a.Enum = b.Enum
	}
	if a.Items == nil {
		a.Items = b.Items
	}
	if b.Props != nil {
		if a.Props == nil {
			a.Props, a.Required = map[string]*shape{}, map[string]bool{}
		}
		for name, p := range b.Props {
			if old, ok := a.Props[name]; ok {
				// A later allOf part narrows a property (a truncated bio): keep
				// the first's type, take the narrower constraints.
				merge(old, p, true)
				continue
			}
			a.Props[name] = p
		}
	}
	if all {
		for r := range b.Required {
			a.Required[r] = true
		}
	} else if a.Required != nil {
		for r := range a.Required {
			if !b.Required[r] {
				delete(a.Required, r)
			}
		}
	}
}

// field is one property somewhere in a response body.
type field struct {
	Path     string // "channels[].users[].user_id"
	Shape    *shape
	Required bool
}

// fields lists every property reachable from s, parents before children,
// names sorted at each level.
func fields(s *shape) []field {
	var out []field
	var walk func(prefix string, s *shape, depth int)
	walk = func(prefix string, s *shape, depth int) {
		if s == nil || depth > maxShapeDepth {
			return
		}
		if s.Items != nil {
			walk(prefix+"[]", s.Items, depth+1)
		}
		names := make([]string, 0, len(s.Props))
		for n := range s.Props {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			p := prefix + "." + n
			if prefix == "" {
				p = n
			}
			out = append(out, field{Path: p, Shape: s.Props[n], Required: s.Required[n]})
			walk(p, s.Props[n], depth+1)
		}
	}
	walk("", s, 0)
	return out
}

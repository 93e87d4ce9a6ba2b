package fastschema

import (
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// Declared answers the question of the harness's strict mode (its
// walkDeclared, harness/validate_schema.go) on raw bytes: does every object
// field of the body appear in some schema that applies to it? The rules are
// walkDeclared's, not kin's: every allOf/anyOf/oneOf branch counts (a field
// declared in any branch is declared), an object is judged only where some
// schema lists properties, and additionalProperties (true, false or a schema)
// opens it. True means walkDeclared would report nothing; false means "there
// is an undeclared field, or not sure": run walkDeclared.
type Declared struct {
	root *decl
}

// decl is what a set of schemas declares for one value; nil declares
// nothing (no schema: anything goes, and nothing under it is judged).
type decl struct {
	declares, open bool
	props          map[string]*decl
	extra          *decl
	items          *decl
}

var declCache sync.Map // *openapi3.Schema -> *declEntry

type declEntry struct {
	once sync.Once
	d    *Declared
}

// DeclaredFor returns the compiled strict-mode check of s, compiled once.
func DeclaredFor(s *openapi3.Schema) *Declared {
	e, _ := declCache.LoadOrStore(s, &declEntry{})
	en := e.(*declEntry)
	en.once.Do(func() {
		c := &declCompiler{memo: map[string]*decl{}}
		en.d = &Declared{root: c.of([]*openapi3.Schema{s})}
	})
	return en.d
}

type declCompiler struct {
	memo map[string]*decl
}

// Flatten lists schemas with every allOf/oneOf/anyOf branch under them (a
// field declared in any branch is declared): the one rule both strict-mode
// walks, this one on raw bytes and the harness's on decoded values, follow.
func Flatten(schemas []*openapi3.Schema) []*openapi3.Schema {
	var out []*openapi3.Schema
	seen := map[*openapi3.Schema]bool{}
	var visit func(s *openapi3.Schema)
	visit = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, ref := range group {
				if ref != nil {
					visit(ref.Value)
				}
			}
		}
	}
	for _, s := range schemas {
		visit(s)
	}
	return out
}

func (c *declCompiler) of(schemas []*openapi3.Schema) *decl {
	flat := normalize(Flatten(schemas))
	if len(flat) == 0 {
		return nil
	}
	k := key(flat)
	if d, ok := c.memo[k]; ok {
		return d
	}
	d := &decl{props: map[string]*decl{}}
	c.memo[k] = d
	props := map[string][]*openapi3.Schema{}
	var extra, items []*openapi3.Schema
	for _, s := range flat {
		if len(s.Properties) > 0 {
			d.declares = true
		}
		for name, p := range s.Properties {
			if p != nil && p.Value != nil {
				props[name] = append(props[name], p.Value)
			}
		}
		ap := s.AdditionalProperties
		if ap.Has != nil {
			d.open = true
		}
		if ap.Schema != nil && ap.Schema.Value != nil {
			d.open = true
			extra = append(extra, ap.Schema.Value)
		}
		if s.Items != nil && s.Items.Value != nil {
			items = append(items, s.Items.Value)
		}
	}
	for name, sub := range props {
		d.props[name] = c.of(sub)
	}
	d.extra = c.of(extra)
	d.items = c.of(items)
	return d
}

// None reports whether data certainly has no undeclared field. data must be
// a body Valid accepted (one JSON value, no duplicate names).
func (d *Declared) None(data []byte) bool {
	w := walker{data: data}
	i := w.ws(0)
	if i >= len(data) {
		return false
	}
	end, ok := w.declared(d.root, i, 0)
	return ok && w.ws(end) == len(data)
}

func (w *walker) declared(d *decl, i, depth int) (int, bool) {
	if d == nil {
		return w.skip(i, depth)
	}
	if depth > maxDepth || i >= len(w.data) {
		return i, false
	}
	switch w.data[i] {
	case '{':
		i = w.ws(i + 1)
		if i < len(w.data) && w.data[i] == '}' {
			return i + 1, true
		}
		for more := true; more; {
			if i >= len(w.data) || w.data[i] != '"' {
				return i, false
			}
			kend, esc, ok := w.str(i)
			if !ok {
				return i, false
			}
			name, ok := w.decode(i, kend, esc)
			if !ok {
				return i, false
			}
			child, declared := d.props[name]
			if !declared {
				if d.declares && !d.open {
					return i, false // undeclared: walkDeclared words it
				}
				child = d.extra
			}
			i = w.ws(kend)
			if i >= len(w.data) || w.data[i] != ':' {
				return i, false
			}
			end, ok := w.declared(child, w.ws(i+1), depth+1)
			if !ok {
				return i, false
			}
			if i, more, ok = w.next(end, '}'); !ok {
				return i, false
			}
		}
		return i, true
	case '[':
		i = w.ws(i + 1)
		if i < len(w.data) && w.data[i] == ']' {
			return i + 1, true
		}
		for more := true; more; {
			end, ok := w.declared(d.items, i, depth+1)
			if !ok {
				return i, false
			}
			if i, more, ok = w.next(end, ']'); !ok {
				return i, false
			}
		}
		return i, true
	}
	return w.skip(i, depth)
}

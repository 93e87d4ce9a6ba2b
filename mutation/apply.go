package mutation

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// mutateBody applies a field mutant to a JSON body: every instance of the
// path (each element of each array on the way) is changed. It reports
// whether anything changed; a body that is not JSON, or holds no instance of
// the path, comes back unchanged.
func mutateBody(m Mutant, body []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return body, false
	}
	changed := false
	segs := splitPath(m.Path)
	doc = walkMutate(doc, segs, func(parent map[string]any, key string) {
		v, present := parent[key]
		switch m.Kind {
		case KindDrop:
			if present {
				delete(parent, key)
				changed = true
			}
		case KindNull:
			if present && v != nil {
				parent[key] = nil
				changed = true
			}
		case KindType, KindEnum:
			if present {
				parent[key] = m.Value
				changed = true
			}
		case KindErrorMessage:
			if s, ok := v.(string); ok && present {
				parent[key] = s + " (mutated)"
				changed = true
			}
		case KindPageCount:
			if n, ok := asInt(v); ok {
				parent[key] = n + 1
				changed = true
			}
		case KindPageNext:
			if n, ok := asInt(v); ok {
				parent[key] = n + 1
			} else {
				// No next page: claim one anyway.
				parent[key] = 99
			}
			changed = true
		case KindPagePrevious:
			page := int64(1)
			if n, ok := asInt(parent["next"]); ok {
				page = n - 1
			} else if n, ok := asInt(parent["previous"]); ok {
				page = n + 1
			}
			parent[key] = page
			changed = true
		}
	})
	if !changed {
		return body, false
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body, false
	}
	return out, true
}

// duplicateMember writes the member name of an object body a second time,
// first, with a value of another type: the member the server sent stays the
// last, where encoding/json reads it, while gjson and other first-wins
// parsers read the copy. A body without that member comes back unchanged.
func duplicateMember(body []byte, name string) ([]byte, bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return body, false
	}
	v, ok := obj[name]
	if !ok {
		return body, false
	}
	other := `"duplicate"`
	if len(v) > 0 && v[0] == '"' {
		other = "0"
	}
	key, _ := json.Marshal(name)
	i := bytes.IndexByte(body, '{')
	return slices.Concat(body[:i+1], key, []byte(":"+other+","), body[i+1:]), true
}

func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}

// splitPath turns "channels[].users[].user_id" into
// ["channels", "[]", "users", "[]", "user_id"].
func splitPath(p string) []string {
	var out []string
	for _, part := range strings.Split(p, ".") {
		name := strings.TrimRight(part, "[]")
		if name != "" {
			out = append(out, name)
		}
		for i := len(name); i+1 < len(part); i += 2 {
			out = append(out, "[]")
		}
	}
	return out
}

// walkMutate calls f on the parent object and key of each instance of the
// path's last segment.
func walkMutate(doc any, segs []string, f func(parent map[string]any, key string)) any {
	if len(segs) == 0 {
		return doc
	}
	seg := segs[0]
	if seg == "[]" {
		if arr, ok := doc.([]any); ok {
			for i := range arr {
				arr[i] = walkMutate(arr[i], segs[1:], f)
			}
		}
		return doc
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return doc
	}
	if len(segs) == 1 {
		f(obj, seg)
		return obj
	}
	if child, ok := obj[seg]; ok {
		obj[seg] = walkMutate(child, segs[1:], f)
	}
	return obj
}

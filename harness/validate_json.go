package harness

import (
	"bytes"
	"encoding/json"
	"math/big"
	"slices"
	"strconv"
)

// decodeJSON decodes data keeping numbers exact, so 1, 1.0 and 1e0 can be
// compared as the same number rather than as text or lossy floats.
func decodeJSON(data []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if dec.More() {
		return nil, false
	}
	return v, true
}

// jsonEqualBody compares a JSON document with the body of a response (its
// shared reading) by value. When they differ it returns the pointer of the
// first difference ("" for the root).
func jsonEqualBody(want []byte, got *Response) (string, bool) {
	w, ok := decodeJSON(want)
	if !ok {
		return "", false
	}
	g, ok := got.JSONValue()
	if !ok {
		return "", false
	}
	return jsonDiff(w, g, nil)
}

func jsonDiff(want, got any, path []string) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return jsonPointer(path), false
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, dup := w[k]; !dup {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			wv, inW := w[k]
			gv, inG := g[k]
			child := append(path[:len(path):len(path)], k)
			if inW != inG {
				return jsonPointer(child), false
			}
			if ptr, eq := jsonDiff(wv, gv, child); !eq {
				return ptr, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return jsonPointer(path), false
		}
		for i := range w {
			if ptr, eq := jsonDiff(w[i], g[i], append(path[:len(path):len(path)], strconv.Itoa(i))); !eq {
				return ptr, false
			}
		}
		return "", true
	case json.Number:
		g, ok := got.(json.Number)
		if !ok || !sameNumber(w, g) {
			return jsonPointer(path), false
		}
		return "", true
	default:
		if want != got {
			return jsonPointer(path), false
		}
		return "", true
	}
}

func sameNumber(a, b json.Number) bool {
	x, okX := new(big.Rat).SetString(string(a))
	y, okY := new(big.Rat).SetString(string(b))
	return okX && okY && x.Cmp(y) == 0
}

// drfDetail returns the detail of a Django REST framework error envelope:
// a JSON object whose "detail" is a string. Other keys are allowed, as
// SimpleJWT adds "code" and "messages".
func drfDetail(r *Response) (string, bool) {
	v, ok := r.JSONValue()
	if !ok {
		return "", false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	detail, ok := obj["detail"].(string)
	return detail, ok
}

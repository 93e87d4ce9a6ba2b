package emulator

import (
	"bytes"
	"encoding/json"
)

// obj is a JSON object that keeps its keys in the order they were given, so
// bodies read like the real server's (DRF renders dicts in insertion order:
// "success" first in error envelopes, last in most success bodies).
type obj []kv

type kv struct {
	k string
	v any
}

// o builds an obj from alternating keys and values.
func o(pairs ...any) obj {
	m := make(obj, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		m = append(m, kv{pairs[i].(string), pairs[i+1]})
	}
	return m
}

// with returns m with key set to v (replaced in place when present).
func (m obj) with(key string, v any) obj {
	for i := range m {
		if m[i].k == key {
			m[i].v = v
			return m
		}
	}
	return append(m, kv{key, v})
}

// MarshalJSON renders compact JSON with raw UTF-8 and no HTML escaping.
func (m obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(e.k)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping and without the trailing
// newline an Encoder adds.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// list is a JSON array that is never rendered as null.
func list[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// merge returns m with every key of n set.
func (m obj) merge(n obj) obj {
	for _, x := range n {
		m = m.with(x.k, x.v)
	}
	return m
}

package harness

import (
	"errors"
	"fmt"
)

// MaxJSONDepth is the deepest nesting of arrays and objects the harness
// accepts in a response body. Nothing in the contract nests beyond a handful
// of levels; gjson (the matchers) recurses once per level without bound, and
// 8 MiB of "[" overflowed the goroutine stack: a fatal error that no recover
// catches, losing every spec of the process.
const MaxJSONDepth = 512

// deepBodyKeep is how much of a too-deep body an exchange keeps for its
// transcript: few enough levels that nothing recursing into it can fail.
const deepBodyKeep = 4 << 10

// ErrJSONTooDeep marks a response whose body nests deeper than MaxJSONDepth.
var ErrJSONTooDeep = errors.New("the response body nests JSON too deep")

// JSONDepthError says where a body went past the limit.
type JSONDepthError struct {
	Limit  int
	Offset int
}

func (e *JSONDepthError) Error() string {
	return fmt.Sprintf("%v: more than %d levels of arrays and objects (at byte %d); not judged further", ErrJSONTooDeep, e.Limit, e.Offset)
}

func (e *JSONDepthError) Unwrap() error { return ErrJSONTooDeep }

// CheckJSONDepth scans data once, without recursion or allocation, and
// returns a *JSONDepthError when its arrays and objects nest deeper than
// limit. It does not validate the JSON (the checks do that afterwards);
// brackets inside strings do not count. Any data, JSON or not, is safe.
func CheckJSONDepth(data []byte, limit int) error {
	depth := 0
	inString, escaped := false, false
	for i, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
			if depth > limit {
				return &JSONDepthError{Limit: limit, Offset: i}
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}

// depthError is CheckJSONDepth(r.Body, MaxJSONDepth), without a second
// pass over a body that is JSON text: the reading's scan refuses one nested
// deeper than MaxJSONDepth, so a body it read as JSON is shallow enough.
func (r *Response) depthError() error {
	if r.reading().json {
		return nil
	}
	return CheckJSONDepth(r.Body, MaxJSONDepth)
}

// guardDepth turns a too-deep body into a transport-level failure of the
// exchange: Err says why (response_received fails with it, the later checks
// are skipped) and the body is cut to its first deepBodyKeep bytes, so no
// matcher or check can recurse into the rest. It reports whether it did.
func guardDepth(ex *Exchange) bool {
	if ex == nil || ex.Response == nil {
		return false
	}
	err := ex.Response.depthError()
	if err == nil {
		return false
	}
	if len(ex.Response.Body) > deepBodyKeep {
		ex.Response.Body = ex.Response.Body[:deepBodyKeep]
		ex.Response.Truncated = true
	}
	if ex.Err == nil {
		ex.Err = err
	}
	return true
}

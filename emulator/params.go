package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/url"
	"strconv"
	"strings"
)

// MaxBodyBytes is the largest request body the emulator reads; a larger one
// is answered 413.
const MaxBodyBytes = 1 << 20

// apiError is an answer other than the operation's own: a status and a body.
type apiError struct {
	status int
	body   obj
}

func detailError(status int, detail string) *apiError {
	return &apiError{status, o("detail", detail)}
}

// appError is the app envelope {"success":false,"error_message":...}, HTTP 400.
func appError(msg string) *apiError {
	return &apiError{400, o("success", false, "error_message", msg)}
}

// textValue is a parameter that arrived as text (query string or form), where
// every value is a string: it may stand for a number or a boolean. A JSON
// body's values must have their own JSON types.
type textValue string

// asString reads a JSON string or a text parameter.
func asString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case textValue:
		return string(t), true
	}
	return "", false
}

// params are the request's parameters: the query string, then the body's
// top-level fields over them (clients send page/page_size in the query and
// the rest in the body of a POST).
type params map[string]any

// DecodeRequest turns a query string and a body into params the way DRF's
// default parsers would: JSON (an object), or a form. Any other input is a
// 4xx error, never a panic.
func DecodeRequest(contentType, rawQuery string, body []byte) (params, *apiError) {
	p := params{}
	if q, err := url.ParseQuery(rawQuery); err == nil {
		for k, vs := range q {
			if len(vs) > 0 {
				p[k] = textValue(vs[0])
			}
		}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if len(body) > 0 && isJSONType(contentType) {
			return nil, detailError(400, "JSON parse error - Expecting value: line 1 column 1 (char 0)")
		}
		return p, nil
	}
	if len(body) > MaxBodyBytes {
		return nil, tooLarge()
	}
	media := ""
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil {
			return nil, detailError(415, fmt.Sprintf("Unsupported media type %q in request.", contentType))
		}
		media = mt
	}
	switch {
	case media == "" || isJSONType(media):
		fields, err := decodeJSONObject(body)
		if err != nil {
			return nil, err
		}
		for k, v := range fields {
			p[k] = v
		}
	case media == "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, detailError(400, "Form parse error - "+err.Error())
		}
		for k, vs := range form {
			if len(vs) > 0 {
				p[k] = textValue(vs[0])
			}
		}
	default:
		return nil, detailError(415, fmt.Sprintf("Unsupported media type %q in request.", contentType))
	}
	return p, nil
}

func tooLarge() *apiError {
	return detailError(413, fmt.Sprintf("Request body exceeds %d bytes.", MaxBodyBytes))
}

func isJSONType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(ct))
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func decodeJSONObject(body []byte) (map[string]any, *apiError) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, detailError(400, "JSON parse error - "+jsonErrorText(err))
	}
	// Anything after the value other than whitespace is extra data.
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, detailError(400, "JSON parse error - Extra data")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, appError(fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", jsonKind(v)))
	}
	return m, nil
}

func jsonErrorText(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("%s (char %d)", syn.Error(), syn.Offset)
	}
	if err.Error() == "EOF" || err.Error() == "unexpected EOF" {
		return "Expecting value"
	}
	return err.Error()
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "str"
	case json.Number:
		return "int"
	case bool:
		return "bool"
	case nil:
		return "NoneType"
	}
	return "object"
}

func invalid(name, want string) *apiError {
	return appError(fmt.Sprintf("Invalid value for %s: %s.", name, want))
}

func missing(name string) *apiError {
	return appError(fmt.Sprintf("Missing required field: %s.", name))
}

// has reports whether name is present and not null.
func (p params) has(name string) bool {
	v, ok := p[name]
	return ok && v != nil
}

// int64 reads an integer: a JSON number with no fraction or a decimal string
// (clients pass string ids from search results straight on). Absent or null
// gives ok=false.
func (p params) int64(name string) (n int64, ok bool, e *apiError) {
	v, present := p[name]
	if !present || v == nil {
		return 0, false, nil
	}
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i, true, nil
		}
		f, err := t.Float64()
		if err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), true, nil
		}
	case string, textValue:
		text, _ := asString(t)
		if i, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64); err == nil {
			return i, true, nil
		}
	}
	return 0, false, invalid(name, "a valid integer is required")
}

func (p params) requiredInt64(name string) (int64, *apiError) {
	n, ok, err := p.int64(name)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, missing(name)
	}
	return n, nil
}

// bool reads a boolean: a JSON boolean, or true/false/1/0 as text.
func (p params) bool(name string, def bool) (bool, *apiError) {
	v, present := p[name]
	if !present || v == nil {
		return def, nil
	}
	switch t := v.(type) {
	case bool:
		return t, nil
	case textValue:
		switch strings.ToLower(strings.TrimSpace(string(t))) {
		case "true", "1", "yes", "on", "t", "y":
			return true, nil
		case "false", "0", "no", "off", "f", "n", "":
			return false, nil
		}
	}
	return false, invalid(name, "must be a valid boolean")
}

// str reads a string: a JSON string or a text parameter, nothing else.
func (p params) str(name string) (s string, ok bool, e *apiError) {
	v, present := p[name]
	if !present || v == nil {
		return "", false, nil
	}
	if text, isStr := asString(v); isStr {
		return text, true, nil
	}
	return "", false, invalid(name, "not a valid string")
}

// list reads an array (absent or null: ok=false).
func (p params) list(name string) (xs []any, ok bool, e *apiError) {
	v, present := p[name]
	if !present || v == nil {
		return nil, false, nil
	}
	if t, isList := v.([]any); isList {
		return t, true, nil
	}
	return nil, false, invalid(name, "expected a list of items")
}

// page is one page request.
type page struct{ num, size int }

const maxPageSize = 400

// page reads page and page_size (1-based); bad values are a 400.
func (p params) page(defSize int) (page, *apiError) {
	pg := page{num: 1, size: defSize}
	if n, ok, err := p.int64("page"); err != nil {
		return pg, err
	} else if ok {
		if n < 1 || n > math.MaxInt32 {
			return pg, invalid("page", "must be a positive integer")
		}
		pg.num = int(n)
	}
	if n, ok, err := p.int64("page_size"); err != nil {
		return pg, err
	} else if ok {
		if n < 1 {
			return pg, invalid("page_size", "must be a positive integer")
		}
		if n > maxPageSize {
			n = maxPageSize
		}
		pg.size = int(n)
	}
	return pg, nil
}

// paginate cuts items to the page and returns the envelope's count, next and
// previous: page numbers or null.
func paginate[T any](items []T, pg page) (out []T, count int, next, prev any) {
	count = len(items)
	start := (pg.num - 1) * pg.size
	if start < count {
		end := start + pg.size
		if end > count {
			end = count
		}
		out = items[start:end]
	}
	next, prev = nil, nil
	if pg.num*pg.size < count {
		next = pg.num + 1
	}
	if pg.num > 1 {
		prev = pg.num - 1
	}
	return list(out), count, next, prev
}

// ErrorStatus is the HTTP status of an error DecodeRequest returned.
func ErrorStatus(e *apiError) int {
	if e == nil {
		return 0
	}
	return e.status
}

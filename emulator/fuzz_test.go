package emulator_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chconform/chconform/emulator"
)

// FuzzDecodeRequest feeds arbitrary bodies, content types and query strings
// to the request decoding and then to every operation: never a panic, never
// a 5xx, always a JSON answer. The seed corpus is in testdata/fuzz.
func FuzzDecodeRequest(f *testing.F) {
	for i, b := range malformedBodies {
		f.Add(b, contentTypes[i%len(contentTypes)], "page=1&page_size=2", uint8(i))
	}
	f.Add(`{"phone_number":"+15550001234","verification_code":"1234"}`, "application/json", "", uint8(3))
	f.Add(`{"channel":"abcdefgh","attribution_source":"feed","attribution_details":"e30="}`, "application/json", "", uint8(24))
	srv := emulator.New(emulator.Options{})
	ops := srv.OperationIDs()
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, body, contentType, query string, which uint8) {
		// The decoder alone: a 4xx or params, nothing else.
		if _, err := emulator.DecodeRequest(contentType, query, []byte(body)); err != nil {
			if s := emulator.ErrorStatus(err); s < 400 || s > 499 {
				t.Fatalf("decode error with status %d", s)
			}
		}
		id := ops[int(which)%len(ops)]
		method := "POST"
		if which%5 == 0 {
			method = "GET"
		}
		req := httptest.NewRequest(method, "/api/"+id, strings.NewReader(body))
		req.URL.RawQuery = strings.Map(func(r rune) rune {
			if r < 0x21 || r == 0x7f || r == '#' {
				return -1
			}
			return r
		}, query)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("Authorization", "Token c0ffee5eed00c0ffee5eed00c0ffee5eed001234")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: %d %s", method, id, rec.Code, rec.Body.String())
		}
		if !strings.HasPrefix(rec.Body.String(), "{") {
			t.Fatalf("%s %s: not a JSON object: %q", method, id, rec.Body.String())
		}
	})
}

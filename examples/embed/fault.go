// Package embed shows chconform run from another module's `go test`: the
// whole suite against a Clubhouse-compatible http.Handler in process (here
// the project's emulator), with conformance.Run.
package embed

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
)

// WrongTypeInMe wraps h so that POST /api/me answers num_invites as a
// string ("3") where the contract says integer: one fault, in one field of
// one operation, for the suite to find.
func WrongTypeInMe(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/me" {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var me map[string]any
		if rec.Code == http.StatusOK && json.Unmarshal(body, &me) == nil {
			if n, ok := me["num_invites"].(float64); ok {
				me["num_invites"] = strconv.Itoa(int(n))
				body, _ = json.Marshal(me)
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		bytes.NewReader(body).WriteTo(w)
	})
}

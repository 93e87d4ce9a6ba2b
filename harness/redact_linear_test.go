package harness

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// tokenBody is a JSON body of about size bytes holding n distinct credential
// members: what a hostile (or merely large) target can answer.
func tokenBody(n, size int) []byte {
	var b strings.Builder
	b.WriteString(`{"users":[`)
	pad := 0
	if per := size / n; per > 42 {
		pad = per - 42
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"token":"tok-%08d-secret","name":"%s"}`, i, strings.Repeat("x", pad))
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// referenceBody is the masking Body did before it was made linear (one
// ReplaceAll over the whole body per credential member): the result the
// linear one must keep.
func referenceBody(r *Redactor, body []byte) []byte {
	var v any
	if json.Unmarshal(body, &v) == nil {
		text := string(body)
		for _, f := range collectSecretFields(v, nil) {
			quoted, err := json.Marshal(f.value)
			if err != nil {
				continue
			}
			masked := r.String(f.value)
			if masked == f.value {
				masked = "<" + f.field + ">"
			}
			text = strings.ReplaceAll(text, string(quoted), `"`+masked+`"`)
		}
		body = []byte(text)
	}
	return []byte(r.String(string(body)))
}

// The linear Body masks exactly as the quadratic one did: on the bodies of
// the redact tests and on every embedded fixture body.
func TestRedactorBodyUnchangedByLinearMasking(t *testing.T) {
	r := NewRedactor(testProfile())
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxMjM0fQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	bodies := []string{
		`{"phone_number":"+15555550103"}`,
		`{"phone_number":"+14155550000"}`,
		`{"access_token":"` + jwt + `"}`,
		`{"auth_token":"0123456789abcdef0123456789abcdef01234567"}`,
		`{"token":"agora-secret-value"}`,
		`{"user_id":1234,"name":"+ not a phone"}`,
		`{"token":"abc","other":{"token":"abc"},"note":"abc","rtm_token":"abcdef"}`,
		`{"token":"a\"b","refresh":"<jwt>","access":"","password":"p\u00e9ss"}`,
		`{"token":"short","x":[{"token":"shorter"},{"token":"short"}],"msg":"\"short\" and \"shorter\""}`,
		`{"auth_token": "e242ed3bffccdf271b7fbaf34ed72d089537b42f", "pretty": true}`,
		`not json "token":"x"`,
		string(tokenBody(200, 20000)),
	}
	_ = filepath.WalkDir("../fixtures", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err == nil {
			bodies = append(bodies, string(data))
			if i := strings.Index(string(data), "{"); i >= 0 {
				bodies = append(bodies, string(data[i:]))
			}
		}
		return nil
	})
	for _, b := range bodies {
		want := string(referenceBody(r, []byte(b)))
		if got := string(r.Body([]byte(b))); got != want {
			t.Errorf("Body(%.200s)\n got %.300s\nwant %.300s", b, got, want)
		}
	}
}

// A 546 KiB body with 10,000 credential members took 9.7 s and 4.3 GiB to
// mask when Body replaced once per member; linear masking takes milliseconds.
func TestRedactorBodyIsLinear(t *testing.T) {
	r := NewRedactor(testProfile())
	body := tokenBody(10000, 555<<10)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	out := r.Body(body)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if strings.Contains(string(out), "-secret") {
		t.Fatalf("a token survived")
	}
	// Allocation does not depend on the machine's load: the quadratic
	// masking allocated 4.3 GiB for this body, the linear one 22 MiB (about
	// 530 MiB under -race, whose instrumentation allocates too).
	allocated := after.TotalAlloc - before.TotalAlloc
	if allocated > 1<<30 {
		t.Errorf("masking a %d KiB body with 10,000 tokens allocated %d MiB", len(body)>>10, allocated>>20)
	}
	if took > 8*time.Second {
		t.Errorf("masking a %d KiB body with 10,000 tokens took %s", len(body)>>10, took)
	}
	t.Logf("%d KiB, 10,000 tokens: %s, %d MiB allocated", len(body)>>10, took, allocated>>20)
}

func BenchmarkRedactorBody1MiB10kTokens(b *testing.B) {
	r := NewRedactor(testProfile())
	body := tokenBody(10000, 1<<20)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r.Body(body)
	}
}

package capture

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func readAll(t *testing.T, name, data string) []Entry {
	t.Helper()
	var out []Entry
	if err := ReadReader(name, strings.NewReader(data), func(e Entry) error { out = append(out, e); return nil }); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.Bytes()
}

func zl(s string) []byte {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.Bytes()
}

func br(s string) []byte {
	var b bytes.Buffer
	w := brotli.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.Bytes()
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// harFile wraps entries (JSON objects) in a HAR 1.2 log, with the members
// devtools put around them.
func harFile(entries ...string) string {
	return `{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},
"pages":[{"startedDateTime":"2021-02-10T12:00:00.000Z","id":"page_1","title":"x","pageTimings":{}}],
"entries":[` + strings.Join(entries, ",\n") + `]}}`
}

// harEntryJSON is one entry: a request to /api/<op> and the response members
// given (status, headers, content).
func harEntryJSON(op, extraRequest, response string) string {
	return `{"pageref":"page_1","startedDateTime":"2021-02-10T12:00:00.123Z","time":12.5,
"request":{"method":"post","url":"https://www.clubhouseapi.com/api/` + op + `","httpVersion":"HTTP/2",
"headers":[{"name":":authority","value":"www.clubhouseapi.com"},{"name":"content-type","value":"application/json"}],
"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0` + extraRequest + `},
"response":` + response + `,"cache":{},"timings":{"send":0,"wait":12.5,"receive":0}}`
}

const okJSON = `{"success":true}`

func TestReadHAR(t *testing.T) {
	resp := func(status int, headers, content string) string {
		return `{"status":` + itoa(status) + `,"statusText":"","httpVersion":"HTTP/2","headers":[` + headers + `],"cookies":[],"content":` + content + `,"redirectURL":"","headersSize":-1,"bodySize":-1}`
	}
	jsonCT := `{"name":"content-type","value":"application/json"}`
	cases := []struct {
		name    string
		entry   string
		check   func(t *testing.T, e Entry)
		problem string
	}{
		{"plain text body", harEntryJSON("me", `,"postData":{"mimeType":"application/json","text":"{\"return_blocked_ids\":false}"}`,
			resp(200, jsonCT, `{"size":16,"mimeType":"application/json","text":`+quote(okJSON)+`}`)),
			func(t *testing.T, e Entry) {
				if e.Request.Method != "POST" || e.Request.URL != "https://www.clubhouseapi.com/api/me" || string(e.Request.Body) != `{"return_blocked_ids":false}` {
					t.Errorf("request %+v", e.Request)
				}
				if _, pseudo := e.Request.Header[":authority"]; pseudo || e.Request.Header.Get("Content-Type") != "application/json" {
					t.Errorf("request header %v", e.Request.Header)
				}
				if e.Response.Status != 200 || string(e.Response.Body) != okJSON || !e.BodyCaptured || !e.HeadersCaptured {
					t.Errorf("response %+v %v %v", e.Response, e.BodyCaptured, e.HeadersCaptured)
				}
				if e.Name != "page_1" || e.Elapsed.Microseconds() != 12500 || e.StartedAt.UnixMilli()%1000 != 123 {
					t.Errorf("name %q elapsed %s started %s", e.Name, e.Elapsed, e.StartedAt)
				}
			}, ""},
		{"base64 body", harEntryJSON("me", "", resp(200, jsonCT, `{"size":16,"mimeType":"application/json","encoding":"base64","text":"`+b64([]byte(okJSON))+`"}`)),
			func(t *testing.T, e Entry) {
				if string(e.Response.Body) != okJSON {
					t.Errorf("body %q", e.Response.Body)
				}
			}, ""},
		{"gzip body in base64", harEntryJSON("me", "", resp(200, jsonCT+`,{"name":"content-encoding","value":"gzip"}`, `{"size":16,"mimeType":"application/json","encoding":"base64","text":"`+b64(gz(okJSON))+`"}`)),
			func(t *testing.T, e Entry) {
				if string(e.Response.Body) != okJSON || e.Response.Header.Get("Content-Encoding") != "gzip" {
					t.Errorf("body %q header %v", e.Response.Body, e.Response.Header)
				}
			}, ""},
		{"zlib deflate body", harEntryJSON("me", "", resp(200, `{"name":"Content-Encoding","value":"deflate"}`, `{"size":16,"mimeType":"application/json","encoding":"base64","text":"`+b64(zl(okJSON))+`"}`)),
			func(t *testing.T, e Entry) {
				if string(e.Response.Body) != okJSON {
					t.Errorf("body %q", e.Response.Body)
				}
			}, ""},
		{"brotli body", harEntryJSON("me", "", resp(200, `{"name":"Content-Encoding","value":"br"}`, `{"size":16,"mimeType":"application/json","encoding":"base64","text":"`+b64(br(okJSON))+`"}`)),
			func(t *testing.T, e Entry) {
				if string(e.Response.Body) != okJSON {
					t.Errorf("body %q", e.Response.Body)
				}
			}, ""},
		{"decoded text kept under its Content-Encoding", harEntryJSON("me", "", resp(200, `{"name":"Content-Encoding","value":"br"}`, `{"size":16,"mimeType":"application/json","text":`+quote(okJSON)+`}`)),
			func(t *testing.T, e Entry) {
				if string(e.Response.Body) != okJSON || !e.BodyCaptured {
					t.Errorf("body %q", e.Response.Body)
				}
			}, ""},
		{"gzip header on bytes that are neither gzip nor text", harEntryJSON("me", "", resp(200, `{"name":"Content-Encoding","value":"gzip"}`, `{"size":3,"mimeType":"application/json","encoding":"base64","text":"`+b64([]byte{0xff, 0xfe, 0x00})+`"}`)),
			func(t *testing.T, e Entry) {
				if e.BodyCaptured || e.Response == nil {
					t.Errorf("captured %v", e.BodyCaptured)
				}
			}, "response body: Content-Encoding gzip, but the body is neither gzip nor text"},
		{"corrupt gzip", harEntryJSON("me", "", resp(200, `{"name":"Content-Encoding","value":"gzip"}`, `{"size":3,"mimeType":"application/json","encoding":"base64","text":"`+b64(gz(okJSON)[:12])+`"}`)),
			nil, "response body: Content-Encoding gzip, but the body is neither gzip nor text: unexpected EOF"},
		{"bad base64", harEntryJSON("me", "", resp(200, jsonCT, `{"size":3,"mimeType":"application/json","encoding":"base64","text":"!!!not base64"}`)),
			func(t *testing.T, e Entry) {
				if e.BodyCaptured || e.Response.Status != 200 {
					t.Errorf("%+v", e)
				}
			}, "response body: invalid base64 in content.text"},
		{"body not captured", harEntryJSON("me", "", resp(200, jsonCT, `{"size":1234,"mimeType":"application/json"}`)),
			func(t *testing.T, e Entry) {
				if e.BodyCaptured || e.Response.Body != nil || !e.HeadersCaptured {
					t.Errorf("%+v", e)
				}
			}, ""},
		{"empty text with a size is not captured", harEntryJSON("me", "", resp(200, jsonCT, `{"size":1234,"mimeType":"application/json","text":""}`)),
			func(t *testing.T, e Entry) {
				if e.BodyCaptured {
					t.Error("captured")
				}
			}, ""},
		// Some exports write size 0 and "" for a body they left out; the
		// bytes transferred or the Content-Length still say there was one.
		{"empty text with a Content-Length is not captured", harEntryJSON("me", "", resp(200, jsonCT+`,{"name":"Content-Length","value":"512"}`, `{"size":0,"mimeType":"application/json","text":""}`)),
			func(t *testing.T, e Entry) {
				if e.BodyCaptured {
					t.Error("captured")
				}
			}, ""},
		{"empty text with bytes transferred is not captured", harEntryJSON("me", "", strings.Replace(resp(200, jsonCT, `{"size":0,"mimeType":"application/json","text":""}`), `"bodySize":-1`, `"bodySize":300`, 1)),
			func(t *testing.T, e Entry) {
				if e.BodyCaptured {
					t.Error("captured")
				}
			}, ""},
		{"empty text with Content-Length 0 is an empty body captured", harEntryJSON("me", "", resp(200, jsonCT+`,{"name":"Content-Length","value":"0"}`, `{"size":0,"mimeType":"application/json","text":""}`)),
			func(t *testing.T, e Entry) {
				if !e.BodyCaptured {
					t.Error("not captured")
				}
			}, ""},
		{"empty body captured", harEntryJSON("me", "", resp(200, jsonCT, `{"size":0,"mimeType":"application/json","text":""}`)),
			func(t *testing.T, e Entry) {
				if !e.BodyCaptured || len(e.Response.Body) != 0 {
					t.Errorf("%+v", e)
				}
			}, ""},
		{"204 without text is a known empty body", harEntryJSON("me", "", resp(204, jsonCT, `{"size":0,"mimeType":"x-unknown"}`)),
			func(t *testing.T, e Entry) {
				if !e.BodyCaptured {
					t.Error("not captured")
				}
			}, ""},
		{"headers not captured; mimeType exposed, no header invented", harEntryJSON("me", "", resp(200, "", `{"size":16,"mimeType":"application/json","text":`+quote(okJSON)+`}`)),
			func(t *testing.T, e Entry) {
				if e.HeadersCaptured || len(e.Response.Header) != 0 || e.MimeType != "application/json" {
					t.Errorf("%+v", e)
				}
			}, ""},
		{"repeated headers", harEntryJSON("me", "", resp(200, `{"name":"Set-Cookie","value":"a=1"},{"name":"set-cookie","value":"b=2"},`+jsonCT, `{"size":0,"mimeType":"","text":""}`)),
			func(t *testing.T, e Entry) {
				if got := e.Response.Header.Values("Set-Cookie"); len(got) != 2 || got[0] != "a=1" || got[1] != "b=2" {
					t.Errorf("%v", e.Response.Header)
				}
			}, ""},
		{"form params", harEntryJSON("start_phone_number_auth", `,"postData":{"mimeType":"application/x-www-form-urlencoded","params":[{"name":"phone_number","value":"+1 555"},{"name":"b","value":"x&y"},{"name":"phone_number","value":"2"}]}`, resp(200, jsonCT, `{"size":0,"mimeType":"","text":""}`)),
			func(t *testing.T, e Entry) {
				if string(e.Request.Body) != "phone_number=%2B1+555&phone_number=2&b=x%26y" {
					t.Errorf("%q", e.Request.Body)
				}
			}, ""},
		{"status 0: no response", `{"startedDateTime":"2021-02-10T12:00:00Z","time":-1,"comment":"blocked","request":{"method":"GET","url":"https://x/api/me","headers":[]},"response":{"status":0,"statusText":"","headers":[],"content":{"size":0,"mimeType":"x-unknown"}},"_error":"net::ERR_BLOCKED_BY_CLIENT"}`,
			func(t *testing.T, e Entry) {
				if e.Response != nil || e.Name != "blocked" || e.Elapsed != 0 {
					t.Errorf("%+v", e)
				}
			}, "no response captured (status 0): net::ERR_BLOCKED_BY_CLIENT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			entries := readAll(t, "c.har", harFile(c.entry, harEntryJSON("after", "", resp(200, jsonCT, `{"size":0,"mimeType":"","text":""}`))))
			if len(entries) != 2 || entries[1].Index != 1 || entries[1].File != "c.har" || entries[1].Problem != "" {
				t.Fatalf("the file goes on after the entry: %+v", entries)
			}
			e := entries[0]
			if c.problem == "" && e.Problem != "" || !strings.HasPrefix(e.Problem, c.problem) {
				t.Errorf("problem %q, want %q", e.Problem, c.problem)
			}
			if c.check != nil {
				c.check(t, e)
			}
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestDecompressionIsCapped(t *testing.T) {
	defer func(old int64) { MaxDecodedBytes = old }(MaxDecodedBytes)
	MaxDecodedBytes = 1 << 20
	bomb := gz(strings.Repeat("0", 4<<20)) // 4 MiB of zeros: a few KiB compressed
	entry := harEntryJSON("me", "", `{"status":200,"headers":[{"name":"Content-Encoding","value":"gzip"}],"content":{"size":1,"mimeType":"text/plain","encoding":"base64","text":"`+b64(bomb)+`"}}`)
	e := readAll(t, "bomb.har", harFile(entry))[0]
	if e.Problem != "response body: decompressed body larger than 1 MiB" || e.BodyCaptured || e.Response.Body != nil {
		t.Errorf("%q %v", e.Problem, e.BodyCaptured)
	}
}

func TestReadPostman(t *testing.T) {
	collection := `{
 "info":{"_postman_id":"x","name":"Clubhouse","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
 "item":[
  {"name":"Auth","item":[
    {"name":"Phone","item":[
      {"name":"start_phone_number_auth",
       "request":{"method":"POST","header":[{"key":"CH-AppVersion","value":"0.1.28"},{"key":"X-Off","value":"1","disabled":true}],
         "url":{"raw":"{{baseUrl}}/api/start_phone_number_auth","host":["{{baseUrl}}"],"path":["api","start_phone_number_auth"]},
         "body":{"mode":"raw","raw":"{\"phone_number\":\"+15555550100\"}"}},
       "response":[
         {"name":"sent","originalRequest":{"method":"post","header":[],"url":"https://www.clubhouseapi.com/api/start_phone_number_auth","body":{"mode":"raw","raw":"{}"}},
          "status":"OK","code":200,"header":[{"key":"Content-Type","value":"application/json"}],"body":"{\"success\":true}","responseTime":42},
         {"name":"no status","header":null,"body":null}
       ]}
    ]}
  ]},
  {"name":"me","request":{"method":"POST","url":{"protocol":"https","host":["www","clubhouseapi","com"],"path":["api","me"],"query":[{"key":"a","value":"1"},{"key":"off","value":"2","disabled":true}]},
     "body":{"mode":"urlencoded","urlencoded":[{"key":"k","value":"v w"}]}},
   "response":[{"name":"ok","code":204,"header":[{"key":"X","value":"1"}]}]},
  {"name":"no responses","request":"https://x/api/get_feed","response":[]}
 ],
 "variable":[{"key":"baseUrl","value":"https://www.clubhouseapi.com"}]
}`
	entries := readAll(t, "clubhouse.postman_collection.json", collection)
	if len(entries) != 3 {
		t.Fatalf("%d entries: %+v", len(entries), entries)
	}
	sent, nostatus, me := entries[0], entries[1], entries[2]
	if sent.Index != 0 || sent.Name != "Auth/Phone/start_phone_number_auth › sent" || sent.Request.Method != "POST" ||
		sent.Request.URL != "https://www.clubhouseapi.com/api/start_phone_number_auth" || string(sent.Request.Body) != "{}" {
		t.Errorf("originalRequest: %+v", sent)
	}
	if sent.Response.Status != 200 || string(sent.Response.Body) != okJSON || !sent.BodyCaptured || !sent.HeadersCaptured || sent.Problem != "" || sent.Elapsed.Milliseconds() != 42 {
		t.Errorf("saved response: %+v", sent)
	}
	if nostatus.Problem != "no status saved" || nostatus.Response == nil || nostatus.Response.Status != 0 || nostatus.BodyCaptured || nostatus.HeadersCaptured {
		t.Errorf("no status: %+v", nostatus)
	}
	// Without originalRequest, the item's request: {{variables}} stay, disabled headers go.
	if nostatus.Request.URL != "{{baseUrl}}/api/start_phone_number_auth" || nostatus.Request.Header.Get("CH-AppVersion") != "0.1.28" ||
		nostatus.Request.Header.Get("X-Off") != "" || string(nostatus.Request.Body) != `{"phone_number":"+15555550100"}` {
		t.Errorf("item request: %+v", nostatus.Request)
	}
	if me.Index != 2 || me.Name != "me › ok" || me.Request.URL != "https://www.clubhouseapi.com/api/me?a=1" || string(me.Request.Body) != "k=v+w" ||
		me.Response.Status != 204 || !me.BodyCaptured {
		t.Errorf("url object: %+v", me)
	}
}

func TestReadErrors(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
	good := harEntryJSON("me", "", `{"status":200,"headers":[],"content":{"size":0,"mimeType":"","text":""}}`)
	full := harFile(good, good, good)
	third := strings.LastIndex(full, `{"pageref"`)
	cases := []struct {
		name, data string
		delivered  int
		want       string
		is         error
	}{
		{"empty file", "", 0, "x.json: empty file", ErrEmpty},
		{"blank file", " \n\t", 0, "x.json: empty file", ErrEmpty},
		{"JSON array", `[{"log":{}}]`, 0, "x.json: not a HAR 1.2 file nor a Postman v2.1 collection (a JSON array, not an object)", ErrNotCapture},
		{"YAML", "openapi: 3.0.3\ninfo:\n  title: x\n", 0, "x.json: not a HAR 1.2 file nor a Postman v2.1 collection (not JSON)", ErrNotCapture},
		{"PNG", png, 0, "x.json: not a HAR 1.2 file nor a Postman v2.1 collection (not JSON)", ErrNotCapture},
		{"other JSON object", `{"openapi":"3.0.3","paths":{"/me":{}}}`, 0, "x.json: not a HAR 1.2 file nor a Postman v2.1 collection", ErrNotCapture},
		{"Postman v1", `{"id":"x","name":"y","requests":[]}`, 0, "x.json: not a HAR 1.2 file nor a Postman v2.1 collection", ErrNotCapture},
		{"Postman other schema", `{"info":{"schema":"https://schema.getpostman.com/json/collection/v1.0.0/collection.json"},"item":[]}`, 0, "x.json: not a HAR 1.2 file nor a Postman v2.1 collection (Postman schema https://schema.getpostman.com/json/collection/v1.0.0/collection.json)", ErrNotCapture},
		{"log.entries missing", `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"pages":[]}}`, 0, "x.json: a HAR file without log.entries", nil},
		{"log.entries not an array", `{"log":{"entries":{}}}`, 0, "x.json: log.entries is a JSON object, not an array", nil},
		{"truncated in the middle of entry 2", full[:third+40], 2, "x.json: entry 2: truncated JSON", ErrTruncated},
		{"truncated after the comma of entry 1", full[:third], 2, "x.json: entry 2: truncated JSON", ErrTruncated},
		{"truncated after the last entry", full[:len(full)-2], 3, "x.json: truncated JSON", ErrTruncated},
		{"truncated envelope", `{"log":{"version":"1.`, 0, "x.json: truncated JSON", ErrTruncated},
		{"status not a number", harFile(good, strings.Replace(good, `"status":200`, `"status":"200"`, 1)), 1, "x.json: entry 1: response.status: a JSON string where a number belongs", nil},
		{"entry not an object", harFile(good, `42`), 1, "x.json: entry 1: a JSON number where an object belongs", nil},
		{"invalid JSON in entry 0", harFile(`{"request":{"method":GET}}`), 0, "x.json: entry 0: invalid JSON at byte", nil},
		{"Postman item not an array", `{"info":{"schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},"item":{}}`, 0, "x.json: item is a JSON object, not an array", nil},
		{"Postman without item", `{"info":{"schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}}`, 0, "x.json: a Postman collection without an item array", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := 0
			err := ReadReader("x.json", strings.NewReader(c.data), func(Entry) error { n++; return nil })
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("not an *Error: %v", err)
			}
			if !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error %q, want %q", err, c.want)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("%v is not %v", err, c.is)
			}
			if n != c.delivered {
				t.Errorf("%d entries delivered before the error, want %d", n, c.delivered)
			}
		})
	}
}

func TestReadMissingFile(t *testing.T) {
	err := Read(filepath.Join(t.TempDir(), "nope.har"), func(Entry) error { return nil })
	var ce *Error
	if !errors.As(err, &ce) || ce.Index != -1 || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%v", err)
	}
}

func TestCallbackErrorStopsTheRead(t *testing.T) {
	stop := errors.New("enough")
	good := harEntryJSON("me", "", `{"status":200,"headers":[],"content":{"size":0,"mimeType":"","text":""}}`)
	n := 0
	err := ReadReader("x.har", strings.NewReader(harFile(good, good, good)), func(Entry) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("%v after %d", err, n)
	}
}

// endless is a HAR file whose first entry never ends: a postData text of
// size bytes, produced as it is read (no memory, no disk).
type endless struct {
	head []byte
	left int64
}

func (r *endless) Read(p []byte) (int, error) {
	if len(r.head) > 0 {
		n := copy(p, r.head)
		r.head = r.head[n:]
		return n, nil
	}
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), r.left)
	for i := range p[:n] {
		p[i] = 'a'
	}
	r.left -= n
	return int(n), nil
}

func TestHugeEntryIsAnErrorNotMemory(t *testing.T) {
	defer func(old int64) { MaxEntryBytes = old }(MaxEntryBytes)
	MaxEntryBytes = 1 << 20
	small := harEntryJSON("me", "", `{"status":200,"headers":[],"content":{"size":0,"mimeType":"","text":""}}`)
	// A 2 GB file: one small entry, then one that does not fit the budget.
	r := &endless{head: []byte(`{"log":{"version":"1.2","entries":[` + small + `,{"request":{"method":"POST","url":"https://x/api/me","postData":{"text":"`), left: 2 << 30}
	n := 0
	err := ReadReader("big.har", r, func(Entry) error { n++; return nil })
	if err == nil || err.Error() != "big.har: entry 1: larger than 1 MiB" || !errors.Is(err, ErrTooLarge) || n != 1 {
		t.Fatalf("%v (%d delivered)", err, n)
	}
	if read := int64(2<<30) - r.left; read > 3<<20 {
		t.Errorf("read %d bytes of the file before giving up", read)
	}
}

func TestTheBudgetIsPerEntry(t *testing.T) {
	defer func(old int64) { MaxEntryBytes = old }(MaxEntryBytes)
	MaxEntryBytes = 2 << 10
	entry := harEntryJSON("me", "", `{"status":200,"headers":[],"content":{"size":0,"mimeType":"","text":""}}`)
	if len(entry) > 2<<10 {
		t.Fatalf("the entry alone is over the budget: %d bytes", len(entry))
	}
	entries := make([]string, 100) // 100 entries: far more than the budget in all
	for i := range entries {
		entries[i] = entry
	}
	if got := readAll(t, "many.har", harFile(entries...)); len(got) != 100 {
		t.Errorf("%d entries", len(got))
	}
}

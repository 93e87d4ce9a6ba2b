package capture

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// readBoth reads data with the encoding/json reader (a reader that cannot
// seek back) and with the fast one (one that can), and fails unless they
// deliver the same entries and the same error.
func readBoth(t *testing.T, name string, data []byte) {
	t.Helper()
	read := func(r io.Reader) ([]Entry, error) {
		var out []Entry
		err := ReadReader(name, r, func(e Entry) error { out = append(out, e); return nil })
		return out, err
	}
	slow, slowErr := read(struct{ io.Reader }{bytes.NewReader(data)})
	fast, fastErr := read(bytes.NewReader(data))
	compare(t, name+" (fast)", slow, slowErr, fast, fastErr)
	lazy, lazyErr := readLazily(name, data)
	compare(t, name+" (lazy)", slow, slowErr, lazy, lazyErr)
}

// readLazily reads data as the audit's workers do: the reader hands over
// entries undecoded; at the first one Decode refuses, the read stops and
// the file is read again from that entry.
func readLazily(name string, data []byte) ([]Entry, error) {
	var out []Entry
	undecodable := -1
	stop := errors.New("stop")
	err := readReader(name, bytes.NewReader(data), func(e Entry) error { out = append(out, e); return nil }, func(p *Pending) error {
		e, ok := p.Decode()
		if !ok {
			undecodable = p.Index()
			return stop
		}
		out = append(out, e)
		return nil
	})
	if undecodable < 0 {
		return out, err
	}
	err = ReadReader(name, bytes.NewReader(data), func(e Entry) error {
		if e.Index >= undecodable {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// compare fails unless two reads delivered the same entries and error.
func compare(t *testing.T, name string, slow []Entry, slowErr error, fast []Entry, fastErr error) {
	t.Helper()
	if errString(slowErr) != errString(fastErr) {
		t.Fatalf("%s: error %q from encoding/json, %q from the fast reader", name, errString(slowErr), errString(fastErr))
	}
	for _, is := range []error{ErrTruncated, ErrTooLarge, ErrEmpty, ErrNotCapture} {
		if errors.Is(slowErr, is) != errors.Is(fastErr, is) {
			t.Fatalf("%s: errors.Is(%v) differs: %v / %v", name, is, slowErr, fastErr)
		}
	}
	if len(slow) != len(fast) {
		t.Fatalf("%s: %d entries from encoding/json, %d from the fast reader", name, len(slow), len(fast))
	}
	for i := range slow {
		if !reflect.DeepEqual(slow[i], fast[i]) {
			t.Fatalf("%s: entry %d differs:\nencoding/json %+v\nfast          %+v", name, i, slow[i], fast[i])
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// awkwardEntries are entries of every shape the fast parser decodes itself
// (fast: true) and of shapes it leaves to encoding/json.
func awkwardEntries() []struct {
	name  string
	entry string
	fast  bool
} {
	resp := func(status, headers, content string) string {
		return `{"status":` + status + `,"statusText":"OK","httpVersion":"HTTP/2","headers":[` + headers + `],"cookies":[{"name":"c","value":"v","path":"/","expires":null,"httpOnly":true,"secure":false}],"content":` + content + `,"redirectURL":"","headersSize":-1,"bodySize":-1,"_transferSize":120}`
	}
	ct := `{"name":"content-type","value":"application/json"}`
	escaped := `"{\"a\":\"\\\"q\\\" \\\\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00 lone \ud800 \udc00 pair-broken \ud800\u0041 \u0000\",\"b\":[1,2]}"`
	return []struct {
		name  string
		entry string
		fast  bool
	}{
		{"plain", harEntryJSON("me", "", resp("200", ct, `{"size":16,"mimeType":"application/json","text":`+quote(okJSON)+`}`)), true},
		{"escapes and surrogates", harEntryJSON("me", "", resp("200", ct, `{"size":10,"mimeType":"application/json","text":`+escaped+`}`)), true},
		{"raw UTF-8 and invalid UTF-8", harEntryJSON("me", "", resp("200", ct, "{\"size\":10,\"mimeType\":\"text/plain\",\"text\":\"caf\xc3\xa9 \xff\xfe bad \xc3\"}")), true},
		{"base64 body", harEntryJSON("me", "", resp("200", ct, `{"size":16,"mimeType":"application/json","encoding":"base64","text":"`+b64([]byte(okJSON))+`"}`)), true},
		{"invalid base64", harEntryJSON("me", "", resp("200", ct, `{"size":16,"mimeType":"application/json","encoding":"base64","text":"!!!"}`)), true},
		{"gzip in base64", harEntryJSON("me", "", resp("200", ct+`,{"name":"Content-Encoding","value":"gzip"}`, `{"size":16,"mimeType":"application/json","encoding":"base64","text":"`+b64(gz(okJSON))+`"}`)), true},
		{"no content text", harEntryJSON("me", "", resp("200", ct, `{"size":16,"mimeType":"application/json"}`)), true},
		{"empty text, size 0", harEntryJSON("me", "", resp("200", ct, `{"size":0,"mimeType":"application/json","text":""}`)), true},
		{"empty text, Content-Length", harEntryJSON("me", "", resp("200", ct+`,{"name":"content-length","value":"12"}`, `{"size":0,"mimeType":"application/json","text":""}`)), true},
		{"non-JSON body", harEntryJSON("me", "", resp("502", `{"name":"content-type","value":"text/html"}`, `{"size":20,"mimeType":"text/html","text":"<html>\n<b>bad gateway</b></html>"}`)), true},
		{"our own extensions", harEntryJSON("me", "", resp("200", ct, `{"size":16,"mimeType":"application/json","text":`+quote(okJSON)+`,"_decoded":true,"_truncated":false}`)) + ``, true},
		{"problem and error", strings.Replace(harEntryJSON("me", "", resp("0", "", `{"size":0,"mimeType":""}`)), `"cache":{}`, `"cache":{"beforeRequest":null},"_error":"net::ERR_FAILED","_problem":"kept","comment":"c\u00e9"`, 1), true},
		{"post data text", harEntryJSON("me", `,"postData":{"mimeType":"application/json","text":"{\"x\":\"\\u00e9\"}"}`, resp("200", ct, `{"size":2,"mimeType":"application/json","text":"{}"}`)), true},
		{"post data base64", harEntryJSON("me", `,"postData":{"mimeType":"application/octet-stream","text":"`+b64([]byte{0, 1, 2})+`","_encoding":"base64"}`, resp("204", "", `{"size":0,"mimeType":""}`)), true},
		{"post data params", harEntryJSON("me", `,"postData":{"mimeType":"application/x-www-form-urlencoded","params":[{"name":"b","value":"1 2"},{"name":"a","value":"&"},{"name":"b","value":"3","fileName":"f","contentType":"text/plain"}]}`, resp("200", ct, `{"size":2,"mimeType":"application/json","text":"{}"}`)), true},
		{"post data empty params", harEntryJSON("me", `,"postData":{"mimeType":"x","params":[]}`, resp("200", ct, `{"size":2,"mimeType":"application/json","text":"{}"}`)), true},
		{"unknown members of every kind", strings.Replace(harEntryJSON("me", `,"_x":{"a":[1,-0,2.5e3,1E-2,true,false,null,"s\"",{"b":{}},[]]}`, resp("200", ct, `{"size":2,"mimeType":"application/json","text":"{}","compression":0}`)), `"cache":{}`, "\t\r\n \"cache\" \n:\t{ } ,\"_resourceType\":\"xhr\",\"_k\":[ ]", 1), true},
		{"empty headers", harEntryJSON("me", "", resp("200", "", `{"size":2,"mimeType":"application/json","text":"{}"}`)), true},
		{"null response", harEntryJSON("me", "", "null"), false},
		{"null content text", harEntryJSON("me", "", resp("200", ct, `{"size":2,"mimeType":"application/json","text":null}`)), false},
		{"null headers", harEntryJSON("me", "", strings.Replace(resp("200", ct, `{"size":2,"text":"{}"}`), `"headers":[`+ct+`]`, `"headers":null`, 1)), false},
		{"null string field", strings.Replace(harEntryJSON("me", "", resp("200", ct, `{"size":2,"text":"{}"}`)), `"pageref":"page_1"`, `"pageref":null`, 1), false},
		{"a key matched by case", strings.Replace(harEntryJSON("me", "", resp("200", ct, `{"size":2,"text":"{}"}`)), `"pageref"`, `"PageRef"`, 1), false},
		{"a key matched through an escape", strings.Replace(harEntryJSON("me", "", resp("200", ct, `{"size":2,"text":"{}"}`)), `"pageref"`, `"page\u0072ef"`, 1), false},
		{"a non-ASCII key", strings.Replace(harEntryJSON("me", "", resp("200", ct, `{"size":2,"text":"{}"}`)), `"cache"`, "\"\u212acache\"", 1), false},
		{"a duplicate member", strings.Replace(harEntryJSON("me", "", resp("200", ct, `{"size":2,"text":"{}"}`)), `"time":12.5`, `"time":1,"time":12.5`, 1), false},
		{"a duplicate object member", strings.Replace(harEntryJSON("me", "", resp("200", ct, `{"size":2,"text":"{}"}`)), `"request":{"method":"post",`, `"request":{"method":"get"},"request":{`, 1), false},
		{"status 200.0", harEntryJSON("me", "", resp("200.0", ct, `{"size":2,"text":"{}"}`)), false},
		{"status a string", harEntryJSON("me", "", resp(`"200"`, ct, `{"size":2,"text":"{}"}`)), false},
		{"time out of range", strings.Replace(harEntryJSON("me", "", resp("200", ct, `{"size":2,"text":"{}"}`)), `"time":12.5`, `"time":1e400`, 1), false},
		{"size past int64", harEntryJSON("me", "", resp("200", ct, `{"size":99999999999999999999,"text":"{}"}`)), false},
		{"cache not an object", strings.Replace(harEntryJSON("me", "", resp("200", ct, `{"size":2,"text":"{}"}`)), `"cache":{}`, `"cache":[]`, 1), false},
		{"deep unknown member", harEntryJSON("me", `,"_deep":`+strings.Repeat("[", 600)+strings.Repeat("]", 600), resp("200", ct, `{"size":2,"text":"{}"}`)), false},
		{"a header element not an object", harEntryJSON("me", "", resp("200", ct+`,"x"`, `{"size":2,"text":"{}"}`)), false},
	}
}

// TestFastParserDecodesAsEncodingJSON: each entry the fast parser decodes
// is the harEntry encoding/json makes of it, and the shapes it is not sure
// of are left to encoding/json.
func TestFastParserDecodesAsEncodingJSON(t *testing.T) {
	for _, c := range awkwardEntries() {
		t.Run(c.name, func(t *testing.T) {
			var want *harEntry
			wantErr := json.Unmarshal([]byte(c.entry), &want)
			got, ok := (&fastParser{}).entry([]byte(c.entry))
			if ok != c.fast {
				t.Fatalf("fast path taken: %v, want %v (encoding/json: %v)", ok, c.fast, wantErr)
			}
			if ok && (wantErr != nil || !reflect.DeepEqual(got.entry(), want.entry())) {
				t.Fatalf("fast %+v\nencoding/json %+v (%v)", got.entry(), want.entry(), wantErr)
			}
		})
	}
}

// TestFastReaderMatchesEncodingJSON reads captures of awkward entries, every
// truncation of one, and random corruptions of it, with both readers.
func TestFastReaderMatchesEncodingJSON(t *testing.T) {
	var all []string
	for _, c := range awkwardEntries() {
		all = append(all, c.entry)
		readBoth(t, c.name, []byte(harFile(c.entry)))
		readBoth(t, c.name+" twice", []byte(harFile(c.entry, c.entry)))
	}
	readBoth(t, "all", []byte(harFile(all...)))

	good := awkwardEntries()[0].entry
	envelopes := map[string]string{
		"members after entries":    `{"log":{"entries":[` + good + `],"pages":[{"a":[1,{"b":null}]}],"comment":"x"},"z":1}`,
		"two entries arrays":       `{"log":{"entries":[` + good + `],"entries":[` + good + `,` + good + `]}}`,
		"no entries":               `{"log":{"entries":[]}}`,
		"whitespace everywhere":    " \n{ \"log\" : { \"entries\" : [ \n" + good + " \t, \r\n" + good + " \n ] \n } \n } \n",
		"trailing garbage":         `{"log":{"entries":[` + good + `]}} garbage`,
		"an entry that is null":    `{"log":{"entries":[` + good + `,null]}}`,
		"an entry that is 42":      `{"log":{"entries":[` + good + `,42]}}`,
		"a missing comma":          `{"log":{"entries":[` + good + good + `]}}`,
		"a trailing comma":         `{"log":{"entries":[` + good + `,]}}`,
		"entries closed by brace":  `{"log":{"entries":[` + good + `}}`,
		"bad JSON in entry":        `{"log":{"entries":[` + good + `,{"request":{"method":GET}}]}}`,
		"bad JSON after entries":   `{"log":{"entries":[` + good + `],"pages":[1,]}}`,
		"brackets in strings":      `{"log":{"entries":[` + strings.Replace(good, `"cache":{}`, `"cache":{"x":"}]\\\"}{[\\\\"}`, 1) + `]}}`,
		"unbalanced close":         `{"log":{"entries":[{"request":]]}}]}}`,
		"postman after a HAR-like": `{"info":{"schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},"item":[]}`,
	}
	for name, data := range envelopes {
		readBoth(t, name, []byte(data))
	}

	file := []byte(harFile(all[0], all[1], all[13], all[16]))
	for n := range len(file) {
		readBoth(t, "truncated at "+itoa(n), file[:n])
	}
	rng := rand.New(rand.NewSource(20))
	for i := range 2000 {
		mutant := bytes.Clone(file)
		for range 1 + rng.Intn(3) {
			const alphabet = `{}[],:"\ 0a-.e`
			mutant[rng.Intn(len(mutant))] = alphabet[rng.Intn(len(alphabet))]
		}
		readBoth(t, "mutant "+itoa(i), mutant)
	}
}

// TestFastReaderEntryPastTheBudget: an entry past MaxEntryBytes is the
// encoding/json reader's error, after the same entries.
func TestFastReaderEntryPastTheBudget(t *testing.T) {
	defer func(old int64) { MaxEntryBytes = old }(MaxEntryBytes)
	MaxEntryBytes = 64 << 10
	small := awkwardEntries()[0].entry
	huge := harEntryJSON("me", "", `{"status":200,"headers":[],"content":{"size":1,"mimeType":"text/plain","text":"`+strings.Repeat("a", 200<<10)+`"}}`)
	near := harEntryJSON("me", "", `{"status":200,"headers":[],"content":{"size":1,"mimeType":"text/plain","text":"`+strings.Repeat("a", 63<<10)+`"}}`)
	for name, data := range map[string]string{
		"huge second":  harFile(small, huge, small),
		"huge first":   harFile(huge),
		"near the cap": harFile(small, near, small),
	} {
		readBoth(t, name, []byte(data))
	}
	var n int
	err := ReadReader("x.har", strings.NewReader(harFile(small, huge)), func(Entry) error { n++; return nil })
	if !errors.Is(err, ErrTooLarge) || n != 1 {
		t.Errorf("%v after %d entries", err, n)
	}
}

// TestFastReaderCallbackErrorIsNotReplayed: fn's error stops the fast read
// as it stops the slow one, and the file is not read again.
func TestFastReaderCallbackErrorIsNotReplayed(t *testing.T) {
	stop := errors.New("enough")
	good := awkwardEntries()[0].entry
	n := 0
	err := ReadReader("x.har", strings.NewReader(harFile(good, good, good)), func(Entry) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("%v after %d", err, n)
	}
}

// A body given back with Recycle goes to the pool of the next entries'
// bodies (sync.Pool: whether it is reused is the runtime's call, so not
// checked here), and with PoisonRecycled on it is overwritten at once: what still pointed into it
// (which no caller may keep) reads '#'s. An audit's reports are compared
// with it on (audit's TestTheFastReaderAndWorkersWriteTheSameReports).
func TestRecycledBodiesArePoisonedForTests(t *testing.T) {
	defer PoisonRecycled(true)()
	data := []byte(`{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[` +
		`{"startedDateTime":"2026-01-01T00:00:00Z","time":1,"request":{"method":"GET","url":"https://x.example/api/me","httpVersion":"HTTP/1.1","headers":[],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},` +
		`"response":{"status":200,"statusText":"","httpVersion":"HTTP/1.1","headers":[],"cookies":[],"content":{"size":11,"mimeType":"application/json","text":"{\"a\":\"b\"}"},"redirectURL":"","headersSize":-1,"bodySize":-1},"cache":{},"timings":{"send":0,"wait":1,"receive":0}}]}}`)
	var kept []byte
	err := ReadReader("t.har", bytes.NewReader(data), func(e Entry) error {
		kept = e.Response.Body
		if string(kept) != `{"a":"b"}` {
			t.Fatalf("body read: %q", kept)
		}
		Recycle(&e)
		if e.Response.Body != nil {
			t.Error("Recycle left the body on the entry")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(kept) != "#########" {
		t.Errorf("a recycled body still reads %q: not overwritten", kept)
	}
}

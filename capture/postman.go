package capture

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chconform/chconform/harness"
)

// postmanInfo is the collection's info; only the schema matters.
type postmanInfo struct {
	Name   string `json:"name"`
	Schema string `json:"schema"`
}

// check accepts the v2 schemas (v2.1.0, and v2.0.0 whose items have the same
// shape); an info without a schema is taken for one.
func (i *postmanInfo) check() error {
	if i.Schema == "" || strings.Contains(i.Schema, "/v2.1") || strings.Contains(i.Schema, "/v2.0") {
		return nil
	}
	return fmt.Errorf("%w (Postman schema %s)", ErrNotCapture, i.Schema)
}

type pmItem struct {
	Name     string          `json:"name"`
	Item     []pmItem        `json:"item"`
	Request  json.RawMessage `json:"request"`
	Response []pmResponse    `json:"response"`
}

type pmRequest struct {
	Method string    `json:"method"`
	Header pmHeaders `json:"header"`
	URL    pmURL     `json:"url"`
	Body   *pmBody   `json:"body"`
}

type pmKV struct {
	Key      string  `json:"key"`
	Value    *string `json:"value"`
	Disabled bool    `json:"disabled"`
}

// pmHeaders is [{key,value,disabled}], or the string form "Name: value\n...".
type pmHeaders []pmKV

func (h *pmHeaders) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		for _, line := range strings.Split(s, "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			v = strings.TrimSpace(v)
			*h = append(*h, pmKV{Key: strings.TrimSpace(k), Value: &v})
		}
		return nil
	}
	var kvs []pmKV
	if err := json.Unmarshal(b, &kvs); err != nil {
		return err
	}
	*h = kvs
	return nil
}

func (h pmHeaders) header() http.Header {
	out := http.Header{}
	for _, kv := range h {
		if kv.Disabled || kv.Key == "" {
			continue
		}
		v := ""
		if kv.Value != nil {
			v = *kv.Value
		}
		out.Add(kv.Key, v)
	}
	return out
}

// pmURL is a URL string, or {raw, protocol, host, port, path, query}: raw
// when it is there, else put together from the parts. {{variables}} stay.
type pmURL string

func (u *pmURL) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*u = pmURL(s)
		return nil
	}
	var o struct {
		Raw      string          `json:"raw"`
		Protocol string          `json:"protocol"`
		Host     json.RawMessage `json:"host"`
		Port     string          `json:"port"`
		Path     json.RawMessage `json:"path"`
		Query    []pmKV          `json:"query"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	if o.Raw != "" {
		*u = pmURL(o.Raw)
		return nil
	}
	var b2 strings.Builder
	if o.Protocol != "" {
		b2.WriteString(o.Protocol + "://")
	}
	b2.WriteString(strings.Join(parts(o.Host), "."))
	if o.Port != "" {
		b2.WriteString(":" + o.Port)
	}
	for _, p := range parts(o.Path) {
		b2.WriteString("/" + p)
	}
	sep := "?"
	for _, q := range o.Query {
		if q.Disabled {
			continue
		}
		b2.WriteString(sep + q.Key)
		if q.Value != nil {
			b2.WriteString("=" + *q.Value)
		}
		sep = "&"
	}
	*u = pmURL(b2.String())
	return nil
}

// parts reads a host or path: a string ("a.b" or "a/b"), or an array of
// strings or of {value} objects.
func parts(raw json.RawMessage) []string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{strings.TrimPrefix(s, "/")}
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, item := range list {
		var v string
		if json.Unmarshal(item, &v) == nil {
			out = append(out, v)
			continue
		}
		var o struct {
			Value string `json:"value"`
		}
		if json.Unmarshal(item, &o) == nil {
			out = append(out, o.Value)
		}
	}
	return out
}

type pmBody struct {
	Mode       string `json:"mode"`
	Raw        string `json:"raw"`
	URLEncoded []pmKV `json:"urlencoded"`
	GraphQL    *struct {
		Query     string `json:"query"`
		Variables string `json:"variables"`
	} `json:"graphql"`
	Disabled bool `json:"disabled"`
}

func (b *pmBody) bytes() []byte {
	if b == nil || b.Disabled {
		return nil
	}
	switch b.Mode {
	case "raw", "":
		if b.Raw == "" {
			return nil
		}
		return []byte(b.Raw)
	case "urlencoded":
		var parts []string
		for _, kv := range b.URLEncoded {
			if kv.Disabled {
				continue
			}
			v := ""
			if kv.Value != nil {
				v = *kv.Value
			}
			parts = append(parts, url.QueryEscape(kv.Key)+"="+url.QueryEscape(v))
		}
		return []byte(strings.Join(parts, "&"))
	case "graphql":
		if b.GraphQL == nil {
			return nil
		}
		out := map[string]any{"query": b.GraphQL.Query}
		if b.GraphQL.Variables != "" {
			out["variables"] = json.RawMessage(b.GraphQL.Variables)
		}
		data, err := json.Marshal(out)
		if err != nil {
			return nil
		}
		return data
	}
	return nil // formdata and file bodies are not kept in a collection
}

type pmResponse struct {
	Name            string          `json:"name"`
	OriginalRequest json.RawMessage `json:"originalRequest"`
	Code            *int            `json:"code"`
	Header          pmHeaders       `json:"header"`
	Body            *string         `json:"body"`
	ResponseTime    *float64        `json:"responseTime"`
}

// request reads a request: an object, or the string form (a URL to GET).
func request(raw json.RawMessage) (harness.Request, error) {
	r := harness.Request{Method: http.MethodGet, Header: http.Header{}}
	if len(raw) == 0 || string(raw) == "null" {
		return r, errors.New("no request")
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		r.URL = s
		return r, nil
	}
	var pr pmRequest
	if err := json.Unmarshal(raw, &pr); err != nil {
		return r, err
	}
	if pr.Method != "" {
		r.Method = strings.ToUpper(pr.Method)
	}
	r.URL = string(pr.URL)
	r.Header = pr.Header.header()
	r.Body = pr.Body.bytes()
	return r, nil
}

// postmanItems streams the top-level items, one decoded at a time.
func (s *stream) postmanItems() error {
	t, err := s.token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != '[' {
		return s.fail(-1, fmt.Errorf("item is a JSON %s, not an array", jsonKind(t)))
	}
	for s.dec.More() {
		s.reset()
		var it *pmItem
		if err := s.dec.Decode(&it); err != nil {
			return s.jsonErr(s.next, err)
		}
		if it == nil {
			continue
		}
		if err := s.walk(it, ""); err != nil {
			return err
		}
	}
	_, err = s.token() // ]
	return err
}

// walk delivers the saved responses of an item and of the items it holds,
// depth first.
func (s *stream) walk(it *pmItem, folder string) error {
	name := it.Name
	if folder != "" {
		name = folder + "/" + it.Name
	}
	if it.Item != nil {
		for i := range it.Item {
			if err := s.walk(&it.Item[i], name); err != nil {
				return err
			}
		}
		return nil
	}
	for _, resp := range it.Response {
		if err := s.deliver(postmanEntry(name, it.Request, resp)); err != nil {
			return err
		}
	}
	return nil
}

func postmanEntry(name string, itemRequest json.RawMessage, resp pmResponse) Entry {
	e := Entry{Name: name}
	if resp.Name != "" {
		e.Name += " › " + resp.Name
	}
	var problems []string
	raw := resp.OriginalRequest
	if len(raw) == 0 || string(raw) == "null" {
		raw = itemRequest
	}
	req, err := request(raw)
	if err != nil {
		problems = append(problems, "request: "+err.Error())
	}
	e.Request = req
	e.Response = &harness.Response{Header: resp.Header.header()}
	e.HeadersCaptured = len(e.Response.Header) > 0
	if resp.Code != nil {
		e.Response.Status = *resp.Code
	} else {
		problems = append(problems, "no status saved")
	}
	if resp.ResponseTime != nil && *resp.ResponseTime > 0 {
		e.Elapsed = time.Duration(*resp.ResponseTime * float64(time.Millisecond))
	}
	switch {
	case resp.Body != nil:
		body, err := decodeBody([]byte(*resp.Body), e.Response.Header.Values("Content-Encoding"))
		if err != nil {
			problems = append(problems, "response body: "+err.Error())
		} else {
			e.Response.Body, e.BodyCaptured = body, true
			if len(body) == 0 {
				e.Response.Body = nil
			}
		}
	case resp.Code != nil && noBody(req.Method, *resp.Code):
		e.BodyCaptured = true
	}
	e.Problem = strings.Join(problems, "; ")
	return e
}

package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// EncodeFixture writes a fixture as YAML in a fixed field order, with bodies
// as indented JSON in literal blocks, so a recorded exchange reads top to
// bottom and diffs line by line.
func EncodeFixture(f *Fixture) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "description: %s\n", quote(f.Description))
	if f.Example != "" {
		fmt.Fprintf(&b, "example: %s\n", quote(f.Example))
	}
	b.WriteString("request:\n")
	fmt.Fprintf(&b, "  method: %s\n", f.Request.Method)
	fmt.Fprintf(&b, "  path: %s\n", quote(f.Request.Path))
	if f.Request.Query != nil {
		writeMap(&b, "query", f.Request.Query)
	}
	writeMap(&b, "headers", f.Request.Headers)
	writeBody(&b, f.Request.Body)
	b.WriteString("response:\n")
	fmt.Fprintf(&b, "  status: %d\n", f.Response.Status)
	writeMap(&b, "headers", f.Response.Headers)
	writeBody(&b, f.Response.Body)
	return b.Bytes()
}

func writeMap(b *bytes.Buffer, name string, m map[string]string) {
	if m == nil {
		return
	}
	if len(m) == 0 {
		fmt.Fprintf(b, "  %s: {}\n", name)
		return
	}
	fmt.Fprintf(b, "  %s:\n", name)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(b, "    %s: %s\n", quote(k), quote(m[k]))
	}
}

func writeBody(b *bytes.Buffer, body string) {
	if body == "" {
		return
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, []byte(body), "", "  ") == nil {
		body = pretty.String()
	}
	if strings.ContainsAny(body, "\r\t") || strings.HasPrefix(body, " ") || strings.HasSuffix(body, " ") {
		fmt.Fprintf(b, "  body: %s\n", quote(body)) // a literal block cannot hold these faithfully
		return
	}
	b.WriteString("  body: |-\n")
	for _, line := range strings.Split(body, "\n") {
		if line == "" {
			b.WriteString("\n")
			continue
		}
		fmt.Fprintf(b, "    %s\n", line)
	}
}

// quote writes a YAML scalar as a JSON string, which YAML reads back exactly.
func quote(s string) string { return strconv.Quote(s) }

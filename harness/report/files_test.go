package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The renderings are made side by side; each file must still be exactly
// what its renderer alone writes, and a failure must be the first one in
// the order they used to run in (report.html before junit.xml).
func TestWriteRenderingsWritesWhatEachRendererWrites(t *testing.T) {
	s := sampleSummary()
	failures := []FailedSpec{{Spec: s.Specs[0]}}
	dir := t.TempDir()
	if err := WriteRenderings(s, failures, nil, PathsIn(dir)); err != nil {
		t.Fatal(err)
	}
	want := map[string]func(*bytes.Buffer) error{
		"report.html": func(b *bytes.Buffer) error { return WriteHTML(b, s, failures) },
		"report.md":   func(b *bytes.Buffer) error { return WriteMarkdown(b, s, failures, MarkdownLimit) },
		"junit.xml":   func(b *bytes.Buffer) error { return WriteJUnit(b, s, failures, nil) },
		"badge.json":  func(b *bytes.Buffer) error { return json.NewEncoder(b).Encode(NewBadge(s)) },
	}
	for name, render := range want {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, b.Bytes()) {
			t.Errorf("%s is not what its renderer writes alone", name)
		}
	}

	// Files where directories belong: report.html's and junit.xml's
	// writes fail; the error is report.html's, and the badge, whose path
	// is fine, is written all the same.
	blocked := t.TempDir()
	for _, name := range []string{"html", "junit"} {
		if err := os.WriteFile(filepath.Join(blocked, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ok := t.TempDir()
	err := WriteRenderings(s, failures, nil, Paths{
		HTML:  filepath.Join(blocked, "html", "report.html"),
		JUnit: filepath.Join(blocked, "junit", "junit.xml"),
		Badge: filepath.Join(ok, "badge.json"),
	})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(blocked, "html")) || strings.Contains(err.Error(), "junit") {
		t.Errorf("error %v, want report.html's alone", err)
	}
	if _, err := os.Stat(filepath.Join(ok, "badge.json")); err != nil {
		t.Errorf("badge.json not written: %v", err)
	}
}

package capture

import (
	"path/filepath"
	"strings"
	"testing"
)

// Real HAR files, when the checkout has them next to it (../shared/realdata,
// third-party data that stays out of the project): each reads to the end, and
// every entry is a request to /api/<operation>.
func TestReadRealHARFiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "shared", "realdata", "*.har"))
	if len(files) == 0 {
		t.Skip("no ../shared/realdata/*.har next to the checkout: nothing real to read")
	}
	for _, f := range files {
		n, problems, noBody, noHeaders := 0, 0, 0, 0
		err := Read(f, func(e Entry) error {
			n++
			if e.Problem != "" {
				problems++
				t.Logf("%s: entry %d (%s): %s", filepath.Base(f), e.Index, e.Name, e.Problem)
			}
			if !e.BodyCaptured {
				noBody++
			}
			if !e.HeadersCaptured {
				noHeaders++
			}
			if !strings.Contains(e.Request.URL, "/api/") || e.Request.Method == "" {
				t.Errorf("%s: entry %d: %s %s", f, e.Index, e.Request.Method, e.Request.URL)
			}
			return nil
		})
		if err != nil {
			t.Errorf("%v", err)
		}
		if n == 0 {
			t.Errorf("%s: no entries", f)
		}
		t.Logf("%s: %d entries, %d with a problem, %d without a captured body, %d without captured headers", filepath.Base(f), n, problems, noBody, noHeaders)
	}
}

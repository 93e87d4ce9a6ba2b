package audit_test

import (
	"os"
	"path/filepath"
	"testing"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/audit"
	"github.com/chconform/chconform/harness"
)

// BenchmarkAuditCapture audits the real captures of ../shared/realdata (read
// in place, skipped where absent), or the file AUDIT_BENCH_FILE names (e.g.
// one bench/mkcapture wrote): bytes of capture per second, one core.
func BenchmarkAuditCapture(b *testing.B) {
	files, _ := filepath.Glob("../../shared/realdata/*.har")
	if f := os.Getenv("AUDIT_BENCH_FILE"); f != "" {
		files = []string{f}
	}
	if len(files) == 0 {
		b.Skip("no capture: ../shared/realdata is absent and AUDIT_BENCH_FILE is unset")
	}
	var size int64
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			b.Fatal(err)
		}
		size += fi.Size()
	}
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		a := audit.New(audit.Options{Spec: spec})
		for _, f := range files {
			if err := a.File(f); err != nil {
				b.Fatal(err)
			}
		}
		a.Result()
	}
}

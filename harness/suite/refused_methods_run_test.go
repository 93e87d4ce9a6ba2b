package suite_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chconform/chconform/harness/report"
)

// A target that refuses the profile's account by every method (two
// documented 401s) showed nothing about method equivalence, yet the probes
// passed: now each one is unsupported and says why.
func TestMethodProbesAllRefusedAreUnsupported(t *testing.T) {
	t.Parallel()
	base := serveHandler(t, func(w http.ResponseWriter, _ *http.Request, _ <-chan struct{}) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"detail":"Invalid token."}`))
	})
	r, _ := runHostile(t, "users", base, 5*time.Second, nil, "-ginkgo.focus=method equivalence")
	probes := 0
	for _, s := range r.summary.Specs {
		if !strings.Contains(s.Name, "method equivalence") {
			continue
		}
		probes++
		if s.Outcome != report.OutcomeUnsupported || !strings.Contains(s.Reason, "every method was refused (401 by") {
			t.Errorf("%s: %s (%s), want unsupported: every method was refused", s.Name, s.Outcome, s.Reason)
		}
	}
	if probes == 0 {
		t.Fatalf("no method equivalence spec ran (exit %d)\n%.2000s", r.exit, r.stdout)
	}
}

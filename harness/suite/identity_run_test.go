package suite_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness/report"
)

// impersonatingTarget is the emulator behind a handler that acts for the
// account CH-UserID names instead of the token's: it learns each account's
// token from the sign-ups passing through and puts the CH-UserID account's
// token in place of the one sent. That is the fault the identity specs
// exist to catch; every answer still validates.
func impersonatingTarget(t *testing.T) string {
	t.Helper()
	em := emulator.New(emulator.Options{}).Handler()
	var mu sync.Mutex
	tokens := map[string]string{} // user id -> auth token
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		token, known := tokens[r.Header.Get("CH-UserID")]
		mu.Unlock()
		if known {
			r.Header.Set("Authorization", "Token "+token)
		}
		rec := httptest.NewRecorder()
		em.ServeHTTP(rec, r)
		if strings.HasSuffix(r.URL.Path, "/complete_phone_number_auth") {
			body := gjson.ParseBytes(rec.Body.Bytes())
			if id, tok := body.Get("user_profile.user_id").String(), body.Get("auth_token").String(); id != "" && tok != "" {
				mu.Lock()
				tokens[id] = tok
				mu.Unlock()
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api"
}

// identitySpecs runs the identity specs of group that send one account's
// credentials beside another's CH-UserID, against base.
func identitySpecs(t *testing.T, group, base string) []report.SpecSummary {
	t.Helper()
	r := runSuite(t, group, map[string]string{"CH_BASE_URL": base, "CH_PROFILE": "emulator"}, t.TempDir(),
		"-ginkgo.focus=identity isolation:.*CH-UserID")
	var out []report.SpecSummary
	for _, s := range r.summary.Specs {
		if strings.Contains(s.Name, "CH-UserID") {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s identity spec ran (exit %d)\n%s", group, r.exit, r.stdout)
	}
	return out
}

// Every identity spec that sends A's token beside B's CH-UserID fails on a
// target that acts for B, get_profile's included (it passed while A's and
// B's views of the profile it read were the same), and passes on the sound
// emulator.
func TestIdentitySpecsTellTheTwoAccountsApart(t *testing.T) {
	for _, group := range []string{"users", "auth", "channels"} {
		t.Run(group, func(t *testing.T) {
			t.Parallel()
			for _, s := range identitySpecs(t, group, impersonatingTarget(t)) {
				if s.Outcome != report.OutcomeFailed {
					t.Errorf("acting for CH-UserID's account: %s: %s (%s), want failed", s.Name, s.Outcome, s.Reason)
				}
			}
			_, base := startEmulator(t)
			for _, s := range identitySpecs(t, group, base) {
				if s.Outcome != report.OutcomePassed {
					t.Errorf("the sound emulator: %s: %s (%s), want passed", s.Name, s.Outcome, s.Reason)
				}
			}
		})
	}
}

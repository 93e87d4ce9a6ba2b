package suite_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chconform/chconform/harness/report"
)

// updateOnlyServer is issue 18's new user's target: it implements
// check_for_update (the contract's two examples) and answers every other
// request 401 with DRF's not-provided detail, as a server would to a client
// that sent no token. It counts the requests it gets, by path.
type updateOnlyServer struct {
	base  string
	hits  atomic.Int32
	mu    sync.Mutex
	paths map[string]int
}

func newUpdateOnlyServer(t *testing.T) *updateOnlyServer {
	t.Helper()
	u := &updateOnlyServer{paths: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		u.mu.Lock()
		u.paths[r.URL.Path]++
		u.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/api/check_for_update" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"detail": "Authentication credentials were not provided."}`))
			return
		}
		if r.Header.Get("CH-AppBuild") == "100" {
			_, _ = w.Write([]byte(`{"app_build": 262, "app_url": "https://apps.apple.com/us/app/id1503133294", "app_version": "0.1.24", "has_update": true, "is_mandatory": true, "success": true}`))
			return
		}
		_, _ = w.Write([]byte(`{"has_update": false, "success": true}`))
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	u.base = "http://" + ln.Addr().String() + "/api"
	return u
}

// requests is how many requests came for path.
func (u *updateOnlyServer) requests(path string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.paths[path]
}

// TestALiveRunWithoutTheTokenItsSpecsNeedStopsBeforeTheFirstSpec
// reproduces issue 18 §1: the composite action of docs/ci.md on a pull request
// from a fork (CH_PROFILE=live, --filter '!mutating', no CH_AUTH_TOKEN)
// against a server that implements only check_for_update. It used to exit
// 0 "conformant-with-gaps, verified 24/88": the specs that needed the token
// were unsupported and the live floor (require: supported) shrank with
// them. Now the run stops before any spec, exit 2, naming the variable and
// how many selected specs need it; the same through the Ginkgo CLI path.
func TestALiveRunWithoutTheTokenItsSpecsNeedStopsBeforeTheFirstSpec(t *testing.T) {
	t.Parallel()
	target := newUpdateOnlyServer(t)
	base := target.base
	reports := t.TempDir()
	vars := map[string]string{"CH_BASE_URL": base, "CH_PROFILE": "live", "CH_RATE": "0", "CH_REPORT_DIR": reports}
	r := runCommand(t, chconformCommand(t), repoRoot, vars, "", "run", "--filter", "!mutating")
	if r.exit != 2 || !strings.Contains(r.stderr, "CH_AUTH_TOKEN") || !strings.Contains(r.stderr, "of the selected specs need it") {
		t.Fatalf("exit %d, want 2 naming CH_AUTH_TOKEN and the count\nstdout %s\nstderr %s", r.exit, r.stdout, r.stderr)
	}
	n := neededCount(t, r.stderr)
	t.Logf("%s", strings.TrimSpace(r.stderr))
	if n < 20 {
		t.Errorf("%d selected specs need the token: the read-only specs of every group act as the default account", n)
	}
	// A shard counts its own part: the parts' counts add up to the whole.
	parts := 0
	for _, part := range []string{"1/2", "2/2"} {
		p := runCommand(t, chconformCommand(t), repoRoot, vars, "", "run", "--filter", "!mutating", "--shard", part)
		if p.exit != 2 {
			t.Fatalf("shard %s: exit %d, want 2\n%s", part, p.exit, p.stderr)
		}
		parts += neededCount(t, p.stderr)
	}
	if parts != n {
		t.Errorf("the shards count %d specs needing the token, the whole run %d", parts, n)
	}
	if _, err := os.Stat(filepath.Join(reports, "summary.json")); err == nil {
		t.Error("a run that did not start wrote a summary")
	}
	before := target.hits.Load()

	// A narrower selection is counted as selected: check_for_update's specs
	// need no token (its security allows none), so that run goes ahead.
	narrow := runCommand(t, chconformCommand(t), repoRoot, vars, "", "run", "--filter", "op:check_for_update && !mutating")
	if narrow.exit == 2 {
		t.Errorf("a selection that needs no token was refused: %s", narrow.stderr)
	}

	afterNarrow := target.hits.Load()
	cli := runSuite(t, "topics", map[string]string{"CH_BASE_URL": base, "CH_PROFILE": "live", "CH_RATE": "0"}, t.TempDir())
	if cli.exit != 2 || !strings.Contains(cli.stderr, "CH_AUTH_TOKEN") || len(cli.reports) != 0 {
		t.Errorf("the topics suite by go test: exit %d, %d reports, stderr %q; want 2 naming CH_AUTH_TOKEN", cli.exit, len(cli.reports), cli.stderr)
	}
	if sent := target.hits.Load() - afterNarrow; sent != 0 {
		t.Errorf("the topics suite by go test sent %d requests before it stopped", sent)
	}
	if before != 0 { // the reachability check connects and sends nothing
		t.Errorf("the target saw %d requests from a run that stopped before its first spec", before)
	}
}

// neededCount reads N from "... and N of the selected specs need it".
func neededCount(t *testing.T, stderr string) int {
	t.Helper()
	_, after, ok := strings.Cut(stderr, "and ")
	var n int
	if _, err := fmt.Sscan(after, &n); !ok || err != nil {
		t.Fatalf("no count in %q", stderr)
	}
	return n
}

// TestAnAnonymousRunSaysSoEverywhereItsVerdictAppears: the same run with
// --anonymous=true goes ahead; exactly the specs the refused run counted
// are unsupported with the anonymous reason (none of them a harness error,
// which would mean a spec the count before the run missed), their responses
// are gaps of kind anonymous outside the floor, and the verdict line,
// summary.json, badge.json, report.md, report.html and junit.xml say
// "anonymous". With mutations allowed too, the writers' specs (WriterAccount
// on a profile that cannot sign up) are counted and skipped alike.
func TestAnAnonymousRunSaysSoEverywhereItsVerdictAppears(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		vars map[string]string
		args []string
	}{
		{"read-only", nil, []string{"--filter", "!mutating"}},
		{"with mutations", map[string]string{"CH_ALLOW_MUTATIONS": "true"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reports := t.TempDir()
			vars := map[string]string{"CH_BASE_URL": newUpdateOnlyServer(t).base, "CH_PROFILE": "live", "CH_RATE": "0", "CH_REPORT_DIR": reports}
			for k, v := range c.vars {
				vars[k] = v
			}
			refused := runCommand(t, chconformCommand(t), repoRoot, vars, "", append([]string{"run"}, c.args...)...)
			if refused.exit != 2 {
				t.Fatalf("without the token: exit %d, want 2\n%s", refused.exit, refused.stderr)
			}
			counted := neededCount(t, refused.stderr)

			r := runCommand(t, chconformCommand(t), repoRoot, vars, reports, append([]string{"run", "--anonymous=true"}, c.args...)...)
			s := r.summary
			if r.exit == 2 || r.exit != s.ExitCode() {
				t.Fatalf("exit %d, the summary says %d\n%s\n%s", r.exit, s.ExitCode(), r.stdout, r.stderr)
			}
			tokenless := 0
			// The provisional specs count too: they need the token to run,
			// though their outcome stays out of the verdict.
			specs := s.Specs
			if s.Provisional != nil {
				specs = append(slices.Clip(specs), s.Provisional.Specs...)
			}
			for _, sp := range specs {
				if sp.Outcome == report.OutcomeError {
					t.Errorf("%s: %s", sp.Name, sp.Reason)
				}
				if strings.HasPrefix(sp.Reason, report.ReasonAnonymous) {
					tokenless++
					if sp.Outcome != report.OutcomeUnsupported {
						t.Errorf("%s: %s with the anonymous reason", sp.Name, sp.Outcome)
					}
				}
			}
			if tokenless != counted {
				t.Errorf("%d specs unsupported for the anonymous run, but the refused run counted %d needing the token", tokenless, counted)
			}
			if !s.Target.Anonymous || s.Verified.Floor.Mode != report.FloorAnonymous {
				t.Errorf("summary.json: target.anonymous %v, floor mode %q", s.Target.Anonymous, s.Verified.Floor.Mode)
			}
			anonymousGaps := 0
			for _, g := range s.Verified.Unverified {
				if g.Kind == report.GapAnonymous {
					anonymousGaps++
					if g.Required {
						t.Errorf("%s is required of an anonymous run", g)
					}
				}
			}
			if anonymousGaps == 0 {
				t.Error("no documented response is a gap of kind anonymous")
			}
			t.Logf("counted %d; anonymous: exit %d %s, %d specs unsupported for want of the token, %d anonymous gaps; %+v",
				counted, r.exit, s.VerdictText(), tokenless, anonymousGaps, s.Totals)
			if !strings.Contains(r.stdout, "chconform: verdict "+string(s.Verdict)+" (anonymous)") {
				t.Errorf("the verdict line does not say anonymous:\n%s", r.stdout)
			}
			var badge report.Badge
			data, err := os.ReadFile(filepath.Join(reports, "badge.json"))
			if err != nil || json.Unmarshal(data, &badge) != nil || !strings.Contains(badge.Message, "(anonymous)") {
				t.Errorf("badge.json: %s (%v)", data, err)
			}
			for _, name := range []string{"summary.json", "report.md", "report.html", "junit.xml"} {
				data, err := os.ReadFile(filepath.Join(reports, name))
				if err != nil || !strings.Contains(string(data), "anonymous") {
					t.Errorf("%s does not say anonymous (%v)", name, err)
				}
			}
		})
	}
}

// TestAWriterWithoutATokenIsUnsupportedNamingIt: WriterAccount on a profile
// that cannot sign up gives the default account; without its token the
// spec used to send join_channel with no token and fail on the 401, for
// the wrong reason. Now it is unsupported naming CH_AUTH_TOKEN, and the
// target never sees the tokenless write.
func TestAWriterWithoutATokenIsUnsupportedNamingIt(t *testing.T) {
	t.Parallel()
	target := newUpdateOnlyServer(t)
	reports := t.TempDir()
	vars := map[string]string{"CH_BASE_URL": target.base, "CH_PROFILE": "live", "CH_RATE": "0", "CH_REPORT_DIR": reports,
		"CH_ALLOW_MUTATIONS": "true", "CH_ANONYMOUS": "true"}
	r := runCommand(t, chconformCommand(t), repoRoot, vars, reports, "run", "--focus", "join_channel returns the room that was asked for")
	if len(r.summary.Specs) != 1 {
		t.Fatalf("want the one spec, got %d\n%s", len(r.summary.Specs), r.stderr)
	}
	sp := r.summary.Specs[0]
	if sp.Outcome != report.OutcomeUnsupported || !strings.Contains(sp.Reason, "CH_AUTH_TOKEN") {
		t.Errorf("%s: %s (%s); want unsupported naming CH_AUTH_TOKEN", sp.Name, sp.Outcome, sp.Reason)
	}
	if n := target.requests("/api/join_channel"); n != 0 {
		t.Errorf("the target got %d join_channel requests without a token", n)
	}
}

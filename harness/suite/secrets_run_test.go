package suite_test

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// quotingToken is a live token of no recognisable shape (not 40 hex, not a
// JWT), with characters Markdown escapes, so only the run's own redactor,
// which was told CH_AUTH_TOKEN, can recognise it.
const quotingToken = "live_tok*en-Secret_9f2Q"

// tokenQuotingServer rejects every request, quoting the token it was sent the
// way a careless server does: {"detail":"Invalid token <the token>"}.
func tokenQuotingServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("WWW-Authenticate", "Token")
		w.WriteHeader(http.StatusUnauthorized)
		detail := "Authentication credentials were not provided."
		if auth := r.Header.Get("Authorization"); auth != "" {
			_, tok, _ := strings.Cut(auth, " ")
			detail = "Invalid token " + tok
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"detail": detail})
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/api"
}

// TestATargetQuotingTheTokenLeavesItInNoReport: issue 11, item 1. Under the
// default live profile the token comes back inside failure messages; none of
// the reports nor the suite's stdout may hold it in any form.
func TestATargetQuotingTheTokenLeavesItInNoReport(t *testing.T) {
	t.Parallel()
	base := tokenQuotingServer(t)
	reports := t.TempDir()
	vars := map[string]string{"CH_BASE_URL": base, "CH_RATE": "0", "CH_TIMEOUT": "5s",
		"CH_AUTH_TOKEN": quotingToken, "CH_REPORT_DIR": reports}
	r := runSuite(t, "users", vars, reports, "-ginkgo.label-filter=op:me || op:get_profile")
	if len(r.summary.Specs) == 0 {
		t.Fatalf("no report: exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	s := runCommand(t, chconformCommand(t), repoRoot, map[string]string{"CH_REPORT_DIR": reports}, "", "report",
		"--ginkgo", filepath.Join(reports, "ginkgo.json"), "--out", filepath.Join(reports, "summary.json"))

	forms := map[string]string{
		"raw":              quotingToken,
		"base64":           base64.StdEncoding.EncodeToString([]byte(quotingToken)),
		"Markdown-escaped": strings.NewReplacer("*", `\*`, "_", `\_`).Replace(quotingToken),
		"JSON-escaped":     strings.Trim(mustJSON(quotingToken), `"`),
	}
	outputs := map[string]string{"suite stdout": r.stdout, "suite stderr": r.stderr, "chreport stdout": s.stdout + s.stderr}
	for _, name := range []string{"ginkgo.json", "junit.xml", "summary.json", "report.html", "report.md"} {
		data, err := os.ReadFile(filepath.Join(reports, name))
		if err != nil || len(data) == 0 {
			t.Errorf("the run left no %s: %v", name, err)
		}
		outputs[name] = string(data)
	}
	failed := 0
	for _, spec := range r.summary.Specs {
		if spec.Outcome == "failed" {
			failed++
		}
	}
	if failed == 0 {
		t.Errorf("a target rejecting the token should fail specs; got %+v", r.summary.Totals)
	}
	for where, text := range outputs {
		for form, secret := range forms {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds the token (%s form %q)", where, form, secret)
			}
		}
	}
	if !strings.Contains(outputs["summary.json"], "auth_token:default") {
		t.Errorf("the quoted token should show as its placeholder <auth_token:default> in summary.json")
	}
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestTheEmulatorProfileAgainstARemoteTargetSendsNoMutationAndNoSMS: issue
// 11, item 4, as a whole run. The target looks remote (a TEST-NET-1
// address, so no name is ever resolved) but every request goes through
// HTTP_PROXY to an emulator on loopback, which logs what it gets: nothing
// leaves the machine. CH_PROFILE=emulator with a token and no CH_ALLOW_*
// must send no mutating, phone-auth or invite request.
func TestTheEmulatorProfileAgainstARemoteTargetSendsNoMutationAndNoSMS(t *testing.T) {
	t.Parallel()
	em := emulator.New(emulator.Options{})
	proxy := httptest.NewServer(em.Handler()) // answers absolute-form requests for any host
	t.Cleanup(proxy.Close)
	vars := map[string]string{
		"CH_BASE_URL": "http://192.0.2.1/api", "CH_PROFILE": "emulator", "CH_RATE": "0",
		"CH_ALLOW_INSECURE": "true", // plain http to a remote-looking host with a token: opted in
		"HTTP_PROXY":        proxy.URL, "http_proxy": proxy.URL, "NO_PROXY": "", "no_proxy": "",
	}
	for k, v := range emulatorCredentials {
		vars[k] = v
	}
	specs := runSuites(t, []string{"users", "invites", "auth"}, vars)
	requests := em.Requests()
	if len(requests) == 0 {
		t.Fatal("the emulator behind the proxy saw no request: the read-only specs must still run")
	}
	contract, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range requests {
		op, ok := contract.Operation(r.Operation)
		if r.Mutating || (ok && (op.Mutating() || op.PhoneAuth() || op.SendsSMS())) {
			t.Errorf("a non-loopback target got %s %s (%s) for the spec %q", r.Method, r.Path, r.Operation, r.Spec)
		}
	}
	if count(specs, report.OutcomeDisabled, "counts only for a loopback target") == 0 {
		t.Error("the disabled specs should say the profile's mutations capability counts only on loopback")
	}
	t.Logf("%d specs, %d requests through the loopback proxy, disabled %d", len(specs), len(requests), count(specs, report.OutcomeDisabled, ""))
}

// TestUnsafeTargetsAreConfigurationErrors: issue 11, items 3 and 4, as the
// user meets them: exit 2 before any request, naming the variable, and no
// secret in the message.
func TestUnsafeTargetsAreConfigurationErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		vars   map[string]string
		naming string
	}{
		{map[string]string{"CH_BASE_URL": "http://192.0.2.1/api", "CH_AUTH_TOKEN": quotingToken}, "CH_ALLOW_INSECURE=true"},
		{map[string]string{"CH_BASE_URL": "http://127.0.0.1:9/api", "CH_PROFILE": "fixtures"}, "CH_PROFILE"},
		{map[string]string{"CH_BASE_URL": "ftp://alice:" + quotingToken + "@127.0.0.1:9/api?api_key=" + quotingToken}, "CH_BASE_URL"},
	}
	chreport := chconformCommand(t)
	for _, c := range cases {
		pre := runCommand(t, chreport, repoRoot, c.vars, "", "preflight")
		s := runSuite(t, "topics", c.vars, t.TempDir())
		for what, r := range map[string]run{"chreport preflight": pre, "the topics suite": s} {
			if r.exit != 2 || !strings.Contains(r.stderr, c.naming) {
				t.Errorf("%s with %v: exit %d, stderr %q; want 2 naming %s", what, c.vars, r.exit, r.stderr, c.naming)
			}
			if strings.Contains(r.stderr+r.stdout, quotingToken) {
				t.Errorf("%s with %v echoes the secret: %s", what, c.vars, r.stderr)
			}
		}
	}
}

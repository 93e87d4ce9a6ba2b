package report

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/chconform/chconform/harness"
)

// runCurlAsPrintf runs cmd in bash with curl replaced by a function that
// prints its arguments NUL-separated: the arguments curl would get, with no
// network and nothing else run. env sets the $CH_* variables.
func runCurlAsPrintf(t *testing.T, cmd string, env ...string) []string {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	if out, err := exec.Command(bash, "-n", "-c", cmd).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s\n%s", err, out, cmd)
	}
	dir := t.TempDir()
	c := exec.Command(bash, "--norc", "--noprofile", "-c", "curl() { printf '%s\\0' \"$@\"; }\n"+cmd)
	c.Dir = dir
	c.Env = append([]string{"PATH=/nonexistent", "HOME=" + dir}, env...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("%v\n%s\n%s", err, stderr.String(), cmd)
	}
	if stderr.Len() > 0 {
		t.Errorf("the command wrote to stderr (it ran something else?): %s", stderr.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("the command created %s: it ran something besides curl\n%s", entries[0].Name(), cmd)
	}
	args := strings.Split(stdout.String(), "\x00")
	return args[:len(args)-1]
}

func TestTheCurlCommandReferencesSecretsAsVariables(t *testing.T) {
	tr := Transcript{
		Method: "POST",
		URL:    "http://127.0.0.1:8080/api/me?token=<token>",
		Headers: map[string][]string{
			"Authorization":  {"Token <auth_token:default>"},
			"Ch-Userid":      {"1234"},
			"Ch-Deviceid":    {"C0FFEE00-5EED-4E00-8000-000000001234"},
			"Content-Type":   {"application/json; charset=utf-8"},
			"Content-Length": {"42"},
		},
		Body: `{"refresh": "<refresh_token:default>", "phone_number": "<phone>", "html": "<html>"}`,
	}
	cmd := CurlCommand(tr)
	if strings.Contains(cmd, "<auth_token") || strings.Contains(cmd, "<refresh_token") || strings.Contains(cmd, "<phone>") || strings.Contains(cmd, "<token>") {
		t.Errorf("a mask is sent as if it were the value:\n%s", cmd)
	}
	if !strings.Contains(cmd, `-H 'Authorization: Token '"$CH_AUTH_TOKEN"`) {
		t.Errorf("the configured token is not $CH_AUTH_TOKEN:\n%s", cmd)
	}
	args := runCurlAsPrintf(t, cmd, "CH_AUTH_TOKEN=tok1", "CH_REFRESH_TOKEN=ref2", "CH_PHONE=+15555550100", "CH_TOKEN=t3")
	want := []string{"-sS", "-i", "-X", "POST", "--url", "http://127.0.0.1:8080/api/me?token=t3",
		"-H", "Authorization: Token tok1",
		"-H", "Ch-Deviceid: C0FFEE00-5EED-4E00-8000-000000001234",
		"-H", "Ch-Userid: 1234",
		"-H", "Content-Type: application/json; charset=utf-8",
		"--data-raw", `{"refresh": "ref2", "phone_number": "+15555550100", "html": "<html>"}`}
	if !slices.Equal(args, want) {
		t.Errorf("curl would get\n%q\nwant\n%q\n%s", args, want, cmd)
	}
}

func TestAFreshAccountsTokenIsAVariableWithAComment(t *testing.T) {
	cmd := CurlCommand(Transcript{Method: "POST", URL: "http://127.0.0.1:1/api/follow",
		Headers: map[string][]string{"Authorization": {"Token <redacted>"}}, Body: `{"user_id": 4}`})
	if !strings.Contains(cmd, `"$CH_FRESH_TOKEN"`) || !strings.Contains(cmd, "# $CH_FRESH_TOKEN: ") || !strings.Contains(cmd, "fresh account") {
		t.Errorf("want $CH_FRESH_TOKEN explained in a comment:\n%s", cmd)
	}
	if strings.Contains(cmd, "<redacted>") {
		t.Errorf("the mask is sent as the token:\n%s", cmd)
	}
	args := runCurlAsPrintf(t, cmd, "CH_FRESH_TOKEN=fresh")
	if !slices.Contains(args, "Authorization: Token fresh") {
		t.Errorf("curl would get %q", args)
	}
}

// TestAHostileRequestRunsNothingButCurl: what a hostile capture or target
// puts in a request (quotes, $(...), backticks, newlines, escape sequences,
// a bidi override, invalid UTF-8) reaches curl as the very same bytes, and
// pasting the command runs nothing else.
func TestAHostileRequestRunsNothingButCurl(t *testing.T) {
	hostile := []string{
		`it's "quoted"`,
		`$(touch pwned-dollar)`,
		"`touch pwned-backtick`",
		"line1\nline2; touch pwned-newline",
		"'; touch pwned-quote; echo '",
		"\"; touch pwned-dq; \"",
		"esc \x1b]0;title\x07 and \x1b[31mred",
		"bidi \u202e txt.exe",
		"bad utf8 \xff\xfe end",
		`back\slash \' \\' ${HOME} $HOME !! !$ *`,
		"=cmd",
		"-o/tmp/pwned-option",
		"<jwt> and <auth_token:some thing>",
	}
	for _, h := range hostile {
		tr := Transcript{
			Method:  h,
			URL:     "-K" + h,
			Headers: map[string][]string{"X-Evil": {h}, h: {"v"}},
			Body:    h,
		}
		cmd := CurlCommand(tr)
		args := runCurlAsPrintf(t, cmd, "CH_JWT=J")
		expanded := strings.ReplaceAll(h, "<jwt>", "J")
		want := []string{"-sS", "-i", "-X", expanded, "--url", "-K" + expanded}
		headers := []string{"-H", "X-Evil: " + expanded, "-H", expanded + ": v"}
		if "X-Evil" > h {
			headers = []string{"-H", expanded + ": v", "-H", "X-Evil: " + expanded}
		}
		want = append(append(want, headers...), "--data-raw", expanded)
		if !slices.Equal(args, want) {
			t.Errorf("for %q curl would get\n%q\nwant\n%q\n%s", h, args, want, cmd)
		}
		for _, line := range strings.Split(cmd, "\n") {
			if strings.ContainsAny(line, "\x1b\x07") || strings.Contains(line, "\u202e") {
				t.Errorf("the command shows a control character raw: %q", line)
			}
		}
	}
}

func TestACurlCommandSaysWhatItCannotSend(t *testing.T) {
	cmd := CurlCommand(Transcript{Method: "POST", URL: "http://127.0.0.1:1/x", Body: "abc", BodyTruncated: true,
		Headers: map[string][]string{HeaderOverflow: {"3 header value(s)"}, "X-Nul": {"a\x00b"}}})
	for _, want := range []string{"# the transcript kept only the first 3 bytes", "# some request headers were left out", "# a request header held a NUL byte"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("missing %q:\n%s", want, cmd)
		}
	}
	if strings.Contains(cmd, HeaderOverflow) {
		t.Errorf("the pseudo-header is sent:\n%s", cmd)
	}
	args := runCurlAsPrintf(t, cmd)
	if !slices.Equal(args, []string{"-sS", "-i", "-X", "POST", "--url", "http://127.0.0.1:1/x", "--data-raw", "abc"}) {
		t.Errorf("curl would get %q", args)
	}
}

// TestTheCurlOfARealExchangeHoldsNoSecret goes through the harness's own
// redactor: the configured token, a fresh account's 40-hex token and a JWT
// become variables, and no form of them reaches the command.
func TestTheCurlOfARealExchangeHoldsNoSecret(t *testing.T) {
	configured := "live_tok*en-Secret_9f2Q"
	fresh := "0123456789abcdef0123456789abcdef01234567"
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjo0fQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	redact := harness.NewRedactor(nil, harness.KnownSecret{Value: configured, Label: "auth_token:default"})
	cases := []struct {
		auth, body, variable string
	}{
		{"Token " + configured, `{"auth_token": "` + configured + `"}`, "CH_AUTH_TOKEN"},
		{"Token " + fresh, `{"user_id": 4}`, "CH_FRESH_TOKEN"},
		{"Bearer " + jwt, `{"refresh": "` + jwt + `"}`, "CH_FRESH_ACCESS_TOKEN"},
	}
	for _, c := range cases {
		ex := &harness.Exchange{Request: harness.Request{Method: "POST", URL: "http://127.0.0.1:1/api/me",
			Header: http.Header{"Authorization": {c.auth}, "Ch-Userid": {"4"}}, Body: []byte(c.body)}}
		cmd := CurlCommand(NewExchangeEntry(ex, redact).Request)
		for _, secret := range []string{configured, fresh, jwt} {
			if strings.Contains(cmd, secret) {
				t.Errorf("the command holds a secret:\n%s", cmd)
			}
		}
		if !strings.Contains(cmd, `-H 'Authorization: `) || !strings.Contains(cmd, `"$`+c.variable+`"`) {
			t.Errorf("want the Authorization header to reference $%s:\n%s", c.variable, cmd)
		}
		if strings.Contains(cmd, "<") {
			t.Errorf("the command sends a mask as a value:\n%s", cmd)
		}
	}
}

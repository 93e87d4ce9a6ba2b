package harness

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega/format"
	"github.com/onsi/gomega/types"
	"github.com/tidwall/gjson"
)

// bodyExcerptCut bounds the body quoted in a failure message: enough to see
// what came back, not a page of HTML in the report.
const bodyExcerptCut = 1024

// ConformOption adjusts ConformToSpec.
type ConformOption func(*conformSettings)

type conformSettings struct{ strict bool }

// Strict makes fields the schema does not declare findings (the contract's
// additionalProperties is open by default).
func Strict(on bool) ConformOption {
	return func(s *conformSettings) { s.strict = on }
}

// ConformToSpec passes when every standard check passes on the *Exchange:
//
//	Expect(ex).To(ConformToSpec())
//
// The verdicts are recorded through Verify, so the report sees them too.
// Checks that do not apply (no header documented for the status) may skip;
// but an exchange whose status or body could not be judged at all (it names
// no operation) fails: only "no schema documented" leaves a body unjudged
// and still passes.
func ConformToSpec(opts ...ConformOption) types.GomegaMatcher {
	var s conformSettings
	for _, o := range opts {
		o(&s)
	}
	return &checksMatcher{promise: "to conform to the contract", checks: StandardChecks(s.strict), unjudged: conformUnjudged}
}

// conformUnjudged is ConformToSpec's notion of nothing to judge: the status
// and the body must each get a verdict, unless the contract documents no
// schema for the body.
func conformUnjudged(results []CheckResult) string {
	var why []string
	for _, r := range results {
		if r.Name == CheckStatusCode && r.Status == CheckSkipped {
			why = append(why, r.Name+": "+r.Reason)
		}
	}
	if body := BodyUnjudged(results); body != "" {
		why = append(why, CheckResponseSchema+": "+body)
	}
	if len(why) == 0 {
		return ""
	}
	return "nothing to judge: " + strings.Join(why, "; ")
}

// ConformToSpecStrict is ConformToSpec(Strict(true)).
func ConformToSpecStrict() types.GomegaMatcher { return ConformToSpec(Strict(true)) }

// BeDocumentedErrorCase passes when the response has exactly status and the
// body of the documented example (the documented_error_case check).
func BeDocumentedErrorCase(status int, example Example) types.GomegaMatcher {
	return &checksMatcher{
		promise: fmt.Sprintf("to answer %d with the documented body of example %q", status, example.Name),
		checks:  []Check{ResponseReceived(), DocumentedErrorCase(status, example)},
	}
}

// RejectMissingAuth passes when the exchange, sent without credentials or
// with an invalid token, got a 401 DRF envelope, with that detail when detail
// is not empty (the ignored_auth check).
func RejectMissingAuth(detail string) types.GomegaMatcher {
	return &checksMatcher{
		promise: "to reject the request as unauthenticated with 401 {\"detail\": ...}",
		checks:  []Check{ResponseReceived(), IgnoredAuth(detail)},
	}
}

// checksMatcher is a matcher made of checks: it passes when none fails and
// the checks judged something.
type checksMatcher struct {
	promise string
	checks  []Check
	// unjudged says why the results, none failed, still judged nothing ("":
	// they did); nil means nothingJudged.
	unjudged func([]CheckResult) string
	results  []CheckResult
	why      string
}

// nothingJudged fails a matcher whose checks all skipped: a matcher that
// passes without a verdict promises what nobody checked. response_received
// is not a verdict on the promise.
func nothingJudged(results []CheckResult) string {
	var reasons []string
	for _, r := range results {
		switch {
		case r.Name == CheckResponseReceived:
		case r.Status != CheckSkipped:
			return ""
		default:
			reasons = append(reasons, r.Name+": "+r.Reason)
		}
	}
	return "nothing to judge: " + strings.Join(reasons, "; ")
}

func (m *checksMatcher) Match(actual any) (bool, error) {
	ex, err := asExchange(actual)
	if err != nil {
		return false, err
	}
	m.results, m.why = Verify(ex, m.checks...), ""
	for _, r := range m.results {
		if r.Status == CheckFailed {
			return false, nil
		}
	}
	unjudged := m.unjudged
	if unjudged == nil {
		unjudged = nothingJudged
	}
	if m.why = unjudged(m.results); m.why != "" {
		return false, nil
	}
	return true, nil
}

func (m *checksMatcher) FailureMessage(actual any) string {
	ex, _ := asExchange(actual)
	var b strings.Builder
	var failed []CheckResult
	for _, r := range m.results {
		if r.Status == CheckFailed {
			failed = append(failed, r)
		}
	}
	if len(failed) == 0 && m.why != "" {
		fmt.Fprintf(&b, "Expected %s %s; %s\n%s", describeOperation(ex), m.promise, m.why, describeResponse(ex))
		return patterns.String(b.String())
	}
	fmt.Fprintf(&b, "Expected %s %s; %d check(s) failed:\n", describeOperation(ex), m.promise, len(failed))
	for _, r := range failed {
		fmt.Fprintf(&b, "  %s\n", r.Name)
		for _, f := range r.Findings {
			msg := f.Message
			if f.Pointer != "" && !strings.Contains(msg, f.Pointer) {
				msg += " (at " + f.Pointer + ")"
			}
			fmt.Fprintf(&b, "    - %s\n", msg)
		}
	}
	b.WriteString(describeResponse(ex))
	return patterns.String(b.String())
}

func (m *checksMatcher) NegatedFailureMessage(actual any) string {
	ex, _ := asExchange(actual)
	return patterns.String(fmt.Sprintf("Expected %s not %s, but every check passed\n%s", describeOperation(ex), m.promise, describeResponse(ex)))
}

// HaveStatus passes when the response has status code.
func HaveStatus(code int) types.GomegaMatcher {
	return &responseMatcher{
		promise: fmt.Sprintf("to answer status %d", code),
		judge: func(r *Response) (bool, string) {
			return r.Status == code, fmt.Sprintf("got %d", r.Status)
		},
	}
}

// BeDRFDetail passes on a Django REST framework error: status, and a JSON
// object whose "detail" is exactly detail. Other keys are allowed (SimpleJWT
// adds "code" and "messages").
func BeDRFDetail(status int, detail string) types.GomegaMatcher {
	return &responseMatcher{
		promise: fmt.Sprintf("to answer %d {\"detail\": %q}", status, detail),
		judge: func(r *Response) (bool, string) {
			got, ok := drfDetail(r)
			switch {
			case r.Status != status:
				return false, fmt.Sprintf("got status %d", r.Status)
			case !ok:
				return false, `the body is not a DRF envelope {"detail": "<string>"}`
			case got != detail:
				return false, fmt.Sprintf("got detail %q", got)
			}
			return true, ""
		},
	}
}

// BeAppError passes on the app's error envelope: status, "success": false
// and an "error_message" string that is exactly message. Other keys are
// allowed (invite_to_existing_channel adds some); a null error_message is
// not "": expect the documented example with BeDocumentedErrorCase instead.
func BeAppError(status int, message string) types.GomegaMatcher {
	return &responseMatcher{
		promise: fmt.Sprintf("to answer %d {\"success\": false, \"error_message\": %q}", status, message),
		judge: func(r *Response) (bool, string) {
			v, ok := r.JSONValue()
			obj, isObj := v.(map[string]any)
			got, isString := obj["error_message"].(string)
			switch {
			case r.Status != status:
				return false, fmt.Sprintf("got status %d", r.Status)
			case !ok || !isObj:
				return false, "the body is not a JSON object"
			case obj["success"] != false:
				return false, fmt.Sprintf(`"success" is %s, not false`, describeJSONValue(obj["success"]))
			case !isString:
				return false, fmt.Sprintf(`"error_message" is %s, not a string`, describeJSONValue(obj["error_message"]))
			case got != message:
				return false, fmt.Sprintf("got error_message %q", got)
			}
			return true, ""
		},
	}
}

// responseMatcher judges the response of an exchange with one rule.
type responseMatcher struct {
	promise string
	judge   func(*Response) (ok bool, why string)
	why     string
}

func (m *responseMatcher) Match(actual any) (bool, error) {
	ex, err := responseOf(actual)
	if err != nil {
		return false, err
	}
	ok, why := m.judge(ex.Response)
	m.why = why
	return ok, nil
}

func (m *responseMatcher) FailureMessage(actual any) string {
	ex, _ := asExchange(actual)
	return patterns.String(fmt.Sprintf("Expected %s %s, %s\n%s", describeOperation(ex), m.promise, m.why, describeResponse(ex)))
}

func (m *responseMatcher) NegatedFailureMessage(actual any) string {
	ex, _ := asExchange(actual)
	return patterns.String(fmt.Sprintf("Expected %s not %s\n%s", describeOperation(ex), m.promise, describeResponse(ex)))
}

// HaveJSON passes when the body is JSON with a value at the gjson path and,
// given matchers, that value satisfies all of them. The matchers get
// gjson.Result.Value(): float64 for every number (use BeNumerically or
// Equal(4.0), not Equal(4)), string, bool, nil, []any or map[string]any.
// A value a matcher cannot judge (null or a string for BeTrue, a string for
// BeNumerically) is an error naming the path and the JSON type, whatever
// the polarity: it is neither true nor false. Failure messages quote the
// value with its secrets masked.
func HaveJSON(path string, matchers ...types.GomegaMatcher) types.GomegaMatcher {
	return &jsonMatcher{path: path, matchers: matchers}
}

type jsonMatcher struct {
	path     string
	matchers []types.GomegaMatcher
	found    gjson.Result
	failed   types.GomegaMatcher
}

func (m *jsonMatcher) Match(actual any) (bool, error) {
	ex, err := responseOf(actual)
	if err != nil {
		return false, err
	}
	if err := ex.Response.depthError(); err != nil {
		return false, fmt.Errorf("HaveJSON(%q): %s: %v", m.path, describeOperation(ex), err)
	}
	body := ex.Response.JSONText()
	if !gjson.ValidBytes(body) {
		return false, fmt.Errorf("HaveJSON(%q): the body of %s is not JSON\n%s", m.path, describeOperation(ex), describeResponse(ex))
	}
	m.found = gjson.GetBytes(body, m.path)
	if !m.found.Exists() {
		return false, nil
	}
	for _, matcher := range m.matchers {
		ok, err := m.matchValue(matcher)
		if err != nil {
			return false, err
		}
		if !ok {
			m.failed = matcher
			return false, nil
		}
	}
	return true, nil
}

// matchValue applies one matcher to the value found. Gomega's matchers
// panic on some values they cannot judge (BeTrue on nil): that panic, like a
// matcher's error, becomes an error that names the path and the JSON type.
func (m *jsonMatcher) matchValue(matcher types.GomegaMatcher) (ok bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			ok, err = false, m.cannotJudge(matcher, fmt.Sprintf("it panicked: %v", p))
		}
	}()
	ok, err = matcher.Match(m.found.Value())
	if err != nil {
		return false, m.cannotJudge(matcher, err.Error())
	}
	return ok, nil
}

func (m *jsonMatcher) cannotJudge(matcher types.GomegaMatcher, why string) error {
	return fmt.Errorf("HaveJSON(%q): the value at %s is %s, which %s cannot judge: %s",
		m.path, m.path, jsonTypeName(m.found), matcherName(matcher), m.mask(why))
}

// jsonTypeName names the JSON type of a gjson result for a message.
func jsonTypeName(r gjson.Result) string {
	switch {
	case r.Type == gjson.Null:
		return "null"
	case r.Type == gjson.True || r.Type == gjson.False:
		return "a boolean"
	case r.Type == gjson.Number:
		return "a number"
	case r.Type == gjson.String:
		return "a string"
	case r.IsArray():
		return "an array"
	}
	return "an object"
}

// matcherName is "BeTrue" for *matchers.BeTrueMatcher.
func matcherName(m types.GomegaMatcher) string {
	name := fmt.Sprintf("%T", m)
	name = name[strings.LastIndex(name, ".")+1:]
	return strings.TrimSuffix(name, "Matcher")
}

// mask masks the secrets of a message about the value found: by their
// shapes, and the value itself when the path names a credential field
// ("refresh" holds a JWT, "token" an opaque string).
func (m *jsonMatcher) mask(msg string) string {
	msg = patterns.String(msg)
	key := m.path[strings.LastIndex(m.path, ".")+1:]
	if m.found.Type == gjson.String && m.found.Str != "" && isSecretKey(key) {
		msg = strings.ReplaceAll(msg, m.found.Str, "<"+key+">")
	}
	return msg
}

func (m *jsonMatcher) FailureMessage(actual any) string {
	ex, _ := asExchange(actual)
	if !m.found.Exists() {
		return fmt.Sprintf("Expected the body of %s to have a value at JSON path %q; there is none\n%s",
			describeOperation(ex), m.path, describeResponse(ex))
	}
	if m.failed == nil {
		return m.mask(fmt.Sprintf("Expected the body of %s to have a matching value at JSON path %q; found %s",
			describeOperation(ex), m.path, maskedBody([]byte(m.found.Raw), bodyExcerptCut)))
	}
	return m.mask(fmt.Sprintf("At JSON path %q of the body of %s:\n%s", m.path, describeOperation(ex), m.failed.FailureMessage(m.found.Value())))
}

func (m *jsonMatcher) NegatedFailureMessage(actual any) string {
	ex, _ := asExchange(actual)
	if len(m.matchers) == 0 {
		return m.mask(fmt.Sprintf("Expected the body of %s to have no value at JSON path %q; found %s",
			describeOperation(ex), m.path, maskedBody([]byte(m.found.Raw), bodyExcerptCut)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "At JSON path %q of the body of %s:\n", m.path, describeOperation(ex))
	for _, matcher := range m.matchers {
		b.WriteString(matcher.NegatedFailureMessage(m.found.Value()))
		b.WriteByte('\n')
	}
	return m.mask(b.String())
}

// asExchange accepts what every matcher here is applied to.
func asExchange(actual any) (*Exchange, error) {
	ex, ok := actual.(*Exchange)
	if !ok || ex == nil {
		return nil, fmt.Errorf("expected a non-nil *harness.Exchange, got %s", format.Object(actual, 1))
	}
	return ex, nil
}

// responseOf is asExchange for matchers that need a response: without one
// the matcher can say neither yes nor no, so it errors whatever the polarity.
func responseOf(actual any) (*Exchange, error) {
	ex, err := asExchange(actual)
	if err != nil {
		return nil, err
	}
	if ex.Response == nil {
		cause := "no transport error recorded"
		if ex.Err != nil {
			cause = ex.Err.Error()
		}
		return nil, fmt.Errorf("%s got no response: %s", describeOperation(ex), cause)
	}
	return ex, nil
}

// describeOperation names the operation as failure messages start with it.
func describeOperation(ex *Exchange) string {
	switch {
	case ex == nil:
		return "the exchange"
	case ex.Op == nil:
		return fmt.Sprintf("%s %s", ex.Request.Method, patterns.String(ex.Request.URL))
	}
	return fmt.Sprintf("%s (%s)", ex.Op.ID, ex.Op)
}

// describeResponse is the status and the start of the body, with its secrets
// masked: failure messages end up in reports.
func describeResponse(ex *Exchange) string {
	switch {
	case ex == nil:
		return ""
	case ex.Response == nil:
		if ex.Err != nil {
			return "No response: " + patterns.String(ex.Err.Error())
		}
		return "No response."
	}
	body := maskedBody(ex.Response.Body, bodyExcerptCut)
	if body == "" {
		body = "(empty)"
	}
	// Every line of the body is prefixed: what the target sends must not
	// start a line of the CI log (a workflow command such as ::error).
	return fmt.Sprintf("Response: status %d, body (%d bytes):\n%s%s", ex.Response.Status, len(ex.Response.Body),
		BodyLinePrefix, PrefixLines(body, BodyLinePrefix))
}

func describeJSONValue(v any) string {
	if v == nil {
		return "null or absent"
	}
	return fmt.Sprintf("%v", v)
}

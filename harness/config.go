package harness

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// Config is everything a run is told from outside: CH_* variables first, then
// the YAML file named by CH_CONFIG, then the defaults of the target kind.
type Config struct {
	// BaseURL is the target; nil means the embedded fixtures.
	BaseURL *url.URL
	// Profile names a built-in profile or a profile file; empty means the
	// default of the target kind.
	Profile string

	AuthToken string
	UserID    string
	DeviceID  string

	// Anonymous is an explicit anonymous run (CH_ANONYMOUS): the specs that
	// would authenticate as the default account are unsupported, and the
	// reports say the run was anonymous. Without it, a run whose selected
	// specs need CH_AUTH_TOKEN and were not given it stops before the first
	// spec (issue 18): a missing secret must not pass for a smaller target.
	Anonymous bool

	AllowMutations bool
	// AllowInsecure lets credentials go over plain http to a target that is
	// not on loopback (CH_ALLOW_INSECURE): refused otherwise.
	AllowInsecure bool
	// AllowSMS lets the phone-auth flow (start, call, resend and complete
	// phone-number auth) run against a target that does not declare
	// mutations: it texts or calls real phone numbers. CH_ALLOW_MUTATIONS
	// does not cover it.
	AllowSMS bool
	// Rate is the request ceiling per second; 0 means unlimited.
	Rate float64
	// Timeout bounds every request, body included.
	Timeout time.Duration
	// RunTimeout, when set, bounds the whole run (CH_RUN_TIMEOUT): once it
	// has passed, the remaining specs are harness errors and the reports are
	// still written. 0: no run deadline.
	RunTimeout time.Duration
	// SpecPath is the contract file; empty means the embedded api.yaml.
	SpecPath string
	// Overlay is an OpenAPI Overlay applied to the contract before any
	// spec judges with it (CH_OVERLAY); empty for none.
	Overlay   string
	ReportDir string
	// Record is a folder to write every exchange into as fixtures.
	Record string
	// Fixtures is a folder of fixtures to replay instead of the embedded ones
	// (a recording of another target, or a deliberately broken copy).
	Fixtures string
	// SkipsFile (CH_SKIPS) is a YAML list of the specs or case ids the
	// implementer knows to fail, each with its reason; Skips is what it
	// says. A CI gate of `chconform run` declares them as conformance.Run's
	// Options.Skips does.
	SkipsFile string
	Skips     []DeclaredSkip
	// Strict reports fields the contract does not declare.
	Strict bool
	// MinCoverage is the user's floor of verified documented responses
	// (CH_MIN_COVERAGE): "" none, "all", or a fraction in [0,1] as written.
	// chreport enforces it from the summary (harness/report/verdict.go).
	MinCoverage string
	// MinResponseCoverage is the user's floor of response coverage
	// (CH_MIN_RESPONSE_COVERAGE): "" none, or the fraction of the documented
	// responses' schema locations the run must observe, as written.
	MinResponseCoverage string
	// Reruns is how many times a failed spec is run again before it counts
	// as failed (CH_RERUNS, 0 to MaxReruns, default DefaultReruns): the run
	// passes Ginkgo FlakeAttempts = 1 + Reruns. A spec that passes on a rerun
	// is reported flaky, which is not conformant (harness/report/verdict.go).
	Reruns int

	// Explore switches the generation phase (CH_EXPLORE): "" (auto: on
	// against a loopback target or an in-process handler), "on" (also
	// against any other host, for the operations that change nothing) or
	// "off". ExploreExamples is how many requests each of its specs
	// generates (CH_EXPLORE_EXAMPLES), ExploreBudget the time the phase may
	// take in one suite process (CH_EXPLORE_BUDGET), ExploreSeed the seed of
	// the requests (CH_EXPLORE_SEED; 0: the run's random seed).
	Explore         string
	ExploreExamples int
	ExploreBudget   time.Duration
	ExploreSeed     int64
}

// The generation phase's defaults: a whole emulator run's phase sends about
// 41 operations x 2 specs x 25 requests, in seconds; the budget is the
// ceiling should a target answer slowly.
const (
	DefaultExploreExamples = 25
	DefaultExploreBudget   = 40 * time.Second
)

// DefaultReruns and MaxReruns bound CH_RERUNS: two reruns tell a target
// that answers two ways from one that is broken, and more than ten would
// only hide how often it breaks while multiplying the run's time.
const (
	DefaultReruns = 2
	MaxReruns     = 10
)

// FlakeAttempts is what the run passes to Ginkgo as FlakeAttempts: the
// first run of a spec and its reruns.
func (c Config) FlakeAttempts() int { return 1 + c.Reruns }

// Mode is "fixtures" without a base URL, "base-url" with one.
func (c Config) Mode() string {
	if c.BaseURL == nil {
		return "fixtures"
	}
	return "base-url"
}

// ProfileName is the profile the run uses: the configured one, else
// "fixtures" offline and "live" against a base URL.
func (c Config) ProfileName() string {
	switch {
	case c.Profile != "":
		return c.Profile
	case c.BaseURL == nil:
		return "fixtures"
	default:
		return "live"
	}
}

// ConfigError names the variable whose value cannot be used.
type ConfigError struct {
	Var     string
	Value   string
	Problem string
}

func (e *ConfigError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %s", e.Var, e.Problem)
	}
	return fmt.Sprintf("%s=%q: %s", e.Var, e.Value, e.Problem)
}

// configVars lists every variable the harness reads, so a CH_CONFIG file with
// an unknown key is refused instead of silently ignored.
var configVars = []string{
	"CH_BASE_URL", "CH_PROFILE", "CH_AUTH_TOKEN", "CH_USER_ID", "CH_DEVICE_ID",
	"CH_ALLOW_MUTATIONS", "CH_ALLOW_SMS", "CH_ALLOW_INSECURE", "CH_RATE", "CH_TIMEOUT", "CH_RUN_TIMEOUT", "CH_SPEC",
	"CH_OVERLAY", "CH_REPORT_DIR",
	"CH_RECORD", "CH_STRICT", "CH_FIXTURES", "CH_MIN_COVERAGE", "CH_MIN_RESPONSE_COVERAGE", "CH_RERUNS", "CH_ANONYMOUS",
	"CH_EXPLORE", "CH_EXPLORE_EXAMPLES", "CH_EXPLORE_BUDGET", "CH_EXPLORE_SEED", "CH_SKIPS",
}

// LoadConfigFromEnv reads the process environment.
func LoadConfigFromEnv() (Config, error) { return LoadConfig(os.LookupEnv) }

// LoadConfig builds a Config from lookup (os.LookupEnv in a run, a map in
// tests). The first unusable value is returned as a *ConfigError.
func LoadConfig(lookup func(string) (string, bool)) (Config, error) {
	values := map[string]string{}
	if path, ok := lookup("CH_CONFIG"); ok && path != "" {
		file, err := readConfigFile(path)
		if err != nil {
			return Config{}, err
		}
		values = file
	}
	for _, name := range configVars {
		if v, ok := lookup(name); ok {
			values[name] = v
		}
	}
	return parseConfig(values)
}

func readConfigFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &ConfigError{Var: "CH_CONFIG", Value: path, Problem: "cannot read: " + err.Error()}
	}
	raw := map[string]any{}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, &ConfigError{Var: "CH_CONFIG", Value: path, Problem: "not YAML: " + err.Error()}
	}
	known := map[string]bool{}
	for _, name := range configVars {
		known[name] = true
	}
	out := map[string]string{}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		// The file may spell keys as the variables (CH_TIMEOUT) or in lower
		// case without the prefix (timeout).
		name := strings.ToUpper(k)
		if !strings.HasPrefix(name, "CH_") {
			name = "CH_" + name
		}
		if !known[name] {
			return nil, &ConfigError{Var: "CH_CONFIG", Value: path, Problem: fmt.Sprintf("unknown key %q", k)}
		}
		out[name] = fmt.Sprint(raw[k])
	}
	return out, nil
}

func parseConfig(v map[string]string) (Config, error) {
	c := Config{
		Profile:   v["CH_PROFILE"],
		AuthToken: v["CH_AUTH_TOKEN"],
		UserID:    v["CH_USER_ID"],
		DeviceID:  v["CH_DEVICE_ID"],
		SpecPath:  v["CH_SPEC"],
		Overlay:   v["CH_OVERLAY"],
		ReportDir: v["CH_REPORT_DIR"],
		Record:    v["CH_RECORD"],
		Fixtures:  v["CH_FIXTURES"],
		Timeout:   10 * time.Second,
	}
	if c.ReportDir == "" {
		c.ReportDir = "reports/latest"
	}
	if raw := v["CH_BASE_URL"]; raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			// The value is echoed without its user info and query: a URL
			// rejected for its form may still carry a password.
			return Config{}, &ConfigError{Var: "CH_BASE_URL", Value: RedactURLText(raw), Problem: "not an http(s) URL with a host, e.g. http://127.0.0.1:8080/api"}
		}
		u.Path = strings.TrimSuffix(u.Path, "/")
		c.BaseURL = u
	}
	var err error
	if c.AllowMutations, err = parseBool("CH_ALLOW_MUTATIONS", v["CH_ALLOW_MUTATIONS"]); err != nil {
		return Config{}, err
	}
	if c.AllowSMS, err = parseBool("CH_ALLOW_SMS", v["CH_ALLOW_SMS"]); err != nil {
		return Config{}, err
	}
	if c.Strict, err = parseBool("CH_STRICT", v["CH_STRICT"]); err != nil {
		return Config{}, err
	}
	if c.AllowInsecure, err = parseBool("CH_ALLOW_INSECURE", v["CH_ALLOW_INSECURE"]); err != nil {
		return Config{}, err
	}
	if c.Anonymous, err = parseBool("CH_ANONYMOUS", v["CH_ANONYMOUS"]); err != nil {
		return Config{}, err
	}
	if c.Anonymous && c.AuthToken != "" {
		// Which one the user meant is not ours to guess: a token given and
		// not used would make the reports say less than the run could.
		return Config{}, &ConfigError{Var: "CH_ANONYMOUS", Value: "true", Problem: "an anonymous run sends no token, but CH_AUTH_TOKEN is set: unset one of them"}
	}
	if c.BaseURL != nil && !c.AllowInsecure && InsecureRemote(c.BaseURL) && (c.AuthToken != "" || hasPassword(c.BaseURL)) {
		return Config{}, &ConfigError{Var: "CH_BASE_URL", Value: ShownURL(c.BaseURL), Problem: "plain http to a host that is not loopback " +
			"would send the credentials (CH_AUTH_TOKEN, the URL's password) in clear: use https, or set CH_ALLOW_INSECURE=true"}
	}
	if raw := v["CH_TIMEOUT"]; raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 {
			return Config{}, &ConfigError{Var: "CH_TIMEOUT", Value: raw, Problem: "not a positive duration, e.g. 10s or 500ms"}
		}
		c.Timeout = d
	}
	if raw := strings.TrimSpace(v["CH_MIN_COVERAGE"]); raw != "" {
		if raw != "all" && CheckFraction("CH_MIN_COVERAGE", raw) != nil {
			return Config{}, &ConfigError{Var: "CH_MIN_COVERAGE", Value: raw, Problem: "not a fraction between 0 and 1 (e.g. 0.9) or all"}
		}
		c.MinCoverage = raw
	}
	if raw := strings.TrimSpace(v["CH_MIN_RESPONSE_COVERAGE"]); raw != "" {
		if err := CheckFraction("CH_MIN_RESPONSE_COVERAGE", raw); err != nil {
			return Config{}, err
		}
		c.MinResponseCoverage = raw
	}
	c.Reruns = DefaultReruns
	if raw := strings.TrimSpace(v["CH_RERUNS"]); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > MaxReruns {
			return Config{}, &ConfigError{Var: "CH_RERUNS", Value: raw,
				Problem: fmt.Sprintf("not a whole number of reruns from 0 to %d (0: a failed spec is not run again)", MaxReruns)}
		}
		c.Reruns = n
	}
	if raw := v["CH_RUN_TIMEOUT"]; raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 {
			return Config{}, &ConfigError{Var: "CH_RUN_TIMEOUT", Value: raw, Problem: "not a positive duration, e.g. 30m or 90s"}
		}
		c.RunTimeout = d
	}
	if err := parseExplore(v, &c); err != nil {
		return Config{}, err
	}
	if c.BaseURL != nil && c.ProfileName() == "live" {
		c.Rate = 1 // a server we do not own gets one request a second unless told otherwise
	}
	if raw := v["CH_RATE"]; raw != "" {
		r, err := strconv.ParseFloat(raw, 64)
		if err != nil || r < 0 || math.IsInf(r, 0) || math.IsNaN(r) {
			return Config{}, &ConfigError{Var: "CH_RATE", Value: raw, Problem: "not a number of requests per second >= 0 (0: unlimited)"}
		}
		c.Rate = r
	}
	if c.SpecPath != "" {
		if _, err := os.Stat(c.SpecPath); err != nil {
			return Config{}, &ConfigError{Var: "CH_SPEC", Value: c.SpecPath, Problem: "cannot read the contract: " + err.Error()}
		}
	}
	if c.SkipsFile = v["CH_SKIPS"]; c.SkipsFile != "" {
		if c.Skips, err = readSkips(c.SkipsFile); err != nil {
			return Config{}, err
		}
	}
	if c.Overlay != "" {
		if _, err := os.Stat(c.Overlay); err != nil {
			return Config{}, &ConfigError{Var: "CH_OVERLAY", Value: c.Overlay, Problem: "cannot read the overlay: " + err.Error()}
		}
	}
	if c.Record != "" {
		if c.BaseURL == nil {
			return Config{}, &ConfigError{Var: "CH_RECORD", Value: c.Record, Problem: "record mode records a target: set CH_BASE_URL too"}
		}
		if st, err := os.Stat(c.Record); err == nil && !st.IsDir() {
			return Config{}, &ConfigError{Var: "CH_RECORD", Value: c.Record, Problem: "exists and is not a folder"}
		}
	}
	if c.Fixtures != "" {
		if c.BaseURL != nil {
			return Config{}, &ConfigError{Var: "CH_FIXTURES", Value: c.Fixtures, Problem: "fixtures replace the target: unset CH_BASE_URL or CH_FIXTURES"}
		}
		if st, err := os.Stat(c.Fixtures); err != nil || !st.IsDir() {
			return Config{}, &ConfigError{Var: "CH_FIXTURES", Value: c.Fixtures, Problem: "not a readable folder"}
		}
	}
	return c, nil
}

func parseExplore(v map[string]string, c *Config) error {
	switch raw := strings.ToLower(strings.TrimSpace(v["CH_EXPLORE"])); raw {
	case "", "auto":
	case "on", "true", "1":
		c.Explore = "on"
	case "off", "false", "0":
		c.Explore = "off"
	default:
		return &ConfigError{Var: "CH_EXPLORE", Value: v["CH_EXPLORE"], Problem: "not on, off or auto (auto: on against a loopback target only)"}
	}
	c.ExploreExamples = DefaultExploreExamples
	if raw := strings.TrimSpace(v["CH_EXPLORE_EXAMPLES"]); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 100000 {
			return &ConfigError{Var: "CH_EXPLORE_EXAMPLES", Value: raw, Problem: "not a whole number of requests per spec from 1 to 100000"}
		}
		c.ExploreExamples = n
	}
	c.ExploreBudget = DefaultExploreBudget
	if raw := strings.TrimSpace(v["CH_EXPLORE_BUDGET"]); raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 {
			return &ConfigError{Var: "CH_EXPLORE_BUDGET", Value: raw, Problem: "not a positive duration, e.g. 40s or 5m"}
		}
		c.ExploreBudget = d
	}
	if raw := strings.TrimSpace(v["CH_EXPLORE_SEED"]); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n == 0 {
			return &ConfigError{Var: "CH_EXPLORE_SEED", Value: raw, Problem: "not a whole number other than 0 (unset: the run's random seed)"}
		}
		c.ExploreSeed = n
	}
	return nil
}

func parseBool(name, raw string) (bool, error) {
	if raw == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return false, &ConfigError{Var: name, Value: raw, Problem: "not a boolean (true or false)"}
	}
	return b, nil
}

// IsLoopback reports whether u names this machine: localhost, 127.0.0.0/8 or
// ::1. Only such a target may have its profile lift the mutation and SMS
// guards.
func IsLoopback(u *url.URL) bool {
	if u == nil {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// InsecureRemote reports whether u is plain http to a host that is not
// loopback: what a token must not travel over unless CH_ALLOW_INSECURE.
func InsecureRemote(u *url.URL) bool {
	return u != nil && strings.EqualFold(u.Scheme, "http") && !IsLoopback(u)
}

func hasPassword(u *url.URL) bool {
	_, set := u.User.Password()
	return set
}

// ShownURL is u as reports and messages echo it: without user info, every
// query value masked (a base URL carries a query only to authenticate:
// ?api_key=...), without fragment.
func ShownURL(u *url.URL) string {
	shown := *u
	shown.User = nil
	shown.Fragment, shown.RawFragment = "", ""
	if u.RawQuery != "" {
		q := u.Query()
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, url.QueryEscape(k)+"=<redacted>")
		}
		sort.Strings(keys)
		shown.RawQuery = strings.Join(keys, "&")
	}
	return shown.String()
}

// RedactURLText is ShownURL for a text that may not parse as a URL (a
// rejected CH_BASE_URL): the user info and everything from the query on
// are masked.
func RedactURLText(raw string) string {
	s := raw
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i] + "?<redacted>"
	}
	prefix, rest := "", s
	if i := strings.Index(s, "://"); i >= 0 {
		prefix, rest = s[:i+3], s[i+3:]
	}
	end := strings.IndexByte(rest, '/')
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndexByte(rest[:end], '@'); at >= 0 {
		rest = "<redacted>@" + rest[at+1:]
	}
	return prefix + rest
}

// Secrets are the credentials of the configuration outside any profile:
// the token, and the password and query values of CH_BASE_URL. The run's
// redactor masks them in every form.
func (c Config) Secrets() []KnownSecret {
	out := []KnownSecret{{c.AuthToken, "auth_token:default"}}
	if c.BaseURL != nil {
		if pw, ok := c.BaseURL.User.Password(); ok {
			out = append(out, KnownSecret{pw, "CH_BASE_URL:password"})
		}
		for k, values := range c.BaseURL.Query() {
			for _, v := range values {
				out = append(out, KnownSecret{v, "CH_BASE_URL:" + k})
			}
		}
	}
	return out
}

// Redacted is the configuration as reports echo it: credentials masked
// (CH_AUTH_TOKEN; CH_BASE_URL's user info and query values). CH_USER_ID and
// CH_DEVICE_ID are identifiers, not secrets: shown here as in every
// transcript (the user id is public on any profile, the device id grants
// nothing without the token).
func (c Config) Redacted() map[string]string {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return "<redacted>"
	}
	out := map[string]string{
		"CH_PROFILE":               c.ProfileName(),
		"CH_AUTH_TOKEN":            mask(c.AuthToken),
		"CH_USER_ID":               c.UserID,
		"CH_DEVICE_ID":             c.DeviceID,
		"CH_ALLOW_MUTATIONS":       strconv.FormatBool(c.AllowMutations),
		"CH_ALLOW_INSECURE":        strconv.FormatBool(c.AllowInsecure),
		"CH_ALLOW_SMS":             strconv.FormatBool(c.AllowSMS),
		"CH_RATE":                  strconv.FormatFloat(c.Rate, 'g', -1, 64),
		"CH_TIMEOUT":               c.Timeout.String(),
		"CH_RUN_TIMEOUT":           runTimeoutString(c.RunTimeout),
		"CH_SPEC":                  c.SpecPath,
		"CH_OVERLAY":               c.Overlay,
		"CH_REPORT_DIR":            c.ReportDir,
		"CH_RECORD":                c.Record,
		"CH_STRICT":                strconv.FormatBool(c.Strict),
		"CH_FIXTURES":              c.Fixtures,
		"CH_SKIPS":                 c.SkipsFile,
		"CH_MIN_COVERAGE":          c.MinCoverage,
		"CH_MIN_RESPONSE_COVERAGE": c.MinResponseCoverage,
		"CH_RERUNS":                strconv.Itoa(c.Reruns),
		"CH_ANONYMOUS":             strconv.FormatBool(c.Anonymous),
		"CH_EXPLORE":               c.Explore,
		"CH_EXPLORE_EXAMPLES":      strconv.Itoa(c.ExploreExamples),
		"CH_EXPLORE_BUDGET":        c.ExploreBudget.String(),
		"CH_EXPLORE_SEED":          exploreSeedString(c.ExploreSeed),
	}
	if c.BaseURL != nil {
		out["CH_BASE_URL"] = ShownURL(c.BaseURL)
	}
	return out
}

func exploreSeedString(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

func runTimeoutString(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// CheckFraction refuses a floor that is not a fraction between 0 and 1.
func CheckFraction(name, raw string) error {
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1 {
		return &ConfigError{Var: name, Value: raw, Problem: "not a fraction between 0 and 1 (e.g. 0.9)"}
	}
	return nil
}

// DeclaredSkip is one entry of a CH_SKIPS file: a case id as the reports
// print it (CH-3fa9c2d1) or a spec's full name, and why it is known to fail
// (where that is tracked).
type DeclaredSkip struct {
	Match  string `json:"match"`
	Reason string `json:"reason"`
}

// readSkips reads a CH_SKIPS file: a YAML list of match and reason. A skip
// without either is refused, as conformance.Run refuses one: a skip nobody
// can trace is a hidden failure.
func readSkips(path string) ([]DeclaredSkip, error) {
	bad := func(problem string) error { return &ConfigError{Var: "CH_SKIPS", Value: path, Problem: problem} }
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, bad("cannot read: " + err.Error())
	}
	var skips []DeclaredSkip
	if err := yaml.UnmarshalStrict(data, &skips); err != nil {
		return nil, bad("not a YAML list of {match, reason}: " + err.Error())
	}
	for i := range skips {
		skips[i].Match, skips[i].Reason = strings.TrimSpace(skips[i].Match), strings.TrimSpace(skips[i].Reason)
		switch {
		case skips[i].Match == "":
			return nil, bad(fmt.Sprintf("entry %d has no match (a case id such as CH-3fa9c2d1, or a spec's full name)", i+1))
		case skips[i].Reason == "":
			return nil, bad(fmt.Sprintf("entry %d (%s) has no reason: say why it fails and where that is tracked", i+1, OneLine(skips[i].Match)))
		}
	}
	return skips, nil
}

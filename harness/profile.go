package harness

import (
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Profile says what a target can do: which documented server states it can be
// put in (and how), which accounts to use, and its general capabilities. A
// spec that needs what the profile lacks is reported unsupported, naming it.
type Profile struct {
	Name         string             `json:"name"`
	Description  string             `json:"description"`
	Capabilities []string           `json:"capabilities"`
	Accounts     map[string]Account `json:"accounts"`
	// States maps a documented state (an example's x-state) to the request
	// changes that put the target in it.
	States map[string]StateRecipe `json:"states"`
	// Requests changes the documented request of an operation in every
	// state, before the state's own recipe: ids that exist on this target,
	// a username unique to the run ("{unique}" is replaced per request).
	Requests map[string]StateRecipe `json:"requests"`
	// Signup says how to sign up a fresh account (capability "signup").
	Signup *Signup `json:"signup"`
	// Coverage is what a run against this target must verify (issue 12).
	Coverage *CoverageFloor `json:"coverage"`
}

// Coverage floor rules a profile can declare.
const (
	// CoverAll: every documented response a selected spec covers must be
	// verified (fixtures, emulator: every documented state is reachable).
	CoverAll = "all"
	// CoverSupported: every documented response a selected spec covers and
	// this profile supports (at least one covering spec was neither
	// unsupported nor disabled) must be verified: what a live target's
	// capabilities allow.
	CoverSupported = "supported"
)

// CoverageFloor is the documented responses a run against the target must
// verify. The responses no spec can exercise (ineligible.yaml) are exempt
// whatever the rule.
type CoverageFloor struct {
	// Require is CoverAll or CoverSupported; empty requires nothing.
	Require string `json:"require"`
	// Response is the fraction of the documented responses' schema
	// locations (response coverage) the run must observe, as written;
	// empty requires nothing. CH_MIN_RESPONSE_COVERAGE adds its own.
	Response string `json:"response"`
}

// Signup is how the harness makes a fresh account on a target with test
// phone numbers: a number from the prefix plus random digits, and the fixed
// verification code the target accepts for them.
type Signup struct {
	PhonePrefix string `json:"phone_prefix"`
	// Digits is how many random digits follow the prefix.
	Digits int    `json:"digits"`
	Code   string `json:"code"`
	// Username, when set, is given to the fresh account with update_username
	// so it leaves onboarding ("{unique}" is replaced).
	Username string `json:"username"`
}

// Account is one set of credentials on the target.
type Account struct {
	AuthToken    string `json:"auth_token"`
	UserID       string `json:"user_id"`
	DeviceID     string `json:"device_id"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// Account names with a meaning of their own.
const (
	AccountDefault = "default"
	// AccountNone sends no Authorization header.
	AccountNone = "none"
	// AccountInvalid sends a well-formed token the target cannot know.
	AccountInvalid = "invalid"
	// AccountInvalidBearer sends a malformed SimpleJWT access token as
	// Authorization: Bearer, the JWT alternative the contract names: a bad
	// Bearer token gets SimpleJWT's 401 body (detail, code, messages), which
	// no Token probe produces.
	AccountInvalidBearer = "invalid-bearer"
)

// invalidToken is 40 hex characters, the form of a real auth token, so that a
// target rejecting it rejects it for being unknown, not for its shape.
const invalidToken = "0000000000000000000000000000000000000bad"

// invalidBearer has the three base64url parts of a JWT and an HS256 header,
// but its payload is no JSON and its signature no signature: every target
// must refuse it, whatever its signing key.
const invalidBearer = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90LWEtdG9rZW4.bm90LWEtc2lnbmF0dXJl"

// StateRecipe is how a request is changed to reach a documented state.
type StateRecipe struct {
	// Account to send the request as; empty means the default account.
	Account string `json:"account"`
	// Headers to set; an empty value removes the header.
	Headers map[string]string `json:"headers"`
	// Body fields to set at the top level of the JSON body.
	Body map[string]any `json:"body"`
	// Query parameters to set.
	Query map[string]string `json:"query"`
}

// Capability reports whether the profile declares a general capability.
func (p *Profile) Capability(name string) bool {
	for _, c := range p.Capabilities {
		if c == name {
			return true
		}
	}
	return false
}

// State returns how to reach a documented state, and false when this target
// cannot be put in it. The ordinary state ("") is always reachable.
func (p *Profile) State(name string) (StateRecipe, bool) {
	if name == "" {
		return StateRecipe{}, true
	}
	r, ok := p.States[name]
	return r, ok
}

// LoadProfile finds a profile by built-in name (in builtin) or by file path,
// then lets the configured credentials stand in for the default account.
func LoadProfile(cfg Config, builtin fs.FS) (*Profile, error) {
	name := cfg.ProfileName()
	var data []byte
	var err error
	if strings.ContainsAny(name, `/\`) || strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") {
		data, err = os.ReadFile(name)
	} else {
		data, err = fs.ReadFile(builtin, name+".yaml")
		if err != nil {
			err = fmt.Errorf("no built-in profile of that name (known: %s)", strings.Join(builtinProfiles(builtin), ", "))
		}
	}
	if err != nil {
		return nil, &ConfigError{Var: "CH_PROFILE", Value: name, Problem: err.Error()}
	}
	p := &Profile{}
	if err := yaml.UnmarshalStrict(data, p); err != nil {
		return nil, &ConfigError{Var: "CH_PROFILE", Value: name, Problem: "not a valid profile: " + err.Error()}
	}
	if p.Accounts == nil {
		p.Accounts = map[string]Account{}
	}
	def := p.Accounts[AccountDefault]
	if cfg.AuthToken != "" {
		def.AuthToken = cfg.AuthToken
	}
	if cfg.UserID != "" {
		def.UserID = cfg.UserID
	}
	if cfg.DeviceID != "" {
		def.DeviceID = cfg.DeviceID
	}
	p.Accounts[AccountDefault] = def
	if cfg.BaseURL != nil && name == "fixtures" {
		// The fixtures profile describes the recordings (its capabilities
		// are true of a replay, not of a server): against a real target it
		// would lift the mutation and SMS guards.
		return nil, &ConfigError{Var: "CH_PROFILE", Value: name, Problem: "the fixtures profile describes the recorded fixtures, not a server: " +
			"with CH_BASE_URL use live (the default), emulator or a profile of your own; to replay fixtures, unset CH_BASE_URL"}
	}
	if c := p.Coverage; c != nil && c.Require != "" && c.Require != CoverAll && c.Require != CoverSupported {
		return nil, &ConfigError{Var: "CH_PROFILE", Value: name, Problem: fmt.Sprintf("coverage.require is %q: want %s or %s", c.Require, CoverAll, CoverSupported)}
	}
	if c := p.Coverage; c != nil && c.Response != "" {
		if err := CheckFraction("CH_PROFILE", c.Response); err != nil {
			return nil, &ConfigError{Var: "CH_PROFILE", Value: name, Problem: fmt.Sprintf("coverage.response is %q: want a fraction between 0 and 1", c.Response)}
		}
	}
	for state, r := range p.States {
		if r.Account != "" && r.Account != AccountNone && r.Account != AccountInvalid && r.Account != AccountInvalidBearer {
			a, ok := p.Accounts[r.Account]
			if !ok {
				return nil, &ConfigError{Var: "CH_PROFILE", Value: name, Problem: fmt.Sprintf("state %s uses account %q, which the profile does not define", state, r.Account)}
			}
			// Without a token the state's specs would send no credentials
			// and fail on the 401 for the wrong reason (issue 18).
			if a.AuthToken == "" {
				return nil, &ConfigError{Var: "CH_PROFILE", Value: name, Problem: fmt.Sprintf("state %s uses account %q, which has no auth_token", state, r.Account)}
			}
		}
	}
	return p, nil
}

// LiftsGuards reports whether the run may send mutating and SMS-sending
// requests without CH_ALLOW_MUTATIONS / CH_ALLOW_SMS: offline (the fixtures
// answer, nothing real changes), or when the profile declares `mutations`
// and the target is on loopback (127.0.0.0/8, ::1, localhost). A profile's
// word is not enough for any other host: CH_PROFILE=emulator pointed at a
// real server must not follow people or text phones.
func LiftsGuards(cfg Config, p *Profile) bool {
	if cfg.BaseURL == nil {
		return true
	}
	return p != nil && p.Capability("mutations") && IsLoopback(cfg.BaseURL)
}

func builtinProfiles(builtin fs.FS) []string {
	entries, _ := fs.ReadDir(builtin, ".")
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

package emulator

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Test phone numbers: any code works for no number but the fixed one.
const (
	// VerificationCode is the code every phone number verifies with (the
	// emulator sends no SMS).
	VerificationCode = "1234"
	// TestPhonePrefix + 4 digits signs up a fresh, not waitlisted user.
	TestPhonePrefix = "+1555000"
	// WaitlistedPhonePrefix + 4 digits signs up a fresh waitlisted user.
	WaitlistedPhonePrefix = "+1555001"
	// Special numbers reproduce the documented start_phone_number_auth states.
	PhoneFailure    = "+15555550102"
	PhoneBlocked    = "+15555550103"
	PhoneThrottling = "+15555550104"
	PhoneThrottled  = "+15555550105"
	// attemptsPerCode is how many wrong codes a number may send before the
	// high-usage answer.
	attemptsPerCode = 4
)

const (
	msgHighUsage  = "Our systems have detected high usage of this feature from your account. Please try again later."
	msgWaitlisted = "Your account is waitlisted. Please contact us if this is in error."
)

var (
	e164           = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	waitlistedTest = regexp.MustCompile(`^\` + WaitlistedPhonePrefix + `[0-9]{4}$`)
)

// strictStr reads a required JSON string that may not be blank.
func (p params) strictStr(name string) (string, *apiError) {
	v, present := p[name]
	if !present || v == nil {
		return "", missing(name)
	}
	s, isStr := asString(v)
	if !isStr {
		return "", invalid(name, "not a valid string")
	}
	if strings.TrimSpace(s) == "" {
		return "", invalid(name, "this field may not be blank")
	}
	return s, nil
}

// requiredStr reads a required JSON string that may be blank: a blank phone
// number is a bad number and a blank code a wrong code, which the contract
// answers with HTTP 200 and a failure body, not as malformed input (found by
// the generation phase, issue 21).
func (p params) requiredStr(name string) (string, *apiError) {
	s, ok, e := p.str(name)
	if e != nil {
		return "", e
	}
	if !ok {
		return "", missing(name)
	}
	return s, nil
}

func appHeadersMissing(c *call) bool {
	for _, h := range []string{"CH-Locale", "CH-AppVersion", "CH-AppBuild"} {
		if strings.TrimSpace(c.r.Header.Get(h)) == "" {
			return true
		}
	}
	return false
}

func startPhoneNumberAuth(c *call) reply {
	phone, e := c.p.requiredStr("phone_number")
	if e != nil {
		return fail(e)
	}
	if appHeadersMissing(c) {
		return ok(o("success", true, "is_blocked", true))
	}
	switch phone {
	case PhoneFailure:
		return ok(o("success", false, "is_blocked", false, "error_message", ""))
	case PhoneBlocked:
		return ok(o("success", true, "is_blocked", true))
	case PhoneThrottling:
		return ok(o("success", true, "is_blocked", false, "number_of_attempts_remaining", 3))
	case PhoneThrottled:
		return ok(o("success", false, "error_message", msgHighUsage))
	}
	if !e164.MatchString(phone) {
		return ok(o("success", false, "is_blocked", false, "error_message", "Please enter a valid phone number."))
	}
	if id, found := c.w.byPhone[phone]; found && c.w.users[id].Blocked {
		return ok(o("success", true, "is_blocked", true))
	}
	if c.pendingFor(phone) == nil {
		return refused()
	}
	return ok(o("success", true, "is_blocked", false, "error_message", nil, "send_rc_token", false))
}

// call_phone_number_auth and resend_phone_number_auth.
func callPhoneNumberAuth(c *call) reply {
	phone, _, e := c.p.str("phone_number")
	if e != nil {
		return fail(e)
	}
	if phone == PhoneThrottled {
		return ok(o("success", false, "error_message", msgHighUsage))
	}
	if phone == PhoneFailure {
		return ok(o("success", false, "error_message", ""))
	}
	return ok(o("success", true, "error_message", nil))
}

func completePhoneNumberAuth(c *call) reply {
	phone, e := c.p.requiredStr("phone_number")
	if e != nil {
		return fail(e)
	}
	code, e := c.p.requiredStr("verification_code")
	if e != nil {
		return fail(e)
	}
	for _, f := range []string{"device_token", "rc_token", "safety_net_nonce", "safety_net_response"} {
		if _, _, e := c.p.str(f); e != nil {
			return fail(e)
		}
	}
	if phone == PhoneThrottled {
		return ok(o("success", false, "error_message", msgHighUsage))
	}
	if !e164.MatchString(phone) {
		return ok(o("success", false, "error_message", "Please enter a valid phone number."))
	}
	pa := c.pendingFor(phone)
	if pa == nil {
		return refused()
	}
	if strings.TrimSpace(code) != VerificationCode {
		pa.failures++
		left := attemptsPerCode - pa.failures
		if left < 0 {
			return ok(o("success", false, "error_message", msgHighUsage))
		}
		return ok(o("success", true, "is_verified", false, "number_of_attempts_remaining", left))
	}
	var u *user
	id, found := c.w.byPhone[phone]
	if (!found && !c.canSignUp()) || !c.canIssueToken() {
		return refused()
	}
	delete(c.w.pending, phone)
	if found {
		u = c.w.users[id]
	} else {
		c.s.signups++
		c.w.nextUser++
		u = c.w.addUser(c.w.nextUser)
		u.Phone = phone
		u.TimeCreated = isoTime(c.now)
		u.NumInvites = 3
		u.Waitlisted = waitlistedTest.MatchString(phone)
		c.w.byPhone[phone] = u.ID
		if inviter, found := c.w.invited[phone]; found {
			u.InvitedBy = inviter
		}
	}
	if u.Blocked {
		return ok(o("success", false, "error_message", "Your account has been suspended."))
	}
	token := randomHex(20)
	c.w.tokens[token] = u.ID
	access, refresh := c.s.tokenPair(u.ID, c.now)
	return ok(o("success", true, "is_verified", true, "user_profile", c.w.userShort(u), "auth_token", token,
		"refresh_token", refresh, "access_token", access, "is_waitlisted", u.Waitlisted, "is_onboarding", onboarding(u)))
}

func onboarding(u *user) bool { return u.Username == nil }

func (s *Server) tokenPair(userID int64, now time.Time) (access, refresh string) {
	access, _ = MintToken(s.secret, "access", userID, now.Add(accessLifetime), "")
	refresh, _ = MintToken(s.secret, "refresh", userID, now.AddDate(refreshYears, 0, 0), "")
	return access, refresh
}

func refreshToken(c *call) reply {
	// A blank refresh token is an invalid one: the contract answers it with
	// its 401, not with an undocumented 400 (issue 21's generation phase).
	raw, e := c.p.requiredStr("refresh")
	if e != nil {
		return fail(e)
	}
	id, err := parseToken(c.s.secret, raw, "refresh", c.now)
	if err != nil || c.w.users[id] == nil {
		return reply{401, o("detail", "Token is invalid or expired", "code", "token_not_valid")}
	}
	access, _ := MintToken(c.s.secret, "access", id, c.now.Add(accessLifetime), "")
	return ok(o("access", access, "refresh", raw))
}

func checkWaitlistStatus(c *call) reply {
	if c.u.Waitlisted {
		// The seed's documented answer, exactly.
		return ok(o("is_waitlisted", true, "is_onboarding", onboarding(c.u), "success", true))
	}
	// A member's answer carries what the live server added (April 2021).
	var invitedBy any
	if inv := c.w.users[c.u.InvitedBy]; inv != nil {
		invitedBy = c.w.userShort(inv)
	}
	created, err := time.Parse("2006-01-02T15:04:05.999999-07:00", c.u.TimeCreated)
	if err != nil {
		created = c.now
	}
	year, week := created.ISOWeek()
	return ok(o("is_waitlisted", c.u.Waitlisted, "is_onboarding", onboarding(c.u), "success", true,
		"analytics_properties", o("SignUpWeek", fmt.Sprintf("%d-W%02d", year, week), "SignUpDay", created.Format("2006-01-02")),
		"enable_twitter", true, "num_preselect_follows", len(c.w.suggestionsFor(c.u, 8)),
		"invited_by_user_profile", invitedBy, "club", nil))
}

// waitlisted is the refusal every write of a waitlisted account gets.
func waitlisted(status int) reply {
	return reply{status, o("success", false, "error_message", msgWaitlisted)}
}

func me(c *call) reply {
	retBlocked, e := c.p.bool("return_blocked_ids", false)
	if e != nil {
		return fail(e)
	}
	retFollowing, e := c.p.bool("return_following_ids", false)
	if e != nil {
		return fail(e)
	}
	if _, _, e := c.p.str("timezone_identifier"); e != nil {
		return fail(e)
	}
	var following, blocked any
	if retFollowing {
		ids := []int64{}
		for _, f := range c.w.following(c.u) {
			ids = append(ids, f.ID)
		}
		following = ids
	}
	if retBlocked {
		ids := []int64{}
		for id := range c.u.Blocks {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		blocked = ids
	}
	unread := false
	for _, n := range c.u.Notifications {
		unread = unread || n.IsUnread
	}
	access, refresh := c.s.tokenPair(c.u.ID, c.now)
	out := obj(nil)
	// The seed's /me carries the auth token it was asked with; a request
	// signed with a Bearer access token has none to give back.
	if f := strings.Fields(c.r.Header.Get("Authorization")); len(f) == 2 && strings.EqualFold(f[0], "Token") {
		out = o("auth_token", f[1])
	}
	return ok(out.merge(o("has_unread_notifications", unread, "actionable_notifications_count", len(c.u.Actionable),
		"num_invites", c.u.NumInvites, "refresh_token", refresh, "access_token", access,
		"notifications_enabled", c.u.Settings.SystemEnabled != -1, "user_profile", c.w.userShort(c.u),
		"following_ids", following, "blocked_ids", blocked, "is_admin", false, "email", nil,
		"feature_flags", []string{""}, "success", true, "is_ambassador", false,
		"service_status", o("title", "Scheduled maintenance", "message", "Rooms may drop for a minute tonight at 02:00 UTC.",
			"button_title", "Got it", "url", "https://www.joinclubhouse.com/status"))))
}

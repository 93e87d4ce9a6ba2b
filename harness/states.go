package harness

// StatePhrases turns a documented state (an example's x-state) into the words
// a spec name uses, so a failed run reads as a list of broken promises.
var statePhrases = map[string]string{
	"no-credentials":        "without credentials",
	"waitlisted-account":    "for a waitlisted account",
	"blocked-account":       "for a blocked account",
	"phone-failure":         "when the target cannot start the verification",
	"phone-blocked":         "for a blocked phone number",
	"phone-throttling":      "for a phone number about to be throttled",
	"phone-throttled":       "for a throttled phone number",
	"app-too-old":           "from an app version below the minimum",
	"room-ended":            "for a room that has ended",
	"username-not-allowed":  "with a username that is not allowed",
	"username-taken":        "with a username another user has taken",
	"invalid-refresh-token": "with an invalid refresh token",
	"update-available":      "from an outdated app build",
	"invite-not-possible":   "for a user who cannot be invited",
}

// StatePhrase returns the words for a state; unknown states read as their name.
func StatePhrase(state string) string {
	if p, ok := statePhrases[state]; ok {
		return p
	}
	if state == "" {
		return ""
	}
	return "in state " + state
}

// KnownState reports whether the harness has words for state; the contract
// test uses it to refuse x-state values nobody can reach.
func KnownState(state string) bool {
	_, ok := statePhrases[state]
	return ok
}

// mutatingOps are the operations that change server state (or, for the
// phone-auth flow, send an SMS or a call). Against a live target they run only
// when mutations are allowed.
var mutatingOps = map[string]bool{
	"start_phone_number_auth":            true,
	"call_phone_number_auth":             true,
	"resend_phone_number_auth":           true,
	"complete_phone_number_auth":         true,
	"refresh_token":                      true,
	"update_username":                    true,
	"follow":                             true,
	"join_channel":                       true,
	"leave_channel":                      true,
	"create_channel":                     true,
	"invite_to_app":                      true,
	"invite_from_waitlist":               true,
	"update_notifications":               true,
	"record_action_trails":               true,
	"get_suggested_invites":              true, // uploads contacts
	"get_suggested_club_invites":         true, // uploads contacts
	"get_suggested_follows_friends_only": true, // uploads contacts
}

// readOnlyOps are the operations known to change nothing. An operation in
// neither list is treated as mutating: a new operation in the contract must
// not reach a live target unasked just because nobody classified it yet
// (TestEveryOperationIsClassified asks for the decision).
var readOnlyOps = map[string]bool{
	"check_waitlist_status": true, "me": true, "get_release_notes": true, "get_all_topics": true,
	"get_topic": true, "get_clubs_for_topic": true, "get_profile": true, "get_users_for_topic": true,
	"get_channels": true, "get_following": true, "get_suggested_follows_all": true,
	"get_online_friends": true, "get_events": true, "get_settings": true, "get_welcome_channel": true,
	"get_notifications": true, "get_actionable_notifications": true, "get_create_channel_targets": true,
	"get_suggested_speakers": true, "search_users": true, "get_suggested_follows_similar": true,
	"search_clubs": true, "get_club": true, "check_for_update": true,
}

// Mutating reports whether calling the operation changes server state; an
// operation nobody classified counts as mutating.
func (o *Operation) Mutating() bool { return mutatingOps[o.ID] || !readOnlyOps[o.ID] }

// SendsSMS reports whether the operation makes the target text or call a
// phone: the phone-auth requests, and invite_to_app (which texts the invite
// to the number given).
func (o *Operation) SendsSMS() bool {
	switch o.ID {
	case "start_phone_number_auth", "call_phone_number_auth", "resend_phone_number_auth", "invite_to_app":
		return true
	}
	return false
}

// PhoneAuth reports whether the operation is part of the phone-number sign-in
// flow: the requests that text or call a phone, and the one that completes it
// (which signs an account up). Against a target the project does not own they
// run only when CH_ALLOW_SMS is set.
func (o *Operation) PhoneAuth() bool {
	switch o.ID {
	case "start_phone_number_auth", "call_phone_number_auth", "resend_phone_number_auth", "complete_phone_number_auth":
		return true
	}
	return false
}

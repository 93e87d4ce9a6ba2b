package emulator

import "net/http"

// routes is the table of the 41 operations: the contract's method, what the
// real server's Allow header also permits, whether a token is needed (public
// ones need none; optional ones check a token only when one is sent).
func routes() map[string]*route {
	const (
		get  = http.MethodGet
		post = http.MethodPost
	)
	getAndPost := []string{get, post, http.MethodOptions}
	postOnly := []string{post, http.MethodOptions}
	table := []struct {
		id       string
		method   string
		alsoGet  bool
		public   bool
		mutating bool
		h        handlerFunc
	}{
		{"start_phone_number_auth", post, false, true, true, startPhoneNumberAuth},
		{"call_phone_number_auth", post, false, true, true, callPhoneNumberAuth},
		{"resend_phone_number_auth", post, false, true, true, callPhoneNumberAuth},
		{"complete_phone_number_auth", post, false, true, true, completePhoneNumberAuth},
		{"refresh_token", post, false, true, true, refreshToken},
		{"check_waitlist_status", post, true, false, false, checkWaitlistStatus},
		{"me", post, true, false, false, me},
		{"get_release_notes", post, false, false, false, getReleaseNotes},
		{"get_all_topics", get, false, false, false, getAllTopics},
		{"get_topic", post, false, false, false, getTopic},
		{"get_clubs_for_topic", post, true, false, false, getClubsForTopic},
		{"get_users_for_topic", get, false, false, false, getUsersForTopic},
		{"get_profile", post, false, false, false, getProfile},
		{"update_username", post, false, false, true, updateUsername},
		{"follow", post, false, false, true, follow},
		{"get_following", post, true, false, false, getFollowing},
		{"get_suggested_follows_friends_only", post, false, false, true, getSuggestedFollowsFriendsOnly},
		{"get_suggested_follows_all", get, false, false, false, getSuggestedFollowsAll},
		{"get_suggested_follows_similar", post, false, false, false, getSuggestedFollowsSimilar},
		{"search_users", post, true, false, false, searchUsers},
		{"search_clubs", post, true, false, false, searchClubs},
		{"get_club", post, false, false, false, getClub},
		{"get_online_friends", post, true, false, false, getOnlineFriends},
		{"get_channels", get, false, false, false, getChannels},
		{"join_channel", post, false, false, true, joinChannel},
		{"leave_channel", post, false, false, true, leaveChannel},
		{"create_channel", post, false, false, true, createChannel},
		{"get_create_channel_targets", post, false, false, false, getCreateChannelTargets},
		{"get_welcome_channel", get, false, false, false, getWelcomeChannel},
		{"get_suggested_speakers", post, false, false, false, getSuggestedSpeakers},
		{"get_suggested_invites", post, false, false, true, getSuggestedInvites},
		{"get_suggested_club_invites", post, false, false, true, getSuggestedClubInvites},
		{"invite_to_app", post, false, false, true, inviteToApp},
		{"invite_from_waitlist", post, false, false, true, inviteFromWaitlist},
		{"update_notifications", post, false, false, true, updateNotifications},
		{"get_settings", get, false, false, false, getSettings},
		{"get_notifications", get, false, false, false, getNotifications},
		{"get_actionable_notifications", get, false, false, false, getActionableNotifications},
		{"get_events", get, false, false, false, getEvents},
		// The app checks for updates before sign-in too: no token needed
		// (stypr/clubhouse-py calls it without one), a sent one is checked.
		{"check_for_update", get, false, true, false, checkForUpdate},
		{"record_action_trails", post, false, false, true, recordActionTrails},
	}
	m := map[string]*route{}
	for _, t := range table {
		allow := postOnly
		if t.method == get || t.alsoGet {
			// The paginated GET apis are also accessible via POST; these
			// POST views also answer GET (ground truth §1.1).
			allow = getAndPost
		}
		m[t.id] = &route{id: t.id, method: t.method, allow: allow, secured: !t.public, mutating: t.mutating, h: t.h}
	}
	for _, id := range []string{"check_for_update"} {
		m[id].optional = true
	}
	return m
}

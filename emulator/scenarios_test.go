package emulator_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chconform/chconform/harness"
)

func TestSignupAndOnboarding(t *testing.T) {
	e := newEnv(t)
	a := e.signup("+1555000", "")
	ws := e.send("check_waitlist_status", a, nil)
	e.conform(ws)
	jsonHas(t, ws.Response.Body, `{"is_waitlisted":false,"is_onboarding":true,"success":true}`)
	name := harness.Unique("onboard_{unique}")
	e.status(e.send("update_username", a, map[string]any{"username": name}), 200)
	jsonHas(t, e.send("check_waitlist_status", a, nil).Response.Body, `{"is_waitlisted":false,"is_onboarding":false,"success":true}`)
	me := e.send("me", a, map[string]any{})
	e.conform(me)
	if got := get(me, "user_profile.username").String(); got != name {
		t.Fatalf("me shows username %q, want %q", got, name)
	}
	// Signing in again with the same number is the same user with a new token.
	num := "+15550009999"
	for i := 0; i < 2; i++ {
		e.send("start_phone_number_auth", nil, map[string]any{"phone_number": num})
	}
	first := e.do(harness.Call{Op: e.op("complete_phone_number_auth"), Body: map[string]any{"phone_number": num, "verification_code": "1234"}})
	again := e.do(harness.Call{Op: e.op("complete_phone_number_auth"), Body: map[string]any{"phone_number": num, "verification_code": "1234"}})
	if get(first, "user_profile.user_id").Int() != get(again, "user_profile.user_id").Int() || get(first, "auth_token").String() == get(again, "auth_token").String() {
		t.Fatalf("a second sign-in should be the same user with a new token: %s / %s", first.Response.Body, again.Response.Body)
	}
}

func TestWrongCodeThenThrottled(t *testing.T) {
	e := newEnv(t)
	num := phone("+1555000")
	call := harness.Call{Op: e.op("complete_phone_number_auth"), Body: map[string]any{"phone_number": num, "verification_code": "0000"}}
	for want := 3; want >= 0; want-- {
		ex := e.do(call)
		e.conform(ex)
		jsonEqual(t, ex.Response.Body, fmt.Sprintf(`{"success":true,"is_verified":false,"number_of_attempts_remaining":%d}`, want))
	}
	ex := e.do(call)
	e.conform(ex)
	jsonEqual(t, ex.Response.Body, `{"success":false,"error_message":"Our systems have detected high usage of this feature from your account. Please try again later."}`)
	call.Body = map[string]any{"phone_number": num, "verification_code": "1234"}
	if ex := e.do(call); !get(ex, "is_verified").Bool() {
		t.Fatalf("the right code should still verify: %s", ex.Response.Body)
	}
}

func TestTokens(t *testing.T) {
	e := newEnv(t)
	a := e.signup("+1555000", harness.Unique("tok_{unique}"))
	for _, tok := range []string{a.AccessToken, a.RefreshToken} {
		if parts := strings.Split(tok, "."); len(parts) != 3 {
			t.Fatalf("not a JWT: %q", tok)
		}
	}
	if len(a.AuthToken) != 40 || strings.Trim(a.AuthToken, "0123456789abcdef") != "" {
		t.Fatalf("auth token %q is not 40 lower-case hex", a.AuthToken)
	}
	bearer := func(tok string) *harness.Exchange {
		return e.do(harness.Call{Op: e.op("me"), Account: harness.AccountNone, Body: map[string]any{},
			Header: map[string]string{"Authorization": "Bearer " + tok}})
	}
	ex := bearer(a.AccessToken)
	e.status(ex, 200)
	e.conform(ex)
	if get(ex, "user_profile.user_id").String() != a.UserID {
		t.Fatalf("bearer me is another user: %s", ex.Response.Body)
	}
	// A refresh token is not an access token.
	ex = bearer(a.RefreshToken)
	e.status(ex, 401)
	e.conform(ex)
	if get(ex, "code").String() != "token_not_valid" {
		t.Fatalf("want SimpleJWT's token_not_valid: %s", ex.Response.Body)
	}
	rt := e.do(harness.Call{Op: e.op("refresh_token"), Body: map[string]any{"refresh": a.RefreshToken}})
	e.status(rt, 200)
	e.conform(rt)
	e.status(bearer(get(rt, "access").String()), 200)
	bad := e.do(harness.Call{Op: e.op("refresh_token"), Body: map[string]any{"refresh": a.AccessToken}})
	jsonEqual(t, bad.Response.Body, `{"detail":"Token is invalid or expired","code":"token_not_valid"}`)
	// The profile's fixed tokens are valid.
	def := e.prof.Accounts["default"]
	e.status(bearer(def.AccessToken), 200)
	e.status(e.do(harness.Call{Op: e.op("refresh_token"), Body: map[string]any{"refresh": def.RefreshToken}}), 200)
	// Auth failures.
	for _, c := range []struct{ header, detail string }{
		{"", "Authentication credentials were not provided."},
		{"Token 0000000000000000000000000000000000000bad", "Invalid token."},
		{"Token", "Invalid token header. No credentials provided."},
		{"Basic dXNlcjpwYXNz", "Authentication credentials were not provided."},
	} {
		h := map[string]string{"Authorization": c.header}
		ex := e.do(harness.Call{Op: e.op("get_channels"), Account: harness.AccountNone, Header: h})
		e.status(ex, 401)
		jsonEqual(t, ex.Response.Body, fmt.Sprintf(`{"detail":%q}`, c.detail))
	}
	blocked := e.do(harness.Call{Op: e.op("get_channels"), Account: "blocked"})
	jsonEqual(t, blocked.Response.Body, `{"detail":"You do not have permission to perform this action."}`)
}

func TestFollowThenRead(t *testing.T) {
	e := newEnv(t)
	a := e.signup("+1555000", harness.Unique("fan_{unique}"))
	b := e.signup("+1555000", harness.Unique("star_{unique}"))
	before := e.send("get_profile", a, map[string]any{"user_id": b.UserID})
	e.conform(before)
	if get(before, "user_profile.num_followers").Int() != 0 || get(before, "user_profile.notification_type").Exists() && get(before, "user_profile.notification_type").Type.String() != "Null" {
		t.Fatalf("fresh user already followed: %s", before.Response.Body)
	}
	e.status(e.send("follow", a, map[string]any{"user_id": b.UserID, "source": 4}), 200)
	e.status(e.send("follow", a, map[string]any{"user_id": b.UserID}), 200) // idempotent
	fol := e.send("get_following", a, map[string]any{"user_id": a.UserID})
	e.conform(fol)
	if get(fol, "count").Int() != 1 || get(fol, "users.0.user_id").String() != b.UserID {
		t.Fatalf("get_following does not show the follow: %s", fol.Response.Body)
	}
	after := e.send("get_profile", a, map[string]any{"user_id": b.UserID})
	if get(after, "user_profile.num_followers").Int() != 1 || get(after, "user_profile.notification_type").Int() != 2 {
		t.Fatalf("get_profile does not show the follow: %s", after.Response.Body)
	}
	back := e.send("get_profile", b, map[string]any{"user_id": a.UserID})
	if !get(back, "user_profile.follows_me").Bool() {
		t.Fatalf("follows_me should be true: %s", back.Response.Body)
	}
	notes := e.do(harness.Call{Op: e.op("get_notifications"), As: b})
	e.conform(notes)
	if get(notes, "notifications.0.type").Int() != 1 || get(notes, "notifications.0.user_profile.user_id").String() != a.UserID {
		t.Fatalf("the followed user should be notified: %s", notes.Response.Body)
	}
	me := e.send("me", a, map[string]any{"return_following_ids": true})
	if get(me, "following_ids.0").String() != b.UserID {
		t.Fatalf("me.following_ids: %s", me.Response.Body)
	}
	// Not yourself, not nobody; a waitlisted account gets 401.
	e.status(e.send("follow", a, map[string]any{"user_id": a.UserID}), 400)
	e.status(e.send("follow", a, map[string]any{"user_id": 99999999}), 400)
	w := e.signup("+1555001", "")
	e.status(e.send("follow", w, map[string]any{"user_id": 1234}), 401)
}

func TestRooms(t *testing.T) {
	e := newEnv(t)
	host := e.signup("+1555000", harness.Unique("host_{unique}"))
	guest := e.signup("+1555000", harness.Unique("guest_{unique}"))
	created := e.send("create_channel", host, map[string]any{"is_social_mode": false, "is_private": false, "club_id": nil, "user_ids": []int{}, "event_id": nil, "topic": "Testing rooms"})
	e.status(created, 200)
	e.conform(created)
	slug := get(created, "channel").String()
	if len(slug) != 8 || get(created, "users.0.user_id").String() != host.UserID || !get(created, "users.0.is_moderator").Bool() {
		t.Fatalf("created room: %s", created.Response.Body)
	}
	joined := e.send("join_channel", guest, map[string]any{"channel": slug, "attribution_source": "feed", "attribution_details": "e30="})
	e.status(joined, 200)
	e.conform(joined)
	if !strings.Contains(get(joined, "users.#.user_id").Raw, guest.UserID) {
		t.Fatalf("the guest is not in the room: %s", joined.Response.Body)
	}
	inList := func() bool {
		ch := e.do(harness.Call{Op: e.op("get_channels"), As: host})
		e.conform(ch)
		for _, c := range get(ch, "channels").Array() {
			if c.Get("channel").String() == slug {
				return strings.Contains(c.Get("users.#.user_id").Raw, guest.UserID)
			}
		}
		t.Fatalf("the created room is not in get_channels")
		return false
	}
	if !inList() {
		t.Fatal("get_channels does not show the guest")
	}
	e.status(e.send("leave_channel", guest, map[string]any{"channel": slug, "channel_id": nil}), 200)
	if inList() {
		t.Fatal("get_channels still shows the guest after leave_channel")
	}
	// Private rooms: only the invited get in.
	priv := e.send("create_channel", host, map[string]any{"is_private": true, "user_ids": []any{guest.UserID}})
	e.status(priv, 200)
	other := e.signup("+1555000", harness.Unique("other_{unique}"))
	e.status(e.send("join_channel", guest, map[string]any{"channel": get(priv, "channel").String()}), 200)
	ex := e.send("join_channel", other, map[string]any{"channel": get(priv, "channel").String()})
	e.conform(ex)
	e.status(ex, 400)
	// Bad attribution, unknown room, bad slug.
	e.status(e.send("join_channel", guest, map[string]any{"channel": slug, "attribution_details": "not base64!"}), 400)
	e.status(e.send("join_channel", guest, map[string]any{"channel": slug, "attribution_source": "elsewhere"}), 400)
	e.status(e.send("join_channel", guest, map[string]any{"channel": "nOsUcH00"}), 400)
	e.status(e.send("join_channel", guest, map[string]any{"channel": "../etc"}), 400)
	e.status(e.send("create_channel", host, map[string]any{"club_id": 424242}), 400)
	// The seed's rooms.
	e.status(e.send("join_channel", guest, map[string]any{"channel": "abcdefgh"}), 200)
	sp := e.send("get_suggested_speakers", guest, map[string]any{"channel": "abcdefgh"})
	e.conform(sp)
	if get(sp, "count").Int() < 1 {
		t.Fatalf("the seeded room has an audience: %s", sp.Response.Body)
	}
}

func TestUsernames(t *testing.T) {
	e := newEnv(t)
	a := e.signup("+1555000", harness.Unique("first_{unique}"))
	name := harness.Unique("Renamed_{unique}")
	e.status(e.send("update_username", a, map[string]any{"username": name}), 200)
	p := e.send("get_profile", nil, map[string]any{"user_id": a.UserID})
	if get(p, "user_profile.username").String() != name || get(p, "user_profile.url").String() != "https://www.joinclubhouse.com/@"+name {
		t.Fatalf("get_profile does not show the new username: %s", p.Response.Body)
	}
	byName := e.send("get_profile", nil, map[string]any{"username": strings.ToLower(name)})
	if get(byName, "user_profile.user_id").String() != a.UserID {
		t.Fatalf("get_profile by username: %s", byName.Response.Body)
	}
	// Taken by someone else (case-insensitively), free again for the owner.
	b := e.signup("+1555000", "")
	taken := e.send("update_username", b, map[string]any{"username": strings.ToUpper(name)})
	jsonEqual(t, taken.Response.Body, `{"success":false,"error_message":"This username has already been taken by a different user."}`)
	e.status(e.send("update_username", a, map[string]any{"username": name}), 200)
	for _, bad := range []string{"", "has space", "émoji", "admin", strings.Repeat("x", 31)} {
		ex := e.send("update_username", b, map[string]any{"username": bad})
		jsonEqual(t, ex.Response.Body, `{"success":false,"error_message":"This username is not allowed. Please try another one."}`)
	}
	found := e.send("search_users", nil, map[string]any{"query": strings.ToLower(name)})
	e.conform(found)
	if get(found, "users.0.user_id").String() != a.UserID {
		t.Fatalf("search_users does not find the new name: %s", found.Response.Body)
	}
}

func TestInvites(t *testing.T) {
	e := newEnv(t)
	a := e.signup("+1555000", harness.Unique("inviter_{unique}"))
	num := func() int64 { return get(e.send("me", a, map[string]any{}), "num_invites").Int() }
	start := num()
	if start < 1 {
		t.Fatalf("a fresh account has no invites")
	}
	friend := phone("+1555002")
	e.status(e.send("invite_to_app", a, map[string]any{"name": "Friend", "phone_number": friend, "message": nil}), 200)
	if got := num(); got != start-1 {
		t.Fatalf("num_invites %d after one invite, want %d", got, start-1)
	}
	sug := e.send("get_suggested_invites", a, map[string]any{"contacts": []any{map[string]any{"phone_number": friend}}})
	e.conform(sug)
	if !get(sug, "suggested_invites.0.is_invited").Bool() || get(sug, "num_invites").Int() != start-1 {
		t.Fatalf("get_suggested_invites: %s", sug.Response.Body)
	}
	for i := int64(1); i < start; i++ {
		e.status(e.send("invite_to_app", a, map[string]any{"phone_number": phone("+1555002")}), 200)
	}
	e.status(e.send("invite_to_app", a, map[string]any{"phone_number": phone("+1555002")}), 400)
	// The invited friend signs up with the inviter on their profile.
	e.do(harness.Call{Op: e.op("start_phone_number_auth"), Body: map[string]any{"phone_number": friend}})
	done := e.do(harness.Call{Op: e.op("complete_phone_number_auth"), Body: map[string]any{"phone_number": friend, "verification_code": "1234"}})
	p := e.send("get_profile", a, map[string]any{"user_id": get(done, "user_profile.user_id").Int()})
	if get(p, "user_profile.invited_by_user_profile.user_id").String() != a.UserID {
		t.Fatalf("invited_by_user_profile: %s", p.Response.Body)
	}
	// Letting a waitlisted user in.
	w := e.signup("+1555001", "")
	jsonEqual(t, e.send("check_waitlist_status", w, nil).Response.Body, `{"is_waitlisted":true,"is_onboarding":true,"success":true}`)
	e.status(e.send("invite_from_waitlist", a, map[string]any{"user_id": w.UserID}), 200)
	jsonHas(t, e.send("check_waitlist_status", w, nil).Response.Body, `{"is_waitlisted":false,"is_onboarding":true,"success":true}`)
	// The profile's waitlisted account stays waitlisted.
	jsonEqual(t, e.send("invite_from_waitlist", a, map[string]any{"user_id": 2001}).Response.Body, `{"success":false,"error_message":""}`)
}

func TestNotificationSettings(t *testing.T) {
	e := newEnv(t)
	a := e.signup("+1555000", harness.Unique("quiet_{unique}"))
	e.status(e.send("update_notifications", a, map[string]any{"enable_trending": 0, "frequency": 1, "pause_till": -1}), 200)
	s := e.do(harness.Call{Op: e.op("get_settings"), As: a})
	e.conform(s)
	jsonHas(t, s.Response.Body, `{"notifications_enable_trending":false,"notifications_frequency":1,"notifications_is_paused":false,"success":true}`)
}

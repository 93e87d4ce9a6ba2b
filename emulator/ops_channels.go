package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	msgAppTooOld     = "Please upgrade the app to join rooms!"
	msgRoomNotActive = "That room is no longer available 👋🏼\nTry starting a new one instead?"
	slugAlphabet     = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

var slugPattern = regexp.MustCompile(`^[A-Za-z0-9]+$`)

func (w *world) notify(to, from *user, typ int, channel string, eventID int64, msg string, now time.Time) {
	w.nextNotif++
	to.Notifications = append([]*notification{{ID: w.nextNotif, From: from.ID, Type: typ, Channel: channel, EventID: eventID,
		Message: msg, TimeCreated: isoTime(now.Truncate(time.Microsecond)), IsUnread: true}}, to.Notifications...)
	if len(to.Notifications) > 500 {
		to.Notifications = to.Notifications[:500]
	}
}

// versionBelow reports whether dotted version v is below min; a version
// that is not dotted numbers counts as below.
func versionBelow(v, min string) bool {
	vp, mp := strings.Split(strings.TrimSpace(v), "."), strings.Split(min, ".")
	for i := 0; i < len(vp) || i < len(mp); i++ {
		a, b := 0, 0
		if i < len(vp) {
			n, err := strconv.Atoi(vp[i])
			if err != nil || n < 0 {
				return true
			}
			a = n
		}
		if i < len(mp) {
			b, _ = strconv.Atoi(mp[i])
		}
		if a != b {
			return a < b
		}
	}
	return false
}

// slugParam reads the channel slug a request names.
func (c *call) slugParam(required bool) (string, bool, *apiError) {
	v, present := c.p["channel"]
	if !present || v == nil {
		if required {
			return "", false, missing("channel")
		}
		return "", false, nil
	}
	s, isStr := asString(v)
	if !isStr || !slugPattern.MatchString(s) || len(s) > 64 {
		return "", false, invalid("channel", "not a valid room")
	}
	return s, true, nil
}

func (c *call) sessionFields(ch *channel, m obj) obj {
	cl := c.w.clubs[ch.ClubID]
	permission := 1
	if ch.HandraiseFollowed {
		permission = 2
	}
	return m.with("is_handraise_enabled", true).with("handraise_permission", permission).
		with("is_club_member", cl != nil && cl.Members[c.u.ID]).with("is_club_admin", cl != nil && cl.Admins[c.u.ID]).
		with("users", c.w.channelUsers(ch, true)).with("success", true).
		with("token", "006"+randomHex(24)).with("rtm_token", "006"+randomHex(24)).with("pubnub_token", randomHex(16)).
		with("pubnub_origin", nil).with("pubnub_heartbeat_value", 60).with("pubnub_heartbeat_interval", 29).
		with("pubnub_enable", true).with("agora_native_mute", true).
		with("feature_flags", []string{"AGORA_AUDIO_PROFILE_SPEECH_STANDARD"})
}

func joinChannel(c *call) reply {
	if c.u.Waitlisted {
		return waitlisted(400)
	}
	slug, _, e := c.slugParam(true)
	if e != nil {
		return fail(e)
	}
	src, hasSrc, e := c.p.str("attribution_source")
	if e != nil {
		return fail(e)
	}
	if hasSrc && src != "feed" && src != "link" && src != "activity" {
		return fail(invalid("attribution_source", `must be one of "feed", "link", "activity"`))
	}
	details, hasDetails, e := c.p.str("attribution_details")
	if e != nil {
		return fail(e)
	}
	if hasDetails {
		raw, err := base64.StdEncoding.DecodeString(details)
		var v any
		if err != nil || json.Unmarshal(raw, &v) != nil {
			return fail(invalid("attribution_details", "must be base64-encoded JSON"))
		}
	}
	if v := c.r.Header.Get("CH-AppVersion"); v != "" && versionBelow(v, c.s.minVer) {
		return reply{400, o("error_message", msgAppTooOld, "success", false)}
	}
	ch := c.w.channels[slug]
	if ch == nil || (!ch.visibleTo(c.u) && !(ch.Ended && c.endedJoinable(ch))) {
		return fail(appError(msgRoomNotActive))
	}
	if ch.member(c.u.ID) == nil {
		m := &member{UserID: c.u.ID}
		if ch.Creator == c.u.ID {
			t := isoTime(c.now)
			m.Speaker, m.Moderator, m.SpeakerTime = true, true, &t
		}
		ch.Members = append(ch.Members, m)
	}
	return ok(c.sessionFields(ch, c.w.channelCore(ch, c.u)).with("is_empty", false))
}

func leaveChannel(c *call) reply {
	slug, _, e := c.slugParam(true)
	if e != nil {
		return fail(e)
	}
	if _, _, e := c.p.int64("channel_id"); e != nil {
		return fail(e)
	}
	if ch := c.w.channels[slug]; ch != nil {
		kept := ch.Members[:0]
		for _, m := range ch.Members {
			if m.UserID != c.u.ID {
				kept = append(kept, m)
			}
		}
		for i := len(kept); i < len(ch.Members); i++ {
			ch.Members[i] = nil
		}
		ch.Members = kept
	}
	return ok(o("success", true))
}

func (w *world) newSlug() string {
	for {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		for i := range b {
			b[i] = slugAlphabet[int(b[i])%len(slugAlphabet)]
		}
		if s := string(b); w.channels[s] == nil {
			return s
		}
	}
}

func createChannel(c *call) reply {
	if c.u.Waitlisted {
		return waitlisted(400)
	}
	social, e := c.p.bool("is_social_mode", false)
	if e != nil {
		return fail(e)
	}
	private, e := c.p.bool("is_private", false)
	if e != nil {
		return fail(e)
	}
	clubID, hasClub, e := c.p.int64("club_id")
	if e != nil {
		return fail(e)
	}
	eventID, _, e := c.p.int64("event_id")
	if e != nil {
		return fail(e)
	}
	var topic *string
	if v, present := c.p["topic"]; present && v != nil {
		s, isStr := asString(v)
		if !isStr {
			return fail(invalid("topic", "not a valid string"))
		}
		if strings.TrimSpace(s) != "" {
			topic = &s
		}
	}
	rawIDs, _, e := c.p.list("user_ids")
	if e != nil {
		return fail(e)
	}
	invited := map[int64]bool{}
	for _, v := range rawIDs {
		id, _, e := params{"user_ids": v}.int64("user_ids")
		if e != nil {
			return fail(e)
		}
		invited[id] = true
	}
	if hasClub && c.w.clubs[clubID] == nil {
		return fail(appError("This club does not exist."))
	}
	c.w.nextChannel++
	t := isoTime(c.now)
	ch := &channel{ID: c.w.nextChannel, Slug: c.w.newSlug(), Creator: c.u.ID, Topic: topic, ClubID: clubID,
		IsPrivate: private, IsSocial: social, Invited: invited, EventID: eventID,
		Members: []*member{{UserID: c.u.ID, Speaker: true, Moderator: true, SpeakerTime: &t}}}
	c.w.channels[ch.Slug] = ch
	c.w.chanOrder = append(c.w.chanOrder, ch.Slug)
	for id := range invited {
		if u := c.w.users[id]; u != nil && u.ID != c.u.ID {
			c.w.notify(u, c.u, 3, ch.Slug, 0, displayName(c.u)+" invited you to a room", c.now)
		}
	}
	return ok(c.sessionFields(ch, c.w.channelCore(ch, c.u)))
}

func getChannels(c *call) reply {
	if c.u.Waitlisted {
		// A fresh (waitlisted) account's token is refused with DRF's
		// permission detail (hatamiarash7/Clubhouse-API#2; stypr#4 saw no
		// channels key).
		return fail(detailError(403, "You do not have permission to perform this action."))
	}
	channels := []obj{}
	for i := len(c.w.chanOrder) - 1; i >= 0; i-- { // newest first
		ch := c.w.channels[c.w.chanOrder[i]]
		if ch.visibleTo(c.u) {
			channels = append(channels, c.w.channelListItem(ch, c.u))
		}
	}
	events := []obj{}
	for _, e := range c.w.events {
		if len(events) < 3 && !c.now.After(e.start) {
			events = append(events, c.w.eventView(e, c.u, c.now))
		}
	}
	return ok(o("channels", channels, "events", events, "success", true))
}

func getCreateChannelTargets(c *call) reply {
	if c.u.Waitlisted {
		return waitlisted(400)
	}
	clubs := []obj{}
	for _, id := range c.w.clubOrder {
		if cl := c.w.clubs[id]; cl.Members[c.u.ID] {
			clubs = append(clubs, c.w.clubListed(cl, c.u))
		}
	}
	return ok(o("clubs", clubs, "success", true))
}

func getWelcomeChannel(c *call) reply {
	return ok(o("is_empty", true, "success", true))
}

func getSuggestedSpeakers(c *call) reply {
	v, present := c.p["channel"]
	if present && v != nil {
		if _, isStr := asString(v); !isStr {
			return fail(invalid("channel", "not a valid string"))
		}
	}
	pg, e := c.p.page(25)
	if e != nil {
		return fail(e)
	}
	// In a room: its audience, and the room's club. Starting a room (no
	// channel): the people the viewer follows, and the viewer's clubs. One
	// list, people then clubs, under one count (as get_following).
	type item struct {
		u  *user
		cl *club
	}
	var items []item
	if s, isStr := asString(v); isStr {
		if ch := c.w.channels[s]; ch != nil && ch.visibleTo(c.u) {
			for _, m := range ch.Members {
				if u := c.w.users[m.UserID]; u != nil && !m.Speaker {
					items = append(items, item{u: u})
				}
			}
			if cl := c.w.clubs[ch.ClubID]; cl != nil {
				items = append(items, item{cl: cl})
			}
		}
	} else {
		for _, u := range c.w.following(c.u) {
			items = append(items, item{u: u})
		}
		for _, id := range c.w.clubOrder {
			if cl := c.w.clubs[id]; cl.Members[c.u.ID] {
				items = append(items, item{cl: cl})
			}
		}
	}
	pageItems, count, next, prev := paginate(items, pg)
	users, clubs := []obj{}, []obj{}
	for _, it := range pageItems {
		if it.u != nil {
			users = append(users, c.w.listUser(it.u, false))
		} else {
			clubs = append(clubs, c.w.clubListed(it.cl, c.u))
		}
	}
	return ok(o("users", users, "count", count, "next", next, "previous", prev, "clubs", clubs, "success", true))
}

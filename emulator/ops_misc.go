package emulator

import (
	"sort"
	"strconv"
	"strings"
)

// ---- topics ----

func getAllTopics(c *call) reply {
	groups := []obj{}
	for _, g := range c.w.groups {
		topics := []obj{}
		for _, t := range g.topics {
			topics = append(topics, c.w.topicView(t))
		}
		groups = append(groups, o("title", g.Title, "id", g.ID, "abbreviated_title", g.Abbrev, "topics", topics))
	}
	return ok(o("topics", groups, "success", true))
}

func (c *call) topicParam() (int64, *apiError) {
	id, e := c.p.requiredInt64("topic_id")
	if e != nil {
		return 0, e
	}
	if c.w.topics[id] == nil {
		return 0, appError("This topic does not exist.")
	}
	return id, nil
}

// topicMatch reports whether a list of topics has t, or a topic of group t.
func (w *world) topicMatch(topics []int64, t int64) bool {
	for _, x := range topics {
		if x == t || w.topicGroup[x] == t {
			return true
		}
	}
	return false
}

func getTopic(c *call) reply {
	if _, _, e := c.p.int64("club_id"); e != nil {
		return fail(e)
	}
	id, e := c.topicParam()
	if e != nil {
		return fail(e)
	}
	return ok(o("topic", c.w.topicView(id), "success", true))
}

func getClubsForTopic(c *call) reply {
	id, e := c.topicParam()
	if e != nil {
		return fail(e)
	}
	pg, e := c.p.page(25)
	if e != nil {
		return fail(e)
	}
	var clubs []*club
	for _, cid := range c.w.clubOrder {
		if cl := c.w.clubs[cid]; c.w.topicMatch(cl.Topics, id) {
			clubs = append(clubs, cl)
		}
	}
	items, count, next, prev := paginate(clubs, pg)
	out := []obj{}
	for _, cl := range items {
		out = append(out, c.w.clubListed(cl, c.u))
	}
	return ok(o("clubs", out, "count", count, "next", next, "previous", prev, "success", true))
}

func getUsersForTopic(c *call) reply {
	id, e := c.topicParam()
	if e != nil {
		return fail(e)
	}
	pg, e := c.p.page(25)
	if e != nil {
		return fail(e)
	}
	var users []*user
	for _, uid := range c.w.userOrder {
		if u := c.w.users[uid]; u.Suggestable && c.w.topicMatch(u.Topics, id) {
			users = append(users, u)
		}
	}
	items, count, next, prev := paginate(users, pg)
	out := []obj{}
	for _, u := range items {
		out = append(out, c.w.listUser(u, true))
	}
	return ok(o("users", out, "count", count, "next", next, "previous", prev, "success", true))
}

// ---- clubs ----

func getClub(c *call) reply {
	for _, f := range []string{"query_id"} {
		if _, _, e := c.p.str(f); e != nil {
			return fail(e)
		}
	}
	for _, f := range []string{"source_topic_id", "query_result_position"} {
		if _, _, e := c.p.int64(f); e != nil {
			return fail(e)
		}
	}
	id, hasID, e := c.p.int64("club_id")
	if e != nil {
		return fail(e)
	}
	slug, hasSlug, e := c.p.str("slug")
	if e != nil {
		return fail(e)
	}
	var cl *club
	switch {
	case hasID:
		cl = c.w.clubs[id]
	case hasSlug:
		for _, cid := range c.w.clubOrder {
			if x := c.w.clubs[cid]; strings.EqualFold(strings.ReplaceAll(x.Name, " ", "-"), slug) || strconv.FormatInt(x.ID, 10) == slug {
				cl = x
			}
		}
	default:
		return fail(missing("club_id"))
	}
	if cl == nil {
		return fail(appError("This club does not exist."))
	}
	members := []int64{}
	for _, uid := range c.w.userOrder {
		if cl.Members[uid] {
			members = append(members, uid)
		}
	}
	topics := []obj{}
	for _, t := range cl.Topics {
		topics = append(topics, c.w.topicView(t))
	}
	var addedBy any
	if by := c.w.users[cl.AddedBy[c.u.ID]]; by != nil && cl.Members[c.u.ID] {
		addedBy = c.w.userShort(by)
	}
	return ok(o("club", c.w.clubWithViewer(cl, c.u), "is_admin", cl.Admins[c.u.ID], "is_member", cl.Members[c.u.ID],
		"is_follower", c.u.ClubFollows[cl.ID], "is_pending_accept", false, "is_pending_approval", false,
		"added_by_user_profile", addedBy, "member_user_ids", members, "num_invites", 0, "invite_link", nil,
		"topics", topics, "success", true))
}

func getOnlineFriends(c *call) reply {
	users := []obj{}
	for _, f := range c.w.following(c.u) {
		var room *channel
		var m *member
		for _, slug := range c.w.chanOrder {
			ch := c.w.channels[slug]
			if mm := ch.member(f.ID); mm != nil && ch.visibleTo(c.u) {
				room, m = ch, mm
				break
			}
		}
		if room == nil && f.LastActive == nil {
			continue
		}
		u := o("user_id", f.ID, "name", nullable(f.Name), "photo_url", photoURL(f), "username", nullable(f.Username))
		if room != nil {
			u = u.with("last_active_minutes", 0).with("channel", room.Slug).with("is_speaker", m.Speaker).with("topic", nullable(room.Topic))
		} else {
			u = u.with("last_active_minutes", *f.LastActive)
		}
		users = append(users, u)
	}
	// The viewer's clubs with members in a room now, and who they are.
	clubs := []obj{}
	for _, id := range c.w.clubOrder {
		cl := c.w.clubs[id]
		if !cl.Members[c.u.ID] {
			continue
		}
		online := []obj{}
		for _, uid := range c.w.userOrder {
			if uid != c.u.ID && cl.Members[uid] && c.w.inAnyRoom(uid) {
				online = append(online, c.w.userShort(c.w.users[uid]))
			}
		}
		if len(online) > 0 {
			clubs = append(clubs, c.w.clubWithViewer(cl, c.u).with("online_members", online))
		}
	}
	return ok(o("clubs", clubs, "users", users))
}

func searchClubs(c *call) reply {
	q, _, _, _, e := searchFilters(c)
	if e != nil {
		return fail(e)
	}
	pg, e := c.p.page(100)
	if e != nil {
		return fail(e)
	}
	var found []*club
	for _, id := range c.w.clubOrder {
		cl := c.w.clubs[id]
		if matches(q, &cl.Name, &cl.Description) {
			found = append(found, cl)
		}
	}
	items, count, next, prev := paginate(found, pg)
	clubs := []obj{}
	for _, cl := range items {
		clubs = append(clubs, o("club_id", strconv.FormatInt(cl.ID, 10), "name", cl.Name, "description", cl.Description,
			"photo_url", clubPhotoURL(cl), "num_followers", cl.numFollowers(), "num_members", cl.numMembers(),
			"is_member", cl.Members[c.u.ID], "is_follower", c.u.ClubFollows[cl.ID]))
	}
	return ok(o("clubs", clubs, "count", count, "next", next, "previous", prev, "success", true))
}

// ---- invites ----

func (c *call) suggestedInvites(phones []string, onlyInApp bool) []obj {
	out := []obj{}
	seen := map[string]bool{}
	for _, ph := range phones {
		if seen[ph] {
			continue
		}
		seen[ph] = true
		_, inApp := c.w.byPhone[ph]
		if onlyInApp && !inApp {
			continue
		}
		_, isInvited := c.w.invited[ph]
		friends := 0
		if id, found := c.w.byPhone[ph]; found {
			friends = len(c.w.users[id].Followers)
		}
		out = append(out, o("phone_number", ph, "in_app", inApp, "is_invited", isInvited, "num_friends", friends))
	}
	return out
}

func getSuggestedInvites(c *call) reply {
	phones, e := contactPhones(c)
	if e != nil {
		return fail(e)
	}
	return ok(o("num_invites", c.u.NumInvites, "suggested_invites", c.suggestedInvites(phones, false), "success", true))
}

func getSuggestedClubInvites(c *call) reply {
	phones, e := contactPhones(c)
	if e != nil {
		return fail(e)
	}
	// The address book uploaded earlier counts too.
	phones = append(phones, c.u.Contacts...)
	return ok(o("suggested_invites", c.suggestedInvites(phones, true), "success", true))
}

func inviteToApp(c *call) reply {
	if c.u.Waitlisted {
		return waitlisted(400)
	}
	phone, e := c.p.strictStr("phone_number")
	if e != nil {
		return fail(e)
	}
	for _, f := range []string{"name", "message"} {
		if _, _, e := c.p.str(f); e != nil {
			return fail(e)
		}
	}
	if !e164.MatchString(phone) {
		return fail(appError("Please enter a valid phone number."))
	}
	if _, inApp := c.w.byPhone[phone]; inApp {
		return fail(appError("This person is already on Clubhouse."))
	}
	if c.u.NumInvites <= 0 {
		return fail(appError("You don't have any invites left."))
	}
	c.u.NumInvites--
	c.w.invited[phone] = c.u.ID
	// The app envelope every live write answers with; the invites left
	// show in /me's num_invites.
	return ok(o("success", true))
}

func inviteFromWaitlist(c *call) reply {
	if c.u.Waitlisted {
		return waitlisted(400)
	}
	id, e := c.p.requiredInt64("user_id")
	if e != nil {
		return fail(e)
	}
	t := c.w.users[id]
	if t == nil || !t.Waitlisted || t.Pinned {
		return fail(appError(""))
	}
	t.Waitlisted = false
	t.InvitedBy = c.u.ID
	c.w.notify(t, c.u, 1, "", 0, displayName(c.u)+" let you in", c.now)
	return ok(o("success", true))
}

// ---- notifications ----

func updateNotifications(c *call) reply {
	if c.u.Waitlisted {
		return waitlisted(400)
	}
	vals := map[string]int64{}
	for _, f := range []string{"enable_trending", "pause_till", "system_enabled", "frequency"} {
		n, present, e := c.p.int64(f)
		if e != nil {
			return fail(e)
		}
		if present {
			vals[f] = n
		}
	}
	if _, e := c.p.bool("is_sandbox", false); e != nil {
		return fail(e)
	}
	if _, _, e := c.p.str("apn_token"); e != nil {
		return fail(e)
	}
	st := &c.u.Settings
	if v, has := vals["enable_trending"]; has && v != -1 {
		st.EnableTrending = v != 0
	}
	if v, has := vals["frequency"]; has && v != -1 {
		st.Frequency = int(v)
	}
	if v, has := vals["pause_till"]; has && v != -1 {
		st.PausedUntil = v
	}
	if v, has := vals["system_enabled"]; has {
		st.SystemEnabled = int(v)
	}
	return ok(o("success", true))
}

func getSettings(c *call) reply {
	st := c.u.Settings
	return ok(o("notifications_enable_trending", st.EnableTrending, "notifications_frequency", st.Frequency,
		"notifications_is_paused", st.PausedUntil > c.now.Unix(), "notifications_enable_room", st.EnableRoom,
		"notifications_enable_other", st.EnableOther, "notifications_enable_send_fewer", st.SendFewer, "success", true))
}

func getNotifications(c *call) reply {
	if _, _, e := c.p.int64("user_id"); e != nil {
		return fail(e)
	}
	pg, e := c.p.page(20)
	if e != nil {
		return fail(e)
	}
	items, count, next, prev := paginate(c.u.Notifications, pg)
	out := []obj{}
	for _, n := range items {
		from := c.w.users[n.From]
		if from == nil {
			from = c.u
		}
		item := o("notification_id", n.ID, "is_unread", n.IsUnread, "user_profile", c.w.userShort(from))
		if n.EventID != 0 {
			item = item.with("event_id", n.EventID)
		}
		if n.Channel != "" {
			item = item.with("channel", n.Channel)
		}
		out = append(out, item.with("type", n.Type).with("time_created", n.TimeCreated).with("message", n.Message))
	}
	return ok(o("notifications", out, "disabled", false, "count", count, "next", next, "previous", prev, "success", true))
}

func getActionableNotifications(c *call) reply {
	pg, e := c.p.page(20)
	if e != nil {
		return fail(e)
	}
	items, count, next, prev := paginate(c.u.Actionable, pg)
	out := []obj{}
	for _, id := range items {
		out = append(out, o("actionable_notification_id", id))
	}
	return ok(o("notifications", out, "count", count, "next", next, "previous", prev, "success", true))
}

// ---- events ----

func getEvents(c *call) reply {
	filtered, e := c.p.bool("is_filtered", false)
	if e != nil {
		return fail(e)
	}
	pg, e := c.p.page(25)
	if e != nil {
		return fail(e)
	}
	var events []*event
	for _, ev := range c.w.events {
		if filtered && !c.eventForMe(ev) {
			continue
		}
		events = append(events, ev)
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].start.Before(events[j].start) })
	items, count, next, prev := paginate(events, pg)
	out := []obj{}
	for _, ev := range items {
		out = append(out, c.w.eventView(ev, c.u, c.now))
	}
	return ok(o("events", out, "count", count, "next", next, "previous", prev, "success", true))
}

// eventForMe: hosted by someone the viewer follows or by a club they belong
// to or follow, or hosted by them.
func (c *call) eventForMe(ev *event) bool {
	for _, h := range ev.Hosts {
		if _, f := c.u.Following[h]; f || h == c.u.ID {
			return true
		}
	}
	if cl := c.w.clubs[ev.ClubID]; cl != nil {
		return cl.Members[c.u.ID] || c.u.ClubFollows[cl.ID]
	}
	return false
}

// ---- app ----

func getReleaseNotes(c *call) reply {
	return ok(o("should_display", true, "title", "🕹 You are now using the latest update of Clubhouse!",
		"action", "See What's New", "url", "https://whatsnew.joinclubhouse.com"))
}

func checkForUpdate(c *call) reply {
	// is_testflight is 0|1 (an integer in the contract); true/false also do.
	if _, _, e := c.p.int64("is_testflight"); e != nil {
		if _, e := c.p.bool("is_testflight", false); e != nil {
			return fail(e)
		}
	}
	build, err := strconv.Atoi(strings.TrimSpace(c.r.Header.Get("CH-AppBuild")))
	if err == nil && build < LatestAppBuild {
		return ok(o("has_update", true, "is_mandatory", true, "app_url", "https://apps.apple.com/us/app/id1503133294",
			"app_version", "0.1.24", "app_build", LatestAppBuild, "success", true))
	}
	return ok(o("has_update", false, "success", true))
}

func recordActionTrails(c *call) reply {
	trails, present, e := c.p.list("action_trails")
	if e != nil {
		return fail(e)
	}
	if !present {
		return fail(missing("action_trails"))
	}
	for _, t := range trails {
		m, isObj := t.(map[string]any)
		if !isObj {
			return fail(invalid("action_trails", "each trail must be an object"))
		}
		tp := params(m)
		if v, has := m["blob_data"]; has && v != nil {
			if _, isObj := v.(map[string]any); !isObj {
				return fail(invalid("blob_data", "must be an object"))
			}
		}
		if _, _, e := tp.str("trail_type"); e != nil {
			return fail(e)
		}
		if _, _, e := tp.int64("client_time_created"); e != nil {
			return fail(e)
		}
		if _, _, e := tp.str("client_event_id"); e != nil {
			return fail(e)
		}
	}
	c.u.ActionTrails += len(trails)
	return ok(o("success", true))
}

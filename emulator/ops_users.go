package emulator

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,30}$`)

var reservedUsernames = map[string]bool{"admin": true, "clubhouse": true, "support": true, "root": true, "null": true, "me": true}

const (
	msgUsernameNotAllowed = "This username is not allowed. Please try another one."
	msgUsernameTaken      = "This username has already been taken by a different user."
)

// target finds the user a request names by user_id or username; the viewer
// when it names nobody and self is allowed.
func (c *call) target(self bool) (*user, *apiError) {
	id, hasID, e := c.p.int64("user_id")
	if e != nil {
		return nil, e
	}
	name, hasName, e := c.p.str("username")
	if e != nil {
		return nil, e
	}
	switch {
	case hasID:
		if u := c.w.users[id]; u != nil {
			return u, nil
		}
		return nil, appError("This user does not exist.")
	case hasName:
		if u := c.w.userByName(name); u != nil {
			return u, nil
		}
		return nil, appError("This user does not exist.")
	case self:
		return c.u, nil
	}
	return nil, missing("user_id")
}

func (c *call) follows(a, b *user) bool {
	_, f := a.Following[b.ID]
	return f
}

func getProfile(c *call) reply {
	if _, _, e := c.p.str("query_id"); e != nil {
		return fail(e)
	}
	if _, _, e := c.p.int64("query_result_position"); e != nil {
		return fail(e)
	}
	u, e := c.target(false)
	if e != nil {
		return fail(e)
	}
	var invitedBy any
	if inv := c.w.users[u.InvitedBy]; inv != nil {
		invitedBy = c.w.userShort(inv)
	}
	mutual := []obj{}
	for _, f := range c.w.following(c.u) {
		if f.ID != u.ID && c.follows(f, u) {
			mutual = append(mutual, c.w.userShort(f))
		}
	}
	clubs := []obj{}
	for _, id := range c.w.clubOrder {
		if cl := c.w.clubs[id]; cl.Members[u.ID] {
			clubs = append(clubs, c.w.clubWithViewer(cl, c.u))
		}
	}
	topics := []obj{}
	for _, t := range u.Topics {
		if c.w.topics[t] != nil {
			topics = append(topics, c.w.topicView(t))
		}
	}
	var notificationType any
	if c.follows(c.u, u) {
		notificationType = 2
	}
	url := ""
	if u.Username != nil {
		url = "https://www.joinclubhouse.com/@" + *u.Username
	}
	self := u.ID == c.u.ID
	var invitedByClub any
	if cl := c.w.clubs[u.InvitedByClub]; cl != nil {
		invitedByClub = o("club_id", cl.ID, "name", cl.Name, "photo_url", clubPhotoURL(cl))
	}
	upcoming := []obj{}
	for _, ev := range c.w.events {
		if c.now.Before(ev.start) && slices.Contains(ev.Hosts, u.ID) {
			upcoming = append(upcoming, c.w.eventView(ev, c.u, c.now))
		}
	}
	profile := o("user_id", u.ID, "name", nullable(u.Name), "displayname", nil, "photo_url", photoURL(u),
		"username", nullable(u.Username), "bio", nullable(u.Bio), "twitter", nullable(u.Twitter), "instagram", nullable(u.Instagram),
		"num_followers", u.ExtraFollowers+len(u.Followers), "num_following", u.ExtraFollowing+len(u.Following),
		"time_created", u.TimeCreated, "follows_me", c.follows(u, c.u), "is_blocked_by_network", false,
		"mutual_follows_count", len(mutual), "mutual_follows", mutual, "notification_type", notificationType,
		"invited_by_user_profile", invitedBy, "clubs", clubs, "has_verified_email", u.VerifiedEmail,
		"can_edit_username", self, "can_edit_name", self, "can_edit_displayname", self, "topics", topics,
		"url", url, "can_receive_direct_payment", u.VerifiedEmail, "direct_payment_fee_rate", 0.029, "direct_payment_fee_fixed", 0.3,
		"bio_links", c.w.bioLinks(u), "invited_by_club", invitedByClub, "upcoming_events", upcoming)
	return ok(o("user_profile", profile, "success", true))
}

func updateUsername(c *call) reply {
	v, present := c.p["username"]
	if !present {
		return fail(missing("username"))
	}
	name, isStr := asString(v)
	if !isStr {
		return fail(invalid("username", "not a valid string"))
	}
	for _, f := range []string{"twitter_token", "twitter_secret"} {
		if _, _, e := c.p.str(f); e != nil {
			return fail(e)
		}
	}
	if !usernamePattern.MatchString(name) || reservedUsernames[strings.ToLower(name)] {
		return fail(appError(msgUsernameNotAllowed))
	}
	if other := c.w.userByName(name); other != nil && other.ID != c.u.ID {
		return fail(appError(msgUsernameTaken))
	}
	if c.u.Username != nil {
		delete(c.w.byUsername, strings.ToLower(*c.u.Username))
	}
	c.u.Username = strp(name)
	if c.u.Name == nil {
		c.u.Name = strp(name)
	}
	c.w.byUsername[strings.ToLower(name)] = c.u.ID
	return ok(o("success", true, "error_message", nil))
}

func follow(c *call) reply {
	if c.u.Waitlisted {
		return waitlisted(401)
	}
	id, e := c.p.requiredInt64("user_id")
	if e != nil {
		return fail(e)
	}
	ids := []int64{id}
	more, _, e := c.p.list("user_ids")
	if e != nil {
		return fail(e)
	}
	for i := range more {
		n, _, e := params{"user_ids": more[i]}.int64("user_ids")
		if e != nil {
			return fail(e)
		}
		ids = append(ids, n)
	}
	if _, _, e := c.p.int64("source"); e != nil {
		return fail(e)
	}
	if _, _, e := c.p.int64("source_topic_id"); e != nil {
		return fail(e)
	}
	for _, id := range ids {
		t := c.w.users[id]
		if t == nil {
			return fail(appError("This user does not exist."))
		}
		if t.ID == c.u.ID {
			return fail(appError("You can't follow yourself."))
		}
	}
	for _, id := range ids {
		t := c.w.users[id]
		if !c.follows(c.u, t) {
			c.w.follow(c.u.ID, t.ID, c.now)
			c.w.notify(t, c.u, 1, "", 0, displayName(c.u)+" followed you", c.now)
		}
	}
	return ok(o("success", true))
}

func displayName(u *user) string {
	switch {
	case u.Name != nil:
		return *u.Name
	case u.Username != nil:
		return *u.Username
	}
	return "Someone"
}

func getFollowing(c *call) reply {
	u, e := c.target(true)
	if e != nil {
		return fail(e)
	}
	pg, e := c.p.page(50)
	if e != nil {
		return fail(e)
	}
	// One list, users then clubs, under one count (as the real answer).
	type item struct {
		u  *user
		cl *club
	}
	var items []item
	for _, f := range c.w.following(u) {
		items = append(items, item{u: f})
	}
	for _, id := range c.w.clubOrder {
		if u.ClubFollows[id] {
			items = append(items, item{cl: c.w.clubs[id]})
		}
	}
	pageItems, count, next, prev := paginate(items, pg)
	users, clubs := []obj{}, []obj{}
	for _, it := range pageItems {
		if it.u != nil {
			users = append(users, c.w.listUser(it.u, true))
		} else {
			clubs = append(clubs, c.w.clubListed(it.cl, c.u))
		}
	}
	return ok(o("users", users, "clubs", clubs, "count", count, "next", next, "previous", prev, "success", true))
}

// suggestions are the seeded users the viewer does not follow yet.
func (c *call) suggestions() []*user { return c.w.suggestionsFor(c.u, 0) }

// suggestionsFor lists the seeded users u does not follow yet, at most max
// of them (0: all).
func (w *world) suggestionsFor(u *user, max int) []*user {
	var out []*user
	for _, id := range w.userOrder {
		s := w.users[id]
		if _, follows := u.Following[s.ID]; s.Suggestable && s.ID != u.ID && !follows {
			out = append(out, s)
			if len(out) == max {
				break
			}
		}
	}
	return out
}

func contactPhones(c *call) ([]string, *apiError) {
	if _, _, e := c.p.int64("club_id"); e != nil {
		return nil, e
	}
	if _, e := c.p.bool("upload_contacts", false); e != nil {
		return nil, e
	}
	raw, _, e := c.p.list("contacts")
	if e != nil {
		return nil, e
	}
	var phones []string
	for _, item := range raw {
		m, isObj := item.(map[string]any)
		if !isObj {
			return nil, invalid("contacts", "each contact must be an object")
		}
		cp := params(m)
		phone, e := cp.strictStr("phone_number")
		if e != nil {
			return nil, invalid("contacts", "each contact needs a phone_number string")
		}
		if _, _, e := cp.str("name"); e != nil {
			return nil, e
		}
		phones = append(phones, phone)
	}
	return phones, nil
}

func getSuggestedFollowsFriendsOnly(c *call) reply {
	phones, e := contactPhones(c)
	if e != nil {
		return fail(e)
	}
	users := []obj{}
	seen := map[int64]bool{}
	// The address book uploaded earlier counts too.
	phones = append(phones, c.u.Contacts...)
	for _, ph := range phones {
		if id, found := c.w.byPhone[ph]; found && !seen[id] && id != c.u.ID {
			u := c.w.users[id]
			seen[id] = true
			if !c.follows(c.u, u) && !u.Waitlisted && !u.Blocked {
				users = append(users, c.w.listUser(u, false))
			}
		}
	}
	return ok(o("users", users, "success", true))
}

func getSuggestedFollowsAll(c *call) reply {
	if _, e := c.p.bool("in_onboarding", false); e != nil {
		return fail(e)
	}
	pg, e := c.p.page(25)
	if e != nil {
		return fail(e)
	}
	items, count, next, prev := paginate(c.suggestions(), pg)
	users := []obj{}
	for _, u := range items {
		users = append(users, c.w.listUser(u, true))
	}
	return ok(o("users", users, "count", count, "next", next, "previous", prev, "success", true))
}

func getSuggestedFollowsSimilar(c *call) reply {
	if _, _, e := c.p.str("query_id"); e != nil {
		return fail(e)
	}
	if _, _, e := c.p.int64("query_result_position"); e != nil {
		return fail(e)
	}
	u, e := c.target(true)
	if e != nil {
		return fail(e)
	}
	topics := set(u.Topics)
	users := []obj{}
	for _, s := range c.suggestions() {
		if s.ID == u.ID {
			continue
		}
		shared := false
		for _, t := range s.Topics {
			shared = shared || topics[t]
		}
		if shared && len(users) < 20 {
			users = append(users, o("user_id", strconv.FormatInt(s.ID, 10), "name", nullable(s.Name), "photo_url", photoURL(s),
				"username", nullable(s.Username), "bio", truncate(s.Bio, 80), "twitter", nullable(s.Twitter)))
		}
	}
	return ok(o("users", users, "success", true))
}

func searchFilters(c *call) (query string, following, followers, cofollows bool, e *apiError) {
	v, present := c.p["query"]
	if !present || v == nil {
		return "", false, false, false, missing("query")
	}
	query, isStr := asString(v)
	if !isStr {
		return "", false, false, false, invalid("query", "not a valid string")
	}
	if following, e = c.p.bool("following_only", false); e != nil {
		return
	}
	if followers, e = c.p.bool("followers_only", false); e != nil {
		return
	}
	cofollows, e = c.p.bool("cofollows_only", false)
	return strings.ToLower(strings.TrimSpace(query)), following, followers, cofollows, e
}

func matches(q string, fields ...*string) bool {
	if q == "" {
		return true
	}
	for _, f := range fields {
		if f != nil && strings.Contains(strings.ToLower(*f), q) {
			return true
		}
	}
	return false
}

func searchUsers(c *call) reply {
	q, followingOnly, followersOnly, cofollowsOnly, e := searchFilters(c)
	if e != nil {
		return fail(e)
	}
	pg, e := c.p.page(100)
	if e != nil {
		return fail(e)
	}
	var found []*user
	for _, id := range c.w.userOrder {
		u := c.w.users[id]
		if u.Username == nil || u.Blocked || u.Waitlisted || !matches(q, u.Username, u.Name) {
			continue
		}
		iFollow, followsMe := c.follows(c.u, u), c.follows(u, c.u)
		if (followingOnly && !iFollow) || (followersOnly && !followsMe) || (cofollowsOnly && !(iFollow && followsMe)) {
			continue
		}
		found = append(found, u)
	}
	sort.SliceStable(found, func(i, j int) bool {
		return strings.ToLower(*found[i].Username) == q && strings.ToLower(*found[j].Username) != q
	})
	items, count, next, prev := paginate(found, pg)
	users := []obj{}
	for _, u := range items {
		users = append(users, o("user_id", strconv.FormatInt(u.ID, 10), "name", nullable(u.Name), "photo_url", photoURL(u),
			"username", nullable(u.Username), "bio", nullable(u.Bio), "twitter", nullable(u.Twitter)))
	}
	return ok(o("users", users, "count", count, "next", next, "previous", prev, "success", true))
}

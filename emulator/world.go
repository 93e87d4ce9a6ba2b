package emulator

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

//go:embed world.json
var worldJSON []byte

// The seed as written in world.json.
type seedWorld struct {
	TopicGroups []struct {
		Topic
		Topics []Topic `json:"topics"`
	} `json:"topic_groups"`
	Clubs []struct {
		ID            int64      `json:"club_id"`
		Name          string     `json:"name"`
		Description   string     `json:"description"`
		NumMembers    int        `json:"num_members"`
		NumFollowers  int        `json:"num_followers"`
		EnablePrivate bool       `json:"enable_private"`
		Topics        []int64    `json:"topics"`
		Members       []int64    `json:"members"`
		Admins        []int64    `json:"admins"`
		Rules         []ClubRule `json:"rules"`
		// NoPhoto: a club without a photo (photo_url null), as some are.
		NoPhoto bool `json:"no_photo"`
		// FullForm: lists show the club in the full form (settings, rules,
		// url, num_online, no viewer flags), as the live server did in April
		// 2021; the others in the seed's short form with the viewer's flags.
		FullForm bool `json:"full_form"`
		// AddedBy: who added each member ("member id": adder id).
		AddedBy map[string]int64 `json:"added_by"`
	} `json:"clubs"`
	Users []struct {
		ID              int64   `json:"user_id"`
		Name            *string `json:"name"`
		Username        *string `json:"username"`
		Bio             *string `json:"bio"`
		Twitter         *string `json:"twitter"`
		Instagram       *string `json:"instagram"`
		TimeCreated     string  `json:"time_created"`
		Topics          []int64 `json:"topics"`
		Following       []int64 `json:"following"`
		ClubFollows     []int64 `json:"club_follows"`
		NumInvites      int     `json:"num_invites"`
		Phone           string  `json:"phone"`
		LastActive      *int    `json:"last_active_minutes"`
		InvitedBy       int64   `json:"invited_by"`
		ExtraFollowers  int     `json:"extra_followers"`
		ExtraFollowing  int     `json:"extra_following"`
		HasVerifiedMail bool    `json:"has_verified_email"`
		Waitlisted      bool    `json:"waitlisted"`
		Blocked         bool    `json:"blocked"`
		Pinned          bool    `json:"pinned"`
		// Contacts: the address book the account uploaded earlier, which
		// the contact-based suggestions read beside the request's contacts.
		Contacts []string `json:"contacts"`
		Blocks   []int64  `json:"blocks"`
		// InvitedByClub: the club whose invite brought the user in.
		InvitedByClub int64 `json:"invited_by_club"`
	} `json:"users"`
	Accounts []struct {
		Name      string `json:"name"`
		UserID    int64  `json:"user_id"`
		AuthToken string `json:"auth_token"`
	} `json:"accounts"`
	Channels []struct {
		ID         int64   `json:"channel_id"`
		Slug       string  `json:"channel"`
		Creator    int64   `json:"creator"`
		Topic      *string `json:"topic"`
		ClubID     int64   `json:"club_id"`
		IsPrivate  bool    `json:"is_private"`
		IsSocial   bool    `json:"is_social_mode"`
		Ended      bool    `json:"ended"`
		Speakers   []int64 `json:"speakers"`
		Moderators []int64 `json:"moderators"`
		Audience   []int64 `json:"audience"`
		Invited    []int64 `json:"invited"`
		// WelcomeFor: the new user a welcome room is for.
		WelcomeFor int64 `json:"welcome_for"`
		// HandraiseFollowed: only people the speakers follow may raise a
		// hand (handraise_permission 2).
		HandraiseFollowed bool  `json:"handraise_followed"`
		EventID           int64 `json:"event_id"`
	} `json:"channels"`
	Events []struct {
		ID           int64   `json:"event_id"`
		Hashid       string  `json:"event_hashid"`
		Name         string  `json:"name"`
		Description  string  `json:"description"`
		HoursFrom    int     `json:"hours_from_start"`
		ClubID       int64   `json:"club_id"`
		Hosts        []int64 `json:"hosts"`
		IsMemberOnly bool    `json:"is_member_only"`
	} `json:"events"`
	Notifications []struct {
		ID       int64  `json:"notification_id"`
		UserID   int64  `json:"user_id"`
		From     int64  `json:"from"`
		Type     int    `json:"type"`
		Channel  string `json:"channel"`
		EventID  int64  `json:"event_id"`
		Message  string `json:"message"`
		HoursAgo int    `json:"hours_ago"`
		IsUnread bool   `json:"is_unread"`
	} `json:"notifications"`
}

// Topic is a topic or a topic group.
type Topic struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	Abbrev string `json:"abbreviated_title"`
}

// ClubRule is one rule of a club.
type ClubRule struct {
	Desc  string `json:"desc"`
	Title string `json:"title"`
}

type topicGroup struct {
	Topic
	topics []int64
}

type club struct {
	ID            int64
	Name          string
	Description   string
	baseMembers   int
	baseFollowers int
	EnablePrivate bool
	Topics        []int64
	Members       map[int64]bool
	Admins        map[int64]bool
	Followers     map[int64]bool
	Rules         []ClubRule
	NoPhoto       bool
	FullForm      bool
	AddedBy       map[int64]int64
}

type settings struct {
	EnableTrending bool
	Frequency      int
	PausedUntil    int64
	SystemEnabled  int
	EnableRoom     bool
	EnableOther    bool
	SendFewer      bool
}

type user struct {
	ID             int64
	Name           *string
	Username       *string
	Bio            *string
	Twitter        *string
	Instagram      *string
	TimeCreated    string
	Topics         []int64
	Following      map[int64]time.Time
	Followers      map[int64]bool
	ClubFollows    map[int64]bool
	NumInvites     int
	Phone          string
	LastActive     *int
	InvitedBy      int64
	ExtraFollowers int
	ExtraFollowing int
	VerifiedEmail  bool
	Waitlisted     bool
	Blocked        bool
	// Pinned accounts keep their state: nobody can let the profile's
	// waitlisted account in.
	Pinned bool
	// Suggestable users are the seeded ones the suggestion lists draw from.
	Suggestable   bool
	Settings      settings
	Notifications []*notification
	Actionable    []int64
	Blocks        map[int64]bool
	ActionTrails  int
	Contacts      []string
	InvitedByClub int64
}

type member struct {
	UserID      int64
	Speaker     bool
	Moderator   bool
	SpeakerTime *string
	Invited     bool
}

type channel struct {
	ID        int64
	Slug      string
	Creator   int64
	Topic     *string
	ClubID    int64
	IsPrivate bool
	IsSocial  bool
	Ended     bool
	Members   []*member
	Invited   map[int64]bool
	EventID   int64
	// WelcomeFor is the new user a welcome room is for (0: none).
	WelcomeFor        int64
	HandraiseFollowed bool
}

type event struct {
	ID           int64
	Hashid       string
	Name         string
	Description  string
	TimeStart    string
	start        time.Time
	ClubID       int64
	Hosts        []int64
	IsMemberOnly bool
}

type notification struct {
	ID          int64
	From        int64
	Type        int
	Channel     string
	EventID     int64
	Message     string
	TimeCreated string
	IsUnread    bool
}

// world is the whole mutable state; every access holds Server.mu.
type world struct {
	groups      []*topicGroup
	topics      map[int64]*Topic
	topicGroup  map[int64]int64
	clubs       map[int64]*club
	clubOrder   []int64
	users       map[int64]*user
	userOrder   []int64
	byUsername  map[string]int64
	byPhone     map[string]int64
	tokens      map[string]int64
	channels    map[string]*channel
	chanOrder   []string
	events      []*event
	invited     map[string]int64 // phone number -> inviting user
	pending     map[string]*pendingAuth
	nextUser    int64
	nextChannel int64
	nextNotif   int64
}

type pendingAuth struct {
	failures int
}

// Python's isoformat with an explicit offset: the fraction only when not zero.
func isoTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05") + "+00:00"
	}
	return t.Format("2006-01-02T15:04:05.000000") + "+00:00"
}

func strp(s string) *string { return &s }

// newWorld builds the seeded world; now anchors events and notifications.
func newWorld(now time.Time) (*world, map[string]int64) {
	var seed seedWorld
	if err := json.Unmarshal(worldJSON, &seed); err != nil {
		panic("emulator: world.json is broken: " + err.Error())
	}
	w := &world{
		topics: map[int64]*Topic{}, topicGroup: map[int64]int64{}, clubs: map[int64]*club{},
		users: map[int64]*user{}, byUsername: map[string]int64{}, byPhone: map[string]int64{},
		tokens: map[string]int64{}, channels: map[string]*channel{}, invited: map[string]int64{},
		pending: map[string]*pendingAuth{}, nextUser: 50000000, nextChannel: 200000, nextNotif: 100000,
	}
	for _, g := range seed.TopicGroups {
		tg := &topicGroup{Topic: g.Topic}
		gt := g.Topic
		w.topics[g.ID] = &gt
		for _, t := range g.Topics {
			t := t
			w.topics[t.ID] = &t
			w.topicGroup[t.ID] = g.ID
			tg.topics = append(tg.topics, t.ID)
		}
		w.groups = append(w.groups, tg)
	}
	for _, c := range seed.Clubs {
		cl := &club{ID: c.ID, Name: c.Name, Description: c.Description, baseMembers: c.NumMembers, baseFollowers: c.NumFollowers,
			EnablePrivate: c.EnablePrivate, Topics: c.Topics, Members: set(c.Members), Admins: set(c.Admins),
			Followers: map[int64]bool{}, Rules: list(c.Rules), NoPhoto: c.NoPhoto, FullForm: c.FullForm, AddedBy: map[int64]int64{}}
		for member, by := range c.AddedBy {
			var id int64
			if _, err := fmt.Sscan(member, &id); err == nil {
				cl.AddedBy[id] = by
			}
		}
		w.clubs[c.ID] = cl
		w.clubOrder = append(w.clubOrder, c.ID)
	}
	for _, s := range seed.Users {
		u := w.addUser(s.ID)
		u.Name, u.Username, u.Bio, u.Twitter, u.Instagram = s.Name, s.Username, s.Bio, s.Twitter, s.Instagram
		u.TimeCreated, u.Topics, u.NumInvites, u.Phone, u.LastActive = s.TimeCreated, s.Topics, s.NumInvites, s.Phone, s.LastActive
		u.InvitedBy, u.ExtraFollowers, u.ExtraFollowing, u.VerifiedEmail = s.InvitedBy, s.ExtraFollowers, s.ExtraFollowing, s.HasVerifiedMail
		u.Waitlisted, u.Blocked, u.Pinned = s.Waitlisted, s.Blocked, s.Pinned
		u.Contacts, u.InvitedByClub = s.Contacts, s.InvitedByClub
		for _, b := range s.Blocks {
			u.Blocks[b] = true
		}
		u.Suggestable = !s.Waitlisted && !s.Blocked && s.Username != nil
		for _, c := range s.ClubFollows {
			u.ClubFollows[c] = true
		}
		if u.Username != nil {
			w.byUsername[strings.ToLower(*u.Username)] = u.ID
		}
		if u.Phone != "" {
			w.byPhone[u.Phone] = u.ID
		}
	}
	// A crowd of ordinary seeded users, so that lists have several pages.
	first := []string{"Ava", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun"}
	last := []string{"Archer", "Brooks", "Chen", "Diaz", "Evans", "Fischer"}
	for i := 0; i < 60; i++ {
		id := int64(10001 + i)
		u := w.addUser(id)
		name := first[i%len(first)] + " " + last[i/len(first)%len(last)]
		uname := fmt.Sprintf("%s_%s%d", strings.ToLower(first[i%len(first)]), strings.ToLower(last[i/len(first)%len(last)]), i)
		u.Name, u.Username = strp(name), strp(uname)
		u.Bio = strp(fmt.Sprintf("%s talks about %s. Seeded by the chconform emulator so that every list has more than one page of people.", name, w.topics[[]int64{140, 107, 141, 201, 302}[i%5]].Abbrev))
		if i%3 == 0 {
			u.Twitter = strp(uname)
		}
		u.TimeCreated = isoTime(time.Date(2021, 1, 1+i%28, 10, i%60, 0, 0, time.UTC))
		u.Topics = []int64{[]int64{140, 107, 141, 201, 302}[i%5], 140}
		u.Suggestable = true
		u.Phone = fmt.Sprintf("+1555020%04d", i)
		w.byUsername[uname] = id
		w.byPhone[u.Phone] = id
		if i%2 == 0 {
			u.Following[1234] = now
		}
		if i%4 == 0 {
			la := i % 30
			u.LastActive = &la
		}
	}
	for _, s := range seed.Users {
		for _, f := range s.Following {
			w.follow(s.ID, f, now)
		}
	}
	for _, u := range w.users {
		for f := range u.Following {
			if t := w.users[f]; t != nil {
				t.Followers[u.ID] = true
			}
		}
	}
	accounts := map[string]int64{}
	for _, a := range seed.Accounts {
		w.tokens[a.AuthToken] = a.UserID
		accounts[a.Name] = a.UserID
	}
	for _, c := range seed.Channels {
		ch := &channel{ID: c.ID, Slug: c.Slug, Creator: c.Creator, Topic: c.Topic, ClubID: c.ClubID, IsPrivate: c.IsPrivate,
			IsSocial: c.IsSocial, Ended: c.Ended, Invited: set(c.Invited), WelcomeFor: c.WelcomeFor,
			HandraiseFollowed: c.HandraiseFollowed, EventID: c.EventID}
		mods := set(c.Moderators)
		for i, id := range c.Speakers {
			t := isoTime(now.Add(-time.Duration(40-i) * time.Minute).Truncate(time.Second).Add(time.Duration(i*1000+1) * time.Microsecond))
			ch.Members = append(ch.Members, &member{UserID: id, Speaker: true, Moderator: mods[id], SpeakerTime: &t})
		}
		for _, id := range c.Audience {
			ch.Members = append(ch.Members, &member{UserID: id})
		}
		w.channels[c.Slug] = ch
		w.chanOrder = append(w.chanOrder, c.Slug)
	}
	base := now.UTC().Truncate(time.Hour)
	for _, e := range seed.Events {
		start := base.Add(time.Duration(e.HoursFrom) * time.Hour)
		w.events = append(w.events, &event{ID: e.ID, Hashid: e.Hashid, Name: e.Name, Description: e.Description,
			TimeStart: isoTime(start), start: start, ClubID: e.ClubID, Hosts: e.Hosts, IsMemberOnly: e.IsMemberOnly})
	}
	for _, n := range seed.Notifications {
		u := w.users[n.UserID]
		u.Notifications = append(u.Notifications, &notification{ID: n.ID, From: n.From, Type: n.Type, Channel: n.Channel,
			EventID: n.EventID, Message: n.Message, IsUnread: n.IsUnread,
			TimeCreated: isoTime(now.Add(-time.Duration(n.HoursAgo) * time.Hour).Truncate(time.Second))})
	}
	w.users[1234].Actionable = []int64{501, 502}
	w.seedCrowd(now)
	return w, accounts
}

func set(ids []int64) map[int64]bool {
	m := map[int64]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func (w *world) addUser(id int64) *user {
	u := &user{ID: id, Following: map[int64]time.Time{}, Followers: map[int64]bool{}, ClubFollows: map[int64]bool{},
		Blocks: map[int64]bool{}, Settings: settings{EnableTrending: true, Frequency: 3, SystemEnabled: 1, EnableRoom: true, EnableOther: true}}
	w.users[id] = u
	w.userOrder = append(w.userOrder, id)
	return u
}

func (w *world) follow(from, to int64, now time.Time) {
	f, t := w.users[from], w.users[to]
	if f == nil || t == nil || from == to {
		return
	}
	if _, ok := f.Following[to]; !ok {
		f.Following[to] = now
	}
	t.Followers[from] = true
}

// following returns whom u follows, most recent first, then by id.
func (w *world) following(u *user) []*user {
	var out []*user
	for id := range u.Following {
		if t := w.users[id]; t != nil {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		ti, tj := u.Following[out[i].ID], u.Following[out[j].ID]
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (w *world) userByName(name string) *user {
	if id, ok := w.byUsername[strings.ToLower(name)]; ok {
		return w.users[id]
	}
	return nil
}

// ---- views: the JSON shapes of the contract's schemas ----

func photoURL(u *user) any {
	if u.Name == nil && u.Username == nil {
		return nil
	}
	return fmt.Sprintf("https://clubhouseprod.s3.amazonaws.com:443/%d_%08x-5eed-4e00-8000-%012x_thumbnail_250x250", u.ID, u.ID*2654435761%0xffffffff, u.ID)
}

// clubPhotoURL is the club's photo, or null for a club without one.
func clubPhotoURL(c *club) any {
	if c.NoPhoto {
		return nil
	}
	return fmt.Sprintf("https://clubhouseprod.s3.amazonaws.com:443/club_%d_%08x-c1b0-4e00-8000-%012x_thumbnail_250x250", c.ID, c.ID*2246822519%0xffffffff, c.ID)
}

func clubURL(c *club) string {
	return fmt.Sprintf("https://www.joinclubhouse.com/club/%s", strings.ToLower(strings.ReplaceAll(c.Name, " ", "-")))
}

func nullable(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func truncate(s *string, n int) any {
	if s == nil {
		return nil
	}
	r := []rune(*s)
	if len(r) > n {
		// Cut at n characters (code points, as the contract counts them)
		// and append an ellipsis, as the real server does: its truncated
		// bios are 81 characters long (the 2021-04-04 capture).
		return string(r[:n]) + "…"
	}
	return *s
}

// UserProfileShort
func (w *world) userShort(u *user) obj {
	return o("user_id", u.ID, "name", nullable(u.Name), "photo_url", photoURL(u), "username", nullable(u.Username))
}

// ListUser; truncated bios in the lists the seed says truncate them. A
// user seen active lately carries last_active_minutes.
func (w *world) listUser(u *user, truncBio bool) obj {
	bio := nullable(u.Bio)
	if truncBio {
		bio = truncate(u.Bio, 80)
	}
	out := o("user_id", u.ID, "name", nullable(u.Name), "photo_url", photoURL(u), "username", nullable(u.Username),
		"bio", bio, "twitter", nullable(u.Twitter))
	if u.LastActive != nil {
		out = out.with("last_active_minutes", *u.LastActive)
	}
	return out
}

func (c *club) numMembers() int   { return c.baseMembers + len(c.Members) }
func (c *club) numFollowers() int { return c.baseFollowers + len(c.Followers) }

func (w *world) numOnline(c *club) int {
	online := w.onlineUsers()
	n := 0
	for id := range c.Members {
		if online[id] {
			n++
		}
	}
	return n
}

// onlineUsers is everyone in a live room: one pass over the rooms, cheaper
// than asking inAnyRoom for each member of a big club.
func (w *world) onlineUsers() map[int64]bool {
	out := map[int64]bool{}
	for _, slug := range w.chanOrder {
		if ch := w.channels[slug]; !ch.Ended {
			for _, m := range ch.Members {
				out[m.UserID] = true
			}
		}
	}
	return out
}

// ClubShort (Club with is_member and is_follower for the viewer, and its
// url and whether the viewer is an admin).
func (w *world) clubShort(c *club, viewer *user) obj {
	return o("club_id", c.ID, "name", c.Name, "description", c.Description, "photo_url", clubPhotoURL(c),
		"num_members", c.numMembers(), "num_followers", c.numFollowers(),
		"is_member", viewer != nil && c.Members[viewer.ID], "is_follower", viewer != nil && viewer.ClubFollows[c.ID],
		"url", clubURL(c), "is_admin", viewer != nil && c.Admins[viewer.ID])
}

// ClubFull: the club's settings and rules, its url and num_online (the
// live April 2021 form).
func (w *world) clubFull(c *club) obj {
	return o("club_id", c.ID, "name", c.Name, "description", c.Description, "photo_url", clubPhotoURL(c),
		"num_members", c.numMembers(), "num_followers", c.numFollowers(), "enable_private", c.EnablePrivate,
		"is_follow_allowed", !c.EnablePrivate, "is_membership_private", c.EnablePrivate, "is_community", len(c.Rules) == 0,
		"rules", list(c.Rules), "url", clubURL(c), "num_online", w.numOnline(c))
}

// clubWithViewer is the full form plus the viewer's flags: what an answer
// about one club for one viewer (get_club, a room's club) can carry.
func (w *world) clubWithViewer(c *club, viewer *user) obj {
	return w.clubFull(c).with("is_member", viewer != nil && c.Members[viewer.ID]).
		with("is_follower", viewer != nil && viewer.ClubFollows[c.ID]).with("is_admin", viewer != nil && c.Admins[viewer.ID])
}

// clubListed is a club in a list (ClubListed): the full form for the clubs
// the live server showed that way, the seed's short form for the others.
func (w *world) clubListed(c *club, viewer *user) obj {
	if c.FullForm {
		return w.clubFull(c).with("is_admin", viewer != nil && c.Admins[viewer.ID])
	}
	return w.clubShort(c, viewer)
}

func (w *world) topicView(id int64) obj {
	t := w.topics[id]
	return o("title", t.Title, "id", t.ID, "abbreviated_title", t.Abbrev)
}

func (w *world) inAnyRoom(id int64) bool {
	for _, slug := range w.chanOrder {
		ch := w.channels[slug]
		if !ch.Ended && ch.member(id) != nil {
			return true
		}
	}
	return false
}

func (ch *channel) member(id int64) *member {
	for _, m := range ch.Members {
		if m.UserID == id {
			return m
		}
	}
	return nil
}

func (ch *channel) numSpeakers() int {
	n := 0
	for _, m := range ch.Members {
		if m.Speaker {
			n++
		}
	}
	return n
}

// visibleTo says whether a room is listed for and joinable by u.
func (ch *channel) visibleTo(u *user) bool {
	if ch.Ended {
		return false
	}
	if !ch.IsPrivate {
		return true
	}
	return u != nil && (ch.Creator == u.ID || ch.Invited[u.ID] || ch.member(u.ID) != nil)
}

// ChannelCore fields, for viewer.
func (w *world) channelCore(ch *channel, viewer *user) obj {
	var clubV, clubName, clubID any
	if c := w.clubs[ch.ClubID]; c != nil {
		clubV, clubName, clubID = w.clubWithViewer(c, viewer), c.Name, c.ID
	}
	var welcome any
	if u := w.users[ch.WelcomeFor]; u != nil {
		welcome = w.userShort(u)
	}
	return o("creator_user_profile_id", ch.Creator, "channel_id", ch.ID, "channel", ch.Slug, "topic", nullable(ch.Topic),
		"is_private", ch.IsPrivate, "is_social_mode", ch.IsSocial, "url", "https://www.joinclubhouse.com/room/"+ch.Slug,
		"club", clubV, "club_name", clubName, "club_id", clubID, "welcome_for_user_profile", welcome)
}

func (w *world) followedBySpeaker(ch *channel, id int64) bool {
	for _, m := range ch.Members {
		if m.Speaker {
			if s := w.users[m.UserID]; s != nil {
				if _, ok := s.Following[id]; ok {
					return true
				}
			}
		}
	}
	return false
}

func firstName(u *user) any {
	if u.Name == nil {
		return nil
	}
	return strings.Fields(*u.Name + " ")[0]
}

func nullableTime(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// ChannelUser (full) or ChannelUserShort; get_channels lists a room's
// moderators in the full form.
func (w *world) channelUser(ch *channel, m *member, full bool) obj {
	u := w.users[m.UserID]
	if !full && !m.Moderator {
		return o("user_id", u.ID, "name", nullable(u.Name), "photo_url", photoURL(u), "is_speaker", m.Speaker,
			"is_moderator", m.Moderator, "time_joined_as_speaker", nullableTime(m.SpeakerTime),
			"is_followed_by_speaker", w.followedBySpeaker(ch, u.ID), "is_invited_as_speaker", m.Invited)
	}
	return o("user_id", u.ID, "name", nullable(u.Name), "photo_url", photoURL(u), "username", nullable(u.Username),
		"first_name", firstName(u), "skintone", 1+int(u.ID%5), "is_new", strings.HasPrefix(u.TimeCreated, "2021-0") && u.ID >= 50000000,
		"is_speaker", m.Speaker, "is_moderator", m.Moderator, "time_joined_as_speaker", nullableTime(m.SpeakerTime),
		"is_followed_by_speaker", w.followedBySpeaker(ch, u.ID), "is_invited_as_speaker", m.Invited)
}

func (w *world) channelUsers(ch *channel, full bool) []obj {
	out := []obj{}
	for _, m := range ch.Members {
		if w.users[m.UserID] != nil {
			out = append(out, w.channelUser(ch, m, full))
		}
	}
	return out
}

// previewSize: get_channels lists every user of a room up to this many, and
// only the first previewUsers (its first speakers) of a bigger room, as the
// live server does (3 or 4 users of rooms of up to 455 in April 2021).
const (
	previewSize  = 12
	previewUsers = 4
)

// Channel (a get_channels item).
func (w *world) channelListItem(ch *channel, viewer *user) obj {
	n := len(ch.Members)
	sp := ch.numSpeakers()
	users := w.channelUsers(ch, false)
	if len(users) > previewSize {
		users = users[:previewUsers]
	}
	reasons := []any{}
	if c := w.clubs[ch.ClubID]; c != nil && viewer != nil && (c.Members[viewer.ID] || viewer.ClubFollows[c.ID]) {
		reasons = append(reasons, "club")
	}
	if viewer != nil && w.followedBySpeaker(ch, viewer.ID) {
		reasons = append(reasons, "followed_speaker")
	}
	return w.channelCore(ch, viewer).with("num_other", n-sp).with("has_blocked_speakers", false).with("is_explore_channel", false).
		with("num_speakers", sp).with("num_all", n).with("users", users).
		with("feature_flags", []string{"AGORA_AUDIO_PROFILE_SPEECH_STANDARD"}).
		with("logging_context", o("channel_id", ch.ID, "batch_id", fmt.Sprintf("5eed0000-0000-4000-8000-%012x", ch.ID), "reasons", reasons))
}

// Event: its hosts with truncated bios and twitter, its club in the full
// form (is_admin a numeric boolean), its room once it has one.
func (w *world) eventView(e *event, viewer *user, now time.Time) obj {
	hosts := []obj{}
	for _, h := range e.Hosts {
		if u := w.users[h]; u != nil {
			hosts = append(hosts, w.userShort(u).with("bio", truncate(u.Bio, 80)).with("twitter", nullable(u.Twitter)))
		}
	}
	var clubV any
	isMember, isFollower := 0, 0
	if c := w.clubs[e.ClubID]; c != nil {
		admin := 0
		if viewer != nil && c.Admins[viewer.ID] {
			admin = 1
		}
		clubV = o("club_id", c.ID, "name", c.Name, "is_admin", admin, "description", c.Description, "photo_url", clubPhotoURL(c),
			"num_members", c.numMembers(), "num_followers", c.numFollowers(), "num_online", w.numOnline(c),
			"enable_private", c.EnablePrivate, "is_follow_allowed", !c.EnablePrivate, "is_membership_private", c.EnablePrivate,
			"is_community", len(c.Rules) == 0, "rules", list(c.Rules), "url", clubURL(c))
		if viewer != nil && c.Members[viewer.ID] {
			isMember = 1
		}
		if viewer != nil && viewer.ClubFollows[c.ID] {
			isFollower = 1
		}
	}
	var room, description any
	for _, slug := range w.chanOrder {
		if ch := w.channels[slug]; ch.EventID == e.ID && !ch.Ended {
			room = ch.Slug
		}
	}
	if e.Description != "" {
		description = e.Description
	}
	return o("event_id", e.ID, "event_hashid", e.Hashid, "name", e.Name, "description", description, "time_start", e.TimeStart, "club", clubV,
		"is_member_only", e.IsMemberOnly, "url", "https://www.joinclubhouse.com/event/"+e.Hashid, "hosts", hosts,
		"channel", room, "is_expired", now.After(e.start.Add(2*time.Hour)), "club_is_member", isMember, "club_is_follower", isFollower)
}

// mention is an @username in a bio.
var mention = regexp.MustCompile(`@([A-Za-z0-9_]+)`)

// bioLinks are the links the app draws in a bio: one per @username that names
// a user, at its position and length in characters.
func (w *world) bioLinks(u *user) []obj {
	out := []obj{}
	if u.Bio == nil {
		return out
	}
	for _, loc := range mention.FindAllStringSubmatchIndex(*u.Bio, -1) {
		t := w.userByName((*u.Bio)[loc[2]:loc[3]])
		if t == nil {
			continue
		}
		pos := utf8.RuneCountInString((*u.Bio)[:loc[0]])
		length := utf8.RuneCountInString((*u.Bio)[loc[0]:loc[1]])
		out = append(out, o("type", "user", "target_id", t.ID, "position", pos, "length", length))
	}
	return out
}

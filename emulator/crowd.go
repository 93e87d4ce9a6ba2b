package emulator

import (
	"fmt"
	"strings"
	"time"
)

// The world at the real server's scale. A capture of the live server
// (April 2021) showed a hallway of 83 rooms, 2 to 455 people each (num_all)
// of which get_channels lists 3 or 4, a third of them in a club; clubs
// without a photo; bios of several lines with emoji, cut at 80 characters
// plus "…" in the lists that truncate; events with several hosts and a
// club. seedCrowd adds listeners, clubs and rooms of those sizes and shapes,
// every name and text made up here, the same on every start.

// Sizes of the crowd.
const (
	crowdListeners = 460 // people who sit in rooms (not suggested to follow)
	crowdClubs     = 40
	crowdRooms     = 78 // with the 5 seeded rooms, 83 in the hallway
)

// roomSizes cycles through the sizes the hallway showed, small rooms most.
var roomSizes = []int{2, 3, 4, 5, 7, 8, 9, 11, 12, 14, 16, 18, 21, 24, 27, 30, 33, 38, 42, 47, 54, 61, 74, 88, 99, 130, 170, 210, 290, 455}

var (
	crowdFirst = []string{"Amara", "Bodhi", "Calla", "Dario", "Esme", "Farid", "Greta", "Hugo", "Ines", "Joaquin",
		"Kaia", "Lior", "Mina", "Nico", "Odile", "Priya", "Quinn", "Rafa", "Sena", "Tomas", "Uma", "Vito", "Wren", "Xiomara", "Yusuf", "Zola"}
	crowdLast = []string{"Abara", "Bellweather", "Castellanos", "Dunmore", "Ekwueme", "Fairchild", "Gallo", "Hollis", "Iwasaki",
		"Juarez", "Kowalczyk", "Lindqvist", "Mbeki", "Nakagawa", "Okafor", "Pellegrini", "Quintero"}
	bioLines = []string{"🎙️ Host of late-night rooms about synths and sleep", "Product person. Ex-founder. Now: figuring it out 🤷",
		"📍 Lisbon ↔ Lagos", "Writing a novel one room at a time ✍️", "Ask me about sourdough 🍞 and distributed systems",
		"Moderator @ a few clubs you have never heard of", "✨ building quiet software for loud people ✨",
		"Former radio DJ 📻 — current podcast guest", "Climate nerd 🌱 | bikes 🚲 | bad puns", "I follow back everyone who can name three jazz drummers 🥁"}
	clubWords = []string{"Night Owls", "Founders Table", "Synth Lab", "Book Nook", "Jazz Cellar", "Climate Desk", "Design Crit",
		"Startup Therapy", "Morning Pages", "Open Mic", "Chess Cafe", "Space Cadets", "Sourdough Society", "Film Club",
		"Poetry Corner", "Late Checkout", "Deep Work", "Language Exchange", "Photo Walk", "Indie Hackers"}
	roomTopics = []string{"What are you building this week? 🛠️", "Open mic: bring a poem", "Is remote work over?",
		"🎷 Late night jazz requests", "AI and the future of music", "Pitch practice — 60 seconds each", "Climate tech office hours 🌍",
		"Book club: chapter 3", "Morning coffee ☕ and news", "Ask a designer anything"}
)

// crowdRand is a small deterministic generator (an LCG): the crowd is the
// same on every start.
type crowdRand struct{ s uint64 }

func (r *crowdRand) intn(n int) int {
	r.s = r.s*6364136223846793005 + 1442695040888963407
	return int((r.s >> 33) % uint64(n))
}

func crowdSlug(i int) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	var b strings.Builder
	n := uint64(i)*2654435761 + 97
	for j := 0; j < 8; j++ {
		b.WriteByte(alphabet[n%uint64(len(alphabet))])
		n = n/uint64(len(alphabet)) + uint64(j*31+i)
	}
	return b.String()
}

func (w *world) seedCrowd(now time.Time) {
	r := &crowdRand{s: 0x5eed}
	topicIDs := []int64{140, 107, 141, 142, 201, 202, 203, 301, 302}
	listeners := make([]int64, 0, crowdListeners)
	for i := 0; i < crowdListeners; i++ {
		id := int64(30001 + i)
		u := w.addUser(id)
		first, last := crowdFirst[i%len(crowdFirst)], crowdLast[(i/len(crowdFirst))%len(crowdLast)]
		name := first + " " + last
		uname := fmt.Sprintf("%s.%s%d", strings.ToLower(first), strings.ToLower(last[:3]), i)
		u.Name, u.Username = strp(name), strp(uname)
		switch i % 5 {
		case 0: // no bio
		case 1:
			u.Bio = strp(bioLines[i%len(bioLines)])
		default: // several lines, longer than the lists' 80 characters
			u.Bio = strp(bioLines[i%len(bioLines)] + "\n" + bioLines[(i+3)%len(bioLines)] + "\n" + bioLines[(i+7)%len(bioLines)])
		}
		if i%4 == 0 {
			u.Twitter = strp(uname[:strings.IndexByte(uname, '.')] + fmt.Sprint(i))
		}
		if i%7 == 0 {
			u.Instagram = strp(strings.ReplaceAll(uname, ".", "_"))
		}
		if i%6 == 0 {
			la := r.intn(300)
			u.LastActive = &la
		}
		u.TimeCreated = isoTime(time.Date(2020, time.Month(6+i%7), 1+i%28, i%24, i%60, i%50, (i%3)*137000000, time.UTC))
		u.Topics = []int64{topicIDs[i%len(topicIDs)], topicIDs[(i+4)%len(topicIDs)]}
		u.ExtraFollowers, u.ExtraFollowing = r.intn(5000), r.intn(900)
		u.Phone = fmt.Sprintf("+1555030%04d", i)
		w.byUsername[uname] = id
		w.byPhone[u.Phone] = id
		listeners = append(listeners, id)
	}
	pick := func() int64 { return listeners[r.intn(len(listeners))] }

	var clubIDs []int64
	for i := 0; i < crowdClubs; i++ {
		id := int64(20001 + i)
		name := clubWords[i%len(clubWords)]
		if i >= len(clubWords) {
			name += fmt.Sprintf(" %d", i/len(clubWords)+1)
		}
		cl := &club{ID: id, Name: name, Description: "A made-up club of the emulator's crowd: " + strings.ToLower(name) + ", most nights.",
			baseMembers: r.intn(20000), baseFollowers: r.intn(90000), EnablePrivate: i%9 == 4,
			Topics: []int64{topicIDs[i%len(topicIDs)]}, Members: map[int64]bool{}, Admins: map[int64]bool{},
			Followers: map[int64]bool{}, NoPhoto: i%8 == 1, FullForm: i%2 == 1, AddedBy: map[int64]int64{}}
		for k := 0; k < i%4; k++ {
			cl.Rules = append(cl.Rules, ClubRule{Title: fmt.Sprintf("Rule %d", k+1), Desc: []string{"Be kind and assume good intent.",
				"No selling from the stage.", "Moderators have the last word."}[k%3]})
		}
		admin := pick()
		cl.Members[admin], cl.Admins[admin] = true, true
		for k := 0; k < 10+r.intn(120); k++ {
			cl.Members[pick()] = true
		}
		w.clubs[id] = cl
		w.clubOrder = append(w.clubOrder, id)
		clubIDs = append(clubIDs, id)
	}

	var order []string
	for i := 0; i < crowdRooms; i++ {
		size := roomSizes[i%len(roomSizes)]
		ch := &channel{ID: int64(300001 + i), Slug: crowdSlug(i), Creator: pick(), Invited: map[int64]bool{}}
		if i%8 != 3 {
			ch.Topic = strp(roomTopics[i%len(roomTopics)])
		}
		if i%3 == 0 {
			ch.ClubID = clubIDs[i%len(clubIDs)]
		}
		ch.IsSocial = i%11 == 6
		ch.HandraiseFollowed = i%5 == 2
		speakers := 1 + i%6
		seen := map[int64]bool{}
		for len(ch.Members) < size && len(ch.Members) < len(listeners) {
			id := ch.Creator
			if len(ch.Members) > 0 {
				id = pick()
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			m := &member{UserID: id}
			if n := len(ch.Members); n < speakers {
				t := isoTime(now.Add(-time.Duration(90-n) * time.Minute).Truncate(time.Second).Add(time.Duration(n*1000+7) * time.Microsecond))
				m.Speaker, m.Moderator, m.SpeakerTime = true, n < 2, &t
			}
			ch.Members = append(ch.Members, m)
		}
		w.channels[ch.Slug] = ch
		order = append(order, ch.Slug)
	}
	// The seeded rooms stay the newest: first in the hallway.
	w.chanOrder = append(order, w.chanOrder...)

	base := now.UTC().Truncate(time.Hour)
	for i := 0; i < 12; i++ {
		start := base.Add(time.Duration(110+i*13) * time.Hour)
		e := &event{ID: int64(4001 + i), Hashid: crowdSlug(1000 + i), Name: roomTopics[(i+2)%len(roomTopics)],
			Description: "Made up for the emulator: " + strings.ToLower(roomTopics[(i+5)%len(roomTopics)]),
			TimeStart:   isoTime(start), start: start, IsMemberOnly: i%4 == 1}
		if i%3 != 2 {
			e.ClubID = clubIDs[(i*7)%len(clubIDs)]
		}
		for k := 0; k < 1+i%7; k++ {
			e.Hosts = append(e.Hosts, listeners[(i*37+k*11)%len(listeners)])
		}
		w.events = append(w.events, e)
	}
}

package emulator_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/chconform/chconform/emulator"
	"github.com/chconform/chconform/harness"
)

// The hallway has the real server's scale and shapes (the April 2021
// capture): 83 rooms of 2 to 455 people, of which big rooms list a few, a
// third of them in a club; every answer conforms.
func TestTheHallwayHasTheRealServersScale(t *testing.T) {
	e := newEnv(t)
	ex := e.send("get_channels", nil, nil)
	e.conform(ex)
	rooms := get(ex, "channels").Array()
	if len(rooms) < 80 {
		t.Fatalf("%d rooms in the hallway, want the capture's scale (83)", len(rooms))
	}
	biggest, inClub, preview := int64(0), 0, 0
	for _, r := range rooms {
		n := r.Get("num_all").Int()
		biggest = max(biggest, n)
		if r.Get("club").Type == gjson.JSON {
			inClub++
		}
		if users := len(r.Get("users").Array()); int64(users) < n {
			preview++
			if users > 12 {
				t.Errorf("room %s lists %d of its %d users: a big room lists a preview", r.Get("channel"), users, n)
			}
		}
	}
	if biggest < 400 || inClub < len(rooms)/4 || preview == 0 {
		t.Errorf("biggest room %d people (want >= 400), %d rooms in a club of %d (want a third), %d previews", biggest, inClub, len(rooms), preview)
	}
	if n := len(get(ex, "events").Array()); n == 0 {
		t.Error("get_channels lists no upcoming event")
	}
	for _, ev := range get(ex, "events").Array() {
		if len(ev.Get("hosts").Array()) == 0 || ev.Get("club").Type != gjson.JSON && ev.Get("club").Type != gjson.Null {
			t.Errorf("event %s: hosts %s, club %s", ev.Get("event_id"), ev.Get("hosts"), ev.Get("club"))
		}
	}
	if len(ex.Response.Body) < 100_000 {
		t.Errorf("get_channels answers %d bytes; the real one was over 200 kB", len(ex.Response.Body))
	}
}

// Joining the biggest room answers every one of its users (the real
// join_channel listed 243), and suggested speakers walk its audience page by
// page.
func TestABigRoomAnswersAtScale(t *testing.T) {
	e := newEnv(t)
	var slug string
	var size int64
	for _, r := range get(e.send("get_channels", nil, nil), "channels").Array() {
		if n := r.Get("num_all").Int(); n > size {
			slug, size = r.Get("channel").String(), n
		}
	}
	a := e.signup("+1555000", harness.Unique("crowd_{unique}"))
	joined := e.send("join_channel", a, map[string]any{"channel": slug})
	e.conform(joined)
	if got := int64(len(get(joined, "users").Array())); got != size+1 {
		t.Fatalf("join_channel of %s lists %d users, want its %d and the new one", slug, got, size)
	}
	sp := e.send("get_suggested_speakers", a, map[string]any{"channel": slug})
	e.conform(sp)
	if get(sp, "count").Int() < 100 || get(sp, "next").Int() != 2 {
		t.Errorf("suggested speakers of a room of %d: count %d next %s", size, get(sp, "count").Int(), get(sp, "next"))
	}
}

// Lists truncate long bios at 80 characters plus an ellipsis; some clubs
// have no photo; the world is the same on every start.
func TestBiosClubsAndDeterminism(t *testing.T) {
	e := newEnv(t)
	page := e.send("get_users_for_topic", nil, map[string]any{"topic_id": 140, "page_size": 200})
	e.conform(page)
	cut := 0
	for _, u := range get(page, "users").Array() {
		bio := u.Get("bio").String()
		if strings.HasSuffix(bio, "…") {
			cut++
			if n := utf8.RuneCountInString(bio); n != 81 {
				t.Errorf("truncated bio of %d characters: %q", n, bio)
			}
		}
	}
	if cut == 0 {
		t.Error("no truncated bio in a topic's users")
	}
	clubs := e.send("get_clubs_for_topic", nil, map[string]any{"topic_id": 140, "page_size": 100})
	e.conform(clubs)
	if !strings.Contains(string(clubs.Response.Body), `"photo_url":null`) {
		t.Error("no club without a photo among the topic's clubs")
	}
	fixed := func() time.Time { return time.Date(2021, 4, 4, 12, 0, 0, 0, time.UTC) }
	hallway := func() string {
		srv := emulator.New(emulator.Options{Now: fixed})
		token, _ := srv.AccountToken("default")
		req := httptest.NewRequest("GET", "/api/get_channels", nil)
		req.Header.Set("Authorization", "Token "+token)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("get_channels: %d %s", rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	if a, b := hallway(), hallway(); a != b {
		t.Error("two emulators started at the same time answer get_channels differently")
	}
}

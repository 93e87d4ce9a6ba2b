package mutation

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The identity mutants are made by the emulator's fault switch, for their
// operation only, and counted as fired through the proxy.
func TestIdentityMutantsAreMadeByTheEmulator(t *testing.T) {
	spec := loadSpec(t)
	const (
		def     = "c0ffee5eed00c0ffee5eed00c0ffee5eed001234" // user 1234
		creator = "c0ffee5eed00c0ffee5eed00c0ffee5eed000002" // user 2, who made xEnded01
		wendy   = "c0ffee5eed00c0ffee5eed00c0ffee5eed002001" // user 2001
	)
	post := func(t *testing.T, base, path, token, userID, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("CH-AppVersion", "0.1.28")
		req.Header.Set("Authorization", "Token "+token)
		if userID != "" {
			req.Header.Set("CH-UserID", userID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		var m map[string]any
		_ = json.Unmarshal(data, &m)
		return resp.StatusCode, m
	}
	meID := func(m map[string]any) any {
		p, _ := m["user_profile"].(map[string]any)
		return p["user_id"]
	}

	t.Run("identity from header", func(t *testing.T) {
		m := Mutant{ID: "me/identity-from-header", Op: "me", Kind: KindIdentityFromHeader}
		tg := NewTarget(spec, &m, 0)
		defer tg.Close()
		if _, got := post(t, tg.URL, "/me", def, "1234", `{}`); meID(got) != 1234.0 {
			t.Errorf("me with its own CH-UserID answered user %v, want 1234", meID(got))
		}
		if tg.Proxy.Fired() != 0 {
			t.Errorf("fired %d with a truthful CH-UserID", tg.Proxy.Fired())
		}
		if _, got := post(t, tg.URL, "/me", def, "2", `{}`); meID(got) != 2.0 {
			t.Errorf("the mutant answered user %v, want the header's 2", meID(got))
		}
		if tg.Proxy.Fired() != 1 {
			t.Errorf("fired %d, want 1", tg.Proxy.Fired())
		}
		// Another operation is untouched.
		if _, got := post(t, tg.URL, "/get_profile", def, "2", `{"user_id":1234}`); got["success"] != true {
			t.Errorf("get_profile through the mutant: %v", got)
		}
		if tg.Proxy.Fired() != 1 {
			t.Errorf("fired %d after another operation, want 1", tg.Proxy.Fired())
		}
	})

	t.Run("write applied to another account", func(t *testing.T) {
		m := Mutant{ID: "update_username/write-to-another-account", Op: "update_username", Kind: KindWriteToAnotherAccount}
		tg := NewTarget(spec, &m, 0)
		defer tg.Close()
		post(t, tg.URL, "/me", creator, "", `{}`) // user 2 asks first
		if status, got := post(t, tg.URL, "/update_username", def, "", `{"username":"moved_name"}`); status != 200 || got["success"] != true {
			t.Fatalf("update_username answered %d %v", status, got)
		}
		_, mine := post(t, tg.URL, "/me", def, "", `{}`)
		_, theirs := post(t, tg.URL, "/me", creator, "", `{}`)
		if p := mine["user_profile"].(map[string]any); p["username"] == "moved_name" {
			t.Errorf("the writer was renamed: the write was not moved")
		}
		if p := theirs["user_profile"].(map[string]any); p["username"] != "moved_name" {
			t.Errorf("the account that asked before has %v, want the moved write", p["username"])
		}
		if tg.Proxy.Fired() != 1 {
			t.Errorf("fired %d, want 1", tg.Proxy.Fired())
		}
	})

	for _, tc := range []struct {
		kind                   Kind
		creatorJoins, anyJoins bool
	}{
		{KindEndedRoomJoinable, true, true},
		{KindEndedRoomCreatorJoinable, true, false},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			m := Mutant{ID: "join_channel/" + string(tc.kind), Op: "join_channel", Kind: tc.kind}
			tg := NewTarget(spec, &m, 0)
			defer tg.Close()
			if status, _ := post(t, tg.URL, "/join_channel", creator, "", `{"channel":"xEnded01"}`); (status == 200) != tc.creatorJoins {
				t.Errorf("the creator's join of the ended room answered %d", status)
			}
			if status, _ := post(t, tg.URL, "/join_channel", wendy, "", `{"channel":"xEnded01"}`); status == 200 {
				t.Errorf("a waitlisted account joined")
			}
			if status, _ := post(t, tg.URL, "/join_channel", def, "", `{"channel":"xEnded01"}`); (status == 200) != tc.anyJoins {
				t.Errorf("another account's join of the ended room answered %d", status)
			}
		})
	}
	// Without a mutant the ended room is gone for its creator too.
	tg := NewTarget(spec, nil, 0)
	defer tg.Close()
	if status, got := post(t, tg.URL, "/join_channel", creator, "", `{"channel":"xEnded01"}`); status != 400 {
		t.Errorf("the unmutated emulator let the creator join the ended room: %d %v", status, got)
	}
}

package chconform_test

// Tests of the contract itself (api.yaml): it is valid OpenAPI 3.0.3 for kin-openapi, it keeps
// everything the seed documents (testdata/api.seed.yaml, a verbatim copy of the seed), its schemas
// accept every documented example and reject deliberately broken bodies, and its tags, security
// and x-state conventions are the ones the harness and the suites rely on.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"sigs.k8s.io/yaml"

	"github.com/chconform/chconform"
)

// groups is the endpoint group (tag) of every operation.
var groups = map[string][]string{
	"auth":          {"start_phone_number_auth", "call_phone_number_auth", "resend_phone_number_auth", "complete_phone_number_auth", "refresh_token", "check_waitlist_status"},
	"users":         {"me", "get_profile", "update_username", "follow", "get_following", "get_suggested_follows_all", "get_suggested_follows_friends_only", "get_suggested_follows_similar", "search_users"},
	"topics":        {"get_all_topics", "get_topic", "get_clubs_for_topic", "get_users_for_topic"},
	"clubs":         {"get_club", "get_online_friends"},
	"channels":      {"get_channels", "join_channel", "leave_channel", "get_create_channel_targets", "create_channel", "get_suggested_speakers", "get_welcome_channel"},
	"invites":       {"get_suggested_invites", "get_suggested_club_invites", "invite_to_app", "invite_from_waitlist"},
	"notifications": {"get_notifications", "get_actionable_notifications", "update_notifications", "get_settings"},
	"events":        {"get_events"},
	"app":           {"get_release_notes", "check_for_update", "record_action_trails", "search_clubs"},
}

// unauthenticated are the auth-flow operations that need no Authorization header.
var unauthenticated = map[string]bool{
	"start_phone_number_auth": true, "call_phone_number_auth": true, "resend_phone_number_auth": true,
	"complete_phone_number_auth": true, "refresh_token": true,
}

// optionalAuth are the operations the app calls before sign-in too: a token is
// accepted but not needed (an empty security requirement among the schemes), so
// they are not Secured and get no 401 probe.
var optionalAuth = map[string]bool{"check_for_update": true}

// states is the x-state of every response example produced by a special server state, keyed
// "operationId status exampleName". Every other example must have no x-state.
var states = map[string]string{
	"start_phone_number_auth 200 failure":        "phone-failure",
	"start_phone_number_auth 200 phoneBlocked":   "phone-blocked",
	"start_phone_number_auth 200 beingThrottled": "phone-throttling",
	"start_phone_number_auth 200 throttled":      "phone-throttled",
	"check_waitlist_status 200 waitlisted":       "waitlisted-account",
	"check_waitlist_status 401 error":            "no-credentials",
	"me 403 examples":                            "blocked-account",
	"check_waitlist_status 403 blocked":          "blocked-account",
	"get_channels 403 waitlisted":                "waitlisted-account",
	"join_channel 400 appTooOld":                 "app-too-old",
	"join_channel 400 roomNotAvailable":          "room-ended",
	"update_username 400 emptyString":            "username-not-allowed",
	"update_username 400 taken":                  "username-taken",
	"follow 401 waitlisted":                      "waitlisted-account",
	"invite_to_app 400 waitlisted":               "waitlisted-account",
	"invite_from_waitlist 400 waitlisted":        "waitlisted-account",
	"invite_from_waitlist 400 someOtherError":    "invite-not-possible",
	"update_notifications 400 waitlisted":        "waitlisted-account",
	"get_create_channel_targets 400 waitlisted":  "waitlisted-account",
	"create_channel 400 waitlisted":              "waitlisted-account",
	"refresh_token 401 invalidToken":             "invalid-refresh-token",
	"check_for_update 200 hasUpdate":             "update-available",
}

// stateNames is the closed set of x-state values the harness knows.
var stateNames = map[string]bool{
	"phone-failure": true, "phone-blocked": true, "phone-throttling": true, "phone-throttled": true,
	"waitlisted-account": true, "no-credentials": true, "blocked-account": true, "app-too-old": true,
	"room-ended": true, "username-not-allowed": true, "username-taken": true, "invite-not-possible": true,
	"invalid-refresh-token": true, "update-available": true,
}

// headerParams are the request headers every operation references.
var headerParams = []string{"UserAgent", "CHLanguages", "CHLocale", "CHAppVersion", "CHAppBuild", "CHDeviceId", "CHUserID"}

// observedEmptyAuthBody replaces the two seed examples that have no value.
var observedEmptyAuthBody = map[string]any{"success": true, "error_message": nil}

func loadContract(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(chconform.Contract)
	if err != nil {
		t.Fatalf("api.yaml does not load: %v", err)
	}
	return doc
}

type operation struct {
	id, method, path string
	op               *openapi3.Operation
}

func operations(doc *openapi3.T) []operation {
	var out []operation
	for _, p := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(p).Operations() {
			out = append(out, operation{op.OperationID, strings.ToUpper(method), p, op})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// normalize turns any decoded JSON/YAML value into the encoding/json form (float64 numbers,
// map[string]any), so that values from different decoders compare with reflect.DeepEqual.
func normalize(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	return out
}

func TestContractIsValidOpenAPI(t *testing.T) {
	doc := loadContract(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi: got %q, want 3.0.3", doc.OpenAPI)
	}
	cases := []struct {
		name string
		opts []openapi3.ValidationOption
	}{
		{"examples", []openapi3.ValidationOption{openapi3.EnableExamplesValidation()}},
		{"examples+formats", []openapi3.ValidationOption{openapi3.EnableExamplesValidation(), openapi3.EnableSchemaFormatValidation()}},
		{"examples+patterns", []openapi3.ValidationOption{openapi3.EnableExamplesValidation(), openapi3.EnableSchemaPatternValidation()}},
		{"everything", []openapi3.ValidationOption{openapi3.EnableExamplesValidation(), openapi3.EnableSchemaFormatValidation(), openapi3.EnableSchemaPatternValidation(), openapi3.EnableSchemaDefaultsValidation(), openapi3.EnableMultiError()}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := doc.Validate(context.Background(), tc.opts...); err != nil {
				t.Errorf("doc.Validate: %v", err)
			}
		})
	}
	if n := len(operations(doc)); n != 41 {
		t.Errorf("operations: got %d, want 41", n)
	}
}

// seedDoc is the seed decoded as plain data (it is not valid OpenAPI 3.0.3: integer status codes,
// examples without value), with status codes as strings.
func seedDoc(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("testdata/api.seed.yaml")
	if err != nil {
		t.Fatalf("read seed: %v", err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatalf("seed is not YAML: %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal(js, &out); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return out
}

func m(v any) map[string]any { x, _ := v.(map[string]any); return x }

func TestContractKeepsTheSeed(t *testing.T) {
	doc := loadContract(t)
	seed := seedDoc(t)
	seedOps := 0
	for path, item := range m(seed["paths"]) {
		for method, rawOp := range m(item) {
			seedOp := m(rawOp)
			id, _ := seedOp["operationId"].(string)
			seedOps++
			t.Run(id, func(t *testing.T) {
				pi := doc.Paths.Value(path)
				if pi == nil {
					t.Fatalf("path %s is missing", path)
				}
				op := pi.GetOperation(strings.ToUpper(method))
				if op == nil {
					t.Fatalf("%s %s is missing", strings.ToUpper(method), path)
				}
				if op.OperationID != id {
					t.Errorf("%s %s: operationId %q, want %q", method, path, op.OperationID, id)
				}
				for _, rawParam := range anySlice(seedOp["parameters"]) {
					sp := m(rawParam)
					if p := op.Parameters.GetByInAndName(sp["in"].(string), sp["name"].(string)); p == nil {
						t.Errorf("parameter %s %s is missing", sp["in"], sp["name"])
					} else if !reflect.DeepEqual(normalize(t, p.Example), normalize(t, sp["example"])) {
						t.Errorf("parameter %s example %v, want %v", sp["name"], p.Example, sp["example"])
					}
				}
				// request examples
				if rb := m(seedOp["requestBody"]); rb != nil {
					smt := m(m(rb["content"])["application/json"])
					if op.RequestBody == nil || op.RequestBody.Value == nil {
						t.Fatalf("request body is missing")
					}
					mt := op.RequestBody.Value.Content.Get("application/json")
					if mt == nil {
						t.Fatalf("request body application/json is missing")
					}
					if sv, ok := smt["example"]; ok {
						if !reflect.DeepEqual(normalize(t, mt.Example), sv) {
							t.Errorf("request example: got %v, want %v", mt.Example, sv)
						}
					}
					for name, rawEx := range m(smt["examples"]) {
						want := m(rawEx)["value"]
						got, ok := mt.Examples[name]
						if !ok || got.Value == nil {
							t.Errorf("request example %q is missing", name)
							continue
						}
						if !reflect.DeepEqual(normalize(t, got.Value.Value), want) {
							t.Errorf("request example %q: got %v, want %v", name, got.Value.Value, want)
						}
					}
				}
				// responses and their examples
				for code, rawResp := range m(seedOp["responses"]) {
					resp := op.Responses.Value(code)
					if resp == nil || resp.Value == nil {
						t.Errorf("response %s is missing", code)
						continue
					}
					smt := m(m(m(rawResp)["content"])["application/json"])
					if smt == nil {
						continue
					}
					mt := resp.Value.Content.Get("application/json")
					if mt == nil {
						t.Errorf("response %s: application/json is missing", code)
						continue
					}
					for name, rawEx := range m(smt["examples"]) {
						want, hasValue := m(rawEx)["value"]
						if !hasValue {
							want = normalize(t, observedEmptyAuthBody)
						}
						got, ok := mt.Examples[name]
						if !ok || got.Value == nil {
							t.Errorf("response %s example %q is missing", code, name)
							continue
						}
						if !reflect.DeepEqual(normalize(t, got.Value.Value), want) {
							t.Errorf("response %s example %q:\n got %v\nwant %v", code, name, got.Value.Value, want)
						}
					}
				}
			})
		}
	}
	if seedOps != 41 {
		t.Errorf("the seed copy has %d operations, want 41", seedOps)
	}
}

func anySlice(v any) []any { s, _ := v.([]any); return s }

func TestEveryJSONResponseHasASchemaThatAcceptsItsExamples(t *testing.T) {
	doc := loadContract(t)
	for _, o := range operations(doc) {
		t.Run(o.id, func(t *testing.T) {
			for code, ref := range o.op.Responses.Map() {
				for ctype, mt := range ref.Value.Content {
					if !strings.Contains(ctype, "json") {
						continue
					}
					if mt.Schema == nil || mt.Schema.Value == nil {
						t.Errorf("response %s %s has no schema", code, ctype)
						continue
					}
					for name, ex := range mt.Examples {
						if ex.Value == nil || ex.Value.Value == nil {
							t.Errorf("response %s example %q has no value", code, name)
							continue
						}
						if err := mt.Schema.Value.VisitJSON(normalize(t, ex.Value.Value), openapi3.MultiErrors(), openapi3.VisitAsResponse(), openapi3.EnableFormatValidation()); err != nil {
							t.Errorf("response %s example %q does not validate: %v", code, name, err)
						}
					}
				}
			}
			if o.op.RequestBody != nil {
				mt := o.op.RequestBody.Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
					t.Fatalf("request body has no JSON schema")
				}
				values := map[string]any{}
				if mt.Example != nil {
					values["example"] = mt.Example
				}
				for name, ex := range mt.Examples {
					values[name] = ex.Value.Value
				}
				for name, v := range values {
					if err := mt.Schema.Value.VisitJSON(normalize(t, v), openapi3.MultiErrors(), openapi3.VisitAsRequest(), openapi3.EnableFormatValidation()); err != nil {
						t.Errorf("request example %q does not validate: %v", name, err)
					}
				}
			}
		})
	}
}

// example returns a deep copy of a documented example value.
func example(t *testing.T, doc *openapi3.T, opID, status, name string) (any, *openapi3.Schema) {
	t.Helper()
	for _, o := range operations(doc) {
		if o.id != opID {
			continue
		}
		if status == "request" {
			mt := o.op.RequestBody.Value.Content.Get("application/json")
			if name == "" {
				return nil, mt.Schema.Value
			}
			if name == "example" {
				return normalize(t, mt.Example), mt.Schema.Value
			}
			return normalize(t, mt.Examples[name].Value.Value), mt.Schema.Value
		}
		mt := o.op.Responses.Value(status).Value.Content.Get("application/json")
		if name == "" {
			return nil, mt.Schema.Value
		}
		return normalize(t, mt.Examples[name].Value.Value), mt.Schema.Value
	}
	t.Fatalf("no operation %s", opID)
	return nil, nil
}

// set walks a body along a dotted path of keys and indexes and sets (or removes) the last one.
func set(body any, path string, value any, remove bool) {
	parts := strings.Split(path, ".")
	cur := body
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if remove {
					delete(c, p)
				} else {
					c[p] = value
				}
				return
			}
			cur = c[p]
		case []any:
			n, _ := strconv.Atoi(p)
			if last {
				c[n] = value
				return
			}
			cur = c[n]
		default:
			panic(fmt.Sprintf("cannot walk %q at %q", path, p))
		}
	}
}

func TestSchemasRejectBrokenBodies(t *testing.T) {
	doc := loadContract(t)
	// a truncated bio is 80 characters and an ellipsis: 81 is the bound, 82 is over it
	long82 := strings.Repeat("b", 82)
	truncated81 := strings.Repeat("é", 80) + "…"
	type mutation struct {
		path   string
		value  any
		remove bool
	}
	cases := []struct {
		name                string
		op, status, example string
		body                any // used instead of the example when non-nil
		muts                []mutation
		valid               bool // the mutated body must still validate (a control case)
	}{
		// ids: integers everywhere, strings only in search results
		{name: "get_profile user_id as a string", op: "get_profile", status: "200", example: "user_profile", muts: []mutation{{path: "user_profile.user_id", value: "4075733"}}},
		{name: "get_profile inviter user_id as a string", op: "get_profile", status: "200", example: "user_profile", muts: []mutation{{path: "user_profile.invited_by_user_profile.user_id", value: "1234"}}},
		{name: "search_clubs club_id as an integer", op: "search_clubs", status: "200", example: "successful", muts: []mutation{{path: "clubs.0.club_id", value: 1234}}},
		{name: "search_users user_id as an integer", op: "search_users", status: "200", example: "successful", muts: []mutation{{path: "users.0.user_id", value: 1234}}},
		{name: "search_users user_id not numeric", op: "search_users", status: "200", example: "successful", muts: []mutation{{path: "users.0.user_id", value: "abc"}}},
		{name: "get_suggested_follows_similar user_id as an integer", op: "get_suggested_follows_similar", status: "200", example: "successful", muts: []mutation{{path: "users.0.user_id", value: 1234}}},
		{name: "get_following club_id as a string", op: "get_following", status: "200", example: "success", muts: []mutation{{path: "clubs.0.club_id", value: "123"}}},
		{name: "get_channels channel_id as a string", op: "get_channels", status: "200", example: "channels", muts: []mutation{{path: "channels.0.channel_id", value: "123456"}}},
		// required fields
		{name: "get_profile without username", op: "get_profile", status: "200", example: "user_profile", muts: []mutation{{path: "user_profile.username", remove: true}}},
		{name: "join_channel without token", op: "join_channel", status: "200", example: "channel", muts: []mutation{{path: "token", remove: true}}},
		{name: "get_channels user without is_speaker", op: "get_channels", status: "200", example: "channels", muts: []mutation{{path: "channels.0.users.0.is_speaker", remove: true}}},
		{name: "complete_phone_number_auth without success", op: "complete_phone_number_auth", status: "200", example: "success", muts: []mutation{{path: "success", remove: true}}},
		{name: "get_clubs_for_topic without count", op: "get_clubs_for_topic", status: "200", example: "clubs", muts: []mutation{{path: "count", remove: true}}},
		{name: "check_waitlist_status 401 without detail", op: "check_waitlist_status", status: "401", example: "error", muts: []mutation{{path: "detail", remove: true}}},
		{name: "refresh_token 401 without code", op: "refresh_token", status: "401", example: "invalidToken", muts: []mutation{{path: "code", remove: true}}},
		{name: "start_phone_number_auth with success only", op: "start_phone_number_auth", status: "200", body: map[string]any{"success": true}},
		// wrong types in the envelopes
		{name: "join_channel 400 error_message as a number", op: "join_channel", status: "400", example: "appTooOld", muts: []mutation{{path: "error_message", value: 42}}},
		{name: "update_username 400 error_message as a boolean", op: "update_username", status: "400", example: "taken", muts: []mutation{{path: "error_message", value: false}}},
		{name: "app error with success true", op: "invite_to_app", status: "400", example: "waitlisted", muts: []mutation{{path: "success", value: true}}},
		{name: "start_phone_number_auth success as a string", op: "start_phone_number_auth", status: "200", example: "success", muts: []mutation{{path: "success", value: "true"}}},
		{name: "start_phone_number_auth is_blocked as a number", op: "start_phone_number_auth", status: "200", example: "phoneBlocked", muts: []mutation{{path: "is_blocked", value: 1}}},
		{name: "DRF detail as a list", op: "me", status: "403", example: "examples", muts: []mutation{{path: "detail", value: []any{"x"}}}},
		// timestamps need an explicit numeric offset
		{name: "time_created without offset", op: "get_profile", status: "200", example: "user_profile", muts: []mutation{{path: "user_profile.time_created", value: "2021-01-28T12:30:25.625451"}}},
		{name: "time_created with Z", op: "get_profile", status: "200", example: "user_profile", muts: []mutation{{path: "user_profile.time_created", value: "2021-01-28T12:30:25.625451Z"}}},
		{name: "time_joined_as_speaker without offset", op: "join_channel", status: "200", example: "channel", muts: []mutation{{path: "users.0.time_joined_as_speaker", value: "2021-01-31T00:00:00"}}},
		{name: "time_joined_as_speaker not a date", op: "get_channels", status: "200", example: "channels", muts: []mutation{{path: "channels.0.users.0.time_joined_as_speaker", value: "yesterday+00:00"}}},
		// bios truncated to 80 characters in four lists, not in search_users
		{name: "get_users_for_topic bio of 82 chars", op: "get_users_for_topic", status: "200", example: "users", muts: []mutation{{path: "users.0.bio", value: long82}}},
		{name: "get_following bio of 82 chars", op: "get_following", status: "200", example: "success", muts: []mutation{{path: "users.0.bio", value: long82}}},
		{name: "get_suggested_follows_all bio of 82 chars", op: "get_suggested_follows_all", status: "200", example: "usersFromOnboard", muts: []mutation{{path: "users.0.bio", value: long82}}},
		{name: "get_suggested_follows_similar bio of 82 chars", op: "get_suggested_follows_similar", status: "200", example: "successful", muts: []mutation{{path: "users.0.bio", value: long82}}},
		// pagination: page numbers, not URLs
		{name: "next as a URL", op: "get_clubs_for_topic", status: "200", example: "clubs", muts: []mutation{{path: "next", value: "https://www.clubhouseapi.com/api/get_clubs_for_topic?page=2"}}},
		{name: "previous as a string", op: "search_users", status: "200", example: "successful", muts: []mutation{{path: "previous", value: "1"}}},
		// nullable references keep their type
		{name: "invited_by_user_profile as a string", op: "get_profile", status: "200", example: "user_profile", muts: []mutation{{path: "user_profile.invited_by_user_profile", value: "someone"}}},
		{name: "get_following club with neither viewer flags nor settings", op: "get_following", status: "200", example: "success", muts: []mutation{{path: "clubs.0.is_member", remove: true}}},
		{name: "get_club club with a numeric photo_url", op: "get_club", status: "200", example: "club", muts: []mutation{{path: "club.photo_url", value: 5}}},
		{name: "get_club member_user_ids not numeric", op: "get_club", status: "200", example: "club", muts: []mutation{{path: "member_user_ids", value: []any{"abc"}}}},
		{name: "follow 200 without success", op: "follow", status: "200", body: map[string]any{}},
		{name: "channel club without rules", op: "get_channels", status: "200", example: "channels", muts: []mutation{{path: "channels.0.club.rules", remove: true}}},
		// requests
		{name: "join_channel request without channel", op: "join_channel", status: "request", example: "justChannelIsEnough", muts: []mutation{{path: "channel", remove: true}}},
		{name: "join_channel unknown attribution_source", op: "join_channel", status: "request", example: "joinFromAppHomeScreen", muts: []mutation{{path: "attribution_source", value: "search"}}},
		{name: "join_channel attribution_details not base64", op: "join_channel", status: "request", example: "joinFromAppHomeScreen", muts: []mutation{{path: "attribution_details", value: "{not base64!}"}}},
		{name: "follow request user_id as a string", op: "follow", status: "request", example: "jsonObject", muts: []mutation{{path: "user_id", value: "1234"}}},
		{name: "get_profile request with neither user_id nor username", op: "get_profile", status: "request", body: map[string]any{"query_id": nil}},
		{name: "start_phone_number_auth request without phone_number", op: "start_phone_number_auth", status: "request", body: map[string]any{}},

		// controls: these must still validate
		{name: "get_following bio truncated to 80 chars plus an ellipsis (live April 2021)", op: "get_following", status: "200", example: "success", muts: []mutation{{path: "users.0.bio", value: truncated81}}, valid: true},
		{name: "get_suggested_follows_similar bio truncated to 80 chars plus an ellipsis", op: "get_suggested_follows_similar", status: "200", example: "successful", muts: []mutation{{path: "users.0.bio", value: truncated81}}, valid: true},
		{name: "get_following club in the full form without viewer flags (live April 2021)", op: "get_following", status: "200", example: "success", muts: []mutation{{path: "clubs.0.is_member", remove: true}, {path: "clubs.0.is_follower", remove: true}, {path: "clubs.0.enable_private", value: true}, {path: "clubs.0.is_follow_allowed", value: true}, {path: "clubs.0.is_membership_private", value: false}, {path: "clubs.0.is_community", value: false}, {path: "clubs.0.rules", value: []any{}}, {path: "clubs.0.num_online", value: 0}, {path: "clubs.0.url", value: "https://www.joinclubhouse.com/club/x"}}, valid: true},
		{name: "get_club club without photo (live April 2021)", op: "get_club", status: "200", example: "club", muts: []mutation{{path: "club.photo_url", value: nil}}, valid: true},
		{name: "search_clubs club without photo (live April 2021)", op: "search_clubs", status: "200", example: "successful", muts: []mutation{{path: "clubs.0.photo_url", value: nil}}, valid: true},
		{name: "get_club member_user_ids as integers", op: "get_club", status: "200", example: "club", muts: []mutation{{path: "member_user_ids", value: []any{1234, 5678}}}, valid: true},
		{name: "get_club member_user_ids as strings", op: "get_club", status: "200", example: "club", muts: []mutation{{path: "member_user_ids", value: []any{"1234"}}}, valid: true},
		{name: "complete_phone_number_auth invalid request (June 2021)", op: "complete_phone_number_auth", status: "200", body: map[string]any{"success": false, "error_message": "Invalid request."}, valid: true},
		{name: "follow 200 (live April 2021)", op: "follow", status: "200", body: map[string]any{"success": true}, valid: true},
		{name: "search_users bio of 200 chars (not truncated)", op: "search_users", status: "200", example: "successful", muts: []mutation{{path: "users.0.bio", value: strings.Repeat("c", 200)}}, valid: true},
		{name: "me without auth_token (live April 2021)", op: "me", status: "200", example: "examples", muts: []mutation{{path: "auth_token", remove: true}}, valid: true},
		{name: "get_profile without inviter", op: "get_profile", status: "200", example: "user_profile", muts: []mutation{{path: "user_profile.invited_by_user_profile", value: nil}}, valid: true},
		{name: "time_created without fraction", op: "get_profile", status: "200", example: "user_profile", muts: []mutation{{path: "user_profile.time_created", value: "2021-04-04T09:30:00+00:00"}}, valid: true},
		{name: "get_channels room without club", op: "get_channels", status: "200", example: "channels", muts: []mutation{{path: "channels.0.club", value: nil}, {path: "channels.0.club_id", value: nil}, {path: "channels.0.club_name", value: nil}}, valid: true},
		{name: "get_channels user without is_followed_by_speaker (live April 2021)", op: "get_channels", status: "200", example: "channels", muts: []mutation{{path: "channels.0.users.0.is_followed_by_speaker", remove: true}, {path: "channels.0.users.0.is_invited_as_speaker", remove: true}}, valid: true},
		{name: "start_phone_number_auth with send_rc_token", op: "start_phone_number_auth", status: "200", example: "success", muts: []mutation{{path: "send_rc_token", value: true}}, valid: true},
		{name: "complete_phone_number_auth wrong code", op: "complete_phone_number_auth", status: "200", body: map[string]any{"success": true, "is_verified": false, "number_of_attempts_remaining": 3.0}, valid: true},
		{name: "follow 401 without credentials", op: "follow", status: "401", body: map[string]any{"detail": "Authentication credentials were not provided."}, valid: true},
		{name: "bearer token refused on get_profile", op: "get_profile", status: "401", body: map[string]any{"detail": "Given token not valid for any token type", "code": "token_not_valid", "messages": []any{map[string]any{"token_class": "AccessToken", "token_type": "access", "message": "Token is invalid or expired"}}}, valid: true},
		{name: "get_profile request by username", op: "get_profile", status: "request", body: map[string]any{"username": "junhoyeo"}, valid: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, schema := example(t, doc, tc.op, tc.status, tc.example)
			if tc.body != nil {
				body = normalize(t, tc.body)
			}
			for _, mu := range tc.muts {
				set(body, mu.path, normalize(t, mu.value), mu.remove)
			}
			opts := []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.EnableFormatValidation()}
			if tc.status == "request" {
				opts = append(opts, openapi3.VisitAsRequest())
			} else {
				opts = append(opts, openapi3.VisitAsResponse())
			}
			err := schema.VisitJSON(body, opts...)
			switch {
			case tc.valid && err != nil:
				t.Errorf("must validate, got: %v", err)
			case !tc.valid && err == nil:
				t.Errorf("must fail validation, but it passed: %v", body)
			case err != nil:
				t.Logf("rejected as expected: %s", strings.SplitN(err.Error(), "\n", 2)[0])
			}
		})
	}
}

func TestTagsSecurityAndHeaders(t *testing.T) {
	doc := loadContract(t)
	groupOf := map[string]string{}
	for g, ids := range groups {
		for _, id := range ids {
			groupOf[id] = g
		}
		tag := doc.Tags.Get(g)
		if tag == nil || tag.Description == "" {
			t.Errorf("tag %q is not declared with a description", g)
		}
	}
	if len(doc.Tags) != len(groups) {
		t.Errorf("top-level tags: got %d, want %d", len(doc.Tags), len(groups))
	}
	token, bearer := doc.Components.SecuritySchemes["TokenAuth"], doc.Components.SecuritySchemes["BearerAuth"]
	if token == nil || token.Value.Type != "apiKey" || token.Value.In != "header" || token.Value.Name != "Authorization" {
		t.Errorf("TokenAuth must be an apiKey in the Authorization header")
	}
	if bearer == nil || bearer.Value.Type != "http" || bearer.Value.Scheme != "bearer" || bearer.Value.BearerFormat != "JWT" {
		t.Errorf("BearerAuth must be HTTP bearer with a JWT format")
	}
	for _, o := range operations(doc) {
		t.Run(o.id, func(t *testing.T) {
			if len(o.op.Tags) != 1 || o.op.Tags[0] != groupOf[o.id] {
				t.Errorf("tags %v, want [%s]", o.op.Tags, groupOf[o.id])
			}
			if o.op.Description == "" {
				t.Errorf("no description")
			}
			if o.op.Security == nil {
				t.Fatalf("no operation-level security")
			}
			sec := *o.op.Security
			if unauthenticated[o.id] {
				if len(sec) != 0 {
					t.Errorf("security %v, want [] (auth flow)", sec)
				}
			} else {
				var schemes []string
				empty := 0
				for _, req := range sec {
					if len(req) == 0 {
						empty++
						continue
					}
					if len(req) != 1 {
						t.Errorf("security requirement %v must name exactly one scheme", req)
					}
					for name := range req {
						schemes = append(schemes, name)
					}
				}
				sort.Strings(schemes)
				if !reflect.DeepEqual(schemes, []string{"BearerAuth", "TokenAuth"}) {
					t.Errorf("security schemes %v, want TokenAuth or BearerAuth", schemes)
				}
				if want := map[bool]int{true: 1, false: 0}[optionalAuth[o.id]]; empty != want {
					t.Errorf("%d empty security requirements, want %d (optional auth: %v)", empty, want, optionalAuth[o.id])
				}
			}
			refs := map[string]bool{}
			for _, p := range o.op.Parameters {
				if p.Ref != "" {
					refs[strings.TrimPrefix(p.Ref, "#/components/parameters/")] = true
				}
				if p.Value != nil && strings.EqualFold(p.Value.Name, "Authorization") {
					t.Errorf("Authorization must not be a parameter")
				}
			}
			for _, h := range headerParams {
				if !refs[h] {
					t.Errorf("header parameter %s is not referenced", h)
				}
			}
		})
	}
}

func TestXState(t *testing.T) {
	doc := loadContract(t)
	seen := map[string]bool{}
	for _, o := range operations(doc) {
		for code, ref := range o.op.Responses.Map() {
			for _, mt := range ref.Value.Content {
				for name, ex := range mt.Examples {
					key := fmt.Sprintf("%s %s %s", o.id, code, name)
					raw, has := ex.Value.Extensions["x-state"]
					state, _ := raw.(string)
					want, expected := states[key]
					switch {
					case has && !stateNames[state]:
						t.Errorf("%s: x-state %v is not a known state", key, raw)
					case has && !expected:
						t.Errorf("%s: x-state %q on an example no special state produces", key, state)
					case !has && expected:
						t.Errorf("%s: x-state missing, want %q", key, want)
					case has && state != want:
						t.Errorf("%s: x-state %q, want %q", key, state, want)
					}
					if has {
						seen[key] = true
					}
				}
			}
		}
		if o.op.RequestBody != nil {
			for name, ex := range o.op.RequestBody.Value.Content.Get("application/json").Examples {
				if _, has := ex.Value.Extensions["x-state"]; has {
					t.Errorf("%s request example %s: x-state belongs on response examples", o.id, name)
				}
			}
		}
	}
	for key := range states {
		if !seen[key] {
			t.Errorf("%s: example with x-state not found", key)
		}
	}
}

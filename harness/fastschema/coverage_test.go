package fastschema_test

import (
	"slices"
	"testing"

	"github.com/chconform/chconform/harness/fastschema"
)

const coverageSchemas = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Room:
      type: object
      required: [channels]
      properties:
        channels:
          type: array
          items:
            type: object
            required: [topic, users]
            properties:
              topic: {type: string, nullable: true}
              kind: {type: string, enum: [public, social]}
              users:
                type: array
                items:
                  type: object
                  required: [user_id]
                  properties:
                    user_id: {type: integer}
                    is_speaker: {type: boolean}
              club:
                anyOf:
                  - $ref: '#/components/schemas/Club'
                  - $ref: '#/components/schemas/JsonNull'
    Club:
      type: object
      required: [club_id]
      properties:
        club_id: {type: integer}
    JsonNull:
      type: object
      nullable: true
      enum: [null]
    Refusal:
      anyOf:
        - type: object
          required: [success]
          properties:
            success: {type: boolean, enum: [false]}
        - type: object
          required: [detail]
          properties:
            detail: {type: string}
    Tree:
      type: object
      properties:
        name: {type: string}
        children:
          type: array
          items:
            $ref: '#/components/schemas/Tree'
`

// observed returns the locations of schema name that body shows, and the
// catalogue's ids.
func observed(t *testing.T, name, body string) (seen map[string]bool, ids []string) {
	t.Helper()
	s := loadSchemas(t, []byte(coverageSchemas))[name]
	if !kinValid(s, []byte(body)) {
		t.Fatalf("the test body does not validate against %s: %s", name, body)
	}
	c := fastschema.CoverageFor(s)
	set := c.NewSeen()
	c.Observe([]byte(body), set, nil)
	sameCoverage(t, name, s, []byte(body))
	seen = map[string]bool{}
	for i, id := range c.IDs() {
		if set.Has(i) {
			seen[id] = true
		}
	}
	if set.Count() != len(seen) {
		t.Fatalf("Count says %d, Has finds %d", set.Count(), len(seen))
	}
	return seen, c.IDs()
}

func TestCoverageCataloguesEveryCase(t *testing.T) {
	_, ids := observed(t, "Room", `{"channels":[]}`)
	for _, want := range []string{
		"(body)", "/channels:present", "/channels:nonempty",
		"/channels/[]/topic:present", "/channels/[]/topic:null", "/channels/[]/topic:value",
		"/channels/[]/kind:present", "/channels/[]/kind:absent", "/channels/[]/kind:enum=public", "/channels/[]/kind:enum=social",
		"/channels/[]/users:nonempty", "/channels/[]/users/[]/is_speaker:absent",
		"/channels/[]/club:null", "/channels/[]/club:value", "/channels/[]/club/club_id:present",
	} {
		if !slices.Contains(ids, want) {
			t.Errorf("the catalogue lacks %s: %v", want, ids)
		}
	}
	// A required property cannot be absent in a valid body: no location.
	for _, never := range []string{"/channels:absent", "/channels/[]/topic:absent", "/channels/[]/users/[]/user_id:absent"} {
		if slices.Contains(ids, never) {
			t.Errorf("the catalogue lists %s, which no valid body can show", never)
		}
	}
}

func TestCoverageEmptyListShowsNothingInside(t *testing.T) {
	seen, ids := observed(t, "Room", `{"channels":[]}`)
	if !seen["(body)"] || !seen["/channels:present"] {
		t.Errorf("the body and its list were shown: %v", seen)
	}
	for _, id := range ids {
		if id == "/channels:nonempty" || len(id) > len("/channels/") && id[:len("/channels/")] == "/channels/" {
			if seen[id] {
				t.Errorf("an empty list showed %s", id)
			}
		}
	}

	seen, _ = observed(t, "Room", `{"channels":[{"topic":"x","users":[]}]}`)
	for _, want := range []string{"/channels:nonempty", "/channels/[]/topic:value", "/channels/[]/kind:absent", "/channels/[]/club:absent"} {
		if !seen[want] {
			t.Errorf("a room in the list should show %s", want)
		}
	}
	if seen["/channels/[]/users:nonempty"] || seen["/channels/[]/users/[]/user_id:present"] {
		t.Errorf("an empty users list showed what is inside it: %v", seen)
	}
}

func TestCoverageNullableBothWays(t *testing.T) {
	seen, _ := observed(t, "Room", `{"channels":[{"topic":"x","users":[]},{"topic":"y","users":[]}]}`)
	if !seen["/channels/[]/topic:value"] || seen["/channels/[]/topic:null"] {
		t.Errorf("a topic seen only as a string: value observed, null not; got %v", seen)
	}
	seen, _ = observed(t, "Room", `{"channels":[{"topic":null,"users":[]},{"topic":"y","users":[]}]}`)
	if !seen["/channels/[]/topic:value"] || !seen["/channels/[]/topic:null"] {
		t.Errorf("a topic seen null and not: both observed; got %v", seen)
	}
	// The anyOf [X, JsonNull] spelling of a nullable reference is the same
	// two cases, and X's properties are the field's own.
	seen, _ = observed(t, "Room", `{"channels":[{"topic":null,"users":[],"club":null}]}`)
	if !seen["/channels/[]/club:null"] || seen["/channels/[]/club:value"] || seen["/channels/[]/club/club_id:present"] {
		t.Errorf("a null club: only :null; got %v", seen)
	}
	seen, _ = observed(t, "Room", `{"channels":[{"topic":null,"users":[],"club":{"club_id":1}}]}`)
	if seen["/channels/[]/club:null"] || !seen["/channels/[]/club:value"] || !seen["/channels/[]/club/club_id:present"] {
		t.Errorf("a club: :value and its fields; got %v", seen)
	}
}

func TestCoverageEnumAndPresence(t *testing.T) {
	seen, _ := observed(t, "Room", `{"channels":[{"topic":null,"users":[{"user_id":1,"is_speaker":true}],"kind":"social"}]}`)
	if !seen["/channels/[]/kind:enum=social"] || seen["/channels/[]/kind:enum=public"] {
		t.Errorf("only the enum value shown is observed: %v", seen)
	}
	if !seen["/channels/[]/kind:present"] || seen["/channels/[]/kind:absent"] {
		t.Errorf("kind present, not absent: %v", seen)
	}
	if !seen["/channels/[]/users/[]/is_speaker:present"] || seen["/channels/[]/users/[]/is_speaker:absent"] {
		t.Errorf("is_speaker present, not absent: %v", seen)
	}
}

func TestCoverageBranches(t *testing.T) {
	seen, ids := observed(t, "Refusal", `{"detail":"no"}`)
	if !slices.Contains(ids, "(body):anyOf[0]") || !slices.Contains(ids, "(body):anyOf[1]/detail:present") {
		t.Fatalf("both branches are listed: %v", ids)
	}
	if seen["(body):anyOf[0]"] || !seen["(body):anyOf[1]"] || !seen["(body):anyOf[1]/detail:present"] {
		t.Errorf("the DRF branch was taken, not the app one: %v", seen)
	}
	seen, _ = observed(t, "Refusal", `{"success":false}`)
	if !seen["(body):anyOf[0]"] || !seen["(body):anyOf[0]/success:enum=false"] || seen["(body):anyOf[1]"] {
		t.Errorf("the app branch was taken: %v", seen)
	}
}

func TestCoverageOfARecursiveSchemaIsBounded(t *testing.T) {
	seen, ids := observed(t, "Tree", `{"name":"a","children":[{"name":"b","children":[{"name":"c"}]}]}`)
	if len(ids) > 20 {
		t.Errorf("a recursive schema expands once: %d locations %v", len(ids), ids)
	}
	if !seen["/children:nonempty"] {
		t.Errorf("the walk goes on through the recursion: %v", seen)
	}
}

// The contract's own catalogue is finite and every id is unique: the
// summary counts them by name.
func TestCoverageOfTheContract(t *testing.T) {
	for key, s := range contractSchemas(t) {
		ids := fastschema.CoverageFor(s).IDs()
		if len(ids) == 0 || ids[0] != "(body)" {
			t.Errorf("%s: the catalogue starts with (body): %v", key, ids)
		}
		sorted := slices.Clone(ids)
		slices.Sort(sorted)
		if d := slices.Compact(sorted); len(d) != len(ids) {
			t.Errorf("%s: %d ids, %d distinct", key, len(ids), len(d))
		}
	}
}

// TestTheWalkMarksCoverage: the schema check's walk marks the coverage
// locations as Observe does (sameCoverage, on every body of these tests and
// of the hand-written schemas), and says when it cannot: a value whose
// anyOf branches are locations is left to Observe.
func TestTheWalkMarksCoverage(t *testing.T) {
	schemas := loadSchemas(t, []byte(coverageSchemas))
	for _, c := range []struct {
		schema, body string
		sure         bool
	}{
		{"Room", `{"channels":[]}`, true},
		{"Room", `{"channels":[{"topic":null,"users":[],"kind":"social","club":null}]}`, true},
		{"Room", `{"channels":[{"topic":"t","users":[{"user_id":1,"is_speaker":true}],"club":{"club_id":2}},{"topic":"u","users":[{"user_id":3}]}]}`, true},
		{"Tree", `{"name":"a","children":[{"name":"b","children":[{"name":"c","children":[]}]}]}`, true},
		{"Refusal", `{"detail":"no"}`, false},
		{"Refusal", `{"success":false}`, false},
	} {
		if got := sameCoverage(t, c.schema, schemas[c.schema], []byte(c.body)); got != c.sure {
			t.Errorf("%s %s: the walk sure of its coverage: %v, want %v", c.schema, c.body, got, c.sure)
		}
	}
	sure := 0
	examples := contractExamples(t)
	for key, s := range contractSchemas(t) {
		for _, body := range examples {
			if sameCoverage(t, key, s, body) {
				sure++
			}
		}
	}
	if sure == 0 {
		t.Error("the walk is never sure of the contract's coverage")
	}
	t.Logf("the walk marked the coverage of %d of the contract's valid example bodies", sure)
}

package harness

import (
	"testing"

	chconform "github.com/chconform/chconform"
)

// TestEveryOperationIsClassified makes adding an operation to the contract a
// decision about live targets: it must be listed as mutating or read-only
// (until then it is treated as mutating), and no list may name an operation
// the contract does not have.
func TestEveryOperationIsClassified(t *testing.T) {
	spec, err := LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, op := range spec.Operations() {
		known[op.ID] = true
		switch {
		case mutatingOps[op.ID] && readOnlyOps[op.ID]:
			t.Errorf("%s is listed both as mutating and as read-only", op.ID)
		case !mutatingOps[op.ID] && !readOnlyOps[op.ID]:
			t.Errorf("%s is classified neither as mutating nor as read-only (harness/states.go)", op.ID)
		}
	}
	for _, list := range []map[string]bool{mutatingOps, readOnlyOps} {
		for id := range list {
			if !known[id] {
				t.Errorf("harness/states.go classifies %s, which the contract does not have", id)
			}
		}
	}
	unknown := &Operation{ID: "some_new_operation"}
	if !unknown.Mutating() {
		t.Error("an unclassified operation must count as mutating")
	}
}

// An operation is Secured only when every security alternative names a
// scheme: an empty requirement makes the token optional, and such an
// operation must get no 401 probe (a server that answers it without a token
// is right).
func TestSecuredFollowsTheSecurityAlternatives(t *testing.T) {
	spec, err := LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{
		"me": true, "get_release_notes": true, "follow": true,
		"check_for_update":        false,                         // {} among TokenAuth and BearerAuth
		"start_phone_number_auth": false, "refresh_token": false, // security: []
	} {
		if got := spec.MustOperation(id).Secured; got != want {
			t.Errorf("%s: Secured %v, want %v", id, got, want)
		}
		// Only an empty requirement beside a scheme makes a token optional:
		// no security at all accepts none.
		if got := spec.MustOperation(id).TokenOptional; got != (id == "check_for_update") {
			t.Errorf("%s: TokenOptional %v", id, got)
		}
	}
}

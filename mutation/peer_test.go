package mutation

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	chconform "github.com/chconform/chconform"
)

func TestDerivedContractRepeatsOnePathPerKey(t *testing.T) {
	spec := loadSpec(t)
	data, err := DerivedContract(chconform.Contract, spec, "get_topic", []string{BaseKey, "7"})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]any `json:"paths"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Paths) != 2 || doc.Paths["/m/base/get_topic"] == nil || doc.Paths["/m/7/get_topic"] == nil {
		t.Errorf("paths %v", doc.Paths)
	}
}

func TestPeerRequestsApplyTheStateRecipes(t *testing.T) {
	spec := loadSpec(t)
	reqs, err := PeerRequests(spec, map[string]bool{"follow": true, "get_topic": true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]PeerRequest{}
	for _, r := range reqs {
		got[r.Op+" "+itoa(r.Status)] = r
	}
	if r := got["get_topic 200"]; !strings.HasPrefix(r.Header["Authorization"], "Token ") || r.Body == "" {
		t.Errorf("get_topic 200: %+v", r)
	}
	if r, ok := got["get_topic 401"]; !ok || r.Header["Authorization"] != "" {
		t.Errorf("get_topic 401 must go without credentials: %+v", r)
	}
	// follow's only documented answer is the waitlisted refusal: the
	// waitlisted account's token.
	if r := got["follow 401"]; !strings.HasSuffix(r.Header["Authorization"], "2001") {
		t.Errorf("follow 401 must authenticate as the waitlisted account: %+v", r)
	}
}

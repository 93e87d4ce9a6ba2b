package suite_test

import (
	"strings"
	"testing"
	"time"

	chconform "github.com/chconform/chconform"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
	"github.com/chconform/chconform/mutation"
)

// The malformed-Bearer probe passes on SimpleJWT's 401 as the emulator
// sends it, and fails when that body breaks the contract: a `code` that is
// not a string, `messages` that is null. No Token probe sees this body.
func TestTheMalformedBearerProbeJudgesSimpleJWTsBody(t *testing.T) {
	t.Parallel()
	spec, err := harness.LoadSpec("api.yaml", chconform.Contract)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		mutant *mutation.Mutant
		want   report.Outcome
	}{
		{nil, report.OutcomePassed},
		{&mutation.Mutant{ID: "me/401/type-changed/code", Op: "me", Status: 401, Kind: mutation.KindType, Path: "code", Value: 12345}, report.OutcomeFailed},
		{&mutation.Mutant{ID: "me/401/null-for-non-nullable/messages", Op: "me", Status: 401, Kind: mutation.KindNull, Path: "messages"}, report.OutcomeFailed},
		{&mutation.Mutant{ID: "me/401/type-changed/messages[].message", Op: "me", Status: 401, Kind: mutation.KindType, Path: "messages[].message", Value: 12345}, report.OutcomeFailed},
	}
	for _, c := range cases {
		name := "unmutated"
		if c.mutant != nil {
			name = c.mutant.ID
		}
		t.Run(name, func(t *testing.T) {
			tg := mutation.NewTarget(spec, c.mutant, time.Second)
			defer tg.Close()
			r := runSuite(t, "users", map[string]string{"CH_BASE_URL": tg.URL, "CH_PROFILE": "emulator"}, t.TempDir(),
				"-ginkgo.label-filter=op:me", "-ginkgo.focus=malformed Bearer token")
			var probes []report.SpecSummary
			for _, s := range r.summary.Specs {
				if strings.Contains(s.Name, "malformed Bearer token") {
					probes = append(probes, s)
				}
			}
			if len(probes) != 1 {
				t.Fatalf("want the one malformed-Bearer probe of me, got %d specs (exit %d)\n%s", len(probes), r.exit, r.stdout)
			}
			if p := probes[0]; p.Outcome != c.want {
				t.Errorf("%s: %s (%s), want %s", p.Name, p.Outcome, p.Reason, c.want)
			}
			if c.mutant != nil && tg.Proxy.Fired() == 0 {
				t.Error("the fault never fired: the probe got no SimpleJWT body")
			}
		})
	}
}

package suite_test

import (
	"path/filepath"
	"testing"

	"github.com/chconform/chconform/audit"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// TestAuditOfARecordedRunGivesTheRunsVerdicts records a run of the users
// suite against an emulator behind a faulty proxy (get_profile's user_id of
// the wrong type), audits the HAR the run wrote, and compares the two
// verdicts operation by operation, check by check: the audit judges the
// captured exchanges by the same rules as the run that sent them, so both
// find the fault, and both pass what the run passed.
func TestAuditOfARecordedRunGivesTheRunsVerdicts(t *testing.T) {
	t.Parallel()
	spec := contract(t)
	target := faultyTarget(t, spec, mustMutant(t, spec, "get_profile/200/type-changed/user_profile.user_id"))
	dir := t.TempDir()
	run := runSuite(t, "users", map[string]string{"CH_BASE_URL": target.URL, "CH_PROFILE": "emulator", "CH_RECORD": dir}, t.TempDir())
	if run.exit != 1 {
		t.Fatalf("the run against the faulty target exited %d, want 1\n%s", run.exit, run.stderr)
	}

	hars, _ := filepath.Glob(filepath.Join(dir, "*.har"))
	if len(hars) == 0 {
		t.Fatal("record mode wrote no HAR")
	}
	a := audit.New(audit.Options{Spec: spec})
	for _, f := range hars {
		if err := a.File(f); err != nil {
			t.Fatal(err)
		}
	}
	audited, _ := a.Result()
	if audited.Audit.Judged == 0 {
		t.Fatal("the audit judged nothing")
	}

	verdicts := func(s report.Summary) map[[2]string]harness.CheckStatus {
		out := map[[2]string]harness.CheckStatus{}
		for _, op := range s.Operations {
			for _, c := range op.Checks {
				if c.Status != harness.CheckSkipped {
					out[[2]string{op.OperationID, c.Name}] = c.Status
				}
			}
		}
		return out
	}
	ran, judged := verdicts(run.summary), verdicts(audited)
	compared := 0
	for key, want := range ran {
		got, ok := judged[key]
		if !ok {
			continue // a check of several exchanges (pagination, state) an audit cannot make
		}
		compared++
		if got != want {
			t.Errorf("%s %s: %s in the run, %s in the audit of its recording", key[0], key[1], want, got)
		}
	}
	if got := judged[[2]string{"get_profile", harness.CheckResponseSchema}]; got != harness.CheckFailed {
		t.Errorf("the audit did not find the fault: get_profile response_schema_conformance %s", got)
	}
	t.Logf("%d operation checks compared over %d audited exchanges", compared, audited.Audit.Judged)
	if compared < 20 {
		t.Errorf("only %d operation checks compared", compared)
	}
}

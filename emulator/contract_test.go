package emulator_test

import (
	"testing"

	"github.com/chconform/chconform/harness"
)

// Every documented response example, sent as the suites send it (the
// documented request, the profile's recipe for the example's state, a fresh
// account for writes), answers with the documented status, conforms to the
// contract in strict mode, and for a state or an error carries exactly the
// documented body.
func TestEveryDocumentedExample(t *testing.T) {
	e := newEnv(t)
	n := 0
	for _, op := range e.spec.Operations() {
		for _, resp := range op.Responses() {
			for _, ex := range resp.Examples {
				op, status, ex := op, resp.Status, ex
				n++
				t.Run(op.ID+"/"+ex.Name, func(t *testing.T) {
					e := *e
					e.t = t
					call, err := op.DocumentedCall(e.prof, ex.State)
					if err != nil {
						t.Fatalf("profile cannot reach state %q: %v", ex.State, err)
					}
					if op.Mutating() && op.Secured && call.Account == "" {
						call.As = e.signup("+1555000", harness.Unique("user_{unique}"))
					}
					got := e.do(call)
					e.conform(got)
					if ex.State != "" || status >= 400 {
						e.conform(got, harness.DocumentedErrorCase(status, ex))
					} else {
						e.status(got, status)
					}
				})
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d documented examples: the contract lost some", n)
	}
}

// The emulator serves exactly the contract's operations.
func TestServesEveryOperation(t *testing.T) {
	e := newEnv(t)
	served := map[string]bool{}
	for _, id := range e.srv.OperationIDs() {
		served[id] = true
	}
	for _, op := range e.spec.Operations() {
		if !served[op.ID] {
			t.Errorf("operation %s is not served", op.ID)
		}
		delete(served, op.ID)
	}
	for id := range served {
		t.Errorf("operation %s is served but not in the contract", id)
	}
	if len(e.spec.Operations()) != 41 {
		t.Errorf("the contract has %d operations, want 41", len(e.spec.Operations()))
	}
}

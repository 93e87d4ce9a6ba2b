package suite

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/chconform/chconform/harness"
)

// documentedCase is one documented response example of one operation: the
// unit of the contract table.
type documentedCase struct {
	Op      *harness.Operation
	Status  int
	Example harness.Example
}

// ContractSpecs declares every spec the contract implies for group: the
// documented responses, then the probes that apply to every operation. A
// suite calls it once and adds only what the contract cannot say.
func ContractSpecs(group string) {
	ContractTable(group)
	AuthProbes(group)
	NegativeProbes(group)
	MethodProbes(group)
	PaginationWalks(group)
}

// ContractTable declares one spec per documented response example of every
// operation of group: it sends the documented request in the state the
// example names (x-state in api.yaml) and holds the answer to the contract. A
// new example in the contract gets a spec without new code.
func ContractTable(group string) {
	e := MustLoad()
	spec := e.Spec
	var entries []ginkgo.TableEntry
	for _, op := range spec.Group(group) {
		for _, resp := range op.Responses() {
			for _, ex := range resp.Examples {
				c := documentedCase{Op: op, Status: resp.Status, Example: ex}
				labels := append(LabelsFor(op), Covers(op, resp.Status)...)
				if ex.State != "" {
					labels = append(labels, "state:"+ex.State)
				}
				labels = append(labels, tokenLabel(documentedNeedsToken(e, op, ex.State))...)
				entries = append(entries, ginkgo.Entry(SpecName(op, resp.Status, ex), labels, c))
			}
		}
	}
	if len(entries) == 0 {
		// A group with no operation is a typo in the suite or a contract that
		// lost a tag: both must be loud.
		panic(fmt.Sprintf("the contract has no operation tagged %q", group))
	}
	ginkgo.DescribeTable("the contract's documented responses", checkDocumentedCase, entries)
}

func checkDocumentedCase(ctx ginkgo.SpecContext, c documentedCase) {
	ex := sendDocumented(ctx, c.Op, c.Example.State, func(err error) { fixtureSetBroken(c, err) })
	gomega.Expect(ex).To(ConformToSpec())
	if c.Example.State != "" || c.Status >= 400 {
		gomega.Expect(ex).To(harness.BeDocumentedErrorCase(c.Status, c.Example))
	} else {
		gomega.Expect(ex).To(harness.HaveStatus(c.Status))
	}
	expectPaginated(ctx, ex)
}

// fixtureSetBroken fails a documented-response spec on the fixture target
// when a fixture records its example (the fixture's `example` and status, in
// the operation's folder) but no fixture answers the request the suite sends:
// the fixture set drifted from the suite (issue 12: get_profile's recorded
// user_id as a string), a failure of the fixture set, never "unsupported",
// which would quietly drop the response from coverage. A fixture folder that
// does not record the example at all (a recording of another target made
// with CH_RECORD, whose requests carry fresh phone numbers) leaves the spec
// unsupported as before; the profile's coverage floor then says whether that
// gap is allowed.
func fixtureSetBroken(c documentedCase, err error) {
	ginkgo.GinkgoHelper()
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err // the fixture error already names method and path
	}
	var files []string
	for _, f := range MustLoad().Fixtures {
		if f.Example == c.Example.Name && f.Response.Status == c.Status && strings.HasPrefix(f.File(), c.Op.ID+"/") {
			files = append(files, f.File())
		}
	}
	if len(files) == 0 {
		return
	}
	Fail(fmt.Sprintf("%s fixture %s (example %s of %s %d) no longer matches the request the suite sends (%v): re-record it or fix its request",
		FixtureSetPrefix, strings.Join(files, ", "), c.Example.Name, c.Op.ID, c.Status, err))
}

// FixtureSetPrefix starts the failure of a documented-response spec whose
// fixture no longer answers it.
const FixtureSetPrefix = "fixture set broken:"

// mustSpec loads the contract while the tree is built; a run that cannot load
// it has already stopped in Run with exit 2.
func mustSpec() *harness.Spec { return MustLoad().Spec }

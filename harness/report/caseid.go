package report

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"regexp"
	"strings"
)

// CaseIDPrefix starts every case id.
const CaseIDPrefix = "CH-"

// CaseSpecCheck is the check name a case id uses for a failure no named
// check explains: an assertion of the spec itself, a harness error, a
// panic. It is not a real check name, so it cannot collide with one.
const CaseSpecCheck = "(spec)"

// CaseID is the stable id of one failure (issue 12 §2): the same spec and
// the same check give the same id in every run, on every machine, in every
// report (summary.json, report.html, report.md, junit.xml), so a failure can
// be tracked, searched for and linked across runs ("CH-3fa9c2d1 is back").
//
// Its inputs, and why only these:
//
//   - the spec's full text (Ginkgo's FullText: containers and leaf), which
//     names the promise being checked ("POST /me returns 200 with a body
//     that conforms to the contract (me)"). It is built from the contract and
//     the suite, so it is the same from run to run; caseText takes out what
//     can still differ (see there).
//   - the check's name (response_schema_conformance...), or CaseSpecCheck:
//     one spec can break several promises at once, and each is a case.
//
// Left out on purpose: the location (file:line moves with every edit above
// the spec), the outcome (a case that goes from failed to error is the same
// case), the reason and the check's message (they quote what the target
// sent, timings and ids), the operation (the spec text already names it),
// the attempt, the parallel process and the run's order.
//
// The id is the first 32 bits of a SHA-256 of a versioned key, in hex: short
// enough to say and type, and with the few thousand (spec, check) pairs a run
// can have, a collision between two of them is a fraction of a percent.
// "v1" lets a later derivation change without reusing old ids.
func CaseID(specName, check string) string {
	if check == "" {
		check = CaseSpecCheck
	}
	sum := sha256.Sum256([]byte("chconform-case-v1\x00" + caseText(specName) + "\x00" + check))
	return CaseIDPrefix + hex.EncodeToString(sum[:4])
}

var (
	// loopbackPort: a test server's port ("127.0.0.1:41273") is new in
	// every run.
	loopbackPort = regexp.MustCompile(`\b(127\.0\.0\.1|localhost|\[::1\]):[0-9]+`)
	// suiteLevel names a suite-level problem by its suite, which may be
	// the suite's absolute path (summary.go suiteName).
	suiteLevel = regexp.MustCompile(`^(\[[A-Za-z]+\]) (.*)$`)
)

// caseText is a spec's full text without what depends on the run: runs of
// whitespace are one space, a loopback port is "PORT", and a suite-level
// entry ("[suite] /home/ci/x/suites/users") keeps only the suite's last path
// element, since the checkout's folder differs between machines.
func caseText(name string) string {
	name = strings.Join(strings.Fields(name), " ")
	name = loopbackPort.ReplaceAllString(name, "${1}:PORT")
	if m := suiteLevel.FindStringSubmatch(name); m != nil && filepath.IsAbs(m[2]) {
		name = m[1] + " " + filepath.Base(m[2])
	}
	return name
}

// SpecCaseIDs gives a failed, errored or flaky spec its case ids, in the
// order its failed checks come in the matrix: one per failed check, or one
// for the spec itself when no check failed. It marks each failed check of
// sp.Checks with its id too.
func SpecCaseIDs(sp *SpecSummary) {
	var ids []string
	for _, name := range (FailedSpec{Spec: *sp}).FailedChecks() {
		ids = append(ids, CaseID(sp.Name, name))
	}
	if len(ids) == 0 {
		ids = []string{CaseID(sp.Name, CaseSpecCheck)}
	}
	for i := range sp.Checks {
		if sp.Checks[i].Status == "failed" {
			sp.Checks[i].CaseID = CaseID(sp.Name, sp.Checks[i].Name)
		}
	}
	sp.CaseIDs = ids
}

package harness

import (
	"slices"
	"strconv"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chconform/chconform/harness/fastschema"
)

// Response coverage (issue 18 §2): which places of each documented
// response's schema the run saw in a body that validated against it.
// fastschema.Coverage lists the places; the schema check marks the bodies it
// passed (Exchange.validated); a CoverageLog collects what they showed.

// DocumentedBodySchema is the JSON schema the contract documents for op's
// answer with status: the one response coverage is counted against. Nil
// when that answer documents no JSON body.
func DocumentedBodySchema(op *Operation, status int) *openapi3.Schema {
	resp := documentedResponse(op, status)
	if resp == nil {
		return nil
	}
	mt := resp.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// ResponseLocations lists the coverage locations of op's answer with
// status, nil when it documents no JSON body.
func ResponseLocations(op *Operation, status int) []string {
	s := DocumentedBodySchema(op, status)
	if s == nil {
		return nil
	}
	return fastschema.CoverageFor(s).IDs()
}

// CoverageLog collects, per documented response, the locations the
// validated bodies showed. It is safe for concurrent use.
type CoverageLog struct {
	mu   sync.Mutex
	seen map[string]fastschema.Seen
}

// Observe returns the locations ex's body shows that the log had not seen
// for its documented response: none unless response_schema_conformance
// validated the body against that response's schema and passed it.
func (l *CoverageLog) Observe(ex *Exchange) []string { return l.Add(l.Look(ex)) }

// Observation is what one body showed, not yet added to a CoverageLog.
type Observation struct {
	cov  *fastschema.Coverage
	key  string
	seen fastschema.Seen
}

// Look walks ex's body for Observe without adding what it shows to the log,
// so bodies can be walked on several goroutines and added (Add) in the
// order their exchanges came. What the log had seen when Look ran is
// skipped; Add returns what Observe would have returned at its turn, as
// the log only grows.
func (l *CoverageLog) Look(ex *Exchange) *Observation {
	if ex == nil || ex.validated == nil || ex.Op == nil || ex.Response == nil {
		return nil
	}
	s := DocumentedBodySchema(ex.Op, ex.Response.Status)
	if s != ex.validated {
		return nil
	}
	cov := fastschema.CoverageFor(s)
	key := ex.Op.ID + ":" + strconv.Itoa(ex.Response.Status)
	l.mu.Lock()
	all := l.seen[key]
	if all == nil {
		if l.seen == nil {
			l.seen = map[string]fastschema.Seen{}
		}
		all = cov.NewSeen()
		l.seen[key] = all
	}
	// What the log has seen already need not be looked for again: the walk
	// skips the values that could show nothing new.
	known := slices.Clone(all)
	l.mu.Unlock()
	if known.Count() == cov.Len() {
		return nil
	}
	// The text the schema check validated: a member a later one of the same
	// name overrides was never judged, so it shows nothing. Its fast walk
	// marked what the text shows, unless it was not sure; all of it, not
	// only what the log lacks, which Add leaves out just the same.
	text := ex.Response.JSONText()
	body, ok := ex.Response.covered(s, text)
	if !ok {
		body = cov.NewSeen()
		cov.Observe(text, body, known)
	}
	return &Observation{cov: cov, key: key, seen: body}
}

// Add adds what o showed to the log and returns the locations new to it.
func (l *CoverageLog) Add(o *Observation) []string {
	if o == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return o.cov.Merge(l.seen[o.key], o.seen)
}

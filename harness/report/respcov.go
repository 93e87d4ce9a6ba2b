package report

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ResponseCoverage is response coverage (issue 18 §2): of the places each
// documented response's schema describes (harness/fastschema/coverage.go:
// each property present and absent, each nullable value null and not, each
// enum value, each array non-empty, each anyOf/oneOf branch), how many the
// run saw in a body that validated against it. A run whose lists were all
// empty shows here that it validated nothing inside them.
type ResponseCoverage struct {
	Observed int `json:"observed"`
	Total    int `json:"total"`
	// Responses lists every documented response with a JSON body, sorted by
	// operation and status.
	Responses []ResponseLocations `json:"responses"`
}

// ResponseLocations is the response coverage of one documented response.
type ResponseLocations struct {
	Operation string `json:"operation"`
	Status    string `json:"status"`
	Observed  int    `json:"observed"`
	Total     int    `json:"total"`
	// Unobserved names the locations no validated body showed, in the
	// schema's order.
	Unobserved []string `json:"unobserved"`
}

// Fraction is Observed/Total, 1 for an empty catalogue.
func (c ResponseCoverage) Fraction() float64 {
	if c.Total == 0 {
		return 1
	}
	return float64(c.Observed) / float64(c.Total)
}

// Response finds the coverage of one documented response (a regression
// gate compares them response by response).
func (c *ResponseCoverage) Response(operation, status string) (ResponseLocations, bool) {
	if c == nil {
		return ResponseLocations{}, false
	}
	i, ok := slices.BinarySearchFunc(c.Responses, [2]string{operation, status}, func(r ResponseLocations, k [2]string) int {
		switch {
		case r.Operation != k[0]:
			return strings.Compare(r.Operation, k[0])
		case r.Status == k[1]:
			return 0
		case statusLess(r.Status, k[1]):
			return -1
		}
		return 1
	})
	if !ok {
		return ResponseLocations{}, false
	}
	return c.Responses[i], true
}

// String is the one line the reports print for a response.
func (r ResponseLocations) String() string {
	return fmt.Sprintf("%s %s: %d of %d locations observed", r.Operation, r.Status, r.Observed, r.Total)
}

// noteObserved records the locations one exchange's validated body showed.
func (b *Builder) noteObserved(e ChecksEntry) {
	if len(e.Observed) == 0 || e.Status == 0 {
		return
	}
	key := e.Operation + ":" + strconv.Itoa(e.Status)
	if b.observed == nil {
		b.observed = map[string]map[string]bool{}
	}
	set := b.observed[key]
	if set == nil {
		set = map[string]bool{}
		b.observed[key] = set
	}
	for _, id := range e.Observed {
		set[id] = true
	}
}

// responseCoverage counts the catalogue of every documented response (the
// run entries' OperationInfo.ResponseLocations) against what was observed.
// A location observed that the catalogue does not list (a report of another
// contract) counts for nothing.
func (b *Builder) responseCoverage() *ResponseCoverage {
	rc := &ResponseCoverage{Responses: []ResponseLocations{}}
	listed := false
	for id, op := range b.ops {
		for status, locs := range op.ResponseLocations {
			listed = true
			r := ResponseLocations{Operation: id, Status: status, Total: len(locs), Unobserved: []string{}}
			seen := b.observed[id+":"+status]
			for _, loc := range locs {
				if seen[loc] {
					r.Observed++
				} else {
					r.Unobserved = append(r.Unobserved, loc)
				}
			}
			rc.Observed += r.Observed
			rc.Total += r.Total
			rc.Responses = append(rc.Responses, r)
		}
	}
	if !listed {
		return nil // reports written before response coverage existed
	}
	sort.Slice(rc.Responses, func(i, j int) bool {
		a, c := rc.Responses[i], rc.Responses[j]
		if a.Operation != c.Operation {
			return a.Operation < c.Operation
		}
		return statusLess(a.Status, c.Status)
	})
	return rc
}

func statusLess(a, b string) bool {
	x, errA := strconv.Atoi(a)
	y, errB := strconv.Atoi(b)
	if errA == nil && errB == nil {
		return x < y
	}
	return a < b
}

// responseFloor adds to v.BelowFloor what the response coverage floor
// (CH_MIN_RESPONSE_COVERAGE, the profile's coverage.response) required and
// the run did not observe.
func responseFloor(v *Verification, rc *ResponseCoverage) {
	for _, f := range []struct{ name, min string }{
		{"CH_MIN_RESPONSE_COVERAGE", v.Floor.MinResponse},
		{"profile coverage.response", v.Floor.ProfileResponse},
	} {
		if f.min == "" {
			continue
		}
		want, err := strconv.ParseFloat(f.min, 64)
		if err != nil {
			v.BelowFloor = append(v.BelowFloor, fmt.Sprintf("%s=%s is not a fraction", f.name, f.min))
			continue
		}
		observed, total := 0, 0
		if rc != nil {
			observed, total = rc.Observed, rc.Total
		}
		need := int(want*float64(total) + 0.999999)
		if observed < need || rc == nil && want > 0 {
			v.BelowFloor = append(v.BelowFloor, fmt.Sprintf("%s=%s: observed %d of %d response schema locations (%s), %d required",
				f.name, f.min, observed, total, share(observed, total), need))
		}
	}
}

// share is n of total as a percentage with one decimal: a floor of 0.9
// is not met by 89.96%, which percent would print as 89.
func share(n, total int) string {
	if total == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*float64(n)/float64(total), 'f', 1, 64) + "%"
}

// responseCoverageMarkdown is report.md's response coverage section: the
// run's total, then each response that left something unobserved, worst
// first, within budget bytes.
func responseCoverageMarkdown(rc *ResponseCoverage, budget int) string {
	if rc == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**Response coverage: %d of %d schema locations observed** (%s) in bodies that validated: "+
		"each property present and absent, each nullable null and not, each enum value, each list non-empty, each anyOf branch.\n\n",
		rc.Observed, rc.Total, share(rc.Observed, rc.Total))
	gaps := slices.Clone(rc.Responses)
	gaps = slices.DeleteFunc(gaps, func(r ResponseLocations) bool { return r.Observed == r.Total })
	if len(gaps) == 0 {
		return b.String()
	}
	sort.SliceStable(gaps, func(i, j int) bool {
		return float64(gaps[i].Observed)/float64(gaps[i].Total) < float64(gaps[j].Observed)/float64(gaps[j].Total)
	})
	b.WriteString("| response | locations observed | e.g. not observed |\n|---|---|---|\n")
	for i, r := range gaps {
		if b.Len() > budget {
			fmt.Fprintf(&b, "| … | and %d more (summary.json lists them all) | |\n", len(gaps)-i)
			break
		}
		var examples []string
		for _, e := range r.Unobserved[:min(3, len(r.Unobserved))] {
			examples = append(examples, "`"+mdCode(e)+"`")
		}
		fmt.Fprintf(&b, "| `%s %s` | %d of %d | %s |\n", r.Operation, r.Status, r.Observed, r.Total, strings.Join(examples, ", "))
	}
	b.WriteString("\n")
	return b.String()
}

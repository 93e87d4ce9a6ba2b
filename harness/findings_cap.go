package harness

import "fmt"

// MaxFindingsPerCheck bounds the findings one check keeps for one exchange:
// a 200 KiB page of 100,000 wrong items gave 200,000 findings, 105 MB of
// reports and 660 MB of memory. The first ones show what is wrong; the rest
// are counted in one last finding.
const MaxFindingsPerCheck = 50

// capFindings keeps the first MaxFindingsPerCheck findings of check and
// replaces the rest by one finding that counts them. It copies what it keeps,
// so the (possibly huge) slice of the check can be freed.
func capFindings(check string, findings []Finding) []Finding {
	if len(findings) <= MaxFindingsPerCheck {
		return findings
	}
	kept := make([]Finding, MaxFindingsPerCheck, MaxFindingsPerCheck+1)
	copy(kept, findings[:MaxFindingsPerCheck])
	return append(kept, Finding{Message: fmt.Sprintf("and %d more %s finding(s) not listed (at most %d are kept per check)",
		len(findings)-MaxFindingsPerCheck, check, MaxFindingsPerCheck)})
}

package harness

import (
	"fmt"
	"strings"
	"testing"
)

// A check that finds 100,000 problems keeps MaxFindingsPerCheck of them and
// one finding counting the rest.
func TestVerifyCapsFindingsPerCheck(t *testing.T) {
	many := Check{Name: "flood", Run: func(*Exchange) ([]Finding, string) {
		out := make([]Finding, 100000)
		for i := range out {
			out[i] = Finding{Message: fmt.Sprintf("item %d is wrong", i), Pointer: fmt.Sprintf("/users/%d", i)}
		}
		return out, ""
	}}
	few := Check{Name: "few", Run: func(*Exchange) ([]Finding, string) {
		return make([]Finding, MaxFindingsPerCheck), ""
	}}
	ex := &Exchange{Response: &Response{Status: 200}}
	results := Verify(ex, many, few)
	r := results[0]
	if r.Status != CheckFailed || len(r.Findings) != MaxFindingsPerCheck+1 {
		t.Fatalf("%d findings", len(r.Findings))
	}
	if r.Findings[0].Message != "item 0 is wrong" || r.Findings[MaxFindingsPerCheck-1].Pointer != fmt.Sprintf("/users/%d", MaxFindingsPerCheck-1) {
		t.Errorf("the first findings are kept in order: %+v", r.Findings[:2])
	}
	last := r.Findings[MaxFindingsPerCheck].Message
	if want := fmt.Sprintf("and %d more flood finding(s) not listed", 100000-MaxFindingsPerCheck); !strings.HasPrefix(last, want) {
		t.Errorf("last finding %q, want %q...", last, want)
	}
	if len(results[1].Findings) != MaxFindingsPerCheck {
		t.Errorf("exactly the cap is kept whole: %d", len(results[1].Findings))
	}
}

package mutation

import (
	_ "embed"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// Reasons a mutant cannot be exercised, whatever the suites do.
const (
	// ReasonNoState: the contract allows the field or status, but no state
	// of the target produces it (a body no documented request can get).
	ReasonNoState = "no state produces it"
	// ReasonEquivalentUnreachable: the mutated answer can never differ from
	// the real one (the fault rewrites what is never there).
	ReasonEquivalentUnreachable = "equivalent mutant"
)

// Unreachable is one entry of unreachable.yaml: the mutants its pattern
// names cannot be exercised, for the reason given.
type Unreachable struct {
	// Pattern is a mutant id where each * stands for any run of characters
	// (nothing else is special: ids hold [] and /).
	Pattern string `json:"pattern"`
	Reason  string `json:"reason"`
	Why     string `json:"why"`
}

//go:embed unreachable.yaml
var unreachableYAML []byte

// UnreachableList is the committed list of mutants no state can exercise.
func UnreachableList() ([]Unreachable, error) {
	var list []Unreachable
	if err := yaml.Unmarshal(unreachableYAML, &list); err != nil {
		return nil, fmt.Errorf("mutation/unreachable.yaml: %w", err)
	}
	return list, nil
}

// Matches reports whether the entry names the mutant id.
func (u Unreachable) Matches(id string) bool { return globMatch(u.Pattern, id) }

// globMatch matches s against a pattern whose only wildcard is *.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// unreachableFor is the entry naming the mutant, if any.
func unreachableFor(id string) (Unreachable, bool) {
	list, err := UnreachableList()
	if err != nil {
		return Unreachable{}, false
	}
	for _, u := range list {
		if u.Matches(id) {
			return u, true
		}
	}
	return Unreachable{}, false
}

package fastschema

// CompilePattern exposes the pattern matcher to the external tests.
func CompilePattern(expr string) (interface{ MatchString(string) bool }, error) {
	return compilePattern(expr)
}

// HasDFA tells whether expr runs on the DFA.
func HasDFA(expr string) bool {
	p, err := compilePattern(expr)
	return err == nil && p.dfa != nil
}

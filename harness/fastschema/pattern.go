package fastschema

import (
	"regexp"
	"regexp/syntax"
	"slices"
)

// pattern matches a schema's pattern exactly as regexp.MatchString does. For
// ASCII input it runs a DFA built once from the same program regexp compiles
// (regexp/syntax, Perl flags, simplified): the contract's patterns are
// anchored character classes that the regexp package's one-pass matcher
// runs several times slower. Any other input, or a program the DFA does not
// cover (word boundaries, line anchors, too many states), uses the regexp.
type pattern struct {
	re  *regexp.Regexp
	dfa *dfa
}

func compilePattern(expr string) (*pattern, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	return &pattern{re: re, dfa: buildDFA(expr)}, nil
}

func (p *pattern) MatchString(s string) bool {
	if p.dfa == nil {
		return p.re.MatchString(s)
	}
	if m, ok := p.dfa.match(s); ok {
		return m
	}
	return p.re.MatchString(s)
}

// maxDFAStates bounds the DFA; a larger one is not built.
const maxDFAStates = 512

type dfaState struct {
	next [128]int32
	// now: a match ends here (not at the end of the text); end: a match
	// ends here when this is the end of the text.
	now, end bool
}

type dfa struct {
	states []dfaState
}

// match runs the DFA; ok is false when s holds a byte it does not cover.
func (d *dfa) match(s string) (matched, ok bool) {
	st := &d.states[0]
	for i := 0; i < len(s); i++ {
		if st.now {
			return true, true
		}
		c := s[i]
		if c >= 0x80 {
			return false, false
		}
		st = &d.states[st.next[c]]
	}
	return st.now || st.end, true
}

func buildDFA(expr string) *dfa {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil
	}
	for _, in := range prog.Inst {
		if in.Op == syntax.InstEmptyWidth && syntax.EmptyOp(in.Arg)&^(syntax.EmptyBeginText|syntax.EmptyEndText) != 0 {
			return nil
		}
	}
	// closure follows the empty transitions from pcs. An EndText assertion
	// is kept pending in the set (it holds only at the end of the text); a
	// BeginText one holds only at the start.
	closure := func(pcs []uint32, atStart, atEnd bool) []uint32 {
		var out []uint32
		seen := map[uint32]bool{}
		var visit func(pc uint32)
		visit = func(pc uint32) {
			if seen[pc] {
				return
			}
			seen[pc] = true
			in := &prog.Inst[pc]
			switch in.Op {
			case syntax.InstAlt, syntax.InstAltMatch:
				visit(in.Out)
				visit(in.Arg)
			case syntax.InstNop, syntax.InstCapture:
				visit(in.Out)
			case syntax.InstEmptyWidth:
				op := syntax.EmptyOp(in.Arg)
				if op&syntax.EmptyBeginText != 0 && !atStart {
					return
				}
				if op&syntax.EmptyEndText != 0 && !atEnd {
					out = append(out, pc) // pending
					return
				}
				visit(in.Out)
			case syntax.InstFail:
			default: // runes, match
				out = append(out, pc)
			}
		}
		for _, pc := range pcs {
			visit(pc)
		}
		slices.Sort(out)
		return out
	}
	hasMatch := func(pcs []uint32) bool {
		for _, pc := range pcs {
			if prog.Inst[pc].Op == syntax.InstMatch {
				return true
			}
		}
		return false
	}
	keyOf := func(pcs []uint32) string {
		b := make([]byte, 0, 4*len(pcs))
		for _, pc := range pcs {
			b = append(b, byte(pc), byte(pc>>8), byte(pc>>16), byte(pc>>24))
		}
		return string(b)
	}
	start := uint32(prog.Start)
	restart := closure([]uint32{start}, false, false)
	d := &dfa{}
	index := map[string]int32{}
	var sets [][]uint32
	add := func(pcs []uint32) int32 {
		k := keyOf(pcs)
		if i, ok := index[k]; ok {
			return i
		}
		i := int32(len(sets))
		index[k] = i
		sets = append(sets, pcs)
		d.states = append(d.states, dfaState{})
		return i
	}
	// state 0: the start of the text. Pending EndText assertions are
	// resolved at the end: closure(set, atStart, atEnd=true).
	add(closure([]uint32{start}, true, false))
	for i := 0; i < len(sets); i++ {
		if len(sets) > maxDFAStates {
			return nil
		}
		pcs := sets[i]
		atStart := i == 0
		d.states[i].now = hasMatch(pcs)
		d.states[i].end = hasMatch(closure(pcs, atStart, true))
		for c := rune(0); c < 128; c++ {
			var next []uint32
			for _, pc := range pcs {
				in := &prog.Inst[pc]
				var ok bool
				switch in.Op {
				case syntax.InstRune:
					ok = in.MatchRune(c)
				case syntax.InstRune1:
					ok = c == in.Rune[0]
				case syntax.InstRuneAny:
					ok = true
				case syntax.InstRuneAnyNotNL:
					ok = c != '\n'
				}
				if ok {
					next = append(next, in.Out)
				}
			}
			// Unanchored search: a match may also start after this byte.
			set := closure(append(next, restart...), false, false)
			d.states[i].next[c] = add(set)
		}
	}
	return d
}

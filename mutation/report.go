package mutation

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Tally counts the outcomes of a set of mutants.
type Tally struct {
	Total       int `json:"total"`
	Killed      int `json:"killed"`
	Survived    int `json:"survived"`
	Equivalent  int `json:"equivalent"`
	Unexercised int `json:"unexercised"`
	// Flaky counts runs that failed without the fault firing (not scored).
	Flaky int `json:"flaky,omitempty"`
	// Score is killed / (exercised - equivalent), in percent; -1 when no
	// mutant was exercised.
	Score float64 `json:"score"`
}

func (t *Tally) add(r Result) {
	t.Total++
	switch r.Outcome {
	case Killed:
		t.Killed++
	case Survived:
		t.Survived++
	case Equivalent:
		t.Equivalent++
	case Unexercised:
		t.Unexercised++
	case Flaky:
		t.Flaky++
	}
}

func (t *Tally) finish() {
	if n := t.Killed + t.Survived; n > 0 {
		t.Score = float64(int(float64(t.Killed)/float64(n)*10000+0.5)) / 100
	} else {
		t.Score = -1
	}
}

// Summary is reports/mutation/summary.json.
type Summary struct {
	Tool      string           `json:"tool"`
	SpecSHA   string           `json:"contract_sha256"`
	Workers   int              `json:"workers"`
	Timeout   string           `json:"client_timeout"`
	Seconds   float64          `json:"wall_seconds"`
	Overall   Tally            `json:"overall"`
	ByKind    map[string]Tally `json:"by_kind"`
	ByOp      map[string]Tally `json:"by_operation"`
	Survivors []Result         `json:"survivors"`
	// Mutants is every result, in catalogue order (samples dropped).
	Mutants []Result `json:"mutants"`
}

// Summarise tallies results overall, per fault kind and per operation.
func Summarise(tool string, results []Result) Summary {
	s := Summary{Tool: tool, ByKind: map[string]Tally{}, ByOp: map[string]Tally{}}
	for _, r := range results {
		if r.Outcome == "" {
			continue // not run (interrupted)
		}
		s.Overall.add(r)
		k := s.ByKind[string(r.Mutant.Kind)]
		k.add(r)
		s.ByKind[string(r.Mutant.Kind)] = k
		o := s.ByOp[r.Mutant.Op]
		o.add(r)
		s.ByOp[r.Mutant.Op] = o
		if r.Outcome == Survived || r.Outcome == Equivalent || r.Outcome == Flaky {
			s.Survivors = append(s.Survivors, r)
		}
		lean := r
		lean.Sample = nil
		s.Mutants = append(s.Mutants, lean)
	}
	s.Overall.finish()
	for k, t := range s.ByKind {
		t.finish()
		s.ByKind[k] = t
	}
	for k, t := range s.ByOp {
		t.finish()
		s.ByOp[k] = t
	}
	return s
}

// Write puts summary.json and survivors.md into dir.
func (s Summary) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "survivors.md"), []byte(s.Markdown()), 0o644)
}

// Markdown is survivors.md: the scores and every survivor with its reason.
func (s Summary) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Mutation testing: %s\n\n", s.Tool)
	fmt.Fprintf(&b, "Contract sha256 `%s`; %d workers; client timeout %s; wall time %.0f s. ", short(s.SpecSHA), s.Workers, s.Timeout, s.Seconds)
	b.WriteString("Each mutant is one fault on the responses of one operation, behind a proxy in front of a fresh emulator; ")
	b.WriteString("only the specs labelled with that operation run. Score = killed / (exercised − equivalent).\n\n")
	o := s.Overall
	fmt.Fprintf(&b, "**Score %.2f%%**: %d mutants, %d killed, %d survived, %d equivalent, %d not exercised.\n\n",
		o.Score, o.Total, o.Killed, o.Survived, o.Equivalent, o.Unexercised)

	b.WriteString("## By fault\n\n| fault | mutants | killed | survived | equivalent | not exercised | score |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, k := range sortedKeys(s.ByKind) {
		t := s.ByKind[k]
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %s |\n", k, t.Total, t.Killed, t.Survived, t.Equivalent, t.Unexercised, pct(t.Score))
	}
	b.WriteString("\n## By operation\n\n| operation | mutants | killed | survived | equivalent | not exercised | score |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, k := range sortedKeys(s.ByOp) {
		t := s.ByOp[k]
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %s |\n", k, t.Total, t.Killed, t.Survived, t.Equivalent, t.Unexercised, pct(t.Score))
	}
	b.WriteString("\n## Survivors\n\n")
	if len(s.Survivors) == 0 {
		b.WriteString("None: every exercised mutant was killed.\n")
	}
	for _, r := range s.Survivors {
		fmt.Fprintf(&b, "- `%s` (%s; fired %d×) — **%s**: %s\n", r.Mutant.ID, r.Mutant.Description, r.Fired, r.Reason, r.Explanation)
		if r.Sample != nil {
			fmt.Fprintf(&b, "  - sample: `%s %s` → %d `%s`\n", r.Sample.Method, r.Sample.URL, r.Sample.Status, cut(r.Sample.Body, 200))
		}
	}
	b.WriteString("\n## Not exercised\n\nMutants whose fault never fired: no spec's request got an answer it applies to ")
	b.WriteString("(the field is optional and absent, a list is empty in the emulator's world, or the status is one no spec labelled with the operation provokes).\n\n")
	n := 0
	for _, r := range s.Mutants {
		if r.Outcome == Unexercised {
			n++
		}
	}
	if n == 0 {
		b.WriteString("None.\n")
	} else {
		b.WriteString("<details><summary>" + fmt.Sprint(n) + " mutants</summary>\n\n")
		for _, r := range s.Mutants {
			if r.Outcome == Unexercised {
				fmt.Fprintf(&b, "- `%s`: %s\n", r.Mutant.ID, r.Explanation)
			}
		}
		b.WriteString("\n</details>\n")
	}
	return b.String()
}

func pct(score float64) string {
	if score < 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", score)
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

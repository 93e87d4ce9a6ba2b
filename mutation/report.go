package mutation

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/chconform/chconform/harness"
)

// Tally counts the outcomes of a set of mutants.
type Tally struct {
	Total       int `json:"total"`
	Killed      int `json:"killed"`
	Survived    int `json:"survived"`
	Equivalent  int `json:"equivalent"`
	Unexercised int `json:"unexercised"`
	// Errored counts mutants on which specs errored (panicked, a harness
	// error) and none failed: reported beside the score, never a kill.
	Errored int `json:"errored"`
	// Provisional counts faults only a provisional check would judge
	// (ReasonUnevidenced): not scored, not gated.
	Provisional int `json:"provisional,omitempty"`
	// Flaky counts runs that failed without the fault firing (not scored).
	Flaky int `json:"flaky,omitempty"`
	// NotJudgeable counts peer mutants whose every changed answer the peer
	// already flagged unmutated (PeerVerdict): not scored.
	NotJudgeable int `json:"not_judgeable,omitempty"`
	// Generated counts the killed mutants a spec of the generation phase
	// (GenerationPhase) killed; OnlyGenerated those of them no other spec
	// kills (Result.OnlyKilledIn): faults only generated input reaches.
	Generated     int `json:"killed_by_generated,omitempty"`
	OnlyGenerated int `json:"killed_only_by_generated,omitempty"`
	// Score is killed / (killed + survived), in percent; -1 when there is
	// neither. Errored, equivalent, flaky, not judgeable and not exercised
	// mutants are outside it.
	Score float64 `json:"score"`
}

func (t *Tally) add(r Result) {
	t.Total++
	switch r.Outcome {
	case Killed:
		t.Killed++
		if r.KilledIn == GenerationPhase {
			t.Generated++
		}
		if r.OnlyKilledIn == GenerationPhase {
			t.OnlyGenerated++
		}
	case Survived:
		t.Survived++
	case Equivalent:
		t.Equivalent++
	case Unexercised:
		t.Unexercised++
	case Errored:
		t.Errored++
	case Flaky:
		t.Flaky++
	case Provisional:
		t.Provisional++
	case NotJudgeable:
		t.NotJudgeable++
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
	Tool    string `json:"tool"`
	SpecSHA string `json:"contract_sha256"`
	// Tree is the source the run measured; figures quoted from this
	// summary name its commit.
	Tree Tree `json:"tree"`
	// Sample is set when the run judged a seeded draw from the catalogue
	// rather than all of it.
	Sample    *SampleInfo      `json:"sample,omitempty"`
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
		if r.Outcome == Survived || r.Outcome == Errored || r.Outcome == Equivalent || r.Outcome == Flaky || r.Outcome == Provisional {
			r.Sample = r.Sample.masked()
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
	fmt.Fprintf(&b, "Measured at commit `%s`%s; contract sha256 `%s`; %d workers; client timeout %s; wall time %.0f s. ",
		s.Tree.Commit, dirtyNote(s.Tree), short(s.SpecSHA), s.Workers, s.Timeout, s.Seconds)
	if s.Sample != nil {
		fmt.Fprintf(&b, "A sample of %d of the catalogue's %d mutants, drawn with seed %d (`chconform mutate run -sample %d -seed %d` draws it again). ",
			s.Sample.Size, s.Sample.Of, s.Sample.Seed, s.Sample.Size, s.Sample.Seed)
	}
	b.WriteString("Each mutant is one fault on the responses of one operation, behind a proxy in front of a fresh emulator; ")
	b.WriteString("only the specs labelled with that operation run. A mutant is killed when a spec's outcome is failed; ")
	b.WriteString("one whose specs only errored (a panic, a harness error) is *errored*, listed below and never counted as a kill. ")
	b.WriteString("Score = killed / (killed + survived).\n\n")
	o := s.Overall
	fmt.Fprintf(&b, "**Score %s**: %d mutants, %d killed, %d survived, %d errored, %d equivalent, %d not exercised",
		pct2(o.Score), o.Total, o.Killed, o.Survived, o.Errored, o.Equivalent, o.Unexercised)
	if o.Flaky > 0 {
		fmt.Fprintf(&b, ", %d flaky", o.Flaky)
	}
	if o.Provisional > 0 {
		fmt.Fprintf(&b, ", %d provisional (only a provisional check would judge them)", o.Provisional)
	}
	if o.NotJudgeable > 0 {
		fmt.Fprintf(&b, ", %d not judgeable", o.NotJudgeable)
	}
	b.WriteString(".\n\n")

	const head = " | mutants | killed | survived | errored | equivalent | not exercised | score |\n|---|---:|---:|---:|---:|---:|---:|---:|\n"
	b.WriteString("## By fault\n\n| fault" + head)
	for _, k := range sortedKeys(s.ByKind) {
		b.WriteString(row(k, s.ByKind[k]))
	}
	b.WriteString("\n## By operation\n\n| operation" + head)
	for _, k := range sortedKeys(s.ByOp) {
		b.WriteString(row(k, s.ByOp[k]))
	}
	b.WriteString(generatedOnly(s))
	b.WriteString("\n## Survivors\n\nEvery mutant that was exercised and not killed: survived, errored (specs errored, none failed), equivalent, provisional or flaky.\n\n")
	if len(s.Survivors) == 0 {
		b.WriteString("None: every exercised mutant was killed.\n")
	}
	for _, r := range s.Survivors {
		fmt.Fprintf(&b, "- `%s` (%s; fired %d×) — %s, **%s**: %s\n", r.Mutant.ID, r.Mutant.Description, r.Fired, r.Outcome, r.Reason, r.Explanation)
		if r.Sample != nil {
			fmt.Fprintf(&b, "  - sample: `%s %s` → %d `%s`\n", r.Sample.Method, r.Sample.URL, r.Sample.Status, harness.Cut(r.Sample.Body, 200))
		}
	}
	b.WriteString(notJudgeable(s))
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
				if r.Reason != "" && r.Reason != "no spec exercised it" {
					fmt.Fprintf(&b, "- `%s`: **%s**: %s\n", r.Mutant.ID, r.Reason, r.Explanation)
				} else {
					fmt.Fprintf(&b, "- `%s`: %s\n", r.Mutant.ID, r.Explanation)
				}
			}
		}
		b.WriteString("\n</details>\n")
	}
	return b.String()
}

func dirtyNote(t Tree) string {
	if t.Dirty {
		return " with uncommitted changes (the figures describe no commit)"
	}
	return ""
}

// generatedOnly is survivors.md's section on the mutants the generation
// phase killed: how many, by fault, and which of them no documented request
// kills (the faults only generated input reaches). Empty when that phase
// killed nothing (it did not run, or a peer tool's run).
func generatedOnly(s Summary) string {
	if s.Overall.Generated == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Killed by generated requests\n\n%d mutants were killed by a spec of the generation phase (`%s`); ", s.Overall.Generated, GenerationPhase)
	fmt.Fprintf(&b, "**%d of them only by it**: every other spec labelled with the operation passed. ", s.Overall.OnlyGenerated)
	if s.Overall.Generated > s.Overall.OnlyGenerated {
		b.WriteString("The rest a spec of the documented requests kills too, run again without the phase (`also_killed_by` names it).")
	}
	b.WriteString("\n\n")
	b.WriteString("| fault | killed | by generated | only by generated |\n|---|---:|---:|---:|\n")
	for _, k := range sortedKeys(s.ByKind) {
		if t := s.ByKind[k]; t.Generated > 0 {
			fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", k, t.Killed, t.Generated, t.OnlyGenerated)
		}
	}
	b.WriteString("\n<details><summary>the mutants only generated requests kill</summary>\n\n")
	for _, r := range s.Mutants {
		if r.OnlyKilledIn == GenerationPhase {
			fmt.Fprintf(&b, "- `%s` (%s): %s\n", r.Mutant.ID, r.Mutant.Description, harness.Cut(r.KilledBy, 240))
		}
	}
	b.WriteString("\n</details>\n")
	return b.String()
}

// notJudgeable is survivors.md's section on the peer mutants outside the
// score because the peer already rejected the unmutated answer; empty when
// there are none (chconform's own runs).
func notJudgeable(s Summary) string {
	if s.Overall.NotJudgeable == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Not judgeable\n\n%d mutants whose every changed answer the tool already flags on the unmutated target: ", s.Overall.NotJudgeable)
	b.WriteString("its verdict cannot tell the fault from what it rejects anyway, so they are outside the score. By fault: ")
	var kinds []string
	for _, k := range sortedKeys(s.ByKind) {
		if n := s.ByKind[k].NotJudgeable; n > 0 {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		}
	}
	b.WriteString(strings.Join(kinds, ", ") + ".\n\n<details><summary>the mutants</summary>\n\n")
	for _, r := range s.Mutants {
		if r.Outcome == NotJudgeable {
			fmt.Fprintf(&b, "- `%s`: %s\n", r.Mutant.ID, r.Explanation)
		}
	}
	b.WriteString("\n</details>\n")
	return b.String()
}

func row(name string, t Tally) string {
	return fmt.Sprintf("| %s | %d | %d | %d | %d | %d | %d | %s |\n", name, t.Total, t.Killed, t.Survived, t.Errored, t.Equivalent, t.Unexercised, pct(t.Score))
}

func pct2(score float64) string {
	if score < 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f%%", score)
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

// sampleRedactor masks what a sample of a mutated exchange carries: the
// emulator's tokens in sign-in answers, phone numbers in requests. They are
// test values, but a summary is a report, and no report holds a credential.
var sampleRedactor = harness.NewRedactor(nil)

func (s *Sample) masked() *Sample {
	if s == nil {
		return nil
	}
	m := *s
	m.URL = sampleRedactor.String(m.URL)
	m.RequestBody = string(sampleRedactor.Body([]byte(m.RequestBody)))
	m.Body = string(sampleRedactor.Body([]byte(m.Body)))
	return &m
}

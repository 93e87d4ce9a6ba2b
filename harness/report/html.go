package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"
)

// report.html is one file with its CSS inline and no script or external
// asset, so it opens from a CI artifact, an e-mail or a file:// URL offline
// and prints as it shows. html/template escapes every value: spec names,
// messages and transcripts all come from the target and must never become
// markup.
//
//go:embed report.html.tmpl
var htmlTemplate string

// htmlView is everything the template reads.
type htmlView struct {
	S        Summary
	Matrix   Matrix
	Verdict  Cell
	Failures []htmlFailure
	// Flaky are the specs that passed only on a retry, each with the
	// transcripts of every attempt.
	Flaky   []htmlFailure
	Skipped []SpecSummary // unsupported and disabled specs, with their reasons
	Config  [][2]string
	// FailAnchor links an operation's row to its first failure.
	FailAnchor map[string]string
	Percent    struct{ Ops, Responses int }
}

type htmlFailure struct {
	Anchor   string
	Spec     SpecSummary
	Outcome  Cell
	Checks   []CheckSummary // the failed ones
	Exchange []htmlExchange
	// LeftOut counts the exchanges not shown, LeftOutNote says why.
	LeftOut     int
	LeftOutNote string
}

type htmlExchange struct {
	Operation string
	Attempt   int
	Elapsed   string
	Request   string
	Response  string
	Error     string
	// Curl sends the request again (curl.go); html/template escapes it
	// like every other value.
	Curl string
}

// WriteHTML renders report.html.
func WriteHTML(w io.Writer, s Summary, failures []FailedSpec) error {
	funcs := template.FuncMap{
		"add":  func(a, b int) int { return a + b },
		"word": func(o Outcome) string { return outcomeCell(o).Word },
	}
	tmpl, err := template.New("report").Funcs(funcs).Parse(htmlTemplate)
	if err != nil {
		return fmt.Errorf("report.html template: %w", err)
	}
	return tmpl.Execute(w, newHTMLView(s, failures))
}

func newHTMLView(s Summary, failures []FailedSpec) htmlView {
	failures = boundFailures(failures)
	v := htmlView{S: s, Matrix: BuildMatrix(s), Verdict: verdictCell(s), FailAnchor: map[string]string{}}
	v.Percent.Ops = percent(s.Coverage.OperationsExercised, s.Coverage.OperationsTotal)
	v.Percent.Responses = percent(s.Coverage.ResponsesExercised, s.Coverage.ResponsesTotal)
	keys := make([]string, 0, len(s.Target.Config))
	for k := range s.Target.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		val := s.Target.Config[k]
		if val == "" {
			val = "(unset)"
		}
		v.Config = append(v.Config, [2]string{k, val})
	}
	for i, f := range failures {
		hf := htmlFailure{Anchor: fmt.Sprintf("failure-%d", i+1), Spec: f.Spec, Outcome: outcomeCell(f.Spec.Outcome), LeftOut: f.LeftOut}
		if f.Spec.Flaky {
			hf.Anchor = fmt.Sprintf("flaky-%d", i+1)
			hf.Outcome = flakyCell()
		}
		if f.LeftOut > 0 {
			hf.LeftOutNote = fmt.Sprintf("%d exchange(s) left out: report.html shows the transcripts of the first %d failures, %d exchanges each.",
				f.LeftOut, MaxFailuresInFull, MaxExchangesInFull)
		}
		for _, c := range f.Spec.Checks {
			if c.Status == "failed" {
				hf.Checks = append(hf.Checks, c)
			}
		}
		for _, e := range f.Exchanges {
			hx := htmlExchange{
				Operation: e.Operation,
				Attempt:   e.Attempt,
				Elapsed:   fmt.Sprintf("%.1f ms", e.ElapsedMS),
				Request:   TranscriptText(&e.Request, true, maxTranscriptBody),
				Response:  TranscriptText(e.Response, false, maxTranscriptBody),
				Error:     e.Error,
			}
			if e.Request.URL != "" {
				hx.Curl = CurlCommand(e.Request)
			}
			hf.Exchange = append(hf.Exchange, hx)
		}
		if f.Spec.Flaky {
			v.Flaky = append(v.Flaky, hf)
			continue
		}
		for _, op := range f.Spec.Operations {
			if _, ok := v.FailAnchor[op]; !ok {
				v.FailAnchor[op] = hf.Anchor
			}
		}
		v.Failures = append(v.Failures, hf)
	}
	for _, sp := range s.Specs {
		if sp.Outcome == OutcomeUnsupported || sp.Outcome == OutcomeDisabled {
			v.Skipped = append(v.Skipped, sp)
		}
	}
	return v
}

// verdictCell is the one-word answer at the top of both reports, following
// the exit status (error beats failed beats passed) and, for a run that
// exits 0, the summary's verdict (gaps or none).
func verdictCell(s Summary) Cell {
	c := exitCell(s)
	if s.Target.Anonymous {
		c.Word += " (anonymous)"
	}
	return c
}

func exitCell(s Summary) Cell {
	switch s.ExitCode() {
	case 0:
		if s.Verdict == VerdictWithGaps {
			return Cell{Class: "skip", Symbol: "◐", Word: string(VerdictWithGaps)}
		}
		return Cell{Class: "pass", Symbol: "✓", Word: string(VerdictConformant)}
	case 1:
		return Cell{Class: "fail", Symbol: "✗", Word: string(VerdictNotConformant)}
	default:
		if len(s.Specs) == 0 {
			return Cell{Class: "error", Symbol: "‼", Word: "no spec ran"}
		}
		return Cell{Class: "error", Symbol: "‼", Word: "run error"}
	}
}

// flakyCell marks a spec that passed only on a retry.
func flakyCell() Cell { return Cell{Class: "flaky", Symbol: "⚠", Word: "flaky"} }

func percent(n, total int) int {
	if total == 0 {
		return 0
	}
	return n * 100 / total
}

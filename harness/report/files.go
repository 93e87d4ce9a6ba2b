package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chconform/chconform/harness"
)

// Paths says where WriteRenderings writes each rendering; an empty path
// leaves that one out.
type Paths struct{ HTML, MD, JUnit, Badge string }

// PathsIn is the three renderings next to each other in dir.
func PathsIn(dir string) Paths {
	return Paths{
		HTML:  filepath.Join(dir, "report.html"),
		MD:    filepath.Join(dir, "report.md"),
		JUnit: filepath.Join(dir, "junit.xml"),
		Badge: filepath.Join(dir, "badge.json"),
	}
}

// WriteRenderings writes report.html, report.md and junit.xml from the same
// summary and transcripts, so the three can never disagree with
// summary.json or with each other. reports (the Ginkgo reports, for spec
// run times) may be nil.
func WriteRenderings(s Summary, failures []FailedSpec, reports []types.Report, paths Paths) error {
	jobs := []struct {
		path   string
		render func(*bytes.Buffer) error
	}{
		{paths.HTML, func(b *bytes.Buffer) error { return WriteHTML(b, s, failures) }},
		{paths.MD, func(b *bytes.Buffer) error { return WriteMarkdown(b, s, failures, MarkdownLimit) }},
		{paths.JUnit, func(b *bytes.Buffer) error { return WriteJUnit(b, s, failures, reports) }},
		{paths.Badge, func(b *bytes.Buffer) error { return json.NewEncoder(b).Encode(NewBadge(s)) }},
	}
	// Rendered side by side: a long audit's junit.xml alone is most of a
	// second of work after every entry is judged, with the other cores
	// idle. Each rendering only reads s and failures; the first error in
	// the list's order is the one returned, as when they ran in turn.
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		if j.path == "" {
			continue
		}
		wg.Go(func() {
			var b bytes.Buffer
			if err := j.render(&b); err != nil {
				errs[i] = fmt.Errorf("%s: %w", j.path, err)
				return
			}
			errs[i] = WriteFileAtomic(j.path, b.Bytes())
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// WriteJSONFile writes through a temporary file and a rename, so a reader (CI
// uploading artifacts, a diff) never sees half a summary.
func WriteJSONFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	return WriteFileAtomic(path, data)
}

// WriteFileAtomic writes data to path through a temporary file and a rename.
func WriteFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteVerdict is the few lines a person reads at the end of a run: the
// totals, the coverage, and what to look at first.
func WriteVerdict(w io.Writer, s Summary, suites int) {
	t, c := s.Totals, s.Coverage
	flaky := ""
	if t.Flaky > 0 {
		flaky = fmt.Sprintf(" (%d of them flaky)", t.Flaky)
	}
	fmt.Fprintf(w, "chconform: %d passed%s, %d failed, %d unsupported, %d disabled, %d error; coverage %d/%d operations, %d/%d responses\n",
		t.Passed, flaky, t.Failed, t.Unsupported, t.Disabled, t.Error,
		c.OperationsExercised, c.OperationsTotal, c.ResponsesExercised, c.ResponsesTotal)
	v := s.Verified
	line := fmt.Sprintf("chconform: verdict %s; verified %d/%d documented responses", s.VerdictText(), v.Verified, v.Total)
	if fl := v.FloorLine(); fl != "" {
		line += "; " + fl
	}
	fmt.Fprintln(w, harness.OneLine(line))
	if rc := s.ResponseCoverage; rc != nil {
		fmt.Fprintf(w, "chconform: response coverage %d/%d schema locations observed (%s)\n", rc.Observed, rc.Total, share(rc.Observed, rc.Total))
	}
	if seed := s.Target.Config["CH_EXPLORE_SEED"]; seed != "" && explored(s) {
		fmt.Fprintf(w, "chconform: generated requests (phase:explore) from seed %s; CH_EXPLORE_SEED=%s sends the same ones again\n", seed, seed)
	}
	for _, m := range v.BelowFloor {
		fmt.Fprintln(w, harness.OneLine("  BELOW FLOOR "+m))
	}
	notSelected, anonymous := 0, 0
	for _, g := range v.Unverified {
		switch {
		case g.Required:
		case g.Kind == GapNotSelected:
			// A filtered run (a group, a shard, a replay) leaves most
			// responses out on purpose: one line says how many, the
			// reports list them.
			notSelected++
		case g.Kind == GapAnonymous:
			anonymous++ // the run chose them away, as a filter does
		default:
			fmt.Fprintln(w, harness.OneLine("  NOT VERIFIED "+g.String()))
		}
	}
	if anonymous > 0 {
		fmt.Fprintf(w, "  NOT VERIFIED %d documented response(s) only specs with CH_AUTH_TOKEN cover (anonymous run); the reports list them\n", anonymous)
	}
	if notSelected > 0 {
		fmt.Fprintf(w, "  NOT VERIFIED %d documented response(s) no selected spec covers (label filter, shard or focus); the reports list them\n", notSelected)
	}
	switch {
	case suites == 0:
		// Ginkgo leaves a suite that failed to compile out of its JSON
		// report entirely, so an empty report usually means exactly that.
		fmt.Fprintln(w, "  the Ginkgo report holds no suite: did the suites compile?")
	case len(s.Specs) == 0:
		fmt.Fprintln(w, "  no spec ran: check the label filter")
	}
	for _, sp := range s.Specs {
		var tag string
		switch sp.Outcome {
		case OutcomeFailed:
			tag = "FAILED"
		case OutcomeError:
			tag = "ERROR "
		case OutcomePassed:
			if !sp.Flaky {
				continue
			}
			tag = "FLAKY "
		default:
			continue
		}

		// One line per spec, whatever the reason quotes from the target:
		// a line of its own could be a CI workflow command.
		line := fmt.Sprintf("  %s %s", tag, sp.Name)
		if sp.Reason != "" {
			line += ": " + sp.Reason
		}
		if sp.Location != "" {
			line += " (" + sp.Location + ")"
		}
		if len(sp.CaseIDs) > 0 {
			line += " [" + strings.Join(sp.CaseIDs, ", ") + "]"
		}
		fmt.Fprintln(w, harness.OneLine(line))
	}
	if p := s.Provisional; p != nil {
		fmt.Fprintf(w, "chconform: provisional (not counted): %d passed, %d failed, %d unsupported, %d disabled, %d error\n",
			p.Totals.Passed, p.Totals.Failed, p.Totals.Unsupported, p.Totals.Disabled, p.Totals.Error)
		for _, sp := range p.Specs {
			if sp.Outcome != OutcomeFailed && sp.Outcome != OutcomeError {
				continue
			}
			line := fmt.Sprintf("  PROVISIONAL %s %s", strings.ToUpper(string(sp.Outcome)), sp.Name)
			if sp.Reason != "" {
				line += ": " + sp.Reason
			}
			fmt.Fprintln(w, harness.OneLine(line))
		}
	}
}

// ExplorePrefix starts the name of every spec of the generation phase.
const ExplorePrefix = "explore: "

// explored: a spec of the generation phase sent requests (it ended other
// than unsupported or disabled).
func explored(s Summary) bool {
	specs := s.Specs
	if s.Provisional != nil {
		specs = append(slices.Clone(specs), s.Provisional.Specs...)
	}
	for _, sp := range specs {
		if strings.HasPrefix(sp.Name, ExplorePrefix) && sp.Outcome != OutcomeUnsupported && sp.Outcome != OutcomeDisabled {
			return true
		}
	}
	return false
}

// CurrentTool names this build and the libraries whose behaviour shapes a
// verdict (kin-openapi validates, Ginkgo classifies), read from the binary
// itself so the summary cannot drift from what actually ran.
func CurrentTool() ToolInfo {
	info := ToolInfo{Version: "unknown"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return info
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		info.Version = v
	} else {
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			info.Version = "devel-" + rev + dirty
		} else {
			info.Version = "devel"
		}
	}
	for _, d := range bi.Deps {
		version := d.Version
		if d.Replace != nil {
			version = d.Replace.Version // what was linked, under the name go.mod uses
		}
		switch {
		case d.Path == "github.com/getkin/kin-openapi":
			info.KinOpenAPI = version
		case strings.HasPrefix(d.Path, "github.com/onsi/ginkgo"):
			info.Ginkgo = version
		}
	}
	return info
}

package reportcmd

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// contractPath is the contract's path in the repository, what a bare git ref
// (`HEAD~1`) means.
const contractPath = "api.yaml"

// specChange is one contract change as spec-diff prints it.
type specChange struct {
	Level     string `json:"level"` // breaking, warning, info
	ID        string `json:"id"`    // oasdiff's rule id, stable across releases
	Operation string `json:"operation,omitempty"`
	Path      string `json:"path,omitempty"`
	Text      string `json:"text"`
}

// runSpecDiff compares two versions of the contract with oasdiff's
// backward-compatibility checker (the changelog: breaking changes, warnings
// and information alike) and exits 1 when any change is breaking for a
// client, so a CI gate can stop a contract edit that would break the
// servers' clients or the recorded fixtures.
func runSpecDiff(args []string, stdout, stderr io.Writer, _ env) int {
	format, oldArg, newArg, code, ok := parseFormatArgs("spec-diff", args, stderr)
	if !ok {
		return code
	}
	changes, err := specDiff(oldArg, newArg)
	if err != nil {
		fmt.Fprintf(stderr, "chconform spec-diff: %v\n", err)
		return exitUsage
	}
	breaking := 0
	for _, c := range changes {
		if c.Level == "breaking" {
			breaking++
		}
	}
	switch format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(struct {
			Old      string       `json:"old"`
			New      string       `json:"new"`
			Breaking int          `json:"breaking"`
			Changes  []specChange `json:"changes"`
		}{oldArg, newArg, breaking, changes})
	case "md":
		err = writeSpecDiffMarkdown(stdout, oldArg, newArg, breaking, changes)
	default:
		err = writeSpecDiffText(stdout, oldArg, newArg, breaking, changes)
	}
	if err != nil {
		fmt.Fprintf(stderr, "chconform spec-diff: %v\n", err)
		return exitUsage
	}
	if breaking > 0 {
		return exitRegression
	}
	return exitSame
}

func specDiff(oldArg, newArg string) ([]specChange, error) {
	oldSrc, err := specSource(oldArg)
	if err != nil {
		return nil, err
	}
	newSrc, err := specSource(newArg)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	// The contract is one file; a $ref out of it would be a mistake, not a
	// feature to follow across the network.
	loader.IsExternalRefsAllowed = false
	s1, err := load.NewSpecInfo(loader, oldSrc)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", oldArg, err)
	}
	s2, err := load.NewSpecInfo(loader, newSrc)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", newArg, err)
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	if err != nil {
		return nil, fmt.Errorf("diffing: %w", err)
	}
	found := checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, sources, checker.INFO)
	slices.SortStableFunc(found, checker.CompareChanges) // breaking first
	l := checker.NewDefaultLocalizer()
	out := make([]specChange, 0, len(found))
	for _, c := range found {
		level := "info"
		switch c.GetLevel() {
		case checker.ERR:
			level = "breaking"
		case checker.WARN:
			level = "warning"
		}
		out = append(out, specChange{
			Level: level, ID: c.GetId(), Operation: c.GetOperation(), Path: c.GetPath(),
			Text: c.GetUncolorizedText(l),
		})
	}
	return out, nil
}

// specSource turns an argument into what oasdiff loads: a file as it is,
// REF:path as a git revision, and a bare REF as REF:api.yaml.
func specSource(arg string) (*load.Source, error) {
	if arg == "" {
		return nil, fmt.Errorf("an empty contract argument")
	}
	if _, err := os.Stat(arg); err == nil {
		return load.NewSource(arg), nil
	}
	if i := strings.Index(arg, ":"); i > 0 && !strings.Contains(arg, "://") {
		return load.NewSource(arg), nil
	}
	if strings.Contains(arg, "://") {
		// A URL would make a CI gate depend on the network.
		return nil, fmt.Errorf("%s: URLs are not accepted; give a file or a git ref", arg)
	}
	cmd := exec.Command("git", "rev-parse", "--verify", "--quiet", arg+"^{commit}")
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s is neither a file nor a git ref", arg)
	}
	return load.NewSource(arg + ":" + contractPath), nil
}

func writeSpecDiffText(w io.Writer, oldArg, newArg string, breaking int, changes []specChange) error {
	var b strings.Builder
	fmt.Fprintf(&b, "contract diff %s → %s: %d change(s), %d breaking\n", oldArg, newArg, len(changes), breaking)
	for _, c := range changes {
		where := strings.TrimSpace(c.Operation + " " + c.Path)
		fmt.Fprintf(&b, "  %-8s %s  %s  [%s]\n", strings.ToUpper(c.Level), where, c.Text, c.ID)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeSpecDiffMarkdown(w io.Writer, oldArg, newArg string, breaking int, changes []specChange) error {
	var b strings.Builder
	mark := "✓"
	if breaking > 0 {
		mark = "✗"
	}
	fmt.Fprintf(&b, "## Contract diff %s %d breaking of %d change(s)\n\n`%s` → `%s`\n\n", mark, breaking, len(changes), oldArg, newArg)
	if len(changes) > 0 {
		b.WriteString("| level | operation | change | rule |\n|---|---|---|---|\n")
		r := strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;")
		for _, c := range changes {
			fmt.Fprintf(&b, "| %s | `%s %s` | %s | `%s` |\n", c.Level, c.Operation, c.Path, r.Replace(c.Text), c.ID)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

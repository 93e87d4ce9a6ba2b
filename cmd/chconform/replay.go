package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// Replay verdicts, one per failed case.
const (
	replayFixed        = "FIXED"
	replayStillFailing = "STILL FAILING"
	replayError        = "ERROR"
)

// runReplay re-runs the failed specs of a report (or one of them) against
// the target the report was made against, or another one, and says of each
// whether it is fixed. A spec is re-run whole, not its requests re-sent from
// the transcript: a stateful spec needs its whole sequence (sign-up, write,
// read-back) with fresh accounts, and the transcripts hold masked
// credentials. The same checks judge the new answers, since they are the
// same specs of the same binary.
func runReplay(args []string, stdout, stderr io.Writer, getenv env) int {
	fs := verbFlags("replay", "[flags] [REPORT_DIR]", stderr,
		"Re-runs every failed case of the run whose reports are in REPORT_DIR (default",
		"$CH_REPORT_DIR, else reports/latest), or only --case ID, against the target of that run",
		"or --base-url, and says of each FIXED, STILL FAILING or ERROR. The replay's own reports",
		"go to --out. Exit 0: every case fixed; 1: some are not; 2: the replay could not be made.",
	)
	caseID := fs.String("case", "", "replay only this case (its id or its spec's full name, as the reports show)")
	baseURL := fs.String("base-url", "", "replay against this target instead of the report's (CH_BASE_URL)")
	profile := fs.String("profile", "", "the profile of --base-url (CH_PROFILE; default: the report's)")
	out := fs.String("out", "", "where the replay's reports go (default: REPORT_DIR/replay)")
	if code, done := parseVerbFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "chconform replay: name one report folder")
		return exitUsage
	}
	dir := or(fs.Arg(0), or(getenv("CH_REPORT_DIR"), filepath.Join("reports", "latest")))
	before, err := readSummary(filepath.Join(dir, "summary.json"))
	if err != nil {
		fmt.Fprintf(stderr, "chconform replay: %v\n", err)
		return exitUsage
	}
	if before.Audit != nil {
		fmt.Fprintf(stderr, "chconform replay: %s holds an audit of captured traffic: there is no spec to re-run\n", dir)
		return exitUsage
	}
	cases := failedCases(before)
	if *caseID != "" {
		cases = selectCase(cases, *caseID)
		if len(cases) == 0 {
			fmt.Fprintf(stderr, "chconform replay: no failed case %q in %s\n", *caseID, dir)
			return exitUsage
		}
	}
	if len(cases) == 0 {
		fmt.Fprintf(stdout, "chconform replay: %s has no failed case: nothing to replay\n", dir)
		return exitOK
	}
	if err := replayTarget(before.Target, *baseURL, *profile, getenv); err != nil {
		fmt.Fprintf(stderr, "chconform replay: %v\n", err)
		return exitUsage
	}
	os.Setenv("CH_REPORT_DIR", or(*out, filepath.Join(dir, "replay")))

	o := runOptions{}
	for _, c := range cases {
		o.focusList = append(o.focusList, "^"+regexp.QuoteMeta(suiteDescription+" "+c.Name)+"$")
	}
	fmt.Fprintf(stdout, "chconform replay: %d failed case(s) of %s\n", len(cases), dir)
	replayDir, code := runSpecs(o, stdout, stderr)
	if code == exitUsage && replayDir == "" {
		return exitUsage
	}
	after, err := readSummary(filepath.Join(replayDir, "summary.json"))
	if err != nil {
		fmt.Fprintf(stderr, "chconform replay: the replay wrote no summary: %v\n", err)
		return exitUsage
	}
	return judgeReplay(cases, after, stdout)
}

// failedCases are the specs of a summary that failed, errored or were flaky
// (answered the same question two ways), by name.
func failedCases(s report.Summary) []report.SpecSummary {
	var out []report.SpecSummary
	for _, sp := range s.Specs {
		if sp.Outcome == report.OutcomeFailed || sp.Outcome == report.OutcomeError || sp.Flaky {
			// Suite-level problems ("[BeforeSuite] ...") are no spec to re-run.
			if strings.HasPrefix(sp.Name, "[") {
				continue
			}
			out = append(out, sp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// selectCase picks the case named by id: a case id of the reports, or a
// spec's full name.
func selectCase(cases []report.SpecSummary, id string) []report.SpecSummary {
	for _, c := range cases {
		if c.Name == id || slices.Contains(c.CaseIDs, id) {
			return []report.SpecSummary{c}
		}
	}
	return nil
}

// replayTarget points this process at the target the report was made
// against, unless the caller names another (flags first, then CH_*).
func replayTarget(t report.Target, baseURL, profile string, getenv env) error {
	if baseURL != "" {
		os.Setenv("CH_BASE_URL", baseURL)
	}
	if profile != "" {
		os.Setenv("CH_PROFILE", profile)
	}
	if os.Getenv("CH_BASE_URL") == "" && t.BaseURL != "" {
		// A report shows the URL without user info and with its query values
		// masked: a masked URL is no target. (One whose user info was
		// dropped needs CH_BASE_URL from the environment, as for the run.)
		if strings.Contains(t.BaseURL, "<redacted>") {
			return fmt.Errorf("the report's target %s is masked: give it with --base-url", t.BaseURL)
		}
		os.Setenv("CH_BASE_URL", t.BaseURL)
	}
	if os.Getenv("CH_PROFILE") == "" && t.Profile != "" {
		os.Setenv("CH_PROFILE", t.Profile)
	}
	// Generated requests come from the run's seed: the replay sends the
	// same ones.
	if os.Getenv("CH_EXPLORE_SEED") == "" && t.Config["CH_EXPLORE_SEED"] != "" {
		os.Setenv("CH_EXPLORE_SEED", t.Config["CH_EXPLORE_SEED"])
	}
	if os.Getenv("CH_FIXTURES") == "" && os.Getenv("CH_BASE_URL") == "" && t.Config["CH_FIXTURES"] != "" {
		os.Setenv("CH_FIXTURES", t.Config["CH_FIXTURES"])
	}
	return nil
}

// judgeReplay says of each case what the replay found, and returns 0 when
// every case is fixed.
func judgeReplay(cases []report.SpecSummary, after report.Summary, stdout io.Writer) int {
	byName := map[string]report.SpecSummary{}
	for _, sp := range after.Specs {
		byName[sp.Name] = sp
	}
	fixed := 0
	for _, c := range cases {
		now, ran := byName[c.Name]
		verdict, why := replayVerdict(now, ran)
		if verdict == replayFixed {
			fixed++
		}
		line := fmt.Sprintf("  %-13s %s", verdict, c.Name)
		if len(c.CaseIDs) > 0 {
			line += " [" + strings.Join(c.CaseIDs, ", ") + "]"
		}
		if why != "" {
			line += ": " + why
		}
		fmt.Fprintln(stdout, harness.LogSafe(line))
	}
	fmt.Fprintf(stdout, "chconform replay: %d of %d case(s) fixed\n", fixed, len(cases))
	if fixed == len(cases) {
		return exitOK
	}
	return exitFail
}

func replayVerdict(now report.SpecSummary, ran bool) (string, string) {
	switch {
	case !ran:
		return replayError, "the spec was not found in this build (renamed or removed?)"
	case now.Flaky:
		// It failed again before it passed: not fixed.
		return replayStillFailing, now.Reason
	case now.Outcome == report.OutcomePassed:
		return replayFixed, ""
	case now.Outcome == report.OutcomeFailed:
		return replayStillFailing, now.Reason
	default:
		return replayError, string(now.Outcome) + ": " + now.Reason
	}
}

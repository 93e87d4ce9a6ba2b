package main

import (
	"flag"
	"path/filepath"
	"strings"

	"github.com/chconform/chconform"
	"github.com/chconform/chconform/audit"
	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// judgeFlags are the flags of the verbs that judge traffic with the audit's
// checks: audit (captured traffic) and proxy (live traffic). auditor is the
// one path from them to a judge, so what changes how traffic is judged (the
// contract, an overlay applied to it) reaches both verbs at once.
type judgeFlags struct {
	spec           *string
	overlay        *string
	suggest        *string
	strict         *bool
	outside        *bool
	stripped       *bool
	maxTranscripts *int
}

func addJudgeFlags(fs *flag.FlagSet, getenv env) (*judgeFlags, error) {
	strictDefault, err := envBool(getenv, "CH_STRICT")
	if err != nil {
		return nil, err
	}
	return &judgeFlags{
		spec:           fs.String("spec", getenv("CH_SPEC"), "the contract (CH_SPEC; default: the embedded api.yaml)"),
		overlay:        fs.String("overlay", getenv("CH_OVERLAY"), "an OpenAPI Overlay applied to the contract before judging (CH_OVERLAY)"),
		suggest:        fs.String("suggest", "", "write an OpenAPI Overlay here: the smallest patch of the contract that accepts the drift observed"),
		strict:         fs.Bool("strict", strictDefault, "also fail answers with fields the contract does not declare (CH_STRICT); they are drift either way"),
		outside:        fs.Bool("outside-counts", false, "fail on exchanges of no contract operation (they are listed either way)"),
		stripped:       fs.Bool("credentials-stripped", false, "the traffic's Authorization headers were removed (Chrome's sanitized export): do not judge ignored_auth"),
		maxTranscripts: fs.Int("max-transcripts", audit.DefaultMaxTranscripts, "failed exchanges reported with a transcript; the rest are listed without one"),
	}, nil
}

// auditor loads the contract and starts the audit that judges the traffic.
func (j *judgeFlags) auditor(getenv env) (*audit.Auditor, error) {
	minResponse := strings.TrimSpace(getenv("CH_MIN_RESPONSE_COVERAGE"))
	if minResponse != "" {
		if err := harness.CheckFraction("CH_MIN_RESPONSE_COVERAGE", minResponse); err != nil {
			return nil, err
		}
	}
	spec, err := harness.LoadContract(chconform.Contract, *j.spec, *j.overlay)
	if err != nil {
		return nil, err
	}
	return audit.New(audit.Options{
		Spec:                spec,
		Strict:              *j.strict,
		OutsideCounts:       *j.outside,
		CredentialsStripped: *j.stripped,
		MaxTranscripts:      *j.maxTranscripts,
		Tool:                report.CurrentTool(),
		MinResponseCoverage: minResponse,
	}), nil
}

// writeAuditReports writes summary.json and its renderings into dir.
// The summary is written beside its renderings: a long audit's
// summary.json and junit.xml are each most of a second of one core.
func writeAuditReports(dir string, s report.Summary, failures []report.FailedSpec) error {
	summary := make(chan error, 1)
	go func() { summary <- report.WriteJSONFile(filepath.Join(dir, "summary.json"), s) }()
	rendered := report.WriteRenderings(s, failures, nil, report.PathsIn(dir))
	if err := <-summary; err != nil {
		return err
	}
	return rendered
}

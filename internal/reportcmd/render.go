package reportcmd

import (
	"github.com/chconform/chconform/harness/report"
	"github.com/onsi/ginkgo/v2/types"
)

// optionalPath is a flag that knows whether it was given: unset means the
// default path, set to "" means "do not write this one".
type optionalPath struct {
	value string
	set   bool
}

func (p *optionalPath) String() string { return p.value }

func (p *optionalPath) Set(v string) error {
	p.value, p.set = v, true
	return nil
}

func (p optionalPath) or(def string) string {
	if p.set {
		return p.value
	}
	return def
}

type renderPaths = report.Paths

func writeRenderings(s report.Summary, reports []types.Report, paths renderPaths) error {
	failures, err := report.Failures(s, reports)
	if err != nil {
		return err
	}
	return report.WriteRenderings(s, failures, reports, paths)
}

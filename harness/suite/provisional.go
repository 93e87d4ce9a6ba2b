package suite

import (
	"slices"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// ProvisionalIt declares a spec of a case the contract and the seed do not
// document (issue 13), labelled provisional: it runs like any other, but a
// failure ends it as a "provisional failed" skip rather than a Ginkgo
// failure, and the report lists it apart, so it never changes the verdict
// or the exit status until the contract documents the case (then drop the
// label and make it an ordinary It). A harness error (suite.Fail with the
// harness prefix) or a panic still fails the spec: the run could not judge.
func ProvisionalIt(text string, labels ginkgo.Labels, body func(ginkgo.SpecContext)) bool {
	labels = append(slices.Clone(labels), report.LabelProvisional)
	return ginkgo.It(text, labels, ginkgo.Offset(1), func(ctx ginkgo.SpecContext) {
		if err := gomega.InterceptGomegaFailure(func() { body(ctx) }); err != nil {
			Skip(report.SkipProvisionalFailed + harness.LogSafe(err.Error()))
		}
	})
}

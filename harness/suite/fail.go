package suite

import (
	"github.com/onsi/ginkgo/v2"

	"github.com/chconform/chconform/harness"
)

// shapes masks by shape only, for the rare message written before the run's
// configuration could be loaded.
var shapes = harness.NewRedactor(nil)

// redact masks msg with the run's own redactor, which knows the configured
// secrets (CH_AUTH_TOKEN and every token of the profile) in every form the
// redactor recognises, not only their shapes: a target may quote a token of
// any shape back ("Invalid token ...").
func redact(msg string) string {
	if e, err := Load(); err == nil && e != nil && e.Redactor != nil {
		return e.Redactor.String(msg)
	}
	return shapes.String(msg)
}

// Fail is ginkgo.Fail after the run's redactor and harness.LogSafe: every
// failure message, from Gomega (Prepare registers Fail as its fail handler)
// or from the harness, reaches Ginkgo's reports and stdout masked, and can
// write no workflow command or terminal escape into a CI log.
func Fail(message string, callerSkip ...int) {
	skip := 0
	if len(callerSkip) > 0 {
		skip = callerSkip[0]
	}
	ginkgo.Fail(harness.LogSafe(redact(message)), skip+1)
}

// Skip is ginkgo.Skip after the run's redactor: a skip reason may quote a
// transport error or a fixture path.
func Skip(message string, callerSkip ...int) {
	skip := 0
	if len(callerSkip) > 0 {
		skip = callerSkip[0]
	}
	ginkgo.Skip(redact(message), skip+1)
}

package conformance_test

import (
	"testing"

	"github.com/chconform/chconform/conformance"
	"github.com/chconform/chconform/emulator"
)

// The suite against a server's http.Handler, in the server's own `go test`:
// no port, no socket. The function below is what goes into a _test.go file
// as TestConformance; an example cannot be handed a *testing.T, so this one
// only builds it (go test compiles it; it has no output to check).
func ExampleRun_handler() {
	TestConformance := func(t *testing.T) {
		opts := conformance.DefaultOptions() // CH_* variables of the CI job still steer the run
		opts.Handler = emulator.New(emulator.Options{}).Handler()
		opts.Profile = "emulator" // what the target can do: sign-ups, mutations, every documented state
		opts.ReportDir = "reports/conformance"
		opts.Skips = []conformance.Skip{{
			Match:  "CH-3fa9c2d1", // a case id from an earlier report
			Reason: "issue 12: me has no photo_url yet",
		}}
		conformance.Run(t, opts) // each failed spec fails t with its case id and curl command
	}
	_ = TestConformance
}

// The suite against a server listening somewhere, from `go test`: the same
// run as `CH_BASE_URL=... chconform run`, its verdict failing the test.
func ExampleRun_url() {
	TestConformance := func(t *testing.T) {
		opts := conformance.DefaultOptions()
		opts.BaseURL = "http://127.0.0.1:8080/api"
		opts.Profile = "live"
		opts.AuthToken = "..." // better: CH_AUTH_TOKEN in the environment, out of the code
		opts.Filter = "!mutating"
		conformance.Run(t, opts)
	}
	_ = TestConformance
}

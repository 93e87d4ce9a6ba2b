package reportcmd

import (
	"fmt"
	"io"

	"github.com/chconform/chconform/harness/suite"
)

// runPreflight loads what every suite process will load (configuration,
// contract, profile, fixtures) once, before any suite starts, so a broken
// configuration is one clear line naming the variable and exit 2, instead of
// one failure per suite. Against a base URL it also checks that the target
// accepts connections: "target unreachable: ..." and exit 2 otherwise.
func runPreflight(args []string, stdout, stderr io.Writer, _ env) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprintln(stdout, "usage: chconform preflight")
		fmt.Fprintln(stdout, "Loads the configuration (CH_*), the contract, the profile and the fixtures a run would use, and")
		fmt.Fprintln(stdout, "checks that a base URL accepts connections. Exit 0 ready; 2 naming the problem.")
		return 0
	}
	if len(args) > 0 {
		fmt.Fprintln(stderr, "chconform preflight takes no arguments")
		return exitUsage
	}
	e, err := suite.Check()
	if err != nil {
		fmt.Fprintf(stderr, "chconform: %v\n", err)
		return exitUsage
	}
	target := "the embedded fixtures"
	if e.Config.Fixtures != "" {
		target = "the fixtures in " + e.Config.Fixtures
	}
	if e.Config.BaseURL != nil {
		target = e.Config.Redacted()["CH_BASE_URL"]
	}
	fmt.Fprintf(stdout, "chconform: %s against %s (profile %s, contract %s, sha256 %.12s)\n",
		"running", target, e.Profile.Name, e.Spec.Path, e.Spec.SHA256)
	return 0
}

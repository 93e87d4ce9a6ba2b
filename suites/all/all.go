// Package all holds every conformance suite at once: importing it registers
// the specs of every endpoint group, so one binary runs them all
// (`chconform run`, or `go test ./suites/all`, which `ginkgo -p` can run in
// parallel). Each group's own package still runs alone under `go test`.
package all

import (
	// Each import registers one group's specs (ginkgo.Describe at package
	// level); all_test.go keeps this list in step with suites/.
	_ "github.com/chconform/chconform/suites/app"
	_ "github.com/chconform/chconform/suites/auth"
	_ "github.com/chconform/chconform/suites/channels"
	_ "github.com/chconform/chconform/suites/clubs"
	_ "github.com/chconform/chconform/suites/events"
	_ "github.com/chconform/chconform/suites/explore"
	_ "github.com/chconform/chconform/suites/invites"
	_ "github.com/chconform/chconform/suites/notifications"
	_ "github.com/chconform/chconform/suites/topics"
	_ "github.com/chconform/chconform/suites/users"
)

// Groups are the spec groups this package registers, in import order: the
// endpoint groups, and explore, the generation phase over every operation.
var Groups = []string{"app", "auth", "channels", "clubs", "events", "explore", "invites", "notifications", "topics", "users"}

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
	_ "github.com/chconform/chconform/suites/invites"
	_ "github.com/chconform/chconform/suites/notifications"
	_ "github.com/chconform/chconform/suites/topics"
	_ "github.com/chconform/chconform/suites/users"
)

// Groups are the endpoint groups this package registers, in import order.
var Groups = []string{"app", "auth", "channels", "clubs", "events", "invites", "notifications", "topics", "users"}

package harness

import (
	"errors"
	"fmt"
	"time"
)

// ErrRunTimeout marks a request the client did not send, or cut off, because
// the run's deadline (CH_RUN_TIMEOUT) passed: the spec is a harness error and
// the run goes on to write its reports.
var ErrRunTimeout = errors.New("run deadline (CH_RUN_TIMEOUT) passed")

// runDeadlineError is the error of a request refused or cut at deadline.
func runDeadlineError(deadline time.Time, cause error) error {
	if cause != nil {
		return fmt.Errorf("%w at %s: request cut off: %v", ErrRunTimeout, deadline.UTC().Format(time.RFC3339), cause)
	}
	return fmt.Errorf("%w at %s: not sending more requests", ErrRunTimeout, deadline.UTC().Format(time.RFC3339))
}

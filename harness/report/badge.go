package report

import "fmt"

// Badge is a shields.io endpoint document
// (https://shields.io/badges/endpoint-badge): a compatible server's README
// shows its status with
// https://img.shields.io/endpoint?url=<where badge.json is served>.
type Badge struct {
	SchemaVersion int    `json:"schemaVersion"`
	Label         string `json:"label"`
	Message       string `json:"message"`
	Color         string `json:"color"`
	IsError       bool   `json:"isError,omitempty"`
}

// NewBadge sums a verdict up in a badge: "conformant" (green) when nothing
// failed and every documented response was exercised, "conformant with
// gaps" (yellow) when nothing failed but some were not, "not conformant"
// (red) otherwise, each with the documented responses exercised.
func NewBadge(s Summary) Badge {
	b := Badge{SchemaVersion: 1, Label: "clubhouse api"}
	c := s.Coverage
	switch {
	case s.Totals.Failed > 0 || s.Totals.Error > 0:
		b.Message, b.Color, b.IsError = "not conformant", "red", true
	case c.ResponsesExercised < c.ResponsesTotal || s.Totals.Unsupported > 0 || len(s.Specs) == 0:
		b.Message, b.Color = "conformant with gaps", "yellow"
	default:
		b.Message, b.Color = "conformant", "brightgreen"
	}
	b.Message += fmt.Sprintf(", %d/%d responses", c.ResponsesExercised, c.ResponsesTotal)
	return b
}

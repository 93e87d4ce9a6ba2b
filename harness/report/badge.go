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

// NewBadge sums a summary's verdict up in a badge: "conformant" (green),
// "conformant with gaps" (yellow: nothing failed, the floor was met, some
// documented responses were not verified) or "not conformant" (red), each
// with the documented responses verified.
func NewBadge(s Summary) Badge {
	b := Badge{SchemaVersion: 1, Label: "clubhouse api"}
	switch s.Verdict {
	case VerdictConformant:
		b.Message, b.Color = "conformant", "brightgreen"
	case VerdictWithGaps:
		b.Message, b.Color = "conformant with gaps", "yellow"
	default:
		b.Message, b.Color, b.IsError = "not conformant", "red", true
	}
	if s.Target.Anonymous {
		b.Message += " (anonymous)"
	}
	b.Message += fmt.Sprintf(", verified %d/%d", s.Verified.Verified, s.Verified.Total)
	return b
}

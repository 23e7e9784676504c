// Package journal writes the one structured log line per message state
// change, after the change is committed, with a fixed set of fields. It never
// logs message text or secrets.
package journal

import (
	"time"

	"github.com/rs/zerolog"
)

// Entry is one state change of a message or of one of its parts.
type Entry struct {
	Event      string // mt_accepted, mt_queued, mt_submitted, dr_received, mt_delivered, ...
	MessageID  string
	Part       int // -1 for the whole message
	Parts      int
	Customer   string
	Operator   string
	OperatorID string
	Status     string
	Error      string
	Latency    time.Duration // since the message was accepted; 0 = unknown
}

// Log writes e as one line.
func Log(log *zerolog.Logger, e Entry) {
	ev := log.Info().Str("event", e.Event).Str("message_id", e.MessageID)
	if e.Part >= 0 {
		ev = ev.Int("part", e.Part)
	}
	if e.Parts > 0 {
		ev = ev.Int("parts", e.Parts)
	}
	if e.Customer != "" {
		ev = ev.Str("customer", e.Customer)
	}
	if e.Operator != "" {
		ev = ev.Str("operator", e.Operator)
	}
	if e.OperatorID != "" {
		ev = ev.Str("operator_message_id", e.OperatorID)
	}
	if e.Status != "" {
		ev = ev.Str("status", e.Status)
	}
	if e.Error != "" {
		ev = ev.Str("error", e.Error)
	}
	if e.Latency > 0 {
		ev = ev.Dur("latency_ms", e.Latency)
	}
	ev.Send()
}

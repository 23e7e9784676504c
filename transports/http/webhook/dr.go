package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// TypeDR is DR.Type.
const TypeDR = "dr"

// DR is the body of a delivery report callback; doc.go describes each field.
type DR struct {
	EventID   string    `json:"event_id"`
	Type      string    `json:"type"`
	MessageID string    `json:"message_id"`
	ClientRef string    `json:"client_ref,omitempty"`
	Status    string    `json:"status"`
	To        string    `json:"to"`
	From      string    `json:"from"`
	Parts     []DRPart  `json:"parts"`
	At        time.Time `json:"at"`
}

// DRPart is one part of a (possibly concatenated) message.
type DRPart struct {
	Index             int    `json:"index"`
	Status            string `json:"status"`
	Operator          string `json:"operator,omitempty"`
	OperatorMessageID string `json:"operator_message_id,omitempty"`
	Error             string `json:"error,omitempty"`
}

// MarshalDR encodes dr as a callback body: type set to "dr", time in UTC,
// parts an array even when empty. It refuses a DR without the fields a
// receiver needs to deduplicate and match it.
func MarshalDR(dr DR) ([]byte, error) {
	switch {
	case dr.EventID == "":
		return nil, errors.New("webhook: marshal DR: empty event_id")
	case dr.MessageID == "":
		return nil, fmt.Errorf("webhook: marshal DR %s: empty message_id", dr.EventID)
	case dr.Status == "":
		return nil, fmt.Errorf("webhook: marshal DR %s: empty status", dr.EventID)
	}
	dr.Type = TypeDR
	dr.At = dr.At.UTC()
	if dr.Parts == nil {
		dr.Parts = []DRPart{}
	}
	b, err := json.Marshal(dr)
	if err != nil {
		return nil, fmt.Errorf("webhook: marshal DR %s: %w", dr.EventID, err)
	}
	return b, nil
}

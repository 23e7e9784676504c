package webhook

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// TypeMO is the "type" of an MO callback.
const TypeMO = "mo"

// MO is the JSON body of an MO callback: a message a handset sent to one of
// the customer's short codes. Text is the decoded UTF-8 text; a binary MO
// (8-bit data coding) has no text and carries its bytes in payload_base64.
type MO struct {
	EventID       string    `json:"event_id"`
	Type          string    `json:"type"`
	MOID          string    `json:"mo_id"`
	From          string    `json:"from"`
	To            string    `json:"to"`
	Text          string    `json:"text"`
	DataCoding    int       `json:"data_coding"`
	PayloadBase64 string    `json:"payload_base64,omitempty"`
	Operator      string    `json:"operator,omitempty"`
	At            time.Time `json:"at"`
}

// MarshalMO encodes an MO callback body; payload is included only when the
// text could not be decoded.
func MarshalMO(m MO, payload []byte) ([]byte, error) {
	switch {
	case m.EventID == "":
		return nil, errors.New("webhook: marshal MO: empty event_id")
	case m.MOID == "":
		return nil, fmt.Errorf("webhook: marshal MO %s: empty mo_id", m.EventID)
	}
	m.Type = TypeMO
	m.At = m.At.UTC()
	if m.Text == "" && len(payload) > 0 {
		m.PayloadBase64 = base64.StdEncoding.EncodeToString(payload)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("webhook: marshal MO %s: %w", m.EventID, err)
	}
	return b, nil
}

package api

import (
	"context"
	"time"
)

// Gateway is what the customer API needs from the rest of smsgw. The actors
// layer implements it; this package only speaks HTTP and JSON.
type Gateway interface {
	// Authenticate maps an API key to its customer.
	Authenticate(apiKey string) (customerID string, ok bool)
	// Submit accepts one message and returns only after it is durably stored.
	// Business errors are *Error values (422 unknown sender, 429 rate limit …).
	Submit(ctx context.Context, customerID string, req *SubmitRequest) (*SubmitResponse, error)
	// Message returns a customer's own message; *Error 404 otherwise.
	Message(ctx context.Context, customerID, id string) (*MessageResponse, error)
	// Ready reports whether the gateway accepts traffic (nil) or why not.
	Ready() error
}

// SubmitRequest is the body of POST /v1/messages after syntactic checks.
type SubmitRequest struct {
	To             string `json:"to"`
	From           string `json:"from"`
	Text           string `json:"text"`
	ClientRef      string `json:"client_ref,omitempty"`
	CallbackURL    string `json:"callback_url,omitempty"`
	IdempotencyKey string `json:"-"` // Idempotency-Key header, or client_ref when the header is absent
	BodyHash       string `json:"-"` // hex SHA-256 of the canonical request, to detect key reuse with a different body
}

// SubmitResponse is the 202 answer (and the replay of it for an idempotent retry).
type SubmitResponse struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Parts     int    `json:"parts"`
	Encoding  string `json:"encoding"` // "gsm7" or "ucs2"
	ClientRef string `json:"client_ref,omitempty"`
}

// MessageResponse is GET /v1/messages/{id}.
type MessageResponse struct {
	ID        string         `json:"id"`
	Status    string         `json:"status"`
	To        string         `json:"to"`
	From      string         `json:"from"`
	ClientRef string         `json:"client_ref,omitempty"`
	Parts     []PartStatus   `json:"parts"`
	Events    []MessageEvent `json:"events"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// PartStatus is one part of a message.
type PartStatus struct {
	Index      int       `json:"index"`
	Status     string    `json:"status"`
	Operator   string    `json:"operator,omitempty"`
	OperatorID string    `json:"operator_message_id,omitempty"`
	Error      string    `json:"error,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// MessageEvent is one state transition.
type MessageEvent struct {
	Type   string    `json:"type"`
	Part   *int      `json:"part,omitempty"`
	Status string    `json:"status"`
	Detail string    `json:"detail,omitempty"`
	At     time.Time `json:"at"`
}

// Error is an API error: HTTP status plus a stable machine code, rendered as
// {"error":{"code":…,"message":…}}.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

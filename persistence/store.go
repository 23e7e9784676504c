package persistence

import (
	"context"
	"errors"
	"time"
)

// Status is the state of a message or of one of its parts. States are
// ordered by Rank and a write never moves a part or a message to a lower
// rank: a late or repeated event is a no-op.
type Status string

const (
	StatusAccepted      Status = "accepted"
	StatusQueued        Status = "queued"
	StatusUnknown       Status = "unknown" // submit_sm sent, no response: outcome unknown, never resent silently
	StatusSubmitted     Status = "submitted"
	StatusDelivered     Status = "delivered"
	StatusExpired       Status = "expired"
	StatusUndeliverable Status = "undeliverable"
	StatusRejected      Status = "rejected"
	StatusFailed        Status = "failed"
)

// finalRank is the rank of the first final state; every state at or above
// it is final.
const finalRank = 100

var ranks = map[Status]int{
	StatusAccepted:      10,
	StatusQueued:        20,
	StatusUnknown:       30,
	StatusSubmitted:     40,
	StatusDelivered:     100,
	StatusExpired:       101,
	StatusUndeliverable: 102,
	StatusRejected:      103,
	StatusFailed:        104,
}

// Rank is the stored integer form of a status; 0 for an unknown name.
func (s Status) Rank() int { return ranks[s] }

// Final reports whether no further transition can follow.
func (s Status) Final() bool { return s.Rank() >= finalRank }

// StatusOfRank is the inverse of Rank; "" for a rank that names no status.
func StatusOfRank(r int) Status {
	for s, v := range ranks {
		if v == r {
			return s
		}
	}
	return ""
}

// ErrNotFound is returned by reads of an id that does not exist (or belongs
// to another customer).
var ErrNotFound = errors.New("persistence: not found")

// Message is one customer MT, split into Parts.
type Message struct {
	ID                 string // ULID, assigned by the caller
	CustomerID         string
	ClientRef          string
	IdempotencyKey     string // empty: none; unique per customer
	RequestHash        string // hash of the request body, to tell a replay from a conflicting reuse of the key
	From, To           string
	DataCoding         byte
	Route              []string // ordered operator ids chosen at acceptance
	CallbackURL        string
	RegisteredDelivery bool
	Status             Status // derived from the parts by the store
	PartCount          int
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Part is one submit_sm of a message.
type Part struct {
	MessageID  string
	Index      int  // 0-based
	DataCoding byte // as sent in submit_sm
	ESMClass   byte // 0x40 when Payload starts with a UDH
	Payload    []byte
	Status     Status
	Operator   string // operator id the part was last sent to
	OperatorID string // the operator's message id from submit_sm_resp, as received
	Error      string // last error, e.g. "ESME_RSUBMITFAIL" or "stat:UNDELIV err:001"
	UpdatedAt  time.Time
}

// Event is one state transition, as stored (one row per transition).
type Event struct {
	ID        string
	MessageID string
	Part      int    // -1 for message-level events
	Type      string // mt_accepted, mt_queued, mt_submitted, dr_received, mt_delivered, ...
	Status    Status
	Detail    string
	At        time.Time
}

// MessageView is a message with its parts and events, for the API.
type MessageView struct {
	Message Message
	Parts   []Part
	Events  []Event
}

// Callback is one due entry of the outbox, joined with what the customer's
// callback needs. ID is stable across retries so receivers can dedupe.
type Callback struct {
	ID         string
	MessageID  string
	CustomerID string
	URL        string
	Attempts   int
	NextAt     time.Time
	View       MessageView // events left empty
}

// Op is one write; ops passed to one Write call commit atomically, and the
// store's writer batches concurrent Write calls into one transaction.
type Op interface{ op() }

// InsertMessage stores a new message, its parts (status = Message.Status,
// accepted or queued) and an event per part. If the customer's idempotency
// key is already taken nothing is written and the Result says Duplicate.
type InsertMessage struct {
	Message Message
	Parts   []Part
}

// SetPartStatus moves a part forward (never backward). With OperatorID set
// the operator id is recorded and indexed for DR matching, and a DR that was
// buffered for that id is applied in the same transaction. The message's
// status is re-derived; when it becomes final and the message has a
// callback URL, an outbox entry is created (once).
type SetPartStatus struct {
	MessageID  string
	Part       int
	Status     Status
	Operator   string
	OperatorID string
	Error      string
	EventType  string
	At         time.Time
}

// MatchDR applies a delivery report to the part whose operator id matches
// any of the Candidates (forms of the same id: as received, hex, decimal,
// without leading zeros). Unmatched DRs are buffered until SetPartStatus
// records the id.
type MatchDR struct {
	Operator   string
	Candidates []string
	Status     Status
	Error      string
	At         time.Time
}

// CallbackDone removes a delivered outbox entry.
type CallbackDone struct{ ID string }

// CallbackRetry reschedules an outbox entry after a failed attempt.
type CallbackRetry struct {
	ID        string
	NextAt    time.Time
	LastError string
}

func (InsertMessage) op() {}
func (SetPartStatus) op() {}
func (MatchDR) op()       {}
func (CallbackDone) op()  {}
func (CallbackRetry) op() {}

// Result answers one Op, in the order given.
type Result struct {
	// InsertMessage: Duplicate with MessageID/RequestHash of the message that holds the key.
	Duplicate   bool
	RequestHash string
	// SetPartStatus, MatchDR: Applied when the part moved.
	Applied bool
	// MatchDR: Matched (false = buffered); MessageID and Part say which part.
	Matched   bool
	MessageID string
	Part      int
	// SetPartStatus: AppliedDR when a DR buffered for the recorded operator
	// id moved the part in the same write (its event is dr_received).
	AppliedDR bool
	// SetPartStatus, MatchDR: the message's derived status after the write,
	// and whether this write made it final.
	MessageStatus Status
	BecameFinal   bool
}

// Store is the durable truth. Both backends (sqlite, crdb) pass the same
// contract suite.
type Store interface {
	// Write commits ops atomically (batched with concurrent calls) and
	// returns only after the commit is durable.
	Write(ctx context.Context, ops ...Op) ([]Result, error)
	// Message returns a customer's message; ErrNotFound for another customer's.
	Message(ctx context.Context, customerID, id string) (*MessageView, error)
	// Idempotent returns the message holding a customer's idempotency key.
	Idempotent(ctx context.Context, customerID, key string) (id, requestHash string, found bool, err error)
	// Unfinished lists messages that have parts not yet submitted (accepted,
	// queued), ordered by id, after the given id, for recovery at start.
	Unfinished(ctx context.Context, afterID string, limit int) ([]MessageView, error)
	// DueCallbacks lists outbox entries with NextAt <= now.
	DueCallbacks(ctx context.Context, now time.Time, limit int) ([]Callback, error)
	// Prune deletes at most limit finished messages (and their parts,
	// events, index rows) last updated before the cutoff.
	Prune(ctx context.Context, before time.Time, limit int) (int, error)
	Close() error
}

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
	IdempotencyKey     string // empty: none; unique per customer. SMPP submits put their dedup key here (prefixed so it cannot meet an HTTP key)
	RequestHash        string // hash of the request body, to tell a replay from a conflicting reuse of the key
	From, To           string
	DataCoding         byte
	Route              []string // ordered operator ids chosen at acceptance
	CallbackURL        string
	RegisteredDelivery bool
	// Channel is how the customer submitted it: "" or ChannelHTTP (read back
	// as "http"), or ChannelSMPP, whose final status also queues an SMPP
	// delivery of the DR (see SetPartStatus).
	Channel string
	// DeliveryTTL bounds how long that SMPP DR delivery waits for the
	// customer; 0 means DefaultDeliveryTTL.
	DeliveryTTL time.Duration
	Status      Status // derived from the parts by the store
	PartCount   int
	CreatedAt   time.Time
	UpdatedAt   time.Time
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
	Kind       string // KindDR: the message's final status (View); KindMO: an MO (MO)
	MessageID  string // KindDR: the message; KindMO: the MO's id
	CustomerID string
	URL        string
	Attempts   int
	NextAt     time.Time
	View       MessageView // KindDR only; events left empty
	MO         *MO         // KindMO only
}

// Channels a message came in on or an MO is routed to.
const (
	ChannelHTTP = "http"
	ChannelSMPP = "smpp"
)

// Kinds of what is owed to a customer (Callback.Kind, Delivery.Kind).
const (
	KindDR = "dr"
	KindMO = "mo"
)

// DefaultDeliveryTTL is the lifetime of an SMPP delivery created with no
// TTL given.
const DefaultDeliveryTTL = 48 * time.Hour

// MO is one mobile-originated message as received from an operator (a
// deliver_sm that is not a receipt, or a reassembled multipart one).
type MO struct {
	ID         string // ULID, assigned by the caller
	Operator   string
	From, To   string
	DataCoding byte
	Payload    []byte // decoded body as received, without UDH
	Text       string // UTF-8; may be empty for binary
	CustomerID string // routed customer; "" = no route
	Channel    string // ChannelHTTP, ChannelSMPP, or "" when unrouted
	URL        string // callback target when Channel is ChannelHTTP
	DedupKey   string // caller-built identity of the operator's MO; "" = no dedup
	ReceivedAt time.Time
}

// MOPartKey names the set of parts of one multipart MO. A reused Ref with
// another Total is another set.
type MOPartKey struct {
	Operator, From, To string
	Ref                uint16
	Total              uint8
}

// MOPart is one part of a multipart MO waiting for its siblings.
type MOPart struct {
	MOPartKey
	Seq        uint8 // 1-based, as in the UDH
	DataCoding byte
	Payload    []byte // without UDH
	DedupKey   string // caller-built identity of this part; "" = none
	ReceivedAt time.Time
}

// MOPartSet is the stored parts of one multipart MO, in Seq order.
type MOPartSet struct {
	Key   MOPartKey
	Parts []MOPart
}

// Delivery is one DR or MO owed to a customer over SMPP (a deliver_sm to a
// bound receiver). ID is stable across retries. Seq orders a customer's
// deliveries (time-ordered, assigned by the store when empty).
type Delivery struct {
	ID         string
	CustomerID string
	Kind       string // KindDR or KindMO
	MessageID  string // KindDR: our message id
	MOID       string // KindMO: the MO's id
	Seq        string
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero on enqueue: CreatedAt + DefaultDeliveryTTL
	NextAt     time.Time // earliest next attempt
	Attempts   int
	LastError  string
	// Content of the deliver_sm. KindDR: From/To are the message's (the
	// caller swaps them for the receipt), Status its final status, Error
	// the operator error of its worst part, SubmittedAt/DoneAt its
	// acceptance and final times. KindMO: From, To, DataCoding, Payload.
	From, To    string
	DataCoding  byte
	Payload     []byte
	Status      Status
	Error       string
	SubmittedAt time.Time
	DoneAt      time.Time
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
// callback URL, an outbox entry is created (once); when it becomes final
// and its Channel is smpp, a Delivery of its DR is created (once, ID =
// message id+".dr.smpp", ExpiresAt = now + Message.DeliveryTTL), in
// addition to the outbox entry if it also has a callback URL. MatchDR does
// the same.
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

// InsertMO stores an MO. If its DedupKey is already stored nothing is
// written and the Result says Duplicate with MOID, the stored MO's id (a
// replay of the same MO id is not a duplicate and adds nothing). An
// accepted, routed MO queues, in the same transaction, its delivery to the
// customer: Channel smpp → a Delivery with ID = MO.ID+".mo.smpp" and
// ExpiresAt = ReceivedAt + DeliveryTTL (0: DefaultDeliveryTTL); Channel
// http → an outbox entry with ID = MO.ID+".mo" (Callback.Kind KindMO).
type InsertMO struct {
	MO          MO
	DeliveryTTL time.Duration
}

// InsertMOPart stores one part of a multipart MO, durably, until its set is
// complete. A part already stored (same key and Seq, or same DedupKey, or a
// DedupKey of a set already deleted by DeleteMOParts) is not written and
// the Result says Duplicate. Either way the Result gives PartsStored, the
// distinct parts stored for the key, and, once that reaches Total, PartSet
// with every part in Seq order. The parts stay stored: the caller then
// writes InsertMO of the assembled message and DeleteMOParts of the key in
// one Write, so a crash between the two loses nothing.
type InsertMOPart struct{ Part MOPart }

// DeleteMOParts removes a set's parts (after its MO was stored, in the same
// Write), remembering their DedupKeys until Prune so that a late
// retransmitted part is still a Duplicate. Applied when parts were deleted.
type DeleteMOParts struct{ Key MOPartKey }

// EnqueueDelivery queues a delivery to a customer over SMPP. An existing ID
// writes nothing (Applied false). Seq empty: the store assigns one;
// CreatedAt zero: now; NextAt zero: CreatedAt; ExpiresAt zero: CreatedAt +
// DefaultDeliveryTTL.
type EnqueueDelivery struct{ Delivery Delivery }

// DeliveryDone marks a pending delivery done (deliver_sm_resp received);
// Applied when it was pending.
type DeliveryDone struct{ ID string }

// DeliveryRetry counts a failed attempt of a pending delivery and sets its
// next attempt; Applied when it was pending.
type DeliveryRetry struct {
	ID        string
	NextAt    time.Time
	LastError string
}

func (InsertMessage) op()   {}
func (InsertMO) op()        {}
func (InsertMOPart) op()    {}
func (DeleteMOParts) op()   {}
func (EnqueueDelivery) op() {}
func (DeliveryDone) op()    {}
func (DeliveryRetry) op()   {}
func (SetPartStatus) op()   {}
func (MatchDR) op()         {}
func (CallbackDone) op()    {}
func (CallbackRetry) op()   {}

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
	// InsertMO: with Duplicate, the id of the MO that holds the DedupKey.
	MOID string
	// InsertMOPart: the distinct parts stored for the key after the write,
	// and the whole set once PartsStored reaches Total (nil before).
	PartsStored int
	PartSet     *MOPartSet
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
	// events, index rows) last updated before the cutoff, keeping those
	// whose callback or SMPP DR delivery is still owed (a delivery whose
	// ExpiresAt is before the cutoff is no longer owed). It also deletes at
	// most limit MOs received before the cutoff under the same rule, with
	// their outbox entries and deliveries; finished deliveries created
	// before the cutoff whose message or MO is gone; MO parts and
	// remembered part DedupKeys older than the cutoff (the cutoff is far
	// past the reassembly timeout). It returns the messages and MOs deleted.
	Prune(ctx context.Context, before time.Time, limit int) (int, error)
	// PendingDeliveries lists a customer's deliveries that are neither done
	// nor expired at now, in Seq order, including those waiting for NextAt
	// (the caller keeps order by not sending past one that is not due).
	PendingDeliveries(ctx context.Context, customerID string, now time.Time, limit int) ([]Delivery, error)
	// ExpireDeliveries marks at most limit pending deliveries whose
	// ExpiresAt is at or before now as expired and returns them.
	ExpireDeliveries(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	// ExpiredMOParts returns at most limit sets of MO parts whose first part
	// was received before olderThan, oldest first, for the reassembly
	// timeout: the caller stores them as they are and deletes the set.
	ExpiredMOParts(ctx context.Context, olderThan time.Time, limit int) ([]MOPartSet, error)
	Close() error
}

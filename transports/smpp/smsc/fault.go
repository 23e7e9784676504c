package smsc

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linxGnu/gosmpp/data"
)

// FaultKind names one misbehaviour from the simulator catalogue.
type FaultKind int

const (
	// FaultNoResponse drops matching submit_sm without an answer.
	FaultNoResponse FaultKind = iota + 1
	// FaultGenericNack answers matching submit_sm with generic_nack (Status,
	// default ESME_RSYSERR); NoSeq sends it with sequence number 0.
	FaultGenericNack
	// FaultStatus answers matching submit_sm with submit_sm_resp carrying
	// Status (e.g. ESME_RTHROTTLED) and no message id.
	FaultStatus
	// FaultRespDelay sends the submit_sm_resp Delay late.
	FaultRespDelay
	// FaultUnbind answers a matching submit_sm with an unbind instead; the
	// SMSC closes the connection when the unbind_resp arrives (or after 2 s).
	// With After: N, the first N submits are answered normally.
	FaultUnbind
	// FaultDisconnect closes the connection instead of answering a matching
	// submit_sm (responses already queued are flushed first).
	FaultDisconnect
	// FaultDRBeforeResp sends the receipt immediately, before the
	// submit_sm_resp.
	FaultDRBeforeResp
	// FaultReceiptFirstPartOnly sends receipts only for part 1 of
	// concatenated messages (UDH or SAR).
	FaultReceiptFirstPartOnly
	// FaultReceiptStat gives matching receipts Stat (default UNDELIV) and Err
	// (default "001"). With DestPrefix this is "UNDELIV for destinations".
	FaultReceiptStat
	// FaultBindRefused answers binds with Status (default ESME_RBINDFAIL).
	FaultBindRefused
	// FaultNoBindResponse never answers binds.
	FaultNoBindResponse
)

// Receipt stat values (Appendix B).
const (
	StatDelivered     = "DELIVRD"
	StatExpired       = "EXPIRED"
	StatDeleted       = "DELETED"
	StatUndeliverable = "UNDELIV"
	StatAccepted      = "ACCEPTD"
	StatUnknown       = "UNKNOWN"
	StatRejected      = "REJECTD"
	StatEnroute       = "ENROUTE"
)

// Fault is one active misbehaviour. A fault matches the PDUs it is about
// (submit_sm whose destination starts with DestPrefix, or binds); the first
// After matches pass untouched, the next Count matches (0 = all) get the
// fault.
type Fault struct {
	Kind       FaultKind
	Status     data.CommandStatusType // FaultStatus, FaultGenericNack, FaultBindRefused
	After      int
	Count      int
	DestPrefix string        // submit faults only; "" matches every destination
	Delay      time.Duration // FaultRespDelay
	Stat       string        // FaultReceiptStat
	Err        string        // FaultReceiptStat: 3-digit err field
	NoSeq      bool          // FaultGenericNack
}

func (f Fault) onBind() bool { return f.Kind == FaultBindRefused || f.Kind == FaultNoBindResponse }

// faultSet is the active set; each fault counts its own matches.
type faultSet struct {
	active atomic.Bool // lets the hot path skip the lock when no fault is set
	mu     sync.Mutex
	faults []Fault
	seen   []int
}

func (fs *faultSet) set(faults []Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.faults = append([]Fault(nil), faults...)
	fs.seen = make([]int, len(faults))
	fs.active.Store(len(faults) > 0)
}

// match returns the faults that apply to this PDU, counting it against
// every fault that matches.
func (fs *faultSet) match(bind bool, dest string) []Fault {
	if !fs.active.Load() {
		return nil
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var out []Fault
	for i, f := range fs.faults {
		if f.onBind() != bind || (!bind && !strings.HasPrefix(dest, f.DestPrefix)) {
			continue
		}
		fs.seen[i]++
		n := fs.seen[i]
		if n > f.After && (f.Count == 0 || n <= f.After+f.Count) {
			out = append(out, f)
		}
	}
	return out
}

// submitPlan is what the faults decide for one submit_sm.
type submitPlan struct {
	answer    FaultKind // 0: normal submit_sm_resp
	status    data.CommandStatusType
	noSeq     bool
	delay     time.Duration
	drFirst   bool
	firstOnly bool
	stat, err string
}

func planSubmit(faults []Fault) submitPlan {
	var p submitPlan
	for _, f := range faults {
		switch f.Kind {
		case FaultNoResponse, FaultGenericNack, FaultStatus, FaultUnbind, FaultDisconnect:
			if p.answer == 0 {
				p.answer, p.status, p.noSeq = f.Kind, f.Status, f.NoSeq
			}
		case FaultRespDelay:
			p.delay = f.Delay
		case FaultDRBeforeResp:
			p.drFirst = true
		case FaultReceiptFirstPartOnly:
			p.firstOnly = true
		case FaultReceiptStat:
			p.stat, p.err = f.Stat, f.Err
			if p.stat == "" {
				p.stat = StatUndeliverable
			}
			if p.err == "" {
				p.err = "001"
			}
		}
	}
	if p.answer == FaultGenericNack && p.status == data.ESME_ROK {
		p.status = data.ESME_RSYSERR
	}
	return p
}

package smsc

import (
	"maps"
	"time"

	"github.com/linxGnu/gosmpp/data"
)

// Submit is one submit_sm as the SMSC received it.
type Submit struct {
	SystemID           string
	Source             string
	Dest               string
	DataCoding         byte // the raw byte from the PDU, also values gosmpp does not know
	ESMClass           byte
	RegisteredDelivery byte
	ShortMessage       []byte // user data without the UDH; message_payload if short_message is empty
	Concat             Concat // zero when not concatenated
	Seq                int32
	MessageID          string                 // as sent in submit_sm_resp; "" when none was sent
	Answered           bool                   // false for NoResponse, Unbind, Disconnect
	Status             data.CommandStatusType // of the submit_sm_resp or generic_nack
	Time               time.Time
}

// Concat is the concatenation info of one part, from UDH IE 0x00/0x08 or
// the SAR TLVs.
type Concat struct {
	Ref   uint16
	Total uint8
	Part  uint8
}

// Stats counts what the SMSC saw and sent since it started.
type Stats struct {
	Binds        int // successful
	BindsRefused int // refused or left unanswered by a fault, or bad credentials
	Bound        int // sessions bound right now
	Submits      int // submit_sm received while bound
	// SubmitResps counts submit_sm_resp sent, by command_status.
	SubmitResps         map[data.CommandStatusType]int
	SubmitsDropped      int // left unanswered (NoResponse, Unbind, Disconnect)
	GenericNacksSent    int // for faults and for malformed input
	Malformed           int // undecodable PDUs received
	ReceiptsSent        int
	ReceiptsAcked       int // deliver_sm_resp OK
	ReceiptsFailed      int // deliver_sm_resp with an error status, or generic_nack
	ReceiptsQueued      int // waiting for a receiver bind of their system_id
	ReceiptsDropped     int // queue for a system_id overflowed
	ReceiptsRedelivered int // sent again because their session closed unanswered
	MOsRedelivered      int // sent again because their session closed unanswered
	MOsSent             int // deliver_sm PDUs, retransmissions included
	MOsAcked            int
	MOsFailed           int
	EnquireLinks        int
	Unbinds             int // unbind received from the client
}

func (s Stats) clone() Stats {
	s.SubmitResps = maps.Clone(s.SubmitResps)
	if s.SubmitResps == nil {
		s.SubmitResps = map[data.CommandStatusType]int{}
	}
	return s
}

// CountUnique counts submits by destination and payload: unique is the number
// of distinct (Dest, ShortMessage) pairs, duplicates the number of repeats.
func CountUnique(subs []Submit) (unique, duplicates int) {
	seen := make(map[string]struct{}, len(subs))
	for _, s := range subs {
		k := s.Dest + "\x00" + string(s.ShortMessage)
		if _, ok := seen[k]; ok {
			duplicates++
			continue
		}
		seen[k] = struct{}{}
	}
	return len(seen), duplicates
}

package server

import (
	"context"
	"time"

	"smsgw/transports/text"
)

// SMPP command_status values a Backend returns or a Deliver call receives.
const (
	StatusOK            uint32 = 0x00000000
	StatusInvMsgLen     uint32 = 0x00000001 // ESME_RINVMSGLEN
	StatusInvBindStatus uint32 = 0x00000004 // ESME_RINVBNDSTS
	StatusAlreadyBound  uint32 = 0x00000005 // ESME_RALYBND: also "too many binds"
	StatusSysErr        uint32 = 0x00000008 // ESME_RSYSERR
	StatusInvSrcAddr    uint32 = 0x0000000A // ESME_RINVSRCADR
	StatusInvDstAddr    uint32 = 0x0000000B // ESME_RINVDSTADR
	StatusBindFail      uint32 = 0x0000000D // ESME_RBINDFAIL
	StatusInvPassword   uint32 = 0x0000000E // ESME_RINVPASWD
	StatusInvSystemID   uint32 = 0x0000000F // ESME_RINVSYSID
	StatusMsgQFull      uint32 = 0x00000014 // ESME_RMSGQFUL
	StatusInvNumDests   uint32 = 0x00000033 // ESME_RINVNUMDESTS
	StatusInvESMClass   uint32 = 0x00000043 // ESME_RINVESMCLASS
	StatusSubmitFail    uint32 = 0x00000045 // ESME_RSUBMITFAIL
	StatusThrottled     uint32 = 0x00000058 // ESME_RTHROTTLED
	StatusTempAppErr    uint32 = 0x00000064 // ESME_RX_T_APPN
	StatusPermAppErr    uint32 = 0x00000065 // ESME_RX_P_APPN
	StatusQueryFail     uint32 = 0x00000067 // ESME_RQUERYFAIL
)

// Backend is what the server needs from the gateway. Every method may be
// called from many sessions at once.
type Backend interface {
	// Bind authenticates a bind request. It returns StatusOK, or the
	// refusal: StatusInvPassword, StatusInvSystemID, StatusBindFail,
	// StatusAlreadyBound (too many binds) ... It may call s.SetAccount.
	Bind(ctx context.Context, s *Session, systemID, password string) (status uint32)
	// Submit handles one submit_sm, one destination of a submit_multi, or
	// one data_sm. It returns our message id, or a refusal status
	// (StatusThrottled, StatusMsgQFull, StatusInvDstAddr ...). It runs off
	// the read loop; ctx ends when the session closes. m is read-only.
	Submit(ctx context.Context, s *Session, m *Submit) (messageID string, status uint32)
	// Query answers a query_sm; StatusQueryFail when the id is unknown.
	Query(ctx context.Context, s *Session, messageID string) (QueryResult, uint32)
	// Unbound is called once when a bound session ends, whatever the reason.
	Unbound(s *Session)
}

// Command says which PDU a Submit came from.
type Command byte

// Submit commands.
const (
	CommandSubmitSM Command = iota + 1
	CommandSubmitMulti
	CommandDataSM
)

// Submit is one message submitted by a customer. Slices and maps may be
// shared between the destinations of one submit_multi: do not modify them.
type Submit struct {
	Command                              Command
	ServiceType                          string
	Source, Dest                         string
	SourceTON, SourceNPI                 byte
	DestTON, DestNPI                     byte
	ESMClass, ProtocolID, PriorityFlag   byte
	RegisteredDelivery, DataCoding       byte
	ScheduleDeliveryTime, ValidityPeriod string // SMPP time format, as sent
	// ShortMessage is short_message as sent, UDH included when ESMClass has
	// UDHI (0x40). Empty for data_sm.
	ShortMessage []byte
	// Payload is the message_payload TLV, if any.
	Payload []byte
	// UDH is the parsed user data header when ESMClass has UDHI.
	UDH *text.UDH
	// SAR is the concatenation given by sar_* TLVs, if all three are there.
	SAR                  *SAR
	UserMessageReference *uint16
	// TLVs holds every optional parameter by tag, lifted ones included.
	TLVs map[uint16][]byte
}

// SAR is concatenation information from the sar_msg_ref_num,
// sar_total_segments and sar_segment_seqnum TLVs.
type SAR struct {
	Ref        uint16
	Total, Seq byte
}

// QueryResult answers a query_sm.
type QueryResult struct {
	FinalDate    time.Time // zero while the message is not final
	MessageState byte      // 1 ENROUTE ... 8 REJECTED
	ErrorCode    byte      // network error code
}

// Deliver is a deliver_sm to send to the customer: a delivery receipt
// (ESMClass 0x04) or an MO message.
type Deliver struct {
	ServiceType          string
	Source, Dest         string
	SourceTON, SourceNPI byte
	DestTON, DestNPI     byte
	ESMClass, ProtocolID byte
	DataCoding           byte
	// ShortMessage is sent as is (UDH included when ESMClass has UDHI). If
	// it is longer than 254 octets it travels in message_payload instead.
	ShortMessage []byte
	// Receipt TLVs, sent when set: receipted_message_id, message_state,
	// network_error_code (3 octets).
	ReceiptedMessageID   string
	MessageState         byte
	NetworkErrorCode     []byte
	SAR                  *SAR
	UserMessageReference *uint16
	// TLVs are further optional parameters, sent in ascending tag order.
	TLVs map[uint16][]byte
}

package pduio

import (
	"encoding/binary"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// GenericNack builds a generic_nack with the given sequence number and status.
func GenericNack(seq int32, status data.CommandStatusType) pdu.PDU {
	n := pdu.NewGenericNack().(*pdu.GenericNack)
	n.SequenceNumber = seq
	n.CommandStatus = status
	return n
}

// Response builds the response to req carrying status, with req's sequence
// number. PDUs that have no response type (responses themselves) get a
// generic_nack instead.
func Response(req pdu.PDU, status data.CommandStatusType) pdu.PDU {
	if !req.CanResponse() {
		return GenericNack(req.GetSequenceNumber(), status)
	}
	r := req.GetResponse()
	// Some gosmpp constructors (query_sm_resp) do not copy the sequence number.
	r.SetSequenceNumber(req.GetSequenceNumber())
	if h := headerOf(r); h != nil {
		h.CommandStatus = status
	}
	return r
}

// SetStatus sets the command_status of p and reports whether p's type is
// known to this package (every SMPP 3.4 PDU is).
func SetStatus(p pdu.PDU, status data.CommandStatusType) bool {
	h := headerOf(p)
	if h != nil {
		h.CommandStatus = status
	}
	return h != nil
}

// Marshal encodes p. The returned slice is owned by the caller.
func Marshal(p pdu.PDU) []byte {
	b := pdu.NewBuffer(make([]byte, 0, 256))
	p.Marshal(b)
	return b.Bytes()
}

// MarshalBodyless encodes only p's header, with command_length 16: the form
// the spec prescribes for error bind responses, and which peers use for other
// error responses.
func MarshalBodyless(p pdu.PDU) []byte {
	h := p.GetHeader()
	b := make([]byte, HeaderLen)
	binary.BigEndian.PutUint32(b, HeaderLen)
	binary.BigEndian.PutUint32(b[4:], uint32(h.CommandID))
	binary.BigEndian.PutUint32(b[8:], uint32(h.CommandStatus))
	binary.BigEndian.PutUint32(b[12:], uint32(h.SequenceNumber))
	return b
}

// headerOf returns a pointer to p's header so that status and length can be
// set without the body: gosmpp offers no setter for command_status.
func headerOf(p pdu.PDU) *pdu.Header {
	switch q := p.(type) {
	case *pdu.BindRequest:
		return &q.Header
	case *pdu.BindResp:
		return &q.Header
	case *pdu.Unbind:
		return &q.Header
	case *pdu.UnbindResp:
		return &q.Header
	case *pdu.Outbind:
		return &q.Header
	case *pdu.SubmitSM:
		return &q.Header
	case *pdu.SubmitSMResp:
		return &q.Header
	case *pdu.SubmitMulti:
		return &q.Header
	case *pdu.SubmitMultiResp:
		return &q.Header
	case *pdu.DeliverSM:
		return &q.Header
	case *pdu.DeliverSMResp:
		return &q.Header
	case *pdu.DataSM:
		return &q.Header
	case *pdu.DataSMResp:
		return &q.Header
	case *pdu.QuerySM:
		return &q.Header
	case *pdu.QuerySMResp:
		return &q.Header
	case *pdu.CancelSM:
		return &q.Header
	case *pdu.CancelSMResp:
		return &q.Header
	case *pdu.ReplaceSM:
		return &q.Header
	case *pdu.ReplaceSMResp:
		return &q.Header
	case *pdu.EnquireLink:
		return &q.Header
	case *pdu.EnquireLinkResp:
		return &q.Header
	case *pdu.AlertNotification:
		return &q.Header
	case *pdu.GenericNack:
		return &q.Header
	}
	return nil
}

package smpp

import (
	"encoding/binary"
	"fmt"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// Deliver is an MO message or a delivery receipt from the SMSC (deliver_sm
// or data_sm).
type Deliver struct {
	Source, Dest         string
	DataCoding, ESMClass byte
	// ShortMessage holds the UDH too when ESMClass&0x40 is set.
	ShortMessage []byte
	// Receipt is set when esm_class marks a delivery receipt or the PDU
	// carries receipted_message_id.
	Receipt          bool
	ReceiptedID      string // receipted_message_id TLV
	MessageState     byte   // message_state TLV, 0 when absent
	NetworkErrorCode []byte // network_error_code TLV
	SAR              *SAR   // sar_* TLVs, nil unless all three are present
	Payload          []byte // message_payload TLV
}

// SAR is the segmentation-and-reassembly TLV triple.
type SAR struct {
	Ref           uint16
	Total, Seqnum byte
}

const (
	esmUDHI    = 0x40
	esmReceipt = 0x04
)

func deliverFromDeliverSM(q *pdu.DeliverSM) (*Deliver, error) {
	d := &Deliver{
		Source:     q.SourceAddr.Address(),
		Dest:       q.DestAddr.Address(),
		ESMClass:   q.EsmClass,
		DataCoding: dataCoding(q.Message.Encoding()),
	}
	msg, err := q.Message.GetMessageData()
	if err != nil {
		return nil, fmt.Errorf("deliver_sm seq %d: message: %w", q.SequenceNumber, err)
	}
	// gosmpp strips the UDH off the text when UDHI is set; put it back so
	// callers see the short_message as it was sent.
	var udh []byte
	if h := q.Message.UDH(); len(h) > 0 {
		if udh, err = h.MarshalBinary(); err != nil {
			return nil, fmt.Errorf("deliver_sm seq %d: udh: %w", q.SequenceNumber, err)
		}
	}
	if len(udh)+len(msg) > 0 {
		d.ShortMessage = append(append(make([]byte, 0, len(udh)+len(msg)), udh...), msg...)
	}
	if err := d.readTLVs(q.OptionalParameters); err != nil {
		return nil, fmt.Errorf("deliver_sm seq %d: %w", q.SequenceNumber, err)
	}
	return d, nil
}

func deliverFromDataSM(q *pdu.DataSM) (*Deliver, error) {
	d := &Deliver{
		Source:     q.SourceAddr.Address(),
		Dest:       q.DestAddr.Address(),
		ESMClass:   q.EsmClass,
		DataCoding: q.DataCoding,
	}
	if err := d.readTLVs(q.OptionalParameters); err != nil {
		return nil, fmt.Errorf("data_sm seq %d: %w", q.SequenceNumber, err)
	}
	return d, nil
}

func (d *Deliver) readTLVs(tlv map[pdu.Tag]pdu.Field) error {
	if f, ok := tlv[pdu.TagReceiptedMessageID]; ok {
		d.ReceiptedID = f.String()
	}
	if f, ok := tlv[pdu.TagMessageStateOption]; ok && len(f.Data) > 0 {
		d.MessageState = f.Data[0]
	}
	if f, ok := tlv[pdu.TagNetworkErrorCode]; ok {
		d.NetworkErrorCode = clone(f.Data)
	}
	if f, ok := tlv[pdu.TagMessagePayload]; ok {
		d.Payload = clone(f.Data)
	}
	d.Receipt = d.ESMClass&esmReceipt != 0 || d.ReceiptedID != ""
	ref, okRef := tlv[pdu.TagSarMsgRefNum]
	total, okTotal := tlv[pdu.TagSarTotalSegments]
	seq, okSeq := tlv[pdu.TagSarSegmentSeqnum]
	if !okRef || !okTotal || !okSeq {
		return nil
	}
	if len(ref.Data) != 2 || len(total.Data) != 1 || len(seq.Data) != 1 {
		return fmt.Errorf("sar TLV lengths %d/%d/%d, want 2/1/1", len(ref.Data), len(total.Data), len(seq.Data))
	}
	d.SAR = &SAR{Ref: binary.BigEndian.Uint16(ref.Data), Total: total.Data[0], Seqnum: seq.Data[0]}
	return nil
}

// dataCoding returns the data_coding byte of a parsed message. gosmpp keeps
// no raw value for data_coding it does not know; those come back as 0 here
// and the Client takes the raw byte from its frame scanner instead.
func dataCoding(enc data.Encoding) byte {
	if enc == nil {
		return 0
	}
	return enc.DataCoding()
}

func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

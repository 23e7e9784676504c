package smsc

import (
	"errors"
	"fmt"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// ErrNoReceiver is returned by InjectMO when no receiver or transceiver
// session (of the wanted system_id) is bound.
var ErrNoReceiver = errors.New("smsc: no receiver bound")

// maxPart is the user data of one concatenated part after a 6-octet UDH.
const maxPart = 134

// MO is a mobile-originated message to inject.
type MO struct {
	SystemID string // only sessions bound with this system_id; "" = any
	From, To string
	// Text is sent as GSM 03.38 (data_coding 0, one septet per octet) when
	// every character fits, otherwise UCS2 (data_coding 8). Ignored when
	// Payload is set.
	Text string
	// Payload is sent as is with DataCoding (any value, also unknown ones).
	Payload    []byte
	DataCoding byte
	// Parts splits the payload into that many concatenated parts (UDH IE
	// 0x00, 8-bit reference). 0 splits only what does not fit in one SMS.
	Parts int
	// OutOfOrder sends the parts last first.
	OutOfOrder bool
	// Retransmit sends every deliver_sm that many extra times, each with a
	// new sequence number, as an SMSC does after a lost deliver_sm_resp.
	Retransmit int
}

// InjectMO sends mo as deliver_sm to one bound receiver or transceiver
// (round robin between sessions; all parts to the same session). It returns
// once the PDUs are queued; Stats counts the acks.
func (s *Server) InjectMO(mo MO) error {
	payload, dc := mo.Payload, mo.DataCoding
	if payload == nil {
		var err error
		payload, dc, err = encodeText(mo.Text)
		if err != nil {
			return fmt.Errorf("inject MO from %s: %w", mo.From, err)
		}
	}
	parts, err := splitParts(payload, dc, mo.Parts)
	if err != nil {
		return fmt.Errorf("inject MO from %s: %w", mo.From, err)
	}
	ss := s.pickReceiver(mo.SystemID)
	if ss == nil {
		return fmt.Errorf("inject MO from %s: %w", mo.From, ErrNoReceiver)
	}
	ref := byte(s.moRef.Add(1))
	for i := range parts {
		n := i
		if mo.OutOfOrder {
			n = len(parts) - 1 - i
		}
		for range mo.Retransmit + 1 {
			d := moPDU(mo, parts[n], dc)
			if len(parts) > 1 {
				d.EsmClass |= data.SM_UDH_GSM
				d.Message.SetUDH(pdu.UDH{pdu.NewIEConcatMessage(byte(len(parts)), byte(n+1), ref)})
			}
			if err := ss.sendTracked(d, sentMO, nil); err != nil {
				return fmt.Errorf("inject MO from %s part %d: %w", mo.From, n+1, err)
			}
			s.count(func(st *Stats) { st.MOsSent++ })
		}
	}
	return nil
}

func moPDU(mo MO, part []byte, dc byte) *pdu.DeliverSM {
	d := pdu.NewDeliverSM().(*pdu.DeliverSM)
	d.SourceAddr = address(mo.From)
	d.DestAddr = address(mo.To)
	// A custom encoding carries the exact data_coding byte, also values
	// gosmpp has no codec for.
	_ = d.Message.SetMessageDataWithEncoding(part, data.NewCustomEncoding(dc, data.BINARY8BIT2))
	return d
}

// address gives digits TON 1/NPI 1 (international, E.164) and anything else
// TON 5/NPI 0 (alphanumeric).
func address(s string) pdu.Address {
	ton, npi := byte(1), byte(1)
	for _, r := range s {
		if r < '0' || r > '9' {
			ton, npi = 5, 0
			break
		}
	}
	a, _ := pdu.NewAddressWithTonNpiAddr(ton, npi, s) // too long is the test's mistake; it shows in the PDU
	return a
}

func encodeText(text string) ([]byte, byte, error) {
	if len(data.ValidateGSM7String(text)) == 0 {
		b, err := data.GSM7BIT.Encode(text)
		return b, data.GSM7BITCoding, err
	}
	b, err := data.UCS2.Encode(text)
	return b, data.UCS2Coding, err
}

// splitParts cuts payload into parts of at most maxPart octets, never
// inside a UCS2 code unit or after a GSM 7-bit escape.
func splitParts(payload []byte, dc byte, parts int) ([][]byte, error) {
	if parts <= 0 {
		parts = 1
		if len(payload) > 140 {
			parts = (len(payload) + maxPart - 1) / maxPart
		}
	}
	if parts == 1 {
		if len(payload) > data.SM_MSG_LEN {
			return nil, fmt.Errorf("payload of %d octets does not fit one deliver_sm", len(payload))
		}
		return [][]byte{payload}, nil
	}
	if parts > 255 || len(payload) < parts {
		return nil, fmt.Errorf("cannot cut %d octets into %d parts", len(payload), parts)
	}
	out := make([][]byte, 0, parts)
	start := 0
	for i := 1; i <= parts; i++ {
		end := i * len(payload) / parts
		if dc == data.UCS2Coding {
			end &^= 1
		}
		if dc == data.GSM7BITCoding && end > start && end < len(payload) && payload[end-1] == 0x1B {
			end++
		}
		if i == parts {
			end = len(payload)
		}
		if end <= start || end-start > maxPart {
			return nil, fmt.Errorf("cannot cut %d octets into %d parts of at most %d", len(payload), parts, maxPart)
		}
		out = append(out, payload[start:end])
		start = end
	}
	return out, nil
}

// deliverMO sends an MO again (same content, new sequence number) to a
// receiver of systemID, or holds it until one binds.
func (s *Server) deliverMO(systemID string, d *pdu.DeliverSM) {
	if ss := s.pickReceiver(systemID); ss != nil && ss.sendTracked(d, sentMO, nil) == nil {
		s.count(func(st *Stats) { st.MOsSent++ })
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pendingMOs[systemID] = append(s.pendingMOs[systemID], d)
}

// takePendingMOs removes and returns the MOs held for systemID.
func (s *Server) takePendingMOs(systemID string) []*pdu.DeliverSM {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.pendingMOs[systemID]
	delete(s.pendingMOs, systemID)
	return q
}

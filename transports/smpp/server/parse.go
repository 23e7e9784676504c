package server

import (
	"bytes"
	"errors"
	"fmt"
)

// Command ids of the requests the parser reads.
const (
	cmdSubmitSM    = 0x00000004
	cmdSubmitMulti = 0x00000021
	cmdDataSM      = 0x00000103
)

// TLV tags the server reads or writes.
const (
	tagReceiptedMessageID   = 0x001E
	tagUserMessageReference = 0x0204
	tagSarMsgRefNum         = 0x020C
	tagSarTotalSegments     = 0x020E
	tagSarSegmentSeqnum     = 0x020F
	tagScInterfaceVersion   = 0x0210
	tagNetworkErrorCode     = 0x0423
	tagMessagePayload       = 0x0424
	tagMessageState         = 0x0427
)

// errTruncated reports a body that ends inside a field.
var errTruncated = errors.New("smpp: truncated PDU body")

// destination is one destination of a submit_multi: an SME address, or a
// distribution list name (isList).
type destination struct {
	ton, npi byte
	addr     string
	isList   bool
}

// cursor reads a PDU body. gosmpp has already decoded the PDU; we read the raw
// bytes again because gosmpp forgets data_coding values it has no encoding for
// and strips the UDH from short_message.
type cursor struct {
	b   []byte
	err error
}

func (c *cursor) byte() byte {
	if c.err != nil || len(c.b) < 1 {
		c.err = errTruncated
		return 0
	}
	v := c.b[0]
	c.b = c.b[1:]
	return v
}

func (c *cursor) cstring() string {
	if c.err != nil {
		return ""
	}
	i := bytes.IndexByte(c.b, 0)
	if i < 0 {
		c.err = errTruncated
		return ""
	}
	s := string(c.b[:i])
	c.b = c.b[i+1:]
	return s
}

func (c *cursor) bytes(n int) []byte {
	if c.err != nil || len(c.b) < n {
		c.err = errTruncated
		return nil
	}
	v := bytes.Clone(c.b[:n])
	c.b = c.b[n:]
	return v
}

// tlvs reads the optional parameters up to the end of the body.
func (c *cursor) tlvs() map[uint16][]byte {
	var m map[uint16][]byte
	for c.err == nil && len(c.b) > 0 {
		if len(c.b) < 4 {
			c.err = errTruncated
			return m
		}
		tag := uint16(c.b[0])<<8 | uint16(c.b[1])
		n := int(c.b[2])<<8 | int(c.b[3])
		c.b = c.b[4:]
		v := c.bytes(n)
		if m == nil {
			m = make(map[uint16][]byte)
		}
		m[tag] = v
	}
	return m
}

// parseSubmit reads a submit_sm, submit_multi or data_sm (raw, header
// included) into a Submit. For submit_multi the destinations are returned
// separately and Submit.Dest is empty.
func parseSubmit(raw []byte) (*Submit, []destination, error) {
	if len(raw) < 16 {
		return nil, nil, errTruncated
	}
	cmd := uint32(raw[4])<<24 | uint32(raw[5])<<16 | uint32(raw[6])<<8 | uint32(raw[7])
	c := &cursor{b: raw[16:]}
	m := &Submit{}
	m.ServiceType = c.cstring()
	m.SourceTON, m.SourceNPI = c.byte(), c.byte()
	m.Source = c.cstring()
	var dests []destination
	switch cmd {
	case cmdSubmitSM, cmdDataSM:
		m.DestTON, m.DestNPI = c.byte(), c.byte()
		m.Dest = c.cstring()
	case cmdSubmitMulti:
		n := int(c.byte())
		for i := 0; i < n && c.err == nil; i++ {
			switch flag := c.byte(); flag {
			case 1:
				d := destination{ton: c.byte(), npi: c.byte()}
				d.addr = c.cstring()
				dests = append(dests, d)
			case 2:
				dests = append(dests, destination{addr: c.cstring(), isList: true})
			default:
				if c.err == nil {
					c.err = fmt.Errorf("smpp: submit_multi dest_flag %d", flag)
				}
			}
		}
	default:
		return nil, nil, fmt.Errorf("smpp: command 0x%08x is not a submit", cmd)
	}
	m.ESMClass = c.byte()
	if cmd == cmdDataSM {
		m.RegisteredDelivery = c.byte()
		m.DataCoding = c.byte()
	} else {
		m.ProtocolID = c.byte()
		m.PriorityFlag = c.byte()
		m.ScheduleDeliveryTime = c.cstring()
		m.ValidityPeriod = c.cstring()
		m.RegisteredDelivery = c.byte()
		c.byte() // replace_if_present_flag: replacing is not supported
		m.DataCoding = c.byte()
		c.byte() // sm_default_msg_id: canned messages are not supported
		m.ShortMessage = c.bytes(int(c.byte()))
	}
	m.TLVs = c.tlvs()
	if c.err != nil {
		return nil, nil, fmt.Errorf("parse submit body: %w", c.err)
	}
	liftTLVs(m)
	return m, dests, nil
}

// liftTLVs copies the TLVs the Backend needs typed into their fields.
func liftTLVs(m *Submit) {
	m.Payload = m.TLVs[tagMessagePayload]
	if v, ok := m.TLVs[tagUserMessageReference]; ok && len(v) == 2 {
		r := uint16(v[0])<<8 | uint16(v[1])
		m.UserMessageReference = &r
	}
	ref, ok1 := m.TLVs[tagSarMsgRefNum]
	total, ok2 := m.TLVs[tagSarTotalSegments]
	seq, ok3 := m.TLVs[tagSarSegmentSeqnum]
	if ok1 && ok2 && ok3 && len(ref) == 2 && len(total) == 1 && len(seq) == 1 {
		m.SAR = &SAR{Ref: uint16(ref[0])<<8 | uint16(ref[1]), Total: total[0], Seq: seq[0]}
	}
}

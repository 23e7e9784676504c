package smpp

import (
	"encoding/binary"
	"fmt"
	"net"
	"sync"

	"github.com/linxGnu/gosmpp/data"
)

// guardConn sits under gosmpp's reader and frames the byte stream itself:
//   - a PDU known to crash gosmpp's parser ends the session with a read error
//     instead of a panic on gosmpp's goroutine, which would take the whole
//     process down (query_sm with any TLV: nil map write in
//     QuerySM.Unmarshal); bytes before the bad PDU are still delivered;
//   - it keeps each deliver_sm's raw data_coding, which gosmpp loses for
//     values it does not know.
type guardConn struct {
	net.Conn
	frames frameScanner
	err    error // sticky once a bad PDU was seen
}

func (g *guardConn) Read(b []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.Conn.Read(b)
	if off, bad := g.frames.scan(b[:n]); bad != nil {
		g.err = bad
		return off, bad
	}
	return n, err
}

// frameScanner follows SMPP framing across arbitrary chunks.
type frameScanner struct {
	hdr  [16]byte
	have int    // header bytes collected
	skip uint32 // body bytes left of the current PDU

	head    []byte // start of the current deliver_sm body
	headFor int32  // its sequence number
	headCap uint32 // bytes of head still to collect

	mu  sync.Mutex
	dcs map[int32]byte // deliver_sm sequence number → data_coding
}

// deliverHeadLen covers every deliver_sm field up to data_coding at their
// maximum lengths.
const deliverHeadLen = 6 + 2 + 21 + 2 + 21 + 3 + 17 + 17 + 2 + 1

// maxPendingDCs bounds dcs should gosmpp drop PDUs we have seen.
const maxPendingDCs = 1024

// dataCoding returns and forgets the raw data_coding of deliver_sm seq.
func (f *frameScanner) dataCoding(seq int32) (byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	dc, ok := f.dcs[seq]
	delete(f.dcs, seq)
	return dc, ok
}

func (f *frameScanner) collect(p []byte) {
	c := min(uint32(len(p)), f.headCap)
	f.head = append(f.head, p[:c]...)
	f.headCap -= c
	if f.headCap > 0 {
		return
	}
	if dc, ok := deliverDataCoding(f.head); ok {
		f.mu.Lock()
		if f.dcs == nil {
			f.dcs = make(map[int32]byte)
		}
		if len(f.dcs) < maxPendingDCs {
			f.dcs[f.headFor] = dc
		}
		f.mu.Unlock()
	}
	f.head = f.head[:0]
}

// deliverDataCoding reads data_coding from the start of a deliver_sm body.
func deliverDataCoding(b []byte) (byte, bool) {
	i := 0
	cstr := func() bool {
		for ; i < len(b); i++ {
			if b[i] == 0 {
				i++
				return true
			}
		}
		return false
	}
	// service_type; source ton, npi, addr; dest ton, npi, addr; esm_class,
	// protocol_id, priority_flag; schedule_delivery_time; validity_period;
	// registered_delivery, replace_if_present_flag; data_coding.
	if !cstr() {
		return 0, false
	}
	for range 2 {
		if i += 2; i > len(b) || !cstr() {
			return 0, false
		}
	}
	if i += 3; i > len(b) || !cstr() || !cstr() {
		return 0, false
	}
	if i += 2; i >= len(b) {
		return 0, false
	}
	return b[i], true
}

// scan consumes p and returns the offset in p of the first PDU that must not
// reach gosmpp, with the reason; bad is nil when p is fine.
func (f *frameScanner) scan(p []byte) (off int, bad error) {
	for i := 0; i < len(p); {
		if f.skip > 0 {
			n := min(uint32(len(p)-i), f.skip)
			if f.headCap > 0 {
				f.collect(p[i : i+int(n)])
			}
			f.skip -= n
			i += int(n)
			continue
		}
		start := i - f.have
		n := copy(f.hdr[f.have:], p[i:])
		f.have += n
		i += n
		if f.have < len(f.hdr) {
			break
		}
		f.have = 0
		length := binary.BigEndian.Uint32(f.hdr[0:])
		id := binary.BigEndian.Uint32(f.hdr[4:])
		seq := binary.BigEndian.Uint32(f.hdr[12:])
		if length < 16 || length > data.MAX_PDU_LEN {
			return max(start, 0), fmt.Errorf("command_length %d out of range (seq %d)", length, seq)
		}
		if id == uint32(data.QUERY_SM) {
			return max(start, 0), fmt.Errorf("SMSC sent query_sm (seq %d), which gosmpp cannot parse safely", seq)
		}
		f.skip = length - 16
		if id == uint32(data.DELIVER_SM) && f.skip > 0 {
			f.headFor, f.headCap = int32(seq), min(f.skip, deliverHeadLen)
		}
	}
	return len(p), nil
}

package pduio

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// HeaderLen is the size of an SMPP PDU header.
const HeaderLen = 16

// Header is the fixed 16-byte PDU header.
type Header = pdu.Header

// Classes of undecodable PDUs. Test with errors.Is; errors.As with *PDUError
// gives the header and the generic_nack to send.
var (
	// ErrBadLength: command_length is out of bounds. The stream is out of
	// sync: answer generic_nack ESME_RINVCMDLEN and close the connection.
	ErrBadLength = errors.New("smpp: invalid command_length")
	// ErrUnknownCommand: command_id is not an SMPP 3.4 command. The stream is
	// still in sync.
	ErrUnknownCommand = errors.New("smpp: unknown command_id")
	// ErrBadBody: the body does not decode (or the codec panicked). The
	// stream is still in sync.
	ErrBadBody = errors.New("smpp: malformed PDU body")
)

// PDUError describes one PDU that could not be decoded.
type PDUError struct {
	Header Header                 // as read from the wire
	Status data.CommandStatusType // the generic_nack status to answer with
	Kind   error                  // ErrBadLength, ErrUnknownCommand or ErrBadBody
	Cause  error                  // the codec's error, if any
}

func (e *PDUError) Error() string {
	msg := fmt.Sprintf("%v (command_id 0x%08x, length %d, seq %d)",
		e.Kind, uint32(e.Header.CommandID), uint32(e.Header.CommandLength), e.Header.SequenceNumber)
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

func (e *PDUError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Cause}
}

// Fatal reports whether the stream is lost and the connection must be closed
// after the generic_nack.
func (e *PDUError) Fatal() bool { return e.Kind == ErrBadLength }

// Nack returns the generic_nack answering the bad PDU, with its sequence
// number.
func (e *PDUError) Nack() pdu.PDU { return GenericNack(e.Header.SequenceNumber, e.Status) }

// Reader reads PDUs one at a time. It is not safe for concurrent use.
type Reader struct {
	// MaxLength bounds command_length; longer PDUs are ErrBadLength.
	MaxLength uint32

	br    *bufio.Reader
	buf   []byte
	raw   []byte
	fatal error
}

// NewReader returns a Reader on r; r is wrapped in a bufio.Reader unless it is
// one already.
func NewReader(r io.Reader) *Reader {
	return &Reader{MaxLength: data.MAX_PDU_LEN, br: bufio.NewReaderSize(r, 64<<10)}
}

// Raw returns the bytes of the PDU (or bad PDU) returned by the last Next,
// header included. It is valid until the next call to Next.
func (r *Reader) Raw() []byte { return r.raw }

// Next reads the next PDU. It returns io.EOF at a clean end of stream,
// io.ErrUnexpectedEOF inside a PDU, and a *PDUError for a PDU that cannot be
// decoded (see PDUError.Fatal). After a fatal error Next keeps returning it.
func (r *Reader) Next() (pdu.PDU, Header, error) {
	r.raw = nil
	if r.fatal != nil {
		return nil, Header{}, r.fatal
	}
	var hb [HeaderLen]byte
	if _, err := io.ReadFull(r.br, hb[:]); err != nil {
		return nil, Header{}, err
	}
	h := pdu.ParseHeader(hb)
	n := binary.BigEndian.Uint32(hb[:4])
	if n < HeaderLen || n > r.MaxLength {
		r.raw = hb[:]
		r.fatal = &PDUError{Header: h, Status: data.ESME_RINVCMDLEN, Kind: ErrBadLength}
		return nil, h, r.fatal
	}
	if cap(r.buf) < int(n) {
		r.buf = make([]byte, n)
	}
	r.raw = r.buf[:n]
	copy(r.raw, hb[:])
	if _, err := io.ReadFull(r.br, r.raw[HeaderLen:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, h, err
	}
	p, err := Decode(r.raw)
	return p, h, err
}

// Decode decodes one complete PDU, header included. The codec keeps no
// reference to b. Errors are *PDUError.
func Decode(b []byte) (p pdu.PDU, err error) {
	if len(b) < HeaderLen {
		return nil, &PDUError{Status: data.ESME_RINVCMDLEN, Kind: ErrBadLength}
	}
	h := pdu.ParseHeader([HeaderLen]byte(b[:HeaderLen]))
	if uint32(h.CommandLength) != uint32(len(b)) {
		return nil, &PDUError{Header: h, Status: data.ESME_RINVCMDLEN, Kind: ErrBadLength}
	}
	p, err = pdu.CreatePDUFromCmdID(h.CommandID)
	if err != nil {
		return nil, &PDUError{Header: h, Status: data.ESME_RINVCMDID, Kind: ErrUnknownCommand, Cause: err}
	}
	if q, ok := p.(*pdu.QuerySM); ok {
		// gosmpp's NewQuerySM leaves the TLV map nil: any TLV would panic.
		q.OptionalParameters = make(map[pdu.Tag]pdu.Field)
	}
	if err = unmarshal(p, b); err != nil {
		// The body of an error response carries nothing we need and the spec
		// lets it be omitted; gosmpp rejects some of both forms (body-less
		// deliver_sm_resp, bind_transmitter_resp with a system_id).
		if isResponse(h.CommandID) && h.CommandStatus != data.ESME_ROK {
			if hp := headerOf(p); hp != nil {
				*hp = h
				return p, nil
			}
		}
		return nil, &PDUError{Header: h, Status: data.ESME_RSYSERR, Kind: ErrBadBody, Cause: err}
	}
	return p, nil
}

// unmarshal runs the codec under recover: gosmpp panics on some inputs.
func unmarshal(p pdu.PDU, b []byte) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("codec panic: %v", v)
		}
	}()
	return p.Unmarshal(pdu.NewBuffer(b))
}

func isResponse(id data.CommandIDType) bool { return uint32(id)&0x80000000 != 0 }

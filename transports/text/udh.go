package text

import (
	"errors"
	"fmt"
)

// Information element identifiers for concatenated messages.
const (
	IEIConcat8  = 0x00 // 8-bit reference
	IEIConcat16 = 0x08 // 16-bit reference
)

// ErrMalformedUDH reports a user data header that does not fit its message
// or whose concatenation element is invalid.
var ErrMalformedUDH = errors.New("text: malformed user data header")

// IE is one information element of a user data header.
type IE struct {
	ID   byte
	Data []byte
}

// UDH is a parsed user data header. The concatenation element, when
// present, is lifted into Concat/Ref/Total/Seq/Ref16; Elements holds the
// other elements in order, kept so Marshal can rebuild the header.
type UDH struct {
	Concat     bool
	Ref        uint16
	Total, Seq uint8
	Ref16      bool
	Elements   []IE
}

// ParseUDH splits a short_message sent with UDHI set into its header and
// body. Only the first concatenation element counts; any later one and
// every other element are kept in Elements untouched.
func ParseUDH(b []byte) (UDH, []byte, error) {
	var h UDH
	if len(b) == 0 {
		return h, nil, fmt.Errorf("%w: empty message", ErrMalformedUDH)
	}
	n := int(b[0])
	if 1+n > len(b) {
		return h, nil, fmt.Errorf("%w: length %d exceeds %d octets", ErrMalformedUDH, n, len(b)-1)
	}
	ies, body := b[1:1+n], b[1+n:]
	for i := 0; i < len(ies); {
		if i+2 > len(ies) {
			return UDH{}, nil, fmt.Errorf("%w: truncated element at %d", ErrMalformedUDH, i+1)
		}
		id, l := ies[i], int(ies[i+1])
		if i+2+l > len(ies) {
			return UDH{}, nil, fmt.Errorf("%w: element 0x%02x length %d exceeds header", ErrMalformedUDH, id, l)
		}
		data := ies[i+2 : i+2+l : i+2+l]
		i += 2 + l
		if (id == IEIConcat8 || id == IEIConcat16) && !h.Concat {
			if err := h.setConcat(id, data); err != nil {
				return UDH{}, nil, err
			}
			continue
		}
		h.Elements = append(h.Elements, IE{ID: id, Data: data})
	}
	return h, body, nil
}

func (h *UDH) setConcat(id byte, d []byte) error {
	switch {
	case id == IEIConcat8 && len(d) == 3:
		h.Ref, h.Total, h.Seq = uint16(d[0]), d[1], d[2]
	case id == IEIConcat16 && len(d) == 4:
		h.Ref, h.Total, h.Seq, h.Ref16 = uint16(d[0])<<8|uint16(d[1]), d[2], d[3], true
	default:
		return fmt.Errorf("%w: concatenation element 0x%02x has length %d", ErrMalformedUDH, id, len(d))
	}
	if h.Total == 0 || h.Seq == 0 || h.Seq > h.Total {
		return fmt.Errorf("%w: part %d of %d", ErrMalformedUDH, h.Seq, h.Total)
	}
	h.Concat = true
	return nil
}

// appendConcat appends the length octet and the concatenation element only,
// as Split needs them.
func (h UDH) appendConcat(b []byte) []byte {
	if h.Ref16 {
		return append(b, 6, IEIConcat16, 4, byte(h.Ref>>8), byte(h.Ref), h.Total, h.Seq)
	}
	return append(b, 5, IEIConcat8, 3, byte(h.Ref), h.Total, h.Seq)
}

// Marshal encodes the header with its length octet: the concatenation
// element first when Concat, then Elements. It fails when an element or
// the header exceeds 255 octets, the 8-bit reference does not fit, or the
// part number is not within 1..Total.
func (h UDH) Marshal() ([]byte, error) {
	out := []byte{0}
	if h.Concat {
		if !h.Ref16 && h.Ref > 0xFF {
			return nil, fmt.Errorf("text: udh: reference %d needs Ref16", h.Ref)
		}
		if h.Total == 0 || h.Seq == 0 || h.Seq > h.Total {
			return nil, fmt.Errorf("text: udh: part %d of %d", h.Seq, h.Total)
		}
		out = h.appendConcat(out[:0])
	}
	for _, e := range h.Elements {
		if len(e.Data) > 255 {
			return nil, fmt.Errorf("text: udh: element 0x%02x has %d octets", e.ID, len(e.Data))
		}
		out = append(out, e.ID, byte(len(e.Data)))
		out = append(out, e.Data...)
	}
	if len(out)-1 > 255 {
		return nil, fmt.Errorf("text: udh: %d octets exceed 255", len(out)-1)
	}
	out[0] = byte(len(out) - 1)
	return out, nil
}

package text

import (
	"errors"
	"fmt"
)

// Capacities of one short message (140 octets of user data).
const (
	maxSinglePartSeptets = 160
	maxSinglePartUnits   = 70
	udhLen8              = 6 // UDHL + IEI 0x00, length 3, ref, total, seq
	udhLen16             = 7 // UDHL + IEI 0x08, length 4, ref(2), total, seq
	maxParts             = 255
)

// ErrEmpty reports an empty text: there is nothing to send.
var ErrEmpty = errors.New("text: empty message")

// TooManyPartsError reports a text that needs more parts than allowed.
type TooManyPartsError struct {
	Parts, Max int
}

func (e *TooManyPartsError) Error() string {
	return fmt.Sprintf("text: message needs %d parts, at most %d allowed", e.Parts, e.Max)
}

// SplitOptions controls Split.
type SplitOptions struct {
	// MaxParts, when > 0, refuses texts that need more parts. The UDH
	// caps it at 255 in any case.
	MaxParts int
	// Ref is the concatenation reference shared by all parts; only its
	// low byte is sent unless Ref16.
	Ref uint16
	// Ref16 selects IEI 0x08 (16-bit reference, one unit less per part)
	// instead of IEI 0x00.
	Ref16 bool
	// Encoding forces an encoding; nil chooses with Choose.
	Encoding *Encoding
}

// Part is one short message of a split text.
type Part struct {
	DataCoding byte   // 0 GSM7, 8 UCS2
	ESMClass   byte   // 0x40 (UDHI) when UDH is set
	UDH        []byte // concatenation header including its length octet; nil for a single part
	Payload    []byte // the submit_sm short_message: UDH followed by the encoded body
	// Units is the body's length in the encoding's units: septets for
	// GSM7 (extension characters count two), UTF-16 code units for UCS2.
	Units int
}

// segment is a run of the input that fits one part: its encoded body and
// its length in units.
type segment struct {
	body  []byte
	units int
}

// Split encodes s and, when it does not fit one short message, cuts it into
// concatenated parts with a UDH. Extension characters (escape + septet) and
// surrogate pairs are never cut. GSM7 bodies are unpacked, one septet per
// octet.
func Split(s string, opt SplitOptions) ([]Part, Encoding, error) {
	if s == "" {
		return nil, GSM7, ErrEmpty
	}
	enc := Choose(s)
	if opt.Encoding != nil {
		enc = *opt.Encoding
	}
	udhLen := udhLen8
	if opt.Ref16 {
		udhLen = udhLen16
	}
	var segs []segment
	var err error
	switch enc {
	case GSM7:
		// 6 or 7 UDH octets displace 7 or 8 septets (48 or 56 bits plus fill).
		segs, err = splitGSM7(s, maxSinglePartSeptets-(udhLen*8+6)/7)
	case UCS2:
		segs = splitUCS2(s, (140-udhLen)/2)
	default:
		return nil, enc, fmt.Errorf("text: split: unknown encoding %v", enc)
	}
	if err != nil {
		return nil, enc, fmt.Errorf("text: split as %v: %w", enc, err)
	}
	if len(segs) > maxParts || (opt.MaxParts > 0 && len(segs) > opt.MaxParts) {
		limit := maxParts
		if opt.MaxParts > 0 && opt.MaxParts < limit {
			limit = opt.MaxParts
		}
		return nil, enc, &TooManyPartsError{Parts: len(segs), Max: limit}
	}
	dc := enc.DataCoding()
	if len(segs) == 1 {
		return []Part{{DataCoding: dc, Payload: segs[0].body, Units: segs[0].units}}, enc, nil
	}
	parts := make([]Part, len(segs))
	for i, sg := range segs {
		h := UDH{Concat: true, Ref: opt.Ref, Ref16: opt.Ref16, Total: uint8(len(segs)), Seq: uint8(i + 1)}
		if !opt.Ref16 {
			h.Ref &= 0xFF
		}
		udh := h.appendConcat(make([]byte, 0, udhLen+len(sg.body)))
		parts[i] = Part{
			DataCoding: dc,
			ESMClass:   0x40,
			UDH:        udh[:udhLen:udhLen],
			Payload:    append(udh, sg.body...),
			Units:      sg.units,
		}
	}
	return parts, enc, nil
}

// splitGSM7 returns one segment when s fits 160 septets, else segments of
// at most per septets.
func splitGSM7(s string, per int) ([]segment, error) {
	all, err := EncodeGSM7(s)
	if err != nil {
		return nil, err
	}
	if len(all) <= maxSinglePartSeptets {
		return []segment{{body: all, units: len(all)}}, nil
	}
	segs := make([]segment, 0, len(all)/per+1)
	for start := 0; start < len(all); {
		end := min(start+per, len(all))
		// An escape as the part's last septet would separate it from the
		// character it introduces; leave both for the next part.
		if end < len(all) && escapeEndsAt(all, start, end) {
			end--
		}
		segs = append(segs, segment{body: all[start:end:end], units: end - start})
		start = end
	}
	return segs, nil
}

// escapeEndsAt reports whether all[end-1] is an escape that opens a pair
// (rather than being the second septet of one), scanning from start, which
// is always a character boundary.
func escapeEndsAt(all []byte, start, end int) bool {
	for i := start; i < end; i++ {
		if all[i] == esc {
			if i == end-1 {
				return true
			}
			i++
		}
	}
	return false
}

// splitUCS2 returns one segment when s fits 70 UTF-16 units, else segments
// of at most per units, never cutting a surrogate pair.
func splitUCS2(s string, per int) []segment {
	total := 0
	for _, r := range s {
		total += utf16Len(r)
	}
	if total <= maxSinglePartUnits {
		return []segment{{body: EncodeUCS2(s), units: total}}
	}
	buf := make([]byte, 0, 2*total)
	segs := make([]segment, 0, total/per+1)
	start, units := 0, 0
	for _, r := range s {
		n := utf16Len(r)
		if units+n > per {
			segs = append(segs, segment{body: buf[start:len(buf):len(buf)], units: units})
			start, units = len(buf), 0
		}
		buf = appendUTF16(buf, r)
		units += n
	}
	return append(segs, segment{body: buf[start:], units: units})
}

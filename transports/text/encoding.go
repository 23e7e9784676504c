package text

import (
	"fmt"
	"unicode/utf16"
)

// Encoding is the alphabet a message is sent in.
type Encoding int

// The encodings Split produces.
const (
	GSM7 Encoding = iota // GSM 03.38, data_coding 0, unpacked on SMPP
	UCS2                 // UTF-16BE, data_coding 8
)

func (e Encoding) String() string {
	switch e {
	case GSM7:
		return "gsm7"
	case UCS2:
		return "ucs2"
	}
	return fmt.Sprintf("encoding(%d)", int(e))
}

// DataCoding is the SMPP data_coding value for e.
func (e Encoding) DataCoding() byte {
	if e == UCS2 {
		return 8
	}
	return 0
}

// Choose returns GSM7 when every rune of s is in the GSM 03.38 default
// alphabet or its extension table, else UCS2.
func Choose(s string) Encoding {
	if IsGSM7(s) {
		return GSM7
	}
	return UCS2
}

// EncodeUCS2 encodes s as UTF-16BE; runes outside the BMP become surrogate
// pairs, invalid UTF-8 becomes U+FFFD.
func EncodeUCS2(s string) []byte {
	out := make([]byte, 0, 2*len(s))
	for _, r := range s {
		out = appendUTF16(out, r)
	}
	return out
}

func appendUTF16(b []byte, r rune) []byte {
	if r1, r2 := utf16.EncodeRune(r); r1 != '\uFFFD' || r2 != '\uFFFD' {
		return append(b, byte(r1>>8), byte(r1), byte(r2>>8), byte(r2))
	}
	if r > 0xFFFF || (r >= 0xD800 && r < 0xE000) {
		r = '\uFFFD'
	}
	return append(b, byte(r>>8), byte(r))
}

// utf16Len is the number of UTF-16 code units r takes.
func utf16Len(r rune) int {
	if r > 0xFFFF && r <= 0x10FFFF {
		return 2
	}
	return 1
}

// DecodeUCS2 decodes UTF-16BE; unpaired surrogates become U+FFFD.
func DecodeUCS2(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", fmt.Errorf("text: ucs2: odd length %d", len(b))
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u)), nil
}

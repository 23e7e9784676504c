package text

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// esc is the GSM 03.38 escape to the extension table.
const esc = 0x1B

// basic is the GSM 03.38 default alphabet indexed by septet. 0x1B is the
// escape; it decodes as a space when it escapes nothing (3GPP 23.038 §6.2.1.1).
var basic = [128]rune{
	'@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
	'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', ' ', 'Æ', 'æ', 'ß', 'É',
	' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
	'¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
	'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
	'¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
}

// extension maps the septet after an escape to its character.
var extension = map[byte]rune{
	0x0A: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2F: '\\',
	0x3C: '[', 0x3D: '~', 0x3E: ']', 0x40: '|', 0x65: '€',
}

var (
	basicIndex = map[rune]byte{}
	extIndex   = map[rune]byte{}
	// ascii caches the encoding of ASCII runes, the common case, so the
	// splitter avoids map lookups; n == 0 marks a rune GSM 03.38 lacks.
	ascii [utf8.RuneSelf]struct {
		s [2]byte
		n uint8
	}
)

func init() {
	for i, r := range basic {
		// 0x1B decodes as a space but the space is 0x20.
		if i != esc {
			basicIndex[r] = byte(i)
		}
	}
	for s, r := range extension {
		extIndex[r] = s
	}
	for r := range ascii {
		if b, ok := basicIndex[rune(r)]; ok {
			ascii[r].s, ascii[r].n = [2]byte{b}, 1
		} else if b, ok := extIndex[rune(r)]; ok {
			ascii[r].s, ascii[r].n = [2]byte{esc, b}, 2
		}
	}
}

// ErrNotGSM7 reports a character outside the GSM 03.38 default alphabet and
// its extension table.
var ErrNotGSM7 = errors.New("text: character not in GSM 03.38")

// gsmSeptets returns the septets of r (1 or 2) and whether r is encodable.
func gsmSeptets(r rune) (s [2]byte, n int, ok bool) {
	if r >= 0 && r < utf8.RuneSelf {
		a := ascii[r]
		return a.s, int(a.n), a.n > 0
	}
	if b, ok := basicIndex[r]; ok {
		return [2]byte{b}, 1, true
	}
	if b, ok := extIndex[r]; ok {
		return [2]byte{esc, b}, 2, true
	}
	return s, 0, false
}

// IsGSM7 reports whether every rune of s is in the GSM 03.38 default
// alphabet or its extension table.
func IsGSM7(s string) bool {
	for _, r := range s {
		if _, _, ok := gsmSeptets(r); !ok {
			return false
		}
	}
	return true
}

// SeptetCount is the number of septets s takes in GSM 03.38, extension
// characters counting two. It is only meaningful when IsGSM7(s).
func SeptetCount(s string) int {
	n := 0
	for _, r := range s {
		_, k, _ := gsmSeptets(r)
		n += k
	}
	return n
}

// EncodeGSM7 encodes s unpacked, one septet per octet, as SMPP links carry
// data_coding 0.
func EncodeGSM7(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i, r := range s {
		sp, n, ok := gsmSeptets(r)
		if !ok {
			return nil, fmt.Errorf("%w: %q at byte %d", ErrNotGSM7, r, i)
		}
		out = append(out, sp[0])
		if n == 2 {
			out = append(out, sp[1])
		}
	}
	return out, nil
}

// DecodeGSM7 decodes unpacked septets. An escape followed by a septet that
// is not in the extension table decodes as that septet's basic character,
// and a trailing escape as a space, as 3GPP 23.038 asks of receivers.
func DecodeGSM7(septets []byte) (string, error) {
	out := make([]rune, 0, len(septets))
	for i := 0; i < len(septets); i++ {
		c := septets[i]
		if c > 0x7F {
			return "", fmt.Errorf("text: gsm7: octet 0x%02x at %d is not a septet", c, i)
		}
		if c != esc {
			out = append(out, basic[c])
			continue
		}
		if i+1 == len(septets) {
			out = append(out, ' ')
			continue
		}
		i++
		n := septets[i]
		if n > 0x7F {
			return "", fmt.Errorf("text: gsm7: octet 0x%02x at %d is not a septet", n, i)
		}
		if r, ok := extension[n]; ok {
			out = append(out, r)
		} else {
			out = append(out, basic[n])
		}
	}
	return string(out), nil
}

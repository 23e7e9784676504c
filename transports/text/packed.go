package text

import "fmt"

// cr is the septet 3GPP 23.038 §6.1.2.3.1 puts in spare bits so that a
// receiver that only knows the octet length does not read them as '@'.
const cr = 0x0D

// Pack packs septets (values 0..0x7F) into 7-bit GSM form, least
// significant bits first. Spare bits are zero.
func Pack(septets []byte) []byte {
	out := make([]byte, (len(septets)*7+7)/8)
	for i, s := range septets {
		bit := i * 7
		o, sh := bit/8, uint(bit%8)
		out[o] |= (s & 0x7F) << sh
		if sh > 1 {
			out[o+1] |= (s & 0x7F) >> (8 - sh)
		}
	}
	return out
}

// Unpack extracts n septets from packed; it fails when packed is too short.
func Unpack(packed []byte, n int) ([]byte, error) {
	if n < 0 || n*7 > len(packed)*8 {
		return nil, fmt.Errorf("text: unpack %d septets from %d octets: too short", n, len(packed))
	}
	out := make([]byte, n)
	for i := range out {
		bit := i * 7
		o, sh := bit/8, uint(bit%8)
		v := packed[o] >> sh
		if sh > 1 {
			v |= packed[o+1] << (8 - sh)
		}
		out[i] = v & 0x7F
	}
	return out, nil
}

// EncodePacked encodes s in packed GSM 7-bit and returns the octets and the
// septet count. When seven spare bits remain they hold a CR, so a decoder
// that infers the count from the octet length does not add an '@'; when a
// text ends with a CR on an octet boundary a second CR is added, which
// 23.038 defines as equivalent. The count excludes the padding CR.
func EncodePacked(s string) ([]byte, int, error) {
	septets, err := EncodeGSM7(s)
	if err != nil {
		return nil, 0, err
	}
	n := len(septets)
	if n > 0 && n%8 == 0 && septets[n-1] == cr {
		septets = append(septets, cr)
		n++
	}
	if n%8 == 7 {
		return Pack(append(septets, cr)), n, nil
	}
	return Pack(septets), n, nil
}

// DecodePacked decodes packed GSM 7-bit. septets > 0 is the count from the
// protocol (TP-UDL); septets <= 0 infers it from the octet length, dropping
// a final CR that filled seven spare bits. '@' (septet 0x00) is a character
// at every position, never padding.
func DecodePacked(packed []byte, septets int) (string, error) {
	n := septets
	if n <= 0 {
		n = len(packed) * 8 / 7
	}
	u, err := Unpack(packed, n)
	if err != nil {
		return "", err
	}
	if septets <= 0 && n > 0 && n%8 == 0 && u[n-1] == cr {
		u = u[:n-1]
	}
	return DecodeGSM7(u)
}

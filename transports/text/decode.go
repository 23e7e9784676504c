package text

import (
	"errors"
	"fmt"
)

// ErrBinary reports a body sent as 8-bit data (data_coding 2, 4 or
// 0xF4-0xF7): it is not text.
var ErrBinary = errors.New("text: binary data_coding")

// ErrUnsupported reports a data_coding this package cannot decode.
var ErrUnsupported = errors.New("text: unsupported data_coding")

// Decode turns a received body (after any UDH) into text according to its
// data_coding: 0 and 0xF0-0xF3 GSM 03.38 unpacked, 1 IA5 (ASCII), 3
// Latin-1, 8 UCS2. Data coding 0 is taken to mean GSM 03.38; links whose
// SMSC default alphabet is Latin-1 should pass 3.
func Decode(dataCoding byte, payload []byte) (string, error) {
	switch {
	case dataCoding == 0 || (dataCoding >= 0xF0 && dataCoding <= 0xF3):
		return DecodeGSM7(payload)
	case dataCoding == 1:
		for i, c := range payload {
			if c > 0x7F {
				return "", fmt.Errorf("text: ia5: octet 0x%02x at %d", c, i)
			}
		}
		return string(payload), nil
	case dataCoding == 3:
		r := make([]rune, len(payload))
		for i, c := range payload {
			r[i] = rune(c)
		}
		return string(r), nil
	case dataCoding == 8:
		return DecodeUCS2(payload)
	case dataCoding == 2 || dataCoding == 4 || (dataCoding >= 0xF4 && dataCoding <= 0xF7):
		return "", fmt.Errorf("decode data_coding 0x%02x: %w", dataCoding, ErrBinary)
	}
	return "", fmt.Errorf("decode data_coding 0x%02x: %w", dataCoding, ErrUnsupported)
}

package text

import (
	"encoding/hex"
	"errors"
	"testing"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		dc   byte
		in   string // hex
		want string
		err  error
	}{
		{0, "48656c6c6f1b65", "Hello€", nil},
		{0xF0, "00", "@", nil},
		{0xF3, "41", "A", nil},
		{1, "48692060", "Hi `", nil},
		{3, "47727fdf65e7", "Gr\u007fßeç", nil},
		{8, "041f0440d83dde00", "Пр😀", nil},
		{8, "d83d", "\uFFFD", nil},
		{2, "0102", "", ErrBinary},
		{4, "0102", "", ErrBinary},
		{0xF4, "01", "", ErrBinary},
		{5, "41", "", ErrUnsupported},
	}
	for _, tt := range tests {
		in, _ := hex.DecodeString(tt.in)
		got, err := Decode(tt.dc, in)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("dc 0x%02x %s: got %q, %v want %q, %v", tt.dc, tt.in, got, err, tt.want, tt.err)
		}
	}
	for _, c := range []struct {
		dc byte
		in []byte
	}{{8, []byte{0}}, {1, []byte{0x80}}, {0, []byte{0xC3}}} {
		if got, err := Decode(c.dc, c.in); err == nil {
			t.Errorf("dc %d %x decoded to %q", c.dc, c.in, got)
		}
	}
}

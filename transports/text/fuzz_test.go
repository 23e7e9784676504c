package text

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzDecode(f *testing.F) {
	for _, s := range []struct {
		dc byte
		b  []byte
	}{
		{0, []byte("Hello\x1b\x65")}, {0, []byte{0x1b}}, {1, []byte("hi")}, {3, []byte{0xe9}},
		{8, []byte{0xd8, 0x3d, 0xde, 0x00}}, {8, []byte{0}}, {2, []byte{1}}, {0xF1, []byte{0x7f}},
	} {
		f.Add(s.dc, s.b)
	}
	f.Fuzz(func(t *testing.T, dc byte, b []byte) {
		s, err := Decode(dc, b)
		if err != nil {
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 %q", s)
		}
		if dc == 0 {
			// What GSM7 decodes to is GSM7 and decodes back to itself.
			enc, err := EncodeGSM7(s)
			if err != nil {
				t.Fatalf("re-encode %q: %v", s, err)
			}
			if again, err := DecodeGSM7(enc); err != nil || again != s {
				t.Fatalf("%q re-decoded to %q, %v", s, again, err)
			}
		}
		if dc == 8 && !strings.ContainsRune(s, utf8.RuneError) && !bytes.Equal(EncodeUCS2(s), b) {
			t.Fatalf("ucs2 %x → %q → %x", b, s, EncodeUCS2(s))
		}
	})
}

func FuzzParseUDH(f *testing.F) {
	for _, s := range [][]byte{
		{5, 0, 3, 1, 2, 1, 'a'}, {6, 8, 4, 1, 2, 3, 3}, {0}, {11, 5, 4, 0x23, 0x34, 0x23, 0x34, 0, 3, 1, 2, 1},
		{5, 0, 3, 1, 0, 1}, {0xff}, {2, 0, 9},
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, body, err := ParseUDH(b)
		if err != nil {
			if !errors.Is(err, ErrMalformedUDH) {
				t.Fatalf("error %v does not wrap ErrMalformedUDH", err)
			}
			return
		}
		m, err := h.Marshal()
		if err != nil {
			t.Fatalf("parsed %+v does not marshal: %v", h, err)
		}
		h2, body2, err := ParseUDH(append(m, body...))
		if err != nil || !reflect.DeepEqual(h, h2) || !bytes.Equal(body, body2) {
			t.Fatalf("%x → %+v → %x → %+v, %v", b, h, m, h2, err)
		}
	})
}

func FuzzSplitRoundTrip(f *testing.F) {
	for _, s := range []string{
		"hi", strings.Repeat("a", 161), strings.Repeat("a", 152) + "€b", strings.Repeat("ж", 66) + "😀",
		"\x00", "@@@", strings.Repeat("Привет 😀 ", 40),
	} {
		f.Add(s, uint16(0x1ab), false)
	}
	f.Fuzz(func(t *testing.T, s string, ref uint16, ref16 bool) {
		if !utf8.ValidString(s) {
			return
		}
		opt := SplitOptions{Ref: ref, Ref16: ref16}
		parts, enc, err := Split(s, opt)
		var tm *TooManyPartsError
		if s == "" || errors.As(err, &tm) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := reassemble(t, parts, enc, opt); got != s {
			t.Fatalf("reassembled %q from %q", got, s)
		}
	})
}

func FuzzPacked(f *testing.F) {
	for _, s := range [][]byte{
		[]byte("1234567@1234567@x"), {0}, {0x1b}, {0x0d}, []byte("1234567\r"), {0x1b, 0x65, 0x40},
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// Arbitrary octets as packed data: decoding must not panic.
		if _, err := DecodePacked(b, 0); err != nil {
			t.Fatalf("decode %x: %v", b, err)
		}
		// Arbitrary octets as septets: the text they make round-trips.
		sept := make([]byte, len(b))
		for i, c := range b {
			sept[i] = c & 0x7F
		}
		s, err := DecodeGSM7(sept)
		if err != nil {
			t.Fatal(err)
		}
		p, n, err := EncodePacked(s)
		if err != nil {
			t.Fatalf("encode %q: %v", s, err)
		}
		want := s
		if strings.HasSuffix(s, "\r") && SeptetCount(s)%8 == 0 {
			want += "\r"
		}
		for _, count := range []int{n, 0} {
			if got, err := DecodePacked(p, count); err != nil || got != want {
				t.Fatalf("%q → %x → (count %d) %q, %v", s, p, count, got, err)
			}
		}
	})
}

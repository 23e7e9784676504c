package text

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// alphabet is every character of GSM 03.38, basic table then extension.
func alphabet() string {
	var b strings.Builder
	for i, r := range basic {
		if i != esc {
			b.WriteRune(r)
		}
	}
	for _, r := range "\f^{}\\[~]|€" {
		b.WriteRune(r)
	}
	return b.String()
}

func TestGSM7AlphabetRoundTrip(t *testing.T) {
	a := alphabet()
	if !IsGSM7(a) {
		t.Fatal("alphabet not recognised as GSM7")
	}
	enc, err := EncodeGSM7(a)
	if err != nil {
		t.Fatal(err)
	}
	if want := 127 + 2*10; len(enc) != want || SeptetCount(a) != want {
		t.Fatalf("encoded %d septets, counted %d, want %d", len(enc), SeptetCount(a), want)
	}
	got, err := DecodeGSM7(enc)
	if err != nil {
		t.Fatal(err)
	}
	if got != a {
		t.Fatalf("round trip:\n got %q\nwant %q", got, a)
	}
	p, n, err := EncodePacked(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, count := range []int{n, 0} {
		if got, err := DecodePacked(p, count); err != nil || got != a {
			t.Fatalf("packed round trip (count %d): %q, %v", count, got, err)
		}
	}
}

func TestEncodeGSM7(t *testing.T) {
	tests := []struct {
		in   string
		want string // hex septets
	}{
		{"@", "00"},
		{"A a 0", "4120612030"},
		{"€", "1b65"},
		{"[]{}\\^~|\f", "1b3c1b3e1b281b291b2f1b141b3d1b401b0a"},
		{"£$¥èéùìòÇ\nØø\rÅå", "0102030405060708090a0b0c0d0e0f"},
		{"ΔΦΓΛΩΠΨΣΘΞ", "1012131415161718191a"},
		{"ÆæßÉ¤¡ÄÖÑÜ§¿äöñüà_", "1c1d1e1f24405b5c5d5e5f607b7c7d7e7f11"},
	}
	for _, tt := range tests {
		got, err := EncodeGSM7(tt.in)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if hex.EncodeToString(got) != tt.want {
			t.Errorf("%q: got %x want %s", tt.in, got, tt.want)
		}
	}
}

func TestEncodeGSM7Rejects(t *testing.T) {
	for _, s := range []string{"`", "ç", "Привет", "😀", "\x00", "\t"} {
		if _, err := EncodeGSM7(s); !errors.Is(err, ErrNotGSM7) {
			t.Errorf("%q: err %v, want ErrNotGSM7", s, err)
		}
	}
}

func TestDecodeGSM7Lenient(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{[]byte{0x1B, 0x41}, "A"},        // unknown extension → basic character
		{[]byte{0x41, 0x1B}, "A "},       // trailing escape
		{[]byte{0x1B, 0x1B, 0x65}, " e"}, // escape escaping itself (reserved) → space
	}
	for _, tt := range tests {
		got, err := DecodeGSM7(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("%x: got %q, %v want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := DecodeGSM7([]byte{0x41, 0x80}); err == nil {
		t.Error("octet 0x80 accepted as a septet")
	}
}

func TestPacked(t *testing.T) {
	tests := []struct {
		in      string
		want    string // hex
		septets int
	}{
		{"hellohello", "e8329bfd4697d9ec37", 10},
		// Seven septets leave seven spare bits: they carry CR, not '@'.
		{"1234567", "31d98c56b3dd1a", 7},
		{"1234567@", "31d98c56b3dd00", 8},
		{"1234567@1234567@x", "31d98c56b3dd0031d98c56b3dd0078", 17},
		{"@@@@@@@@@@@@@@@@", "0000000000000000000000000000", 16},
		// A final CR on an octet boundary is doubled (23.038 §6.1.2.3.1).
		{"1234567\r", "31d98c56b3dd1a0d", 9},
	}
	for _, tt := range tests {
		p, n, err := EncodePacked(tt.in)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if hex.EncodeToString(p) != tt.want || n != tt.septets {
			t.Errorf("%q: got %x (%d septets) want %s (%d)", tt.in, p, n, tt.want, tt.septets)
		}
		want := tt.in
		if strings.HasSuffix(want, "\r") {
			want += "\r"
		}
		for _, count := range []int{n, 0} {
			got, err := DecodePacked(p, count)
			if err != nil || got != want {
				t.Errorf("%q: decoded (count %d) %q, %v", tt.in, count, got, err)
			}
		}
	}
}

func TestUnpackTooShort(t *testing.T) {
	if _, err := Unpack([]byte{1, 2}, 3); err == nil {
		t.Fatal("3 septets from 2 octets accepted")
	}
	if _, err := DecodePacked([]byte{1}, 5); err == nil {
		t.Fatal("5 septets from 1 octet accepted")
	}
}

func TestPackUnpackInverse(t *testing.T) {
	for n := 0; n <= 24; n++ {
		in := make([]byte, n)
		for i := range in {
			in[i] = byte(0x7F - i*5)
		}
		out, err := Unpack(Pack(in), n)
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("n=%d: %x != %x (%v)", n, out, in, err)
		}
	}
}

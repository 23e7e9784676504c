package text

import (
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
)

func TestParseUDH(t *testing.T) {
	tests := []struct {
		name string
		in   string // hex
		want UDH
		body string // hex
	}{
		{"8-bit ref", "050003cc0201" + "4142", UDH{Concat: true, Ref: 0xCC, Total: 2, Seq: 1}, "4142"},
		{"16-bit ref", "0608041234030341", UDH{Concat: true, Ref: 0x1234, Total: 3, Seq: 3, Ref16: true}, "41"},
		{"port IE then concat", "0b0504233423340003010201" + "00",
			UDH{Concat: true, Ref: 1, Total: 2, Seq: 1, Elements: []IE{{ID: 0x05, Data: []byte{0x23, 0x34, 0x23, 0x34}}}}, "00"},
		{"no concat", "0224004142", UDH{Elements: []IE{{ID: 0x24, Data: []byte{}}}}, "4142"},
		{"empty header", "00ff", UDH{}, "ff"},
		{"second concat kept raw", "0a0003010201000302020241",
			UDH{Concat: true, Ref: 1, Total: 2, Seq: 1, Elements: []IE{{ID: 0, Data: []byte{2, 2, 2}}}}, "41"},
		{"no body", "050003010101", UDH{Concat: true, Ref: 1, Total: 1, Seq: 1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, _ := hex.DecodeString(tt.in)
			h, body, err := ParseUDH(in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(h, tt.want) || hex.EncodeToString(body) != tt.body {
				t.Fatalf("got %+v body %x", h, body)
			}
			m, err := h.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			h2, _, err := ParseUDH(m)
			if err != nil || !reflect.DeepEqual(h, h2) {
				t.Fatalf("marshal %x parsed %+v, %v", m, h2, err)
			}
		})
	}
}

func TestParseUDHMalformed(t *testing.T) {
	for _, in := range []string{
		"",             // nothing
		"05000301",     // header longer than message
		"0100",         // element without length
		"03000501",     // element longer than header
		"0400020102",   // concat with 2 octets
		"050003010002", // total 0
		"050003010200", // seq 0
		"050003010203", // seq > total
		"06080412340200",
	} {
		b, _ := hex.DecodeString(in)
		if h, body, err := ParseUDH(b); !errors.Is(err, ErrMalformedUDH) {
			t.Errorf("%s: %+v %x %v", in, h, body, err)
		}
	}
}

func TestMarshalUDHErrors(t *testing.T) {
	for _, h := range []UDH{
		{Concat: true, Ref: 300, Total: 2, Seq: 1},
		{Concat: true, Ref: 1, Total: 2, Seq: 3},
		{Elements: []IE{{ID: 1, Data: make([]byte, 256)}}},
		{Elements: []IE{{ID: 1, Data: make([]byte, 200)}, {ID: 2, Data: make([]byte, 100)}}},
	} {
		if m, err := h.Marshal(); err == nil {
			t.Errorf("%+v marshalled to %x", h, m)
		}
	}
}

package text

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// reassemble checks every part's framing and capacity, then decodes and
// joins the bodies.
func reassemble(t testing.TB, parts []Part, enc Encoding, opt SplitOptions) string {
	t.Helper()
	var b strings.Builder
	for i, p := range parts {
		if p.DataCoding != enc.DataCoding() {
			t.Fatalf("part %d: data_coding %d for %v", i, p.DataCoding, enc)
		}
		body := p.Payload
		if len(parts) > 1 {
			if p.ESMClass != 0x40 {
				t.Fatalf("part %d: esm_class 0x%02x", i, p.ESMClass)
			}
			h, rest, err := ParseUDH(p.Payload)
			if err != nil {
				t.Fatalf("part %d: %v", i, err)
			}
			wantRef := opt.Ref
			if !opt.Ref16 {
				wantRef &= 0xFF
			}
			if !h.Concat || h.Ref16 != opt.Ref16 || h.Ref != wantRef || int(h.Total) != len(parts) || int(h.Seq) != i+1 {
				t.Fatalf("part %d: udh %+v", i, h)
			}
			if string(p.UDH) != string(p.Payload[:len(p.UDH)]) {
				t.Fatalf("part %d: UDH %x is not the payload's prefix", i, p.UDH)
			}
			body = rest
		} else if p.ESMClass != 0 || p.UDH != nil {
			t.Fatalf("single part has esm_class 0x%02x udh %x", p.ESMClass, p.UDH)
		}
		// Capacity: 140 octets of user data; unpacked GSM7 septets cost 7 bits.
		bits := len(p.UDH)*8 + len(body)*8
		if enc == GSM7 {
			bits = (len(p.UDH)*8+6)/7*7 + len(body)*7
			if len(body) != p.Units {
				t.Fatalf("part %d: %d septets, Units %d", i, len(body), p.Units)
			}
			if len(body) > 0 && body[len(body)-1] == esc && !escapeEndsAt(body, 0, len(body)-1) {
				t.Fatalf("part %d ends with an escape", i)
			}
		} else if len(body) != 2*p.Units {
			t.Fatalf("part %d: %d octets, Units %d", i, len(body), p.Units)
		}
		if bits > 140*8 {
			t.Fatalf("part %d: %d bits exceed 140 octets", i, bits)
		}
		s, err := Decode(p.DataCoding, body)
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		b.WriteString(s)
	}
	return b.String()
}

func TestSplitBoundaries(t *testing.T) {
	a, ж := strings.Repeat, "ж"
	tests := []struct {
		name  string
		in    string
		ref16 bool
		enc   Encoding
		units []int
	}{
		{"gsm 1", "x", false, GSM7, []int{1}},
		{"gsm 160", a("a", 160), false, GSM7, []int{160}},
		{"gsm 161", a("a", 161), false, GSM7, []int{153, 8}},
		{"gsm 306", a("a", 306), false, GSM7, []int{153, 153}},
		{"gsm 307", a("a", 307), false, GSM7, []int{153, 153, 1}},
		{"gsm 304 ref16", a("a", 304), true, GSM7, []int{152, 152}},
		{"gsm 305 ref16", a("a", 305), true, GSM7, []int{152, 152, 1}},
		{"gsm 80 euro = 160 septets", a("€", 80), false, GSM7, []int{160}},
		{"gsm 159 + euro", a("a", 159) + "€", false, GSM7, []int{153, 8}},
		{"gsm euro across boundary", a("a", 152) + "€" + a("b", 10), false, GSM7, []int{152, 12}},
		{"gsm euro fits boundary", a("a", 151) + "€" + a("b", 10), false, GSM7, []int{153, 10}},
		{"gsm euro across ref16 boundary", a("a", 151) + "€" + a("b", 10), true, GSM7, []int{151, 12}},
		{"gsm all euro", a("€", 200), false, GSM7, []int{152, 152, 96}},
		{"gsm 400", a("0123456789", 40), false, GSM7, []int{153, 153, 94}},
		{"ucs2 70", a(ж, 70), false, UCS2, []int{70}},
		{"ucs2 71", a(ж, 71), false, UCS2, []int{67, 4}},
		{"ucs2 134", a(ж, 134), false, UCS2, []int{67, 67}},
		{"ucs2 135", a(ж, 135), false, UCS2, []int{67, 67, 1}},
		{"ucs2 132 ref16", a(ж, 132), true, UCS2, []int{66, 66}},
		{"ucs2 35 emoji", a("😀", 35), false, UCS2, []int{70}},
		{"ucs2 36 emoji", a("😀", 36), false, UCS2, []int{66, 6}},
		{"ucs2 emoji across boundary", a(ж, 66) + "😀" + a(ж, 5), false, UCS2, []int{66, 7}},
		{"ucs2 emoji fits boundary", a(ж, 65) + "😀" + a(ж, 5), false, UCS2, []int{67, 5}},
		{"ucs2 emoji across ref16 boundary", a(ж, 65) + "😀" + a(ж, 5), true, UCS2, []int{65, 7}},
		{"ucs2 400", a("Привет, ми", 40), false, UCS2, []int{67, 67, 67, 67, 67, 65}},
		{"mixed becomes ucs2", a("a", 100) + "ç", false, UCS2, []int{67, 34}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := SplitOptions{Ref: 0x1234, Ref16: tt.ref16}
			parts, enc, err := Split(tt.in, opt)
			if err != nil {
				t.Fatal(err)
			}
			if enc != tt.enc {
				t.Fatalf("encoding %v want %v", enc, tt.enc)
			}
			var units []int
			for _, p := range parts {
				units = append(units, p.Units)
			}
			if fmt.Sprint(units) != fmt.Sprint(tt.units) {
				t.Fatalf("units %v want %v", units, tt.units)
			}
			if got := reassemble(t, parts, enc, opt); got != tt.in {
				t.Fatalf("reassembled %q", got)
			}
		})
	}
}

func TestSplitGoldenUDH(t *testing.T) {
	parts, _, err := Split(strings.Repeat("a", 200), SplitOptions{Ref: 0x1AB})
	if err != nil {
		t.Fatal(err)
	}
	// UDHL 5, IEI 0x00, IE length 3, ref (low byte), total 2, seq.
	if got := hex.EncodeToString(parts[1].UDH); got != "050003ab0202" {
		t.Errorf("8-bit UDH %s", got)
	}
	parts, _, err = Split(strings.Repeat("ж", 100), SplitOptions{Ref: 0x1AB, Ref16: true})
	if err != nil {
		t.Fatal(err)
	}
	// UDHL 6, IEI 0x08, IE length 4, ref (2 octets), total 2, seq.
	if got := hex.EncodeToString(parts[0].Payload[:9]); got != "06080401ab02010436" {
		t.Errorf("16-bit UDH + first char %s", got)
	}
}

func TestSplitErrors(t *testing.T) {
	gsm, ucs := GSM7, UCS2
	bad := Encoding(7)
	_, _, err := Split("", SplitOptions{})
	if !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	_, _, err = Split("ж", SplitOptions{Encoding: &gsm})
	if !errors.Is(err, ErrNotGSM7) {
		t.Errorf("forced gsm7: %v", err)
	}
	if _, _, err = Split("x", SplitOptions{Encoding: &bad}); err == nil {
		t.Error("unknown encoding accepted")
	}
	var tm *TooManyPartsError
	_, _, err = Split(strings.Repeat("a", 307), SplitOptions{MaxParts: 2})
	if !errors.As(err, &tm) || tm.Parts != 3 || tm.Max != 2 {
		t.Errorf("max parts: %v", err)
	}
	_, _, err = Split(strings.Repeat("a", 153*256), SplitOptions{})
	if !errors.As(err, &tm) || tm.Parts != 256 || tm.Max != 255 {
		t.Errorf("256 parts: %v", err)
	}
	parts, enc, err := Split("abc", SplitOptions{Encoding: &ucs})
	if err != nil || enc != UCS2 || hex.EncodeToString(parts[0].Payload) != "006100620063" {
		t.Errorf("forced ucs2: %v %v %x", err, enc, parts)
	}
}

func TestChoose(t *testing.T) {
	tests := []struct {
		in   string
		want Encoding
	}{
		{"", GSM7},
		{"Hello @ world", GSM7},
		{"Grüße aus Köln", GSM7},
		{"price 5€ [ok] {x} ~^|\\", GSM7},
		{"ΔΦΓΛΩΠΨΣΘΞ", GSM7},
		{"back`tick", UCS2},
		{"ç", UCS2},
		{"Привет", UCS2},
		{"smile 😀", UCS2},
		{"tab\t", UCS2},
	}
	for _, tt := range tests {
		if got := Choose(tt.in); got != tt.want {
			t.Errorf("Choose(%q) = %v want %v", tt.in, got, tt.want)
		}
	}
	if GSM7.String() != "gsm7" || UCS2.String() != "ucs2" {
		t.Error("Encoding.String")
	}
}

func BenchmarkSplit(b *testing.B) {
	cases := []struct{ name, text string }{
		{"gsm7-20", "Your code is 123456."},
		{"gsm7-400", strings.Repeat("Hello [world] ", 29)[:400]},
		{"ucs2-400", strings.Repeat("Привет мир 😀 ", 29)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Split(c.text, SplitOptions{Ref: 7}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

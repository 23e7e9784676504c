package smsc

import (
	"bytes"
	"errors"
	"testing"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

func TestInjectMO(t *testing.T) {
	long := "Ünïcödé ✓ " + string(bytes.Repeat([]byte("x"), 150))
	tests := []struct {
		name       string
		mo         MO
		wantDC     byte
		wantData   []byte // reassembled user data
		wantOrder  []byte // part numbers in arrival order; nil for single
		retransmit int
	}{
		{name: "gsm7 single", mo: MO{From: "4915112345678", To: "12345", Text: "STOP"}, wantDC: 0, wantData: []byte("STOP")},
		{name: "ucs2 single", mo: MO{From: "4915112345678", To: "12345", Text: "привет"}, wantDC: 8, wantData: ucs2(t, "привет")},
		{name: "raw payload unknown dc", mo: MO{From: "4915112345678", To: "12345", Payload: []byte{1, 2, 3}, DataCoding: 0xF0}, wantDC: 0xF0, wantData: []byte{1, 2, 3}},
		{name: "auto split ucs2", mo: MO{From: "4915112345678", To: "12345", Text: long}, wantDC: 8, wantData: ucs2(t, long), wantOrder: []byte{1, 2, 3}},
		{name: "three parts out of order retransmitted", mo: MO{From: "4915112345678", To: "12345", Text: "one two three four five six", Parts: 3, OutOfOrder: true, Retransmit: 1},
			wantDC: 0, wantData: []byte("one two three four five six"), wantOrder: []byte{3, 3, 2, 2, 1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{})
			c := dial(t, s)
			c.mustBind(pdu.Receiver)
			if err := s.InjectMO(tc.mo); err != nil {
				t.Fatal(err)
			}
			n := len(tc.wantOrder)
			if n == 0 {
				n = 1
			}
			parts := map[byte][]byte{}
			seqs := map[int32]bool{}
			var order []byte
			var ref byte
			for i := range n {
				r := c.next()
				d := r.p.(*pdu.DeliverSM)
				if d.EsmClass&data.SM_SMSC_DLV_RCPT_TYPE != 0 || r.dc != tc.wantDC {
					t.Fatalf("deliver_sm %d: esm 0x%x dc 0x%x", i, d.EsmClass, r.dc)
				}
				if d.SourceAddr.Address() != tc.mo.From || d.DestAddr.Address() != tc.mo.To {
					t.Fatalf("addresses %s -> %s", d.SourceAddr.Address(), d.DestAddr.Address())
				}
				if seqs[d.SequenceNumber] {
					t.Fatalf("sequence number %d reused", d.SequenceNumber)
				}
				seqs[d.SequenceNumber] = true
				b, _ := d.Message.GetMessageData()
				part := byte(1)
				if tc.wantOrder != nil {
					total, p, rf, ok := d.Message.UDH().GetConcatInfo()
					if !ok || int(total) != len(tc.wantOrder)/(tc.mo.Retransmit+1) || (i > 0 && rf != ref) {
						t.Fatalf("udh total %d ref %d ok %v", total, rf, ok)
					}
					ref, part = rf, p
				}
				order = append(order, part)
				parts[part] = b
				c.ack(d, data.ESME_ROK)
			}
			if tc.wantOrder != nil && !bytes.Equal(order, tc.wantOrder) {
				t.Fatalf("order %v, want %v", order, tc.wantOrder)
			}
			var all []byte
			for p := byte(1); int(p) <= len(parts); p++ {
				all = append(all, parts[p]...)
			}
			if !bytes.Equal(all, tc.wantData) {
				t.Fatalf("reassembled % x, want % x", all, tc.wantData)
			}
			waitFor(t, "MO acks", func() bool { return s.Stats().MOsAcked == n })
			if st := s.Stats(); st.MOsSent != n {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func ucs2(t *testing.T, s string) []byte {
	b, err := data.UCS2.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestInjectMORoundRobinAndErrors(t *testing.T) {
	s := startServer(t, Config{})
	if err := s.InjectMO(MO{From: "1", To: "2", Text: "x"}); !errors.Is(err, ErrNoReceiver) {
		t.Fatalf("no receiver: %v", err)
	}
	tx := dial(t, s)
	tx.mustBind(pdu.Transmitter)
	if err := s.InjectMO(MO{From: "1", To: "2", Text: "x"}); !errors.Is(err, ErrNoReceiver) {
		t.Fatalf("transmitter only: %v", err)
	}
	a, b := dial(t, s), dial(t, s)
	a.mustBind(pdu.Receiver)
	b.mustBind(pdu.Transceiver)
	for range 4 {
		if err := s.InjectMO(MO{From: "1", To: "2", Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []*rawClient{a, b} {
		for range 2 {
			d := c.next().p.(*pdu.DeliverSM)
			c.ack(d, data.ESME_RX_T_APPN)
		}
	}
	waitFor(t, "MO nacks", func() bool { return s.Stats().MOsFailed == 4 })
	if err := s.InjectMO(MO{From: "1", To: "2", Text: "x", SystemID: "nobody"}); !errors.Is(err, ErrNoReceiver) {
		t.Fatalf("unknown system id: %v", err)
	}
	if err := s.InjectMO(MO{From: "1", To: "2", Payload: make([]byte, 300), Parts: 1}); err == nil {
		t.Fatal("300 octets in one part accepted")
	}
}

func TestSplitParts(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		dc      byte
		parts   int
		want    []int // part lengths; nil = error
	}{
		{"fits", make([]byte, 140), 0, 0, []int{140}},
		{"auto", make([]byte, 300), 4, 0, []int{100, 100, 100}},
		{"ucs2 even cut", make([]byte, 10), 8, 3, []int{2, 4, 4}},
		{"escape kept whole", []byte{'a', 0x1B, 'e', 'b'}, 0, 2, []int{3, 1}},
		{"too many parts", []byte{1}, 0, 2, nil},
		{"part too long", make([]byte, 300), 0, 2, nil},
	}
	for _, tc := range tests {
		got, err := splitParts(tc.payload, tc.dc, tc.parts)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%s: no error", tc.name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var lens []int
		for _, p := range got {
			lens = append(lens, len(p))
		}
		if !equalInts(lens, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, lens, tc.want)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

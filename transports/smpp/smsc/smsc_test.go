package smsc

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"smsgw/transports/smpp/pduio"
)

func TestBind(t *testing.T) {
	tests := []struct {
		name     string
		fault    *Fault
		bt       pdu.BindingType
		systemID string
		password string
		want     data.CommandStatusType
	}{
		{name: "transceiver ok", bt: pdu.Transceiver, systemID: "esme", password: "pw", want: data.ESME_ROK},
		{name: "transmitter ok", bt: pdu.Transmitter, systemID: "esme", password: "pw", want: data.ESME_ROK},
		{name: "receiver ok", bt: pdu.Receiver, systemID: "esme", password: "pw", want: data.ESME_ROK},
		{name: "wrong password", bt: pdu.Transceiver, systemID: "esme", password: "nope", want: data.ESME_RINVPASWD},
		{name: "wrong system id", bt: pdu.Transceiver, systemID: "other", password: "pw", want: data.ESME_RINVSYSID},
		{name: "refused by fault", fault: &Fault{Kind: FaultBindRefused}, bt: pdu.Transceiver, systemID: "esme", password: "pw", want: data.ESME_RBINDFAIL},
		{name: "refused with status", fault: &Fault{Kind: FaultBindRefused, Status: data.ESME_RINVPASWD}, bt: pdu.Transmitter, systemID: "esme", password: "pw", want: data.ESME_RINVPASWD},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{SystemID: "esme", Password: "pw", SMSCSystemID: "op1"})
			if tc.fault != nil {
				s.SetFault(*tc.fault)
			}
			c := dial(t, s)
			r := c.bind(tc.bt, tc.systemID, tc.password)
			if r.CommandStatus != tc.want {
				t.Fatalf("status 0x%x, want 0x%x", uint32(r.CommandStatus), uint32(tc.want))
			}
			st := s.Stats()
			if tc.want == data.ESME_ROK {
				if r.SystemID != "op1" || st.Binds != 1 || st.Bound != 1 {
					t.Fatalf("system_id %q, stats %+v", r.SystemID, st)
				}
				if again := c.bind(tc.bt, tc.systemID, tc.password); again.CommandStatus != data.ESME_RALYBND {
					t.Fatalf("second bind: 0x%x", uint32(again.CommandStatus))
				}
			} else if st.BindsRefused != 1 || st.Bound != 0 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func TestNoBindResponse(t *testing.T) {
	s := startServer(t, Config{})
	s.SetFault(Fault{Kind: FaultNoBindResponse, Count: 1})
	c := dial(t, s)
	c.send(pdu.NewBindRequest(pdu.Transceiver))
	if got := c.ping(); len(got) != 0 {
		t.Fatalf("bind answered: %T", got[0].p)
	}
	// Count: 1 — the next bind goes through.
	c.mustBind(pdu.Transceiver)
}

func TestStateMachine(t *testing.T) {
	s := startServer(t, Config{})
	c := dial(t, s)
	// enquire_link is answered in any state; submit_sm needs a bind.
	c.ping()
	seq := c.submit("4915112345678", "too early", 0)
	r := c.next().p.(*pdu.SubmitSMResp)
	if r.SequenceNumber != seq || r.CommandStatus != data.ESME_RINVBNDSTS {
		t.Fatalf("submit before bind: %+v", r.Header)
	}
	c.mustBind(pdu.Receiver)
	c.submit("4915112345678", "receiver cannot submit", 0)
	if r := c.next().p.(*pdu.SubmitSMResp); r.CommandStatus != data.ESME_RINVBNDSTS {
		t.Fatalf("submit on receiver: 0x%x", uint32(r.CommandStatus))
	}
	// Client unbind: answered, then the SMSC closes.
	seq = c.send(pdu.NewUnbind())
	if u, ok := c.next().p.(*pdu.UnbindResp); !ok || u.SequenceNumber != seq {
		t.Fatal("unbind not answered")
	}
	c.expectClosed()
	if st := s.Stats(); st.Unbinds != 1 || st.Submits != 0 || st.EnquireLinks != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// receiptOf checks a receipt deliver_sm and returns its text id and TLV id.
func receiptOf(t *testing.T, r received) (textID, tlvID string, state byte, text string) {
	t.Helper()
	d, ok := r.p.(*pdu.DeliverSM)
	if !ok {
		t.Fatalf("got %T, want deliver_sm", r.p)
	}
	if d.EsmClass&data.SM_SMSC_DLV_RCPT_TYPE == 0 {
		t.Fatalf("esm_class 0x%x is not a receipt", d.EsmClass)
	}
	b, _ := d.Message.GetMessageData()
	text = string(b)
	if !strings.HasPrefix(text, "id:") {
		t.Fatalf("receipt text %q", text)
	}
	textID = strings.Fields(text)[0][3:]
	if f, ok := d.OptionalParameters[pdu.TagReceiptedMessageID]; ok {
		tlvID = f.String()
	}
	if f, ok := d.OptionalParameters[pdu.TagMessageStateOption]; ok && len(f.Data) == 1 {
		state = f.Data[0]
	}
	return textID, tlvID, state, text
}

func TestSubmitAndReceipt(t *testing.T) {
	tests := []struct {
		name        string
		cfg         Config
		wantResp    string // message id of the first submit
		wantReceipt string
	}{
		{name: "hex", cfg: Config{FirstID: 31}, wantResp: "1f", wantReceipt: "1f"},
		{name: "decimal", cfg: Config{FirstID: 31, IDFormat: IDDecimal}, wantResp: "31", wantReceipt: "31"},
		{name: "zero padded", cfg: Config{FirstID: 31, IDFormat: IDDecimalZeroPadded}, wantResp: "31", wantReceipt: "0000000031"},
		{name: "hex resp, decimal receipt", cfg: Config{FirstID: 31, ReceiptIDFormat: IDDecimal}, wantResp: "1f", wantReceipt: "31"},
		{name: "no TLVs", cfg: Config{FirstID: 31, ReceiptNoTLVs: true}, wantResp: "1f", wantReceipt: "1f"},
		{name: "delayed", cfg: Config{FirstID: 31, DRDelay: 20 * time.Millisecond}, wantResp: "1f", wantReceipt: "1f"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hooked []Submit
			cfg := tc.cfg
			cfg.OnSubmit = func(s Submit) { hooked = append(hooked, s) }
			s := startServer(t, cfg)
			c := dial(t, s)
			c.mustBind(pdu.Transceiver)
			seq := c.submit("4915112345678", "hello receipt", data.SM_SMSC_RECEIPT_REQUESTED)
			resp := c.next().p.(*pdu.SubmitSMResp)
			gotID := resp.MessageID
			if tc.name == "zero padded" {
				gotID = strings.TrimLeft(gotID, "0")
			}
			if resp.SequenceNumber != seq || resp.CommandStatus != data.ESME_ROK || gotID != tc.wantResp {
				t.Fatalf("resp %+v id %q", resp.Header, resp.MessageID)
			}
			r := c.next()
			textID, tlvID, state, text := receiptOf(t, r)
			if textID != tc.wantReceipt {
				t.Errorf("text id %q, want %q", textID, tc.wantReceipt)
			}
			if tc.cfg.ReceiptNoTLVs {
				if tlvID != "" || state != 0 {
					t.Errorf("TLVs present: %q %d", tlvID, state)
				}
			} else if tlvID != tc.wantReceipt || state != data.SM_STATE_DELIVERED {
				t.Errorf("TLV id %q state %d", tlvID, state)
			}
			for _, want := range []string{"sub:001", "dlvrd:001", "stat:DELIVRD", "err:000", "text:hello receipt"} {
				if !strings.Contains(text, want) {
					t.Errorf("receipt %q lacks %q", text, want)
				}
			}
			d := r.p.(*pdu.DeliverSM)
			if d.SourceAddr.Address() != "4915112345678" || d.DestAddr.Address() != "SENDER" {
				t.Errorf("receipt addresses %s -> %s", d.SourceAddr.Address(), d.DestAddr.Address())
			}
			c.ack(d, data.ESME_ROK)
			waitFor(t, "receipt ack", func() bool { return s.Stats().ReceiptsAcked == 1 })
			st := s.Stats()
			if st.Submits != 1 || st.SubmitResps[data.ESME_ROK] != 1 || st.ReceiptsSent != 1 {
				t.Fatalf("stats %+v", st)
			}
			subs := s.Submits()
			if len(subs) != 1 || len(hooked) != 1 {
				t.Fatalf("recorded %d, hooked %d", len(subs), len(hooked))
			}
			sub := subs[0]
			if sub.SystemID != "esme" || sub.Source != "SENDER" || sub.Dest != "4915112345678" ||
				string(sub.ShortMessage) != "hello receipt" || sub.MessageID != resp.MessageID ||
				sub.Seq != seq || !sub.Answered || sub.RegisteredDelivery != 1 {
				t.Fatalf("recorded %+v", sub)
			}
		})
	}
}

func TestRegisteredDelivery(t *testing.T) {
	tests := []struct {
		name   string
		regDel byte
		stat   string
		want   bool
	}{
		{"none", 0, StatDelivered, false},
		{"always", 1, StatDelivered, true},
		{"failure only, delivered", 2, StatDelivered, false},
		{"failure only, undelivered", 2, StatUndeliverable, true},
		{"always, expired", 1, StatExpired, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{DRStat: tc.stat})
			c := dial(t, s)
			c.mustBind(pdu.Transceiver)
			c.submit("4915112345678", "x", tc.regDel)
			got := c.ping()
			receipts := 0
			for _, r := range got {
				if _, ok := r.p.(*pdu.DeliverSM); ok {
					_, _, _, text := receiptOf(t, r)
					if !strings.Contains(text, "stat:"+tc.stat) {
						t.Errorf("receipt %q", text)
					}
					receipts++
				}
			}
			if (receipts == 1) != tc.want || receipts > 1 {
				t.Fatalf("%d receipts, want %v", receipts, tc.want)
			}
		})
	}
}

func TestReceiptGoesToReceiver(t *testing.T) {
	s := startServer(t, Config{})
	tx := dial(t, s)
	tx.mustBind(pdu.Transmitter)
	// No receiver yet: the receipt waits.
	tx.submit("4915112345678", "queued", 1)
	id := tx.next().p.(*pdu.SubmitSMResp).MessageID
	waitFor(t, "queued receipt", func() bool { return s.Stats().ReceiptsQueued == 1 })
	rx := dial(t, s)
	rx.mustBind(pdu.Receiver)
	if textID, _, _, _ := receiptOf(t, rx.next()); textID != id {
		t.Fatalf("receipt for %q, want %q", textID, id)
	}
	// With a receiver bound, the next receipt goes straight to it.
	tx.submit("4915112345678", "direct", 1)
	id = tx.next().p.(*pdu.SubmitSMResp).MessageID
	if textID, _, _, _ := receiptOf(t, rx.next()); textID != id {
		t.Fatalf("receipt for %q, want %q", textID, id)
	}
	if got := tx.ping(); len(got) != 0 {
		t.Fatalf("transmitter got %T", got[0].p)
	}
}

func TestSubmitStatusFaults(t *testing.T) {
	statuses := []data.CommandStatusType{data.ESME_RTHROTTLED, data.ESME_RMSGQFUL, data.ESME_RSYSERR, data.ESME_RSUBMITFAIL, data.ESME_RINVDSTADR}
	for _, st := range statuses {
		t.Run(st.Desc(), func(t *testing.T) {
			s := startServer(t, Config{})
			s.SetFault(Fault{Kind: FaultStatus, Status: st, After: 1, Count: 2})
			c := dial(t, s)
			c.mustBind(pdu.Transceiver)
			want := []data.CommandStatusType{data.ESME_ROK, st, st, data.ESME_ROK}
			for i, w := range want {
				seq := c.submit("4915112345678", "m", 1)
				r := c.next().p.(*pdu.SubmitSMResp)
				if r.SequenceNumber != seq || r.CommandStatus != w {
					t.Fatalf("submit %d: 0x%x, want 0x%x", i, uint32(r.CommandStatus), uint32(w))
				}
				if w == data.ESME_ROK {
					c.next() // its receipt
				} else if r.MessageID != "" {
					t.Fatalf("error resp with id %q", r.MessageID)
				}
			}
			if got := s.Stats().SubmitResps; got[st] != 2 || got[data.ESME_ROK] != 2 {
				t.Fatalf("resps %v", got)
			}
		})
	}
}

func TestSubmitFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault Fault
		check func(t *testing.T, s *Server, c *rawClient, seq int32)
	}{
		{"no response", Fault{Kind: FaultNoResponse}, func(t *testing.T, s *Server, c *rawClient, seq int32) {
			if got := c.ping(); len(got) != 0 {
				t.Fatalf("answered with %T", got[0].p)
			}
			if st := s.Stats(); st.SubmitsDropped != 1 {
				t.Fatalf("stats %+v", st)
			}
		}},
		{"generic nack", Fault{Kind: FaultGenericNack}, func(t *testing.T, s *Server, c *rawClient, seq int32) {
			n := c.next().p.(*pdu.GenericNack)
			if n.SequenceNumber != seq || n.CommandStatus != data.ESME_RSYSERR {
				t.Fatalf("nack %+v", n.Header)
			}
		}},
		{"generic nack without seq", Fault{Kind: FaultGenericNack, Status: data.ESME_RTHROTTLED, NoSeq: true}, func(t *testing.T, s *Server, c *rawClient, seq int32) {
			n := c.next().p.(*pdu.GenericNack)
			if n.SequenceNumber != 0 || n.CommandStatus != data.ESME_RTHROTTLED {
				t.Fatalf("nack %+v", n.Header)
			}
		}},
		{"response delay", Fault{Kind: FaultRespDelay, Delay: time.Second}, func(t *testing.T, s *Server, c *rawClient, seq int32) {
			// The enquire_link sent after the submit is answered first.
			before := c.ping()
			for _, r := range before {
				if _, ok := r.p.(*pdu.SubmitSMResp); ok {
					t.Fatal("submit_sm_resp not delayed")
				}
			}
			for {
				if r, ok := c.next().p.(*pdu.SubmitSMResp); ok {
					if r.SequenceNumber != seq {
						t.Fatalf("seq %d", r.SequenceNumber)
					}
					return
				}
			}
		}},
		{"receipt before response", Fault{Kind: FaultDRBeforeResp}, func(t *testing.T, s *Server, c *rawClient, seq int32) {
			textID, _, _, _ := receiptOf(t, c.next())
			r := c.next().p.(*pdu.SubmitSMResp)
			if r.MessageID != textID || r.SequenceNumber != seq {
				t.Fatalf("receipt %q, resp %q", textID, r.MessageID)
			}
		}},
		{"undeliverable for prefix", Fault{Kind: FaultReceiptStat, DestPrefix: "4915"}, func(t *testing.T, s *Server, c *rawClient, seq int32) {
			c.next()
			_, _, state, text := receiptOf(t, c.next())
			if state != data.SM_STATE_UNDELIVERABLE || !strings.Contains(text, "stat:UNDELIV err:001") || !strings.Contains(text, "dlvrd:000") {
				t.Fatalf("state %d text %q", state, text)
			}
			c.submit("4930000", "other prefix", 1)
			c.next()
			if _, _, state, _ := receiptOf(t, c.next()); state != data.SM_STATE_DELIVERED {
				t.Fatalf("other prefix state %d", state)
			}
		}},
		{"unbind after 1", Fault{Kind: FaultUnbind, After: 1}, func(t *testing.T, s *Server, c *rawClient, seq int32) {
			c.next() // resp
			c.next() // receipt
			c.submit("4915112345678", "second", 1)
			u, ok := c.next().p.(*pdu.Unbind)
			if !ok {
				t.Fatal("no unbind from the SMSC")
			}
			c.send(pduio.Response(u, data.ESME_ROK))
			c.expectClosed()
		}},
		{"disconnect after 1", Fault{Kind: FaultDisconnect, After: 1}, func(t *testing.T, s *Server, c *rawClient, seq int32) {
			if r, ok := c.next().p.(*pdu.SubmitSMResp); !ok || r.SequenceNumber != seq {
				t.Fatal("first submit not answered")
			}
			c.submit("4915112345678", "second", 1)
			c.expectClosed()
			if st := s.Stats(); st.Submits != 2 || st.SubmitsDropped != 1 {
				t.Fatalf("stats %+v", st)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{})
			s.SetFault(tc.fault)
			c := dial(t, s)
			c.mustBind(pdu.Transceiver)
			seq := c.submit("4915112345678", "first", 1)
			tc.check(t, s, c, seq)
		})
	}
}

func concatSubmit(ref, total, part byte, text string) *pdu.SubmitSM {
	sm := newSubmit("4915112345678", text, 1)
	sm.EsmClass |= data.SM_UDH_GSM
	sm.Message.SetUDH(pdu.UDH{pdu.NewIEConcatMessage(total, part, ref)})
	return sm
}

func TestReceiptFirstPartOnly(t *testing.T) {
	s := startServer(t, Config{})
	s.SetFault(Fault{Kind: FaultReceiptFirstPartOnly})
	c := dial(t, s)
	c.mustBind(pdu.Transceiver)
	c.send(concatSubmit(7, 2, 1, "part one"))
	c.send(concatSubmit(7, 2, 2, "part two"))
	receipts := 0
	for _, r := range c.ping() {
		if _, ok := r.p.(*pdu.DeliverSM); ok {
			receipts++
		}
	}
	if receipts != 1 {
		t.Fatalf("%d receipts, want 1", receipts)
	}
	subs := s.Submits()
	if len(subs) != 2 || subs[1].Concat != (Concat{Ref: 7, Total: 2, Part: 2}) || string(subs[1].ShortMessage) != "part two" {
		t.Fatalf("recorded %+v", subs)
	}
}

func TestFaultCleared(t *testing.T) {
	s := startServer(t, Config{})
	s.SetFault(Fault{Kind: FaultStatus, Status: data.ESME_RTHROTTLED})
	c := dial(t, s)
	c.mustBind(pdu.Transceiver)
	c.submit("1", "a", 0)
	if r := c.next().p.(*pdu.SubmitSMResp); r.CommandStatus != data.ESME_RTHROTTLED {
		t.Fatalf("0x%x", uint32(r.CommandStatus))
	}
	s.SetFault()
	c.submit("1", "a", 0)
	if r := c.next().p.(*pdu.SubmitSMResp); r.CommandStatus != data.ESME_ROK {
		t.Fatalf("0x%x", uint32(r.CommandStatus))
	}
}

func TestDataCodingRecorded(t *testing.T) {
	s := startServer(t, Config{})
	c := dial(t, s)
	c.mustBind(pdu.Transmitter)
	for _, dc := range []byte{0x00, 0x08, 0xF0, 0x11} {
		sm := newSubmit("4915112345678", "", 0)
		_ = sm.Message.SetMessageDataWithEncoding([]byte{0x41, 0x42}, data.NewCustomEncoding(dc, data.BINARY8BIT2))
		c.send(sm)
		c.next()
	}
	payload := newSubmit("4915112345678", "", 0)
	payload.RegisterOptionalParam(pdu.Field{Tag: pdu.TagMessagePayload, Data: []byte("long payload")})
	c.send(payload)
	c.next()
	subs := s.Submits()
	for i, dc := range []byte{0x00, 0x08, 0xF0, 0x11} {
		if subs[i].DataCoding != dc || string(subs[i].ShortMessage) != "AB" {
			t.Errorf("submit %d: dc 0x%x %q", i, subs[i].DataCoding, subs[i].ShortMessage)
		}
	}
	if string(subs[4].ShortMessage) != "long payload" {
		t.Errorf("message_payload recorded as %q", subs[4].ShortMessage)
	}
}

func TestMalformedInput(t *testing.T) {
	s := startServer(t, Config{})
	c := dial(t, s)
	c.mustBind(pdu.Transceiver)
	header := func(length, id uint32, seq uint32) []byte {
		b := make([]byte, 16)
		for i, v := range []uint32{length, id, 0, seq} {
			b[i*4], b[i*4+1], b[i*4+2], b[i*4+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
		}
		return b
	}
	// Unknown command id: generic_nack with its sequence number.
	c.sendRaw(append(header(20, 0x99, 501), 1, 2, 3, 4))
	n := c.next().p.(*pdu.GenericNack)
	if n.SequenceNumber != 501 || n.CommandStatus != data.ESME_RINVCMDID {
		t.Fatalf("nack %+v", n.Header)
	}
	// Body that does not decode.
	c.sendRaw(append(header(19, 4, 502), 'a', 'b', 'c'))
	n = c.next().p.(*pdu.GenericNack)
	if n.SequenceNumber != 502 {
		t.Fatalf("nack %+v", n.Header)
	}
	// The query_sm that panics gosmpp's codec is answered, not fatal.
	crasher, _ := hex.DecodeString("0000001a00000003303030303030303030300030300030300000")
	c.sendRaw(crasher)
	if q, ok := c.next().p.(*pdu.QuerySMResp); !ok || q.SequenceNumber != 0x30303030 {
		t.Fatal("query_sm not answered")
	}
	// The session survived.
	seq := c.submit("4915112345678", "still here", 0)
	if r := c.next().p.(*pdu.SubmitSMResp); r.SequenceNumber != seq || r.CommandStatus != data.ESME_ROK {
		t.Fatalf("after malformed input: %+v", r.Header)
	}
	// A bad length loses the stream: nack, then close.
	c.sendRaw(header(8, 4, 503))
	n = c.next().p.(*pdu.GenericNack)
	if n.CommandStatus != data.ESME_RINVCMDLEN || n.SequenceNumber != 503 {
		t.Fatalf("nack %+v", n.Header)
	}
	c.expectClosed()
	if st := s.Stats(); st.Malformed != 3 || st.GenericNacksSent != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestCloseEndsSessions(t *testing.T) {
	s := New(Config{})
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	c := dial(t, s)
	c.mustBind(pdu.Transceiver)
	c.submit("4915112345678", "pending receipt", 1)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	c.expectClosed()
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := s.InjectMO(MO{From: "1", To: "2", Text: "x"}); !errors.Is(err, ErrNoReceiver) {
		t.Fatalf("inject after close: %v", err)
	}
}

func TestDropSessions(t *testing.T) {
	s := startServer(t, Config{})
	c := dial(t, s)
	c.mustBind(pdu.Transceiver)
	s.DropSessions()
	c.expectClosed()
	c2 := dial(t, s)
	c2.mustBind(pdu.Transceiver)
	waitFor(t, "one bound session", func() bool { return s.Stats().Bound == 1 })
}

func TestCountUnique(t *testing.T) {
	sub := func(dest, msg string) Submit { return Submit{Dest: dest, ShortMessage: []byte(msg)} }
	tests := []struct {
		name       string
		subs       []Submit
		uniq, dups int
	}{
		{"empty", nil, 0, 0},
		{"distinct", []Submit{sub("1", "a"), sub("2", "a"), sub("1", "b")}, 3, 0},
		{"repeat", []Submit{sub("1", "a"), sub("1", "a"), sub("1", "a"), sub("2", "a")}, 2, 2},
	}
	for _, tc := range tests {
		if u, d := CountUnique(tc.subs); u != tc.uniq || d != tc.dups {
			t.Errorf("%s: %d unique %d dups", tc.name, u, d)
		}
	}
}

func TestIDFormat(t *testing.T) {
	tests := []struct {
		f    IDFormat
		n    uint64
		want string
	}{
		{IDDefault, 255, "ff"},
		{IDHex, 255, "ff"},
		{IDDecimal, 255, "255"},
		{IDDecimalZeroPadded, 255, "0000000255"},
		{IDDecimalZeroPadded, 12345678901, "12345678901"},
	}
	for _, tc := range tests {
		if got := tc.f.Format(tc.n); got != tc.want {
			t.Errorf("%d.Format(%d) = %q, want %q", tc.f, tc.n, got, tc.want)
		}
	}
}

package smpp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

func testConfig(s *testSMSC) Config {
	return Config{
		Address:         s.addr(),
		SystemID:        "gw",
		Password:        "secret",
		Mode:            Transceiver,
		BindTimeout:     2 * time.Second,
		EnquireLink:     time.Second,
		ResponseTimeout: 5 * time.Second,
		Window:          10,
	}
}

func dial(t *testing.T, s *testSMSC, edit func(*Config)) (*Client, *recorder) {
	t.Helper()
	cfg := testConfig(s)
	if edit != nil {
		edit(&cfg)
	}
	h := &recorder{}
	c, err := Dial(context.Background(), cfg, h)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, h
}

func TestDial(t *testing.T) {
	tests := []struct {
		name       string
		mode       Mode
		bindStatus uint32
		noResp     bool
		wantCmd    data.CommandIDType
		check      func(t *testing.T, err error)
	}{
		{name: "transceiver", mode: Transceiver, wantCmd: data.BIND_TRANSCEIVER},
		{name: "transmitter", mode: Transmitter, wantCmd: data.BIND_TRANSMITTER},
		{name: "receiver", mode: Receiver, wantCmd: data.BIND_RECEIVER},
		{name: "refused", mode: Transceiver, bindStatus: uint32(data.ESME_RINVPASWD), check: func(t *testing.T, err error) {
			var be *BindError
			if !errors.As(err, &be) || be.Status != uint32(data.ESME_RINVPASWD) {
				t.Fatalf("err = %v, want BindError ESME_RINVPASWD", err)
			}
		}},
		{name: "no bind_resp", mode: Transceiver, noResp: true, check: func(t *testing.T, err error) {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("err = %v, want deadline exceeded", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSMSC(t, func(s *testSMSC) { s.bindStatus, s.noBindResp = tt.bindStatus, tt.noResp })
			cfg := testConfig(s)
			cfg.Mode = tt.mode
			cfg.BindTimeout = 300 * time.Millisecond
			h := &recorder{}
			c, err := Dial(context.Background(), cfg, h)
			if tt.check != nil {
				if err == nil {
					_ = c.Close()
					t.Fatal("Dial succeeded, want error")
				}
				tt.check(t, err)
				return
			}
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			if got := s.received(tt.wantCmd); len(got) != 1 {
				t.Fatalf("SMSC got %d %s", len(got), tt.wantCmd)
			}
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		})
	}
}

func TestDialCancelled(t *testing.T) {
	s := newSMSC(t, func(s *testSMSC) { s.noBindResp = true })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := Dial(ctx, testConfig(s), &recorder{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestSubmitResponded(t *testing.T) {
	tests := []struct {
		name             string
		sub              Submit
		cfg              func(*Config)
		srcTon, srcNpi   byte
		dstTon, dstNpi   byte
		wantDataCoding   byte
		wantShortMessage []byte
	}{
		{name: "alphanumeric sender", sub: Submit{Source: "GATEWAY", Dest: "4915112345678", ShortMessage: []byte("hi")},
			srcTon: 5, srcNpi: 0, dstTon: 1, dstNpi: 1, wantShortMessage: []byte("hi")},
		{name: "numeric sender", sub: Submit{Source: "+491701234", Dest: "4915112345678", DataCoding: 8, ShortMessage: []byte{0, 'h'}},
			srcTon: 1, srcNpi: 1, dstTon: 1, dstNpi: 1, wantDataCoding: 8, wantShortMessage: []byte{0, 'h'}},
		{name: "configured ton/npi", sub: Submit{Source: "12345", Dest: "777"}, cfg: func(c *Config) { c.SourceTON, c.SourceNPI, c.DestTON, c.DestNPI = 3, 0, 2, 9 },
			srcTon: 3, srcNpi: 0, dstTon: 2, dstNpi: 9},
		{name: "udh and unknown data_coding pass through", sub: Submit{Source: "A", Dest: "1", DataCoding: 0xF0, ESMClass: 0x40, ShortMessage: []byte{5, 0, 3, 7, 2, 1, 'x'}},
			srcTon: 5, srcNpi: 0, dstTon: 1, dstNpi: 1, wantDataCoding: 0xF0, wantShortMessage: []byte{5, 0, 3, 7, 2, 1, 'x'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSMSC(t)
			c, h := dial(t, s, tt.cfg)
			sub := tt.sub
			sub.Ref = "ref-1"
			if err := c.Submit(&sub); err != nil {
				t.Fatalf("Submit: %v", err)
			}
			waitFor(t, "SubmitResponded", func() bool { n, _, _, _ := h.counts(); return n == 1 })
			got := s.received(data.SUBMIT_SM)[0].(*pdu.SubmitSM)
			ev := h.snapshot().responded[0]
			if ev.ref != "ref-1" || ev.status != 0 || ev.id != fmt.Sprintf("op-%d", got.SequenceNumber) {
				t.Fatalf("event %+v for seq %d", ev, got.SequenceNumber)
			}
			if got.SourceAddr.Ton() != tt.srcTon || got.SourceAddr.Npi() != tt.srcNpi || got.DestAddr.Ton() != tt.dstTon || got.DestAddr.Npi() != tt.dstNpi {
				t.Fatalf("ton/npi src %d/%d dst %d/%d", got.SourceAddr.Ton(), got.SourceAddr.Npi(), got.DestAddr.Ton(), got.DestAddr.Npi())
			}
			// Recompose the raw short_message: gosmpp splits off the UDH.
			msg, _ := got.Message.GetMessageData()
			if udh := got.Message.UDH(); len(udh) > 0 {
				b, _ := udh.MarshalBinary()
				msg = append(b, msg...)
			}
			if !bytes.Equal(msg, tt.wantShortMessage) {
				t.Fatalf("short_message % x, want % x", msg, tt.wantShortMessage)
			}
			if tt.wantDataCoding != 0xF0 && dataCoding(got.Message.Encoding()) != tt.wantDataCoding {
				t.Fatalf("data_coding %#x, want %#x", dataCoding(got.Message.Encoding()), tt.wantDataCoding)
			}
		})
	}
}

func TestWindow(t *testing.T) {
	s := newSMSC(t)
	s.submitMode.Store(answerHold)
	c, h := dial(t, s, func(c *Config) { c.Window = 3 })
	for i := range 3 {
		if err := c.Submit(&Submit{Ref: i, Source: "A", Dest: "1"}); err != nil {
			t.Fatalf("Submit %d: %v", i, err)
		}
	}
	if err := c.Submit(&Submit{Ref: 3, Source: "A", Dest: "1"}); !errors.Is(err, ErrWindowFull) {
		t.Fatalf("4th Submit = %v, want ErrWindowFull", err)
	}
	if n := c.Outstanding(); n != 3 {
		t.Fatalf("Outstanding = %d", n)
	}
	waitFor(t, "3 held submits", func() bool { return s.heldCount() == 3 })
	s.release(t)
	waitFor(t, "3 responses", func() bool { n, _, _, _ := h.counts(); return n == 3 })
	if n := c.Outstanding(); n != 0 {
		t.Fatalf("Outstanding after responses = %d", n)
	}
	if err := c.Submit(&Submit{Ref: 4, Source: "A", Dest: "1"}); err != nil {
		t.Fatalf("Submit after window freed: %v", err)
	}
}

func TestResponseTimeout(t *testing.T) {
	s := newSMSC(t)
	s.submitMode.Store(answerHold)
	c, h := dial(t, s, func(c *Config) { c.ResponseTimeout = 50 * time.Millisecond })
	if err := c.Submit(&Submit{Ref: "late", Source: "A", Dest: "1"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "SubmitUnknown", func() bool { _, n, _, _ := h.counts(); return n == 1 })
	if c.Outstanding() != 0 {
		t.Fatalf("Outstanding = %d after timeout", c.Outstanding())
	}
	// A late answer must not report the submit a second time.
	s.release(t)
	barrier(t, s)
	ev := h.snapshot()
	if len(ev.responded) != 0 || ev.unknown[0].ref != "late" {
		t.Fatalf("events %+v", ev)
	}
}

// barrier sends an enquire_link from the SMSC and waits for its response:
// the client has then handled everything the SMSC sent before it.
func barrier(t *testing.T, s *testSMSC) {
	t.Helper()
	el := pdu.NewEnquireLink()
	seq := el.GetSequenceNumber()
	s.send(t, el)
	waitFor(t, "enquire_link_resp", func() bool {
		for _, p := range s.received(data.ENQUIRE_LINK_RESP) {
			if p.GetSequenceNumber() == seq {
				return true
			}
		}
		return false
	})
}

func TestServerDrop(t *testing.T) {
	s := newSMSC(t)
	s.submitMode.Store(answerHold)
	c, h := dial(t, s, nil)
	for i := range 5 {
		if err := c.Submit(&Submit{Ref: i, Source: "A", Dest: "1"}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "5 held", func() bool { return s.heldCount() == 5 })
	s.dropAll()
	waitFor(t, "Closed", func() bool { _, _, _, n := h.counts(); return n == 1 })
	ev := h.snapshot()
	if len(ev.unknown) != 5 || ev.closed[0] == nil {
		t.Fatalf("unknown %d, closed %v", len(ev.unknown), ev.closed)
	}
	if err := c.Submit(&Submit{Source: "A", Dest: "1"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Submit after drop = %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close after drop: %v", err)
	}
	if _, _, _, n := h.counts(); n != 1 {
		t.Fatalf("Closed called %d times", n)
	}
}

func TestGenericNack(t *testing.T) {
	tests := []struct {
		name       string
		nack, want uint32
	}{
		{"with status", uint32(data.ESME_RTHROTTLED), uint32(data.ESME_RTHROTTLED)},
		{"without status", 0, uint32(data.ESME_RSYSERR)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSMSC(t)
			s.submitMode.Store(answerNack)
			s.nackStatus.Store(tt.nack)
			c, h := dial(t, s, nil)
			if err := c.Submit(&Submit{Ref: 1, Source: "A", Dest: "1"}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "response", func() bool { n, _, _, _ := h.counts(); return n == 1 })
			if ev := h.snapshot().responded[0]; ev.ref != 1 || ev.id != "" || ev.status != tt.want {
				t.Fatalf("event %+v", ev)
			}
		})
	}
}

func receiptPDU() *pdu.DeliverSM {
	d := pdu.NewDeliverSM().(*pdu.DeliverSM)
	d.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "4915112345678")
	d.DestAddr, _ = pdu.NewAddressWithTonNpiAddr(5, 0, "GATEWAY")
	d.EsmClass = 0x04
	_ = d.Message.SetMessageWithEncoding("id:abc123 sub:001 dlvrd:001 stat:DELIVRD err:000", data.GSM7BIT)
	d.RegisterOptionalParam(pdu.Field{Tag: pdu.TagReceiptedMessageID, Data: []byte("abc123\x00")})
	d.RegisterOptionalParam(pdu.Field{Tag: pdu.TagMessageStateOption, Data: []byte{2}})
	d.RegisterOptionalParam(pdu.Field{Tag: pdu.TagNetworkErrorCode, Data: []byte{3, 0, 1}})
	return d
}

func TestDeliveredAckedOnlyByAck(t *testing.T) {
	s := newSMSC(t)
	_, h := dial(t, s, nil)
	dlr := receiptPDU()
	s.send(t, dlr)
	barrier(t, s)
	ev := h.snapshot()
	if len(ev.delivered) != 1 {
		t.Fatalf("delivered %d", len(ev.delivered))
	}
	d := ev.delivered[0].d
	if !d.Receipt || d.ReceiptedID != "abc123" || d.MessageState != 2 || !bytes.Equal(d.NetworkErrorCode, []byte{3, 0, 1}) ||
		d.Source != "4915112345678" || d.Dest != "GATEWAY" || !bytes.HasPrefix(d.ShortMessage, []byte("id:abc123")) {
		t.Fatalf("deliver %+v", d)
	}
	if n := len(s.received(data.DELIVER_SM_RESP)); n != 0 {
		t.Fatalf("%d deliver_sm_resp before ack", n)
	}
	ev.delivered[0].ack(uint32(data.ESME_RX_T_APPN))
	ev.delivered[0].ack(0) // ignored: ack works once
	waitFor(t, "deliver_sm_resp", func() bool { return len(s.received(data.DELIVER_SM_RESP)) == 1 })
	barrier(t, s)
	resps := s.received(data.DELIVER_SM_RESP)
	if len(resps) != 1 || resps[0].GetSequenceNumber() != dlr.SequenceNumber || uint32(resps[0].GetHeader().CommandStatus) != uint32(data.ESME_RX_T_APPN) {
		t.Fatalf("deliver_sm_resp %+v, want one for seq %d", resps, dlr.SequenceNumber)
	}
}

func TestDeliveredMO(t *testing.T) {
	mo := pdu.NewDeliverSM().(*pdu.DeliverSM)
	mo.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "4915112345678")
	mo.DestAddr, _ = pdu.NewAddressWithTonNpiAddr(3, 0, "1234")
	mo.EsmClass = 0x40
	_ = mo.Message.SetMessageDataWithEncoding([]byte{5, 0, 3, 9, 2, 1, 'h', 'i'}, data.UCS2)
	sar := pdu.NewDeliverSM().(*pdu.DeliverSM)
	sar.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "49151")
	_ = sar.Message.SetMessageWithEncoding("part", data.GSM7BIT)
	sar.RegisterOptionalParam(pdu.Field{Tag: pdu.TagSarMsgRefNum, Data: []byte{1, 2}})
	sar.RegisterOptionalParam(pdu.Field{Tag: pdu.TagSarTotalSegments, Data: []byte{3}})
	sar.RegisterOptionalParam(pdu.Field{Tag: pdu.TagSarSegmentSeqnum, Data: []byte{1}})
	odd := pdu.NewDeliverSM().(*pdu.DeliverSM)
	_ = odd.Message.SetMessageDataWithEncoding([]byte{0, 'o', 0, 'k'}, rawCodings[0x18])
	dsm := pdu.NewDataSM().(*pdu.DataSM)
	dsm.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "49152")
	dsm.DataCoding = 8
	dsm.RegisterOptionalParam(pdu.Field{Tag: pdu.TagMessagePayload, Data: []byte{0, 'o', 0, 'k'}})

	tests := []struct {
		name   string
		p      pdu.PDU
		respID data.CommandIDType
		check  func(d *Deliver) bool
	}{
		{"udh kept in short_message", mo, data.DELIVER_SM_RESP, func(d *Deliver) bool {
			return !d.Receipt && d.DataCoding == 8 && d.ESMClass == 0x40 && bytes.Equal(d.ShortMessage, []byte{5, 0, 3, 9, 2, 1, 'h', 'i'})
		}},
		{"sar TLVs", sar, data.DELIVER_SM_RESP, func(d *Deliver) bool {
			return d.SAR != nil && *d.SAR == SAR{Ref: 0x0102, Total: 3, Seqnum: 1} && string(d.ShortMessage) == "part"
		}},
		{"data_coding unknown to gosmpp", odd, data.DELIVER_SM_RESP, func(d *Deliver) bool {
			return d.DataCoding == 0x18 && bytes.Equal(d.ShortMessage, []byte{0, 'o', 0, 'k'})
		}},
		{"data_sm payload", dsm, data.DATA_SM_RESP, func(d *Deliver) bool {
			return d.DataCoding == 8 && bytes.Equal(d.Payload, []byte{0, 'o', 0, 'k'}) && d.Source == "49152"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSMSC(t)
			_, h := dial(t, s, nil)
			s.send(t, tt.p)
			waitFor(t, "Delivered", func() bool { _, _, n, _ := h.counts(); return n == 1 })
			ev := h.snapshot().delivered[0]
			if !tt.check(ev.d) {
				t.Fatalf("deliver %+v", ev.d)
			}
			ev.ack(0)
			waitFor(t, "response", func() bool { return len(s.received(tt.respID)) == 1 })
			if got := s.received(tt.respID)[0].GetSequenceNumber(); got != tt.p.GetSequenceNumber() {
				t.Fatalf("response seq %d, want %d", got, tt.p.GetSequenceNumber())
			}
		})
	}
}

func TestEnquireLink(t *testing.T) {
	s := newSMSC(t)
	_, h := dial(t, s, func(c *Config) { c.EnquireLink = 20 * time.Millisecond })
	waitFor(t, "client enquire_link", func() bool { return len(s.received(data.ENQUIRE_LINK)) >= 2 })
	barrier(t, s)
	if _, _, _, n := h.counts(); n != 0 {
		t.Fatalf("closed during keep-alive: %v", h.snapshot().closed)
	}
}

func TestSMSCUnbind(t *testing.T) {
	s := newSMSC(t)
	_, h := dial(t, s, nil)
	s.send(t, pdu.NewUnbind())
	waitFor(t, "Closed", func() bool { _, _, _, n := h.counts(); return n == 1 })
	if err := h.snapshot().closed[0]; !errors.Is(err, ErrUnbound) {
		t.Fatalf("Closed(%v), want ErrUnbound", err)
	}
	waitFor(t, "unbind_resp", func() bool { return len(s.received(data.UNBIND_RESP)) == 1 })
}

func TestMalformedDeliverClosesBind(t *testing.T) {
	s := newSMSC(t)
	_, h := dial(t, s, nil)
	// deliver_sm with UDHI set and UDHL 0: gosmpp cannot parse it.
	bad := pdu.NewDeliverSM().(*pdu.DeliverSM)
	bad.EsmClass = 0x40
	_ = bad.Message.SetMessageDataWithEncoding([]byte{0, 'x'}, data.GSM7BIT)
	s.send(t, bad)
	waitFor(t, "Closed", func() bool { _, _, _, n := h.counts(); return n == 1 })
	if err := h.snapshot().closed[0]; err == nil {
		t.Fatal("Closed(nil) after a malformed deliver_sm")
	}
}

func TestCloseUnbinds(t *testing.T) {
	before := runtime.NumGoroutine()
	s := newSMSC(t)
	s.submitMode.Store(answerHold)
	cfg := testConfig(s)
	h := &recorder{}
	c, err := Dial(context.Background(), cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Submit(&Submit{Ref: "out", Source: "A", Dest: "1"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "held submit", func() bool { return s.heldCount() == 1 })
	s.send(t, receiptPDU())
	waitFor(t, "Delivered", func() bool { _, _, n, _ := h.counts(); return n == 1 })
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := len(s.received(data.UNBIND)); n < 1 {
		t.Fatal("SMSC got no unbind")
	}
	ev := h.snapshot()
	if len(ev.closed) != 1 || ev.closed[0] != nil {
		t.Fatalf("Closed %v, want one nil", ev.closed)
	}
	if len(ev.unknown) != 1 || ev.unknown[0].ref != "out" || !errors.Is(ev.unknown[0].reason, ErrClosed) {
		t.Fatalf("unknown %+v", ev.unknown)
	}
	ev.delivered[0].ack(0) // after close: no-op, no panic
	if err := c.Submit(&Submit{Source: "A", Dest: "1"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Submit after Close = %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	s.close()
	waitFor(t, "goroutines to exit", func() bool { return runtime.NumGoroutine() <= before })
}

func TestReceiverCannotSubmit(t *testing.T) {
	s := newSMSC(t)
	c, _ := dial(t, s, func(c *Config) { c.Mode = Receiver })
	if err := c.Submit(&Submit{Source: "A", Dest: "1"}); !errors.Is(err, ErrReceiveOnly) {
		t.Fatalf("Submit on receiver = %v", err)
	}
}

func TestQuerySMFromSMSCClosesWithoutPanic(t *testing.T) {
	s := newSMSC(t)
	_, h := dial(t, s, nil)
	// query_sm followed by a zero-length TLV: panics inside gosmpp's parser.
	crasher := []byte{0, 0, 0, 0x1a, 0, 0, 0, 3, '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', 0, '0', '0', 0, '0', '0', 0, 0}
	s.sendRaw(t, crasher)
	waitFor(t, "Closed", func() bool { _, _, _, n := h.counts(); return n == 1 })
	if err := h.snapshot().closed[0]; err == nil || !strings.Contains(err.Error(), "query_sm") {
		t.Fatalf("Closed(%v), want the query_sm reason", err)
	}
}

package server

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"smsgw/transports/smpp/pduio"
)

const bindNone pdu.BindingType = 0xFF

func TestStateMachine(t *testing.T) {
	ts := startServer(t, Config{}, newBackend())
	query := func() pdu.PDU {
		q := pdu.NewQuerySM().(*pdu.QuerySM)
		q.MessageID = "x"
		return q
	}
	multi := func() pdu.PDU {
		m := pdu.NewSubmitMulti().(*pdu.SubmitMulti)
		m.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "1")
		a, _ := pdu.NewAddressWithTonNpiAddr(1, 1, "2")
		d := pdu.NewDestinationAddress()
		d.SetAddress(a)
		m.DestAddrs.Add(d)
		return m
	}
	dataSM := func() pdu.PDU {
		d := pdu.NewDataSM().(*pdu.DataSM)
		d.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "1")
		d.DestAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "2")
		return d
	}
	bindTX := func() pdu.PDU {
		b := pdu.NewBindRequest(pdu.Transmitter)
		b.SystemID, b.Password = "user", "pw"
		return b
	}
	tests := []struct {
		name   string
		bind   pdu.BindingType
		req    func() pdu.PDU
		cmd    data.CommandIDType
		status data.CommandStatusType
	}{
		{"submit before bind", bindNone, func() pdu.PDU { return newSubmit("1", "a") }, data.SUBMIT_SM_RESP, data.ESME_RINVBNDSTS},
		{"query before bind", bindNone, query, data.QUERY_SM_RESP, data.ESME_RINVBNDSTS},
		{"unbind before bind", bindNone, pdu.NewUnbind, data.UNBIND_RESP, data.ESME_RINVBNDSTS},
		{"enquire_link before bind", bindNone, pdu.NewEnquireLink, data.ENQUIRE_LINK_RESP, data.ESME_ROK},
		{"submit on receiver", pdu.Receiver, func() pdu.PDU { return newSubmit("1", "a") }, data.SUBMIT_SM_RESP, data.ESME_RINVBNDSTS},
		{"submit_multi on receiver", pdu.Receiver, multi, data.SUBMIT_MULTI_RESP, data.ESME_RINVBNDSTS},
		{"data_sm on receiver", pdu.Receiver, dataSM, data.DATA_SM_RESP, data.ESME_RINVBNDSTS},
		{"query on receiver", pdu.Receiver, query, data.QUERY_SM_RESP, data.ESME_RINVBNDSTS},
		{"enquire_link on receiver", pdu.Receiver, pdu.NewEnquireLink, data.ENQUIRE_LINK_RESP, data.ESME_ROK},
		{"enquire_link on transmitter", pdu.Transmitter, pdu.NewEnquireLink, data.ENQUIRE_LINK_RESP, data.ESME_ROK},
		{"enquire_link on transceiver", pdu.Transceiver, pdu.NewEnquireLink, data.ENQUIRE_LINK_RESP, data.ESME_ROK},
		{"second bind", pdu.Transceiver, bindTX, data.BIND_TRANSMITTER_RESP, data.ESME_RALYBND},
		{"cancel_sm", pdu.Transmitter, pdu.NewCancelSM, data.CANCEL_SM_RESP, data.ESME_RCANCELFAIL},
		{"replace_sm", pdu.Transceiver, pdu.NewReplaceSM, data.REPLACE_SM_RESP, data.ESME_RREPLACEFAIL},
		{"deliver_sm from customer", pdu.Transceiver, pdu.NewDeliverSM, data.DELIVER_SM_RESP, data.ESME_RINVBNDSTS},
		{"unknown query id", pdu.Transmitter, query, data.QUERY_SM_RESP, data.ESME_RQUERYFAIL},
		{"outbind from customer", pdu.Transceiver, pdu.NewOutbind, data.GENERIC_NACK, data.ESME_RINVCMDID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, ts.addr)
			if tc.bind != bindNone {
				c.mustBind(tc.bind)
			}
			seq := c.send(tc.req())
			r := c.next()
			h := r.GetHeader()
			if h.CommandID != tc.cmd || h.CommandStatus != tc.status || h.SequenceNumber != seq {
				t.Fatalf("got %v %v seq %d, want %v %v seq %d", h.CommandID, h.CommandStatus, h.SequenceNumber, tc.cmd, tc.status, seq)
			}
			// The session goes on.
			seq = c.send(pdu.NewEnquireLink())
			if r := c.next(); r.GetHeader().CommandID != data.ENQUIRE_LINK_RESP || r.GetSequenceNumber() != seq {
				t.Fatalf("after: got %v", r.GetHeader())
			}
		})
	}
}

func rawHeader(length, cmd, status, seq uint32) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint32(b, length)
	binary.BigEndian.PutUint32(b[4:], cmd)
	binary.BigEndian.PutUint32(b[8:], status)
	binary.BigEndian.PutUint32(b[12:], seq)
	return b
}

func TestMalformedInput(t *testing.T) {
	crasher, _ := hex.DecodeString("0000001a00000003303030303030303030300030300030300000")
	tests := []struct {
		name   string
		in     []byte
		cmd    data.CommandIDType
		status data.CommandStatusType
		seq    int32
		closes bool
	}{
		{"unknown command", rawHeader(16, 0x99, 0, 7), data.GENERIC_NACK, data.ESME_RINVCMDID, 7, false},
		{"unknown command with body", append(rawHeader(20, 0x99, 0, 8), 1, 2, 3, 4), data.GENERIC_NACK, data.ESME_RINVCMDID, 8, false},
		{"bad body", append(rawHeader(18, 0x04, 0, 9), 'a', 'b'), data.GENERIC_NACK, data.ESME_RSYSERR, 9, false},
		{"query_sm crasher", crasher, data.QUERY_SM_RESP, data.ESME_RQUERYFAIL, 0x30303030, false},
		{"short command_length", rawHeader(8, 0x15, 0, 10), data.GENERIC_NACK, data.ESME_RINVCMDLEN, 10, true},
		{"huge command_length", rawHeader(1<<30, 0x15, 0, 11), data.GENERIC_NACK, data.ESME_RINVCMDLEN, 11, true},
	}
	ts := startServer(t, Config{}, newBackend())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, ts.addr)
			c.mustBind(pdu.Transceiver)
			c.writeRaw(tc.in)
			h := c.next().GetHeader()
			if h.CommandID != tc.cmd || h.CommandStatus != tc.status || h.SequenceNumber != tc.seq {
				t.Fatalf("got %v %v seq %d, want %v %v seq %d", h.CommandID, h.CommandStatus, h.SequenceNumber, tc.cmd, tc.status, tc.seq)
			}
			if tc.closes {
				c.expectClosed()
				return
			}
			seq := c.send(pdu.NewEnquireLink())
			if r := c.next(); r.GetHeader().CommandID != data.ENQUIRE_LINK_RESP || r.GetSequenceNumber() != seq {
				t.Fatalf("after: got %v", r.GetHeader())
			}
		})
	}
	ts.waitClosed(t, "protocol_error")
}

func TestBind(t *testing.T) {
	tests := []struct {
		name, user, pw string
		bt             pdu.BindingType
		status         data.CommandStatusType
		mode           Mode
	}{
		{"transmitter", "user", "pw", pdu.Transmitter, data.ESME_ROK, Transmitter},
		{"receiver", "user", "pw", pdu.Receiver, data.ESME_ROK, Receiver},
		{"transceiver", "user", "pw", pdu.Transceiver, data.ESME_ROK, Transceiver},
		{"bad password", "user", "nope", pdu.Transceiver, data.ESME_RINVPASWD, 0},
		{"bad system_id", "who", "pw", pdu.Transmitter, data.ESME_RINVSYSID, 0},
	}
	b := newBackend()
	ts := startServer(t, Config{SystemID: "gw"}, b)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, ts.addr)
			r := c.bind(tc.bt, tc.user, tc.pw)
			// gosmpp drops the system_id of an error bind_transmitter_resp.
			if r.CommandStatus != tc.status || (tc.status == data.ESME_ROK && r.SystemID != "gw") {
				t.Fatalf("bind_resp %v %q", r.CommandStatus, r.SystemID)
			}
			if tc.status != data.ESME_ROK {
				// A refused bind leaves the session open for another try.
				c.mustBind(tc.bt)
				return
			}
			sessions := b.bound()
			s := sessions[len(sessions)-1]
			if s.Mode() != tc.mode || s.SystemID() != "user" || s.Account() != "acct-user" || !s.Bound() {
				t.Fatalf("session %v %q %v", s.Mode(), s.SystemID(), s.Account())
			}
		})
	}
}

func TestTimers(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		bind   bool
		answer bool // answer our enquire_link probes
		reason string
	}{
		{"bind timeout", Config{BindTimeout: 50 * time.Millisecond}, false, false, "bind_timeout"},
		{"inactivity", Config{InactivityTimeout: 100 * time.Millisecond, EnquireLink: 20 * time.Millisecond}, true, true, "inactivity_timeout"},
		{"enquire_link unanswered", Config{EnquireLink: 20 * time.Millisecond, ResponseTimeout: 50 * time.Millisecond}, true, false, "enquire_link_timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend()
			ts := startServer(t, tc.cfg, b)
			c := dialRaw(t, ts.addr)
			if tc.bind {
				c.mustBind(pdu.Transceiver)
			}
			probes := 0
			for {
				if err := c.conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
					t.Fatal(err)
				}
				p, _, err := c.r.Next()
				if err != nil {
					break
				}
				if e, ok := p.(*pdu.EnquireLink); ok {
					probes++
					if tc.answer {
						c.writeRaw(pduio.Marshal(pduio.Response(e, data.ESME_ROK)))
					}
				}
			}
			ts.waitClosed(t, tc.reason)
			if tc.bind && probes == 0 {
				t.Fatal("no enquire_link probe sent")
			}
			if tc.bind {
				waitFor(t, "Unbound", func() bool { return b.unboundCount(b.bound()[0].ID()) == 1 })
			}
		})
	}
}

func TestEnquireLinkWhileSaturated(t *testing.T) {
	b := newBackend()
	release := make(chan struct{})
	b.submitFn = func(ctx context.Context, m *Submit) (string, uint32) {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return "id-" + m.Dest, StatusOK
	}
	ts := startServer(t, Config{SubmitConcurrency: 4}, b)
	c := dialRaw(t, ts.addr)
	c.mustBind(pdu.Transceiver)
	for i := range 4 {
		c.send(newSubmit(string(rune('0'+i)), "x"))
	}
	waitFor(t, "4 submits in the backend", func() bool { return len(b.submitted()) == 4 })
	seq := c.send(pdu.NewEnquireLink())
	if r := c.next(); r.GetHeader().CommandID != data.ENQUIRE_LINK_RESP || r.GetSequenceNumber() != seq {
		t.Fatalf("got %v", r.GetHeader())
	}
	close(release)
	for range 4 {
		r, ok := c.next().(*pdu.SubmitSMResp)
		if !ok || r.CommandStatus != data.ESME_ROK || r.MessageID == "" {
			t.Fatalf("submit_sm_resp %+v", r)
		}
	}
}

func TestUnbindAnswersInFlightFirst(t *testing.T) {
	b := newBackend()
	release := make(chan struct{})
	b.submitFn = func(ctx context.Context, m *Submit) (string, uint32) {
		<-release
		return "late", StatusOK
	}
	ts := startServer(t, Config{}, b)
	c := dialRaw(t, ts.addr)
	c.mustBind(pdu.Transceiver)
	sub := c.send(newSubmit("1", "x"))
	waitFor(t, "submit in the backend", func() bool { return len(b.submitted()) == 1 })
	unb := c.send(pdu.NewUnbind())
	close(release)
	if r := c.next(); r.GetSequenceNumber() != sub || r.(*pdu.SubmitSMResp).MessageID != "late" {
		t.Fatalf("first: %v", r.GetHeader())
	}
	if r := c.next(); r.GetHeader().CommandID != data.UNBIND_RESP || r.GetSequenceNumber() != unb {
		t.Fatalf("second: %v", r.GetHeader())
	}
	c.expectClosed()
	ts.waitClosed(t, "unbound")
	id := b.bound()[0].ID()
	waitFor(t, "Unbound", func() bool { return b.unboundCount(id) == 1 })
}

func TestSubmitFields(t *testing.T) {
	b := newBackend()
	ts := startServer(t, Config{}, b)
	c := dialRaw(t, ts.addr)
	c.mustBind(pdu.Transmitter)

	udh := pdu.UDH{pdu.NewIEConcatMessage(3, 2, 77)}
	long := newSubmit("4911", "")
	long.EsmClass = data.SM_UDH_GSM
	long.Message.SetUDH(udh)
	_ = long.Message.SetMessageDataWithEncoding([]byte{0, 'h', 0, 'i'}, data.UCS2)
	c.send(long)

	sar := newSubmit("4912", "part")
	sar.RegisterOptionalParam(pdu.Field{Tag: pdu.TagSarMsgRefNum, Data: []byte{1, 2}})
	sar.RegisterOptionalParam(pdu.Field{Tag: pdu.TagSarTotalSegments, Data: []byte{2}})
	sar.RegisterOptionalParam(pdu.Field{Tag: pdu.TagSarSegmentSeqnum, Data: []byte{1}})
	sar.RegisterOptionalParam(pdu.Field{Tag: pdu.TagUserMessageReference, Data: []byte{0, 42}})
	c.send(sar)

	d := pdu.NewDataSM().(*pdu.DataSM)
	d.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "src")
	d.DestAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "4913")
	d.DataCoding = 0xF0
	d.RegisterOptionalParam(pdu.Field{Tag: pdu.TagMessagePayload, Data: []byte("payload")})
	c.send(d)

	var dataResp *pdu.DataSMResp
	for range 3 {
		if r, ok := c.next().(*pdu.DataSMResp); ok {
			dataResp = r
		}
	}
	if dataResp == nil || dataResp.MessageID == "" {
		t.Fatalf("data_sm_resp: %+v", dataResp)
	}
	got := map[string]*Submit{}
	for _, m := range b.submitted() {
		got[m.Dest] = m
	}
	m := got["4911"]
	if m.Command != CommandSubmitSM || m.DataCoding != 8 || m.UDH == nil || !m.UDH.Concat || m.UDH.Ref != 77 || m.UDH.Total != 3 || m.UDH.Seq != 2 ||
		hex.EncodeToString(m.ShortMessage) != "0500034d03020068006900"[:len(hex.EncodeToString(m.ShortMessage))] || m.Source != "SENDER" || m.SourceTON != 5 {
		t.Fatalf("udh submit: %+v %+v %x", m, m.UDH, m.ShortMessage)
	}
	m = got["4912"]
	if m.SAR == nil || *m.SAR != (SAR{Ref: 0x102, Total: 2, Seq: 1}) || m.UserMessageReference == nil || *m.UserMessageReference != 42 || string(m.ShortMessage) != "part" {
		t.Fatalf("sar submit: %+v", m)
	}
	m = got["4913"]
	if m.Command != CommandDataSM || m.DataCoding != 0xF0 || string(m.Payload) != "payload" {
		t.Fatalf("data_sm: %+v", m)
	}
}

func TestSubmitMulti(t *testing.T) {
	b := newBackend()
	b.submitFn = func(_ context.Context, m *Submit) (string, uint32) {
		if m.Dest == "bad" {
			return "", StatusInvDstAddr
		}
		return "id-" + m.Dest, StatusOK
	}
	ts := startServer(t, Config{}, b)
	c := dialRaw(t, ts.addr)
	c.mustBind(pdu.Transceiver)
	sm := pdu.NewSubmitMulti().(*pdu.SubmitMulti)
	sm.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "src")
	for _, a := range []string{"bad", "111", "222"} {
		addr, _ := pdu.NewAddressWithTonNpiAddr(1, 1, a)
		d := pdu.NewDestinationAddress()
		d.SetAddress(addr)
		sm.DestAddrs.Add(d)
	}
	_ = sm.Message.SetMessageWithEncoding("hi", data.GSM7BIT)
	c.send(sm)
	r, ok := c.next().(*pdu.SubmitMultiResp)
	if !ok || r.CommandStatus != data.ESME_ROK || r.MessageID != "id-111" {
		t.Fatalf("submit_multi_resp %+v", r)
	}
	un := r.UnsuccessSMEs.Get()
	if len(un) != 1 || un[0].Address.Address() != "bad" || un[0].ErrorStatusCode() != data.ESME_RINVDSTADR {
		t.Fatalf("unsuccess %+v", un)
	}
	if n := len(b.submitted()); n != 3 {
		t.Fatalf("%d backend submits, want 3", n)
	}
}

func TestQuery(t *testing.T) {
	b := newBackend()
	final := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	b.queryFn = func(id string) (QueryResult, uint32) {
		if id != "m1" {
			return QueryResult{}, StatusQueryFail
		}
		return QueryResult{FinalDate: final, MessageState: 2, ErrorCode: 0}, StatusOK
	}
	ts := startServer(t, Config{}, b)
	c := dialRaw(t, ts.addr)
	c.mustBind(pdu.Transceiver)
	q := pdu.NewQuerySM().(*pdu.QuerySM)
	q.MessageID = "m1"
	seq := c.send(q)
	r, ok := c.next().(*pdu.QuerySMResp)
	if !ok || r.SequenceNumber != seq || r.MessageID != "m1" || r.MessageState != 2 || r.FinalDate != "240506070809000+" {
		t.Fatalf("query_sm_resp %+v", r)
	}
}

func TestDeliver(t *testing.T) {
	b := newBackend()
	ts := startServer(t, Config{DeliverWindow: 2, ResponseTimeout: 300 * time.Millisecond}, b)
	c := dialRaw(t, ts.addr)
	c.mustBind(pdu.Receiver)
	s := b.bound()[0]
	ctx := context.Background()

	type result struct {
		status uint32
		err    error
	}
	results := make(chan result, 3)
	receipt := &Deliver{Source: "4911", Dest: "SENDER", ESMClass: 0x04, DataCoding: 0xF0,
		ShortMessage: []byte("id:1 stat:DELIVRD"), ReceiptedMessageID: "m1", MessageState: 2, NetworkErrorCode: []byte{3, 0, 0}}
	for range 2 {
		go func() {
			st, err := s.Deliver(ctx, receipt)
			results <- result{st, err}
		}()
	}
	d1, ok := c.next().(*pdu.DeliverSM)
	if !ok {
		t.Fatal("expected deliver_sm")
	}
	d2 := c.next().(*pdu.DeliverSM)
	rid := d1.OptionalParameters[pdu.TagReceiptedMessageID]
	if d1.EsmClass != 0x04 || rid.String() != "m1" || d1.OptionalParameters[pdu.TagMessageStateOption].Data[0] != 2 {
		t.Fatalf("deliver_sm %+v", d1)
	}
	if dc := c.r.Raw(); len(dc) == 0 {
		t.Fatal("no raw")
	}
	// The window is full: a third Deliver waits for its context.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	_, err := s.Deliver(short, receipt)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third deliver: %v", err)
	}
	c.writeRaw(pduio.Marshal(pduio.Response(d1, data.ESME_ROK)))
	c.writeRaw(pduio.Marshal(pduio.GenericNack(d2.SequenceNumber, data.ESME_RX_T_APPN)))
	got := map[uint32]bool{}
	for range 2 {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		got[r.status] = true
	}
	if !got[StatusOK] || !got[StatusTempAppErr] {
		t.Fatalf("statuses %v", got)
	}
	// Unanswered: ErrNoResponse after ResponseTimeout.
	go func() {
		st, err := s.Deliver(ctx, receipt)
		results <- result{st, err}
	}()
	c.next()
	if r := <-results; !errors.Is(r.err, ErrNoResponse) {
		t.Fatalf("unanswered: %v", r.err)
	}
	// Not a receiver.
	tx := dialRaw(t, ts.addr)
	tx.mustBind(pdu.Transmitter)
	if _, err := b.bound()[1].Deliver(ctx, receipt); !errors.Is(err, ErrNotReceiver) {
		t.Fatalf("deliver on transmitter: %v", err)
	}
}

func TestCloseUnbindsSessions(t *testing.T) {
	b := newBackend()
	ts := startServer(t, Config{ResponseTimeout: 200 * time.Millisecond}, b)
	answering := dialRaw(t, ts.addr)
	answering.mustBind(pdu.Transceiver)
	silent := dialRaw(t, ts.addr)
	silent.mustBind(pdu.Transmitter)
	dialRaw(t, ts.addr) // never binds
	waitFor(t, "3 sessions", func() bool { return len(ts.Sessions()) == 3 })
	done := make(chan error, 1)
	go func() { done <- ts.Close() }()
	u, ok := answering.next().(*pdu.Unbind)
	if !ok {
		t.Fatal("expected unbind")
	}
	answering.writeRaw(pduio.Marshal(pduio.Response(u, data.ESME_ROK)))
	answering.expectClosed()
	silent.expectClosed()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(ts.Sessions()); n != 0 {
		t.Fatalf("%d sessions left", n)
	}
	for _, s := range b.bound() {
		if b.unboundCount(s.ID()) != 1 {
			t.Fatalf("Unbound called %d times", b.unboundCount(s.ID()))
		}
	}
}

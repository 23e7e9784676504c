package smsc

import (
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"smsgw/transports/smpp/pduio"
)

// waitTimeout bounds every wait in these tests; nothing asserts a duration.
const waitTimeout = 10 * time.Second

// rawClient is a minimal ESME on pduio, so these tests do not depend on the
// gosmpp-based client.
type rawClient struct {
	t    testing.TB
	conn net.Conn
	w    *pduio.Writer
	in   chan received
	seq  atomic.Int32
}

type received struct {
	p  pdu.PDU
	dc byte // data_coding read from the raw bytes of deliver_sm
}

func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	s := New(cfg)
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func dial(t testing.TB, s *Server) *rawClient {
	t.Helper()
	conn, err := net.DialTimeout("tcp", s.Addr(), waitTimeout)
	if err != nil {
		t.Fatal(err)
	}
	c := &rawClient{t: t, conn: conn, w: pduio.NewWriter(conn, 0), in: make(chan received, 100_000)}
	go func() {
		defer close(c.in)
		r := pduio.NewReader(conn)
		for {
			p, _, err := r.Next()
			if err != nil {
				var pe *pduio.PDUError
				if errors.As(err, &pe) && !pe.Fatal() {
					continue
				}
				return
			}
			rc := received{p: p}
			if _, ok := p.(*pdu.DeliverSM); ok {
				rc.dc, _ = dataCodingOf(r.Raw())
			}
			c.in <- rc
		}
	}()
	t.Cleanup(c.close)
	return c
}

func (c *rawClient) close() {
	_ = c.conn.Close()
	_ = c.w.Close()
}

// send assigns a fresh sequence number unless p has one, and queues p.
func (c *rawClient) send(p pdu.PDU) int32 {
	c.t.Helper()
	seq := c.seq.Add(1)
	p.SetSequenceNumber(seq)
	if err := c.w.Write(p); err != nil {
		c.t.Fatalf("client write: %v", err)
	}
	return seq
}

func (c *rawClient) sendRaw(b []byte) {
	c.t.Helper()
	if err := c.w.WriteRaw(b); err != nil {
		c.t.Fatalf("client write: %v", err)
	}
}

// next returns the next PDU from the SMSC, failing on timeout or EOF.
func (c *rawClient) next() received {
	c.t.Helper()
	select {
	case r, ok := <-c.in:
		if !ok {
			c.t.Fatal("connection closed")
		}
		return r
	case <-time.After(waitTimeout):
		c.t.Fatal("timeout waiting for a PDU")
	}
	return received{}
}

// expectClosed waits for the SMSC to close the connection, skipping PDUs.
func (c *rawClient) expectClosed() {
	c.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		select {
		case _, ok := <-c.in:
			if !ok {
				return
			}
		case <-deadline:
			c.t.Fatal("connection not closed")
		}
	}
}

func (c *rawClient) bind(bt pdu.BindingType, systemID, password string) *pdu.BindResp {
	c.t.Helper()
	b := pdu.NewBindRequest(bt)
	b.SystemID, b.Password = systemID, password
	c.send(b)
	r, ok := c.next().p.(*pdu.BindResp)
	if !ok {
		c.t.Fatal("bind not answered with bind_resp")
	}
	return r
}

func (c *rawClient) mustBind(bt pdu.BindingType) {
	c.t.Helper()
	if r := c.bind(bt, "esme", "pw"); r.CommandStatus != data.ESME_ROK {
		c.t.Fatalf("bind: status 0x%x", uint32(r.CommandStatus))
	}
}

func newSubmit(dest, text string, regDelivery byte) *pdu.SubmitSM {
	sm := pdu.NewSubmitSM().(*pdu.SubmitSM)
	sm.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(5, 0, "SENDER")
	sm.DestAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, dest)
	sm.RegisteredDelivery = regDelivery
	_ = sm.Message.SetMessageWithEncoding(text, data.GSM7BIT)
	return sm
}

func (c *rawClient) submit(dest, text string, regDelivery byte) int32 {
	c.t.Helper()
	return c.send(newSubmit(dest, text, regDelivery))
}

// ping sends enquire_link and returns everything received before its resp:
// the SMSC answers in order, so this shows what a previous request caused.
func (c *rawClient) ping() []received {
	c.t.Helper()
	seq := c.send(pdu.NewEnquireLink())
	var before []received
	for {
		r := c.next()
		if e, ok := r.p.(*pdu.EnquireLinkResp); ok && e.SequenceNumber == seq {
			return before
		}
		before = append(before, r)
	}
}

func (c *rawClient) ack(d *pdu.DeliverSM, status data.CommandStatusType) {
	c.t.Helper()
	r := pduio.Response(d, status)
	if err := c.w.Write(r); err != nil {
		c.t.Fatalf("client write: %v", err)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

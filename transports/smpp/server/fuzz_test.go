package server

import (
	"context"
	"encoding/hex"
	"errors"
	"net"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
	"github.com/rs/zerolog"

	"smsgw/transports/smpp/pduio"
)

const queryCrasher = "0000001a00000003303030303030303030300030300030300000"

// fuzzBackend accepts everything at once.
type fuzzBackend struct{}

func (fuzzBackend) Bind(context.Context, *Session, string, string) uint32 { return StatusOK }
func (fuzzBackend) Submit(_ context.Context, _ *Session, m *Submit) (string, uint32) {
	if m.Dest == "" {
		return "", StatusInvDstAddr
	}
	return "id", StatusOK
}
func (fuzzBackend) Query(context.Context, *Session, string) (QueryResult, uint32) {
	return QueryResult{FinalDate: time.Unix(0, 0), MessageState: 2}, StatusOK
}
func (fuzzBackend) Unbound(*Session) {}

func seedStream(pdus ...pdu.PDU) []byte {
	var b []byte
	for i, p := range pdus {
		p.SetSequenceNumber(int32(i + 10))
		b = append(b, pduio.Marshal(p)...)
	}
	return b
}

func fuzzSeeds() [][]byte {
	crasher, _ := hex.DecodeString(queryCrasher)
	multi := pdu.NewSubmitMulti().(*pdu.SubmitMulti)
	for _, a := range []string{"1", ""} {
		addr, _ := pdu.NewAddressWithTonNpiAddr(1, 1, a)
		d := pdu.NewDestinationAddress()
		d.SetAddress(addr)
		multi.DestAddrs.Add(d)
	}
	udh := newSubmit("2", "")
	udh.EsmClass = data.SM_UDH_GSM
	udh.Message.SetUDH(pdu.UDH{pdu.NewIEConcatMessage(2, 1, 9)})
	_ = udh.Message.SetMessageDataWithEncoding([]byte("part"), data.GSM7BIT)
	ds := pdu.NewDataSM().(*pdu.DataSM)
	ds.RegisterOptionalParam(pdu.Field{Tag: pdu.TagMessagePayload, Data: []byte("x")})
	q := pdu.NewQuerySM().(*pdu.QuerySM)
	q.MessageID = "id"
	return [][]byte{
		crasher,
		seedStream(newSubmit("1", "hello"), pdu.NewEnquireLink(), pdu.NewUnbind()),
		seedStream(multi, udh, ds, q, pdu.NewCancelSM(), pdu.NewReplaceSM()),
		append(rawHeader(20, 0x99, 0, 7), 1, 2, 3, 4),
		append(rawHeader(18, 4, 0, 9), 'a', 'b'),
		rawHeader(8, 0x15, 0, 1),
		seedStream(pdu.NewBindRequest(pdu.Transmitter), pdu.NewDeliverSMResp(), pdu.NewGenericNack()),
	}
}

// readSignal lets the fuzz target see when the session's read loop has
// handled every byte written so far: it then asks the connection for more
// with nothing left unread.
type readSignal struct {
	net.Conn
	consumed atomic.Int64 // bytes Read returned
	idleAt   atomic.Int64 // consumed when the pending Read began; -1 outside Read
	entered  chan struct{}
}

func newReadSignal(c net.Conn) *readSignal {
	r := &readSignal{Conn: c, entered: make(chan struct{}, 1)}
	r.idleAt.Store(-1)
	return r
}

func (c *readSignal) Read(b []byte) (int, error) {
	c.idleAt.Store(c.consumed.Load())
	select {
	case c.entered <- struct{}{}:
	default: // a wakeup is already pending
	}
	n, err := c.Conn.Read(b)
	c.idleAt.Store(-1)
	c.consumed.Add(int64(n))
	return n, err
}

// waitIdle returns once the read loop has handled written bytes or the
// session has ended.
func (c *readSignal) waitIdle(written int64, done <-chan struct{}) {
	for c.idleAt.Load() != written {
		select {
		case <-c.entered:
		case <-done:
			return
		}
	}
}

// fuzzClient reads everything the server sends, which must start with an
// accepted bind_resp and always decode, and hangs up on the server's unbind
// like a customer that just leaves (so Server.Close never waits for an
// unbind_resp).
func fuzzClient(t *testing.T, conn net.Conn) {
	r := pduio.NewReader(conn)
	for first := true; ; first = false {
		p, _, err := r.Next()
		var pe *pduio.PDUError
		switch {
		case errors.As(err, &pe):
			t.Errorf("server sent an undecodable PDU % x: %v", r.Raw(), err)
			return
		case err != nil:
			return // the pipe closed, by either side
		}
		if resp, ok := p.(*pdu.BindResp); first && (!ok || resp.CommandStatus != data.ESME_ROK) {
			t.Errorf("server answered the bind with %#v", p)
		}
		if _, ok := p.(*pdu.Unbind); ok {
			if err := conn.Close(); err != nil {
				t.Errorf("close client: %v", err)
			}
		}
	}
}

// FuzzSession feeds arbitrary bytes, in chunks, into a bound session: the
// server must answer only with well-formed PDUs, never panic, and end the
// session when the customer hangs up (even seed) or the server closes (odd
// seed).
func FuzzSession(f *testing.F) {
	for i, s := range fuzzSeeds() {
		f.Add(s, uint32(i))
	}
	bind := pdu.NewBindRequest(pdu.Transceiver)
	bind.SystemID, bind.Password = "u", "p"
	bindBytes := pduio.Marshal(bind)
	// Timers never fire within an input; ResponseTimeout only bounds writes
	// and drainSubmits, neither of which waits on a live client.
	cfg := Config{ResponseTimeout: time.Second, SubmitConcurrency: 2, DeliverWindow: 1}
	f.Fuzz(func(t *testing.T, in []byte, seed uint32) {
		// Nothing here may block for long: a hang panics with every stack.
		watchdog := time.AfterFunc(10*time.Second, func() {
			buf := make([]byte, 1<<20)
			panic("session hung:\n" + string(buf[:runtime.Stack(buf, true)]))
		})
		defer watchdog.Stop()
		srv := New(cfg, fuzzBackend{}, zerolog.Nop())
		server, client := net.Pipe()
		conn := newReadSignal(server)
		sess := newSession(srv, conn)
		if !srv.add(sess) {
			t.Fatal("server refused a session")
		}
		sess.start()
		drained := make(chan struct{})
		go func() {
			defer close(drained)
			fuzzClient(t, client)
		}()
		// Write errors only mean the server closed the session.
		n, err := client.Write(bindBytes)
		written := int64(n)
		for state := seed; err == nil && len(in) > 0; {
			state = state*1664525 + 1013904223
			n = min(int(state>>24)%23+1, len(in))
			n, err = client.Write(in[:n])
			written += int64(n)
			in = in[n:]
		}
		conn.waitIdle(written, sess.done)
		if seed%2 == 0 {
			if err := client.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
		if err := client.Close(); err != nil {
			t.Fatal(err)
		}
		<-drained
		if sess.state.Load() != stateClosed {
			t.Fatalf("session state %d after Close", sess.state.Load())
		}
	})
}

// FuzzParseSubmit checks the submit body parser alone on any bytes.
func FuzzParseSubmit(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, dests, err := parseSubmit(raw)
		if err != nil {
			return
		}
		if m == nil || len(dests) > 255 {
			t.Fatalf("parsed %v with %d destinations", m, len(dests))
		}
	})
}

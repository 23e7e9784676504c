package smpp

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// testSMSC is a minimal SMSC on gosmpp's pdu package: one goroutine per
// connection reading with pdu.Parse and answering in line.
type testSMSC struct {
	ln net.Listener

	bindStatus uint32 // set before Dial
	noBindResp bool   // set before Dial
	record     bool   // keep every PDU received (off in the benchmark)
	submitMode atomic.Int32
	nackStatus atomic.Uint32

	mu    sync.Mutex
	conns []*smscConn
	got   []pdu.PDU
	held  []*pdu.SubmitSM
	wg    sync.WaitGroup
}

// Submit modes of testSMSC.
const (
	answerOK   = iota // submit_sm_resp with id "op-<seq>"
	answerHold        // keep until release
	answerNack        // generic_nack with nackStatus
)

type smscConn struct {
	nc  net.Conn
	wmu sync.Mutex
}

func newSMSC(t testing.TB, opts ...func(*testSMSC)) *testSMSC {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testSMSC{ln: ln, record: true}
	for _, o := range opts {
		o(s)
	}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

func (s *testSMSC) addr() string { return s.ln.Addr().String() }

func (s *testSMSC) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		c := &smscConn{nc: nc}
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(c)
		}()
	}
}

func (s *testSMSC) serve(c *smscConn) {
	defer c.nc.Close()
	r := bufio.NewReader(c.nc)
	for {
		p, err := pdu.Parse(r)
		if err != nil {
			return
		}
		if s.record {
			s.mu.Lock()
			s.got = append(s.got, p)
			s.mu.Unlock()
		}
		switch q := p.(type) {
		case *pdu.BindRequest:
			if s.noBindResp {
				continue
			}
			resp := q.GetResponse().(*pdu.BindResp)
			resp.SystemID = "testsmsc"
			resp.CommandStatus = data.CommandStatusType(s.bindStatus)
			if c.write(resp) != nil || s.bindStatus != 0 {
				return
			}
		case *pdu.SubmitSM:
			switch s.submitMode.Load() {
			case answerOK:
				resp := q.GetResponse().(*pdu.SubmitSMResp)
				resp.MessageID = fmt.Sprintf("op-%d", q.SequenceNumber)
				if c.write(resp) != nil {
					return
				}
			case answerHold:
				s.mu.Lock()
				s.held = append(s.held, q)
				s.mu.Unlock()
			case answerNack:
				n := pdu.NewGenericNack().(*pdu.GenericNack)
				n.SequenceNumber = q.SequenceNumber
				n.CommandStatus = data.CommandStatusType(s.nackStatus.Load())
				if c.write(n) != nil {
					return
				}
			}
		case *pdu.EnquireLink:
			if c.write(q.GetResponse()) != nil {
				return
			}
		case *pdu.Unbind:
			_ = c.write(q.GetResponse())
			return
		}
	}
}

func (c *smscConn) write(p pdu.PDU) error {
	b := pdu.NewBuffer(nil)
	p.Marshal(b)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.nc.Write(b.Bytes())
	return err
}

// send writes p to every connection.
func (s *testSMSC) send(t testing.TB, p pdu.PDU) {
	t.Helper()
	b := pdu.NewBuffer(nil)
	p.Marshal(b)
	s.sendRaw(t, b.Bytes())
}

func (s *testSMSC) sendRaw(t testing.TB, raw []byte) {
	t.Helper()
	s.mu.Lock()
	conns := append([]*smscConn(nil), s.conns...)
	s.mu.Unlock()
	for _, c := range conns {
		c.wmu.Lock()
		_, err := c.nc.Write(raw)
		c.wmu.Unlock()
		if err != nil && !errors.Is(err, net.ErrClosed) {
			t.Logf("smsc send: %v", err)
		}
	}
}

// release answers every held submit_sm with ESME_ROK.
func (s *testSMSC) release(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	held := s.held
	s.held = nil
	s.mu.Unlock()
	for _, q := range held {
		resp := q.GetResponse().(*pdu.SubmitSMResp)
		resp.MessageID = fmt.Sprintf("op-%d", q.SequenceNumber)
		s.send(t, resp)
	}
}

func (s *testSMSC) heldCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.held)
}

// dropAll closes every TCP connection without an unbind.
func (s *testSMSC) dropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.nc.Close()
	}
}

// received returns the PDUs received so far with command id id.
func (s *testSMSC) received(id data.CommandIDType) []pdu.PDU {
	s.mu.Lock()
	defer s.mu.Unlock()
	var r []pdu.PDU
	for _, p := range s.got {
		if p.GetHeader().CommandID == id {
			r = append(r, p)
		}
	}
	return r
}

func (s *testSMSC) close() {
	_ = s.ln.Close()
	s.dropAll()
	s.wg.Wait()
}

// recorder is a Handler that keeps every event.
type recorder struct {
	mu        sync.Mutex
	responded []respEvent
	unknown   []unknownEvent
	delivered []deliverEvent
	closed    []error
	nResp     atomic.Int64
}

type respEvent struct {
	ref    any
	id     string
	status uint32
}

type unknownEvent struct {
	ref    any
	reason error
}

type deliverEvent struct {
	d   *Deliver
	ack func(uint32)
}

func (r *recorder) SubmitResponded(ref any, id string, status uint32) {
	r.nResp.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.responded = append(r.responded, respEvent{ref, id, status})
}

func (r *recorder) SubmitUnknown(ref any, reason error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unknown = append(r.unknown, unknownEvent{ref, reason})
}

func (r *recorder) Delivered(d *Deliver, ack func(uint32)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delivered = append(r.delivered, deliverEvent{d, ack})
}

func (r *recorder) Closed(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = append(r.closed, err)
}

// counts returns responded, unknown, delivered and closed counts.
func (r *recorder) counts() (int, int, int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.responded), len(r.unknown), len(r.delivered), len(r.closed)
}

// events is a copy of what a recorder saw.
type events struct {
	responded []respEvent
	unknown   []unknownEvent
	delivered []deliverEvent
	closed    []error
}

func (r *recorder) snapshot() events {
	r.mu.Lock()
	defer r.mu.Unlock()
	return events{
		responded: append([]respEvent(nil), r.responded...),
		unknown:   append([]unknownEvent(nil), r.unknown...),
		delivered: append([]deliverEvent(nil), r.delivered...),
		closed:    append([]error(nil), r.closed...),
	}
}

// waitFor polls cond until it holds or 5 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

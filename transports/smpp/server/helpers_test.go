package server

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
	"github.com/rs/zerolog"

	"smsgw/transports/smpp/pduio"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fakeBackend accepts "user"/"pw", numbers messages, and lets tests hook in.
type fakeBackend struct {
	mu       sync.Mutex
	submits  []*Submit
	sessions []*Session
	unbound  map[string]int
	ids      atomic.Int64

	submitFn func(ctx context.Context, m *Submit) (string, uint32)
	queryFn  func(id string) (QueryResult, uint32)
}

func newBackend() *fakeBackend { return &fakeBackend{unbound: make(map[string]int)} }

func (b *fakeBackend) Bind(_ context.Context, s *Session, systemID, password string) uint32 {
	switch {
	case systemID != "user":
		return StatusInvSystemID
	case password != "pw":
		return StatusInvPassword
	}
	s.SetAccount("acct-" + systemID)
	b.mu.Lock()
	b.sessions = append(b.sessions, s)
	b.mu.Unlock()
	return StatusOK
}

func (b *fakeBackend) Submit(ctx context.Context, _ *Session, m *Submit) (string, uint32) {
	b.mu.Lock()
	b.submits = append(b.submits, m)
	fn := b.submitFn
	b.mu.Unlock()
	if fn != nil {
		return fn(ctx, m)
	}
	return fmt.Sprintf("id%d", b.ids.Add(1)), StatusOK
}

func (b *fakeBackend) Query(_ context.Context, _ *Session, id string) (QueryResult, uint32) {
	if b.queryFn != nil {
		return b.queryFn(id)
	}
	return QueryResult{}, StatusQueryFail
}

func (b *fakeBackend) Unbound(s *Session) {
	b.mu.Lock()
	b.unbound[s.ID()]++
	b.mu.Unlock()
}

func (b *fakeBackend) submitted() []*Submit {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]*Submit(nil), b.submits...)
}

func (b *fakeBackend) unboundCount(id string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.unbound[id]
}

func (b *fakeBackend) bound() []*Session {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]*Session(nil), b.sessions...)
}

// syncBuffer collects log lines from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testServer struct {
	*Server
	addr string
	logs *syncBuffer
}

// closedReasons lists the reason of every session-closed log line so far.
func (ts *testServer) closedReasons() []string {
	var out []string
	for _, line := range strings.Split(ts.logs.String(), "\n") {
		if strings.Contains(line, `"event":"smpp_session_closed"`) {
			i := strings.Index(line, `"reason":"`)
			rest := line[i+len(`"reason":"`):]
			out = append(out, rest[:strings.IndexByte(rest, '"')])
		}
	}
	return out
}

func (ts *testServer) waitClosed(t testing.TB, reason string) {
	t.Helper()
	waitFor(t, "session closed with "+reason, func() bool {
		for _, r := range ts.closedReasons() {
			if r == reason {
				return true
			}
		}
		return false
	})
}

// startServer runs a server on loopback; cleanup closes it and checks that
// no goroutine of it is left.
func startServer(t testing.TB, cfg Config, b Backend) *testServer {
	t.Helper()
	before := runtime.NumGoroutine()
	logs := &syncBuffer{}
	srv := New(cfg, b, zerolog.New(logs))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		if err := <-served; err != ErrServerClosed {
			t.Errorf("serve returned %v", err)
		}
		waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
	})
	return &testServer{Server: srv, addr: ln.Addr().String(), logs: logs}
}

// rawClient is an ESME built on pduio, for the cases a real client library
// cannot produce.
type rawClient struct {
	t    testing.TB
	conn net.Conn
	r    *pduio.Reader
	seq  int32
}

func dialRaw(t testing.TB, addr string) *rawClient {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &rawClient{t: t, conn: conn, r: pduio.NewReader(conn), seq: 100}
}

func (c *rawClient) writeRaw(b []byte) {
	c.t.Helper()
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// send gives p the next sequence number, writes it and returns the number.
func (c *rawClient) send(p pdu.PDU) int32 {
	c.t.Helper()
	c.seq++
	p.SetSequenceNumber(c.seq)
	c.writeRaw(pduio.Marshal(p))
	return c.seq
}

// next reads one PDU, failing the test after a deadline.
func (c *rawClient) next() pdu.PDU {
	c.t.Helper()
	if err := c.conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		c.t.Fatal(err)
	}
	p, _, err := c.r.Next()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return p
}

// expectClosed reads until the server closes the connection.
func (c *rawClient) expectClosed() {
	c.t.Helper()
	if err := c.conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		c.t.Fatal(err)
	}
	for {
		if _, _, err := c.r.Next(); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				c.t.Fatal("connection not closed")
			}
			return
		}
	}
}

func (c *rawClient) bind(bt pdu.BindingType, systemID, password string) *pdu.BindResp {
	c.t.Helper()
	b := pdu.NewBindRequest(bt)
	b.SystemID, b.Password = systemID, password
	c.send(b)
	r, ok := c.next().(*pdu.BindResp)
	if !ok {
		c.t.Fatal("expected bind_resp")
	}
	return r
}

func (c *rawClient) mustBind(bt pdu.BindingType) {
	c.t.Helper()
	if r := c.bind(bt, "user", "pw"); r.CommandStatus != data.ESME_ROK {
		c.t.Fatalf("bind: %v", r.CommandStatus)
	}
}

func newSubmit(dest, msg string) *pdu.SubmitSM {
	sm := pdu.NewSubmitSM().(*pdu.SubmitSM)
	sm.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(5, 0, "SENDER")
	sm.DestAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, dest)
	sm.RegisteredDelivery = 1
	_ = sm.Message.SetMessageWithEncoding(msg, data.GSM7BIT)
	return sm
}

package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
	"github.com/oklog/ulid/v2"

	"smsgw/transports/smpp/pduio"
)

// SMPP session states (SMPP 3.4 §2.2). closed is ours: the socket is gone.
const (
	stateOpen int32 = iota
	stateTX
	stateRX
	stateTRX
	stateUnbound
	stateClosed
)

// flushTimeout bounds writing what is queued when a session closes cleanly.
const flushTimeout = 2 * time.Second

// CloseReason says why a session ended; every close logs exactly one.
type CloseReason int

// Close reasons.
const (
	ClosedUnbound        CloseReason = iota + 1 // the customer unbound
	ClosedServerShutdown                        // Server.Close unbound it
	ClosedBindTimeout                           // no bind within BindTimeout
	ClosedInactivity                            // nothing received within InactivityTimeout
	ClosedEnquireLink                           // our enquire_link went unanswered
	ClosedProtocolError                         // invalid command_length: stream lost
	ClosedReadError                             // EOF, reset, TLS failure
	ClosedWriteError                            // write failed or timed out
)

func (r CloseReason) String() string {
	switch r {
	case ClosedUnbound:
		return "unbound"
	case ClosedServerShutdown:
		return "server_shutdown"
	case ClosedBindTimeout:
		return "bind_timeout"
	case ClosedInactivity:
		return "inactivity_timeout"
	case ClosedEnquireLink:
		return "enquire_link_timeout"
	case ClosedProtocolError:
		return "protocol_error"
	case ClosedReadError:
		return "read_error"
	case ClosedWriteError:
		return "write_error"
	}
	return "unknown"
}

// Errors returned by Session.Deliver.
var (
	ErrSessionClosed = errors.New("smpp server: session closed")
	ErrNotReceiver   = errors.New("smpp server: session is not bound as receiver or transceiver")
	ErrNoResponse    = errors.New("smpp server: no response within the response timeout")
)

// Session is one customer connection. Its methods are safe for concurrent
// use.
type Session struct {
	srv     *Server
	conn    net.Conn
	r       *pduio.Reader
	w       *pduio.Writer
	id      string
	remote  string
	started time.Time

	ctx    context.Context // ends when the session closes
	cancel context.CancelFunc
	done   chan struct{} // closed when the session closes

	state    atomic.Int32
	mode     atomic.Int32
	bound    atomic.Bool // was bound at some point: Unbound is due
	seq      atomic.Int32
	lastRead atomic.Int64 // unix ns of the last PDU that counts as activity
	lastAny  atomic.Int64 // unix ns of the last PDU of any kind
	blocked  atomic.Bool  // the read loop waits for a submit slot
	probe    atomic.Int32 // sequence number of our unanswered enquire_link
	probeAt  atomic.Int64
	unbindAt atomic.Int32 // sequence number of our unbind

	subSem chan struct{} // submit slots
	subs   sync.WaitGroup
	window chan struct{} // deliver_sm slots

	nSubmits  atomic.Int64
	nDelivers atomic.Int64

	mu       sync.Mutex // guards the fields below; held while queueing deliver_sm
	systemID string
	account  any
	pending  map[int32]chan uint32

	closeOnce sync.Once
	reason    CloseReason
	closeErr  error
}

func newSession(srv *Server, conn net.Conn) *Session {
	ctx, cancel := context.WithCancel(context.Background())
	now := time.Now()
	s := &Session{
		srv:     srv,
		conn:    conn,
		r:       pduio.NewReader(conn),
		w:       pduio.NewWriter(deadlineConn{conn, srv.cfg.ResponseTimeout}, 0),
		id:      ulid.Make().String(),
		remote:  conn.RemoteAddr().String(),
		started: now,
		ctx:     ctx,
		cancel:  cancel,
		done:    make(chan struct{}),
		subSem:  make(chan struct{}, srv.cfg.SubmitConcurrency),
		window:  make(chan struct{}, srv.cfg.DeliverWindow),
		pending: make(map[int32]chan uint32),
	}
	s.lastRead.Store(now.UnixNano())
	s.lastAny.Store(now.UnixNano())
	return s
}

// deadlineConn bounds every write, so that a customer that stops reading
// fails the writer (which then closes the connection) instead of blocking it.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
}

func (c deadlineConn) Write(b []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, fmt.Errorf("set write deadline: %w", err)
	}
	return c.Conn.Write(b)
}

// ID is unique to this session.
func (s *Session) ID() string { return s.id }

// RemoteAddr is the customer's address.
func (s *Session) RemoteAddr() string { return s.remote }

// SystemID is the system_id the customer bound with ("" before a bind).
func (s *Session) SystemID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.systemID
}

// Mode is the bind's mode (0 before a bind).
func (s *Session) Mode() Mode { return Mode(s.mode.Load()) }

// SetAccount attaches the Backend's account to the session (from Bind).
func (s *Session) SetAccount(a any) {
	s.mu.Lock()
	s.account = a
	s.mu.Unlock()
}

// Account returns what SetAccount attached.
func (s *Session) Account() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.account
}

// Bound reports whether the session is bound now.
func (s *Session) Bound() bool {
	st := s.state.Load()
	return st == stateTX || st == stateRX || st == stateTRX
}

func (s *Session) canSubmit() bool {
	st := s.state.Load()
	return st == stateTX || st == stateTRX
}

func (s *Session) canReceive() bool {
	st := s.state.Load()
	return st == stateRX || st == stateTRX
}

func (s *Session) nextSeq() int32 {
	for {
		if v := s.seq.Add(1) & 0x7FFFFFFF; v != 0 {
			return v
		}
	}
}

func (s *Session) start() {
	go s.readLoop()
	go s.timerLoop()
}

// send queues p. An error means the session is closing, which the read loop
// notices by itself.
func (s *Session) send(p pdu.PDU) {
	if err := s.w.Write(p); err != nil {
		s.srv.log.Debug().Err(err).Str("session", s.id).Msg("smpp server: write dropped")
	}
}

// close ends the session once. flush writes what is queued first.
func (s *Session) close(reason CloseReason, cause error, flush bool) {
	s.closeOnce.Do(func() {
		s.reason, s.closeErr = reason, cause
		s.state.Store(stateClosed)
		close(s.done)
		s.cancel()
		if flush {
			// A customer that stopped reading must not hold the close.
			if err := s.conn.SetWriteDeadline(time.Now().Add(flushTimeout)); err != nil {
				s.closeErr = errors.Join(s.closeErr, fmt.Errorf("set flush deadline: %w", err))
			}
			if err := s.w.Close(); err != nil {
				s.closeErr = errors.Join(s.closeErr, fmt.Errorf("flush: %w", err))
			}
		}
		if err := s.conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			s.closeErr = errors.Join(s.closeErr, fmt.Errorf("close connection: %w", err))
		}
	})
}

func (s *Session) readLoop() {
	defer s.srv.wg.Done()
	for {
		p, h, err := s.r.Next()
		if err != nil {
			var pe *pduio.PDUError
			if !errors.As(err, &pe) {
				reason := ClosedReadError
				if s.w.Err() != nil {
					reason, err = ClosedWriteError, s.w.Err()
				}
				s.close(reason, err, false)
				break
			}
			if pe.Header.CommandID != data.GENERIC_NACK {
				s.send(pe.Nack())
			}
			if pe.Fatal() {
				s.close(ClosedProtocolError, err, true)
				break
			}
			s.srv.log.Debug().Err(err).Str("session", s.id).Msg("smpp server: undecodable PDU answered with generic_nack")
			s.touch(true)
			continue
		}
		if !s.handle(p, h) {
			break
		}
	}
	s.finish()
}

// finish runs once the read loop has ended: it waits for the submits in
// flight, reports the end to the Backend and logs the close.
func (s *Session) finish() {
	s.subs.Wait()
	if err := s.w.Close(); err != nil && s.reason != ClosedWriteError {
		s.srv.log.Debug().Err(err).Str("session", s.id).Msg("smpp server: writer stopped with error")
	}
	s.srv.remove(s)
	if s.bound.Load() {
		s.srv.backend.Unbound(s)
	}
	ev := s.srv.log.Info()
	if s.closeErr != nil && s.reason != ClosedUnbound && s.reason != ClosedServerShutdown {
		ev = s.srv.log.Warn().Err(s.closeErr)
	}
	ev.Str("event", "smpp_session_closed").
		Str("session", s.id).
		Str("system_id", s.SystemID()).
		Str("mode", s.Mode().String()).
		Str("remote", s.remote).
		Str("reason", s.reason.String()).
		Dur("duration", time.Since(s.started)).
		Int64("submits", s.nSubmits.Load()).
		Int64("delivers", s.nDelivers.Load()).
		Msg("smpp session closed")
}

// touch records a received PDU; activity says whether it resets the
// inactivity timer (answers to our own probes do not).
func (s *Session) touch(activity bool) {
	now := time.Now().UnixNano()
	s.lastAny.Store(now)
	if activity {
		s.lastRead.Store(now)
	}
}

func (s *Session) timerLoop() {
	defer s.srv.wg.Done()
	t := time.NewTicker(s.srv.cfg.tick())
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-t.C:
			s.checkTimers(now)
		}
	}
}

func (s *Session) checkTimers(now time.Time) {
	cfg := &s.srv.cfg
	switch s.state.Load() {
	case stateOpen:
		if now.Sub(s.started) > cfg.BindTimeout {
			s.close(ClosedBindTimeout, nil, false)
		}
		return
	case stateUnbound, stateClosed:
		return // unbinding is bounded by whoever started it
	}
	if s.blocked.Load() {
		return // we stopped reading ourselves: silence is ours
	}
	if now.Sub(time.Unix(0, s.lastRead.Load())) > cfg.InactivityTimeout {
		s.close(ClosedInactivity, nil, false)
		return
	}
	if s.probe.Load() != 0 {
		if now.Sub(time.Unix(0, s.probeAt.Load())) > cfg.ResponseTimeout {
			s.close(ClosedEnquireLink, ErrNoResponse, false)
		}
		return
	}
	if now.Sub(time.Unix(0, s.lastAny.Load())) > cfg.EnquireLink {
		e := pdu.NewEnquireLink()
		seq := s.nextSeq()
		e.SetSequenceNumber(seq)
		s.probeAt.Store(now.UnixNano())
		s.probe.Store(seq)
		s.send(e)
	}
}

// handle processes one PDU on the read loop; false ends the loop.
func (s *Session) handle(p pdu.PDU, h pduio.Header) bool {
	seq := h.SequenceNumber
	switch q := p.(type) {
	case *pdu.EnquireLinkResp:
		s.touch(false)
		s.probe.CompareAndSwap(seq, 0)
		return true
	case *pdu.GenericNack:
		if seq != 0 && s.probe.CompareAndSwap(seq, 0) {
			s.touch(false)
			return true
		}
		s.touch(true)
		status := uint32(q.CommandStatus)
		if status == StatusOK {
			status = StatusSysErr
		}
		s.acked(seq, status)
		return true
	}
	s.touch(true)
	switch q := p.(type) {
	case *pdu.BindRequest:
		s.bind(q)
	case *pdu.EnquireLink:
		s.send(pduio.Response(q, data.ESME_ROK))
	case *pdu.Unbind:
		return s.unbind(q)
	case *pdu.UnbindResp:
		if seq == s.unbindAt.Load() {
			s.close(ClosedServerShutdown, nil, true)
			return false
		}
	case *pdu.DeliverSMResp:
		s.acked(seq, uint32(q.CommandStatus))
	case *pdu.DataSMResp:
		s.acked(seq, uint32(q.CommandStatus))
	case *pdu.SubmitSM, *pdu.SubmitMulti, *pdu.DataSM:
		if !s.canSubmit() {
			s.send(pduio.Response(p, data.ESME_RINVBNDSTS))
			return true
		}
		s.submit(p)
	case *pdu.QuerySM:
		if !s.canSubmit() {
			s.send(pduio.Response(p, data.ESME_RINVBNDSTS))
			return true
		}
		s.query(q)
	case *pdu.CancelSM:
		s.refuse(p, data.ESME_RCANCELFAIL)
	case *pdu.ReplaceSM:
		s.refuse(p, data.ESME_RREPLACEFAIL)
	default:
		switch {
		case uint32(h.CommandID)&0x80000000 != 0:
			// A response to nothing we sent: nothing to answer.
			s.srv.log.Debug().Str("session", s.id).Stringer("command", h.CommandID).Msg("smpp server: unexpected response ignored")
		case p.CanResponse():
			// deliver_sm travels from SMSC to ESME only.
			s.send(pduio.Response(p, data.ESME_RINVBNDSTS))
		default:
			// outbind, alert_notification: ESME-bound only, no response type.
			s.send(pduio.GenericNack(seq, data.ESME_RINVCMDID))
		}
	}
	return true
}

// refuse answers a request we do not support with status, or
// ESME_RINVBNDSTS when the session may not send it at all.
func (s *Session) refuse(p pdu.PDU, status data.CommandStatusType) {
	if !s.canSubmit() {
		status = data.ESME_RINVBNDSTS
	}
	s.send(pduio.Response(p, status))
}

func (s *Session) bind(q *pdu.BindRequest) {
	if s.state.Load() != stateOpen {
		s.send(s.bindResp(q, StatusAlreadyBound))
		return
	}
	var mode Mode
	state := stateTRX
	switch q.BindingType {
	case pdu.Transmitter:
		mode, state = Transmitter, stateTX
	case pdu.Receiver:
		mode, state = Receiver, stateRX
	default:
		mode = Transceiver
	}
	// Mode is visible to Backend.Bind; the state changes only on success.
	s.mode.Store(int32(mode))
	status := s.callBind(q.SystemID, q.Password)
	if status != StatusOK {
		s.mode.Store(0)
		s.srv.log.Info().Str("event", "smpp_bind_refused").Str("session", s.id).
			Str("system_id", q.SystemID).Str("remote", s.remote).Uint32("status", status).Msg("smpp bind refused")
		s.send(s.bindResp(q, status))
		return
	}
	// Under mu, which Deliver also holds while queueing: no deliver_sm can
	// precede the bind_resp.
	s.mu.Lock()
	s.systemID = q.SystemID
	s.bound.Store(true)
	s.state.Store(state)
	s.send(s.bindResp(q, StatusOK))
	s.mu.Unlock()
	s.srv.log.Info().Str("event", "smpp_bound").Str("session", s.id).Str("system_id", q.SystemID).
		Str("mode", mode.String()).Str("remote", s.remote).Msg("smpp session bound")
}

func (s *Session) bindResp(q *pdu.BindRequest, status uint32) pdu.PDU {
	r := pduio.Response(q, data.CommandStatusType(status)).(*pdu.BindResp)
	r.SystemID = s.srv.cfg.SystemID
	if status == StatusOK && q.InterfaceVersion >= 0x34 {
		r.RegisterOptionalParam(pdu.Field{Tag: tagScInterfaceVersion, Data: []byte{0x34}})
	}
	return r
}

// callBind runs Backend.Bind; a panic there refuses the bind instead of
// killing the process.
func (s *Session) callBind(systemID, password string) (status uint32) {
	defer func() {
		if v := recover(); v != nil {
			s.srv.log.Error().Str("session", s.id).Interface("panic", v).Msg("smpp server: Backend.Bind panicked")
			status = StatusBindFail
		}
	}()
	return s.srv.backend.Bind(s.ctx, s, systemID, password)
}

// unbind answers the customer's unbind once its submits in flight are
// answered, then closes.
func (s *Session) unbind(q *pdu.Unbind) bool {
	st := s.state.Load()
	if st != stateTX && st != stateRX && st != stateTRX {
		s.send(pduio.Response(q, data.ESME_RINVBNDSTS))
		return true
	}
	s.state.CompareAndSwap(st, stateUnbound)
	s.drainSubmits()
	s.send(pduio.Response(q, data.ESME_ROK))
	s.close(ClosedUnbound, nil, true)
	return false
}

// drainSubmits waits, at most ResponseTimeout, until no submit is in
// flight, by taking every submit slot (they are not given back: the session
// is ending).
func (s *Session) drainSubmits() {
	t := time.NewTimer(s.srv.cfg.ResponseTimeout)
	defer t.Stop()
	for range cap(s.subSem) {
		select {
		case s.subSem <- struct{}{}:
		case <-t.C:
			return
		case <-s.done:
			return
		}
	}
}

// shutdown unbinds the session from our side (Server.Close); the caller has
// counted it in the server's WaitGroup.
func (s *Session) shutdown() {
	defer s.srv.wg.Done()
	st := s.state.Load()
	if (st != stateTX && st != stateRX && st != stateTRX) || !s.state.CompareAndSwap(st, stateUnbound) {
		s.close(ClosedServerShutdown, nil, false)
		return
	}
	s.drainSubmits()
	u := pdu.NewUnbind()
	seq := s.nextSeq()
	u.SetSequenceNumber(seq)
	s.unbindAt.Store(seq)
	s.send(u)
	t := time.NewTimer(s.srv.cfg.ResponseTimeout)
	defer t.Stop()
	select {
	case <-s.done:
	case <-t.C:
		s.close(ClosedServerShutdown, fmt.Errorf("unbind: %w", ErrNoResponse), false)
	}
}

// dispatch runs fn off the read loop in a submit slot, waiting for a slot
// (and so not reading) while all are taken. False if the session closed.
func (s *Session) dispatch(fn func()) bool {
	select {
	case s.subSem <- struct{}{}:
	default:
		s.blocked.Store(true)
		select {
		case s.subSem <- struct{}{}:
		case <-s.done:
			s.blocked.Store(false)
			return false
		}
		// The wait was ours, not the customer's silence.
		s.touch(true)
		s.blocked.Store(false)
	}
	s.subs.Add(1)
	go func() {
		defer s.subs.Done()
		defer func() { <-s.subSem }()
		fn()
	}()
	return true
}

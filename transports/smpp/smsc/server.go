package smsc

import (
	"errors"
	"fmt"
	"github.com/linxGnu/gosmpp/pdu"
	"net"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/linxGnu/gosmpp/data"
)

// maxPendingReceipts bounds receipts kept per system_id while no receiver is
// bound; older ones are dropped (and counted) beyond it.
const maxPendingReceipts = 100_000

// Server is a running SMSC simulator. All methods are safe for concurrent
// use.
type Server struct {
	cfg    Config
	faults faultSet
	sched  *scheduler
	lastID atomic.Uint64
	moRef  atomic.Uint32

	wg sync.WaitGroup // accept loop and session goroutines

	mu       sync.Mutex
	ln       net.Listener
	closed   bool
	sessions []*session
	rr       int
	stats    Stats
	submits  []Submit
	pending  map[string][]*receipt // receipts waiting for a receiver, by system_id
	// pendingMOs are MOs whose session closed unanswered, waiting for a receiver.
	pendingMOs map[string][]*pdu.DeliverSM
}

// New returns a Server configured by cfg; Start makes it listen.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, pending: make(map[string][]*receipt), pendingMOs: make(map[string][]*pdu.DeliverSM)}
	s.lastID.Store(cfg.FirstID - 1)
	s.stats.SubmitResps = make(map[data.CommandStatusType]int)
	return s
}

// Start listens on addr ("127.0.0.1:0" in tests) and serves in the
// background until Close.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("smsc listen %s: %w", addr, err)
	}
	s.mu.Lock()
	if s.closed || s.ln != nil {
		s.mu.Unlock()
		if cerr := ln.Close(); cerr != nil {
			return fmt.Errorf("smsc start: already started or closed; close listener: %w", cerr)
		}
		return errors.New("smsc start: already started or closed")
	}
	s.ln = ln
	s.sched = newScheduler()
	s.mu.Unlock()
	s.wg.Add(1)
	go s.accept(ln)
	return nil
}

// Addr is the listening address, "" before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops listening, closes every session without unbinding (like an
// SMSC that dies) and waits for all goroutines.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	ln, sessions := s.ln, slices.Clone(s.sessions)
	s.mu.Unlock()
	var err error
	if ln != nil {
		if cerr := ln.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) {
			err = fmt.Errorf("smsc close listener: %w", cerr)
		}
	}
	for _, ss := range sessions {
		ss.close(false)
	}
	s.wg.Wait()
	if s.sched != nil {
		s.sched.stop()
	}
	return err
}

// DropSessions closes every session at the TCP level (a network cut or an
// SMSC restart); the server keeps listening.
func (s *Server) DropSessions() {
	s.mu.Lock()
	sessions := slices.Clone(s.sessions)
	s.mu.Unlock()
	for _, ss := range sessions {
		ss.close(false)
	}
}

// SetFault replaces the active faults; SetFault() clears them. It applies to
// PDUs read after the call.
func (s *Server) SetFault(faults ...Fault) { s.faults.set(faults) }

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats.clone()
	for _, ss := range s.sessions {
		if ss.bindState() != stateOpen {
			st.Bound++
		}
	}
	st.ReceiptsQueued = 0
	for _, q := range s.pending {
		st.ReceiptsQueued += len(q)
	}
	return st
}

// Submits returns a copy of every submit_sm received so far (empty with
// Config.DisableRecording).
func (s *Server) Submits() []Submit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.submits)
}

func (s *Server) accept(ln net.Listener) {
	defer s.wg.Done()
	for {
		conn, err := ln.Accept()
		if err != nil {
			// The listener is closed (Close) or broken; either way no more
			// sessions can arrive.
			return
		}
		ss := newSession(s, conn)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			ss.close(false)
			continue
		}
		s.sessions = append(s.sessions, ss)
		s.wg.Add(1)
		s.mu.Unlock()
		go ss.serve()
	}
}

func (s *Server) remove(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.sessions, ss); i >= 0 {
		s.sessions = slices.Delete(s.sessions, i, i+1)
	}
}

// count applies f to the counters under the lock.
func (s *Server) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

// pickReceiver returns the next session (round robin) able to take
// deliver_sm for systemID ("" = any), or nil.
func (s *Server) pickReceiver(systemID string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.sessions)
	for i := range n {
		ss := s.sessions[(s.rr+i)%n]
		if ss.canReceive() && (systemID == "" || ss.systemID == systemID) {
			s.rr = (s.rr + i + 1) % n
			return ss
		}
	}
	return nil
}

// queueReceipt keeps a receipt until a receiver of its system_id binds.
func (s *Server) queueReceipt(rc *receipt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := append(s.pending[rc.systemID], rc)
	if len(q) > maxPendingReceipts {
		q = q[1:]
		s.stats.ReceiptsDropped++
	}
	s.pending[rc.systemID] = q
}

// takePending removes and returns the receipts waiting for systemID.
func (s *Server) takePending(systemID string) []*receipt {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.pending[systemID]
	delete(s.pending, systemID)
	return q
}

package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Server accepts customers' SMPP connections. Its methods are safe for
// concurrent use.
type Server struct {
	cfg     Config
	backend Backend
	log     zerolog.Logger

	wg sync.WaitGroup // every goroutine the server starts

	mu        sync.Mutex
	closing   bool
	listeners map[net.Listener]struct{}
	sessions  map[*Session]struct{}
}

// New returns a server for b; Serve makes it accept connections.
func New(cfg Config, b Backend, log zerolog.Logger) *Server {
	return &Server{
		cfg:       cfg.withDefaults(),
		backend:   b,
		log:       log,
		listeners: make(map[net.Listener]struct{}),
		sessions:  make(map[*Session]struct{}),
	}
}

// ErrServerClosed is returned by Serve after Close.
var ErrServerClosed = errors.New("smpp server: closed")

// Serve accepts connections on ln until ln is closed or Close is called. It
// returns ErrServerClosed after Close, otherwise the accept error.
func (s *Server) Serve(ln net.Listener) error {
	if s.cfg.TLS != nil {
		ln = tls.NewListener(ln, s.cfg.TLS)
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return errors.Join(ErrServerClosed, ln.Close())
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
	}()
	var backoff time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if s.isClosing() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Out of file descriptors and the like: retry, slowly.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("smpp server accept on %s: %w", ln.Addr(), err)
		}
		backoff = 0
		sess := newSession(s, conn)
		if !s.add(sess) {
			if cerr := conn.Close(); cerr != nil {
				s.log.Debug().Err(cerr).Msg("smpp server: close connection refused at shutdown")
			}
			return ErrServerClosed
		}
		sess.start()
	}
}

// add registers sess and counts its goroutines, unless the server is closing.
func (s *Server) add(sess *Session) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.sessions[sess] = struct{}{}
	s.wg.Add(2) // read loop and timer loop
	return true
}

func (s *Server) remove(sess *Session) {
	s.mu.Lock()
	delete(s.sessions, sess)
	s.mu.Unlock()
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// Sessions returns the open sessions, bound or not.
func (s *Server) Sessions() []*Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Session, 0, len(s.sessions))
	for sess := range s.sessions {
		out = append(out, sess)
	}
	return out
}

// Close stops accepting, unbinds every bound session (waiting at most
// Config.ResponseTimeout for in-flight submits and the unbind_resp), closes
// the rest, and returns when every goroutine of the server has ended.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	s.closing = true
	var errs []error
	for ln := range s.listeners {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, fmt.Errorf("smpp server close listener %s: %w", ln.Addr(), err))
		}
	}
	sessions := make([]*Session, 0, len(s.sessions))
	for sess := range s.sessions {
		sessions = append(sessions, sess)
	}
	s.mu.Unlock()
	s.wg.Add(len(sessions))
	for _, sess := range sessions {
		go sess.shutdown()
	}
	s.wg.Wait()
	return errors.Join(errs...)
}

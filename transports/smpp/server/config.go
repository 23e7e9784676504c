package server

import (
	"crypto/tls"
	"time"
)

// Mode is the kind of bind a session holds.
type Mode int

// Bind modes.
const (
	Transmitter Mode = iota + 1
	Receiver
	Transceiver
)

func (m Mode) String() string {
	switch m {
	case Transmitter:
		return "transmitter"
	case Receiver:
		return "receiver"
	case Transceiver:
		return "transceiver"
	}
	return "none"
}

// Config tunes the server. Zero values take the defaults named below.
type Config struct {
	// BindTimeout closes a connection that has not bound (session_init
	// timer; default 30s).
	BindTimeout time.Duration
	// InactivityTimeout closes a bound session that received no PDU
	// (default 300s).
	InactivityTimeout time.Duration
	// EnquireLink is how long a session may be silent before we send an
	// enquire_link (default 30s).
	EnquireLink time.Duration
	// ResponseTimeout bounds the customer's answer to our enquire_link,
	// deliver_sm and unbind (default 30s).
	ResponseTimeout time.Duration
	// DeliverWindow is the number of outstanding deliver_sm per session
	// (default 10).
	DeliverWindow int
	// SubmitConcurrency is the number of submits handled at once per
	// session; beyond it the session stops reading (default 64).
	SubmitConcurrency int
	// SystemID is ours, sent in bind_resp (default "smsgw").
	SystemID string
	// TLS, when set, makes Serve accept TLS connections only.
	TLS *tls.Config
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.BindTimeout, 30*time.Second)
	def(&c.InactivityTimeout, 300*time.Second)
	def(&c.EnquireLink, 30*time.Second)
	def(&c.ResponseTimeout, 30*time.Second)
	if c.DeliverWindow <= 0 {
		c.DeliverWindow = 10
	}
	if c.SubmitConcurrency <= 0 {
		c.SubmitConcurrency = 64
	}
	if c.SystemID == "" {
		c.SystemID = "smsgw"
	}
	return c
}

// tick is how often a session checks its timers: a quarter of the shortest
// one, so a timer fires at most 25% late.
func (c Config) tick() time.Duration {
	t := min(c.BindTimeout, c.InactivityTimeout, c.EnquireLink, c.ResponseTimeout) / 4
	return max(t, 5*time.Millisecond)
}

package smpp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linxGnu/gosmpp"
	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// Submit is one submit_sm.
type Submit struct {
	// Ref is the caller's identity for this submit, echoed in the Handler.
	Ref                  any
	Source, Dest         string
	DataCoding, ESMClass byte
	// ShortMessage includes the UDH when ESMClass&0x40 is set.
	ShortMessage       []byte
	RegisteredDelivery byte
}

// Handler receives a Client's events. Methods run on the Client's or
// gosmpp's goroutines: they must not block (hand off to an actor) and must
// not call Close.
type Handler interface {
	// SubmitResponded reports the SMSC's answer: status 0 = accepted with
	// operatorID, any other value is the ESME status (a generic_nack gives
	// its status, or ESME_RSYSERR when it has none).
	SubmitResponded(ref any, operatorID string, status uint32)
	// SubmitUnknown reports a submit with no answer within ResponseTimeout,
	// or still outstanding when the session closed: it may have been sent.
	SubmitUnknown(ref any, reason error)
	// Delivered hands over an MO or a receipt. Call ack exactly once, after
	// the durable commit: it sends the response with that status (0 = ok,
	// e.g. 0x64 ESME_RX_T_APPN to refuse temporarily). After the Client
	// closed ack does nothing and the SMSC will deliver again.
	Delivered(d *Deliver, ack func(status uint32))
	// Closed is called exactly once per Client, last. err is nil after Close.
	Closed(err error)
}

// Client is one bound SMPP session to an operator. It never rebinds.
type Client struct {
	cfg  Config
	h    Handler
	sess *gosmpp.Session
	tx   gosmpp.Transceiver
	conn *connector

	mu       sync.Mutex
	window   map[int32]pending
	stopping bool      // Close began or the session died: no new submits
	dead     bool      // teardown began: no more writes
	ctrl     []pdu.PDU // responses and unbind, sent before queued submits
	out      chan pdu.PDU
	ctrlSig  chan struct{}

	// gate orders reader callbacks before Closed: callbacks hold it shared
	// and check gateShut; teardown takes it exclusively to shut it.
	gate     sync.RWMutex
	gateShut bool

	dieOnce     sync.Once
	dying       chan struct{}
	cause       error
	closeReq    atomic.Bool
	closeOnce   sync.Once
	unbindErr   error // written once inside closeOnce
	sessErr     error // written by teardown before done
	unbindSeq   atomic.Int32
	unbound     chan struct{}
	unboundOnce sync.Once
	pumpDone    chan struct{}
	done        chan struct{}
}

type pending struct {
	ref      any
	deadline time.Time
}

// Dial connects and binds. ctx bounds only the dial and bind; the Client
// lives until it fails or Close is called. A refused bind returns an error
// wrapping *BindError. Handler callbacks may start before Dial returns.
func Dial(ctx context.Context, cfg Config, h Handler) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	bt, err := cfg.Mode.bindingType()
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:      cfg,
		h:        h,
		window:   make(map[int32]pending, cfg.Window),
		out:      make(chan pdu.PDU, cfg.Window),
		ctrlSig:  make(chan struct{}, 1),
		dying:    make(chan struct{}),
		unbound:  make(chan struct{}),
		pumpDone: make(chan struct{}),
		done:     make(chan struct{}),
	}
	settings := gosmpp.Settings{
		ReadTimeout:      3 * cfg.EnquireLink,
		WriteTimeout:     cfg.WriteTimeout,
		EnquireLink:      cfg.EnquireLink,
		OnAllPDU:         c.onPDU,
		OnReceivingError: func(err error) { c.die(fmt.Errorf("read: %w", err)) },
		// gosmpp keeps a bind open after a non-timeout write error, and drops
		// what it had queued: close on any write error.
		OnSubmitError: func(p pdu.PDU, err error) {
			c.die(fmt.Errorf("write %s: %w", p.GetHeader().CommandID, err))
		},
		OnClosed: c.onClosed,
	}
	// rebindingInterval 0: the supervisor owns reconnects.
	c.conn = &connector{ctx: ctx, cfg: &c.cfg, bt: bt}
	sess, err := gosmpp.NewSession(c.conn, settings, 0)
	if err != nil {
		return nil, fmt.Errorf("smpp %s %s: %w", cfg.Mode, cfg.Address, err)
	}
	c.sess = sess
	c.tx = sess.Transceiver()
	go c.pump()
	go c.monitor()
	return c, nil
}

// Submit queues one submit_sm without waiting for the network. It returns
// ErrWindowFull when Window submits are outstanding and ErrClosed once the
// Client is closing; otherwise the Handler will report the submit exactly
// once.
func (c *Client) Submit(s *Submit) error {
	if c.cfg.Mode == Receiver {
		return ErrReceiveOnly
	}
	sm, err := c.newSubmitSM(s)
	if err != nil {
		return fmt.Errorf("smpp %s: submit to %s: %w", c.cfg.Address, s.Dest, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.stopping:
		return ErrClosed
	case len(c.window) >= c.cfg.Window:
		return ErrWindowFull
	}
	select {
	case c.out <- sm:
	default:
		// Entries that timed out leave the window while their PDU may still
		// wait in out; never block on that.
		return ErrWindowFull
	}
	c.window[sm.SequenceNumber] = pending{ref: s.Ref, deadline: time.Now().Add(c.cfg.ResponseTimeout)}
	return nil
}

// Outstanding returns the number of submits waiting for a response.
func (c *Client) Outstanding() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.window)
}

// Close unbinds (waiting at most BindTimeout for unbind_resp), closes the
// session, reports outstanding submits as unknown and then Closed(nil). It
// returns when all of that is done; later calls only wait.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.closeReq.Store(true)
		c.mu.Lock()
		c.stopping = true
		c.mu.Unlock()
		select {
		case <-c.dying:
		default:
			c.unbindErr = c.unbind()
		}
		c.die(nil)
	})
	<-c.done
	return errors.Join(c.unbindErr, c.sessErr)
}

func (c *Client) unbind() error {
	u := pdu.NewUnbind()
	c.unbindSeq.Store(u.GetSequenceNumber())
	c.sendCtrl(u)
	t := time.NewTimer(c.cfg.BindTimeout)
	defer t.Stop()
	select {
	case <-c.unbound:
		return nil
	case <-c.dying:
		return nil
	case <-t.C:
		return fmt.Errorf("smpp %s: no unbind_resp within %s", c.cfg.Address, c.cfg.BindTimeout)
	}
}

func (c *Client) newSubmitSM(s *Submit) (*pdu.SubmitSM, error) {
	sm := pdu.NewSubmitSM().(*pdu.SubmitSM)
	ton, npi := c.cfg.sourceTonNpi(s.Source)
	sm.SourceAddr = pdu.NewAddressWithTonNpi(ton, npi)
	if err := sm.SourceAddr.SetAddress(s.Source); err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	ton, npi = c.cfg.destTonNpi()
	sm.DestAddr = pdu.NewAddressWithTonNpi(ton, npi)
	if err := sm.DestAddr.SetAddress(s.Dest); err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	sm.EsmClass = s.ESMClass
	sm.RegisteredDelivery = s.RegisteredDelivery
	// Raw bytes under the caller's data_coding: gosmpp would rewrite values
	// it does not know to 0.
	if err := sm.Message.SetMessageDataWithEncoding(s.ShortMessage, rawCodings[s.DataCoding]); err != nil {
		return nil, fmt.Errorf("short_message of %d bytes: %w", len(s.ShortMessage), err)
	}
	return sm, nil
}

// die starts teardown once; the first cause wins. After Close it is nil.
func (c *Client) die(cause error) {
	c.dieOnce.Do(func() {
		if c.closeReq.Load() {
			cause = nil
		} else if cause != nil {
			cause = fmt.Errorf("smpp %s: %w", c.cfg.Address, cause)
		}
		c.cause = cause
		close(c.dying)
	})
}

func (c *Client) onClosed(st gosmpp.State) {
	if st == gosmpp.UnbindClosing {
		c.die(ErrUnbound)
		return
	}
	c.die(fmt.Errorf("session closed (%s)", st.String()))
}

// pump is the only goroutine that calls gosmpp's blocking Submit.
func (c *Client) pump() {
	defer close(c.pumpDone)
	for {
		if !c.flushCtrl() {
			return
		}
		select {
		case <-c.dying:
			return
		case <-c.ctrlSig:
		case p := <-c.out:
			c.mu.Lock()
			_, live := c.window[p.GetSequenceNumber()]
			c.mu.Unlock()
			// A submit already reported unknown is not sent late.
			if live && !c.write(p) {
				return
			}
		}
	}
}

func (c *Client) flushCtrl() bool {
	c.mu.Lock()
	q := c.ctrl
	c.ctrl = nil
	c.mu.Unlock()
	for _, p := range q {
		if !c.write(p) {
			return false
		}
	}
	return true
}

func (c *Client) write(p pdu.PDU) bool {
	if err := c.tx.Submit(p); err != nil {
		c.die(fmt.Errorf("queue %s: %w", p.GetHeader().CommandID, err))
		return false
	}
	return true
}

func (c *Client) sendCtrl(p pdu.PDU) {
	c.mu.Lock()
	if c.dead {
		c.mu.Unlock()
		return
	}
	c.ctrl = append(c.ctrl, p)
	c.mu.Unlock()
	select {
	case c.ctrlSig <- struct{}{}:
	default:
	}
}

// monitor sweeps expired submits with one ticker and runs teardown.
func (c *Client) monitor() {
	tick := time.NewTicker(sweepInterval(c.cfg.ResponseTimeout))
	defer tick.Stop()
	for {
		select {
		case now := <-tick.C:
			c.sweep(now)
		case <-c.dying:
			c.teardown()
			return
		}
	}
}

func sweepInterval(timeout time.Duration) time.Duration {
	return min(max(timeout/8, 5*time.Millisecond), time.Second)
}

func (c *Client) sweep(now time.Time) {
	var expired []any
	c.mu.Lock()
	for seq, p := range c.window {
		if now.After(p.deadline) {
			delete(c.window, seq)
			expired = append(expired, p.ref)
		}
	}
	c.mu.Unlock()
	for _, ref := range expired {
		c.h.SubmitUnknown(ref, fmt.Errorf("smpp %s: no submit_sm_resp within %s", c.cfg.Address, c.cfg.ResponseTimeout))
	}
}

func (c *Client) teardown() {
	c.mu.Lock()
	c.stopping, c.dead = true, true
	c.ctrl = nil
	c.mu.Unlock()
	// Session.Close stops gosmpp's reader and writer (bounded by
	// WriteTimeout). After a failure its error only repeats the cause, and
	// gosmpp may already have closed the socket itself.
	if err := c.sess.Close(); err != nil && c.cause == nil && !errors.Is(err, net.ErrClosed) {
		c.sessErr = fmt.Errorf("smpp %s: close: %w", c.cfg.Address, err)
	}
	<-c.pumpDone
	c.gate.Lock()
	c.gateShut = true
	c.gate.Unlock()

	c.mu.Lock()
	left := c.window
	c.window = map[int32]pending{}
	c.mu.Unlock()
	reason := c.cause
	if reason == nil {
		reason = ErrClosed
	}
	for _, p := range left {
		c.h.SubmitUnknown(p.ref, fmt.Errorf("session closed with submit outstanding: %w", reason))
	}
	c.h.Closed(c.cause)
	close(c.done)
}

// onPDU runs on gosmpp's reader goroutine for every PDU from the SMSC;
// nothing is acknowledged unless returned here or sent through ack.
func (c *Client) onPDU(p pdu.PDU) (pdu.PDU, bool) {
	switch q := p.(type) {
	case *pdu.EnquireLink:
		return q.GetResponse(), false
	case *pdu.Unbind:
		return q.GetResponse(), true
	case *pdu.UnbindResp:
		if q.SequenceNumber == c.unbindSeq.Load() {
			c.closeUnbound()
		}
		return nil, false
	case *pdu.EnquireLinkResp:
		return nil, false
	}

	c.gate.RLock()
	defer c.gate.RUnlock()
	if c.gateShut {
		return nil, false
	}
	switch q := p.(type) {
	case *pdu.SubmitSMResp:
		c.responded(q.SequenceNumber, q.MessageID, uint32(q.CommandStatus))
	case *pdu.GenericNack:
		c.responded(q.SequenceNumber, "", nackStatus(uint32(q.CommandStatus)))
	case *pdu.DeliverSM:
		d, err := deliverFromDeliverSM(q)
		if err != nil {
			c.die(err)
			return nil, false
		}
		if dc, ok := c.conn.guard.frames.dataCoding(q.SequenceNumber); ok {
			d.DataCoding = dc
		}
		resp := q.GetResponse().(*pdu.DeliverSMResp)
		c.h.Delivered(d, c.ackFunc(resp, &resp.CommandStatus))
	case *pdu.DataSM:
		d, err := deliverFromDataSM(q)
		if err != nil {
			c.die(err)
			return nil, false
		}
		resp := q.GetResponse().(*pdu.DataSMResp)
		c.h.Delivered(d, c.ackFunc(resp, &resp.CommandStatus))
	default:
		if p.CanResponse() {
			n := pdu.NewGenericNack().(*pdu.GenericNack)
			n.SequenceNumber = p.GetSequenceNumber()
			n.CommandStatus = data.ESME_RINVCMDID
			return n, false
		}
	}
	return nil, false
}

func (c *Client) closeUnbound() {
	c.unboundOnce.Do(func() { close(c.unbound) })
}

func (c *Client) responded(seq int32, id string, status uint32) {
	c.mu.Lock()
	p, ok := c.window[seq]
	delete(c.window, seq)
	c.mu.Unlock()
	if ok {
		c.h.SubmitResponded(p.ref, id, status)
	}
}

// ackFunc sends resp (which keeps the request's sequence number) once.
func (c *Client) ackFunc(resp pdu.PDU, status *data.CommandStatusType) func(uint32) {
	var once atomic.Bool
	return func(st uint32) {
		if !once.CompareAndSwap(false, true) {
			return
		}
		*status = data.CommandStatusType(st)
		c.sendCtrl(resp)
	}
}

// rawCodings pass short_message bytes through untouched under any
// data_coding value.
var rawCodings = func() (r [256]data.Encoding) {
	for i := range r {
		r[i] = data.NewCustomEncoding(byte(i), rawEncDec{})
	}
	return r
}()

type rawEncDec struct{}

func (rawEncDec) Encode(s string) ([]byte, error) { return []byte(s), nil }
func (rawEncDec) Decode(b []byte) (string, error) { return string(b), nil }

// Package callback is the actor that delivers delivery reports to customers
// from the durable outbox: it reads due entries, POSTs them with bounded
// concurrency, and records success or the next attempt. Delivery is at least
// once; every entry keeps its id across retries so customers can dedupe.
package callback

import (
	"context"
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"smsgw/actors/metrics"
	"smsgw/persistence"
)

// Wake asks for an outbox read now (a message just became final).
type Wake struct{}

// Poster sends one callback; Gone errors stop retrying.
type Poster interface {
	Post(ctx context.Context, url, eventID string, body []byte) error
}

// Config tunes the deliverer.
type Config struct {
	Concurrency int                             // parallel POSTs (default 64)
	Batch       int                             // outbox entries per read (default 1000)
	Poll        time.Duration                   // idle read interval (default 1s)
	MinGap      time.Duration                   // least time between two outbox reads (default 50ms)
	Backoff     func(attempt int) time.Duration // delay before attempt+1
	Gone        func(error) bool                // true: the customer refused for good (HTTP 410)
	Body        func(persistence.Callback) ([]byte, error)
}

// Deps are the deliverer's collaborators.
type Deps struct {
	Store   persistence.Store
	Poster  Poster
	Metrics *metrics.Set
	Log     zerolog.Logger
}

type due struct {
	list []persistence.Callback
	err  error
}

// sent reports one finished attempt; ok is false when it must be retried.
type sent struct {
	id, customer string
	mo, ok       bool
}

type poll struct{}

// gapOver ends the pause between two reads.
type gapOver struct{}

// Props builds the callback actor.
func Props(cfg Config, deps Deps) *actor.Props {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 64
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.MinGap <= 0 {
		cfg.MinGap = 50 * time.Millisecond
	}
	return actor.PropsFromProducer(func() actor.Actor {
		return &callbackActor{cfg: cfg, deps: deps, inflight: map[string]bool{}, finished: map[string]bool{},
			moBusy: map[string]bool{}, moHead: map[string]string{}, moQueue: map[string][]persistence.Callback{},
			moQueued: map[string]bool{}}
	})
}

type callbackActor struct {
	cfg      Config
	deps     Deps
	ctx      context.Context
	cancel   context.CancelFunc
	sem      chan struct{}
	inflight map[string]bool
	// finished holds entries completed while a read was running: that read
	// may have seen them before their commit and must not send them again.
	finished map[string]bool
	// MOs go to a customer in order: one at a time, and after a failure
	// the failed one first (moHead) before any later MO.
	moBusy   map[string]bool
	moHead   map[string]string
	moQueue  map[string][]persistence.Callback // due MOs by customer, in order
	moQueued map[string]bool
	reading  bool // an outbox read is running
	again    bool // a wake came during the read
	lastRead time.Time
	gapTimer bool // a gapOver is scheduled
}

func (c *callbackActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		c.ctx, c.cancel = context.WithCancel(context.Background())
		c.sem = make(chan struct{}, c.cfg.Concurrency)
		c.read(ctx)
		c.tick(ctx)
	case *actor.Stopping, *actor.Restarting:
		c.cancel()
	case *Wake:
		c.read(ctx)
	case *poll:
		c.read(ctx)
		c.tick(ctx)
	case *gapOver:
		c.gapTimer = false
		c.read(ctx)
	case *due:
		c.reading = false
		if m.err != nil {
			c.deps.Log.Error().Err(m.err).Msg("outbox read failed")
		}
		for _, cb := range m.list {
			if c.inflight[cb.ID] || c.finished[cb.ID] || c.moQueued[cb.ID] {
				continue
			}
			if cb.Kind == persistence.KindMO {
				c.queueMO(cb)
				continue
			}
			c.inflight[cb.ID] = true
			c.send(ctx, cb)
		}
		for customer := range c.moQueue {
			c.pumpMO(ctx, customer)
		}
		clear(c.finished)
		c.readAgain(ctx)
	case *sent:
		delete(c.inflight, m.id)
		if m.mo {
			delete(c.moBusy, m.customer)
			switch {
			case !m.ok:
				// Later MOs wait until this one went: forget them, the
				// outbox gives them back in order once it is due again.
				c.moHead[m.customer] = m.id
				for _, q := range c.moQueue[m.customer] {
					delete(c.moQueued, q.ID)
				}
				delete(c.moQueue, m.customer)
			case c.moHead[m.customer] == m.id:
				delete(c.moHead, m.customer)
			}
			c.pumpMO(ctx, m.customer)
		}
		if c.reading {
			c.finished[m.id] = true
		}
		c.readAgain(ctx)
	}
}

func (c *callbackActor) tick(ctx actor.Context) {
	self, root := ctx.Self(), ctx.ActorSystem().Root
	time.AfterFunc(c.cfg.Poll, func() { root.Send(self, &poll{}) })
}

// queueMO lines a due MO up behind its customer's earlier ones; while a
// failed MO waits for its retry, nothing after it is taken.
func (c *callbackActor) queueMO(cb persistence.Callback) {
	if head := c.moHead[cb.CustomerID]; head != "" && head != cb.ID {
		return
	}
	c.moQueue[cb.CustomerID] = append(c.moQueue[cb.CustomerID], cb)
	c.moQueued[cb.ID] = true
}

// pumpMO sends a customer's next MO when none of its MOs is in flight.
func (c *callbackActor) pumpMO(ctx actor.Context, customer string) {
	q := c.moQueue[customer]
	if c.moBusy[customer] || len(q) == 0 {
		return
	}
	cb := q[0]
	if len(q) == 1 {
		delete(c.moQueue, customer)
	} else {
		c.moQueue[customer] = q[1:]
	}
	delete(c.moQueued, cb.ID)
	c.moBusy[customer] = true
	c.inflight[cb.ID] = true
	c.send(ctx, cb)
}

// readAgain serves a wake that came while reading or saturated, once half
// the batch is free.
func (c *callbackActor) readAgain(ctx actor.Context) {
	if c.again && !c.reading && len(c.inflight) <= c.cfg.Batch/2 {
		c.again = false
		c.read(ctx)
	}
}

// read fetches due entries unless a read runs or the deliverer is saturated;
// a wake meanwhile is remembered and served after. Under load every final
// message wakes the deliverer: reads are spaced by MinGap so one read
// serves many wakes instead of the outbox being scanned back to back.
func (c *callbackActor) read(ctx actor.Context) {
	if c.reading || len(c.inflight) >= c.cfg.Batch {
		c.again = true
		return
	}
	if gap := time.Since(c.lastRead); gap < c.cfg.MinGap {
		if !c.gapTimer {
			c.gapTimer = true
			self, root := ctx.Self(), ctx.ActorSystem().Root
			time.AfterFunc(c.cfg.MinGap-gap, func() { root.Send(self, &gapOver{}) })
		}
		return
	}
	c.lastRead = time.Now()
	c.reading = true
	self, root, store, bctx, n := ctx.Self(), ctx.ActorSystem().Root, c.deps.Store, c.ctx, c.cfg.Batch
	go func() {
		list, err := store.DueCallbacks(bctx, time.Now(), n)
		root.Send(self, &due{list: list, err: err})
	}()
}

// send POSTs one entry off the mailbox and records the outcome durably.
func (c *callbackActor) send(ctx actor.Context, cb persistence.Callback) {
	self, root, cfg, deps, bctx, sem := ctx.Self(), ctx.ActorSystem().Root, c.cfg, c.deps, c.ctx, c.sem
	go func() {
		done := &sent{id: cb.ID, customer: cb.CustomerID, mo: cb.Kind == persistence.KindMO}
		defer func() { root.Send(self, done) }()
		select {
		case sem <- struct{}{}:
		case <-bctx.Done():
			return
		}
		defer func() { <-sem }()
		var op persistence.Op = persistence.CallbackDone{ID: cb.ID}
		result := "ok"
		body, err := cfg.Body(cb)
		if err == nil {
			err = deps.Poster.Post(bctx, cb.URL, cb.ID, body)
		}
		switch {
		case err == nil:
			done.ok = true
		case cfg.Gone != nil && cfg.Gone(err):
			done.ok = true
			result = "gone"
			deps.Log.Warn().Str("callback_id", cb.ID).Str("customer", cb.CustomerID).Err(err).Msg("callback refused for good; dropped")
		default:
			result = "retry"
			next := time.Now().Add(cfg.Backoff(cb.Attempts))
			op = persistence.CallbackRetry{ID: cb.ID, NextAt: next, LastError: err.Error()}
			deps.Log.Debug().Str("callback_id", cb.ID).Str("customer", cb.CustomerID).Int("attempt", cb.Attempts+1).Time("next_at", next).Err(err).Msg("callback failed")
		}
		deps.Metrics.Callbacks.WithLabelValues(result).Inc()
		if _, werr := deps.Store.Write(bctx, op); werr != nil && !errors.Is(werr, context.Canceled) {
			// The entry stays due and is sent again: at least once.
			deps.Log.Error().Err(werr).Str("callback_id", cb.ID).Msg("outbox update failed")
		}
	}()
}

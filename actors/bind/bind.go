// Package bind is the actor for one SMPP session to an operator. It dials and
// binds in the background, owns the session's window, forwards responses and
// deliveries to its parent (the operator actor) and dies on any socket or
// protocol fault so that its supervisor restarts it with exponential backoff.
package bind

import (
	"context"
	"errors"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"smsgw/transports/smpp"
)

// Submit asks the bind to send one submit_sm; PDU.Ref comes back in the answer.
type Submit struct {
	PDU *smpp.Submit
}

// Up tells the parent the session is bound and how many submits it may have outstanding.
type Up struct {
	Name   string
	Window int
}

// Down tells the parent the session is gone; outstanding submits are reported Unknown.
type Down struct {
	Name string
	Err  error
}

// Responded carries a submit_sm_resp.
type Responded struct {
	Name       string
	Ref        any
	OperatorID string
	Status     uint32
}

// Unknown reports a submit whose response never came.
type Unknown struct {
	Name string
	Ref  any
	Err  error
}

// Refused reports a submit that was not written (no session, window full):
// it is safe to send again.
type Refused struct {
	Name string
	Ref  any
	Err  error
}

// Delivered carries an MO or receipt; Ack must be called once, after commit.
type Delivered struct {
	Name    string
	Deliver *smpp.Deliver
	Ack     func(status uint32)
}

// dialed is the background dial's answer.
type dialed struct {
	h      *handler
	client *smpp.Client
	err    error
}

// closed is the session's Closed callback; h tells which session it was.
type closed struct {
	h   *handler
	err error
}

// Dialer opens a session; tests may replace it.
type Dialer func(ctx context.Context, cfg smpp.Config, h smpp.Handler) (*smpp.Client, error)

// Props builds the actor for bind name of an operator.
func Props(name string, cfg smpp.Config, dial Dialer, log zerolog.Logger) *actor.Props {
	if dial == nil {
		dial = smpp.Dial
	}
	return actor.PropsFromProducer(func() actor.Actor {
		return &bindActor{name: name, cfg: cfg, dial: dial, log: log.With().Str("bind", name).Logger()}
	})
}

type bindActor struct {
	name   string
	cfg    smpp.Config
	dial   Dialer
	log    zerolog.Logger
	client *smpp.Client
	cur    *handler // the session this incarnation dialed
	cancel context.CancelFunc
}

// ErrNotBound refuses a submit that reached the bind between sessions.
var ErrNotBound = errors.New("bind: not bound")

func (b *bindActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		b.startDial(ctx)
	case *actor.Stopping:
		// A drain: wait (bounded by the bind timeout) for the unbind.
		b.shutdown(false)
	case *actor.Restarting:
		b.shutdown(true)
	case *dialed:
		if m.h != b.cur {
			return
		}
		if m.err != nil {
			ctx.Send(ctx.Parent(), &Down{Name: b.name, Err: m.err})
			panic(fmt.Errorf("bind %s to %s: %w", b.name, b.cfg.Address, m.err))
		}
		b.client = m.client
		b.log.Info().Str("address", b.cfg.Address).Msg("bound")
		ctx.Send(ctx.Parent(), &Up{Name: b.name, Window: b.cfg.Window})
	case *closed:
		if m.h != b.cur || b.client == nil {
			return // a session this incarnation left behind, or a failed dial (reported by dialed)
		}
		b.client = nil
		ctx.Send(ctx.Parent(), &Down{Name: b.name, Err: m.err})
		panic(fmt.Errorf("bind %s session closed: %w", b.name, m.err))
	case *Submit:
		if b.client == nil {
			ctx.Send(ctx.Parent(), &Refused{Name: b.name, Ref: m.PDU.Ref, Err: ErrNotBound})
			return
		}
		if err := b.client.Submit(m.PDU); err != nil {
			ctx.Send(ctx.Parent(), &Refused{Name: b.name, Ref: m.PDU.Ref, Err: err})
		}
	}
}

func (b *bindActor) startDial(ctx actor.Context) {
	dctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	self, system, parent, name := ctx.Self(), ctx.ActorSystem(), ctx.Parent(), b.name
	h := &handler{self: self, parent: parent, system: system, name: name}
	b.cur = h
	cfg, dial := b.cfg, b.dial
	go func() {
		c, err := dial(dctx, cfg, h)
		if err == nil && dctx.Err() != nil {
			// Stopped while binding: nobody will own this session.
			c.Close()
			return
		}
		system.Root.Send(self, &dialed{h: h, client: c, err: err})
	}()
}

func (b *bindActor) shutdown(async bool) {
	if b.cancel != nil {
		b.cancel()
	}
	c := b.client
	if c == nil {
		return
	}
	b.client = nil
	if async {
		go c.Close()
		return
	}
	if err := c.Close(); err != nil {
		b.log.Warn().Err(err).Msg("unbind")
	}
}

// handler turns session callbacks (on library goroutines) into messages.
// Outcomes go straight to the operator: they matter even when this bind
// incarnation is already gone.
type handler struct {
	self, parent *actor.PID
	system       *actor.ActorSystem
	name         string
}

func (h *handler) SubmitResponded(ref any, operatorID string, status uint32) {
	h.system.Root.Send(h.parent, &Responded{Name: h.name, Ref: ref, OperatorID: operatorID, Status: status})
}

func (h *handler) SubmitUnknown(ref any, reason error) {
	h.system.Root.Send(h.parent, &Unknown{Name: h.name, Ref: ref, Err: reason})
}

func (h *handler) Delivered(d *smpp.Deliver, ack func(status uint32)) {
	h.system.Root.Send(h.parent, &Delivered{Name: h.name, Deliver: d, Ack: ack})
}

func (h *handler) Closed(err error) {
	h.system.Root.Send(h.self, &closed{h: h, err: err})
}

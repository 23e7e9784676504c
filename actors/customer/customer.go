// Package customer is the actor for one customer account: its rate limit
// and allowed senders, and the acceptance of its messages — a message is
// answered only after the store committed it, then handed to the first
// operator of its route.
package customer

import (
	"context"
	"net/http"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"smsgw/actors/journal"
	"smsgw/actors/metrics"
	"smsgw/actors/operator"
	"smsgw/persistence"
	"smsgw/transports/http/api"
	"smsgw/transports/smpp/server"
)

// Parent is the supervisor customers are spawned under: PID Parent/<id>.
const Parent = "customers"

// PID is the address of customer id on the node with the given address.
func PID(address, id string) *actor.PID { return actor.NewPID(address, Parent+"/"+id) }

// Config is one customer's account settings.
type Config struct {
	ID       string
	TPS      float64
	Senders  []string // allowed sender ids; empty = any
	FormatID IDFormat // our ids as this customer's SMPP account writes them
}

// Deps are the customer's collaborators.
type Deps struct {
	Store   persistence.Store
	Metrics *metrics.Set
	Log     zerolog.Logger
}

// Submit asks the customer to accept a prepared message. The answer (to the
// sender, usually a future) is *Accepted or *api.Error or error.
type Submit struct {
	Message  persistence.Message
	Parts    []persistence.Part
	Encoding string
}

// Accepted is the answer to Submit once the message is durable.
type Accepted struct {
	Response api.SubmitResponse
}

// Props builds the customer actor.
func Props(cfg Config, deps Deps) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		tps := cfg.TPS
		if tps <= 0 {
			tps = 100
		}
		allowed := map[string]bool{}
		for _, s := range cfg.Senders {
			allowed[s] = true
		}
		return &customerActor{cfg: cfg, deps: deps, allowed: allowed,
			limiter:  rate.NewLimiter(rate.Limit(tps), max(1, int(tps))),
			sessions: map[string]*server.Session{}}
	})
}

type customerActor struct {
	cfg        Config
	deps       Deps
	allowed    map[string]bool
	limiter    *rate.Limiter
	sessions   map[string]*server.Session // SMPP binds, by session id
	delivering bool                       // a delivery round runs
}

func (c *customerActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *Submit:
		c.submit(ctx, m)
	case *BindSession:
		c.bindSession(ctx, m)
	case *UnbindSession:
		c.unbindSession(m)
	case *deliveryTick:
		c.deliver(ctx)
	case *deliveryRound:
		c.roundDone(ctx, m)
	}
}

func (c *customerActor) submit(ctx actor.Context, m *Submit) {
	if len(c.allowed) > 0 && !c.allowed[m.Message.From] {
		c.reject(ctx, "unknown_sender", &api.Error{Status: http.StatusUnprocessableEntity, Code: "unknown_sender",
			Message: "sender " + m.Message.From + " is not allowed for this account"})
		return
	}
	if !c.limiter.Allow() {
		c.reject(ctx, "rate_limited", &api.Error{Status: http.StatusTooManyRequests, Code: "rate_limited",
			Message: "the account's message rate is exceeded; retry later"})
		return
	}
	reply, root, self := ctx.Sender(), ctx.ActorSystem().Root, ctx.Self()
	store, mx, log := c.deps.Store, c.deps.Metrics, c.deps.Log
	// The commit happens off the mailbox; the group-commit writer batches it
	// with every other customer's messages.
	go func() {
		wctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		res, err := store.Write(wctx, persistence.InsertMessage{Message: m.Message, Parts: m.Parts})
		if err != nil {
			root.Send(reply, err)
			return
		}
		if res[0].Duplicate {
			root.Send(reply, replay(wctx, store, m, res[0]))
			return
		}
		msg := m.Message
		mx.Accepted.WithLabelValues(msg.CustomerID).Inc()
		root.Send(reply, &Accepted{Response: api.SubmitResponse{ID: msg.ID, Status: string(msg.Status),
			Parts: msg.PartCount, Encoding: m.Encoding, ClientRef: msg.ClientRef}})
		journal.Log(&log, journal.Entry{Event: "mt_accepted", MessageID: msg.ID, Part: -1, Parts: msg.PartCount, Customer: msg.CustomerID})
		journal.Log(&log, journal.Entry{Event: "mt_queued", MessageID: msg.ID, Part: -1, Parts: msg.PartCount, Customer: msg.CustomerID,
			Operator: msg.Route[0], Status: string(persistence.StatusQueued)})
		root.Send(operator.PID(self.Address, msg.Route[0]), &operator.Enqueue{Jobs: operator.JobsOf(msg, m.Parts)})
	}()
}

// replay answers a retried request with the original message, or 409 when
// the key was used for a different request.
func replay(ctx context.Context, store persistence.Store, m *Submit, r persistence.Result) any {
	if r.RequestHash != m.Message.RequestHash {
		return &api.Error{Status: http.StatusConflict, Code: "idempotency_conflict",
			Message: "this idempotency key was used for a different request"}
	}
	v, err := store.Message(ctx, m.Message.CustomerID, r.MessageID)
	if err != nil {
		return err
	}
	return &Accepted{Response: api.SubmitResponse{ID: v.Message.ID, Status: string(v.Message.Status),
		Parts: v.Message.PartCount, Encoding: m.Encoding, ClientRef: v.Message.ClientRef}}
}

func (c *customerActor) reject(ctx actor.Context, reason string, e *api.Error) {
	c.deps.Metrics.Rejected.WithLabelValues(c.cfg.ID, reason).Inc()
	ctx.Respond(e)
}

package mo

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/oklog/ulid/v2"
	"github.com/rs/zerolog"

	"smsgw/persistence"
)

// SweeperConfig sets the reassembly timeout.
type SweeperConfig struct {
	Timeout time.Duration // parts older than this are delivered as they are (default 5 min)
	Every   time.Duration // check interval (default 10 s)
}

// Store is what the sweeper needs of persistence.
type Store interface {
	ExpiredMOParts(ctx context.Context, olderThan time.Time, limit int) ([]persistence.MOPartSet, error)
	Write(ctx context.Context, ops ...persistence.Op) ([]persistence.Result, error)
}

type sweep struct{}

type swept struct{}

// SweeperProps builds the actor that delivers multipart MOs whose missing
// parts never came, once the reassembly timeout passed, and logs each.
func SweeperProps(cfg SweeperConfig, store Store, r *Router, log zerolog.Logger) *actor.Props {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Minute
	}
	if cfg.Every <= 0 {
		cfg.Every = 10 * time.Second
	}
	return actor.PropsFromProducer(func() actor.Actor { return &sweeper{cfg: cfg, store: store, router: r, log: log} })
}

type sweeper struct {
	cfg    SweeperConfig
	store  Store
	router *Router
	log    zerolog.Logger
	ctx    context.Context
	cancel context.CancelFunc
}

func (s *sweeper) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		s.ctx, s.cancel = context.WithCancel(context.Background())
		// At once: a set completed just before a crash waits for no timeout.
		ctx.Send(ctx.Self(), &sweep{})
	case *actor.Stopping, *actor.Restarting:
		s.cancel()
	case *sweep:
		self, root := ctx.Self(), ctx.ActorSystem().Root
		go func() {
			s.run()
			root.Send(self, &swept{})
		}()
	case *swept:
		s.schedule(ctx)
	}
}

func (s *sweeper) schedule(ctx actor.Context) {
	self, root := ctx.Self(), ctx.ActorSystem().Root
	time.AfterFunc(s.cfg.Every, func() { root.Send(self, &sweep{}) })
}

// run is off the mailbox: it reads and writes the store. It assembles
// complete sets (whose assembly a crash interrupted) and, past the
// reassembly timeout, incomplete ones with the parts that came.
func (s *sweeper) run() {
	now := time.Now()
	sets, err := s.store.ExpiredMOParts(s.ctx, now, 1000)
	if err != nil {
		if s.ctx.Err() == nil {
			s.log.Error().Err(err).Msg("mo reassembly sweep")
		}
		return
	}
	for _, set := range sets {
		if len(set.Parts) < int(set.Key.Total) && now.Sub(set.Parts[0].ReceivedAt) < s.cfg.Timeout {
			continue
		}
		dc, body, missing := Assemble(set)
		first := set.Parts[0]
		msg, ttl := s.router.Message(ulid.Make().String(), set.Key.Operator, set.Key.From, set.Key.To, dc, body, SetDedupKey(set), first.ReceivedAt)
		if _, err := s.store.Write(s.ctx, persistence.InsertMO{MO: msg, DeliveryTTL: ttl}, persistence.DeleteMOParts{Key: set.Key}); err != nil {
			s.log.Error().Err(err).Str("from", set.Key.From).Msg("mo reassembly sweep: store")
			return
		}
		if len(missing) == 0 {
			s.log.Info().Str("event", "mo_received").Str("mo_id", msg.ID).Str("operator", set.Key.Operator).Str("from", msg.From).
				Str("to", msg.To).Int("parts", int(set.Key.Total)).Str("customer", msg.CustomerID).Msg("assembled by the sweeper")
			continue
		}
		s.log.Warn().Str("event", "mo_incomplete").Str("mo_id", msg.ID).Str("operator", set.Key.Operator).Str("from", msg.From).
			Str("to", msg.To).Int("parts", int(set.Key.Total)).Ints("missing", missing).Str("customer", msg.CustomerID).
			Msg("reassembly timed out; delivered with the parts that came")
	}
}

// Package retention is the actor that deletes finished messages older than
// the retention period, in bounded batches, so the store does not grow
// without limit, and that expires deliveries held for customers past their
// TTL (one log line each: what a customer never got is never silent).
package retention

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"smsgw/persistence"
)

// Pruner is the store's bounded delete and delivery expiry.
type Pruner interface {
	Prune(ctx context.Context, before time.Time, limit int) (int, error)
	ExpireDeliveries(ctx context.Context, now time.Time, limit int) ([]persistence.Delivery, error)
}

// Config sets what is kept and how hard the job works.
type Config struct {
	Keep     time.Duration // finished messages younger than this stay (default 7 days)
	Every    time.Duration // pause between runs (default 1 min)
	Batch    int           // rows per delete (default 1000)
	MaxBatch int           // deletes per run (default 100), so one run is bounded
}

type run struct{}

type ran struct {
	deleted int
	err     error
}

// Props builds the retention actor.
func Props(cfg Config, store Pruner, log zerolog.Logger) *actor.Props {
	if cfg.Keep <= 0 {
		cfg.Keep = 7 * 24 * time.Hour
	}
	if cfg.Every <= 0 {
		cfg.Every = time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 100
	}
	return actor.PropsFromProducer(func() actor.Actor { return &retentionActor{cfg: cfg, store: store, log: log} })
}

type retentionActor struct {
	cfg    Config
	store  Pruner
	log    zerolog.Logger
	ctx    context.Context
	cancel context.CancelFunc
}

func (r *retentionActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		r.ctx, r.cancel = context.WithCancel(context.Background())
		r.schedule(ctx)
	case *actor.Stopping, *actor.Restarting:
		r.cancel()
	case *run:
		self, root, cfg, store, rctx := ctx.Self(), ctx.ActorSystem().Root, r.cfg, r.store, r.ctx
		log := r.log
		go func() {
			expired, err := store.ExpireDeliveries(rctx, time.Now(), cfg.Batch)
			if err != nil && rctx.Err() == nil {
				log.Error().Err(err).Msg("retention: expire deliveries")
			}
			for _, d := range expired {
				log.Warn().Str("event", "delivery_expired").Str("customer", d.CustomerID).Str("kind", d.Kind).
					Str("message_id", d.MessageID).Str("mo_id", d.MOID).Int("attempts", d.Attempts).Str("last_error", d.LastError).
					Msg("held for a customer past its TTL; not delivered")
			}
			total := 0
			for i := 0; i < cfg.MaxBatch; i++ {
				n, err := store.Prune(rctx, time.Now().Add(-cfg.Keep), cfg.Batch)
				total += n
				if err != nil || n < cfg.Batch {
					root.Send(self, &ran{deleted: total, err: err})
					return
				}
			}
			root.Send(self, &ran{deleted: total})
		}()
	case *ran:
		if m.err != nil && r.ctx.Err() == nil {
			r.log.Error().Err(m.err).Msg("retention: prune failed")
		} else if m.deleted > 0 {
			r.log.Info().Int("messages", m.deleted).Dur("older_than", r.cfg.Keep).Msg("retention: pruned")
		}
		r.schedule(ctx)
	}
}

func (r *retentionActor) schedule(ctx actor.Context) {
	self, root := ctx.Self(), ctx.ActorSystem().Root
	time.AfterFunc(r.cfg.Every, func() { root.Send(self, &run{}) })
}

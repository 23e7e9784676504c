package supervisors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"smsgw/actors/operator"
)

// Operators supervises the operator actors (one_for_one, 10 restarts a
// minute each, then a 5 s pause and a fresh start). Each operator in turn
// supervises its binds with real exponential backoff: a bind that cannot
// connect is retried after 0.5 s, 1 s, 2 s … capped at 30 s, and stopped
// after 50 failures within 10 minutes (the operator starts it again 30 s
// later, so a dead SMSC is polled forever but never hammered).
func operatorsProps(ops []operator.Config, deps operator.Deps, loads map[string]*operator.Load, log zerolog.Logger) *actor.Props {
	var children []child
	for _, cfg := range ops {
		d := deps
		d.Load = loads[cfg.ID]
		bindLog := log.With().Str("operator", cfg.ID).Logger()
		strategy := NewExponentialBackoff(500*time.Millisecond, 30*time.Second, 50, 10*time.Minute,
			func(child *actor.PID, reason any) {
				bindLog.Error().Str("bind", child.Id).Interface("reason", reason).Msg("bind restart limit reached")
			})
		children = append(children, child{name: cfg.ID, props: operator.Props(cfg, d, actor.WithSupervisor(strategy))})
	}
	return groupProps(children, 10, 5*time.Second, log)
}

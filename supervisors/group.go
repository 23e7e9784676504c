package supervisors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"
)

// child is one permanent member of a group.
type child struct {
	name  string
	props *actor.Props
}

type respawn struct{ c child }

// ping is answered once the group has started its children, so callers
// never send to a member that does not exist yet.
type ping struct{}

type pong struct{}

// group supervises a fixed set of permanent children (the operators, or the
// customers): one_for_one, at most maxRestarts within a minute per child.
// protoactor stops a child that exceeds that instead of escalating (OTP
// would); a group must keep its members alive, so it starts such a child
// again after a pause.
type group struct {
	children []child
	pause    time.Duration
	log      zerolog.Logger
	byID     map[string]child
	stopping bool
}

func groupProps(children []child, maxRestarts int, pause time.Duration, log zerolog.Logger) *actor.Props {
	strategy := actor.NewOneForOneStrategy(maxRestarts, time.Minute, func(reason any) actor.Directive {
		log.Error().Interface("reason", reason).Msg("actor crashed; restarting")
		return actor.RestartDirective
	})
	return actor.PropsFromProducer(func() actor.Actor {
		return &group{children: children, pause: pause, log: log, byID: map[string]child{}}
	}, actor.WithSupervisor(strategy))
}

func (g *group) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		for _, c := range g.children {
			g.spawn(ctx, c)
		}
	case *actor.Stopping:
		g.stopping = true
	case *actor.Terminated:
		c, ok := g.byID[m.Who.Id]
		if !ok || g.stopping {
			return
		}
		delete(g.byID, m.Who.Id)
		g.log.Error().Str("actor", m.Who.Id).Dur("respawn_in", g.pause).Msg("restart intensity exceeded; stopped")
		self, root := ctx.Self(), ctx.ActorSystem().Root
		time.AfterFunc(g.pause, func() { root.Send(self, &respawn{c: c}) })
	case *respawn:
		g.spawn(ctx, m.c)
	case *ping:
		ctx.Respond(&pong{})
	}
}

func (g *group) spawn(ctx actor.Context, c child) {
	pid, err := ctx.SpawnNamed(c.props, c.name)
	if err != nil {
		g.log.Error().Err(err).Str("actor", c.name).Msg("spawn")
		return
	}
	g.byID[pid.Id] = c
}

package operator

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/oklog/ulid/v2"

	"smsgw/persistence"
)

// recovered carries the parts found in the store at start.
type recovered struct {
	jobs []*Job
	err  error
}

// JobsOf turns a stored message's unsubmitted parts into jobs.
func JobsOf(m persistence.Message, parts []persistence.Part) []*Job {
	var jobs []*Job
	for _, p := range parts {
		if p.Status.Rank() >= persistence.StatusUnknown.Rank() {
			continue
		}
		jobs = append(jobs, &Job{MessageID: m.ID, Part: p.Index, Parts: m.PartCount, Customer: m.CustomerID,
			From: m.From, To: m.To, DataCoding: p.DataCoding, ESMClass: p.ESMClass, Payload: p.Payload,
			RegisteredDelivery: m.RegisteredDelivery, Route: m.Route, AcceptedAt: m.CreatedAt})
	}
	return jobs
}

// recoverQueue reads, off the mailbox, the parts of this operator (first of
// their route) that the store holds unsubmitted and that were accepted
// before this incarnation started: after a process crash, or after this
// actor restarted and lost its queue. Later messages reach the new
// incarnation directly, so they are not taken twice. A part that was on the
// wire when its bind died may be sent again (the ambiguous submit).
func (o *operatorActor) recoverQueue(started time.Time) {
	ctx, store, id, root, self := o.ctx, o.deps.Store, o.cfg.ID, o.root, o.self
	go func() {
		var jobs []*Job
		after := ""
		for {
			views, err := store.Unfinished(ctx, after, 1000)
			if err != nil {
				root.Send(self, &recovered{jobs: jobs, err: err})
				return
			}
			if len(views) == 0 {
				break
			}
			for _, v := range views {
				after = v.Message.ID
				u, err := ulid.Parse(v.Message.ID)
				if err != nil || !ulid.Time(u.Time()).Before(started) || len(v.Message.Route) == 0 || v.Message.Route[0] != id {
					continue
				}
				jobs = append(jobs, JobsOf(v.Message, v.Parts)...)
			}
		}
		root.Send(self, &recovered{jobs: jobs})
	}()
}

func (o *operatorActor) recovered(ctx actor.Context, m *recovered) {
	if m.err != nil {
		o.log.Error().Err(m.err).Msg("recovering queued parts from the store; they wait for the next start")
	}
	n := 0
	for _, j := range m.jobs {
		if !o.sinceStart[partKey{j.MessageID, j.Part}] {
			o.queue = append(o.queue, j)
			n++
		}
	}
	o.sinceStart = nil
	if n > 0 {
		o.log.Info().Int("parts", n).Msg("recovered unsubmitted parts from the store")
		o.dispatch(ctx)
	}
}

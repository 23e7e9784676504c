// Package operator is the actor for one configured operator connection
// group: the throttle queue (token bucket, bounded queue, window over all
// binds), its binds as supervised children, submit outcomes (requeue,
// failover, outcome unknown) and the hand-off of delivery reports to the
// store (dr.go).
package operator

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"smsgw/actors/bind"
	"smsgw/actors/journal"
	"smsgw/actors/metrics"
	"smsgw/actors/mo"
	"smsgw/persistence"
	"smsgw/transports/smpp"
)

// Parent is the name of the supervisor all operators are spawned under; an
// operator's PID is Parent/<id>, so siblings address each other for failover.
const Parent = "operators"

// PID is the address of operator id on the node with the given address.
func PID(address, id string) *actor.PID { return actor.NewPID(address, Parent+"/"+id) }

// Config is one operator's connection group.
type Config struct {
	ID            string
	Binds         int
	Bind          smpp.Config
	TPS           float64
	QueueSize     int
	MaxAttempts   int           // temporary errors at this operator before failing over (default 5)
	FailoverAfter time.Duration // all binds down this long → queued jobs move to the next operator (default 10s)
	RespawnAfter  time.Duration // a bind its supervisor gave up on is started again after this (default 30s)
	// ReceiptIDFormat says how receipts write the id submit_sm_resp gave:
	// "" the same way (case and leading zeros aside), ReceiptIDDecimal,
	// ReceiptIDHex or ReceiptIDAuto.
	ReceiptIDFormat string
}

// Receipt id formats.
const (
	ReceiptIDDecimal = "decimal" // submit_sm_resp in hex, receipts in decimal
	ReceiptIDHex     = "hex"     // submit_sm_resp in decimal, receipts in hex
	ReceiptIDAuto    = "auto"    // try both readings
)

// Deps are the operator's collaborators.
type Deps struct {
	Store     persistence.Store
	Metrics   *metrics.Set
	Log       zerolog.Logger
	Load      *Load
	Callbacks *actor.PID // told Wake when a message becomes final
	Wake      any
	Dial      bind.Dialer
	MO        *mo.Router
}

// Props builds the operator actor; opts carry the supervisor strategy for its binds.
func Props(cfg Config, deps Deps, opts ...actor.PropsOption) *actor.Props {
	if cfg.Binds <= 0 {
		cfg.Binds = 1
	}
	if cfg.TPS <= 0 {
		cfg.TPS = 100
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 10000
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.FailoverAfter <= 0 {
		cfg.FailoverAfter = 10 * time.Second
	}
	if cfg.RespawnAfter <= 0 {
		cfg.RespawnAfter = 30 * time.Second
	}
	if deps.Load == nil {
		deps.Load = NewLoad(cfg.QueueSize)
	}
	return actor.PropsFromProducer(func() actor.Actor {
		return &operatorActor{cfg: cfg, deps: deps, log: deps.Log.With().Str("operator", cfg.ID).Logger()}
	}, opts...)
}

type bindState struct {
	pid         *actor.PID
	up          bool
	window      int
	outstanding int
}

type operatorActor struct {
	cfg  Config
	deps Deps
	log  zerolog.Logger

	ctx    context.Context // lifetime of this incarnation, for store writes
	cancel context.CancelFunc
	root   *actor.RootContext
	self   *actor.PID

	queue       []*Job
	binds       map[string]*bindState
	order       []string // bind names, for round robin
	next        int
	limiter     *rate.Limiter
	tickPending bool
	pausedUntil time.Time
	throttles   int // consecutive throttling answers, for the pause length
	downSince   time.Time
	stopped     bool // binds terminate because we stop, not because they gave up
	// sinceStart holds the parts enqueued while the store is read for
	// recovery, so a part both in the mailbox and in the store is taken once.
	sinceStart map[partKey]bool
}

type partKey struct {
	message string
	part    int
}

func (o *operatorActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		o.started(ctx)
	case *actor.Stopping:
		o.stopping()
	case *actor.Restarting:
		o.stopping()
	case *actor.Terminated:
		o.bindTerminated(ctx, m)
	case *Enqueue:
		if o.sinceStart != nil {
			for _, j := range m.Jobs {
				o.sinceStart[partKey{j.MessageID, j.Part}] = true
			}
		}
		o.queue = append(o.queue, m.Jobs...)
		o.dispatch(ctx)
	case *retry:
		o.queue = append([]*Job{m.job}, o.queue...)
		o.dispatch(ctx)
	case *tick:
		o.tickPending = false
		o.dispatch(ctx)
	case *check:
		o.housekeeping(ctx)
	case *respawnBind:
		o.spawnBind(ctx, m.name)
	case *bind.Up:
		if b := o.binds[m.Name]; b != nil {
			b.up, b.window, b.outstanding = true, m.Window, 0
			o.bindsChanged()
			o.dispatch(ctx)
		}
	case *bind.Down:
		if b := o.binds[m.Name]; b != nil && b.up {
			b.up = false
			o.log.Warn().Str("bind", m.Name).Err(m.Err).Msg("bind down")
			o.bindsChanged()
		} else if m.Err != nil {
			o.log.Warn().Str("bind", m.Name).Err(m.Err).Msg("bind failed")
		}
	case *bind.Responded:
		o.responded(ctx, m)
	case *bind.Unknown:
		o.unknown(ctx, m)
	case *bind.Refused:
		o.release(m.Name)
		if j, ok := m.Ref.(*Job); ok {
			o.queue = append([]*Job{j}, o.queue...)
		}
		o.dispatch(ctx)
	case *bind.Delivered:
		o.delivered(ctx, m)
	case *recovered:
		o.recovered(ctx, m)
	}
}

func (o *operatorActor) started(ctx actor.Context) {
	o.ctx, o.cancel = context.WithCancel(context.Background())
	o.root, o.self = ctx.ActorSystem().Root, ctx.Self()
	o.sinceStart = map[partKey]bool{}
	o.recoverQueue(time.Now())
	o.limiter = rate.NewLimiter(rate.Limit(o.cfg.TPS), burst(o.cfg.TPS))
	o.binds = map[string]*bindState{}
	o.downSince = time.Now()
	for i := 1; i <= o.cfg.Binds; i++ {
		o.spawnBind(ctx, fmt.Sprintf("bind-%d", i))
	}
	o.bindsChanged()
	o.schedule(ctx, time.Second, &check{})
}

// burst lets a second's tenth of the rate go out at once, so a high TPS is
// not limited by timer resolution, while a low TPS stays smooth.
func burst(tps float64) int {
	b := int(tps / 10)
	if b < 1 {
		b = 1
	}
	return b
}

func (o *operatorActor) stopping() {
	o.stopped = true
	if o.cancel != nil {
		o.cancel()
	}
	o.deps.Load.depth.Store(0)
	o.deps.Load.binds.Store(0)
}

func (o *operatorActor) spawnBind(ctx actor.Context, name string) {
	pid, err := ctx.SpawnNamed(bind.Props(name, o.cfg.Bind, o.deps.Dial, o.log), name)
	if err != nil {
		o.log.Error().Err(err).Str("bind", name).Msg("spawn bind")
		return
	}
	if _, ok := o.binds[name]; !ok {
		o.order = append(o.order, name)
	}
	o.binds[name] = &bindState{pid: pid}
}

// bindTerminated: the backoff strategy stopped a bind after too many
// failures in a row. An operator must keep trying, so start it again later.
func (o *operatorActor) bindTerminated(ctx actor.Context, m *actor.Terminated) {
	if o.stopped {
		return
	}
	for name, b := range o.binds {
		if b.pid.Equal(m.Who) {
			b.up = false
			o.bindsChanged()
			o.log.Error().Str("bind", name).Dur("respawn_in", o.cfg.RespawnAfter).Msg("bind gave up; respawning later")
			o.schedule(ctx, o.cfg.RespawnAfter, &respawnBind{name: name})
		}
	}
}

func (o *operatorActor) bindsChanged() {
	up := 0
	for _, b := range o.binds {
		if b.up {
			up++
		}
	}
	if up == 0 && o.deps.Load.binds.Load() > 0 {
		o.downSince = time.Now()
	}
	o.deps.Load.binds.Store(int32(up))
	o.deps.Metrics.BindsUp.WithLabelValues(o.cfg.ID).Set(float64(up))
}

// pick returns a bound bind with room in its window, round robin.
func (o *operatorActor) pick() *bindState {
	for i := 0; i < len(o.order); i++ {
		b := o.binds[o.order[(o.next+i)%len(o.order)]]
		if b.up && b.outstanding < b.window {
			o.next = (o.next + i + 1) % len(o.order)
			return b
		}
	}
	return nil
}

func (o *operatorActor) dispatch(ctx actor.Context) {
	defer o.publish()
	if now := time.Now(); now.Before(o.pausedUntil) {
		o.scheduleTick(ctx, o.pausedUntil.Sub(now))
		return
	}
	for len(o.queue) > 0 {
		b := o.pick()
		if b == nil {
			return // a response or an Up wakes us
		}
		r := o.limiter.Reserve()
		if d := r.Delay(); d > 0 {
			r.Cancel()
			o.scheduleTick(ctx, d)
			return
		}
		j := o.queue[0]
		o.queue[0] = nil
		o.queue = o.queue[1:]
		b.outstanding++
		j.sentAt = time.Now()
		ctx.Send(b.pid, &bind.Submit{PDU: &smpp.Submit{
			Ref: j, Source: j.From, Dest: strings.TrimPrefix(j.To, "+"), // international TON carries no '+'
			DataCoding: j.DataCoding, ESMClass: j.ESMClass,
			ShortMessage: j.Payload, RegisteredDelivery: registered(j.RegisteredDelivery),
		}})
	}
}

func registered(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func (o *operatorActor) publish() {
	o.deps.Load.depth.Store(int64(len(o.queue)))
	o.deps.Metrics.QueueDepth.WithLabelValues(o.cfg.ID).Set(float64(len(o.queue)))
	used := 0
	for _, b := range o.binds {
		used += b.outstanding
	}
	o.deps.Metrics.WindowUse.WithLabelValues(o.cfg.ID).Set(float64(used))
}

func (o *operatorActor) scheduleTick(ctx actor.Context, d time.Duration) {
	if o.tickPending {
		return
	}
	o.tickPending = true
	o.schedule(ctx, d, &tick{})
}

func (o *operatorActor) schedule(ctx actor.Context, d time.Duration, msg any) {
	self, root := ctx.Self(), ctx.ActorSystem().Root
	time.AfterFunc(d, func() { root.Send(self, msg) })
}

func (o *operatorActor) release(name string) {
	if b := o.binds[name]; b != nil && b.outstanding > 0 {
		b.outstanding--
	}
}

func (o *operatorActor) responded(ctx actor.Context, m *bind.Responded) {
	o.release(m.Name)
	j, ok := m.Ref.(*Job)
	if !ok {
		return
	}
	name := smpp.StatusName(m.Status)
	o.deps.Metrics.Submitted.WithLabelValues(o.cfg.ID, name).Inc()
	o.deps.Metrics.SubmitLatency.WithLabelValues(o.cfg.ID).Observe(time.Since(j.sentAt).Seconds())
	switch {
	case m.Status == 0:
		o.throttles = 0
		o.submitted(ctx, j, m.OperatorID)
	case smpp.Temporary(m.Status):
		o.temporary(ctx, j, m.Status)
	default:
		o.failover(ctx, j, name)
	}
	o.dispatch(ctx)
}

func (o *operatorActor) submitted(ctx actor.Context, j *Job, operatorID string) {
	op := persistence.SetPartStatus{MessageID: j.MessageID, Part: j.Part, Status: persistence.StatusSubmitted,
		Operator: o.cfg.ID, OperatorID: operatorID, EventType: "mt_submitted", At: time.Now()}
	o.write(op, func(r persistence.Result) {
		o.journal(j, "mt_submitted", operatorID, string(persistence.StatusSubmitted), "")
		o.finished(j, r)
	})
}

// temporary requeues after a backoff and pauses this operator a little more
// with each consecutive throttling answer; after MaxAttempts the part fails
// over as if the operator had refused it.
func (o *operatorActor) temporary(ctx actor.Context, j *Job, status uint32) {
	j.Attempts++
	name := smpp.StatusName(status)
	if j.Attempts >= o.cfg.MaxAttempts {
		o.failover(ctx, j, name)
		return
	}
	o.throttles++
	pause := time.Duration(o.throttles) * 100 * time.Millisecond
	if pause > 5*time.Second {
		pause = 5 * time.Second
	}
	o.pausedUntil = time.Now().Add(pause)
	backoff := time.Duration(1<<min(j.Attempts, 6)) * 100 * time.Millisecond
	o.log.Warn().Str("message_id", j.MessageID).Int("part", j.Part).Str("status", name).Dur("retry_in", backoff).Msg("mt_requeued")
	o.schedule(ctx, backoff, &retry{job: j})
}

// failover hands the job to the next operator of its route, or fails it
// when none is left.
func (o *operatorActor) failover(ctx actor.Context, j *Job, reason string) {
	if j.Hop+1 < len(j.Route) {
		j.Hop++
		j.Attempts = 0
		next := j.Route[j.Hop]
		o.log.Warn().Str("message_id", j.MessageID).Int("part", j.Part).Str("error", reason).Str("next_operator", next).Msg("mt_failover")
		ctx.Send(PID(ctx.Self().Address, next), &Enqueue{Jobs: []*Job{j}})
		return
	}
	op := persistence.SetPartStatus{MessageID: j.MessageID, Part: j.Part, Status: persistence.StatusRejected,
		Operator: o.cfg.ID, Error: reason, EventType: "mt_rejected", At: time.Now()}
	o.write(op, func(r persistence.Result) {
		o.journal(j, "mt_rejected", "", string(persistence.StatusRejected), reason)
		o.finished(j, r)
	})
}

func (o *operatorActor) unknown(ctx actor.Context, m *bind.Unknown) {
	o.release(m.Name)
	j, ok := m.Ref.(*Job)
	if !ok {
		return
	}
	o.deps.Metrics.Unknown.WithLabelValues(o.cfg.ID).Inc()
	errText := ""
	if m.Err != nil {
		errText = m.Err.Error()
	}
	op := persistence.SetPartStatus{MessageID: j.MessageID, Part: j.Part, Status: persistence.StatusUnknown,
		Operator: o.cfg.ID, Error: errText, EventType: "mt_outcome_unknown", At: time.Now()}
	o.write(op, func(persistence.Result) {
		o.journal(j, "mt_outcome_unknown", "", string(persistence.StatusUnknown), errText)
	})
	o.dispatch(ctx)
}

// housekeeping moves queued jobs on when every bind has been down for
// FailoverAfter: a dead operator must not hold traffic that another could carry.
func (o *operatorActor) housekeeping(ctx actor.Context) {
	defer o.schedule(ctx, time.Second, &check{})
	if o.deps.Load.Up() || time.Since(o.downSince) < o.cfg.FailoverAfter || len(o.queue) == 0 {
		return
	}
	keep := o.queue[:0]
	for _, j := range o.queue {
		if j.Hop+1 < len(j.Route) {
			o.failover(ctx, j, "operator down")
			continue
		}
		keep = append(keep, j)
	}
	o.queue = keep
	o.publish()
}

// write commits one op off the mailbox; see writeAll.
func (o *operatorActor) write(op persistence.Op, then func(persistence.Result)) {
	o.writeAll([]persistence.Op{op}, func(res []persistence.Result) { then(res[0]) })
}

// writeAll commits ops atomically off the mailbox, retrying until the store
// takes them or the operator stops (then recovery at start picks the parts
// up again, and an unacknowledged deliver_sm is redelivered by the SMSC).
func (o *operatorActor) writeAll(ops []persistence.Op, then func([]persistence.Result)) {
	ctx, store, log := o.ctx, o.deps.Store, o.log
	go func() {
		for attempt := 0; ; attempt++ {
			res, err := store.Write(ctx, ops...)
			if err == nil {
				then(res)
				return
			}
			if ctx.Err() != nil {
				return
			}
			log.Error().Err(err).Int("attempt", attempt).Msg("store write failed; retrying")
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Duration(min(attempt+1, 20)) * 100 * time.Millisecond):
			}
		}
	}()
}

// finished logs the message-level outcome and wakes the callback actor when
// this write made the message final.
func (o *operatorActor) finished(j *Job, r persistence.Result) {
	if !r.BecameFinal {
		return
	}
	journal.Log(&o.deps.Log, journal.Entry{Event: "mt_" + string(r.MessageStatus), MessageID: j.MessageID, Part: -1, Parts: j.Parts,
		Customer: j.Customer, Status: string(r.MessageStatus), Latency: time.Since(j.AcceptedAt)})
	if o.deps.Callbacks != nil {
		o.root.Send(o.deps.Callbacks, o.deps.Wake)
	}
}

func (o *operatorActor) journal(j *Job, event, operatorID, status, errText string) {
	journal.Log(&o.deps.Log, journal.Entry{Event: event, MessageID: j.MessageID, Part: j.Part, Parts: j.Parts, Customer: j.Customer,
		Operator: o.cfg.ID, OperatorID: operatorID, Status: status, Error: errText, Latency: time.Since(j.AcceptedAt)})
}

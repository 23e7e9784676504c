package supervisors

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// NewExponentialBackoff returns a strategy that restarts a failed child after
// initial·2ⁿ (n = failures since the child was last quiet for `within`),
// capped at max, with ±20 % jitter so binds that fail together do not
// reconnect together; max stays a hard ceiling after jitter.
//
// More than maxRetries failures within `within` stops the child and calls
// onGiveUp (from the supervisor's mailbox: it must not block); the parent
// also receives *actor.Terminated and decides what happens next.
//
// protoactor's own NewExponentialBackoffStrategy grows linearly and never
// gives up, hence this one. All state lives in each child's
// RestartStatistics, so one strategy can serve any number of children.
func NewExponentialBackoff(initial, max time.Duration, maxRetries int, within time.Duration,
	onGiveUp func(child *actor.PID, reason any)) actor.SupervisorStrategy {
	return &backoff{
		initial:    initial,
		max:        max,
		maxRetries: maxRetries,
		within:     within,
		onGiveUp:   onGiveUp,
		after:      func(d time.Duration, f func()) { time.AfterFunc(d, f) },
		jitter:     func() float64 { return 0.8 + 0.4*rand.Float64() },
	}
}

type backoff struct {
	initial, max time.Duration
	maxRetries   int
	within       time.Duration
	onGiveUp     func(child *actor.PID, reason any)
	after        func(d time.Duration, f func()) // time.AfterFunc; tests record the delays
	jitter       func() float64                  // factor in [0.8, 1.2]
}

// HandleFailure runs in the supervisor's mailbox. rs belongs to the child,
// which is suspended until restarted, so it is never touched concurrently.
func (b *backoff) HandleFailure(system *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	rs *actor.RestartStatistics, reason, _ any) {
	if rs.NumberOfFailures(b.within) == 0 {
		rs.Reset() // quiet for a whole window: start again from `initial`
	}
	rs.Fail()
	if rs.NumberOfFailures(b.within) > b.maxRetries {
		system.EventStream.Publish(&actor.SupervisorEvent{Child: child, Reason: reason, Directive: actor.StopDirective})
		sup.StopChildren(child)
		if b.onGiveUp != nil {
			b.onGiveUp(child, reason)
		}
		return
	}
	system.EventStream.Publish(&actor.SupervisorEvent{Child: child, Reason: reason, Directive: actor.RestartDirective})
	b.after(b.delay(rs.FailureCount()), func() { sup.RestartChildren(child) })
}

// delay is the pause before restart number n (1-based).
func (b *backoff) delay(n int) time.Duration {
	// In float64 so large n saturates to +Inf instead of overflowing.
	d := float64(b.initial) * math.Pow(2, float64(n-1)) * b.jitter()
	if d >= float64(b.max) {
		return b.max
	}
	return time.Duration(d)
}

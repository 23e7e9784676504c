package supervisors

import (
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

func TestBackoffDelay(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name         string
		initial, max time.Duration
		jitter       float64
		want         []time.Duration // delays for failures 1, 2, 3, …
	}{
		{"doubles then caps", 100 * ms, 1000 * ms, 1, []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1000 * ms, 1000 * ms}},
		{"jitter down", 100 * ms, 1000 * ms, 0.8, []time.Duration{80 * ms, 160 * ms, 320 * ms, 640 * ms, 1000 * ms}},
		{"jitter up never passes max", 100 * ms, 1000 * ms, 1.2, []time.Duration{120 * ms, 240 * ms, 480 * ms, 960 * ms, 1000 * ms}},
		{"max below initial", 5 * time.Second, time.Second, 1, []time.Duration{time.Second, time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewExponentialBackoff(tt.initial, tt.max, 10, time.Minute, nil).(*backoff)
			b.jitter = func() float64 { return tt.jitter }
			for i, want := range tt.want {
				if got := b.delay(i + 1); got != want {
					t.Errorf("delay(%d) = %v, want %v", i+1, got, want)
				}
			}
		})
	}
	b := NewExponentialBackoff(time.Millisecond, time.Hour, 10, time.Minute, nil).(*backoff)
	if got := b.delay(5000); got != time.Hour {
		t.Errorf("delay(5000) = %v, want the cap", got)
	}
}

// recorder replaces time.AfterFunc: it records each delay and restarts at once.
type recorder struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (r *recorder) after(d time.Duration, f func()) {
	r.mu.Lock()
	r.delays = append(r.delays, d)
	r.mu.Unlock()
	f()
}

func (r *recorder) snapshot() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.delays...)
}

// inRange reports whether d is the n-th delay (1-based) give or take the jitter.
func inRange(d, initial, max time.Duration, n int) bool {
	base := min(initial<<(n-1), max)
	return d >= time.Duration(float64(base)*0.8) && d <= min(time.Duration(float64(base)*1.2), max)
}

type boom struct{}

// crasher panics on every boom and reports each start.
type crasher struct{ started chan<- *actor.PID }

func (c *crasher) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		c.started <- ctx.Self()
	case boom:
		panic("boom")
	}
}

// parent spawns n crashers and reports their termination.
type parent struct {
	n          int
	child      *actor.Props
	terminated chan<- *actor.PID
}

func (p *parent) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		for i := range p.n {
			ctx.SpawnNamed(p.child, fmt.Sprintf("c%d", i))
		}
	case *actor.Terminated:
		p.terminated <- m.Who
	}
}

func quietSystem() *actor.ActorSystem {
	return actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestBackoffRestartsThenGivesUp(t *testing.T) {
	const (
		initial    = 10 * time.Millisecond
		max        = 35 * time.Millisecond
		maxRetries = 4
	)
	system := quietSystem()
	defer system.Shutdown()

	rec := &recorder{}
	gaveUp := make(chan *actor.PID, 1)
	strategy := NewExponentialBackoff(initial, max, maxRetries, time.Minute, func(child *actor.PID, reason any) {
		if reason != "boom" {
			t.Errorf("reason = %v", reason)
		}
		gaveUp <- child
	}).(*backoff)
	strategy.after = rec.after

	started := make(chan *actor.PID, 16)
	terminated := make(chan *actor.PID, 1)
	props := actor.PropsFromProducer(func() actor.Actor {
		return &parent{n: 1, child: actor.PropsFromProducer(func() actor.Actor { return &crasher{started: started} }), terminated: terminated}
	}, actor.WithSupervisor(strategy))
	if _, err := system.Root.SpawnNamed(props, "p"); err != nil {
		t.Fatal(err)
	}
	child := receive(t, started, "first start")
	for range maxRetries + 2 { // the last one finds the child stopped
		system.Root.Send(child, boom{})
	}

	if got := receive(t, gaveUp, "give-up"); got.Id != child.Id {
		t.Fatalf("gave up on %v, want %v", got, child)
	}
	receive(t, terminated, "Terminated at the parent")
	if n := len(started); n != maxRetries {
		t.Errorf("restarts = %d, want %d", n, maxRetries)
	}
	delays := rec.snapshot()
	if len(delays) != maxRetries {
		t.Fatalf("delays = %v, want %d of them", delays, maxRetries)
	}
	for i, d := range delays {
		if !inRange(d, initial, max, i+1) {
			t.Errorf("delay %d = %v, want ~%v (±20%%, at most %v)", i+1, d, min(initial<<i, max), max)
		}
	}
	// ±20 % jitter cannot reorder doublings (0.8·2 > 1.2): uncapped delays grow.
	for i := 1; i < len(delays) && delays[i] < max; i++ {
		if delays[i] <= delays[i-1] {
			t.Errorf("delays do not grow: %v", delays)
		}
	}
}

func TestBackoffStatePerChild(t *testing.T) {
	const (
		children = 20
		failures = 3
		initial  = time.Millisecond
		max      = time.Second
	)
	system := quietSystem()
	defer system.Shutdown()

	rec := &recorder{}
	strategy := NewExponentialBackoff(initial, max, failures, time.Minute, func(child *actor.PID, _ any) {
		t.Errorf("gave up on %v", child)
	}).(*backoff)
	strategy.after = rec.after

	started := make(chan *actor.PID, children*(failures+1))
	props := actor.PropsFromProducer(func() actor.Actor {
		return &parent{n: children, child: actor.PropsFromProducer(func() actor.Actor { return &crasher{started: started} }), terminated: make(chan *actor.PID)}
	}, actor.WithSupervisor(strategy))
	if _, err := system.Root.SpawnNamed(props, "p"); err != nil {
		t.Fatal(err)
	}
	var pids []*actor.PID
	for range children {
		pids = append(pids, receive(t, started, "first starts"))
	}
	for _, pid := range pids {
		for range failures {
			system.Root.Send(pid, boom{})
		}
	}
	for range children * failures {
		receive(t, started, "restarts")
	}

	// Every child has its own count: each saw delays for failures 1…failures.
	perTier := make([]int, failures+1)
	for _, d := range rec.snapshot() {
		for n := 1; n <= failures; n++ {
			if inRange(d, initial, max, n) {
				perTier[n]++
				break
			}
		}
	}
	for n := 1; n <= failures; n++ {
		if perTier[n] != children {
			t.Errorf("delays in tier %d = %d, want %d (all: %v)", n, perTier[n], children, rec.snapshot())
		}
	}
}

// fakeSupervisor records what the strategy asked for.
type fakeSupervisor struct {
	mu                 sync.Mutex
	restarted, stopped int
}

func (f *fakeSupervisor) Children() []*actor.PID       { return nil }
func (f *fakeSupervisor) EscalateFailure(any, any)     {}
func (f *fakeSupervisor) ResumeChildren(...*actor.PID) {}
func (f *fakeSupervisor) RestartChildren(p ...*actor.PID) {
	f.mu.Lock()
	f.restarted += len(p)
	f.mu.Unlock()
}
func (f *fakeSupervisor) StopChildren(p ...*actor.PID) {
	f.mu.Lock()
	f.stopped += len(p)
	f.mu.Unlock()
}

func TestBackoffQuietWindowResets(t *testing.T) {
	const (
		initial = time.Millisecond
		within  = 200 * time.Millisecond // the three failures below must fit in it
	)
	system := quietSystem()
	defer system.Shutdown()
	rec := &recorder{}
	b := NewExponentialBackoff(initial, time.Second, 3, within, nil).(*backoff)
	b.after = rec.after
	b.jitter = func() float64 { return 1 }
	sup := &fakeSupervisor{}
	child := actor.NewPID("local", "c")
	rs := actor.NewRestartStatistics()

	for range 3 {
		b.HandleFailure(system, sup, child, rs, "x", nil)
	}
	deadline := time.Now().Add(5 * time.Second)
	for rs.NumberOfFailures(within) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("failures never left the window")
		}
		time.Sleep(within / 4)
	}
	b.HandleFailure(system, sup, child, rs, "x", nil)

	want := []time.Duration{initial, 2 * initial, 4 * initial, initial}
	if got := rec.snapshot(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("delays = %v, want %v (reset after a quiet window)", got, want)
	}
	if sup.restarted != 4 || sup.stopped != 0 {
		t.Fatalf("restarted %d, stopped %d; want 4, 0", sup.restarted, sup.stopped)
	}
}

func TestBackoffIntensityLimit(t *testing.T) {
	tests := []struct {
		maxRetries, failures, wantRestarts, wantStops int
	}{
		{0, 1, 0, 1},
		{1, 2, 1, 1},
		{3, 3, 3, 0},
		{3, 4, 3, 1},
	}
	system := quietSystem()
	defer system.Shutdown()
	for _, tt := range tests {
		t.Run(fmt.Sprintf("max%d_fail%d", tt.maxRetries, tt.failures), func(t *testing.T) {
			gaveUp := 0
			b := NewExponentialBackoff(time.Millisecond, time.Second, tt.maxRetries, time.Minute,
				func(*actor.PID, any) { gaveUp++ }).(*backoff)
			b.after = (&recorder{}).after
			sup := &fakeSupervisor{}
			rs := actor.NewRestartStatistics()
			for range tt.failures {
				b.HandleFailure(system, sup, actor.NewPID("local", "c"), rs, "x", nil)
			}
			if sup.restarted != tt.wantRestarts || sup.stopped != tt.wantStops || gaveUp != tt.wantStops {
				t.Fatalf("restarted %d, stopped %d, onGiveUp %d; want %d, %d, %d",
					sup.restarted, sup.stopped, gaveUp, tt.wantRestarts, tt.wantStops, tt.wantStops)
			}
		})
	}
}

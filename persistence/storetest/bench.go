package storetest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"smsgw/persistence"
)

// BenchmarkWrite measures one InsertMessage per Write from many goroutines,
// as the HTTP and SMPP intake does; it closes s.
func BenchmarkWrite(b *testing.B, s persistence.Store) {
	benchParallel(b, s, "msgs/s", func() persistence.Op { return newMessage("bench", "", 1, "") })
}

// BenchmarkInsertMO measures one InsertMO (routed to an SMPP customer, so
// with its delivery) per Write from many goroutines; it closes s.
func BenchmarkInsertMO(b *testing.B, s persistence.Store) {
	benchParallel(b, s, "mos/s", func() persistence.Op {
		return persistence.InsertMO{MO: newMO("bench", persistence.ChannelSMPP, ulid.Make().String())}
	})
}

// benchParallel writes one op per Write from 64 goroutines per core and
// reports the rate in unit; it closes s.
func benchParallel(b *testing.B, s persistence.Store, unit string, op func() persistence.Op) {
	defer func() {
		if err := s.Close(); err != nil {
			b.Error(err)
		}
	}()
	b.SetParallelism(64)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Write(context.Background(), op()); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
}

// BenchmarkLifecycle measures the write mix of one single-part message
// with a callback: InsertMessage, SetPartStatus(submitted) with its
// operator id, MatchDR(delivered), then CallbackDone of the outbox entry,
// found through DueCallbacks by one dispatcher as the callback actor does.
// Messages run from 64 goroutines; it closes s.
func BenchmarkLifecycle(b *testing.B, s persistence.Store) {
	defer func() {
		if err := s.Close(); err != nil {
			b.Error(err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	d := newDispatcher(ctx, s, int64(b.N))
	go d.loop()
	var seq atomic.Uint64
	b.SetParallelism(64)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := lifecycle(ctx, s, seq.Add(1)); err != nil {
				b.Error(err)
				return
			}
			d.wake()
		}
	})
	select {
	case <-d.finished:
	case <-ctx.Done():
		b.Fatalf("callbacks: %d of %d done: %v", d.done.Load(), b.N, ctx.Err())
	}
	b.StopTimer()
	if err := d.failure(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func lifecycle(ctx context.Context, s persistence.Store, n uint64) error {
	in := newMessage("bench", "", 1, "http://cb")
	id := in.Message.ID
	if _, err := s.Write(ctx, in); err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	// A decimal operator id, matched later under its two candidate forms.
	opID := strconv.FormatUint(1_000_000_000+n, 10)
	sub := persistence.SetPartStatus{MessageID: id, Status: persistence.StatusSubmitted, Operator: "op1", OperatorID: opID, At: t0}
	if r, err := s.Write(ctx, sub); err != nil || !r[0].Applied {
		return fmt.Errorf("submit %s: %+v, %w", id, r, err)
	}
	m := persistence.MatchDR{Operator: "op1", Candidates: []string{opID, strconv.FormatUint(1_000_000_000+n, 16)},
		Status: persistence.StatusDelivered, At: t0.Add(time.Second)}
	if r, err := s.Write(ctx, m); err != nil || !r[0].BecameFinal {
		return fmt.Errorf("dr %s: %+v, %w", id, r, err)
	}
	return nil
}

// dispatcher marks due callbacks done, each from its own goroutine, until
// want of them were.
type dispatcher struct {
	ctx      context.Context
	s        persistence.Store
	want     int64
	done     atomic.Int64
	wakeC    chan struct{}
	finished chan struct{}
	finish   sync.Once
	sem      chan struct{}

	mu sync.Mutex
	// dispatched keeps every id sent, done or not: a DueCallbacks read
	// that started before a CallbackDone committed still lists it.
	dispatched map[string]bool
	err        error
}

func newDispatcher(ctx context.Context, s persistence.Store, want int64) *dispatcher {
	return &dispatcher{ctx: ctx, s: s, want: want, wakeC: make(chan struct{}, 1), finished: make(chan struct{}),
		sem: make(chan struct{}, 64), dispatched: make(map[string]bool)}
}

func (d *dispatcher) wake() {
	select {
	case d.wakeC <- struct{}{}:
	default:
	}
}

func (d *dispatcher) failure() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

func (d *dispatcher) fail(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err == nil {
		d.err = err
	}
	d.finish.Do(func() { close(d.finished) })
}

// minGap spaces outbox reads as the callback actor does, so that one read
// serves many final messages.
const minGap = 50 * time.Millisecond

func (d *dispatcher) loop() {
	const limit = 500
	gap := time.NewTimer(0)
	defer gap.Stop()
	for {
		// A wake, then the rest of the gap since the previous read.
		for _, wait := range []func() bool{wait(d, d.wakeC), wait(d, gap.C)} {
			if !wait() {
				return
			}
		}
		gap.Reset(minGap)
		due, err := d.s.DueCallbacks(d.ctx, time.Now(), limit)
		if err != nil {
			d.fail(fmt.Errorf("due callbacks: %w", err))
			return
		}
		if len(due) == limit {
			d.wake()
		}
		for _, cb := range due {
			d.mu.Lock()
			busy := d.dispatched[cb.ID]
			d.dispatched[cb.ID] = true
			d.mu.Unlock()
			if !busy {
				d.sem <- struct{}{}
				go d.markDone(cb.ID)
			}
		}
	}
}

// wait returns a function that waits for c and reports false when the
// benchmark ended first.
func wait[T any](d *dispatcher, c <-chan T) func() bool {
	return func() bool {
		select {
		case <-c:
			return true
		case <-d.finished:
			return false
		case <-d.ctx.Done():
			return false
		}
	}
}

func (d *dispatcher) markDone(id string) {
	defer func() { <-d.sem }()
	r, err := d.s.Write(d.ctx, persistence.CallbackDone{ID: id})
	if err != nil {
		d.fail(fmt.Errorf("callback done %s: %w", id, err))
		return
	}
	if !r[0].Applied {
		d.fail(fmt.Errorf("callback done %s: not applied", id))
		return
	}
	if d.done.Add(1) == d.want {
		d.finish.Do(func() { close(d.finished) })
	}
	d.wake()
}

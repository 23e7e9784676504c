package retention

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"smsgw/persistence"
)

type fakeStore struct {
	mu      sync.Mutex
	left    int
	cutoffs []time.Time
}

func (f *fakeStore) Prune(_ context.Context, before time.Time, limit int) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cutoffs = append(f.cutoffs, before)
	n := min(limit, f.left)
	f.left -= n
	return n, nil
}

func (f *fakeStore) ExpireDeliveries(context.Context, time.Time, int) ([]persistence.Delivery, error) {
	return nil, nil
}

func (f *fakeStore) remaining() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.left
}

// TestPrunesInBoundedBatches: a backlog is deleted batch by batch, never
// more than MaxBatch batches a run, with the cutoff Keep in the past.
func TestPrunesInBoundedBatches(t *testing.T) {
	store := &fakeStore{left: 2500}
	system := actor.NewActorSystem()
	defer system.Shutdown()
	pid := system.Root.Spawn(Props(Config{Keep: time.Hour, Every: time.Millisecond, Batch: 1000, MaxBatch: 2}, store, zerolog.Nop()))
	defer system.Root.Stop(pid)
	deadline := time.Now().Add(10 * time.Second)
	for store.remaining() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d rows left", store.remaining())
		}
		time.Sleep(time.Millisecond)
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	if len(store.cutoffs) < 3 {
		t.Fatalf("%d prune calls for 2500 rows in batches of 1000", len(store.cutoffs))
	}
	if age := time.Since(store.cutoffs[0]); age < time.Hour {
		t.Errorf("cutoff only %s ago, want ≥ 1h", age)
	}
}

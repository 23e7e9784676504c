package smsc

import (
	"sync"
	"testing"
	"time"
)

func TestSchedulerOrder(t *testing.T) {
	s := newScheduler()
	defer s.stop()
	base := time.Now()
	var mu sync.Mutex
	var got []int
	done := make(chan struct{})
	// Added out of order; equal times keep insertion order.
	offsets := []struct {
		id int
		d  time.Duration
	}{{3, 30 * time.Millisecond}, {1, 10 * time.Millisecond}, {2, 10 * time.Millisecond}, {0, -time.Second}, {4, 40 * time.Millisecond}}
	for _, o := range offsets {
		s.at(base.Add(o.d), func() {
			mu.Lock()
			got = append(got, o.id)
			n := len(got)
			mu.Unlock()
			if n == len(offsets) {
				close(done)
			}
		})
	}
	select {
	case <-done:
	case <-time.After(waitTimeout):
		t.Fatal("scheduled work did not run")
	}
	for i, id := range got {
		if id != i {
			t.Fatalf("order %v", got)
		}
	}
}

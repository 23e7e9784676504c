package smsc

import (
	"container/heap"
	"sync"
	"time"
)

// scheduler runs delayed work (receipts, late responses, unbind timeouts) on
// one goroutine from a time-ordered heap: one timer for the whole SMSC
// instead of one per message.
type scheduler struct {
	mu    sync.Mutex
	items itemHeap
	n     uint64 // tie-break: equal times run in submission order
	wake  chan struct{}
	quit  chan struct{}
	done  chan struct{}
}

type item struct {
	due time.Time
	n   uint64
	fn  func()
}

type itemHeap []item

func (h itemHeap) Len() int { return len(h) }
func (h itemHeap) Less(i, j int) bool {
	if h[i].due.Equal(h[j].due) {
		return h[i].n < h[j].n
	}
	return h[i].due.Before(h[j].due)
}
func (h itemHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *itemHeap) Push(x any)   { *h = append(*h, x.(item)) }
func (h *itemHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	old[len(old)-1] = item{}
	*h = old[:len(old)-1]
	return it
}

func newScheduler() *scheduler {
	s := &scheduler{wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

// at runs fn at t on the scheduler goroutine; fn must not block for long.
func (s *scheduler) at(t time.Time, fn func()) {
	s.mu.Lock()
	s.n++
	heap.Push(&s.items, item{due: t, n: s.n, fn: fn})
	first := s.items[0].n == s.n
	s.mu.Unlock()
	if first {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// stop ends the loop; pending work is dropped.
func (s *scheduler) stop() {
	close(s.quit)
	<-s.done
}

func (s *scheduler) loop() {
	defer close(s.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var due []func()
	for {
		s.mu.Lock()
		now := time.Now()
		for len(s.items) > 0 && !s.items[0].due.After(now) {
			due = append(due, heap.Pop(&s.items).(item).fn)
		}
		wait := time.Hour
		if len(s.items) > 0 {
			wait = s.items[0].due.Sub(now)
		}
		s.mu.Unlock()
		if len(due) > 0 {
			for i, fn := range due {
				fn()
				due[i] = nil
			}
			due = due[:0]
			continue // running took time: look at the clock again
		}
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-s.wake:
		case <-s.quit:
			return
		}
	}
}

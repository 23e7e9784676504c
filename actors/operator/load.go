package operator

import "sync/atomic"

// Load is the operator's published queue state, written only by its actor
// and read by admission to push back (HTTP 429) before a message is stored
// for an operator that cannot take it. It is a read-only view, like a gauge.
type Load struct {
	capacity int64
	depth    atomic.Int64
	binds    atomic.Int32
}

// NewLoad makes the view for a queue of the given capacity.
func NewLoad(capacity int) *Load { return &Load{capacity: int64(capacity)} }

// Full reports whether n more parts would overflow the queue.
func (l *Load) Full(n int) bool { return l.depth.Load()+int64(n) > l.capacity }

// Up reports whether at least one bind is bound.
func (l *Load) Up() bool { return l.binds.Load() > 0 }

// Depth is the number of queued parts.
func (l *Load) Depth() int64 { return l.depth.Load() }

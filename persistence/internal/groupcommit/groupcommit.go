package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"smsgw/persistence"
)

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("persistence: store closed")

// Apply commits every group in one transaction and returns one result slice
// per group, in order. A writer with n workers calls it from up to n
// goroutines at once, each with its own batch.
type Apply func(ctx context.Context, groups [][]persistence.Op) ([][]persistence.Result, error)

// Writer queues Write calls and applies them in batches.
type Writer struct {
	apply    Apply
	maxOps   int
	reqs     chan *request
	quit     chan struct{}
	stopped  chan struct{}
	closeCtx context.CancelFunc
	ctx      context.Context
	running  sync.WaitGroup
}

type request struct {
	ctx  context.Context
	ops  []persistence.Op
	res  []persistence.Result
	err  error
	done chan struct{}
}

// New starts a writer that applies at most maxOps ops per transaction (a
// single Write with more ops still goes in one transaction, alone), with
// workers transactions in flight at most. Each worker takes whatever is
// queued when it is free, so with several the round trips and commits of
// one batch overlap those of the others.
func New(apply Apply, maxOps, workers int) *Writer {
	if maxOps < 1 {
		maxOps = 1
	}
	if workers < 1 {
		workers = 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Writer{
		apply:    apply,
		maxOps:   maxOps,
		reqs:     make(chan *request, maxOps),
		quit:     make(chan struct{}),
		stopped:  make(chan struct{}),
		closeCtx: cancel,
		ctx:      ctx,
	}
	w.running.Add(workers)
	for range workers {
		go w.loop()
	}
	go func() {
		w.running.Wait()
		close(w.stopped)
	}()
	return w
}

// Write queues ops and waits until the transaction holding them committed
// (or failed). If ctx ends first Write returns ctx.Err(); ops already handed
// to a transaction may still commit, which is safe because every op is
// idempotent.
func (w *Writer) Write(ctx context.Context, ops ...persistence.Op) ([]persistence.Result, error) {
	if len(ops) == 0 {
		return nil, nil
	}
	r := &request{ctx: ctx, ops: ops, done: make(chan struct{})}
	select {
	case w.reqs <- r:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-w.quit:
		return nil, ErrClosed
	}
	select {
	case <-r.done:
		return r.res, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-w.stopped:
		// The workers answer every request they took before they stop.
		select {
		case <-r.done:
			return r.res, r.err
		default:
			return nil, ErrClosed
		}
	}
}

// Close lets the batches in progress finish, fails queued writes with
// ErrClosed and waits for the loop to stop.
func (w *Writer) Close() {
	select {
	case <-w.quit:
	default:
		close(w.quit)
	}
	<-w.stopped
	w.closeCtx()
}

func (w *Writer) loop() {
	defer w.running.Done()
	var batch []*request
	for {
		batch = batch[:0]
		select {
		case r := <-w.reqs:
			batch = append(batch, r)
		case <-w.quit:
			w.failQueued()
			return
		}
		n := len(batch[0].ops)
	fill:
		for n < w.maxOps {
			select {
			case r := <-w.reqs:
				batch = append(batch, r)
				n += len(r.ops)
			default:
				break fill
			}
		}
		w.run(batch)
	}
}

func (w *Writer) failQueued() {
	for {
		select {
		case r := <-w.reqs:
			r.err = ErrClosed
			close(r.done)
		default:
			return
		}
	}
}

// run applies a batch; if the transaction fails as a whole each caller's
// ops are retried alone so that one bad op fails only its own caller.
func (w *Writer) run(batch []*request) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			close(r.done)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	groups := make([][]persistence.Op, len(live))
	for i, r := range live {
		groups[i] = r.ops
	}
	res, err := w.apply(w.ctx, groups)
	if err == nil && len(res) != len(live) {
		err = fmt.Errorf("persistence: batch returned %d results for %d writes", len(res), len(live))
	}
	if err == nil {
		for i, r := range live {
			r.res = res[i]
			close(r.done)
		}
		return
	}
	if len(live) == 1 {
		live[0].err = err
		close(live[0].done)
		return
	}
	for _, r := range live {
		one, err := w.apply(w.ctx, [][]persistence.Op{r.ops})
		if err == nil && len(one) != 1 {
			err = fmt.Errorf("persistence: write returned %d results for 1 write", len(one))
		}
		if err != nil {
			r.err = err
		} else {
			r.res = one[0]
		}
		close(r.done)
	}
}

package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"smsgw/persistence"
)

// echo answers each CallbackDone op with Applied and MessageID = its ID, and
// fails a whole transaction that holds an op with ID "bad".
func echo(batches *atomic.Int64) Apply {
	return func(_ context.Context, groups [][]persistence.Op) ([][]persistence.Result, error) {
		batches.Add(1)
		out := make([][]persistence.Result, len(groups))
		for i, g := range groups {
			for _, op := range g {
				d := op.(persistence.CallbackDone)
				if d.ID == "bad" {
					return nil, errors.New("bad op")
				}
				out[i] = append(out[i], persistence.Result{Applied: true, MessageID: d.ID})
			}
		}
		return out, nil
	}
}

func TestWriteAnswersEveryCaller(t *testing.T) {
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			answersEveryCaller(t, workers)
		})
	}
}

func answersEveryCaller(t *testing.T, workers int) {
	var batches atomic.Int64
	w := New(echo(&batches), 1000, workers)
	defer w.Close()
	const callers = 50
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprint(i)
			res, err := w.Write(context.Background(), persistence.CallbackDone{ID: id}, persistence.CallbackDone{ID: id + "b"})
			switch {
			case err != nil:
				errs <- err
			case len(res) != 2 || res[0].MessageID != id || res[1].MessageID != id+"b":
				errs <- fmt.Errorf("caller %d got %+v", i, res)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := batches.Load(); n < 1 || n > callers {
		t.Errorf("batches = %d", n)
	}
}

func TestBadOpFailsOnlyItsCaller(t *testing.T) {
	var batches atomic.Int64
	gate := make(chan struct{})
	entered := make(chan struct{})
	inner := echo(&batches)
	first := true
	// The first transaction blocks until every caller is queued, so the
	// second one holds all of them, the bad one included.
	apply := func(ctx context.Context, g [][]persistence.Op) ([][]persistence.Result, error) {
		if first {
			first = false
			close(entered)
			<-gate
		}
		return inner(ctx, g)
	}
	w := New(apply, 1000, 1)
	defer w.Close()
	firstDone := make(chan error, 1)
	go func() {
		_, err := w.Write(context.Background(), persistence.CallbackDone{ID: "first"})
		firstDone <- err
	}()
	<-entered
	ids := []string{"a", "bad", "c"}
	type answer struct {
		id  string
		err error
	}
	answers := make(chan answer, len(ids))
	for _, id := range ids {
		go func() {
			_, err := w.Write(context.Background(), persistence.CallbackDone{ID: id})
			answers <- answer{id, err}
		}()
	}
	waitFor(t, func() bool { return len(w.reqs) == len(ids) })
	close(gate)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	for range ids {
		a := <-answers
		if (a.err != nil) != (a.id == "bad") {
			t.Errorf("write %q: err = %v", a.id, a.err)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestWorkersOverlap holds every transaction open until as many as there
// are workers are in flight at once.
func TestWorkersOverlap(t *testing.T) {
	const workers = 4
	var inFlight atomic.Int64
	gate := make(chan struct{})
	w := New(func(_ context.Context, g [][]persistence.Op) ([][]persistence.Result, error) {
		inFlight.Add(1)
		<-gate
		return make([][]persistence.Result, len(g)), nil
	}, 1000, workers)
	defer w.Close()
	errs := make(chan error, workers)
	for i := range workers {
		go func() {
			_, err := w.Write(context.Background(), persistence.CallbackDone{ID: fmt.Sprint(i)})
			errs <- err
		}()
	}
	waitFor(t, func() bool { return inFlight.Load() == workers })
	close(gate)
	for range workers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestWriteHonoursContext(t *testing.T) {
	gate := make(chan struct{})
	w := New(func(_ context.Context, g [][]persistence.Op) ([][]persistence.Result, error) {
		<-gate
		return make([][]persistence.Result, len(g)), nil
	}, 10, 1)
	defer w.Close()
	defer close(gate)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := w.Write(ctx, persistence.CallbackDone{ID: "x"})
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestWriteAfterClose(t *testing.T) {
	var batches atomic.Int64
	w := New(echo(&batches), 10, 3)
	w.Close()
	if _, err := w.Write(context.Background(), persistence.CallbackDone{ID: "x"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
}

func BenchmarkWrite(b *testing.B) {
	var batches atomic.Int64
	w := New(echo(&batches), 1000, 1)
	defer w.Close()
	b.SetParallelism(64)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := w.Write(context.Background(), persistence.CallbackDone{ID: "x"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/float64(batches.Load()), "ops/batch")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

package callback

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/oklog/ulid/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"smsgw/actors/metrics"
	"smsgw/persistence"
	"smsgw/persistence/sqlite"
)

// poster records posts in order and fails the first attempt of one id.
type poster struct {
	mu     sync.Mutex
	posts  []string
	failed map[string]bool
	failID string
}

func (p *poster) Post(_ context.Context, _, id string, _ []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts = append(p.posts, id)
	if id == p.failID && !p.failed[id] {
		p.failed[id] = true
		return errors.New("503")
	}
	return nil
}

func (p *poster) log() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.posts...)
}

// TestMOsInOrderPerCustomer: a customer's MOs are posted one at a time in
// order, and after a failure the failed MO goes again before any later one.
func TestMOsInOrderPerCustomer(t *testing.T) {
	store, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var ids []string
	for i := 0; i < 5; i++ {
		m := persistence.MO{ID: ulid.Make().String(), Operator: "op", From: fmt.Sprint("4477", i), To: "123", Text: fmt.Sprint("mo ", i),
			CustomerID: "acme", Channel: persistence.ChannelHTTP, URL: "http://127.0.0.1:1/mo", DedupKey: fmt.Sprint("k", i),
			ReceivedAt: time.Now()}
		if _, err := store.Write(context.Background(), persistence.InsertMO{MO: m}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID+".mo")
	}
	p := &poster{failed: map[string]bool{}, failID: ids[1]}
	system := actor.NewActorSystem()
	defer system.Shutdown()
	cfg := Config{Poll: 20 * time.Millisecond, MinGap: time.Millisecond, Backoff: func(int) time.Duration { return 50 * time.Millisecond },
		Body: func(persistence.Callback) ([]byte, error) { return []byte("{}"), nil }}
	pid := system.Root.Spawn(Props(cfg, Deps{Store: store, Poster: p, Metrics: metrics.New(prometheus.NewRegistry()), Log: zerolog.Nop()}))
	defer system.Root.Stop(pid)
	deadline := time.Now().Add(10 * time.Second)
	for len(p.log()) < 6 {
		if time.Now().After(deadline) {
			t.Fatalf("posts so far: %v", p.log())
		}
		time.Sleep(5 * time.Millisecond)
	}
	want := []string{ids[0], ids[1], ids[1], ids[2], ids[3], ids[4]}
	got := p.log()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("post order %v, want %v", got, want)
		}
	}
}

package bench

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// finalStatus lists the DR statuses that end a message's life.
var finalStatus = map[string]bool{"delivered": true, "undeliverable": true, "expired": true, "rejected": true, "failed": true}

// event is the part of a callback the bench reads.
type event struct {
	EventID   string `json:"event_id"`
	Type      string `json:"type"`
	MessageID string `json:"message_id"`
	Status    string `json:"status"`
}

// tracker is the DR callback receiver. Callbacks are at least once, so
// events are counted by unique event_id; a DR may arrive before the 202 that
// carries its message id, so both sides are matched whichever comes first.
type tracker struct {
	mu       sync.Mutex
	events   map[string]bool
	final    map[string]string // message id -> first final status
	accepted map[string]bool
	reported int // accepted messages with a final DR
	invalid  int
	last     time.Time
	changed  chan struct{} // poked after each change; buffered 1
}

func newTracker() *tracker {
	return &tracker{events: map[string]bool{}, final: map[string]string{}, accepted: map[string]bool{}, changed: make(chan struct{}, 1)}
}

func (t *tracker) poke() {
	select {
	case t.changed <- struct{}{}:
	default:
	}
}

func (t *tracker) accept(id string) {
	t.mu.Lock()
	if !t.accepted[id] {
		t.accepted[id] = true
		if t.final[id] != "" {
			t.reported++
		}
	}
	t.mu.Unlock()
	t.poke()
}

// ServeHTTP receives one callback.
func (t *tracker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var e event
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, &e)
	}
	if err != nil || e.EventID == "" || e.MessageID == "" {
		t.mu.Lock()
		t.invalid++
		t.mu.Unlock()
		http.Error(w, "want JSON with event_id and message_id", http.StatusBadRequest)
		return
	}
	t.record(e)
	w.WriteHeader(http.StatusNoContent)
}

func (t *tracker) record(e event) {
	if e.Type != "dr" {
		return
	}
	t.mu.Lock()
	if !t.events[e.EventID] {
		t.events[e.EventID] = true
		t.last = time.Now()
		if finalStatus[e.Status] && t.final[e.MessageID] == "" {
			t.final[e.MessageID] = e.Status
			if t.accepted[e.MessageID] {
				t.reported++
			}
		}
	}
	t.mu.Unlock()
	t.poke()
}

func (t *tracker) acceptedCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.accepted)
}

func (t *tracker) reportedCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.reported
}

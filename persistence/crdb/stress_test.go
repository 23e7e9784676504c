package crdb

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"smsgw/persistence"
)

// TestConcurrentWritersStress writes two-part lifecycles from many
// goroutines: per message the submits and the DRs (one repeated) race, so
// DRs are buffered or matched, in one batch or in successive ones. Every message must end delivered,
// with one callback owed.
func TestConcurrentWritersStress(t *testing.T) {
	s, err := Open(context.Background(), freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const messages = 120
	ids := make([]string, messages)
	var wg sync.WaitGroup
	errs := make(chan error, messages*6)
	for i := range messages {
		id := ulid.Make().String()
		ids[i] = id
		in := persistence.InsertMessage{
			Message: persistence.Message{ID: id, CustomerID: "c", RequestHash: "h", From: "A", To: "+41",
				CallbackURL: "http://cb", Status: persistence.StatusAccepted, PartCount: 2},
			Parts: []persistence.Part{{MessageID: id, Index: 0}, {MessageID: id, Index: 1}},
		}
		if _, err := s.Write(ctx, in); err != nil {
			t.Fatalf("insert %s: %v", id, err)
		}
		var ops []persistence.Op
		for part := range 2 {
			opID := fmt.Sprintf("x%d-%d", i, part)
			ops = append(ops,
				persistence.SetPartStatus{MessageID: id, Part: part, Status: persistence.StatusSubmitted, Operator: "op1", OperatorID: opID},
				persistence.MatchDR{Operator: "op1", Candidates: []string{opID}, Status: persistence.StatusDelivered})
		}
		ops = append(ops, ops[len(ops)-1])
		for _, op := range ops {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.Write(ctx, op); err != nil {
					errs <- fmt.Errorf("%T %s: %w", op, id, err)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, id := range ids {
		v, err := s.Message(ctx, "c", id)
		if err != nil {
			t.Fatalf("read %s: %v", id, err)
		}
		if v.Message.Status != persistence.StatusDelivered {
			t.Errorf("message %s: %s, parts %+v", id, v.Message.Status, v.Parts)
		}
	}
	due, err := s.DueCallbacks(ctx, time.Now().Add(time.Hour), 10*messages)
	if err != nil {
		t.Fatal(err)
	}
	owed := make(map[string]int)
	for _, cb := range due {
		owed[cb.MessageID]++
	}
	for _, id := range ids {
		if owed[id] != 1 {
			t.Errorf("message %s: %d callbacks owed, want 1", id, owed[id])
		}
	}
}

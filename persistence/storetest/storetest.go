package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"smsgw/persistence"
)

// Run runs the contract against stores made by open; each subtest gets a
// fresh, empty store, closed by open's t.Cleanup or by Run.
func Run(t *testing.T, open func(t *testing.T) persistence.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s persistence.Store)
	}{
		{"InsertAndRead", testInsertAndRead},
		{"Idempotency", testIdempotency},
		{"OtherCustomerNotFound", testOtherCustomer},
		{"MonotonicTransitions", testMonotonic},
		{"MatchDR", testMatchDR},
		{"DRBeforeSubmitResp", testDRBeforeSubmitResp},
		{"DRBufferedInSameWrite", testDRBufferedInSameWrite},
		{"MultipartDerivation", testMultipart},
		{"CallbackOutbox", testCallbacks},
		{"Unfinished", testUnfinished},
		{"Prune", testPrune},
		{"AtomicWrite", testAtomicWrite},
		{"ConcurrentWrites", testConcurrent},
		{"InvalidOp", testInvalidOp},
		{"CanceledContext", testCanceled},
	}
	for _, tt := range append(tests, moTests...) {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			tt.fn(t, s)
		})
	}
}

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// newMessage builds an InsertMessage with n parts.
func newMessage(customer, key string, n int, callback string) persistence.InsertMessage {
	id := ulid.Make().String()
	m := persistence.Message{
		ID: id, CustomerID: customer, ClientRef: "ref-" + id, IdempotencyKey: key, RequestHash: "hash-" + id,
		From: "ACME", To: "+41790000000", DataCoding: 8, Route: []string{"op1", "op2"}, CallbackURL: callback,
		RegisteredDelivery: true, Status: persistence.StatusAccepted, PartCount: n, CreatedAt: t0,
	}
	parts := make([]persistence.Part, n)
	for i := range parts {
		parts[i] = persistence.Part{MessageID: id, Index: i, DataCoding: 8, ESMClass: 0x40, Payload: []byte{5, 0, 3, 1, byte(n), byte(i + 1), 'h', 'i'}}
	}
	return persistence.InsertMessage{Message: m, Parts: parts}
}

func write(t *testing.T, s persistence.Store, ops ...persistence.Op) []persistence.Result {
	t.Helper()
	res, err := s.Write(context.Background(), ops...)
	if err != nil {
		t.Fatalf("write: %v", err)
	}
	if len(res) != len(ops) {
		t.Fatalf("write: %d results for %d ops", len(res), len(ops))
	}
	return res
}

func view(t *testing.T, s persistence.Store, customer, id string) *persistence.MessageView {
	t.Helper()
	v, err := s.Message(context.Background(), customer, id)
	if err != nil {
		t.Fatalf("message %s: %v", id, err)
	}
	return v
}

func eventTypes(v *persistence.MessageView) []string {
	var out []string
	for _, e := range v.Events {
		out = append(out, fmt.Sprintf("%d:%s:%s", e.Part, e.Type, e.Status))
	}
	return out
}

func submit(id string, part int, opID string) persistence.SetPartStatus {
	return persistence.SetPartStatus{MessageID: id, Part: part, Status: persistence.StatusSubmitted, Operator: "op1", OperatorID: opID, At: t0.Add(time.Second)}
}

func dr(status persistence.Status, cands ...string) persistence.MatchDR {
	return persistence.MatchDR{Operator: "op1", Candidates: cands, Status: status, Error: "stat:" + string(status), At: t0.Add(2 * time.Second)}
}

func testInsertAndRead(t *testing.T, s persistence.Store) {
	in := newMessage("c1", "", 2, "")
	res := write(t, s, in)
	if res[0].Duplicate || res[0].MessageID != in.Message.ID || res[0].MessageStatus != persistence.StatusAccepted {
		t.Fatalf("result = %+v", res[0])
	}
	v := view(t, s, "c1", in.Message.ID)
	m := v.Message
	want := in.Message
	if m.ID != want.ID || m.CustomerID != "c1" || m.ClientRef != want.ClientRef || m.RequestHash != want.RequestHash ||
		m.From != want.From || m.To != want.To || m.DataCoding != 8 || !slices.Equal(m.Route, want.Route) ||
		!m.RegisteredDelivery || m.Status != persistence.StatusAccepted || m.PartCount != 2 || !m.CreatedAt.Equal(t0) {
		t.Errorf("message = %+v, want %+v", m, want)
	}
	if len(v.Parts) != 2 {
		t.Fatalf("parts = %+v", v.Parts)
	}
	for i, p := range v.Parts {
		if p.Index != i || p.ESMClass != 0x40 || p.DataCoding != 8 || !slices.Equal(p.Payload, in.Parts[i].Payload) || p.Status != persistence.StatusAccepted {
			t.Errorf("part %d = %+v", i, p)
		}
	}
	if got, want := eventTypes(v), []string{"0:mt_accepted:accepted", "1:mt_accepted:accepted"}; !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}

	q := newMessage("c1", "", 1, "")
	q.Message.Status = persistence.StatusQueued
	write(t, s, q)
	if got := eventTypes(view(t, s, "c1", q.Message.ID)); !slices.Equal(got, []string{"0:mt_queued:queued"}) {
		t.Errorf("queued events = %v", got)
	}
}

func testIdempotency(t *testing.T, s persistence.Store) {
	ctx := context.Background()
	first := newMessage("c1", "k1", 1, "")
	write(t, s, first)
	again := newMessage("c1", "k1", 2, "")
	res := write(t, s, again)
	if !res[0].Duplicate || res[0].MessageID != first.Message.ID || res[0].RequestHash != first.Message.RequestHash {
		t.Fatalf("duplicate result = %+v", res[0])
	}
	if _, err := s.Message(ctx, "c1", again.Message.ID); !errors.Is(err, persistence.ErrNotFound) {
		t.Errorf("duplicate was written: err = %v", err)
	}
	id, hash, found, err := s.Idempotent(ctx, "c1", "k1")
	if err != nil || !found || id != first.Message.ID || hash != first.Message.RequestHash {
		t.Errorf("Idempotent = %q %q %v %v", id, hash, found, err)
	}
	if _, _, found, err := s.Idempotent(ctx, "c1", "nope"); err != nil || found {
		t.Errorf("Idempotent(unknown) = %v %v", found, err)
	}
	// The same key for another customer, and messages without a key, are
	// independent.
	other := newMessage("c2", "k1", 1, "")
	if res := write(t, s, other); res[0].Duplicate {
		t.Errorf("other customer's key collided: %+v", res[0])
	}
	for range 2 {
		if res := write(t, s, newMessage("c1", "", 1, "")); res[0].Duplicate {
			t.Errorf("keyless message reported duplicate: %+v", res[0])
		}
	}
	// Replaying the very same insert (a retried write) is not a duplicate
	// and adds nothing.
	if res := write(t, s, first); res[0].Duplicate || res[0].MessageID != first.Message.ID {
		t.Errorf("replay = %+v", res[0])
	}
	if got := eventTypes(view(t, s, "c1", first.Message.ID)); len(got) != 1 {
		t.Errorf("replay added events: %v", got)
	}
	// Two inserts of one key in one Write: the second is the duplicate.
	a, b := newMessage("c3", "k", 1, ""), newMessage("c3", "k", 1, "")
	res = write(t, s, a, b)
	if res[0].Duplicate || !res[1].Duplicate || res[1].MessageID != a.Message.ID {
		t.Errorf("same-batch duplicate = %+v", res)
	}
}

func testOtherCustomer(t *testing.T, s persistence.Store) {
	in := newMessage("c1", "", 1, "")
	write(t, s, in)
	ctx := context.Background()
	if _, err := s.Message(ctx, "c2", in.Message.ID); !errors.Is(err, persistence.ErrNotFound) {
		t.Errorf("other customer: err = %v", err)
	}
	if _, err := s.Message(ctx, "c1", "nope"); !errors.Is(err, persistence.ErrNotFound) {
		t.Errorf("unknown id: err = %v", err)
	}
}

func testMonotonic(t *testing.T, s persistence.Store) {
	in := newMessage("c1", "", 1, "")
	id := in.Message.ID
	write(t, s, in)
	steps := []struct {
		op      persistence.SetPartStatus
		applied bool
		msg     persistence.Status
		final   bool
	}{
		{persistence.SetPartStatus{MessageID: id, Status: persistence.StatusQueued}, true, persistence.StatusQueued, false},
		{persistence.SetPartStatus{MessageID: id, Status: persistence.StatusQueued}, false, persistence.StatusQueued, false},
		{persistence.SetPartStatus{MessageID: id, Status: persistence.StatusAccepted}, false, persistence.StatusQueued, false},
		// Out of order: the DR's final status arrives before "submitted".
		{persistence.SetPartStatus{MessageID: id, Status: persistence.StatusUndeliverable, EventType: "dr_received", Error: "err:001"}, true, persistence.StatusUndeliverable, true},
		{persistence.SetPartStatus{MessageID: id, Status: persistence.StatusSubmitted}, false, persistence.StatusUndeliverable, false},
		{persistence.SetPartStatus{MessageID: id, Status: persistence.StatusFailed}, false, persistence.StatusUndeliverable, false},
		{persistence.SetPartStatus{MessageID: id, Status: persistence.StatusUndeliverable}, false, persistence.StatusUndeliverable, false},
	}
	for i, st := range steps {
		r := write(t, s, st.op)[0]
		if r.Applied != st.applied || r.MessageStatus != st.msg || r.BecameFinal != st.final {
			t.Errorf("step %d (%s): result = %+v, want applied=%v msg=%s final=%v", i, st.op.Status, r, st.applied, st.msg, st.final)
		}
	}
	v := view(t, s, "c1", id)
	want := []string{"0:mt_accepted:accepted", "0:mt_queued:queued", "0:dr_received:undeliverable"}
	if got := eventTypes(v); !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	if v.Parts[0].Error != "err:001" || v.Message.Status != persistence.StatusUndeliverable {
		t.Errorf("part = %+v, message status %s", v.Parts[0], v.Message.Status)
	}
	// A part of a message that does not exist is simply not applied.
	if r := write(t, s, persistence.SetPartStatus{MessageID: "nope", Status: persistence.StatusQueued})[0]; r.Applied || r.MessageStatus != "" {
		t.Errorf("unknown message: %+v", r)
	}
}

func testMatchDR(t *testing.T, s persistence.Store) {
	in := newMessage("c1", "", 1, "http://cb")
	id := in.Message.ID
	write(t, s, in)
	r := write(t, s, submit(id, 0, "00AB12"))[0]
	if !r.Applied || r.MessageStatus != persistence.StatusSubmitted || r.AppliedDR {
		t.Fatalf("submit = %+v", r)
	}
	// Candidates in canonical forms; one of them is the submit's id.
	r = write(t, s, dr(persistence.StatusDelivered, "43794", "ab12"))[0]
	if !r.Matched || !r.Applied || r.MessageID != id || r.Part != 0 || r.MessageStatus != persistence.StatusDelivered || !r.BecameFinal {
		t.Fatalf("dr = %+v", r)
	}
	r = write(t, s, dr(persistence.StatusDelivered, "ab12"))[0]
	if !r.Matched || r.Applied || r.BecameFinal || r.MessageStatus != persistence.StatusDelivered {
		t.Errorf("duplicate dr = %+v", r)
	}
	v := view(t, s, "c1", id)
	want := []string{"0:mt_accepted:accepted", "0:mt_submitted:submitted", "0:dr_received:delivered"}
	if got := eventTypes(v); !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	if p := v.Parts[0]; p.Operator != "op1" || p.OperatorID != "00AB12" || p.Error != "stat:delivered" {
		t.Errorf("part = %+v", p)
	}
	cbs, err := s.DueCallbacks(context.Background(), time.Now().Add(time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cbs) != 1 || cbs[0].ID != id+".final" || cbs[0].MessageID != id || cbs[0].URL != "http://cb" || cbs[0].CustomerID != "c1" {
		t.Fatalf("callbacks = %+v", cbs)
	}
	if len(cbs[0].View.Parts) != 1 || cbs[0].View.Message.Status != persistence.StatusDelivered {
		t.Errorf("callback view = %+v", cbs[0].View)
	}
	// Another operator's id space does not match.
	other := dr(persistence.StatusDelivered, "ab12")
	other.Operator = "op2"
	if r := write(t, s, other)[0]; r.Matched {
		t.Errorf("other operator matched: %+v", r)
	}
}

func testDRBeforeSubmitResp(t *testing.T, s persistence.Store) {
	in := newMessage("c1", "", 1, "")
	id := in.Message.ID
	write(t, s, in)
	r := write(t, s, dr(persistence.StatusDelivered, "ff01"))[0]
	if r.Matched || r.Applied || r.MessageID != "" {
		t.Fatalf("early dr = %+v", r)
	}
	// The same DR again stays buffered once.
	write(t, s, dr(persistence.StatusDelivered, "ff01"))
	// The submit_sm_resp carries the id in another spelling.
	r = write(t, s, submit(id, 0, " 00FF01"))[0]
	if !r.Applied || !r.AppliedDR || r.MessageStatus != persistence.StatusDelivered || !r.BecameFinal {
		t.Fatalf("submit after dr = %+v", r)
	}
	v := view(t, s, "c1", id)
	want := []string{"0:mt_accepted:accepted", "0:mt_submitted:submitted", "0:dr_received:delivered"}
	if got := eventTypes(v); !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	// The buffered DR is consumed: now it matches through the index and
	// is a no-op.
	r = write(t, s, dr(persistence.StatusDelivered, "ff01"))[0]
	if !r.Matched || r.Applied {
		t.Errorf("dr after match = %+v", r)
	}
	// A second message given the same id later finds no buffered DR.
	in2 := newMessage("c1", "", 1, "")
	write(t, s, in2)
	if r := write(t, s, submit(in2.Message.ID, 0, "ff01"))[0]; r.AppliedDR || r.MessageStatus != persistence.StatusSubmitted {
		t.Errorf("buffered DR applied twice: %+v", r)
	}
}

// testDRBufferedInSameWrite buffers a DR and records its operator id in
// one transaction, with pending_drs empty before it: the store must not
// decide from the empty table alone that nothing is buffered.
func testDRBufferedInSameWrite(t *testing.T, s persistence.Store) {
	in := newMessage("c1", "", 1, "http://cb")
	id := in.Message.ID
	write(t, s, in)
	res := write(t, s, dr(persistence.StatusDelivered, "ab12"), submit(id, 0, "AB12"))
	if res[0].Matched {
		t.Fatalf("dr before its id = %+v", res[0])
	}
	if r := res[1]; !r.Applied || !r.AppliedDR || r.MessageStatus != persistence.StatusDelivered || !r.BecameFinal {
		t.Fatalf("submit after dr in one write = %+v", r)
	}
	cbs, err := s.DueCallbacks(context.Background(), time.Now().Add(time.Minute), 10)
	if err != nil || len(cbs) != 1 || cbs[0].ID != id+".final" {
		t.Fatalf("callbacks = %+v, %v", cbs, err)
	}
	// Consumed: a later message given the same id finds nothing buffered.
	in2 := newMessage("c1", "", 1, "")
	write(t, s, in2)
	if r := write(t, s, submit(in2.Message.ID, 0, "ab12"))[0]; r.AppliedDR || r.MessageStatus != persistence.StatusSubmitted {
		t.Errorf("buffered DR applied twice: %+v", r)
	}
}

func testMultipart(t *testing.T, s persistence.Store) {
	cases := []struct {
		name   string
		finals []persistence.Status // per part, "" = only submitted
		want   persistence.Status
	}{
		{"all delivered", []persistence.Status{persistence.StatusDelivered, persistence.StatusDelivered, persistence.StatusDelivered}, persistence.StatusDelivered},
		{"one undeliverable", []persistence.Status{persistence.StatusDelivered, persistence.StatusUndeliverable, persistence.StatusDelivered}, persistence.StatusUndeliverable},
		{"worst wins", []persistence.Status{persistence.StatusExpired, persistence.StatusRejected, persistence.StatusDelivered}, persistence.StatusRejected},
		{"one still submitted", []persistence.Status{persistence.StatusDelivered, "", persistence.StatusFailed}, persistence.StatusSubmitted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := newMessage("c1", "", len(c.finals), "http://cb")
			id := in.Message.ID
			write(t, s, in)
			// Part 0 queued, the others untouched: the message is the lowest.
			if r := write(t, s, persistence.SetPartStatus{MessageID: id, Part: 0, Status: persistence.StatusQueued})[0]; r.MessageStatus != persistence.StatusAccepted {
				t.Errorf("one queued part: message %s, want accepted", r.MessageStatus)
			}
			for i := range c.finals {
				write(t, s, submit(id, i, fmt.Sprintf("%s-%d", id, i)))
			}
			finals := 0
			var last persistence.Result
			for i, st := range c.finals {
				if st == "" {
					continue
				}
				last = write(t, s, dr(st, persistence.CanonicalOperatorID(fmt.Sprintf("%s-%d", id, i))))[0]
				if last.BecameFinal {
					finals++
				}
			}
			if last.MessageStatus != c.want {
				t.Errorf("message status = %s, want %s", last.MessageStatus, c.want)
			}
			if want := map[bool]int{true: 1, false: 0}[c.want.Final()]; finals != want {
				t.Errorf("BecameFinal reported %d times, want %d", finals, want)
			}
			if got := view(t, s, "c1", id).Message.Status; got != c.want {
				t.Errorf("stored status = %s, want %s", got, c.want)
			}
		})
	}
}

func testCallbacks(t *testing.T, s persistence.Store) {
	ctx := context.Background()
	in := newMessage("c1", "", 1, "http://cb")
	id := in.Message.ID
	noCB := newMessage("c1", "", 1, "")
	write(t, s, in, noCB)
	for _, m := range []string{id, noCB.Message.ID} {
		write(t, s, persistence.SetPartStatus{MessageID: m, Status: persistence.StatusRejected, Error: "ESME_RINVDSTADR"})
	}
	cbs, err := s.DueCallbacks(ctx, time.Now().Add(time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cbs) != 1 || cbs[0].ID != id+".final" || cbs[0].Attempts != 0 {
		t.Fatalf("callbacks = %+v", cbs)
	}
	next := time.Now().Add(time.Hour)
	if r := write(t, s, persistence.CallbackRetry{ID: cbs[0].ID, NextAt: next, LastError: "503"})[0]; !r.Applied || r.MessageID != id {
		t.Errorf("retry = %+v", r)
	}
	if cbs, err = s.DueCallbacks(ctx, time.Now().Add(time.Minute), 10); err != nil || len(cbs) != 0 {
		t.Fatalf("after retry due = %+v, %v", cbs, err)
	}
	cbs, err = s.DueCallbacks(ctx, next, 10)
	if err != nil || len(cbs) != 1 || cbs[0].Attempts != 1 || !cbs[0].NextAt.Equal(next) {
		t.Fatalf("at next attempt due = %+v, %v", cbs, err)
	}
	if r := write(t, s, persistence.CallbackDone{ID: cbs[0].ID})[0]; !r.Applied {
		t.Errorf("done = %+v", r)
	}
	if r := write(t, s, persistence.CallbackDone{ID: cbs[0].ID})[0]; r.Applied {
		t.Errorf("second done = %+v", r)
	}
	// A replayed final transition does not queue the callback again.
	write(t, s, persistence.SetPartStatus{MessageID: id, Status: persistence.StatusRejected})
	if cbs, err = s.DueCallbacks(ctx, next.Add(time.Hour), 10); err != nil || len(cbs) != 0 {
		t.Fatalf("after done due = %+v, %v", cbs, err)
	}
}

func testUnfinished(t *testing.T, s persistence.Store) {
	ctx := context.Background()
	var open []string
	for i := range 5 {
		in := newMessage("c1", "", 2, "")
		write(t, s, in)
		switch i {
		case 1: // one part submitted, one queued: still unfinished
			write(t, s, submit(in.Message.ID, 0, in.Message.ID), persistence.SetPartStatus{MessageID: in.Message.ID, Part: 1, Status: persistence.StatusQueued})
			open = append(open, in.Message.ID)
		case 3: // both submitted
			write(t, s, submit(in.Message.ID, 0, in.Message.ID+"a"), submit(in.Message.ID, 1, in.Message.ID+"b"))
		case 4: // unknown counts as on the wire, not unfinished
			write(t, s, persistence.SetPartStatus{MessageID: in.Message.ID, Part: 0, Status: persistence.StatusUnknown},
				persistence.SetPartStatus{MessageID: in.Message.ID, Part: 1, Status: persistence.StatusFailed})
		default:
			open = append(open, in.Message.ID)
		}
	}
	var got []string
	after := ""
	for {
		page, err := s.Unfinished(ctx, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, v := range page {
			if len(v.Parts) != 2 {
				t.Errorf("%s: %d parts", v.Message.ID, len(v.Parts))
			}
			got = append(got, v.Message.ID)
		}
		after = page[len(page)-1].Message.ID
	}
	slices.Sort(open)
	if !slices.Equal(got, open) {
		t.Errorf("unfinished = %v, want %v", got, open)
	}
}

func testPrune(t *testing.T, s persistence.Store) {
	ctx := context.Background()
	var finished []string
	for range 3 {
		in := newMessage("c1", "", 2, "")
		write(t, s, in)
		write(t, s, submit(in.Message.ID, 0, in.Message.ID+"x"), persistence.SetPartStatus{MessageID: in.Message.ID, Part: 1, Status: persistence.StatusFailed})
		write(t, s, dr(persistence.StatusDelivered, persistence.CanonicalOperatorID(in.Message.ID+"x")))
		finished = append(finished, in.Message.ID)
	}
	open := newMessage("c1", "", 1, "")
	owed := newMessage("c1", "", 1, "http://cb") // final, callback not yet delivered
	write(t, s, open, owed)
	write(t, s, persistence.SetPartStatus{MessageID: owed.Message.ID, Status: persistence.StatusRejected})
	write(t, s, dr(persistence.StatusDelivered, "never-matched"))

	if n, err := s.Prune(ctx, time.Now().Add(-time.Hour), 10); err != nil || n != 0 {
		t.Fatalf("prune before anything is old = %d, %v", n, err)
	}
	cutoff := time.Now().Add(time.Hour)
	if n, err := s.Prune(ctx, cutoff, 2); err != nil || n != 2 {
		t.Fatalf("bounded prune = %d, %v", n, err)
	}
	if n, err := s.Prune(ctx, cutoff, 10); err != nil || n != 1 {
		t.Fatalf("second prune = %d, %v", n, err)
	}
	for _, id := range finished {
		if _, err := s.Message(ctx, "c1", id); !errors.Is(err, persistence.ErrNotFound) {
			t.Errorf("%s not pruned: %v", id, err)
		}
	}
	view(t, s, "c1", open.Message.ID)
	view(t, s, "c1", owed.Message.ID)
	// The pruned message's operator ids are gone from the index: the DR now
	// gets buffered instead of matching.
	if r := write(t, s, dr(persistence.StatusDelivered, persistence.CanonicalOperatorID(finished[0]+"x")))[0]; r.Matched {
		t.Errorf("index row survived prune: %+v", r)
	}
	write(t, s, persistence.CallbackDone{ID: owed.Message.ID + ".final"})
	if n, err := s.Prune(ctx, cutoff, 10); err != nil || n != 1 {
		t.Fatalf("prune after callback done = %d, %v", n, err)
	}
}

func testAtomicWrite(t *testing.T, s persistence.Store) {
	// Ops in one Write see each other in order.
	in := newMessage("c1", "", 1, "")
	id := in.Message.ID
	res := write(t, s, in, submit(id, 0, "77"), dr(persistence.StatusExpired, "77"))
	if !res[1].Applied || !res[2].Matched || !res[2].BecameFinal || res[2].MessageStatus != persistence.StatusExpired {
		t.Errorf("results = %+v", res)
	}
}

func testConcurrent(t *testing.T, s persistence.Store) {
	const writers, each = 50, 4
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	type written struct{ customer, id string }
	ids := make(chan written, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				in := newMessage(fmt.Sprintf("c%d", w), fmt.Sprintf("k%d", i), 1, "")
				res, err := s.Write(ctx, in, submit(in.Message.ID, 0, in.Message.ID))
				if err != nil {
					errs <- err
					return
				}
				if len(res) != 2 || res[0].Duplicate || !res[1].Applied {
					errs <- fmt.Errorf("writer %d: %+v", w, res)
					return
				}
				ids <- written{in.Message.CustomerID, in.Message.ID}
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(ids)
	for err := range errs {
		t.Error(err)
	}
	n := 0
	for w := range ids {
		n++
		if v := view(t, s, w.customer, w.id); v.Message.Status != persistence.StatusSubmitted {
			t.Errorf("%s: status %s", w.id, v.Message.Status)
		}
	}
	if n != writers*each {
		t.Errorf("%d writes answered, want %d", n, writers*each)
	}
}

func testInvalidOp(t *testing.T, s persistence.Store) {
	bad := []persistence.Op{
		persistence.InsertMessage{Message: persistence.Message{ID: "x", CustomerID: "c", Status: persistence.StatusSubmitted}, Parts: []persistence.Part{{}}},
		persistence.InsertMessage{Message: persistence.Message{ID: "x", CustomerID: "c", Status: persistence.StatusAccepted}},
		persistence.SetPartStatus{MessageID: "x", Status: "bogus"},
		persistence.SetPartStatus{MessageID: "x", Status: persistence.StatusSubmitted, OperatorID: "1"},
		persistence.MatchDR{Operator: "op1", Status: persistence.StatusDelivered},
		persistence.CallbackDone{},
	}
	for _, op := range bad {
		if _, err := s.Write(context.Background(), op); err == nil {
			t.Errorf("%+v accepted", op)
		}
	}
}

func testCanceled(t *testing.T, s persistence.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := newMessage("c1", "", 1, "")
	if _, err := s.Write(ctx, in); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

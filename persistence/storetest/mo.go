package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"smsgw/persistence"
)

// moTests are the contract of MOs, their reassembly and the SMPP deliveries.
var moTests = []struct {
	name string
	fn   func(t *testing.T, s persistence.Store)
}{
	{"MODedup", testMODedup},
	{"MOHTTPCallback", testMOHTTPCallback},
	{"MOPartsReassembly", testMOParts},
	{"ExpiredMOParts", testExpiredMOParts},
	{"Deliveries", testDeliveries},
	{"DRDeliveryOverSMPP", testDRDelivery},
	{"PruneMOsAndDeliveries", testPruneMO},
	{"InvalidMOOps", testInvalidMOOps},
}

func newMO(customer, channel, dedup string) persistence.MO {
	m := persistence.MO{
		ID: ulid.Make().String(), Operator: "op1", From: "+41791234567", To: "1234", DataCoding: 0,
		Payload: []byte("STOP now"), Text: "STOP now", CustomerID: customer, Channel: channel, DedupKey: dedup, ReceivedAt: t0,
	}
	if channel == persistence.ChannelHTTP {
		m.URL = "http://mo"
	}
	return m
}

func pending(t *testing.T, s persistence.Store, customer string, now time.Time) []persistence.Delivery {
	t.Helper()
	ds, err := s.PendingDeliveries(context.Background(), customer, now, 100)
	if err != nil {
		t.Fatalf("pending deliveries: %v", err)
	}
	return ds
}

func deliveryIDs(ds []persistence.Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

func testMODedup(t *testing.T, s persistence.Store) {
	first := newMO("c1", persistence.ChannelSMPP, "k1")
	r := write(t, s, persistence.InsertMO{MO: first, DeliveryTTL: time.Hour})[0]
	if r.Duplicate || r.MOID != first.ID {
		t.Fatalf("insert = %+v", r)
	}
	ds := pending(t, s, "c1", t0)
	if len(ds) != 1 {
		t.Fatalf("deliveries = %+v", ds)
	}
	d := ds[0]
	if d.ID != first.ID+".mo.smpp" || d.Kind != persistence.KindMO || d.MOID != first.ID || d.MessageID != "" || d.CustomerID != "c1" ||
		d.From != first.From || d.To != first.To || !slices.Equal(d.Payload, first.Payload) || d.Attempts != 0 ||
		!d.ExpiresAt.Equal(t0.Add(time.Hour)) || d.Seq == "" {
		t.Errorf("delivery = %+v", d)
	}
	// The operator retransmits: another id, same key.
	again := newMO("c1", persistence.ChannelSMPP, "k1")
	if r := write(t, s, persistence.InsertMO{MO: again})[0]; !r.Duplicate || r.MOID != first.ID {
		t.Errorf("duplicate = %+v", r)
	}
	// A retried write of the same MO is not a duplicate and adds nothing.
	if r := write(t, s, persistence.InsertMO{MO: first})[0]; r.Duplicate || r.MOID != first.ID {
		t.Errorf("replay = %+v", r)
	}
	if ds := pending(t, s, "c1", t0); len(ds) != 1 {
		t.Errorf("deliveries after duplicate and replay = %v", deliveryIDs(ds))
	}
	// The delivery expires with its TTL.
	if ds := pending(t, s, "c1", t0.Add(time.Hour)); len(ds) != 0 {
		t.Errorf("expired delivery listed: %v", deliveryIDs(ds))
	}
	// No key: no dedup. Unrouted: stored, nothing queued.
	for range 2 {
		if r := write(t, s, persistence.InsertMO{MO: newMO("c2", persistence.ChannelSMPP, "")})[0]; r.Duplicate {
			t.Errorf("keyless mo duplicate: %+v", r)
		}
	}
	if ds := pending(t, s, "c2", t0); len(ds) != 2 {
		t.Errorf("keyless deliveries = %v", deliveryIDs(ds))
	}
	if r := write(t, s, persistence.InsertMO{MO: newMO("", "", "k-unrouted")})[0]; r.Duplicate {
		t.Errorf("unrouted = %+v", r)
	}
	// Two of one key in one Write: the second is the duplicate.
	a, b := newMO("c3", persistence.ChannelSMPP, "k3"), newMO("c3", persistence.ChannelSMPP, "k3")
	res := write(t, s, persistence.InsertMO{MO: a}, persistence.InsertMO{MO: b})
	if res[0].Duplicate || !res[1].Duplicate || res[1].MOID != a.ID {
		t.Errorf("same-batch duplicate = %+v", res)
	}
	if ds := pending(t, s, "c3", t0); !slices.Equal(deliveryIDs(ds), []string{a.ID + ".mo.smpp"}) {
		t.Errorf("same-batch deliveries = %v", deliveryIDs(ds))
	}
}

func testMOHTTPCallback(t *testing.T, s persistence.Store) {
	ctx := context.Background()
	mo := newMO("c1", persistence.ChannelHTTP, "k1")
	write(t, s, persistence.InsertMO{MO: mo})
	write(t, s, persistence.InsertMO{MO: newMO("c1", persistence.ChannelHTTP, "k1")}) // duplicate: no second callback
	in := newMessage("c1", "", 1, "http://cb")
	write(t, s, in, persistence.SetPartStatus{MessageID: in.Message.ID, Status: persistence.StatusRejected})
	if ds := pending(t, s, "c1", t0); len(ds) != 0 {
		t.Errorf("http mo queued an smpp delivery: %v", deliveryIDs(ds))
	}
	cbs, err := s.DueCallbacks(ctx, time.Now().Add(time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string]persistence.Callback{}
	for _, cb := range cbs {
		byKind[cb.Kind] = cb
	}
	if len(cbs) != 2 {
		t.Fatalf("callbacks = %+v", cbs)
	}
	m := byKind[persistence.KindMO]
	if m.ID != mo.ID+".mo" || m.MessageID != mo.ID || m.URL != "http://mo" || m.CustomerID != "c1" || m.MO == nil ||
		m.MO.Text != mo.Text || !slices.Equal(m.MO.Payload, mo.Payload) || m.MO.From != mo.From || m.MO.Operator != "op1" || !m.MO.ReceivedAt.Equal(t0) {
		t.Errorf("mo callback = %+v", m)
	}
	if d := byKind[persistence.KindDR]; d.ID != in.Message.ID+".final" || d.MO != nil || d.View.Message.ID != in.Message.ID {
		t.Errorf("dr callback = %+v", d)
	}
	if cbs, err := s.DueCallbacks(ctx, time.Now().Add(time.Minute), 1); err != nil || len(cbs) != 1 {
		t.Errorf("limit 1: %d callbacks, %v", len(cbs), err)
	}
	if r := write(t, s, persistence.CallbackRetry{ID: m.ID, NextAt: time.Now().Add(time.Hour), LastError: "503"})[0]; !r.Applied {
		t.Errorf("retry = %+v", r)
	}
	if r := write(t, s, persistence.CallbackDone{ID: m.ID})[0]; !r.Applied {
		t.Errorf("done = %+v", r)
	}
	cbs, err = s.DueCallbacks(ctx, time.Now().Add(2*time.Hour), 10)
	if err != nil || len(cbs) != 1 || cbs[0].Kind != persistence.KindDR {
		t.Errorf("after mo done: %+v, %v", cbs, err)
	}
}

func part(ref uint16, total, seq uint8, dedup string) persistence.InsertMOPart {
	return persistence.InsertMOPart{Part: persistence.MOPart{
		MOPartKey: persistence.MOPartKey{Operator: "op1", From: "+41791234567", To: "1234", Ref: ref, Total: total},
		Seq:       seq, DataCoding: 8, Payload: []byte{0, byte('a' + seq)}, DedupKey: dedup, ReceivedAt: t0.Add(time.Duration(seq) * time.Second),
	}}
}

func testMOParts(t *testing.T, s persistence.Store) {
	steps := []struct {
		op        persistence.InsertMOPart
		duplicate bool
		stored    int
	}{
		{part(7, 3, 2, "p2"), false, 1},
		{part(7, 3, 2, "p2-other-key"), true, 1}, // same seq
		{part(7, 3, 3, "p2"), true, 1},           // same key
		{part(7, 2, 1, "q1"), false, 1},          // the ref reused with another total is another set
		{part(7, 3, 3, "p3"), false, 2},
		{part(7, 3, 1, "p1"), false, 3},
		{part(7, 3, 1, "p1"), true, 3}, // a duplicate of a complete set returns it again
	}
	var set *persistence.MOPartSet
	for i, st := range steps {
		r := write(t, s, st.op)[0]
		if r.Duplicate != st.duplicate || r.PartsStored != st.stored || (r.PartSet != nil) != (st.stored == int(st.op.Part.Total)) {
			t.Fatalf("step %d: result = %+v", i, r)
		}
		if r.PartSet != nil {
			set = r.PartSet
		}
	}
	key := part(7, 3, 1, "").Part.MOPartKey
	if set.Key != key || len(set.Parts) != 3 {
		t.Fatalf("set = %+v", set)
	}
	for i, p := range set.Parts {
		want := part(7, 3, uint8(i+1), fmt.Sprintf("p%d", i+1)).Part
		if p.Seq != want.Seq || !slices.Equal(p.Payload, want.Payload) || p.DataCoding != 8 || p.DedupKey != want.DedupKey ||
			!p.ReceivedAt.Equal(want.ReceivedAt) || p.MOPartKey != key {
			t.Errorf("part %d = %+v, want %+v", i, p, want)
		}
	}
	// The assembled MO and the deletion commit together.
	mo := newMO("c1", persistence.ChannelSMPP, "assembled")
	res := write(t, s, persistence.InsertMO{MO: mo}, persistence.DeleteMOParts{Key: key})
	if res[0].Duplicate || !res[1].Applied {
		t.Fatalf("assemble = %+v", res)
	}
	if r := write(t, s, persistence.DeleteMOParts{Key: key})[0]; r.Applied {
		t.Errorf("second delete = %+v", r)
	}
	// A late retransmission of an assembled part is still a duplicate...
	if r := write(t, s, part(7, 3, 2, "p2"))[0]; !r.Duplicate || r.PartsStored != 0 || r.PartSet != nil {
		t.Errorf("late part = %+v", r)
	}
	// ...while a new message reusing the ref (new keys) starts a new set.
	if r := write(t, s, part(7, 3, 2, "new-p2"))[0]; r.Duplicate || r.PartsStored != 1 {
		t.Errorf("reused ref = %+v", r)
	}
	// Parts without a DedupKey dedupe on their position alone.
	write(t, s, part(9, 2, 1, ""))
	if r := write(t, s, part(9, 2, 1, ""))[0]; !r.Duplicate || r.PartsStored != 1 {
		t.Errorf("keyless duplicate = %+v", r)
	}
	if r := write(t, s, part(9, 2, 2, ""))[0]; r.Duplicate || r.PartSet == nil || len(r.PartSet.Parts) != 2 {
		t.Errorf("keyless completion = %+v", r)
	}
}

func testExpiredMOParts(t *testing.T, s persistence.Store) {
	ctx := context.Background()
	// Set 1: parts at t0+1s and t0+3s; set 2: at t0+2s; set 3: at t0+10s.
	write(t, s, part(1, 3, 1, "a1"), part(1, 3, 3, "a3"), part(2, 2, 2, "b2"))
	late := part(3, 2, 1, "c1")
	late.Part.ReceivedAt = t0.Add(10 * time.Second)
	write(t, s, late)
	sets, err := s.ExpiredMOParts(ctx, t0.Add(5*time.Second), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) != 2 || sets[0].Key.Ref != 1 || sets[1].Key.Ref != 2 {
		t.Fatalf("expired sets = %+v", sets)
	}
	if got := []uint8{sets[0].Parts[0].Seq, sets[0].Parts[1].Seq}; len(sets[0].Parts) != 2 || !slices.Equal(got, []uint8{1, 3}) {
		t.Errorf("set 1 parts = %+v", sets[0].Parts)
	}
	// The limit counts sets, never splitting one.
	sets, err = s.ExpiredMOParts(ctx, t0.Add(5*time.Second), 1)
	if err != nil || len(sets) != 1 || len(sets[0].Parts) != 2 {
		t.Fatalf("limited = %+v, %v", sets, err)
	}
	write(t, s, persistence.DeleteMOParts{Key: sets[0].Key})
	sets, err = s.ExpiredMOParts(ctx, t0.Add(5*time.Second), 10)
	if err != nil || len(sets) != 1 || sets[0].Key.Ref != 2 {
		t.Errorf("after delete = %+v, %v", sets, err)
	}
}

func testDeliveries(t *testing.T, s persistence.Store) {
	ctx := context.Background()
	mk := func(id, customer, seq string) persistence.Delivery {
		return persistence.Delivery{ID: id, CustomerID: customer, Kind: persistence.KindDR, MessageID: "m-" + id, Seq: seq,
			CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), From: "ACME", To: "+4179", Status: persistence.StatusDelivered,
			Error: "stat:DELIVRD err:000", SubmittedAt: t0.Add(-time.Minute), DoneAt: t0}
	}
	res := write(t, s,
		persistence.EnqueueDelivery{Delivery: mk("d3", "c1", "03")},
		persistence.EnqueueDelivery{Delivery: mk("d1", "c1", "01")},
		persistence.EnqueueDelivery{Delivery: mk("d2", "c1", "02")},
		persistence.EnqueueDelivery{Delivery: mk("x1", "c2", "00")},
		persistence.EnqueueDelivery{Delivery: mk("d1", "c1", "09")}, // same id: nothing written
	)
	for i, r := range res {
		if r.Applied != (i < 4) {
			t.Errorf("enqueue %d = %+v", i, r)
		}
	}
	ds := pending(t, s, "c1", t0)
	if !slices.Equal(deliveryIDs(ds), []string{"d1", "d2", "d3"}) {
		t.Fatalf("pending = %v", deliveryIDs(ds))
	}
	want := mk("d1", "c1", "01")
	if d := ds[0]; d.MessageID != "m-d1" || d.Status != want.Status || d.Error != want.Error || !d.SubmittedAt.Equal(want.SubmittedAt) ||
		!d.DoneAt.Equal(t0) || !d.CreatedAt.Equal(t0) || !d.NextAt.Equal(t0) || d.From != "ACME" || d.To != "+4179" {
		t.Errorf("delivery = %+v", d)
	}
	if r := write(t, s, persistence.DeliveryRetry{ID: "d1", NextAt: t0.Add(time.Minute), LastError: "no receiver"})[0]; !r.Applied {
		t.Errorf("retry = %+v", r)
	}
	// A delivery waiting for its retry keeps its place in the order.
	ds = pending(t, s, "c1", t0)
	if !slices.Equal(deliveryIDs(ds), []string{"d1", "d2", "d3"}) || ds[0].Attempts != 1 || !ds[0].NextAt.Equal(t0.Add(time.Minute)) || ds[0].LastError != "no receiver" {
		t.Fatalf("after retry = %+v", ds)
	}
	if r := write(t, s, persistence.DeliveryDone{ID: "d1"})[0]; !r.Applied {
		t.Errorf("done = %+v", r)
	}
	for _, op := range []persistence.Op{persistence.DeliveryDone{ID: "d1"}, persistence.DeliveryRetry{ID: "d1", NextAt: t0}, persistence.DeliveryDone{ID: "nope"}} {
		if r := write(t, s, op)[0]; r.Applied {
			t.Errorf("%+v on a finished delivery = %+v", op, r)
		}
	}
	if ds := pending(t, s, "c1", t0); !slices.Equal(deliveryIDs(ds), []string{"d2", "d3"}) {
		t.Errorf("after done = %v", deliveryIDs(ds))
	}
	// Defaults: a store-assigned seq orders after the older ones; the TTL
	// defaults to DefaultDeliveryTTL.
	write(t, s, persistence.EnqueueDelivery{Delivery: persistence.Delivery{ID: "auto", CustomerID: "c3", Kind: persistence.KindMO, MOID: "mo1", CreatedAt: t0}})
	if ds := pending(t, s, "c3", t0); len(ds) != 1 || ds[0].MOID != "mo1" || !ds[0].ExpiresAt.Equal(t0.Add(persistence.DefaultDeliveryTTL)) || ds[0].Seq == "" {
		t.Errorf("defaults = %+v", ds)
	}

	expired, err := s.ExpireDeliveries(ctx, t0.Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := deliveryIDs(expired); !slices.Equal(got, []string{"d2", "d3", "x1"}) {
		t.Errorf("expired = %v", got)
	}
	if expired, err := s.ExpireDeliveries(ctx, t0.Add(time.Hour), 10); err != nil || len(expired) != 0 {
		t.Errorf("expired again = %v, %v", deliveryIDs(expired), err)
	}
	// Expired is final: listing at an earlier clock does not bring them back.
	if ds := pending(t, s, "c1", t0); len(ds) != 0 {
		t.Errorf("pending after expiry = %v", deliveryIDs(ds))
	}
	if r := write(t, s, persistence.DeliveryDone{ID: "d2"})[0]; r.Applied {
		t.Errorf("done after expiry = %+v", r)
	}
}

func testDRDelivery(t *testing.T, s persistence.Store) {
	smpp := newMessage("c1", "smpp:ref-1", 2, "")
	smpp.Message.Channel, smpp.Message.DeliveryTTL = persistence.ChannelSMPP, time.Hour
	both := newMessage("c1", "", 1, "http://cb")
	both.Message.Channel = persistence.ChannelSMPP
	plain := newMessage("c1", "", 1, "http://cb")
	write(t, s, smpp, both, plain)
	v := view(t, s, "c1", smpp.Message.ID)
	if v.Message.Channel != persistence.ChannelSMPP || v.Message.DeliveryTTL != time.Hour {
		t.Errorf("smpp message = %+v", v.Message)
	}
	if m := view(t, s, "c1", plain.Message.ID).Message; m.Channel != persistence.ChannelHTTP {
		t.Errorf("plain message channel = %q", m.Channel)
	}
	if m := view(t, s, "c1", both.Message.ID).Message; m.DeliveryTTL != persistence.DefaultDeliveryTTL {
		t.Errorf("default ttl = %v", m.DeliveryTTL)
	}
	id := smpp.Message.ID
	write(t, s, submit(id, 0, id+"a"), submit(id, 1, id+"b"))
	write(t, s, dr(persistence.StatusDelivered, persistence.CanonicalOperatorID(id+"a")))
	if ds := pending(t, s, "c1", time.Now()); len(ds) != 0 {
		t.Fatalf("delivery before final: %v", deliveryIDs(ds))
	}
	before := time.Now()
	undeliv := dr(persistence.StatusUndeliverable, persistence.CanonicalOperatorID(id+"b"))
	undeliv.Error = "stat:UNDELIV err:001"
	if r := write(t, s, undeliv)[0]; !r.BecameFinal {
		t.Fatalf("final dr = %+v", r)
	}
	// Replays of final transitions queue nothing more.
	write(t, s, undeliv, persistence.SetPartStatus{MessageID: id, Part: 0, Status: persistence.StatusDelivered})
	for _, m := range []string{both.Message.ID, plain.Message.ID} {
		write(t, s, persistence.SetPartStatus{MessageID: m, Status: persistence.StatusRejected, Error: "ESME_RINVDSTADR"})
	}
	ds := pending(t, s, "c1", time.Now())
	if got, want := deliveryIDs(ds), []string{id + ".dr.smpp", both.Message.ID + ".dr.smpp"}; !slices.Equal(got, want) {
		t.Fatalf("dr deliveries = %v, want %v (in final order)", got, want)
	}
	d := ds[0]
	if d.Kind != persistence.KindDR || d.MessageID != id || d.CustomerID != "c1" || d.Status != persistence.StatusUndeliverable ||
		d.Error != "stat:UNDELIV err:001" || d.From != "ACME" || d.To != "+41790000000" || !d.SubmittedAt.Equal(t0) ||
		d.DoneAt.Before(before) || d.CreatedAt.Before(before) || d.ExpiresAt.Sub(d.CreatedAt) != time.Hour {
		t.Errorf("dr delivery = %+v", d)
	}
	if d := ds[1]; d.Status != persistence.StatusRejected || d.Error != "ESME_RINVDSTADR" {
		t.Errorf("rejected dr delivery = %+v", d)
	}
	// The smpp message with a callback URL also gets its HTTP callback.
	cbs, err := s.DueCallbacks(context.Background(), time.Now().Add(time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	var cbIDs []string
	for _, cb := range cbs {
		cbIDs = append(cbIDs, cb.ID)
	}
	slices.Sort(cbIDs)
	want := []string{both.Message.ID + ".final", plain.Message.ID + ".final"}
	slices.Sort(want)
	if !slices.Equal(cbIDs, want) {
		t.Errorf("callbacks = %v, want %v", cbIDs, want)
	}
	// SMPP submit dedup rides on the idempotency key.
	dup := newMessage("c1", "smpp:ref-1", 1, "")
	if r := write(t, s, dup)[0]; !r.Duplicate || r.MessageID != id {
		t.Errorf("smpp resubmit = %+v", r)
	}
}

func testPruneMO(t *testing.T, s persistence.Store) {
	ctx := context.Background()
	now := time.Now()
	owedSMPP := newMO("c1", persistence.ChannelSMPP, "k1")
	owedHTTP := newMO("c1", persistence.ChannelHTTP, "k2")
	unrouted := newMO("", "", "k3")
	for _, m := range []*persistence.MO{&owedSMPP, &owedHTTP, &unrouted} {
		m.ReceivedAt = now
	}
	write(t, s, persistence.InsertMO{MO: owedSMPP}, persistence.InsertMO{MO: owedHTTP}, persistence.InsertMO{MO: unrouted},
		part(5, 2, 1, "p1"))
	msg := newMessage("c1", "", 1, "")
	msg.Message.Channel = persistence.ChannelSMPP
	write(t, s, msg, persistence.SetPartStatus{MessageID: msg.Message.ID, Status: persistence.StatusRejected})
	write(t, s, persistence.EnqueueDelivery{Delivery: persistence.Delivery{ID: "orphan", CustomerID: "c9", Kind: persistence.KindMO, MOID: "gone", CreatedAt: t0}})
	write(t, s, persistence.DeliveryDone{ID: "orphan"})

	// The cutoff lies past the MOs and parts but before the TTL of the
	// deliveries still owed.
	cutoff := now.Add(time.Hour)
	n, err := s.Prune(ctx, cutoff, 10)
	if err != nil || n != 1 {
		t.Fatalf("prune = %d, %v (want only the unrouted MO)", n, err)
	}
	if sets, err := s.ExpiredMOParts(ctx, cutoff, 10); err != nil || len(sets) != 0 {
		t.Errorf("old parts survived: %+v, %v", sets, err)
	}
	// An orphan finished delivery went; the owed ones stay.
	if ds := pending(t, s, "c1", now); len(ds) != 2 {
		t.Errorf("pending = %v", deliveryIDs(ds))
	}
	if r := write(t, s, persistence.EnqueueDelivery{Delivery: persistence.Delivery{ID: "orphan", CustomerID: "c9", Kind: persistence.KindMO, MOID: "gone", CreatedAt: t0}})[0]; !r.Applied {
		t.Errorf("orphan delivery not pruned")
	}
	// The MO dedup survives while the MO is owed.
	if r := write(t, s, persistence.InsertMO{MO: newMO("c1", persistence.ChannelSMPP, "k1")})[0]; !r.Duplicate {
		t.Errorf("owed mo pruned: %+v", r)
	}
	write(t, s, persistence.DeliveryDone{ID: owedSMPP.ID + ".mo.smpp"}, persistence.CallbackDone{ID: owedHTTP.ID + ".mo"},
		persistence.DeliveryDone{ID: msg.Message.ID + ".dr.smpp"})
	if n, err := s.Prune(ctx, cutoff, 10); err != nil || n != 3 {
		t.Fatalf("prune after done = %d, %v (want 2 MOs and 1 message)", n, err)
	}
	if _, err := s.Message(ctx, "c1", msg.Message.ID); !errors.Is(err, persistence.ErrNotFound) {
		t.Errorf("message not pruned: %v", err)
	}
	if r := write(t, s, persistence.InsertMO{MO: newMO("c1", persistence.ChannelSMPP, "k1")})[0]; r.Duplicate {
		t.Errorf("pruned mo still dedupes: %+v", r)
	}
	// An owed delivery past its TTL no longer holds its MO.
	held := newMO("c1", persistence.ChannelSMPP, "k4")
	write(t, s, persistence.InsertMO{MO: held, DeliveryTTL: time.Minute})
	if n, err := s.Prune(ctx, t0.Add(time.Hour), 10); err != nil || n != 1 {
		t.Errorf("prune of expired-owed mo = %d, %v", n, err)
	}
}

func testInvalidMOOps(t *testing.T, s persistence.Store) {
	ok := newMO("c1", persistence.ChannelSMPP, "")
	withChannel := func(ch, customer, url string) persistence.MO {
		m := ok
		m.Channel, m.CustomerID, m.URL = ch, customer, url
		return m
	}
	noID := ok
	noID.ID = ""
	bad := []persistence.Op{
		persistence.InsertMO{MO: noID},
		persistence.InsertMO{MO: withChannel("fax", "c1", "")},
		persistence.InsertMO{MO: withChannel("", "c1", "")},
		persistence.InsertMO{MO: withChannel(persistence.ChannelSMPP, "", "")},
		persistence.InsertMO{MO: withChannel(persistence.ChannelHTTP, "c1", "")},
		persistence.InsertMO{MO: ok, DeliveryTTL: -1},
		part(1, 2, 3, ""),
		part(1, 2, 0, ""),
		part(1, 0, 0, ""),
		persistence.DeleteMOParts{},
		persistence.EnqueueDelivery{Delivery: persistence.Delivery{ID: "d", CustomerID: "c", Kind: "sms"}},
		persistence.EnqueueDelivery{Delivery: persistence.Delivery{ID: "d", CustomerID: "c", Kind: persistence.KindDR}},
		persistence.EnqueueDelivery{Delivery: persistence.Delivery{ID: "d", CustomerID: "c", Kind: persistence.KindMO}},
		persistence.DeliveryDone{},
		persistence.DeliveryRetry{},
		persistence.InsertMessage{Message: persistence.Message{ID: "x", CustomerID: "c", Status: persistence.StatusAccepted, Channel: "fax"}, Parts: []persistence.Part{{}}},
	}
	for _, op := range bad {
		if _, err := s.Write(context.Background(), persistence.InsertMO{MO: newMO("c1", persistence.ChannelSMPP, "")}, op); err == nil {
			t.Errorf("%+v accepted", op)
		}
	}
	// Nothing of a rejected Write was stored.
	if ds := pending(t, s, "c1", t0); len(ds) != 0 {
		t.Errorf("rejected writes stored deliveries: %v", deliveryIDs(ds))
	}
}

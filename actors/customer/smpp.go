package customer

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"smsgw/persistence"
	"smsgw/transports/receipt"
	"smsgw/transports/smpp/server"
)

// BindSession asks to admit an SMPP session of this customer; the answer
// is *BindAnswer. Receiver and transceiver sessions get the customer's held
// DRs and MOs.
type BindSession struct {
	Session  *server.Session
	MaxBinds int
}

// BindAnswer is StatusOK or server.StatusAlreadyBound (too many binds).
type BindAnswer struct{ Status uint32 }

// UnbindSession forgets a closed session.
type UnbindSession struct{ Session *server.Session }

type deliveryTick struct{}

type deliveryRound struct{ sent int }

// IDFormat writes our message id the way the customer's SMPP account wants
// it (hex or decimal); set by the gateway.
type IDFormat func(id string) string

func (c *customerActor) bindSession(ctx actor.Context, m *BindSession) {
	if len(c.sessions) >= m.MaxBinds {
		ctx.Respond(&BindAnswer{Status: server.StatusAlreadyBound})
		return
	}
	c.sessions[m.Session.ID()] = m.Session
	ctx.Respond(&BindAnswer{Status: server.StatusOK})
	c.deliver(ctx)
}

func (c *customerActor) unbindSession(m *UnbindSession) {
	delete(c.sessions, m.Session.ID())
}

func (c *customerActor) receivers() []*server.Session {
	var out []*server.Session
	for _, s := range c.sessions {
		if md := s.Mode(); md == server.Receiver || md == server.Transceiver {
			out = append(out, s)
		}
	}
	return out
}

// deliver runs one round of held deliveries (DRs and MOs in order) over the
// receiver sessions, off the mailbox. While receivers are bound, rounds
// follow each other; with nothing pending the next round waits a little.
func (c *customerActor) deliver(ctx actor.Context) {
	rx := c.receivers()
	if c.delivering || len(rx) == 0 {
		return
	}
	c.delivering = true
	self, root, store, id, log, format := ctx.Self(), ctx.ActorSystem().Root, c.deps.Store, c.cfg.ID, c.deps.Log, c.cfg.FormatID
	go func() {
		bctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		list, err := store.PendingDeliveries(bctx, id, time.Now(), 500)
		if err != nil {
			log.Error().Err(err).Str("customer", id).Msg("read held deliveries")
			root.Send(self, &deliveryRound{})
			return
		}
		var wg sync.WaitGroup
		// MOs go one after another, in order, and stop at a failure so
		// none overtakes it; DRs are independent and share the windows.
		var mos []persistence.Delivery
		sem := make(chan struct{}, 16*len(rx))
		for i, d := range list {
			if d.Kind == persistence.KindMO {
				mos = append(mos, d)
				continue
			}
			sess := rx[i%len(rx)]
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				sendOne(bctx, store, sess, d, format)
			}()
		}
		for i, d := range mos {
			if !sendOne(bctx, store, rx[i%len(rx)], d, format) {
				break
			}
		}
		wg.Wait()
		root.Send(self, &deliveryRound{sent: len(list)})
	}()
}

func (c *customerActor) roundDone(ctx actor.Context, m *deliveryRound) {
	c.delivering = false
	if len(c.receivers()) == 0 {
		return
	}
	if m.sent > 0 {
		c.deliver(ctx)
		return
	}
	self, root := ctx.Self(), ctx.ActorSystem().Root
	time.AfterFunc(200*time.Millisecond, func() { root.Send(self, &deliveryTick{}) })
}

// sendOne sends a held delivery and records the customer's answer: done on
// deliver_sm_resp OK, otherwise retried later (at least once, never lost).
// It reports whether the customer took it.
func sendOne(ctx context.Context, store persistence.Store, s *server.Session, d persistence.Delivery, format IDFormat) bool {
	status, err := s.Deliver(ctx, deliverOf(d, format))
	var op persistence.Op = persistence.DeliveryDone{ID: d.ID}
	ok := err == nil && status == server.StatusOK
	if !ok {
		reason := fmt.Sprintf("deliver_sm_resp status 0x%X", status)
		if err != nil {
			reason = err.Error()
		}
		delay := time.Duration(1<<min(d.Attempts, 8)) * time.Second
		op = persistence.DeliveryRetry{ID: d.ID, NextAt: time.Now().Add(delay), LastError: reason}
	}
	_, _ = store.Write(ctx, op) // a failed write leaves it pending: sent again
	return ok
}

// deliverOf builds the deliver_sm: an Appendix B receipt with its TLVs, or
// the MO as received.
func deliverOf(d persistence.Delivery, format IDFormat) *server.Deliver {
	if d.Kind == persistence.KindMO {
		return &server.Deliver{Source: d.From, Dest: d.To, DataCoding: d.DataCoding, ShortMessage: d.Payload}
	}
	id := format(d.MessageID)
	stat := StatOf(d.Status)
	r := receipt.Receipt{ID: id, Sub: 1, SubmitDate: d.SubmittedAt, DoneDate: d.DoneAt, Stat: stat, Err: "000"}
	if d.Status == persistence.StatusDelivered {
		r.Dlvrd = 1
	}
	return &server.Deliver{Source: trimPlus(d.To), Dest: d.From, ESMClass: 0x04, ShortMessage: []byte(receipt.Format(r)),
		ReceiptedMessageID: id, MessageState: receipt.StateFromStat(stat)}
}

// StatOf is the Appendix B stat of a final status.
func StatOf(s persistence.Status) string {
	switch s {
	case persistence.StatusDelivered:
		return "DELIVRD"
	case persistence.StatusExpired:
		return "EXPIRED"
	case persistence.StatusRejected, persistence.StatusFailed:
		return "REJECTD"
	}
	return "UNDELIV"
}

func trimPlus(s string) string {
	if len(s) > 0 && s[0] == '+' {
		return s[1:]
	}
	return s
}

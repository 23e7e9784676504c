package operator

import (
	"time"

	"github.com/oklog/ulid/v2"

	"smsgw/actors/bind"
	"smsgw/actors/mo"
	"smsgw/persistence"
)

// mo stores an operator's MO — deduplicated against retransmissions, parts
// of a concatenated MO kept until the set is complete — and acknowledges
// the deliver_sm only after the commit. Delivery to the customer (HTTP
// outbox or SMPP delivery queue) is created in the same transaction.
func (o *operatorActor) mo(m *bind.Delivered) {
	r := o.deps.MO
	in := mo.Read(o.cfg.ID, m.Deliver, time.Now())
	if in.Concat == nil {
		msg, ttl := r.Message(ulid.Make().String(), in.Operator, in.From, in.To, in.DataCoding, in.Body, r.DedupKey(in), in.At)
		o.write(persistence.InsertMO{MO: msg, DeliveryTTL: ttl}, func(res persistence.Result) {
			m.Ack(0)
			o.moLogged(msg, res.Duplicate, 1)
		})
		return
	}
	part := r.Part(in)
	o.write(persistence.InsertMOPart{Part: part}, func(res persistence.Result) {
		m.Ack(0)
		if res.Duplicate {
			o.deps.Log.Info().Str("event", "mo_duplicate").Str("operator", o.cfg.ID).Str("from", in.From).Str("to", in.To).
				Int("part", int(in.Concat.Seq)).Int("parts", int(in.Concat.Total)).Send()
			return
		}
		if res.PartSet != nil {
			o.assemble(*res.PartSet)
		}
	})
}

// assemble stores the whole MO and drops its parts in one transaction.
func (o *operatorActor) assemble(set persistence.MOPartSet) {
	dc, body, _ := mo.Assemble(set)
	first := set.Parts[0]
	msg, ttl := o.deps.MO.Message(ulid.Make().String(), set.Key.Operator, set.Key.From, set.Key.To, dc, body, mo.SetDedupKey(set), first.ReceivedAt)
	o.writeAll([]persistence.Op{persistence.InsertMO{MO: msg, DeliveryTTL: ttl}, persistence.DeleteMOParts{Key: set.Key}}, func(res []persistence.Result) {
		o.moLogged(msg, res[0].Duplicate, int(set.Key.Total))
	})
}

func (o *operatorActor) moLogged(msg persistence.MO, duplicate bool, parts int) {
	event := "mo_received"
	if duplicate {
		event = "mo_duplicate"
	}
	ev := o.deps.Log.Info().Str("event", event).Str("mo_id", msg.ID).Str("operator", o.cfg.ID).Str("from", msg.From).
		Str("to", msg.To).Int("parts", parts)
	if msg.CustomerID == "" {
		ev = ev.Str("customer", "").Str("route", "none")
	} else {
		ev = ev.Str("customer", msg.CustomerID).Str("channel", msg.Channel)
	}
	ev.Send()
}

package operator

import (
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"smsgw/actors/bind"
	"smsgw/actors/journal"
	"smsgw/persistence"
	"smsgw/transports/receipt"
)

// delivered is where an operator's delivery report is matched to its MT:
// the receipt is read (TLVs first, then the Appendix B text), the store
// matches its id in any written form to the part (or buffers it until the
// submit_sm_resp carrying that id is committed), and only after the commit
// is the deliver_sm acknowledged.
func (o *operatorActor) delivered(ctx actor.Context, m *bind.Delivered) {
	d := m.Deliver
	if !d.Receipt {
		o.mo(m)
		return
	}
	id, stat, errCode := d.ReceiptedID, "", ""
	if r, err := receipt.Parse(string(d.ShortMessage)); err == nil {
		if id == "" {
			id = r.ID
		}
		stat, errCode = r.Stat, r.Err
	} else if id == "" {
		o.log.Error().Err(err).Msg("dr_unreadable: receipt without id; acknowledged and dropped")
		m.Ack(0)
		return
	}
	if d.MessageState != 0 {
		stat = receipt.StatFromState(d.MessageState)
	}
	status, final := statusOf(stat)
	o.deps.Metrics.DRs.WithLabelValues(o.cfg.ID, stat).Inc()
	if !final {
		// ENROUTE/ACCEPTD/UNKNOWN are intermediate: nothing to record.
		m.Ack(0)
		return
	}
	errText := ""
	if status != persistence.StatusDelivered {
		errText = "stat:" + stat + " err:" + errCode
	}
	op := persistence.MatchDR{Operator: o.cfg.ID, Candidates: receiptIDs(o.cfg.ReceiptIDFormat, id), Status: status, Error: errText, At: time.Now()}
	o.write(op, func(r persistence.Result) {
		m.Ack(0)
		if !r.Matched {
			o.deps.Log.Info().Str("event", "dr_buffered").Str("operator", o.cfg.ID).Str("operator_message_id", id).Str("status", stat).Send()
			return
		}
		journal.Log(&o.deps.Log, journal.Entry{Event: "dr_received", MessageID: r.MessageID, Part: r.Part, Operator: o.cfg.ID,
			OperatorID: id, Status: string(status), Error: errText})
		if r.BecameFinal {
			journal.Log(&o.deps.Log, journal.Entry{Event: "mt_" + string(r.MessageStatus), MessageID: r.MessageID, Part: -1, Status: string(r.MessageStatus)})
			if o.deps.Callbacks != nil {
				o.root.Send(o.deps.Callbacks, o.deps.Wake)
			}
		}
	})
}

// receiptIDs lists the stored forms a receipt's id may match. Operators
// that answer submit_sm in hex and write receipts in decimal (or the
// reverse) are configured so; "auto" tries every reading, which can match
// the wrong message when an id is valid in both bases.
func receiptIDs(format, id string) []string {
	c := receipt.Canonical(id)
	switch format {
	case ReceiptIDDecimal:
		if v, err := strconv.ParseUint(c, 10, 64); err == nil {
			return []string{strconv.FormatUint(v, 16)}
		}
	case ReceiptIDHex:
		if v, err := strconv.ParseUint(c, 16, 64); err == nil {
			return []string{strconv.FormatUint(v, 10)}
		}
	case ReceiptIDAuto:
		return receipt.IDCandidates(id)
	}
	return []string{c}
}

// statusOf maps a receipt stat to a part status; final is false for
// intermediate states.
func statusOf(stat string) (persistence.Status, bool) {
	switch stat {
	case "DELIVRD":
		return persistence.StatusDelivered, true
	case "EXPIRED":
		return persistence.StatusExpired, true
	case "UNDELIV", "DELETED":
		return persistence.StatusUndeliverable, true
	case "REJECTD":
		return persistence.StatusRejected, true
	}
	return "", false
}

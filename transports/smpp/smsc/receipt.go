package smsc

import (
	"fmt"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// receiptDate is Appendix B's YYMMDDhhmm.
const receiptDate = "0601021504"

// receipt is a delivery receipt waiting to be sent.
type receipt struct {
	systemID  string
	id        string // in ReceiptIDFormat
	src, dst  pdu.Address
	stat, err string
	submitted time.Time
	text      string
}

// wantsReceipt applies registered_delivery bits 0-1: 01 always, 10 on
// failure only.
func wantsReceipt(regDelivery byte, stat string) bool {
	switch regDelivery & data.SM_SMSC_RECEIPT_MASK {
	case data.SM_SMSC_RECEIPT_REQUESTED:
		return true
	case data.SM_SMSC_RECEIPT_ON_FAILURE:
		return stat != StatDelivered
	}
	return false
}

// newReceipt returns the receipt for an accepted submit, or nil when the
// ESME did not ask for one.
func (s *Server) newReceipt(ss *session, q *pdu.SubmitSM, sub *Submit, idNum uint64, plan submitPlan) *receipt {
	stat, errCode := s.cfg.DRStat, "000"
	if plan.stat != "" {
		stat, errCode = plan.stat, plan.err
	}
	if !wantsReceipt(q.RegisteredDelivery, stat) {
		return nil
	}
	return &receipt{
		systemID:  ss.systemID,
		id:        s.cfg.ReceiptIDFormat.Format(idNum),
		src:       q.DestAddr,
		dst:       q.SourceAddr,
		stat:      stat,
		err:       errCode,
		submitted: sub.Time,
		text:      receiptText(sub),
	}
}

// deliverReceipt sends rc to the submitting session if it can take
// deliver_sm, else to another receiver of the same system_id, else keeps it
// until one binds. A receipt left unanswered when its session closes is
// delivered again (session.redeliver).
func (s *Server) deliverReceipt(rc *receipt, prefer *session) {
	ss := prefer
	if ss == nil || !ss.canReceive() || ss.systemID != rc.systemID {
		ss = s.pickReceiver(rc.systemID)
	}
	if ss == nil {
		s.queueReceipt(rc)
		return
	}
	if err := ss.sendTracked(rc.pdu(s.cfg.ReceiptNoTLVs), sentReceipt, rc); err != nil {
		s.queueReceipt(rc)
		return
	}
	s.count(func(st *Stats) { st.ReceiptsSent++ })
}

// pdu builds the deliver_sm: Appendix B text, and unless noTLVs the
// receipted_message_id and message_state TLVs (network_error_code on errors).
func (rc *receipt) pdu(noTLVs bool) *pdu.DeliverSM {
	d := pdu.NewDeliverSM().(*pdu.DeliverSM)
	d.SourceAddr, d.DestAddr = rc.src, rc.dst
	d.EsmClass = data.SM_SMSC_DLV_RCPT_TYPE
	dlvrd := "000"
	if rc.stat == StatDelivered {
		dlvrd = "001"
	}
	text := fmt.Sprintf("id:%s sub:001 dlvrd:%s submit date:%s done date:%s stat:%s err:%s text:%s",
		rc.id, dlvrd, rc.submitted.Format(receiptDate), time.Now().Format(receiptDate), rc.stat, rc.err, rc.text)
	// The text is ASCII, which reads the same as GSM 03.38 for these
	// characters; data_coding 0 like most SMSCs.
	_ = d.Message.SetMessageDataWithEncoding([]byte(text), data.GSM7BIT)
	if !noTLVs {
		d.RegisterOptionalParam(pdu.Field{Tag: pdu.TagReceiptedMessageID, Data: append([]byte(rc.id), 0)})
		d.RegisterOptionalParam(pdu.Field{Tag: pdu.TagMessageStateOption, Data: []byte{messageState(rc.stat)}})
		if rc.err != "000" {
			var code int
			_, _ = fmt.Sscanf(rc.err, "%d", &code)
			// network_error_code: type 3 (GSM), 2-byte code.
			d.RegisterOptionalParam(pdu.Field{Tag: pdu.TagNetworkErrorCode, Data: []byte{3, byte(code >> 8), byte(code)}})
		}
	}
	return d
}

// messageState maps a stat word to the message_state TLV value.
func messageState(stat string) byte {
	switch stat {
	case StatEnroute:
		return data.SM_STATE_EN_ROUTE
	case StatDelivered:
		return data.SM_STATE_DELIVERED
	case StatExpired:
		return data.SM_STATE_EXPIRED
	case StatDeleted:
		return data.SM_STATE_DELETED
	case StatUndeliverable:
		return data.SM_STATE_UNDELIVERABLE
	case StatAccepted:
		return data.SM_STATE_ACCEPTED
	case StatRejected:
		return data.SM_STATE_REJECTED
	}
	return data.SM_STATE_INVALID // UNKNOWN
}

// receiptText is the first 20 characters of the message, printable ASCII
// only, as Appendix B's text field.
func receiptText(sub *Submit) string {
	head := sub.ShortMessage[:min(len(sub.ShortMessage), 40)] // 20 UCS2 chars at most
	text := string(head)
	if enc := data.FromDataCoding(sub.DataCoding); enc != nil {
		if s, err := enc.Decode(head); err == nil {
			text = s
		}
	}
	out := make([]byte, 0, 20)
	for _, r := range text {
		if len(out) == 20 {
			break
		}
		if r < 0x20 || r > 0x7E {
			r = '.'
		}
		out = append(out, byte(r))
	}
	return string(out)
}

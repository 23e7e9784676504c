package smsc

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"smsgw/transports/smpp/pduio"
)

// Bind states of a session (SMPP's OPEN and BOUND_*).
const (
	stateOpen int32 = iota
	stateTX
	stateRX
	stateTRX
)

const (
	// flushTimeout bounds the final flush before a deliberate close.
	flushTimeout = 2 * time.Second
	// unbindTimeout is how long an SMSC-initiated unbind waits for its resp.
	unbindTimeout = 2 * time.Second
)

type sentKind byte

// tracked is a deliver_sm awaiting its resp; rc is set for receipts, which
// are delivered again on another session when this one closes unanswered,
// as an SMSC does.
type tracked struct {
	kind sentKind
	rc   *receipt
	mo   *pdu.DeliverSM
}

const (
	sentReceipt sentKind = iota + 1
	sentMO
)

// session is one ESME connection: a reader goroutine (serve) that handles
// requests in order, and a pduio.Writer that every sender shares.
type session struct {
	srv  *Server
	conn net.Conn
	r    *pduio.Reader
	w    *pduio.Writer

	state    atomic.Int32
	systemID string // set once, before state leaves stateOpen
	seq      atomic.Int32
	closed   atomic.Bool
	unbind   atomic.Bool // we sent unbind and wait for its resp

	mu   sync.Mutex
	sent map[int32]tracked // deliver_sm awaiting deliver_sm_resp

	once sync.Once
}

func newSession(srv *Server, conn net.Conn) *session {
	return &session{
		srv:  srv,
		conn: conn,
		r:    pduio.NewReader(conn),
		w:    pduio.NewWriter(conn, srv.cfg.WriteQueue),
		sent: make(map[int32]tracked),
	}
}

func (s *session) bindState() int32 { return s.state.Load() }

func (s *session) canReceive() bool {
	st := s.state.Load()
	return (st == stateRX || st == stateTRX) && !s.closed.Load()
}

func (s *session) nextSeq() int32 {
	for {
		v := s.seq.Add(1) & 0x7FFFFFFF
		if v != 0 {
			return v
		}
	}
}

// close ends the session once. flush writes what is queued first (unbind,
// fault disconnects, fatal framing errors); otherwise the socket is cut.
func (s *session) close(flush bool) {
	s.once.Do(func() {
		s.closed.Store(true)
		s.srv.remove(s)
		if flush {
			// A peer that stopped reading must not hold the close forever;
			// the write error that follows is expected and dropped with the
			// connection.
			_ = s.conn.SetWriteDeadline(time.Now().Add(flushTimeout))
			_ = s.w.Close()
		}
		_ = s.conn.Close()
		_ = s.w.Close()
		s.redeliver()
	})
}

// send queues p; a failure means the session is closing, which the reader
// notices by itself.
func (s *session) send(p pdu.PDU) {
	_ = s.w.Write(p)
}

// sendTracked sends a deliver_sm and remembers what it was for the resp.
func (s *session) sendTracked(d *pdu.DeliverSM, kind sentKind, rc *receipt) error {
	seq := s.nextSeq()
	d.SequenceNumber = seq
	s.mu.Lock()
	defer s.mu.Unlock()
	tr := tracked{kind: kind, rc: rc}
	if kind == sentMO {
		tr.mo = d
	}
	s.sent[seq] = tr
	if err := s.w.Write(d); err != nil {
		delete(s.sent, seq)
		return fmt.Errorf("deliver_sm to %s: %w", s.systemID, err)
	}
	return nil
}

func (s *session) serve() {
	defer s.srv.wg.Done()
	defer s.close(false)
	for {
		p, _, err := s.r.Next()
		if err != nil {
			var pe *pduio.PDUError
			if !errors.As(err, &pe) {
				return // EOF or broken connection
			}
			nack := pe.Header.CommandID != data.GENERIC_NACK
			s.srv.count(func(st *Stats) {
				st.Malformed++
				if nack {
					st.GenericNacksSent++
				}
			})
			if nack {
				s.send(pe.Nack())
			}
			if pe.Fatal() {
				s.close(true)
				return
			}
			continue
		}
		if !s.handle(p) {
			return
		}
	}
}

// handle processes one PDU; false ends the session.
func (s *session) handle(p pdu.PDU) bool {
	switch q := p.(type) {
	case *pdu.BindRequest:
		s.bind(q)
	case *pdu.EnquireLink:
		s.srv.count(func(st *Stats) { st.EnquireLinks++ })
		s.send(pduio.Response(q, data.ESME_ROK))
	case *pdu.Unbind:
		s.srv.count(func(st *Stats) { st.Unbinds++ })
		s.send(pduio.Response(q, data.ESME_ROK))
		s.close(true)
		return false
	case *pdu.UnbindResp:
		if s.unbind.Load() {
			s.close(true)
			return false
		}
	case *pdu.SubmitSM:
		st := s.state.Load()
		if st != stateTX && st != stateTRX {
			s.send(pduio.Response(q, data.ESME_RINVBNDSTS))
			return true
		}
		return s.submit(q)
	case *pdu.DeliverSMResp:
		s.acked(q.SequenceNumber, q.CommandStatus)
	case *pdu.GenericNack:
		status := q.CommandStatus
		if status == data.ESME_ROK {
			status = data.ESME_RSYSERR
		}
		s.acked(q.SequenceNumber, status)
	default:
		if p.CanResponse() {
			status := data.ESME_RINVBNDSTS
			if s.state.Load() != stateOpen {
				// query_sm, cancel_sm, replace_sm, data_sm, submit_multi:
				// not simulated.
				status = data.ESME_RINVCMDID
			}
			s.send(pduio.Response(p, status))
		}
	}
	return true
}

func (s *session) bind(q *pdu.BindRequest) {
	if s.state.Load() != stateOpen {
		s.send(pduio.Response(q, data.ESME_RALYBND))
		return
	}
	cfg := &s.srv.cfg
	status := data.ESME_ROK
	switch {
	case cfg.SystemID != "" && q.SystemID != cfg.SystemID:
		status = data.ESME_RINVSYSID
	case cfg.Password != "" && q.Password != cfg.Password:
		status = data.ESME_RINVPASWD
	}
	for _, f := range s.srv.faults.match(true, "") {
		switch f.Kind {
		case FaultNoBindResponse:
			s.srv.count(func(st *Stats) { st.BindsRefused++ })
			return
		case FaultBindRefused:
			status = f.Status
			if status == data.ESME_ROK {
				status = data.ESME_RBINDFAIL
			}
		}
	}
	resp := pduio.Response(q, status).(*pdu.BindResp)
	resp.SystemID = cfg.SMSCSystemID
	s.srv.count(func(st *Stats) {
		if status == data.ESME_ROK {
			st.Binds++
		} else {
			st.BindsRefused++
		}
	})
	if status != data.ESME_ROK {
		if cfg.BindErrorBody {
			s.send(resp)
		} else {
			// SMPP 3.4 §4.1: no body when command_status is non-zero.
			_ = s.w.WriteRaw(pduio.MarshalBodyless(resp))
		}
		return
	}
	// Under s.mu, which sendTracked also holds while queueing: no deliver_sm
	// can be queued before the bind_resp, and the session is a receiver as
	// soon as the client can have seen the bind_resp.
	s.mu.Lock()
	s.systemID = q.SystemID
	switch q.BindingType {
	case pdu.Transmitter:
		s.state.Store(stateTX)
	case pdu.Receiver:
		s.state.Store(stateRX)
	default:
		s.state.Store(stateTRX)
	}
	s.send(resp)
	s.mu.Unlock()
	if s.canReceive() {
		for _, rc := range s.srv.takePending(s.systemID) {
			s.srv.deliverReceipt(rc, s)
		}
		for _, d := range s.srv.takePendingMOs(s.systemID) {
			s.srv.deliverMO(s.systemID, d)
		}
	}
}

// submit answers one submit_sm as the faults decide; false ends the session.
func (s *session) submit(q *pdu.SubmitSM) bool {
	srv := s.srv
	now := time.Now()
	plan := planSubmit(srv.faults.match(false, q.DestAddr.Address()))
	sub := Submit{
		SystemID:           s.systemID,
		Source:             q.SourceAddr.Address(),
		Dest:               q.DestAddr.Address(),
		ESMClass:           q.EsmClass,
		RegisteredDelivery: q.RegisteredDelivery,
		ShortMessage:       payloadOf(q),
		Concat:             concatOf(q),
		Seq:                q.SequenceNumber,
		Time:               now,
	}
	sub.DataCoding, _ = dataCodingOf(s.r.Raw())

	var resp pdu.PDU
	var idNum uint64
	switch plan.answer {
	case 0:
		idNum = srv.lastID.Add(1)
		sub.MessageID = srv.cfg.IDFormat.Format(idNum)
		r := pduio.Response(q, data.ESME_ROK).(*pdu.SubmitSMResp)
		r.MessageID = sub.MessageID
		resp = r
	case FaultStatus:
		sub.Status = plan.status
		resp = pduio.Response(q, plan.status)
	case FaultGenericNack:
		sub.Status = plan.status
		seq := q.SequenceNumber
		if plan.noSeq {
			seq = 0
		}
		resp = pduio.GenericNack(seq, plan.status)
	}
	sub.Answered = resp != nil

	if srv.cfg.OnSubmit != nil {
		srv.cfg.OnSubmit(sub)
	}
	srv.mu.Lock()
	srv.stats.Submits++
	switch {
	case !sub.Answered:
		srv.stats.SubmitsDropped++
	case plan.answer == FaultGenericNack:
		srv.stats.GenericNacksSent++
	default:
		srv.stats.SubmitResps[sub.Status]++
	}
	if !srv.cfg.DisableRecording {
		srv.submits = append(srv.submits, sub)
	}
	srv.mu.Unlock()

	var rc *receipt
	if idNum != 0 && !(plan.firstOnly && sub.Concat.Total > 0 && sub.Concat.Part != 1) {
		rc = srv.newReceipt(s, q, &sub, idNum, plan)
	}
	if rc != nil && plan.drFirst {
		srv.deliverReceipt(rc, s)
		rc = nil
	}
	if resp != nil {
		if plan.delay > 0 {
			srv.sched.at(now.Add(plan.delay), func() { s.send(resp) })
		} else {
			s.send(resp)
		}
	}
	if rc != nil {
		if srv.cfg.DRDelay > 0 {
			srv.sched.at(now.Add(srv.cfg.DRDelay), func() { srv.deliverReceipt(rc, s) })
		} else {
			srv.deliverReceipt(rc, s)
		}
	}

	switch plan.answer {
	case FaultUnbind:
		u := pdu.NewUnbind()
		u.SetSequenceNumber(s.nextSeq())
		s.unbind.Store(true)
		s.send(u)
		srv.sched.at(now.Add(unbindTimeout), func() { s.close(false) })
	case FaultDisconnect:
		s.close(true)
		return false
	}
	return true
}

// redeliver hands receipts and MOs this session never acknowledged to
// another receiver (or holds them until one binds): an ESME that died
// before its deliver_sm_resp still gets them, at least once, as from an
// operator's SMSC.
func (s *session) redeliver() {
	s.mu.Lock()
	var again []*receipt
	var mos []*pdu.DeliverSM
	for seq, tr := range s.sent {
		if tr.rc != nil {
			again = append(again, tr.rc)
		}
		if tr.mo != nil {
			mos = append(mos, tr.mo)
		}
		delete(s.sent, seq)
	}
	s.mu.Unlock()
	for _, rc := range again {
		s.srv.count(func(st *Stats) { st.ReceiptsRedelivered++ })
		s.srv.deliverReceipt(rc, nil)
	}
	for _, d := range mos {
		s.srv.count(func(st *Stats) { st.MOsRedelivered++ })
		s.srv.deliverMO(s.systemID, d)
	}
}

// acked records a deliver_sm_resp (or generic_nack) for a deliver_sm we sent.
func (s *session) acked(seq int32, status data.CommandStatusType) {
	s.mu.Lock()
	tr, ok := s.sent[seq]
	delete(s.sent, seq)
	s.mu.Unlock()
	if !ok {
		return
	}
	kind := tr.kind
	s.srv.count(func(st *Stats) {
		switch {
		case kind == sentReceipt && status == data.ESME_ROK:
			st.ReceiptsAcked++
		case kind == sentReceipt:
			st.ReceiptsFailed++
		case status == data.ESME_ROK:
			st.MOsAcked++
		default:
			st.MOsFailed++
		}
	})
}

// payloadOf returns the user data: short_message without UDH, or
// message_payload when short_message is empty.
func payloadOf(q *pdu.SubmitSM) []byte {
	b, _ := q.Message.GetMessageData()
	if len(b) == 0 {
		if f, ok := q.OptionalParameters[pdu.TagMessagePayload]; ok {
			return f.Data
		}
	}
	return b
}

// concatOf reads concatenation from UDH (8- or 16-bit reference) or SAR TLVs.
func concatOf(q *pdu.SubmitSM) Concat {
	if q.EsmClass&data.SM_UDH_GSM != 0 {
		udh := q.Message.UDH()
		if total, part, ref, ok := udh.GetConcatInfo(); ok {
			return Concat{Ref: uint16(ref), Total: total, Part: part}
		}
		if ie, ok := udh.FindInfoElement(data.UDH_CONCAT_MSG_16_BIT_REF); ok && len(ie.Data) == 4 {
			return Concat{Ref: uint16(ie.Data[0])<<8 | uint16(ie.Data[1]), Total: ie.Data[2], Part: ie.Data[3]}
		}
	}
	ref, ok1 := q.OptionalParameters[pdu.TagSarMsgRefNum]
	total, ok2 := q.OptionalParameters[pdu.TagSarTotalSegments]
	part, ok3 := q.OptionalParameters[pdu.TagSarSegmentSeqnum]
	if ok1 && ok2 && ok3 && len(ref.Data) == 2 && len(total.Data) == 1 && len(part.Data) == 1 {
		return Concat{Ref: uint16(ref.Data[0])<<8 | uint16(ref.Data[1]), Total: total.Data[0], Part: part.Data[0]}
	}
	return Concat{}
}

// dataCodingOf reads data_coding from a raw submit_sm or deliver_sm: gosmpp
// forgets values it has no encoding for.
func dataCodingOf(raw []byte) (byte, bool) {
	i := pduio.HeaderLen
	cstr := func() bool {
		if i > len(raw) {
			return false
		}
		j := bytes.IndexByte(raw[i:], 0)
		if j < 0 {
			return false
		}
		i += j + 1
		return true
	}
	// service_type, source (ton npi addr), dest (ton npi addr), esm_class,
	// protocol_id, priority_flag, schedule, validity, registered_delivery,
	// replace_if_present, then data_coding.
	if !cstr() {
		return 0, false
	}
	i += 2
	if !cstr() {
		return 0, false
	}
	i += 2
	if !cstr() {
		return 0, false
	}
	i += 3
	if !cstr() || !cstr() {
		return 0, false
	}
	i += 2
	if i >= len(raw) {
		return 0, false
	}
	return raw[i], true
}

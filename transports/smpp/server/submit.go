package server

import (
	"bytes"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"smsgw/transports/smpp/pduio"
	"smsgw/transports/text"
)

// submit parses a submit_sm, submit_multi or data_sm on the read loop (the
// reader's buffer is reused) and hands it to the Backend off the loop.
func (s *Session) submit(p pdu.PDU) {
	m, dests, err := parseSubmit(s.r.Raw())
	if err != nil {
		// gosmpp decoded what we cannot: answer as for a body gosmpp rejects.
		s.srv.log.Debug().Err(err).Str("session", s.id).Msg("smpp server: submit body refused")
		s.send(pduio.GenericNack(p.GetSequenceNumber(), data.ESME_RSYSERR))
		return
	}
	switch p.(type) {
	case *pdu.SubmitSM:
		m.Command = CommandSubmitSM
	case *pdu.SubmitMulti:
		m.Command = CommandSubmitMulti
	case *pdu.DataSM:
		m.Command = CommandDataSM
	}
	if m.ESMClass&0x40 != 0 {
		ud := m.ShortMessage
		if len(ud) == 0 {
			ud = m.Payload
		}
		h, _, err := text.ParseUDH(ud)
		if err != nil {
			s.send(pduio.Response(p, data.ESME_RINVESMCLASS))
			return
		}
		m.UDH = &h
	}
	if m.Command == CommandSubmitMulti {
		if len(dests) == 0 || len(dests) > 254 {
			s.send(pduio.Response(p, data.ESME_RINVNUMDESTS))
			return
		}
		s.dispatch(func() { s.submitMulti(p.(*pdu.SubmitMulti), m, dests) })
		return
	}
	s.dispatch(func() {
		id, status := s.callSubmit(m)
		r := pduio.Response(p, data.CommandStatusType(status))
		switch r := r.(type) {
		case *pdu.SubmitSMResp:
			r.MessageID = id
		case *pdu.DataSMResp:
			r.MessageID = id
		}
		s.send(r)
	})
}

// submitMulti submits each destination in turn and lists the failed ones.
func (s *Session) submitMulti(q *pdu.SubmitMulti, m *Submit, dests []destination) {
	r := pduio.Response(q, data.ESME_ROK).(*pdu.SubmitMultiResp)
	var firstFail uint32
	for _, d := range dests {
		status := StatusInvDstAddr
		if !d.isList {
			one := *m
			one.DestTON, one.DestNPI, one.Dest = d.ton, d.npi, d.addr
			var id string
			id, status = s.callSubmit(&one)
			if status == StatusOK && r.MessageID == "" {
				r.MessageID = id
			}
		}
		if status == StatusOK {
			continue
		}
		if firstFail == StatusOK {
			firstFail = status
		}
		u := pdu.NewUnsuccessSMEWithTonNpi(d.ton, d.npi, data.CommandStatusType(status))
		// A longer address than gosmpp accepts is listed without it.
		_ = u.SetAddress(d.addr)
		r.UnsuccessSMEs.Add(u)
	}
	if r.MessageID == "" {
		// Nothing was accepted: say so in the status too.
		pduio.SetStatus(r, data.CommandStatusType(firstFail))
	}
	s.send(r)
}

// callSubmit runs Backend.Submit; a panic there answers ESME_RSYSERR.
func (s *Session) callSubmit(m *Submit) (id string, status uint32) {
	s.nSubmits.Add(1)
	defer func() {
		if v := recover(); v != nil {
			s.srv.log.Error().Str("session", s.id).Interface("panic", v).Msg("smpp server: Backend.Submit panicked")
			id, status = "", StatusSysErr
		}
	}()
	id, status = s.srv.backend.Submit(s.ctx, s, m)
	if status != StatusOK {
		id = ""
	}
	return id, status
}

// query answers a query_sm off the read loop.
func (s *Session) query(q *pdu.QuerySM) {
	id := q.MessageID
	seq := q.SequenceNumber
	s.dispatch(func() {
		res, status := s.callQuery(id)
		r := pdu.NewQuerySMResp().(*pdu.QuerySMResp)
		r.SetSequenceNumber(seq)
		pduio.SetStatus(r, data.CommandStatusType(status))
		r.MessageID = id
		if status == StatusOK {
			r.MessageState = res.MessageState
			r.ErrorCode = res.ErrorCode
			if !res.FinalDate.IsZero() {
				r.FinalDate = smppTime(res.FinalDate)
			}
		}
		s.send(r)
	})
}

func (s *Session) callQuery(id string) (res QueryResult, status uint32) {
	defer func() {
		if v := recover(); v != nil {
			s.srv.log.Error().Str("session", s.id).Interface("panic", v).Msg("smpp server: Backend.Query panicked")
			res, status = QueryResult{}, StatusQueryFail
		}
	}()
	return s.srv.backend.Query(s.ctx, s, id)
}

// smppTime formats t as an SMPP absolute time in UTC: YYMMDDhhmmsstnnp.
func smppTime(t time.Time) string {
	t = t.UTC()
	var b bytes.Buffer
	b.WriteString(t.Format("060102150405"))
	b.WriteByte(byte('0' + t.Nanosecond()/100_000_000))
	b.WriteString("00+")
	return b.String()
}

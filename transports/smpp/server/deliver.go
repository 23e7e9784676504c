package server

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"
)

const cmdDeliverSM = 0x00000005

// Deliver sends d as a deliver_sm and returns the customer's
// deliver_sm_resp status (StatusOK = acknowledged). It blocks while the
// session's deliver window is full, bounded by ctx. Errors: ErrNotReceiver,
// ErrSessionClosed, ErrNoResponse (after Config.ResponseTimeout), ctx's.
func (s *Session) Deliver(ctx context.Context, d *Deliver) (uint32, error) {
	if !s.canReceive() {
		return 0, s.notReceiver()
	}
	select {
	case s.window <- struct{}{}:
	case <-ctx.Done():
		return 0, fmt.Errorf("deliver_sm to %s: %w", s.id, ctx.Err())
	case <-s.done:
		return 0, ErrSessionClosed
	}
	defer func() { <-s.window }()
	seq := s.nextSeq()
	b := marshalDeliver(seq, d)
	ch := make(chan uint32, 1)
	s.mu.Lock()
	if !s.canReceive() {
		s.mu.Unlock()
		return 0, s.notReceiver()
	}
	s.pending[seq] = ch
	if err := s.w.WriteRaw(b); err != nil {
		delete(s.pending, seq)
		s.mu.Unlock()
		return 0, fmt.Errorf("deliver_sm to %s: %w: %w", s.id, ErrSessionClosed, err)
	}
	s.mu.Unlock()
	s.nDelivers.Add(1)
	t := time.NewTimer(s.srv.cfg.ResponseTimeout)
	defer t.Stop()
	select {
	case st := <-ch:
		return st, nil
	case <-t.C:
		s.forget(seq)
		return 0, ErrNoResponse
	case <-ctx.Done():
		s.forget(seq)
		return 0, fmt.Errorf("deliver_sm to %s: %w", s.id, ctx.Err())
	case <-s.done:
		return 0, ErrSessionClosed
	}
}

func (s *Session) notReceiver() error {
	switch s.state.Load() {
	case stateUnbound, stateClosed:
		return ErrSessionClosed
	}
	return ErrNotReceiver
}

// acked completes the Deliver waiting for seq, if any.
func (s *Session) acked(seq int32, status uint32) {
	s.mu.Lock()
	ch, ok := s.pending[seq]
	delete(s.pending, seq)
	s.mu.Unlock()
	if ok {
		ch <- status
	}
}

func (s *Session) forget(seq int32) {
	s.mu.Lock()
	delete(s.pending, seq)
	s.mu.Unlock()
}

// marshalDeliver encodes a deliver_sm. We write it ourselves rather than
// through gosmpp, which rewrites data_coding values it has no encoding for
// and re-encodes the UDH.
func marshalDeliver(seq int32, d *Deliver) []byte {
	b := make([]byte, 16, 64+len(d.ShortMessage)+len(d.ReceiptedMessageID))
	cstr := func(v string) { b = append(append(b, v...), 0) }
	tlv := func(tag uint16, v []byte) {
		b = binary.BigEndian.AppendUint16(b, tag)
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
	}
	cstr(d.ServiceType)
	b = append(b, d.SourceTON, d.SourceNPI)
	cstr(d.Source)
	b = append(b, d.DestTON, d.DestNPI)
	cstr(d.Dest)
	// esm_class, protocol_id, priority_flag, schedule_delivery_time and
	// validity_period (empty), registered_delivery, replace_if_present,
	// data_coding, sm_default_msg_id.
	b = append(b, d.ESMClass, d.ProtocolID, 0, 0, 0, 0, 0, d.DataCoding, 0)
	sm, payload := d.ShortMessage, []byte(nil)
	if len(sm) > 254 {
		sm, payload = nil, d.ShortMessage
	}
	b = append(b, byte(len(sm)))
	b = append(b, sm...)
	if d.ReceiptedMessageID != "" {
		tlv(tagReceiptedMessageID, append([]byte(d.ReceiptedMessageID), 0))
	}
	if d.MessageState != 0 {
		tlv(tagMessageState, []byte{d.MessageState})
	}
	if len(d.NetworkErrorCode) > 0 {
		tlv(tagNetworkErrorCode, d.NetworkErrorCode)
	}
	if d.UserMessageReference != nil {
		tlv(tagUserMessageReference, binary.BigEndian.AppendUint16(nil, *d.UserMessageReference))
	}
	if d.SAR != nil {
		tlv(tagSarMsgRefNum, binary.BigEndian.AppendUint16(nil, d.SAR.Ref))
		tlv(tagSarTotalSegments, []byte{d.SAR.Total})
		tlv(tagSarSegmentSeqnum, []byte{d.SAR.Seq})
	}
	if payload != nil {
		tlv(tagMessagePayload, payload)
	}
	tags := make([]uint16, 0, len(d.TLVs))
	for tag := range d.TLVs {
		tags = append(tags, tag)
	}
	slices.Sort(tags)
	for _, tag := range tags {
		tlv(tag, d.TLVs[tag])
	}
	binary.BigEndian.PutUint32(b[0:], uint32(len(b)))
	binary.BigEndian.PutUint32(b[4:], cmdDeliverSM)
	binary.BigEndian.PutUint32(b[12:], uint32(seq))
	return b
}

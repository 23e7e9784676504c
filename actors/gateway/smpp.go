package gateway

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
	"golang.org/x/time/rate"

	"smsgw/actors/customer"
	"smsgw/persistence"
	"smsgw/transports/http/api"
	"smsgw/transports/receipt"
	"smsgw/transports/smpp/server"
	"smsgw/transports/text"
)

// SMPPAccount is a customer's SMPP login and limits.
type SMPPAccount struct {
	SystemID string
	Password string
	MaxBinds int
	BindTPS  float64 // submit_sm per second per bind; 0 = only the customer's rate
	IDFormat string  // "hex" or "decimal"
	// DedupWindow: a submit_sm retransmitted with the same
	// user_message_reference, destination and content within it is one
	// message; with DedupContent also one without a reference (same source,
	// destination and content).
	DedupWindow  time.Duration
	DedupContent bool
}

// smppBackend implements server.Backend: customers' SMPP binds take the
// same path as the HTTP API (customer actor, store, operator).
type smppBackend struct {
	g        *Gateway
	accounts map[string]Customer // by SMPP system_id
	limits   sync.Map            // session id → *rate.Limiter
}

var _ server.Backend = (*smppBackend)(nil)

// SMPP returns the backend for the customer-facing SMPP server.
func (g *Gateway) SMPP() server.Backend {
	b := &smppBackend{g: g, accounts: map[string]Customer{}}
	for _, c := range g.cfg.Customers {
		if c.SMPP.SystemID != "" {
			b.accounts[c.SMPP.SystemID] = c
		}
	}
	return b
}

func (b *smppBackend) Bind(ctx context.Context, s *server.Session, systemID, password string) uint32 {
	c, ok := b.accounts[systemID]
	if !ok {
		return server.StatusInvSystemID
	}
	if subtle.ConstantTimeCompare([]byte(password), []byte(c.SMPP.Password)) != 1 {
		return server.StatusInvPassword
	}
	res, err := b.g.system.Root.RequestFuture(customer.PID(b.g.system.Address(), c.ID),
		&customer.BindSession{Session: s, MaxBinds: c.SMPP.MaxBinds}, 10*time.Second).Result()
	if err != nil {
		return server.StatusBindFail
	}
	if a, ok := res.(*customer.BindAnswer); !ok || a.Status != server.StatusOK {
		return server.StatusAlreadyBound
	}
	s.SetAccount(c.ID)
	if c.SMPP.BindTPS > 0 {
		b.limits.Store(s.ID(), rate.NewLimiter(rate.Limit(c.SMPP.BindTPS), max(1, int(c.SMPP.BindTPS))))
	}
	return server.StatusOK
}

func (b *smppBackend) Unbound(s *server.Session) {
	b.limits.Delete(s.ID())
	if id, ok := s.Account().(string); ok {
		b.g.system.Root.Send(customer.PID(b.g.system.Address(), id), &customer.UnbindSession{Session: s})
	}
}

func (b *smppBackend) Submit(ctx context.Context, s *server.Session, m *server.Submit) (string, uint32) {
	id, _ := s.Account().(string)
	c, ok := b.g.customers[id]
	if !ok {
		return "", server.StatusInvBindStatus
	}
	if l, ok := b.limits.Load(s.ID()); ok && !l.(*rate.Limiter).Allow() {
		return "", server.StatusThrottled
	}
	parts, dc, err := partsOf(m, c.MaxParts)
	if err != nil {
		return "", server.StatusInvMsgLen
	}
	to := m.Dest
	if m.DestTON == 1 && !strings.HasPrefix(to, "+") {
		to = "+" + to
	}
	in := prepared{customerID: id, from: m.Source, to: to, dataCoding: dc, parts: parts, channel: persistence.ChannelHTTP,
		encoding: "smpp"}
	if m.RegisteredDelivery&0x03 != 0 {
		in.channel = persistence.ChannelSMPP
	}
	in.idempotencyKey, in.requestHash = dedupKey(c.SMPP, m, time.Now())
	resp, err := b.g.accept(ctx, in)
	var e *api.Error
	switch {
	case errors.As(err, &e):
		return "", smppStatus(e)
	case err != nil:
		return "", server.StatusSysErr
	}
	return FormatID(c.SMPP.IDFormat, resp.ID), server.StatusOK
}

// dedupKey makes a retransmitted submit_sm one message: the key names the
// submit's reference (or, when the account asks, none), its addresses,
// content and time window. Keys that straddle a window boundary differ:
// dedup is best effort at the edge of the window.
func dedupKey(a SMPPAccount, m *server.Submit, now time.Time) (key, hash string) {
	if m.UserMessageReference == nil && !a.DedupContent {
		return "", ""
	}
	sum := sha256.Sum256(append(append([]byte(m.Source+"\x00"+m.Dest+"\x00"), m.ShortMessage...), m.Payload...))
	window := a.DedupWindow
	if window <= 0 {
		window = 10 * time.Minute
	}
	ref := "content"
	if m.UserMessageReference != nil {
		ref = fmt.Sprintf("umr%d", *m.UserMessageReference)
	}
	return fmt.Sprintf("smpp:%s:%s:%d", ref, hex.EncodeToString(sum[:8]), now.UnixNano()/int64(window)), hex.EncodeToString(sum[:])
}

func (b *smppBackend) Query(ctx context.Context, s *server.Session, messageID string) (server.QueryResult, uint32) {
	id, _ := s.Account().(string)
	ourID, err := ParseID(messageID)
	if err != nil {
		return server.QueryResult{}, server.StatusQueryFail
	}
	v, err := b.g.store.Message(ctx, id, ourID)
	if err != nil {
		return server.QueryResult{}, server.StatusQueryFail
	}
	var q server.QueryResult
	switch st := v.Message.Status; {
	case st.Final():
		q.FinalDate = v.Message.UpdatedAt
		q.MessageState = receipt.StateFromStat(customer.StatOf(st))
	default:
		q.MessageState = 1 // ENROUTE
	}
	return q, server.StatusOK
}

// smppStatus maps an admission refusal to its SMPP command_status.
func smppStatus(e *api.Error) uint32 {
	switch e.Code {
	case "rate_limited":
		return server.StatusThrottled
	case "queue_full":
		return server.StatusMsgQFull
	case "no_route":
		return server.StatusInvDstAddr
	case "unknown_sender":
		return server.StatusInvSrcAddr
	case "too_many_parts":
		return server.StatusInvMsgLen
	}
	if e.Status == http.StatusTooManyRequests {
		return server.StatusThrottled
	}
	return server.StatusSubmitFail
}

// partsOf turns a submit into parts. A short_message (with its UDH, or with
// SAR TLVs turned into a UDH) passes through as one part in the customer's
// data_coding: the customer did the splitting. A message_payload is text we
// split ourselves.
func partsOf(m *server.Submit, maxParts int) ([]text.Part, byte, error) {
	if len(m.ShortMessage) == 0 && len(m.Payload) > 0 {
		s, err := text.Decode(m.DataCoding, m.Payload)
		if err != nil {
			return nil, 0, fmt.Errorf("message_payload: %w", err)
		}
		parts, enc, err := text.Split(s, text.SplitOptions{MaxParts: maxParts, Ref: uint16(time.Now().UnixNano())})
		return parts, enc.DataCoding(), err
	}
	if len(m.ShortMessage) == 0 {
		return nil, 0, errors.New("empty message")
	}
	p := text.Part{DataCoding: m.DataCoding, ESMClass: m.ESMClass & 0x40, Payload: m.ShortMessage}
	if m.SAR != nil && m.ESMClass&0x40 == 0 {
		udh := []byte{5, 0, 3, byte(m.SAR.Ref), m.SAR.Total, m.SAR.Seq}
		p.ESMClass |= 0x40
		p.Payload = append(udh, m.ShortMessage...)
	}
	return []text.Part{p}, m.DataCoding, nil
}

// FormatID writes our ULID message id as hex (32 digits) or decimal, the
// forms SMPP customers expect of a message_id.
func FormatID(format, id string) string {
	u, err := ulid.Parse(id)
	if err != nil {
		return id
	}
	if format == "decimal" {
		return new(big.Int).SetBytes(u[:]).String()
	}
	return hex.EncodeToString(u[:])
}

// ParseID reads a message id in any form FormatID writes (or the ULID).
func ParseID(s string) (string, error) {
	if u, err := ulid.Parse(s); err == nil && len(s) == ulid.EncodedSize {
		return u.String(), nil
	}
	var n big.Int
	if b, err := hex.DecodeString(s); err == nil && len(b) == 16 {
		n.SetBytes(b)
	} else if _, ok := n.SetString(s, 10); !ok {
		return "", fmt.Errorf("message id %q: neither ULID, hex nor decimal", s)
	}
	if n.BitLen() > 128 {
		return "", fmt.Errorf("message id %q: too large", s)
	}
	var u ulid.ULID
	n.FillBytes(u[:])
	return u.String(), nil
}

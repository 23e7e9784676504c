// Package mo turns operators' MO deliver_sm into stored, routed MO
// messages: it reads concatenation (UDH IEI 00/08 or SAR TLVs), builds the
// retransmission identity, routes by short code and keyword, and assembles
// multipart MOs from their stored parts. The sweeper actor (sweeper.go)
// delivers incomplete multipart MOs after the reassembly timeout.
package mo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"smsgw/actors/router"
	"smsgw/persistence"
	"smsgw/transports/smpp"
	"smsgw/transports/text"
)

// Customer is where a customer's MOs go.
type Customer struct {
	ID   string
	URL  string // HTTP callback; "" = SMPP receiver binds
	TTL  time.Duration
	SMPP bool
}

// Router is the MO routing snapshot.
type Router struct {
	table     *router.MOTable
	customers map[string]Customer
	// DedupWindow: the same MO (operator, handset, short code, content)
	// again within this window is the operator retransmitting it.
	DedupWindow time.Duration
}

// NewRouter builds the snapshot.
func NewRouter(table *router.MOTable, customers []Customer) *Router {
	r := &Router{table: table, customers: map[string]Customer{}, DedupWindow: 10 * time.Minute}
	for _, c := range customers {
		r.customers[c.ID] = c
	}
	return r
}

// Concat says which part of a concatenated MO this is.
type Concat struct {
	Ref        uint16
	Total, Seq uint8
}

// Inbound is one MO deliver_sm as read.
type Inbound struct {
	Operator, From, To string
	DataCoding         byte
	Body               []byte // without UDH
	Concat             *Concat
	At                 time.Time
}

// Read takes an operator's deliver_sm apart. A malformed UDH is not a
// reason to lose the MO: the whole short_message is kept as its body.
func Read(operator string, d *smpp.Deliver, at time.Time) Inbound {
	in := Inbound{Operator: operator, From: d.Source, To: d.Dest, DataCoding: d.DataCoding, Body: d.ShortMessage, At: at}
	if len(in.Body) == 0 && len(d.Payload) > 0 {
		in.Body = d.Payload
	}
	if d.ESMClass&0x40 != 0 {
		if h, body, err := text.ParseUDH(in.Body); err == nil {
			in.Body = body
			if h.Concat && h.Total > 1 {
				in.Concat = &Concat{Ref: h.Ref, Total: h.Total, Seq: h.Seq}
			}
		}
	}
	if in.Concat == nil && d.SAR != nil && d.SAR.Total > 1 {
		in.Concat = &Concat{Ref: d.SAR.Ref, Total: d.SAR.Total, Seq: d.SAR.Seqnum}
	}
	return in
}

// DedupKey identifies an MO (or one part) across an operator's
// retransmissions: same operator, handset, short code, concatenation and
// content within the dedup window. Two identical texts sent on purpose
// within the window are taken as one: the documented price of dedup.
func (r *Router) DedupKey(in Inbound) string {
	h := sha256.New()
	bucket := in.At.UnixNano() / int64(r.DedupWindow)
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00%d\x00", in.Operator, in.From, in.To, in.DataCoding, bucket)
	if in.Concat != nil {
		fmt.Fprintf(h, "%d/%d/%d\x00", in.Concat.Ref, in.Concat.Total, in.Concat.Seq)
	}
	h.Write(in.Body)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Part is the stored form of one part of a concatenated MO.
func (r *Router) Part(in Inbound) persistence.MOPart {
	return persistence.MOPart{
		MOPartKey: persistence.MOPartKey{Operator: in.Operator, From: in.From, To: in.To, Ref: in.Concat.Ref, Total: in.Concat.Total},
		Seq:       in.Concat.Seq, DataCoding: in.DataCoding, Payload: in.Body, DedupKey: r.DedupKey(in), ReceivedAt: in.At,
	}
}

// Message builds the routed MO for a body (a single MO or an assembled one).
func (r *Router) Message(id, operator, from, to string, dc byte, body []byte, dedup string, at time.Time) (persistence.MO, time.Duration) {
	m := persistence.MO{ID: id, Operator: operator, From: from, To: to, DataCoding: dc, Payload: body, DedupKey: dedup, ReceivedAt: at}
	if s, err := text.Decode(dc, body); err == nil {
		m.Text = s
	}
	c, ok := r.customers[r.table.Lookup(to, m.Text)]
	if !ok {
		return m, 0
	}
	m.CustomerID = c.ID
	switch {
	case c.URL != "":
		m.Channel, m.URL = persistence.ChannelHTTP, c.URL
	case c.SMPP:
		m.Channel = persistence.ChannelSMPP
	}
	return m, c.TTL
}

// Assemble joins a set's parts in order. Parts of an incomplete set are
// joined as they are; missing ones are named in the second result.
func Assemble(set persistence.MOPartSet) (dc byte, body []byte, missing []int) {
	have := map[uint8]persistence.MOPart{}
	for _, p := range set.Parts {
		have[p.Seq] = p
	}
	for seq := uint8(1); seq <= set.Key.Total; seq++ {
		p, ok := have[seq]
		if !ok {
			missing = append(missing, int(seq))
			continue
		}
		if len(body) == 0 {
			dc = p.DataCoding
		}
		body = append(body, p.Payload...)
		if seq == 255 {
			break
		}
	}
	return dc, body, missing
}

// SetDedupKey is the identity of an assembled MO: that of its first
// stored part, so a retried assembly is a duplicate.
func SetDedupKey(set persistence.MOPartSet) string {
	if len(set.Parts) == 0 {
		return ""
	}
	return "set:" + set.Parts[0].DedupKey
}

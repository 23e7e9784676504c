package sqlstore

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"smsgw/persistence"
)

// Step is one statement of a write transaction.
type Step struct {
	SQL  string
	Args []any
	// Read consumes the rows of a statement that returns rows; nil for a
	// statement run for its effect only.
	Read func(Rows) error
}

// Batch is the statement list of one transaction and the results its steps
// fill in. Every op is a fixed list of statements whose conditions live in
// SQL (WHERE EXISTS, rank comparisons), so no statement depends on the Go
// side reading an earlier one: the crdb backend can send the whole list as
// one pipeline, and a retried transaction replays the same list.
type Batch struct {
	Steps   []Step
	Results [][]persistence.Result
	// initial holds what each result says before any statement ran.
	initial [][]persistence.Result
}

// Reset restores the results before the steps run (again, on a retry).
func (b *Batch) Reset() {
	for g := range b.Results {
		copy(b.Results[g], b.initial[g])
	}
}

// Validate rejects ops that no store could apply.
func Validate(ops []persistence.Op) error {
	for i, op := range ops {
		if err := validate(op); err != nil {
			return fmt.Errorf("persistence: op %d (%T): %w", i, op, err)
		}
	}
	return nil
}

func validate(op persistence.Op) error {
	switch o := op.(type) {
	case persistence.InsertMessage:
		m := o.Message
		switch {
		case m.ID == "" || m.CustomerID == "":
			return errors.New("message id and customer id are required")
		case m.Status != persistence.StatusAccepted && m.Status != persistence.StatusQueued:
			return fmt.Errorf("a new message is accepted or queued, not %q", m.Status)
		case len(o.Parts) == 0:
			return errors.New("a message needs at least one part")
		case m.Channel != "" && m.Channel != persistence.ChannelHTTP && m.Channel != persistence.ChannelSMPP:
			return fmt.Errorf("unknown channel %q", m.Channel)
		case m.DeliveryTTL < 0:
			return errors.New("negative delivery ttl")
		}
	case persistence.SetPartStatus:
		switch {
		case o.MessageID == "":
			return errors.New("message id is required")
		case o.Status.Rank() == 0:
			return fmt.Errorf("unknown status %q", o.Status)
		case o.OperatorID != "" && o.Operator == "":
			return errors.New("an operator message id needs its operator")
		}
	case persistence.MatchDR:
		switch {
		case o.Operator == "" || len(o.Candidates) == 0:
			return errors.New("operator and candidates are required")
		case o.Status.Rank() == 0:
			return fmt.Errorf("unknown status %q", o.Status)
		}
	case persistence.CallbackDone:
		if o.ID == "" {
			return errors.New("id is required")
		}
	case persistence.CallbackRetry:
		if o.ID == "" {
			return errors.New("id is required")
		}
	default:
		return validateMO(op)
	}
	return nil
}

func validateMO(op persistence.Op) error {
	switch o := op.(type) {
	case persistence.InsertMO:
		m := o.MO
		switch {
		case m.ID == "" || m.Operator == "":
			return errors.New("mo id and operator are required")
		case m.Channel != "" && m.Channel != persistence.ChannelHTTP && m.Channel != persistence.ChannelSMPP:
			return fmt.Errorf("unknown channel %q", m.Channel)
		case (m.CustomerID == "") != (m.Channel == ""):
			return errors.New("a routed mo needs both customer and channel, an unrouted one neither")
		case m.Channel == persistence.ChannelHTTP && m.URL == "":
			return errors.New("an http mo needs its callback url")
		case o.DeliveryTTL < 0:
			return errors.New("negative delivery ttl")
		}
	case persistence.InsertMOPart:
		p := o.Part
		switch {
		case p.Operator == "":
			return errors.New("operator is required")
		case p.Total == 0 || p.Seq == 0 || p.Seq > p.Total:
			return fmt.Errorf("part %d of %d", p.Seq, p.Total)
		}
	case persistence.DeleteMOParts:
		if o.Key.Operator == "" || o.Key.Total == 0 {
			return errors.New("operator and total are required")
		}
	case persistence.EnqueueDelivery:
		d := o.Delivery
		switch {
		case d.ID == "" || d.CustomerID == "":
			return errors.New("delivery id and customer id are required")
		case d.Kind == persistence.KindDR && d.MessageID == "":
			return errors.New("a dr delivery needs its message id")
		case d.Kind == persistence.KindMO && d.MOID == "":
			return errors.New("an mo delivery needs its mo id")
		case d.Kind != persistence.KindDR && d.Kind != persistence.KindMO:
			return fmt.Errorf("unknown kind %q", d.Kind)
		}
	case persistence.DeliveryDone:
		if o.ID == "" {
			return errors.New("id is required")
		}
	case persistence.DeliveryRetry:
		if o.ID == "" {
			return errors.New("id is required")
		}
	default:
		return errors.New("unknown op")
	}
	return nil
}

// NewBatch turns the groups of one transaction into statements. Ids and
// times are fixed here, outside any retried closure.
func NewBatch(groups [][]persistence.Op, now time.Time) (*Batch, error) {
	b := &Batch{Results: make([][]persistence.Result, len(groups)), initial: make([][]persistence.Result, len(groups))}
	for g, ops := range groups {
		if err := Validate(ops); err != nil {
			return nil, err
		}
		b.Results[g] = make([]persistence.Result, len(ops))
		b.initial[g] = make([]persistence.Result, len(ops))
		for i, op := range ops {
			res := &b.Results[g][i]
			b.initial[g][i] = initialResult(op)
			switch o := op.(type) {
			case persistence.InsertMessage:
				b.insertMessage(o, res, now)
			case persistence.SetPartStatus:
				b.setPartStatus(o, res, now)
			case persistence.MatchDR:
				b.matchDR(o, res, now)
			case persistence.CallbackDone:
				b.add(`UPDATE outbox SET done = 1 WHERE id = $1 AND done = 0 RETURNING message_id`,
					[]any{o.ID}, func(r Rows) error { return readApplied(r, res) })
			case persistence.CallbackRetry:
				b.add(`UPDATE outbox SET attempts = attempts + 1, next_ns = $2, last_error = $3 WHERE id = $1 AND done = 0 RETURNING message_id`,
					[]any{o.ID, o.NextAt.UnixNano(), o.LastError}, func(r Rows) error { return readApplied(r, res) })
			default:
				b.moOp(op, res, now)
			}
		}
	}
	return b, nil
}

func initialResult(op persistence.Op) persistence.Result {
	switch o := op.(type) {
	case persistence.InsertMessage:
		return persistence.Result{MessageID: o.Message.ID, RequestHash: o.Message.RequestHash, MessageStatus: o.Message.Status}
	case persistence.SetPartStatus:
		return persistence.Result{MessageID: o.MessageID, Part: o.Part}
	case persistence.InsertMO:
		return persistence.Result{MOID: o.MO.ID}
	}
	return persistence.Result{}
}

func (b *Batch) add(sql string, args []any, read func(Rows) error) {
	b.Steps = append(b.Steps, Step{SQL: sql, Args: args, Read: read})
}

// params numbers placeholders as arguments are added.
type params struct{ args []any }

func (p *params) add(v any) string {
	p.args = append(p.args, v)
	return "$" + strconv.Itoa(len(p.args))
}

func nanos(t, now time.Time) int64 {
	if t.IsZero() {
		return now.UnixNano()
	}
	return t.UnixNano()
}

const insertEvent = `INSERT INTO events (id, message_id, part, type, status_rank, detail, at_ns) `

func (b *Batch) insertMessage(o persistence.InsertMessage, res *persistence.Result, now time.Time) {
	m := o.Message
	rank := int64(m.Status.Rank())
	created := nanos(m.CreatedAt, now)
	var key any
	if m.IdempotencyKey != "" {
		key = m.IdempotencyKey
	}
	b.add(`INSERT INTO messages (id, customer_id, client_ref, idempotency_key, request_hash, sender, recipient,
			data_coding, route, callback_url, registered_delivery, status_rank, part_count, created_ns, updated_ns)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING`,
		[]any{m.ID, m.CustomerID, m.ClientRef, key, m.RequestHash, m.From, m.To, int64(m.DataCoding),
			strings.Join(m.Route, ","), m.CallbackURL, boolInt(m.RegisteredDelivery), rank, int64(len(o.Parts)), created, now.UnixNano()}, nil)
	if m.IdempotencyKey != "" {
		b.add(`SELECT id, request_hash FROM messages WHERE customer_id = $1 AND idempotency_key = $2`,
			[]any{m.CustomerID, m.IdempotencyKey}, func(r Rows) error {
				// A replay of this very message (same id) is not a duplicate.
				if !r.Next() {
					return r.Err()
				}
				var id, hash string
				if err := r.Scan(&id, &hash); err != nil {
					return err
				}
				if id != m.ID {
					res.Duplicate, res.MessageID, res.RequestHash, res.MessageStatus = true, id, hash, ""
				}
				return r.Err()
			})
	}
	if m.Channel == persistence.ChannelSMPP {
		ttl := m.DeliveryTTL
		if ttl == 0 {
			ttl = persistence.DefaultDeliveryTTL
		}
		b.add(`INSERT INTO message_channels (message_id, channel, delivery_ttl_ns) SELECT $1, $2, $3
			WHERE EXISTS (SELECT 1 FROM messages WHERE id = $1) ON CONFLICT DO NOTHING`,
			[]any{m.ID, m.Channel, int64(ttl)}, nil)
	}
	evType := "mt_" + string(m.Status)
	for _, p := range o.Parts {
		payload := p.Payload
		if payload == nil {
			payload = []byte{}
		}
		// Parts and events only follow a message row with this id: when
		// the idempotency key was taken the insert above did nothing.
		b.add(`INSERT INTO parts (message_id, part, data_coding, esm_class, payload, status_rank,
				operator_name, operator_msg_id, last_error, updated_ns)
			SELECT $1, $2, $3, $4, $5, $6, '', '', '', $7
			WHERE EXISTS (SELECT 1 FROM messages WHERE id = $1) ON CONFLICT DO NOTHING`,
			[]any{m.ID, int64(p.Index), int64(p.DataCoding), int64(p.ESMClass), payload, rank, now.UnixNano()}, nil)
		b.add(insertEvent+`SELECT $1, $2, $3, $4, $5, '', $6
			WHERE EXISTS (SELECT 1 FROM parts WHERE message_id = $2 AND part = $3 AND status_rank = $5) ON CONFLICT DO NOTHING`,
			[]any{ulid.Make().String(), m.ID, int64(p.Index), evType, rank, created}, nil)
	}
}

func (b *Batch) setPartStatus(o persistence.SetPartStatus, res *persistence.Result, now time.Time) {
	rank := int64(o.Status.Rank())
	at := nanos(o.At, now)
	evType := o.EventType
	if evType == "" {
		evType = "mt_" + string(o.Status)
	}

	var p params
	set := "status_rank = " + p.add(rank) + ", updated_ns = " + p.add(now.UnixNano())
	if o.Operator != "" {
		set += ", operator_name = " + p.add(o.Operator)
	}
	if o.OperatorID != "" {
		set += ", operator_msg_id = " + p.add(o.OperatorID)
	}
	if o.Error != "" {
		set += ", last_error = " + p.add(o.Error)
	}
	b.add(`UPDATE parts SET `+set+` WHERE message_id = `+p.add(o.MessageID)+` AND part = `+p.add(int64(o.Part))+
		` AND status_rank < $1 AND status_rank < 100 RETURNING part`, p.args, func(r Rows) error {
		res.Applied = r.Next()
		return r.Err()
	})
	b.add(insertEvent+`SELECT $1, $2, $3, $4, $5, $6, $7
		WHERE EXISTS (SELECT 1 FROM parts WHERE message_id = $2 AND part = $3 AND status_rank = $5) ON CONFLICT DO NOTHING`,
		[]any{ulid.Make().String(), o.MessageID, int64(o.Part), evType, rank, o.Error, at}, nil)

	if o.OperatorID != "" {
		canon := persistence.CanonicalOperatorID(o.OperatorID)
		b.add(`INSERT INTO op_index (operator_name, operator_msg_id, message_id, part) SELECT $1, $2, $3, $4
			WHERE EXISTS (SELECT 1 FROM parts WHERE message_id = $3 AND part = $4) ON CONFLICT DO NOTHING`,
			[]any{o.Operator, canon, o.MessageID, int64(o.Part)}, nil)
		// A DR that arrived before this submit_sm_resp: apply the highest
		// buffered status, record its event, then drop every candidate row
		// of the buffered DRs.
		b.add(`UPDATE parts SET status_rank = d.status_rank, last_error = d.last_error, updated_ns = $5
			FROM (SELECT status_rank, last_error FROM pending_drs WHERE operator_name = $1 AND operator_msg_id = $2
				ORDER BY status_rank DESC LIMIT 1) AS d
			WHERE parts.message_id = $3 AND parts.part = $4 AND parts.status_rank < d.status_rank AND parts.status_rank < 100
			RETURNING parts.part`,
			[]any{o.Operator, canon, o.MessageID, int64(o.Part), now.UnixNano()}, func(r Rows) error {
				res.AppliedDR = r.Next()
				return r.Err()
			})
		b.add(insertEvent+`SELECT $1, $2, $3, 'dr_received', d.status_rank, d.last_error, d.at_ns FROM pending_drs d
			WHERE d.operator_name = $4 AND d.operator_msg_id = $5
			AND EXISTS (SELECT 1 FROM parts p WHERE p.message_id = $2 AND p.part = $3 AND p.status_rank = d.status_rank)
			ORDER BY d.status_rank DESC LIMIT 1 ON CONFLICT DO NOTHING`,
			[]any{ulid.Make().String(), o.MessageID, int64(o.Part), o.Operator, canon}, nil)
		b.add(`DELETE FROM pending_drs WHERE dr_id IN
			(SELECT dr_id FROM pending_drs WHERE operator_name = $1 AND operator_msg_id = $2)`,
			[]any{o.Operator, canon}, nil)
	}
	b.deriveMessage(func(p *params) string { return p.add(o.MessageID) }, res, now)
}

func (b *Batch) matchDR(o persistence.MatchDR, res *persistence.Result, now time.Time) {
	rank := int64(o.Status.Rank())
	at := nanos(o.At, now)
	// match is the op_index lookup; every statement below repeats it so
	// that none needs the Go side to read an earlier one.
	match := func(p *params, cols string) string {
		in := make([]string, len(o.Candidates))
		for i, c := range o.Candidates {
			in[i] = p.add(c)
		}
		return `SELECT ` + cols + ` FROM op_index WHERE operator_name = ` + p.add(o.Operator) +
			` AND operator_msg_id IN (` + strings.Join(in, ", ") + `) ORDER BY message_id, part LIMIT 1`
	}

	var p params
	b.add(match(&p, "message_id, part"), p.args, func(r Rows) error {
		if !r.Next() {
			return r.Err()
		}
		var part int64
		if err := r.Scan(&res.MessageID, &part); err != nil {
			return err
		}
		res.Matched, res.Part = true, int(part)
		return r.Err()
	})

	p = params{}
	set := "status_rank = " + p.add(rank) + ", updated_ns = " + p.add(now.UnixNano())
	if o.Error != "" {
		set += ", last_error = " + p.add(o.Error)
	}
	b.add(`UPDATE parts SET `+set+` FROM (`+match(&p, "message_id, part")+`) AS x
		WHERE parts.message_id = x.message_id AND parts.part = x.part
		AND parts.status_rank < $1 AND parts.status_rank < 100 RETURNING parts.part`, p.args, func(r Rows) error {
		res.Applied = r.Next()
		return r.Err()
	})

	p = params{}
	sel := `SELECT ` + p.add(ulid.Make().String()) + `, pt.message_id, pt.part, 'dr_received', ` + p.add(rank) + `, ` +
		p.add(o.Error) + `, ` + p.add(at) + ` FROM parts pt JOIN (` + match(&p, "message_id, part") + `) AS x
		ON pt.message_id = x.message_id AND pt.part = x.part WHERE pt.status_rank = $2 ON CONFLICT DO NOTHING`
	b.add(insertEvent+sel, p.args, nil)

	drID := ulid.Make().String()
	for _, c := range o.Candidates {
		p = params{}
		vals := p.add(o.Operator) + ", " + p.add(c) + ", " + p.add(rank) + ", " + p.add(drID) + ", " + p.add(o.Error) + ", " + p.add(at)
		b.add(`INSERT INTO pending_drs (operator_name, operator_msg_id, status_rank, dr_id, last_error, at_ns)
			SELECT `+vals+` WHERE NOT EXISTS (`+match(&p, "1")+`) ON CONFLICT DO NOTHING`, p.args, nil)
	}

	b.deriveMessage(func(p *params) string { return "(" + match(p, "message_id") + ")" }, res, now)
}

// deriveMessage recomputes the message's rank from its parts: the lowest
// while some part is unfinished, else the highest (delivered only when all
// were). The rank only moves up, and a final message never changes again,
// so only the write that made it final sees a returned final rank. id
// renders the message id expression, adding its parameters.
func (b *Batch) deriveMessage(id func(*params) string, res *persistence.Result, now time.Time) {
	var p params
	idIn, idOut := id(&p), id(&p)
	b.add(`UPDATE messages SET status_rank = d.r, updated_ns = `+p.add(now.UnixNano())+`
		FROM (SELECT CASE WHEN MIN(status_rank) < 100 THEN MIN(status_rank) ELSE MAX(status_rank) END AS r
			FROM parts WHERE message_id = `+idIn+`) AS d
		WHERE messages.id = `+idOut+` AND messages.status_rank < d.r AND messages.status_rank < 100
		RETURNING messages.status_rank`, p.args, func(r Rows) error {
		if !r.Next() {
			return r.Err()
		}
		var rank int64
		if err := r.Scan(&rank); err != nil {
			return err
		}
		res.BecameFinal = rank >= 100
		return r.Err()
	})

	p = params{}
	b.add(`INSERT INTO outbox (id, message_id, attempts, next_ns, last_error, done)
		SELECT id || '.final', id, 0, `+p.add(now.UnixNano())+`, '', 0 FROM messages
		WHERE id = `+id(&p)+` AND status_rank >= 100 AND callback_url <> '' ON CONFLICT DO NOTHING`, p.args, nil)

	// The receipt owed over SMPP carries what the deliver_sm needs, so
	// reading it never joins the message (which may be pruned by then).
	p = params{}
	ns := now.UnixNano()
	b.add(`INSERT INTO deliveries (`+deliveryInsertCols+`)
		SELECT m.id || '.dr.smpp', m.customer_id, `+p.add(ulid.Make().String())+`, 'dr', m.id, 0, 0, `+p.add(ns)+`, `+p.add(ns)+`,
			CAST(`+p.add(ns)+` AS BIGINT) + c.delivery_ttl_ns, '', m.sender, m.recipient, m.data_coding, `+p.add([]byte{})+`, m.status_rank,
			COALESCE((SELECT pt.last_error FROM parts pt WHERE pt.message_id = m.id ORDER BY pt.status_rank DESC, pt.part LIMIT 1), ''),
			m.created_ns, m.updated_ns
		FROM messages m JOIN message_channels c ON c.message_id = m.id
		WHERE m.id = `+id(&p)+` AND m.status_rank >= 100 AND c.channel = 'smpp' ON CONFLICT DO NOTHING`, p.args, nil)

	p = params{}
	b.add(`SELECT status_rank FROM messages WHERE id = `+id(&p), p.args, func(r Rows) error {
		if !r.Next() {
			return r.Err()
		}
		var rank int64
		if err := r.Scan(&rank); err != nil {
			return err
		}
		res.MessageStatus = persistence.StatusOfRank(int(rank))
		return r.Err()
	})
}

func readApplied(r Rows, res *persistence.Result) error {
	if !r.Next() {
		return r.Err()
	}
	res.Applied = true
	if err := r.Scan(&res.MessageID); err != nil {
		return err
	}
	return r.Err()
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

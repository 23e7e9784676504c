package sqlstore

import (
	"errors"
	"fmt"
	"slices"
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
	// PendingDRs marks a statement that can only change something when
	// pending_drs holds rows: at the start of the transaction
	// (CheckPendingDRs tells) or buffered by a MatchDR before it.
	PendingDRs bool
	// AfterMatchDR is set when a MatchDR comes before the statement in the
	// batch: one that does not read the MatchDR's outcome must run it.
	AfterMatchDR bool
	// Skip, when set, reports from what earlier steps of this transaction
	// read that the statement cannot change or return anything. A runner
	// executing steps one by one leaves it out when Skip says so; a
	// pipelining runner cannot ask and runs it, and its SQL conditions
	// make it the no-op Skip predicted.
	Skip func() bool
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
	// state holds what Skip functions read besides the results.
	state []*opState
	// pendingDRs is whether pending_drs had rows when the transaction
	// began; true until CheckPendingDRs says otherwise.
	pendingDRs bool
	// buffered is set by a sequential runner once a MatchDR of this
	// attempt ran its buffering statement.
	buffered bool
	// sawMatchDR is set, while building, once a MatchDR is in the batch.
	sawMatchDR bool
}

// opState is what an op's derivation step read about its message.
type opState struct{ callback, smpp bool }

// Reset restores the results before the steps run (again, on a retry).
func (b *Batch) Reset() {
	for g := range b.Results {
		copy(b.Results[g], b.initial[g])
	}
	for _, st := range b.state {
		*st = opState{}
	}
	b.buffered = false
}

// Wanted reports whether step s is to be sent by a runner that cannot
// read earlier steps before sending it (a pipeline), given what
// CheckPendingDRs found.
func (b *Batch) Wanted(s Step) bool { return !s.PendingDRs || s.AfterMatchDR || b.pendingDRs }

// skipped reports whether a sequential runner, having read the earlier
// steps, leaves step s out.
func (b *Batch) skipped(s Step) bool {
	if s.PendingDRs && !b.pendingDRs && !b.buffered {
		return true
	}
	return s.Skip != nil && s.Skip()
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
	b := &Batch{Results: make([][]persistence.Result, len(groups)), initial: make([][]persistence.Result, len(groups)), pendingDRs: true}
	// The groups come from concurrent callers, so any order of them is a
	// valid order of the writes: single-op CallbackDone groups are taken
	// out of line and become one statement after the rest. (Unkeyed
	// InsertMessage groups as one multi-row insert per table were tried
	// too: exact, but the lifecycle benchmark on SQLite ran 14% slower.)
	var dones []setOp[persistence.CallbackDone]
	rest := make([]int, 0, len(groups))
	for g, ops := range groups {
		if err := Validate(ops); err != nil {
			return nil, err
		}
		b.Results[g] = make([]persistence.Result, len(ops))
		b.initial[g] = make([]persistence.Result, len(ops))
		for i, op := range ops {
			b.initial[g][i] = initialResult(op)
		}
		if len(ops) == 1 {
			if o, ok := ops[0].(persistence.CallbackDone); ok {
				dones = append(dones, setOp[persistence.CallbackDone]{o, &b.Results[g][0]})
				continue
			}
		}
		rest = append(rest, g)
	}
	for _, g := range rest {
		for i, op := range groups[g] {
			res := &b.Results[g][i]
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
	b.callbacksDone(dones)
	return b, nil
}

// setOp is an op run by a set-based statement, with its result.
type setOp[T any] struct {
	op  T
	res *persistence.Result
}

// maxSetRows bounds the rows of one set-based statement, keeping its
// parameters under the limits of SQLite and PostgreSQL.
const maxSetRows = 500

// padded repeats the last op up to the next power of two, so that the
// statement has one of a few shapes that the SQLite backend keeps
// prepared. A repeated row conflicts with its original and does nothing;
// a repeated id matches the one row once.
func padded[T any](ops []T) []T {
	n := 1
	for n < len(ops) {
		n *= 2
	}
	out := slices.Grow(ops[:len(ops):len(ops)], n-len(ops))
	for len(out) < n {
		out = append(out, ops[len(ops)-1])
	}
	return out
}

// callbacksDone adds one UPDATE for single-op CallbackDone groups. Of two
// ops with one id the first is applied, as one by one.
func (b *Batch) callbacksDone(ops []setOp[persistence.CallbackDone]) {
	for len(ops) > 0 {
		n := min(len(ops), maxSetRows)
		chunk := padded(ops[:n])
		ops = ops[n:]
		var p params
		in := make([]string, len(chunk))
		byID := make(map[string][]*persistence.Result, len(chunk))
		for i, o := range chunk {
			in[i] = p.add(o.op.ID)
			byID[o.op.ID] = append(byID[o.op.ID], o.res)
		}
		b.add(`UPDATE outbox SET done = 1 WHERE id IN (`+strings.Join(in, ", ")+`) AND done = 0 RETURNING id, message_id`,
			p.args, func(r Rows) error {
				for r.Next() {
					var id, msg string
					if err := r.Scan(&id, &msg); err != nil {
						return err
					}
					if rs := byID[id]; len(rs) > 0 {
						rs[0].Applied, rs[0].MessageID = true, msg
					}
				}
				return r.Err()
			})
	}
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

// addIf adds a step that runs only when skip (if any) returns false and,
// with ifPending, pending_drs may hold rows for it.
func (b *Batch) addIf(ifPending bool, skip func() bool, sql string, args []any, read func(Rows) error) {
	b.Steps = append(b.Steps, Step{SQL: sql, Args: args, Read: read, PendingDRs: ifPending, AfterMatchDR: b.sawMatchDR, Skip: skip})
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
	// A part that did not move already has the event of its rank: every
	// write that moves a part inserts it in the same transaction.
	notApplied := func() bool { return !res.Applied }
	b.addIf(false, notApplied, insertEvent+`SELECT $1, $2, $3, $4, $5, $6, $7
		WHERE EXISTS (SELECT 1 FROM parts WHERE message_id = $2 AND part = $3 AND status_rank = $5) ON CONFLICT DO NOTHING`,
		[]any{ulid.Make().String(), o.MessageID, int64(o.Part), evType, rank, o.Error, at}, nil)

	if o.OperatorID != "" {
		canon := persistence.CanonicalOperatorID(o.OperatorID)
		b.add(`INSERT INTO op_index (operator_name, operator_msg_id, message_id, part) SELECT $1, $2, $3, $4
			WHERE EXISTS (SELECT 1 FROM parts WHERE message_id = $3 AND part = $4) ON CONFLICT DO NOTHING`,
			[]any{o.Operator, canon, o.MessageID, int64(o.Part)}, nil)
		// A DR that arrived before this submit_sm_resp: apply the highest
		// buffered status, record its event, then drop every candidate row
		// of the buffered DRs. None of it can act on an empty pending_drs.
		b.addIf(true, nil, `UPDATE parts SET status_rank = d.status_rank, last_error = d.last_error, updated_ns = $5
			FROM (SELECT status_rank, last_error FROM pending_drs WHERE operator_name = $1 AND operator_msg_id = $2
				ORDER BY status_rank DESC LIMIT 1) AS d
			WHERE parts.message_id = $3 AND parts.part = $4 AND parts.status_rank < d.status_rank AND parts.status_rank < 100
			RETURNING parts.part`,
			[]any{o.Operator, canon, o.MessageID, int64(o.Part), now.UnixNano()}, func(r Rows) error {
				res.AppliedDR = r.Next()
				return r.Err()
			})
		b.addIf(true, func() bool { return !res.AppliedDR }, insertEvent+`SELECT $1, $2, $3, 'dr_received', d.status_rank, d.last_error, d.at_ns FROM pending_drs d
			WHERE d.operator_name = $4 AND d.operator_msg_id = $5
			AND EXISTS (SELECT 1 FROM parts p WHERE p.message_id = $2 AND p.part = $3 AND p.status_rank = d.status_rank)
			ORDER BY d.status_rank DESC LIMIT 1 ON CONFLICT DO NOTHING`,
			[]any{ulid.Make().String(), o.MessageID, int64(o.Part), o.Operator, canon}, nil)
		b.addIf(true, nil, `DELETE FROM pending_drs WHERE dr_id IN
			(SELECT dr_id FROM pending_drs WHERE operator_name = $1 AND operator_msg_id = $2)`,
			[]any{o.Operator, canon}, nil)
	}
	// Only a final status or a buffered DR can make the message final.
	final := finality{final: o.Status.Final(), ifPending: o.OperatorID != ""}
	b.deriveMessage(func(p *params) string { return p.add(o.MessageID) }, res, nil, final, now)
}

func (b *Batch) matchDR(o persistence.MatchDR, res *persistence.Result, now time.Time) {
	rank := int64(o.Status.Rank())
	at := nanos(o.At, now)
	// match is the op_index lookup; every statement below repeats it so
	// that none needs the Go side to read an earlier one.
	// Each candidate is its own primary-key lookup: with IN (...) a
	// PostgreSQL generic plan made on a young table used the key's first
	// column only and filtered every row of the operator.
	match := func(p *params, cols string) string {
		op := p.add(o.Operator)
		in := make([]string, len(o.Candidates))
		for i, c := range o.Candidates {
			in[i] = `SELECT message_id, part FROM op_index WHERE operator_name = ` + op + ` AND operator_msg_id = ` + p.add(c)
		}
		return `SELECT ` + cols + ` FROM (` + strings.Join(in, " UNION ALL ") + `) AS k ORDER BY message_id, part LIMIT 1`
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

	// Without a match every statement but the buffering is a no-op; with
	// one the buffering is.
	unmatched := func() bool { return !res.Matched }
	p = params{}
	set := "status_rank = " + p.add(rank) + ", updated_ns = " + p.add(now.UnixNano())
	if o.Error != "" {
		set += ", last_error = " + p.add(o.Error)
	}
	b.addIf(false, unmatched, `UPDATE parts SET `+set+` FROM (`+match(&p, "message_id, part")+`) AS x
		WHERE parts.message_id = x.message_id AND parts.part = x.part
		AND parts.status_rank < $1 AND parts.status_rank < 100 RETURNING parts.part`, p.args, func(r Rows) error {
		res.Applied = r.Next()
		return r.Err()
	})

	p = params{}
	sel := `SELECT ` + p.add(ulid.Make().String()) + `, pt.message_id, pt.part, 'dr_received', ` + p.add(rank) + `, ` +
		p.add(o.Error) + `, ` + p.add(at) + ` FROM parts pt JOIN (` + match(&p, "message_id, part") + `) AS x
		ON pt.message_id = x.message_id AND pt.part = x.part WHERE pt.status_rank = $2 ON CONFLICT DO NOTHING`
	// As for SetPartStatus, a part that did not move has its event.
	b.addIf(false, func() bool { return !res.Applied }, insertEvent+sel, p.args, nil)

	// One row per candidate form, in one statement; VALUES columns are
	// named column1, ... by SQLite, PostgreSQL and CockroachDB alike.
	p = params{}
	cands := make([]string, len(o.Candidates))
	for i, c := range o.Candidates {
		cands[i] = "(" + p.add(c) + ")"
	}
	vals := p.add(o.Operator) + ", c.column1, " + p.add(rank) + ", " + p.add(ulid.Make().String()) + ", " + p.add(o.Error) + ", " + p.add(at)
	buffers := func() bool {
		if res.Matched {
			return true
		}
		b.buffered = true
		return false
	}
	b.addIf(false, buffers, `INSERT INTO pending_drs (operator_name, operator_msg_id, status_rank, dr_id, last_error, at_ns)
		SELECT `+vals+` FROM (VALUES `+strings.Join(cands, ", ")+`) AS c
		WHERE NOT EXISTS (`+match(&p, "1")+`) ON CONFLICT DO NOTHING`, p.args, nil)
	b.sawMatchDR = true

	b.deriveMessage(func(p *params) string { return "(" + match(p, "message_id") + ")" }, res, unmatched,
		finality{final: o.Status.Final()}, now)
}

// finality says whether a write can make its message final: final when
// its own status is final, ifPending when a buffered DR it applies could.
type finality struct{ final, ifPending bool }

// deriveMessage recomputes the message's rank from its parts: the lowest
// while some part is unfinished, else the highest (delivered only when all
// were). The rank only moves up, and a final message never changes again,
// so only the write that made it final sees a returned final rank. id
// renders the message id expression, adding its parameters; skip (if any)
// tells that no message is concerned.
func (b *Batch) deriveMessage(id func(*params) string, res *persistence.Result, skip func() bool, fin finality, now time.Time) {
	st := &opState{}
	b.state = append(b.state, st)
	or := func(f func() bool) func() bool {
		if skip == nil {
			return f
		}
		return func() bool { return skip() || f() }
	}
	var p params
	idIn, idOut := id(&p), id(&p)
	b.addIf(false, skip, `UPDATE messages SET status_rank = d.r, updated_ns = `+p.add(now.UnixNano())+`
		FROM (SELECT CASE WHEN MIN(status_rank) < 100 THEN MIN(status_rank) ELSE MAX(status_rank) END AS r
			FROM parts WHERE message_id = `+idIn+`) AS d
		WHERE messages.id = `+idOut+` AND messages.status_rank < d.r AND messages.status_rank < 100
		RETURNING messages.status_rank, messages.callback_url <> '',
			EXISTS (SELECT 1 FROM message_channels c WHERE c.message_id = messages.id AND c.channel = 'smpp')`, p.args, func(r Rows) error {
		if !r.Next() {
			return r.Err()
		}
		var rank int64
		if err := r.Scan(&rank, &st.callback, &st.smpp); err != nil {
			return err
		}
		res.MessageStatus = persistence.StatusOfRank(int(rank))
		res.BecameFinal = rank >= 100
		return r.Err()
	})

	// A message becomes final at most once, and the write that makes it so
	// queues what it owes: no other write can queue anything.
	if fin.final || fin.ifPending {
		ifPending := !fin.final
		p = params{}
		b.addIf(ifPending, or(func() bool { return !res.BecameFinal || !st.callback }), `INSERT INTO outbox (id, message_id, attempts, next_ns, last_error, done)
		SELECT id || '.final', id, 0, `+p.add(now.UnixNano())+`, '', 0 FROM messages
		WHERE id = `+id(&p)+` AND status_rank >= 100 AND callback_url <> '' ON CONFLICT DO NOTHING`, p.args, nil)

		// The receipt owed over SMPP carries what the deliver_sm needs, so
		// reading it never joins the message (which may be pruned by then).
		p = params{}
		ns := now.UnixNano()
		b.addIf(ifPending, or(func() bool { return !res.BecameFinal || !st.smpp }), `INSERT INTO deliveries (`+deliveryInsertCols+`)
		SELECT m.id || '.dr.smpp', m.customer_id, `+p.add(ulid.Make().String())+`, 'dr', m.id, 0, 0, `+p.add(ns)+`, `+p.add(ns)+`,
			CAST(`+p.add(ns)+` AS BIGINT) + c.delivery_ttl_ns, '', m.sender, m.recipient, m.data_coding, `+p.add([]byte{})+`, m.status_rank,
			COALESCE((SELECT pt.last_error FROM parts pt WHERE pt.message_id = m.id ORDER BY pt.status_rank DESC, pt.part LIMIT 1), ''),
			m.created_ns, m.updated_ns
		FROM messages m JOIN message_channels c ON c.message_id = m.id
		WHERE m.id = `+id(&p)+` AND m.status_rank >= 100 AND c.channel = 'smpp' ON CONFLICT DO NOTHING`, p.args, nil)
	}

	// The update above returned the status when it moved it; otherwise it
	// is read.
	p = params{}
	b.addIf(false, or(func() bool { return res.MessageStatus != "" }), `SELECT status_rank FROM messages WHERE id = `+id(&p), p.args, func(r Rows) error {
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

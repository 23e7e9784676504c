package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/oklog/ulid/v2"

	"smsgw/persistence"
)

// deliveryInsertCols is the column order of every INSERT INTO deliveries.
const deliveryInsertCols = `id, customer_id, seq, kind, ref_id, state, attempts, next_ns, created_ns, expires_ns, last_error,
	sender, recipient, data_coding, payload, status_rank, op_error, submit_ns, done_ns`

// Delivery states.
const (
	deliveryPending = 0
	deliveryDone    = 1
	deliveryExpired = 2
)

// moOp adds the statements of the MO and delivery ops.
func (b *Batch) moOp(op persistence.Op, res *persistence.Result, now time.Time) {
	switch o := op.(type) {
	case persistence.InsertMO:
		b.insertMO(o, res, now)
	case persistence.InsertMOPart:
		b.insertMOPart(o.Part, res, now)
	case persistence.DeleteMOParts:
		k := o.Key
		keyArgs := []any{k.Operator, k.From, k.To, int64(k.Ref), int64(k.Total)}
		b.add(`INSERT INTO mo_part_keys (dedup_key, at_ns) SELECT dedup_key, $6 FROM mo_parts
			WHERE `+partKeyWhere+` AND dedup_key IS NOT NULL ON CONFLICT DO NOTHING`,
			append(keyArgs, now.UnixNano()), nil)
		b.add(`DELETE FROM mo_parts WHERE `+partKeyWhere+` RETURNING seq`, keyArgs, func(r Rows) error {
			res.Applied = r.Next()
			return r.Err()
		})
	case persistence.EnqueueDelivery:
		b.enqueueDelivery(o.Delivery, res, now)
	case persistence.DeliveryDone:
		b.add(`UPDATE deliveries SET state = 1 WHERE id = $1 AND state = 0 RETURNING id`, []any{o.ID}, func(r Rows) error {
			res.Applied = r.Next()
			return r.Err()
		})
	case persistence.DeliveryRetry:
		b.add(`UPDATE deliveries SET attempts = attempts + 1, next_ns = $2, last_error = $3 WHERE id = $1 AND state = 0 RETURNING id`,
			[]any{o.ID, o.NextAt.UnixNano(), o.LastError}, func(r Rows) error {
				res.Applied = r.Next()
				return r.Err()
			})
	}
}

const partKeyWhere = `operator_name = $1 AND sender = $2 AND recipient = $3 AND ref = $4 AND total = $5`

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func orEmpty(p []byte) []byte {
	if p == nil {
		return []byte{}
	}
	return p
}

func (b *Batch) insertMO(o persistence.InsertMO, res *persistence.Result, now time.Time) {
	m := o.MO
	received := nanos(m.ReceivedAt, now)
	b.add(`INSERT INTO mos (id, operator_name, sender, recipient, data_coding, payload, body, customer_id, channel, url, dedup_key, received_ns)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
		[]any{m.ID, m.Operator, m.From, m.To, int64(m.DataCoding), orEmpty(m.Payload), m.Text, m.CustomerID, m.Channel, m.URL,
			nullable(m.DedupKey), received}, nil)
	if m.DedupKey != "" {
		b.add(`SELECT id FROM mos WHERE dedup_key = $1`, []any{m.DedupKey}, func(r Rows) error {
			if !r.Next() {
				return r.Err()
			}
			var id string
			if err := r.Scan(&id); err != nil {
				return err
			}
			// A replay of this very MO (same id) is not a duplicate.
			if id != m.ID {
				res.Duplicate, res.MOID = true, id
			}
			return r.Err()
		})
	}
	// The delivery follows only an MO row with this id: a duplicate wrote
	// none, a replay finds the delivery already there.
	switch m.Channel {
	case persistence.ChannelSMPP:
		ttl := o.DeliveryTTL
		if ttl == 0 {
			ttl = persistence.DefaultDeliveryTTL
		}
		b.add(`INSERT INTO deliveries (`+deliveryInsertCols+`)
			SELECT id || '.mo.smpp', customer_id, $1, 'mo', id, 0, 0, $2, $2, $3, '', sender, recipient, data_coding, payload, 0, '', 0, 0
			FROM mos WHERE id = $4 ON CONFLICT DO NOTHING`,
			[]any{ulid.Make().String(), now.UnixNano(), received + int64(ttl), m.ID}, nil)
	case persistence.ChannelHTTP:
		b.add(`INSERT INTO outbox (id, message_id, attempts, next_ns, last_error, done)
			SELECT id || '.mo', id, 0, $1, '', 0 FROM mos WHERE id = $2 ON CONFLICT DO NOTHING`,
			[]any{now.UnixNano(), m.ID}, nil)
	}
}

func (b *Batch) insertMOPart(p persistence.MOPart, res *persistence.Result, now time.Time) {
	keyArgs := []any{p.Operator, p.From, p.To, int64(p.Ref), int64(p.Total)}
	// A part whose DedupKey belongs to an assembled set is a late
	// retransmission, not the start of a new set.
	b.add(`INSERT INTO mo_parts (operator_name, sender, recipient, ref, total, seq, data_coding, payload, dedup_key, received_ns)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
		WHERE NOT EXISTS (SELECT 1 FROM mo_part_keys WHERE dedup_key = $9) ON CONFLICT DO NOTHING RETURNING seq`,
		append(keyArgs, int64(p.Seq), int64(p.DataCoding), orEmpty(p.Payload), nullable(p.DedupKey), nanos(p.ReceivedAt, now)),
		func(r Rows) error {
			res.Duplicate = !r.Next()
			return r.Err()
		})
	b.add(`SELECT seq, data_coding, payload, COALESCE(dedup_key, ''), received_ns FROM mo_parts WHERE `+partKeyWhere+` ORDER BY seq`,
		keyArgs, func(r Rows) error {
			set, err := scanPartSet(r, p.MOPartKey)
			if err != nil {
				return err
			}
			res.PartsStored = len(set.Parts)
			if len(set.Parts) >= int(p.Total) {
				res.PartSet = set
			}
			return nil
		})
}

// scanPartSet reads rows of (seq, data_coding, payload, dedup_key,
// received_ns) of one set.
func scanPartSet(r Rows, key persistence.MOPartKey) (*persistence.MOPartSet, error) {
	set := &persistence.MOPartSet{Key: key}
	for r.Next() {
		var (
			seq, dc, at int64
			pt          = persistence.MOPart{MOPartKey: key}
		)
		if err := r.Scan(&seq, &dc, &pt.Payload, &pt.DedupKey, &at); err != nil {
			return nil, err
		}
		pt.Seq, pt.DataCoding, pt.ReceivedAt = uint8(seq), byte(dc), fromNanos(at)
		set.Parts = append(set.Parts, pt)
	}
	return set, r.Err()
}

func (b *Batch) enqueueDelivery(d persistence.Delivery, res *persistence.Result, now time.Time) {
	ref := d.MessageID
	if d.Kind == persistence.KindMO {
		ref = d.MOID
	}
	seq := d.Seq
	if seq == "" {
		seq = ulid.Make().String()
	}
	created := nanos(d.CreatedAt, now)
	expires := created + int64(persistence.DefaultDeliveryTTL)
	if !d.ExpiresAt.IsZero() {
		expires = d.ExpiresAt.UnixNano()
	}
	next := created
	if !d.NextAt.IsZero() {
		next = d.NextAt.UnixNano()
	}
	var submit, done int64
	if !d.SubmittedAt.IsZero() {
		submit = d.SubmittedAt.UnixNano()
	}
	if !d.DoneAt.IsZero() {
		done = d.DoneAt.UnixNano()
	}
	b.add(`INSERT INTO deliveries (`+deliveryInsertCols+`)
		VALUES ($1, $2, $3, $4, $5, 0, 0, $6, $7, $8, '', $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT DO NOTHING RETURNING id`,
		[]any{d.ID, d.CustomerID, seq, d.Kind, ref, next, created, expires, d.From, d.To, int64(d.DataCoding),
			orEmpty(d.Payload), int64(d.Status.Rank()), d.Error, submit, done},
		func(r Rows) error {
			res.Applied = r.Next()
			return r.Err()
		})
}

const deliveryCols = `id, customer_id, seq, kind, ref_id, attempts, next_ns, created_ns, expires_ns, last_error,
	sender, recipient, data_coding, payload, status_rank, op_error, submit_ns, done_ns`

func scanDeliveries(rows Rows) ([]persistence.Delivery, error) {
	var out []persistence.Delivery
	for rows.Next() {
		var (
			d                                                     persistence.Delivery
			ref                                                   string
			attempts, next, created, expires, dc, rank, sub, done int64
		)
		if err := rows.Scan(&d.ID, &d.CustomerID, &d.Seq, &d.Kind, &ref, &attempts, &next, &created, &expires, &d.LastError,
			&d.From, &d.To, &dc, &d.Payload, &rank, &d.Error, &sub, &done); err != nil {
			return nil, err
		}
		if d.Kind == persistence.KindMO {
			d.MOID = ref
		} else {
			d.MessageID = ref
		}
		d.Attempts, d.NextAt, d.CreatedAt, d.ExpiresAt = int(attempts), fromNanos(next), fromNanos(created), fromNanos(expires)
		d.DataCoding, d.Status = byte(dc), persistence.StatusOfRank(int(rank))
		if sub != 0 {
			d.SubmittedAt = fromNanos(sub)
		}
		if done != 0 {
			d.DoneAt = fromNanos(done)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// PendingDeliveries lists a customer's deliveries neither done nor expired
// at now, in seq order.
func PendingDeliveries(ctx context.Context, c Conn, customerID string, now time.Time, limit int) ([]persistence.Delivery, error) {
	rows, err := c.Query(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE customer_id = $1 AND state = 0 AND expires_ns > $2
		ORDER BY seq LIMIT $3`, customerID, now.UnixNano(), int64(limit))
	if err != nil {
		return nil, fmt.Errorf("read pending deliveries of %s: %w", customerID, err)
	}
	defer rows.Close()
	out, err := scanDeliveries(rows)
	if err != nil {
		return nil, fmt.Errorf("read pending deliveries of %s: %w", customerID, err)
	}
	return out, nil
}

// ExpireDeliveries marks up to limit pending deliveries expired at now and
// returns them in expiry order.
func ExpireDeliveries(ctx context.Context, c Conn, now time.Time, limit int) ([]persistence.Delivery, error) {
	rows, err := c.Query(ctx, `UPDATE deliveries SET state = 2 WHERE id IN
		(SELECT id FROM deliveries WHERE state = 0 AND expires_ns <= $1 ORDER BY expires_ns, id LIMIT $2)
		RETURNING `+deliveryCols, now.UnixNano(), int64(limit))
	if err != nil {
		return nil, fmt.Errorf("expire deliveries: %w", err)
	}
	defer rows.Close()
	out, err := scanDeliveries(rows)
	if err != nil {
		return nil, fmt.Errorf("expire deliveries: %w", err)
	}
	slices.SortFunc(out, func(a, b persistence.Delivery) int {
		return cmp.Or(a.ExpiresAt.Compare(b.ExpiresAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// ExpiredMOParts returns up to limit part sets whose first part arrived
// before olderThan, oldest first.
func ExpiredMOParts(ctx context.Context, c Conn, olderThan time.Time, limit int) ([]persistence.MOPartSet, error) {
	rows, err := c.Query(ctx, `SELECT p.operator_name, p.sender, p.recipient, p.ref, p.total, p.seq, p.data_coding, p.payload,
			COALESCE(p.dedup_key, ''), p.received_ns
		FROM mo_parts p JOIN (SELECT operator_name, sender, recipient, ref, total, MIN(received_ns) AS first_ns FROM mo_parts
			GROUP BY operator_name, sender, recipient, ref, total HAVING MIN(received_ns) < $1
			ORDER BY first_ns, operator_name, sender, recipient, ref, total LIMIT $2) AS s
		ON p.operator_name = s.operator_name AND p.sender = s.sender AND p.recipient = s.recipient AND p.ref = s.ref AND p.total = s.total
		ORDER BY s.first_ns, p.operator_name, p.sender, p.recipient, p.ref, p.total, p.seq`, olderThan.UnixNano(), int64(limit))
	if err != nil {
		return nil, fmt.Errorf("read expired mo parts: %w", err)
	}
	defer rows.Close()
	var out []persistence.MOPartSet
	for rows.Next() {
		var (
			pt                      persistence.MOPart
			ref, total, seq, dc, at int64
		)
		if err := rows.Scan(&pt.Operator, &pt.From, &pt.To, &ref, &total, &seq, &dc, &pt.Payload, &pt.DedupKey, &at); err != nil {
			return nil, fmt.Errorf("scan expired mo part: %w", err)
		}
		pt.Ref, pt.Total, pt.Seq, pt.DataCoding, pt.ReceivedAt = uint16(ref), uint8(total), uint8(seq), byte(dc), fromNanos(at)
		if n := len(out); n == 0 || out[n-1].Key != pt.MOPartKey {
			out = append(out, persistence.MOPartSet{Key: pt.MOPartKey})
		}
		out[len(out)-1].Parts = append(out[len(out)-1].Parts, pt)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read expired mo parts: %w", err)
	}
	return out, nil
}

const moCols = `mo.id, mo.operator_name, mo.sender, mo.recipient, mo.data_coding, mo.payload, mo.body, mo.customer_id, mo.channel, mo.url,
	COALESCE(mo.dedup_key, ''), mo.received_ns`

// dueMOCallbacks lists the outbox entries of MOs due at now.
func dueMOCallbacks(ctx context.Context, c Conn, now time.Time, limit int) ([]persistence.Callback, error) {
	rows, err := c.Query(ctx, `SELECT `+moCols+`, o.id, o.attempts, o.next_ns FROM outbox o JOIN mos mo ON mo.id = o.message_id
		WHERE o.done = 0 AND o.next_ns <= $1 ORDER BY o.next_ns, o.id LIMIT $2`, now.UnixNano(), int64(limit))
	if err != nil {
		return nil, fmt.Errorf("read due mo callbacks: %w", err)
	}
	defer rows.Close()
	var out []persistence.Callback
	for rows.Next() {
		var (
			cb                      persistence.Callback
			m                       persistence.MO
			dc, received, att, next int64
		)
		if err := rows.Scan(&m.ID, &m.Operator, &m.From, &m.To, &dc, &m.Payload, &m.Text, &m.CustomerID, &m.Channel, &m.URL,
			&m.DedupKey, &received, &cb.ID, &att, &next); err != nil {
			return nil, fmt.Errorf("scan due mo callback: %w", err)
		}
		m.DataCoding, m.ReceivedAt = byte(dc), fromNanos(received)
		cb.Kind, cb.MessageID, cb.CustomerID, cb.URL, cb.Attempts, cb.NextAt, cb.MO = persistence.KindMO, m.ID, m.CustomerID, m.URL,
			int(att), fromNanos(next), &m
		out = append(out, cb)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read due mo callbacks: %w", err)
	}
	return out, nil
}

// pruneMOs deletes up to limit MOs received before the cutoff whose
// callback and delivery are no longer owed, with those rows; then finished
// deliveries whose message or MO is gone, MO parts and remembered part keys
// older than the cutoff.
func pruneMOs(ctx context.Context, c Conn, before time.Time, limit int) (int, error) {
	ids, err := selectIDs(ctx, c, `SELECT mo.id FROM mos mo WHERE mo.received_ns < $1
		AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = mo.id AND o.done = 0)
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.ref_id = mo.id AND d.state = 0 AND d.expires_ns >= $1)
		ORDER BY mo.received_ns, mo.id LIMIT $2`, before.UnixNano(), int64(limit))
	if err != nil {
		return 0, fmt.Errorf("select prunable mos: %w", err)
	}
	if err := deleteIn(ctx, c, ids, `outbox WHERE message_id`, `deliveries WHERE ref_id`, `mos WHERE id`); err != nil {
		return 0, fmt.Errorf("prune mos: %w", err)
	}
	for _, q := range []string{
		`DELETE FROM deliveries WHERE id IN (SELECT d.id FROM deliveries d WHERE d.state <> 0 AND d.created_ns < $1
			AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = d.ref_id)
			AND NOT EXISTS (SELECT 1 FROM mos mo WHERE mo.id = d.ref_id)
			ORDER BY d.created_ns LIMIT $2)`,
		`DELETE FROM mo_parts WHERE (operator_name, sender, recipient, ref, total, seq) IN
			(SELECT operator_name, sender, recipient, ref, total, seq FROM mo_parts WHERE received_ns < $1 ORDER BY received_ns LIMIT $2)`,
		`DELETE FROM mo_part_keys WHERE dedup_key IN (SELECT dedup_key FROM mo_part_keys WHERE at_ns < $1 ORDER BY at_ns LIMIT $2)`,
	} {
		if err := c.Exec(ctx, q, before.UnixNano(), int64(limit)); err != nil {
			return 0, fmt.Errorf("prune: %w", err)
		}
	}
	return len(ids), nil
}

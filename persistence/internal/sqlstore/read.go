package sqlstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"smsgw/persistence"
)

const messageCols = `m.id, m.customer_id, m.client_ref, COALESCE(m.idempotency_key, ''), m.request_hash, m.sender, m.recipient,
	m.data_coding, m.route, m.callback_url, m.registered_delivery, m.status_rank, m.part_count, m.created_ns, m.updated_ns,
	COALESCE((SELECT c.channel FROM message_channels c WHERE c.message_id = m.id), 'http'),
	COALESCE((SELECT c.delivery_ttl_ns FROM message_channels c WHERE c.message_id = m.id), 0)`

const partCols = `message_id, part, data_coding, esm_class, payload, status_rank, operator_name, operator_msg_id, last_error, updated_ns`

// scanMessage reads messageCols, then any extra columns into extra.
func scanMessage(r Rows, extra ...any) (persistence.Message, error) {
	var (
		m                                       persistence.Message
		dc, reg, rank, parts, created, upd, ttl int64
		route                                   string
	)
	dest := append([]any{&m.ID, &m.CustomerID, &m.ClientRef, &m.IdempotencyKey, &m.RequestHash, &m.From, &m.To,
		&dc, &route, &m.CallbackURL, &reg, &rank, &parts, &created, &upd, &m.Channel, &ttl}, extra...)
	if err := r.Scan(dest...); err != nil {
		return m, err
	}
	m.DataCoding, m.RegisteredDelivery, m.Status, m.PartCount = byte(dc), reg != 0, persistence.StatusOfRank(int(rank)), int(parts)
	m.CreatedAt, m.UpdatedAt, m.DeliveryTTL = fromNanos(created), fromNanos(upd), time.Duration(ttl)
	if route != "" {
		m.Route = strings.Split(route, ",")
	}
	return m, nil
}

func fromNanos(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// GetMessage reads a customer's message with its parts and events.
func GetMessage(ctx context.Context, c Conn, customerID, id string) (*persistence.MessageView, error) {
	rows, err := c.Query(ctx, `SELECT `+messageCols+` FROM messages m WHERE m.id = $1 AND m.customer_id = $2`, id, customerID)
	if err != nil {
		return nil, fmt.Errorf("read message %s: %w", id, err)
	}
	var v *persistence.MessageView
	if rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan message %s: %w", id, err)
		}
		v = &persistence.MessageView{Message: m}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read message %s: %w", id, err)
	}
	if v == nil {
		return nil, persistence.ErrNotFound
	}
	parts, err := readParts(ctx, c, []string{id})
	if err != nil {
		return nil, err
	}
	v.Parts = parts[id]
	if v.Events, err = readEvents(ctx, c, id); err != nil {
		return nil, err
	}
	return v, nil
}

func readEvents(ctx context.Context, c Conn, id string) ([]persistence.Event, error) {
	rows, err := c.Query(ctx, `SELECT id, message_id, part, type, status_rank, detail, at_ns FROM events
		WHERE message_id = $1 ORDER BY at_ns, status_rank, part, id`, id)
	if err != nil {
		return nil, fmt.Errorf("read events of %s: %w", id, err)
	}
	defer rows.Close()
	var out []persistence.Event
	for rows.Next() {
		var (
			e              persistence.Event
			part, rank, at int64
		)
		if err := rows.Scan(&e.ID, &e.MessageID, &part, &e.Type, &rank, &e.Detail, &at); err != nil {
			return nil, fmt.Errorf("scan event of %s: %w", id, err)
		}
		e.Part, e.Status, e.At = int(part), persistence.StatusOfRank(int(rank)), fromNanos(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events of %s: %w", id, err)
	}
	return out, nil
}

// readParts returns the parts of the given messages by message id, in part
// order.
func readParts(ctx context.Context, c Conn, ids []string) (map[string][]persistence.Part, error) {
	out := make(map[string][]persistence.Part, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var p params
	in := make([]string, len(ids))
	for i, id := range ids {
		in[i] = p.add(id)
	}
	rows, err := c.Query(ctx, `SELECT `+partCols+` FROM parts WHERE message_id IN (`+strings.Join(in, ", ")+`) ORDER BY message_id, part`, p.args...)
	if err != nil {
		return nil, fmt.Errorf("read parts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			pt                          persistence.Part
			idx, dc, esm, rank, updated int64
		)
		if err := rows.Scan(&pt.MessageID, &idx, &dc, &esm, &pt.Payload, &rank, &pt.Operator, &pt.OperatorID, &pt.Error, &updated); err != nil {
			return nil, fmt.Errorf("scan part: %w", err)
		}
		pt.Index, pt.DataCoding, pt.ESMClass = int(idx), byte(dc), byte(esm)
		pt.Status, pt.UpdatedAt = persistence.StatusOfRank(int(rank)), fromNanos(updated)
		out[pt.MessageID] = append(out[pt.MessageID], pt)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read parts: %w", err)
	}
	return out, nil
}

// Idempotent finds the message holding a customer's idempotency key.
func Idempotent(ctx context.Context, c Conn, customerID, key string) (string, string, bool, error) {
	var id, hash string
	err := QueryRow(ctx, c, `SELECT id, request_hash FROM messages WHERE customer_id = $1 AND idempotency_key = $2`,
		[]any{customerID, key}, &id, &hash)
	switch {
	case errors.Is(err, errNoRows):
		return "", "", false, nil
	case err != nil:
		return "", "", false, fmt.Errorf("read idempotency key: %w", err)
	}
	return id, hash, true, nil
}

// Unfinished lists messages with parts still accepted or queued. A message's
// rank is its lowest part rank while unfinished, so the messages_rank index
// finds them without reading parts.
func Unfinished(ctx context.Context, c Conn, afterID string, limit int) ([]persistence.MessageView, error) {
	rows, err := c.Query(ctx, `SELECT `+messageCols+` FROM messages m WHERE m.status_rank < $1 AND m.id > $2 ORDER BY m.id LIMIT $3`,
		int64(persistence.StatusUnknown.Rank()), afterID, int64(limit))
	if err != nil {
		return nil, fmt.Errorf("read unfinished: %w", err)
	}
	var out []persistence.MessageView
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan unfinished: %w", err)
		}
		out = append(out, persistence.MessageView{Message: m})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read unfinished: %w", err)
	}
	return out, attachParts(ctx, c, len(out), func(i int) *persistence.MessageView { return &out[i] })
}

// attachParts fills the parts of n views.
func attachParts(ctx context.Context, c Conn, n int, view func(int) *persistence.MessageView) error {
	ids := make([]string, n)
	for i := range n {
		ids[i] = view(i).Message.ID
	}
	parts, err := readParts(ctx, c, ids)
	if err != nil {
		return err
	}
	for i := range n {
		v := view(i)
		v.Parts = parts[v.Message.ID]
	}
	return nil
}

// DueCallbacks lists outbox entries due at now, oldest first: the final
// statuses of messages and the MOs owed over HTTP.
func DueCallbacks(ctx context.Context, c Conn, now time.Time, limit int) ([]persistence.Callback, error) {
	drs, err := dueDRCallbacks(ctx, c, now, limit)
	if err != nil {
		return nil, err
	}
	mos, err := dueMOCallbacks(ctx, c, now, limit)
	if err != nil {
		return nil, err
	}
	out := append(drs, mos...)
	slices.SortFunc(out, func(a, b persistence.Callback) int {
		return cmp.Or(a.NextAt.Compare(b.NextAt), cmp.Compare(a.ID, b.ID))
	})
	return out[:min(len(out), limit)], nil
}

func dueDRCallbacks(ctx context.Context, c Conn, now time.Time, limit int) ([]persistence.Callback, error) {
	rows, err := c.Query(ctx, `SELECT `+messageCols+`, o.id, o.attempts, o.next_ns FROM outbox o JOIN messages m ON m.id = o.message_id
		WHERE o.done = 0 AND o.next_ns <= $1 ORDER BY o.next_ns, o.id LIMIT $2`, now.UnixNano(), int64(limit))
	if err != nil {
		return nil, fmt.Errorf("read due callbacks: %w", err)
	}
	var out []persistence.Callback
	for rows.Next() {
		var (
			cb             persistence.Callback
			attempts, next int64
		)
		m, err := scanMessage(rows, &cb.ID, &attempts, &next)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan due callback: %w", err)
		}
		cb.Kind, cb.MessageID, cb.CustomerID, cb.URL = persistence.KindDR, m.ID, m.CustomerID, m.CallbackURL
		cb.Attempts, cb.NextAt, cb.View.Message = int(attempts), fromNanos(next), m
		out = append(out, cb)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read due callbacks: %w", err)
	}
	return out, attachParts(ctx, c, len(out), func(i int) *persistence.MessageView { return &out[i].View })
}

// Prune deletes up to limit finished messages last updated before the
// cutoff, with every row that refers to them, keeping those whose callback
// or SMPP receipt is still owed; it also drops DRs buffered before the
// cutoff that never found their message, and prunes MOs (pruneMOs). Run it
// inside one transaction.
func Prune(ctx context.Context, c Conn, before time.Time, limit int) (int, error) {
	ids, err := selectIDs(ctx, c, `SELECT m.id FROM messages m WHERE m.status_rank >= $1 AND m.updated_ns < $2
		AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id AND o.done = 0)
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.ref_id = m.id AND d.state = 0 AND d.expires_ns >= $2)
		ORDER BY m.updated_ns, m.id LIMIT $3`, int64(persistence.StatusDelivered.Rank()), before.UnixNano(), int64(limit))
	if err != nil {
		return 0, fmt.Errorf("select prunable: %w", err)
	}
	if err := deleteIn(ctx, c, ids, `events WHERE message_id`, `op_index WHERE message_id`, `outbox WHERE message_id`,
		`deliveries WHERE ref_id`, `message_channels WHERE message_id`, `parts WHERE message_id`, `messages WHERE id`); err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	if err := c.Exec(ctx, `DELETE FROM pending_drs WHERE dr_id IN
		(SELECT dr_id FROM pending_drs WHERE at_ns < $1 ORDER BY at_ns LIMIT $2)`, before.UnixNano(), int64(limit)); err != nil {
		return 0, fmt.Errorf("prune buffered DRs: %w", err)
	}
	mos, err := pruneMOs(ctx, c, before, limit)
	if err != nil {
		return 0, err
	}
	return len(ids) + mos, nil
}

// selectIDs reads a one-column result.
func selectIDs(ctx context.Context, c Conn, q string, args ...any) ([]string, error) {
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// deleteIn runs DELETE FROM <target> IN (ids) for each target, given as
// "table WHERE column".
func deleteIn(ctx context.Context, c Conn, ids []string, targets ...string) error {
	if len(ids) == 0 {
		return nil
	}
	var p params
	in := make([]string, len(ids))
	for i, id := range ids {
		in[i] = p.add(id)
	}
	list := strings.Join(in, ", ")
	for _, t := range targets {
		if err := c.Exec(ctx, `DELETE FROM `+t+` IN (`+list+`)`, p.args...); err != nil {
			return err
		}
	}
	return nil
}

package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// Migration is one schema version. Its statements are idempotent (IF NOT
// EXISTS) and run one by one outside a transaction, because CockroachDB does
// not allow schema changes mixed with writes in one transaction.
type Migration struct {
	Version    int
	Name       string
	Statements []string
}

// Migrations is the schema, oldest first. The same text runs on SQLite,
// PostgreSQL and CockroachDB: BIGINT everywhere (INT is 32-bit in
// PostgreSQL, 64-bit in CockroachDB), times as unix nanoseconds, statuses as
// their rank. A new version is appended, never edited.
var Migrations = []Migration{{
	Version: 1,
	Name:    "initial",
	Statements: []string{
		// idempotency_key is NULL when the customer sent none, so the unique
		// index only binds real keys (NULLs never collide).
		`CREATE TABLE IF NOT EXISTS messages (
			id TEXT PRIMARY KEY,
			customer_id TEXT NOT NULL,
			client_ref TEXT NOT NULL,
			idempotency_key TEXT,
			request_hash TEXT NOT NULL,
			sender TEXT NOT NULL,
			recipient TEXT NOT NULL,
			data_coding BIGINT NOT NULL,
			route TEXT NOT NULL,
			callback_url TEXT NOT NULL,
			registered_delivery BIGINT NOT NULL,
			status_rank BIGINT NOT NULL,
			part_count BIGINT NOT NULL,
			created_ns BIGINT NOT NULL,
			updated_ns BIGINT NOT NULL)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS messages_idempotency ON messages (customer_id, idempotency_key)`,
		`CREATE INDEX IF NOT EXISTS messages_rank ON messages (status_rank, id)`,
		`CREATE INDEX IF NOT EXISTS messages_updated ON messages (updated_ns)`,
		`CREATE TABLE IF NOT EXISTS parts (
			message_id TEXT NOT NULL,
			part BIGINT NOT NULL,
			data_coding BIGINT NOT NULL,
			esm_class BIGINT NOT NULL,
			payload BYTEA NOT NULL,
			status_rank BIGINT NOT NULL,
			operator_name TEXT NOT NULL,
			operator_msg_id TEXT NOT NULL,
			last_error TEXT NOT NULL,
			updated_ns BIGINT NOT NULL,
			PRIMARY KEY (message_id, part))`,
		// One event per (part, rank): ranks only go up, so a part enters a
		// rank at most once and a replayed transition cannot add a row.
		`CREATE TABLE IF NOT EXISTS events (
			id TEXT PRIMARY KEY,
			message_id TEXT NOT NULL,
			part BIGINT NOT NULL,
			type TEXT NOT NULL,
			status_rank BIGINT NOT NULL,
			detail TEXT NOT NULL,
			at_ns BIGINT NOT NULL)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS events_transition ON events (message_id, part, status_rank)`,
		`CREATE TABLE IF NOT EXISTS op_index (
			operator_name TEXT NOT NULL,
			operator_msg_id TEXT NOT NULL,
			message_id TEXT NOT NULL,
			part BIGINT NOT NULL,
			PRIMARY KEY (operator_name, operator_msg_id))`,
		`CREATE INDEX IF NOT EXISTS op_index_message ON op_index (message_id)`,
		// One row per candidate form of a buffered DR; dr_id groups them.
		`CREATE TABLE IF NOT EXISTS pending_drs (
			operator_name TEXT NOT NULL,
			operator_msg_id TEXT NOT NULL,
			status_rank BIGINT NOT NULL,
			dr_id TEXT NOT NULL,
			last_error TEXT NOT NULL,
			at_ns BIGINT NOT NULL,
			PRIMARY KEY (operator_name, operator_msg_id, status_rank))`,
		`CREATE INDEX IF NOT EXISTS pending_drs_dr ON pending_drs (dr_id)`,
		`CREATE INDEX IF NOT EXISTS pending_drs_at ON pending_drs (at_ns)`,
		// A delivered entry is marked done, not deleted, so that a replayed
		// final transition cannot queue the same callback again; Prune
		// removes it with its message.
		`CREATE TABLE IF NOT EXISTS outbox (
			id TEXT PRIMARY KEY,
			message_id TEXT NOT NULL,
			attempts BIGINT NOT NULL,
			next_ns BIGINT NOT NULL,
			last_error TEXT NOT NULL,
			done BIGINT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS outbox_due ON outbox (done, next_ns)`,
		`CREATE INDEX IF NOT EXISTS outbox_message ON outbox (message_id)`,
	},
}, {
	Version: 2,
	Name:    "mo_and_smpp_deliveries",
	Statements: []string{
		// Only messages submitted over a channel other than http have a
		// row, so the messages table and its writes stay as they were.
		`CREATE TABLE IF NOT EXISTS message_channels (
			message_id TEXT PRIMARY KEY,
			channel TEXT NOT NULL,
			delivery_ttl_ns BIGINT NOT NULL)`,
		// dedup_key is NULL when the caller gave none.
		`CREATE TABLE IF NOT EXISTS mos (
			id TEXT PRIMARY KEY,
			operator_name TEXT NOT NULL,
			sender TEXT NOT NULL,
			recipient TEXT NOT NULL,
			data_coding BIGINT NOT NULL,
			payload BYTEA NOT NULL,
			body TEXT NOT NULL,
			customer_id TEXT NOT NULL,
			channel TEXT NOT NULL,
			url TEXT NOT NULL,
			dedup_key TEXT,
			received_ns BIGINT NOT NULL)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS mos_dedup ON mos (dedup_key)`,
		`CREATE INDEX IF NOT EXISTS mos_received ON mos (received_ns)`,
		`CREATE TABLE IF NOT EXISTS mo_parts (
			operator_name TEXT NOT NULL,
			sender TEXT NOT NULL,
			recipient TEXT NOT NULL,
			ref BIGINT NOT NULL,
			total BIGINT NOT NULL,
			seq BIGINT NOT NULL,
			data_coding BIGINT NOT NULL,
			payload BYTEA NOT NULL,
			dedup_key TEXT,
			received_ns BIGINT NOT NULL,
			PRIMARY KEY (operator_name, sender, recipient, ref, total, seq))`,
		`CREATE UNIQUE INDEX IF NOT EXISTS mo_parts_dedup ON mo_parts (dedup_key)`,
		`CREATE INDEX IF NOT EXISTS mo_parts_received ON mo_parts (received_ns)`,
		// DedupKeys of parts already assembled, so that a late
		// retransmission does not start a new set.
		`CREATE TABLE IF NOT EXISTS mo_part_keys (
			dedup_key TEXT PRIMARY KEY,
			at_ns BIGINT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS mo_part_keys_at ON mo_part_keys (at_ns)`,
		// SMPP deliveries. state: 0 pending, 1 done, 2 expired; a finished
		// row stays until its message or MO is pruned, so that a replayed
		// write cannot queue it again. ref_id is the message (kind dr) or
		// MO (kind mo) it belongs to.
		`CREATE TABLE IF NOT EXISTS deliveries (
			id TEXT PRIMARY KEY,
			customer_id TEXT NOT NULL,
			seq TEXT NOT NULL,
			kind TEXT NOT NULL,
			ref_id TEXT NOT NULL,
			state BIGINT NOT NULL,
			attempts BIGINT NOT NULL,
			next_ns BIGINT NOT NULL,
			created_ns BIGINT NOT NULL,
			expires_ns BIGINT NOT NULL,
			last_error TEXT NOT NULL,
			sender TEXT NOT NULL,
			recipient TEXT NOT NULL,
			data_coding BIGINT NOT NULL,
			payload BYTEA NOT NULL,
			status_rank BIGINT NOT NULL,
			op_error TEXT NOT NULL,
			submit_ns BIGINT NOT NULL,
			done_ns BIGINT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (customer_id, state, seq)`,
		`CREATE INDEX IF NOT EXISTS deliveries_expiry ON deliveries (state, expires_ns)`,
		`CREATE INDEX IF NOT EXISTS deliveries_ref ON deliveries (ref_id)`,
	},
}}

const createVersionTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	applied_ns BIGINT NOT NULL)`

// Migrate applies the migrations not yet recorded. It is safe to run from
// two processes at once: statements are IF NOT EXISTS and the version row is
// inserted with ON CONFLICT DO NOTHING. Callers retry it when concurrent DDL
// collides (PostgreSQL can report a unique violation on its catalog when two
// sessions create the same table).
func Migrate(ctx context.Context, db Conn) error {
	if err := db.Exec(ctx, createVersionTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var have int64
	if err := QueryRow(ctx, db, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`, nil, &have); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for _, m := range Migrations {
		if int64(m.Version) <= have {
			continue
		}
		for _, s := range m.Statements {
			if err := db.Exec(ctx, s); err != nil {
				return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
			}
		}
		if err := db.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_ns) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			int64(m.Version), m.Name, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("record migration %d: %w", m.Version, err)
		}
	}
	return nil
}

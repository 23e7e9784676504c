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

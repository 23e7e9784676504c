// Package persistence owns the durable truth of the gateway: the Store
// interface and its types (messages, parts, events, the callback outbox),
// the status ranks that make every transition monotonic, and the canonical
// form of operator message ids used to match delivery reports.
//
// The backends live below it and pass one contract suite (storetest):
// sqlite (embedded, the default) and crdb (CockroachDB, tested on
// PostgreSQL). open picks one from a URL. They share, in internal/:
// sqlstore (schema and migrations, the statements each op becomes, the
// reads) and groupcommit (the batching writer: concurrent Write calls are
// applied in one transaction and answered only after its commit; both
// backends run one such transaction at a time). Single-op CallbackDone
// writes of a batch become one UPDATE ... WHERE id IN (...).
//
// Every op is a fixed list of statements whose conditions are in SQL, so a
// batch never waits on Go reading a previous statement: ranks move with
// UPDATE ... WHERE status_rank < new AND status_rank < 100 (final is final),
// events are inserted only when the part stands at the event's rank and
// (message, part, rank) is unique, so a replay adds nothing; the message rank
// is re-derived from its parts in the same transaction.
//
// Statements that cannot act are left out, decided without extra reads per
// op: the buffered-DR statements of SetPartStatus run only when pending_drs
// held a row at the start of the transaction (one SELECT per batch) or a
// MatchDR before them in the batch may have buffered one; a message's
// outbox and SMPP receipt inserts only follow a write whose own status is
// final (or that may apply a buffered DR). The sqlite backend, which runs
// statements one by one, also skips what the rows it already read show to
// be a no-op: everything after an unmatched MatchDR's lookup but its
// buffering (and the buffering after a match), the event of a part that
// did not move, the outbox and receipt inserts unless the derivation just
// made the message final (and it has a callback URL, or an smpp channel),
// and the status read when the derivation already returned it (these rest
// on two invariants every write keeps: a part at a rank has that rank's
// event, and a final message got its outbox entry and receipt in the write
// that made it final). The crdb
// backend sends one pipeline and cannot read first, so it runs those
// statements, whose SQL conditions make them the same no-ops. The SQL text
// is identical on both backends.
//
// # Storage
//
// Ids are caller ULIDs (TEXT), times are unix nanoseconds (BIGINT), statuses
// are their rank. No sequences, LISTEN/NOTIFY or advisory locks; idempotency
// is the unique index (customer_id, idempotency_key) with NULL for "no key".
// Tables: messages, parts, events, op_index ((operator, canonical id) →
// part), pending_drs (DRs that arrived before the submit_sm_resp naming
// their id), outbox (one row per final message with a callback URL, id
// message_id+".final", marked done rather than deleted; MOs owed over HTTP
// share it with id mo_id+".mo"), schema_migrations. Since version 2:
// message_channels (only for messages not submitted over http: channel and
// the TTL of their SMPP receipt), mos (dedup_key unique, NULL for none),
// mo_parts (multipart MO parts until assembled, keyed by operator, sender,
// recipient, ref, total, seq; dedup_key unique), mo_part_keys (dedup keys of
// assembled parts, so a late retransmission stays a duplicate), deliveries
// (DRs and MOs owed over SMPP, self-contained so reading them joins
// nothing; state 0 pending, 1 done, 2 expired; finished rows stay until
// their message or MO is pruned so a replayed write cannot queue them
// again).
//
// # CockroachDB and PostgreSQL differences
//
// The crdb backend is only exercised against PostgreSQL 15 here; these are
// the statements the two treat differently, and what we do about it:
//
//   - Isolation: CockroachDB runs SERIALIZABLE only; PostgreSQL defaults to
//     READ COMMITTED, under which two transactions finishing different parts
//     of one message could each derive "not final" from a stale view. We ask
//     for SERIALIZABLE on both and rerun the whole transaction on 40001
//     from either, also when COMMIT reports it (PostgreSQL does;
//     crdbpgx.ExecuteTx discarded COMMIT's error and retried within the
//     transaction, which on PostgreSQL keeps the failing snapshot).
//   - DDL: PostgreSQL's DDL is transactional, CockroachDB's schema changes
//     cannot share a transaction with writes. Migrations run each statement
//     on its own (all IF NOT EXISTS), then insert the version row with
//     ON CONFLICT DO NOTHING.
//   - Concurrent CREATE TABLE IF NOT EXISTS: PostgreSQL can fail one of two
//     racing sessions (23505 on pg_type, 42P07, 42710); CockroachDB does not.
//     crdb.Open retries the migration a bounded number of times.
//   - INT is 32-bit in PostgreSQL and 64-bit in CockroachDB: the schema says
//     BIGINT everywhere.
//   - Data-modifying CTEs: CockroachDB restricts modifying one table twice in
//     a statement; we use none (one statement per effect, pipelined).
//   - Parameter types in INSERT ... SELECT $1, ... WHERE EXISTS: both infer
//     them from the target columns; not verified on a CockroachDB server.
//   - UPDATE ... FROM, RETURNING, ON CONFLICT DO NOTHING without a target,
//     LIMIT inside subqueries: supported by both (and by SQLite >= 3.35).
//   - Generic plans: PostgreSQL caches a generic plan for a prepared
//     statement after a few runs, made from the table's statistics of that
//     moment. For op_index (operator, id) IN (...) such a plan, made while
//     the table was young, used only the key's first column and filtered
//     every row of the operator (O(table) per DR); MatchDR therefore looks
//     each candidate up by the full key, joined with UNION ALL.
//   - Row values: Prune deletes MO parts with (a, b, ...) IN (SELECT ...),
//     supported by PostgreSQL, CockroachDB and SQLite >= 3.15.
//   - Keys: ULIDs are time-ordered, so on CockroachDB new rows land on one
//     range (a write hotspot); PostgreSQL does not care. A hash-sharded
//     primary key would spread them; not done yet.
package persistence

// Package crdb is the CockroachDB persistence.Store, over pgx. Every
// transaction is run again, as a new transaction, after a serialization
// failure (40001, also when COMMIT reports it) or a deadlock (40P01). A
// group-commit batch takes at most two round trips: BEGIN with the read of
// pending_drs, then its statements and COMMIT as one pgx pipeline.
package crdb

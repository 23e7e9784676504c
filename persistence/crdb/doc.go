// Package crdb is the CockroachDB persistence.Store, over pgx. Every
// transaction goes through crdbpgx.ExecuteTx, which retries serialization
// failures (40001); a group-commit batch is sent as one pgx pipeline inside
// the transaction. It also runs against PostgreSQL (the same wire protocol),
// which is how it is tested here; see the persistence package doc for the
// statements the two treat differently.
package crdb

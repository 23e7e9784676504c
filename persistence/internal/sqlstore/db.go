// Package sqlstore is the SQL both backends share: the schema and its
// migrations, the statements each write op turns into, and the reads. The
// backends only differ in how they run statements (database/sql one by one
// for SQLite, one pgx pipeline per transaction for CockroachDB).
package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Rows is the part of database/sql and pgx result sets the reads need.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Conn is a connection, pool or transaction of either driver. Statements use
// $N placeholders, which SQLite also accepts.
type Conn interface {
	Exec(ctx context.Context, sql string, args ...any) error
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
}

// errNoRows marks a QueryRow that found nothing.
var errNoRows = errors.New("sqlstore: no rows")

// QueryRow scans the first row into dest; errNoRows when there is none.
func QueryRow(ctx context.Context, c Conn, sql string, args []any, dest ...any) error {
	rows, err := c.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return errNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Err()
}

// Run executes a batch's steps one after another on c (a transaction),
// leaving out those that what it read shows to be no-ops.
func Run(ctx context.Context, c Conn, b *Batch) error {
	b.Reset()
	if err := CheckPendingDRs(ctx, c, b); err != nil {
		return err
	}
	for i, s := range b.Steps {
		if b.skipped(s) {
			continue
		}
		if err := runStep(ctx, c, s); err != nil {
			return fmt.Errorf("statement %d: %w", i, err)
		}
	}
	return nil
}

// CheckPendingDRs reads, on c (the batch's transaction, before its steps
// run), whether pending_drs holds any row, when some step depends on it.
// An empty table stays empty until a MatchDR of the batch buffers a DR.
func CheckPendingDRs(ctx context.Context, c Conn, b *Batch) error {
	b.pendingDRs = true
	if !b.NeedsPendingDRs() {
		return nil
	}
	err := QueryRow(ctx, c, PendingDRsQuery, nil, new(int64))
	switch {
	case errors.Is(err, errNoRows):
		b.pendingDRs = false
	case err != nil:
		return fmt.Errorf("check pending drs: %w", err)
	}
	return nil
}

// PendingDRsQuery returns a row when pending_drs holds any.
const PendingDRsQuery = `SELECT 1 FROM pending_drs LIMIT 1`

// NeedsPendingDRs reports whether some step depends on whether
// pending_drs holds rows.
func (b *Batch) NeedsPendingDRs() bool {
	return slices.ContainsFunc(b.Steps, func(s Step) bool { return s.PendingDRs })
}

// SetPendingDRs records what PendingDRsQuery found, for a runner that
// reads it itself (in the transaction, before the steps).
func (b *Batch) SetPendingDRs(found bool) { b.pendingDRs = found }

func runStep(ctx context.Context, c Conn, s Step) error {
	if s.Read == nil {
		return c.Exec(ctx, s.SQL, s.Args...)
	}
	rows, err := c.Query(ctx, s.SQL, s.Args...)
	if err != nil {
		return err
	}
	err = s.Read(rows)
	rows.Close()
	if err != nil {
		return err
	}
	return rows.Err()
}

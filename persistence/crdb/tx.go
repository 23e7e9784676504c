package crdb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// maxAttempts bounds the runs of one transaction that keeps losing to
// concurrent ones.
const maxAttempts = 50

// retryable holds the codes after which the whole transaction is run
// again: serialization_failure (CockroachDB, and PostgreSQL's
// SERIALIZABLE, which may report it at COMMIT) and deadlock_detected
// (PostgreSQL, when concurrent batches lock the same rows in different
// orders).
var retryable = map[string]bool{"40001": true, "40P01": true}

// inTx runs fn in a transaction and commits it, running both again in a
// new transaction after a retryable error, including one from COMMIT.
//
// It is the PostgreSQL path (Store.tx); crdbpgx.ExecuteTx, used on
// CockroachDB, is wrong here: it retries inside the transaction by
// rolling back to a savepoint, which on PostgreSQL keeps the snapshot
// that caused the failure, and it discards the error of COMMIT, where
// PostgreSQL reports serialization failures too, so a rolled-back write
// was reported committed.
func inTx(ctx context.Context, pool *pgxpool.Pool, opts pgx.TxOptions, fn func(pgx.Tx) error) error {
	return retry(ctx, func() error { return attemptTx(ctx, pool, opts, fn) })
}

// retry runs attempt until it succeeds, fails with an error that is not
// retryable, or maxAttempts ran.
func retry(ctx context.Context, attempt func() error) error {
	var err error
	for n := range maxAttempts {
		if n > 0 {
			// Jitter, so that the transactions that collided do not
			// collide again in lockstep.
			select {
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			case <-time.After(time.Duration(rand.Int64N(int64(n)*int64(time.Millisecond) + 1))):
			}
		}
		err = attempt()
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || !retryable[pgErr.Code] {
			return err
		}
	}
	return fmt.Errorf("gave up after %d attempts: %w", maxAttempts, err)
}

func attemptTx(ctx context.Context, pool *pgxpool.Pool, opts pgx.TxOptions, fn func(pgx.Tx) error) error {
	tx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(ctx); rbErr != nil && !errors.Is(rbErr, pgx.ErrTxClosed) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

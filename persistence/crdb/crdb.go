package crdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	crdbpgx "github.com/cockroachdb/cockroach-go/v2/crdb/crdbpgxv5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"smsgw/persistence"
	"smsgw/persistence/internal/groupcommit"
	"smsgw/persistence/internal/sqlstore"
)

// maxBatchOps bounds one group-commit transaction.
const maxBatchOps = 1000

// writers is how many group-commit transactions are in flight at once.
// One: with four, PostgreSQL's SERIALIZABLE batches aborted each other far
// more than they overlapped (lifecycle benchmark: 1,300 msgs/s with one
// writer, 710 with two, 280-360 with four; conflicts are detected per
// index page, and ULID keys put concurrent messages on the same pages).
const writers = 1

// Store is the CockroachDB backend of persistence.Store.
type Store struct {
	pool      *pgxpool.Pool
	writer    *groupcommit.Writer
	cockroach bool // the server is CockroachDB, not the PostgreSQL stand-in
}

var _ persistence.Store = (*Store)(nil)

// serializable is requested explicitly: it is CockroachDB's only level but
// not PostgreSQL's default, and deriving a message's status from its parts
// is only correct when concurrent writers cannot both miss each other.
var (
	writeTx = pgx.TxOptions{IsoLevel: pgx.Serializable}
	readTx  = pgx.TxOptions{IsoLevel: pgx.Serializable, AccessMode: pgx.ReadOnly}
)

// Open connects to url (postgres:// or postgresql://) and migrates the
// schema.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("crdb: parse url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("crdb: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("crdb: connect %s@%s:%d/%s: %w", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	var version string
	if err := pool.QueryRow(ctx, "SELECT version()").Scan(&version); err != nil {
		pool.Close()
		return nil, fmt.Errorf("crdb: server version: %w", err)
	}
	s := &Store{pool: pool, cockroach: strings.Contains(version, "CockroachDB")}
	s.writer = groupcommit.New(s.apply, maxBatchOps, writers)
	return s, nil
}

// tx runs fn in a retried transaction: on CockroachDB through cockroach-go's
// crdb.ExecuteTx (RELEASE of its savepoint is the commit there); on
// PostgreSQL, where RELEASE commits nothing and ExecuteTx ignores the real
// COMMIT's error, through inTx, which retries whole transactions.
func (s *Store) tx(ctx context.Context, opts pgx.TxOptions, fn func(pgx.Tx) error) error {
	if s.cockroach {
		return crdbpgx.ExecuteTx(ctx, s.pool, opts, fn)
	}
	return inTx(ctx, s.pool, opts, fn)
}

// Migrate brings the schema at url up to date, for `smsgw migrate`.
func Migrate(ctx context.Context, url string) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return fmt.Errorf("crdb: connect: %w", err)
	}
	defer pool.Close()
	return migrate(ctx, pool)
}

// migrate retries when another process migrates at the same moment:
// PostgreSQL can fail a concurrent CREATE ... IF NOT EXISTS on its catalog;
// the next attempt sees the object and skips it. Each collision costs at
// most one statement, so the attempts are bounded by the statement count.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	attempts := 2
	for _, m := range sqlstore.Migrations {
		attempts += len(m.Statements) + 1
	}
	var err error
	for i := range attempts {
		err = sqlstore.Migrate(ctx, pgxConn{pool})
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || !migrationRace[pgErr.Code] {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("crdb: migrate: %w", ctx.Err())
		case <-time.After(time.Duration(i+1) * 10 * time.Millisecond):
		}
	}
	if err != nil {
		return fmt.Errorf("crdb: migrate: %w", err)
	}
	return nil
}

// migrationRace holds the error codes of DDL that collided with the same
// DDL of another session: unique_violation, duplicate_table,
// duplicate_object, serialization_failure.
var migrationRace = map[string]bool{"23505": true, "42P07": true, "42710": true, "40001": true}

// apply runs one group-commit batch as one transaction in at most two
// round trips: BEGIN with the read of pending_drs (only when some step
// depends on it), then every wanted step and COMMIT as one pipeline. The
// batch may run several times: it only touches the database and the
// batch's results, which Reset restores.
func (s *Store) apply(ctx context.Context, groups [][]persistence.Op) ([][]persistence.Result, error) {
	b, err := sqlstore.NewBatch(groups, time.Now())
	if err != nil {
		return nil, err
	}
	err = retry(ctx, func() error {
		b.Reset()
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("acquire: %w", err)
		}
		defer conn.Release()
		if err := pipeline(ctx, conn.Conn(), b); err != nil {
			// The transaction may be open and aborted; a ROLLBACK outside
			// one only warns.
			if _, rbErr := conn.Exec(ctx, "ROLLBACK"); rbErr != nil {
				// A connection in an unknown state must not go back to
				// the pool; a closed one is dropped on release.
				return errors.Join(err, fmt.Errorf("rollback: %w", rbErr), conn.Conn().Close(ctx))
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("crdb: write: %w", err)
	}
	return b.Results, nil
}

const begin = "BEGIN ISOLATION LEVEL SERIALIZABLE"

// pipeline runs the batch's transaction on conn. Skip rules need the
// rows of earlier steps, which a pipeline has not read yet, so every
// wanted step is sent; their SQL conditions make the skippable ones
// no-ops.
func pipeline(ctx context.Context, conn *pgx.Conn, b *sqlstore.Batch) error {
	began := false
	if b.NeedsPendingDRs() {
		var first pgx.Batch
		first.Queue(begin)
		first.Queue(sqlstore.PendingDRsQuery)
		br := conn.SendBatch(ctx, &first)
		if _, err := br.Exec(); err != nil {
			return errors.Join(fmt.Errorf("begin: %w", err), br.Close())
		}
		rows, err := br.Query()
		if err != nil {
			return errors.Join(fmt.Errorf("check pending drs: %w", err), br.Close())
		}
		found := rows.Next()
		rows.Close()
		if err := errors.Join(rows.Err(), br.Close()); err != nil {
			return fmt.Errorf("check pending drs: %w", err)
		}
		b.SetPendingDRs(found)
		began = true
	}
	var batch pgx.Batch
	if !began {
		batch.Queue(begin)
	}
	steps := make([]int, 0, len(b.Steps))
	for i, st := range b.Steps {
		if b.Wanted(st) {
			batch.Queue(st.SQL, st.Args...)
			steps = append(steps, i)
		}
	}
	batch.Queue("COMMIT")
	br := conn.SendBatch(ctx, &batch)
	if !began {
		if _, err := br.Exec(); err != nil {
			return errors.Join(fmt.Errorf("begin: %w", err), br.Close())
		}
	}
	for _, i := range steps {
		st := b.Steps[i]
		if st.Read == nil {
			if _, err := br.Exec(); err != nil {
				return errors.Join(fmt.Errorf("statement %d: %w", i, err), br.Close())
			}
			continue
		}
		rows, err := br.Query()
		if err != nil {
			return errors.Join(fmt.Errorf("statement %d: %w", i, err), br.Close())
		}
		err = st.Read(pgxRows{rows})
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
		if err != nil {
			return errors.Join(fmt.Errorf("statement %d: %w", i, err), br.Close())
		}
	}
	// PostgreSQL reports some serialization failures only here.
	tag, err := br.Exec()
	if err != nil {
		return errors.Join(fmt.Errorf("commit: %w", err), br.Close())
	}
	if err := br.Close(); err != nil {
		return fmt.Errorf("close pipeline: %w", err)
	}
	// COMMIT of a transaction that failed answers ROLLBACK.
	if tag.String() != "COMMIT" {
		return fmt.Errorf("commit: server answered %s", tag)
	}
	return nil
}

// Write implements persistence.Store.
func (s *Store) Write(ctx context.Context, ops ...persistence.Op) ([]persistence.Result, error) {
	if err := sqlstore.Validate(ops); err != nil {
		return nil, err
	}
	return s.writer.Write(ctx, ops...)
}

// Message implements persistence.Store.
func (s *Store) Message(ctx context.Context, customerID, id string) (*persistence.MessageView, error) {
	var v *persistence.MessageView
	err := s.tx(ctx, readTx, func(tx pgx.Tx) error {
		var err error
		v, err = sqlstore.GetMessage(ctx, pgxConn{tx}, customerID, id)
		return err
	})
	if err != nil && !errors.Is(err, persistence.ErrNotFound) {
		return nil, fmt.Errorf("crdb: %w", err)
	}
	return v, err
}

// Idempotent implements persistence.Store.
func (s *Store) Idempotent(ctx context.Context, customerID, key string) (string, string, bool, error) {
	id, hash, found, err := sqlstore.Idempotent(ctx, pgxConn{s.pool}, customerID, key)
	if err != nil {
		return "", "", false, fmt.Errorf("crdb: %w", err)
	}
	return id, hash, found, nil
}

// Unfinished implements persistence.Store.
func (s *Store) Unfinished(ctx context.Context, afterID string, limit int) ([]persistence.MessageView, error) {
	var out []persistence.MessageView
	err := s.tx(ctx, readTx, func(tx pgx.Tx) error {
		var err error
		out, err = sqlstore.Unfinished(ctx, pgxConn{tx}, afterID, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("crdb: %w", err)
	}
	return out, nil
}

// DueCallbacks implements persistence.Store.
func (s *Store) DueCallbacks(ctx context.Context, now time.Time, limit int) ([]persistence.Callback, error) {
	var out []persistence.Callback
	err := s.tx(ctx, readTx, func(tx pgx.Tx) error {
		var err error
		out, err = sqlstore.DueCallbacks(ctx, pgxConn{tx}, now, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("crdb: %w", err)
	}
	return out, nil
}

// Prune implements persistence.Store.
func (s *Store) Prune(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int
	err := s.tx(ctx, writeTx, func(tx pgx.Tx) error {
		var err error
		n, err = sqlstore.Prune(ctx, pgxConn{tx}, before, limit)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("crdb: %w", err)
	}
	return n, nil
}

// Close stops the writer (queued writes fail with an error) and closes the
// pool.
func (s *Store) Close() error {
	s.writer.Close()
	s.pool.Close()
	return nil
}

type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// pgxConn adapts a pool or transaction to sqlstore.Conn.
type pgxConn struct{ q querier }

func (c pgxConn) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := c.q.Exec(ctx, sql, args...)
	return err
}

func (c pgxConn) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	rows, err := c.q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgxRows{rows}, nil
}

type pgxRows struct{ pgx.Rows }

func (r pgxRows) Scan(dest ...any) error { return r.Rows.Scan(dest...) }

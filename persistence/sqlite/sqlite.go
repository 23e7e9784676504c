package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"smsgw/persistence"
	"smsgw/persistence/internal/groupcommit"
	"smsgw/persistence/internal/sqlstore"
)

// FileName is the database file inside the folder given to Open.
const FileName = "smsgw.db"

// maxBatchOps bounds one group-commit transaction.
const maxBatchOps = 1000

// Store is the SQLite backend of persistence.Store.
type Store struct {
	write  *sql.DB // one connection: SQLite has one writer at a time anyway
	read   *sql.DB
	writer *groupcommit.Writer
	// stmts caches the writer's prepared statements; only the writer
	// goroutine touches it. Write statements come from a small set of
	// shapes, so it stays small.
	stmts map[string]*sql.Stmt
}

var _ persistence.Store = (*Store)(nil)

// Open creates dir if needed, opens dir/smsgw.db and migrates it.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sqlite: create %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()

	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	ctx := context.Background()
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: migrate %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s for reads: %w", path, err)
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	s := &Store{write: write, read: read, stmts: make(map[string]*sql.Stmt)}
	s.writer = groupcommit.New(s.apply, maxBatchOps, 1)
	return s, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	return sqlstore.Migrate(ctx, dbConn{db})
}

// apply runs one group-commit batch in one transaction.
func (s *Store) apply(ctx context.Context, groups [][]persistence.Op) ([][]persistence.Result, error) {
	// The writer's context ends only after its last batch, and modernc
	// starts a goroutine per statement to watch a context that can end.
	ctx = context.WithoutCancel(ctx)
	b, err := sqlstore.NewBatch(groups, time.Now())
	if err != nil {
		return nil, err
	}
	// Prepare before BEGIN: the one connection is busy once the
	// transaction holds it.
	for _, st := range b.Steps {
		if err := s.prepare(ctx, st.SQL); err != nil {
			return nil, fmt.Errorf("sqlite: prepare: %w", err)
		}
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := sqlstore.Run(ctx, stmtConn{s: s, tx: tx, inTx: make(map[string]*sql.Stmt)}, b); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil {
			return nil, fmt.Errorf("sqlite: write: %w (rollback: %v)", err, rbErr)
		}
		return nil, fmt.Errorf("sqlite: write: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	return b.Results, nil
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
	err := s.readTx(ctx, func(c sqlstore.Conn) error {
		var err error
		v, err = sqlstore.GetMessage(ctx, c, customerID, id)
		return err
	})
	return v, err
}

// Idempotent implements persistence.Store.
func (s *Store) Idempotent(ctx context.Context, customerID, key string) (string, string, bool, error) {
	return sqlstore.Idempotent(ctx, dbConn{s.read}, customerID, key)
}

// Unfinished implements persistence.Store.
func (s *Store) Unfinished(ctx context.Context, afterID string, limit int) ([]persistence.MessageView, error) {
	var out []persistence.MessageView
	err := s.readTx(ctx, func(c sqlstore.Conn) error {
		var err error
		out, err = sqlstore.Unfinished(ctx, c, afterID, limit)
		return err
	})
	return out, err
}

// DueCallbacks implements persistence.Store.
func (s *Store) DueCallbacks(ctx context.Context, now time.Time, limit int) ([]persistence.Callback, error) {
	var out []persistence.Callback
	err := s.readTx(ctx, func(c sqlstore.Conn) error {
		var err error
		out, err = sqlstore.DueCallbacks(ctx, c, now, limit)
		return err
	})
	return out, err
}

// Prune implements persistence.Store. It takes the writer connection, so it
// runs between group-commit batches.
func (s *Store) Prune(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int
	err := s.writeTx(ctx, func(c sqlstore.Conn) error {
		var err error
		n, err = sqlstore.Prune(ctx, c, before, limit)
		return err
	})
	return n, err
}

// Close stops the writer (queued writes fail with an error) and closes the
// database.
func (s *Store) Close() error {
	s.writer.Close()
	var serr error
	for _, st := range s.stmts {
		serr = errors.Join(serr, st.Close())
	}
	rerr := errors.Join(serr, s.read.Close())
	if err := s.write.Close(); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	if rerr != nil {
		return fmt.Errorf("sqlite: close: %w", rerr)
	}
	return nil
}

// readTx runs fn in a read transaction so multi-query reads see one
// snapshot.
func (s *Store) readTx(ctx context.Context, fn func(sqlstore.Conn) error) error {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin read: %w", err)
	}
	err = fn(dbConn{tx})
	if rbErr := tx.Rollback(); err == nil && rbErr != nil {
		err = fmt.Errorf("sqlite: end read: %w", rbErr)
	}
	return err
}

// maxStmts bounds the statement cache; past it statements are prepared
// inside the transaction, per use.
const maxStmts = 512

func (s *Store) prepare(ctx context.Context, q string) error {
	if _, ok := s.stmts[q]; ok || len(s.stmts) >= maxStmts {
		return nil
	}
	st, err := s.write.PrepareContext(ctx, positional(q))
	if err != nil {
		return err
	}
	s.stmts[q] = st
	return nil
}

// positional turns $1, $2, ... $n into ? when each appears once and in
// that order, as in the set-based statements. SQLite treats $N as a
// named parameter, and the driver looks each one's name up by a linear
// scan when binding: quadratic in the parameters, which cost more than
// the rows of a statement with hundreds of them. Other statements are
// left as they are.
func positional(q string) string {
	var b strings.Builder
	next := 1
	for i := 0; i < len(q); i++ {
		if q[i] != '$' {
			b.WriteByte(q[i])
			continue
		}
		j := i + 1
		for j < len(q) && q[j] >= '0' && q[j] <= '9' {
			j++
		}
		if q[i+1:j] != strconv.Itoa(next) {
			return q
		}
		next++
		b.WriteByte('?')
		i = j - 1
	}
	return b.String()
}

// stmtConn runs a write transaction's statements through the cache.
type stmtConn struct {
	s  *Store
	tx *sql.Tx
	// inTx holds the transaction's handles of the statements it ran: a
	// batch repeats few shapes many times. The transaction closes them.
	inTx map[string]*sql.Stmt
}

func (c stmtConn) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := c.inTx[q]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if cached, ok := c.s.stmts[q]; ok {
		st = c.tx.StmtContext(ctx, cached)
	} else {
		var err error
		if st, err = c.tx.PrepareContext(ctx, positional(q)); err != nil {
			return nil, err
		}
	}
	c.inTx[q] = st
	return st, nil
}

func (c stmtConn) Exec(ctx context.Context, q string, args ...any) error {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return err
}

func (c stmtConn) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	return &sqlRows{Rows: rows}, nil
}

type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

type dbConn struct{ q queryer }

func (c dbConn) Exec(ctx context.Context, q string, args ...any) error {
	_, err := c.q.ExecContext(ctx, q, args...)
	return err
}

func (c dbConn) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := c.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return &sqlRows{Rows: rows}, nil
}

// sqlRows keeps the error of Close and reports it from Err, which callers
// check after closing.
type sqlRows struct {
	*sql.Rows
	closeErr error
}

func (r *sqlRows) Close() { r.closeErr = r.Rows.Close() }

func (r *sqlRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.closeErr
}

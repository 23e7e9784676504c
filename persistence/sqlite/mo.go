package sqlite

import (
	"context"
	"fmt"
	"time"

	"smsgw/persistence"
	"smsgw/persistence/internal/sqlstore"
)

// PendingDeliveries implements persistence.Store.
func (s *Store) PendingDeliveries(ctx context.Context, customerID string, now time.Time, limit int) ([]persistence.Delivery, error) {
	out, err := sqlstore.PendingDeliveries(ctx, dbConn{s.read}, customerID, now, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return out, nil
}

// ExpireDeliveries implements persistence.Store. Like Prune it runs on the
// writer connection, between group-commit batches.
func (s *Store) ExpireDeliveries(ctx context.Context, now time.Time, limit int) ([]persistence.Delivery, error) {
	var out []persistence.Delivery
	err := s.writeTx(ctx, func(c sqlstore.Conn) error {
		var err error
		out, err = sqlstore.ExpireDeliveries(ctx, c, now, limit)
		return err
	})
	return out, err
}

// ExpiredMOParts implements persistence.Store.
func (s *Store) ExpiredMOParts(ctx context.Context, olderThan time.Time, limit int) ([]persistence.MOPartSet, error) {
	out, err := sqlstore.ExpiredMOParts(ctx, dbConn{s.read}, olderThan, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return out, nil
}

// writeTx runs fn in a transaction on the writer connection.
func (s *Store) writeTx(ctx context.Context, fn func(sqlstore.Conn) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(dbConn{tx}); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil {
			return fmt.Errorf("sqlite: %w (rollback: %v)", err, rbErr)
		}
		return fmt.Errorf("sqlite: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

package crdb

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"smsgw/persistence"
	"smsgw/persistence/internal/sqlstore"
)

// PendingDeliveries implements persistence.Store.
func (s *Store) PendingDeliveries(ctx context.Context, customerID string, now time.Time, limit int) ([]persistence.Delivery, error) {
	out, err := sqlstore.PendingDeliveries(ctx, pgxConn{s.pool}, customerID, now, limit)
	if err != nil {
		return nil, fmt.Errorf("crdb: %w", err)
	}
	return out, nil
}

// ExpireDeliveries implements persistence.Store.
func (s *Store) ExpireDeliveries(ctx context.Context, now time.Time, limit int) ([]persistence.Delivery, error) {
	var out []persistence.Delivery
	err := s.tx(ctx, writeTx, func(tx pgx.Tx) error {
		var err error
		out, err = sqlstore.ExpireDeliveries(ctx, pgxConn{tx}, now, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("crdb: %w", err)
	}
	return out, nil
}

// ExpiredMOParts implements persistence.Store.
func (s *Store) ExpiredMOParts(ctx context.Context, olderThan time.Time, limit int) ([]persistence.MOPartSet, error) {
	out, err := sqlstore.ExpiredMOParts(ctx, pgxConn{s.pool}, olderThan, limit)
	if err != nil {
		return nil, fmt.Errorf("crdb: %w", err)
	}
	return out, nil
}

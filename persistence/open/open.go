package open

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"smsgw/persistence"
	"smsgw/persistence/crdb"
	"smsgw/persistence/sqlite"
)

// Open opens (and migrates) the store url names.
func Open(ctx context.Context, url string) (persistence.Store, error) {
	dir, pg, err := parse(url)
	if err != nil {
		return nil, err
	}
	if pg {
		return crdb.Open(ctx, url)
	}
	return sqlite.Open(dir)
}

// Migrate brings the schema of the store url names up to date.
func Migrate(ctx context.Context, url string) error {
	dir, pg, err := parse(url)
	if err != nil {
		return err
	}
	if pg {
		return crdb.Migrate(ctx, url)
	}
	s, err := sqlite.Open(dir) // migrates
	if err != nil {
		return err
	}
	return s.Close()
}

// parse returns the SQLite folder, or pg for a PostgreSQL-protocol URL.
func parse(url string) (dir string, pg bool, err error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return "", true, nil
	case strings.HasPrefix(url, "sqlite:"):
		dir = strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//")
	case strings.Contains(url, "://"):
		return "", false, fmt.Errorf("persistence: unsupported store url scheme in %q", url)
	default:
		dir = url
	}
	if dir == "" {
		return "", false, errors.New("persistence: store url names no folder")
	}
	return dir, false, nil
}

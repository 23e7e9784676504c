package crdb

import (
	"context"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/oklog/ulid/v2"

	"smsgw/persistence"
	"smsgw/persistence/storetest"
)

const defaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func baseURL() string {
	if u := os.Getenv("SMSGW_TEST_PG_URL"); u != "" {
		return u
	}
	return defaultURL
}

// freshSchema creates an empty schema, dropped when the test ends, and
// returns a URL whose connections use it. An unreachable server fails the
// test: the crdb backend is never silently untested.
func freshSchema(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, baseURL())
	if err != nil {
		tb.Fatalf("PostgreSQL at %s unreachable (set SMSGW_TEST_PG_URL): %v", baseURL(), err)
	}
	schema := "t_" + strings.ToLower(ulid.Make().String())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		conn.Close(ctx)
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		conn.Close(ctx)
	})
	u, err := url.Parse(baseURL())
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(tb testing.TB) *Store {
	u := freshSchema(tb)
	s, err := Open(context.Background(), u)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) persistence.Store { return open(t) })
}

// TestConcurrentMigrate starts two stores on one empty schema at once.
func TestConcurrentMigrate(t *testing.T) {
	u := freshSchema(t)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(context.Background(), u)
			if err != nil {
				errs[i] = err
				return
			}
			errs[i] = s.Close()
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
		}
	}
	if err := Migrate(context.Background(), u); err != nil {
		t.Errorf("migrate again: %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	_, err := Open(context.Background(), "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("Open of a closed port succeeded")
	}
	if !strings.Contains(err.Error(), "crdb: connect") {
		t.Errorf("error lacks context: %v", err)
	}
}

func BenchmarkWrite(b *testing.B) {
	storetest.BenchmarkWrite(b, open(b))
}

func BenchmarkInsertMO(b *testing.B) {
	storetest.BenchmarkInsertMO(b, open(b))
}

func BenchmarkLifecycle(b *testing.B) {
	storetest.BenchmarkLifecycle(b, open(b))
}

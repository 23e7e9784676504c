package sqlite

import (
	"testing"

	"smsgw/persistence"
	"smsgw/persistence/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) persistence.Store {
		s, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func BenchmarkWrite(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	storetest.BenchmarkWrite(b, s)
}

func BenchmarkInsertMO(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	storetest.BenchmarkInsertMO(b, s)
}

func BenchmarkLifecycle(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	storetest.BenchmarkLifecycle(b, s)
}

func TestPositional(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"VALUES ($1, $2), ($3, $4)", "VALUES (?, ?), (?, ?)"},
		{"WHERE a = $1 AND b = $1", "WHERE a = $1 AND b = $1"},
		{"SET a = $2 WHERE b = $1", "SET a = $2 WHERE b = $1"},
		{"IN ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", "IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
		{"a = $1, b = $", "a = $1, b = $"},
	}
	for _, tt := range tests {
		if got := positional(tt.in); got != tt.want {
			t.Errorf("positional(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

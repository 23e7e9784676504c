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

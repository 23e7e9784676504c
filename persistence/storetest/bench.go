package storetest

import (
	"context"
	"testing"

	"smsgw/persistence"
)

// BenchmarkWrite measures one InsertMessage per Write from many goroutines,
// as the HTTP and SMPP intake does; it closes s.
func BenchmarkWrite(b *testing.B, s persistence.Store) {
	defer func() {
		if err := s.Close(); err != nil {
			b.Error(err)
		}
	}()
	b.SetParallelism(64)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Write(context.Background(), newMessage("bench", "", 1, "")); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

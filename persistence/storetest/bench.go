package storetest

import (
	"context"
	"testing"

	"github.com/oklog/ulid/v2"

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

// BenchmarkInsertMO measures one InsertMO (routed to an SMPP customer, so
// with its delivery) per Write from many goroutines; it closes s.
func BenchmarkInsertMO(b *testing.B, s persistence.Store) {
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
			mo := newMO("bench", persistence.ChannelSMPP, ulid.Make().String())
			if _, err := s.Write(context.Background(), persistence.InsertMO{MO: mo}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mos/s")
}

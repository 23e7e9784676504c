package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkPost posts one DR body to a loopback receiver over the pooled
// connections, sequentially and from parallel senders.
func BenchmarkPost(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	b.Cleanup(srv.Close)
	body, err := MarshalDR(DR{EventID: "evt-1", MessageID: "msg-1", Status: "delivered", To: "+31612345678",
		From: "ACME", At: time.Now(), Parts: []DRPart{{Index: 1, Status: "delivered", Operator: "kpn"}}})
	if err != nil {
		b.Fatal(err)
	}
	c := New(Options{})
	b.Cleanup(c.CloseIdleConnections)
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			if err := c.Post(context.Background(), srv.URL, "evt-1", body); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := c.Post(context.Background(), srv.URL, "evt-1", body); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
}

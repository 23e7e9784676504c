package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

type noopGateway struct{}

func (noopGateway) Authenticate(string) (string, bool) { return testCustomer, true }
func (noopGateway) Submit(context.Context, string, *SubmitRequest) (*SubmitResponse, error) {
	return &SubmitResponse{ID: "01J0000000000000000000000A", Status: "queued", Parts: 1, Encoding: "gsm7"}, nil
}
func (noopGateway) Message(context.Context, string, string) (*MessageResponse, error) {
	return nil, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "none"}
}
func (noopGateway) Ready() error { return nil }

// BenchmarkSubmit measures the handler alone (no sockets): auth, decoding,
// validation, hashing, metrics and the disabled debug access log.
func BenchmarkSubmit(b *testing.B) {
	h := New(noopGateway{}, prometheus.NewRegistry(), zerolog.Nop().Level(zerolog.InfoLevel), Options{})
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(goodBody))
		r.Header.Set("Authorization", "Bearer "+testKey)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusAccepted {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkSubmitParallel is the same handler under concurrent requests, as
// on a server: it shows contention on the shared metrics.
func BenchmarkSubmitParallel(b *testing.B) {
	h := New(noopGateway{}, prometheus.NewRegistry(), zerolog.Nop().Level(zerolog.InfoLevel), Options{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(goodBody))
			r.Header.Set("Authorization", "Bearer "+testKey)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusAccepted {
				b.Errorf("status %d", w.Code)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

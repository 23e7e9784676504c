package smpp

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// benchHandler counts responses and signals each freed window slot.
type benchHandler struct {
	responded atomic.Int64
	failed    atomic.Int64
	freed     chan struct{}
	closed    chan error
}

func (h *benchHandler) SubmitResponded(_ any, _ string, status uint32) {
	if status != 0 {
		h.failed.Add(1)
	}
	h.responded.Add(1)
	select {
	case h.freed <- struct{}{}:
	default:
	}
}

func (h *benchHandler) SubmitUnknown(any, error) {
	h.failed.Add(1)
	h.responded.Add(1)
}

func (h *benchHandler) Delivered(_ *Deliver, ack func(uint32)) { ack(0) }
func (h *benchHandler) Closed(err error)                       { h.closed <- err }

// BenchmarkSubmit measures submit_sm → submit_sm_resp through one Client
// with window 100 against the in-test SMSC on loopback.
func BenchmarkSubmit(b *testing.B) {
	s := newSMSC(b, func(s *testSMSC) { s.record = false })
	h := &benchHandler{freed: make(chan struct{}, 1), closed: make(chan error, 1)}
	cfg := Config{Address: s.addr(), SystemID: "gw", Password: "pw", Window: 100, ResponseTimeout: 30 * time.Second}
	c, err := Dial(context.Background(), cfg, h)
	if err != nil {
		b.Fatal(err)
	}
	sub := &Submit{Source: "GATEWAY", Dest: "4915112345678", ShortMessage: []byte("hello from the benchmark")}
	b.ResetTimer()
	for i := 0; i < b.N; {
		switch err := c.Submit(sub); {
		case err == nil:
			i++
		case errors.Is(err, ErrWindowFull):
			<-h.freed
		default:
			b.Fatal(err)
		}
	}
	for h.responded.Load() < int64(b.N) {
		<-h.freed
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submits/s")
	if n := h.failed.Load(); n != 0 {
		b.Fatalf("%d submits failed", n)
	}
	if err := c.Close(); err != nil {
		b.Fatal(err)
	}
	if err := <-h.closed; err != nil {
		b.Fatal(err)
	}
}

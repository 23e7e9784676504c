package server

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"smsgw/transports/smpp/pduio"
)

// noopBackend accepts every submit at once.
type noopBackend struct{ fakeBackend }

func (*noopBackend) Submit(context.Context, *Session, *Submit) (string, uint32) {
	return "id", StatusOK
}

// benchClient is a bound transceiver with a batching writer.
func benchClient(b *testing.B, addr string) (net.Conn, *pduio.Reader, *pduio.Writer) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	r, w := pduio.NewReader(conn), pduio.NewWriter(conn, 0)
	bind := pdu.NewBindRequest(pdu.Transceiver)
	bind.SystemID, bind.Password = "user", "pw"
	if err := w.Write(bind); err != nil {
		b.Fatal(err)
	}
	if p, _, err := r.Next(); err != nil || p.(*pdu.BindResp).CommandStatus != data.ESME_ROK {
		b.Fatalf("bind: %v", err)
	}
	b.Cleanup(func() {
		_ = conn.Close()
		_ = w.Close()
	})
	return conn, r, w
}

// BenchmarkSubmit: submit_sm/s from one client with a window of 100, through
// the server to a backend that answers at once.
func BenchmarkSubmit(b *testing.B) {
	be := &noopBackend{fakeBackend: *newBackend()}
	ts := startServer(b, Config{SubmitConcurrency: 128}, be)
	_, r, w := benchClient(b, ts.addr)
	raw := pduio.Marshal(newSubmit("4915112345678", "hello world, 23 chars.."))
	window := make(chan struct{}, 100)
	done := make(chan error, 1)
	b.ResetTimer()
	go func() {
		for range b.N {
			p, _, err := r.Next()
			if err != nil {
				done <- err
				return
			}
			if p.GetHeader().CommandStatus != data.ESME_ROK {
				done <- nil
				return
			}
			<-window
		}
		done <- nil
	}()
	for i := range b.N {
		window <- struct{}{}
		sm := append([]byte(nil), raw...)
		sm[12], sm[13], sm[14], sm[15] = byte(i>>24)&0x7F, byte(i>>16), byte(i>>8), byte(i)|1
		if err := w.WriteRaw(sm); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submits/s")
}

// BenchmarkDeliver: deliver_sm/s from 100 goroutines calling Deliver on one
// session (window 100), acknowledged by the client's read loop.
func BenchmarkDeliver(b *testing.B) {
	be := newBackend()
	ts := startServer(b, Config{DeliverWindow: 100, ResponseTimeout: 10 * time.Second}, be)
	_, r, w := benchClient(b, ts.addr)
	go func() {
		for {
			p, _, err := r.Next()
			if err != nil {
				return
			}
			if d, ok := p.(*pdu.DeliverSM); ok {
				if w.Write(pduio.Response(d, data.ESME_ROK)) != nil {
					return
				}
			}
		}
	}()
	s := be.bound()[0]
	d := &Deliver{Source: "4915112345678", Dest: "SENDER", ESMClass: 0x04,
		ShortMessage:       []byte("id:01HX sub:001 dlvrd:001 submit date:2405060708 done date:2405060708 stat:DELIVRD err:000 text:"),
		ReceiptedMessageID: "01HX", MessageState: 2}
	b.ResetTimer()
	var wg sync.WaitGroup
	work := make(chan struct{}, b.N)
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	for range 100 {
		wg.Go(func() {
			for range work {
				if st, err := s.Deliver(context.Background(), d); err != nil || st != StatusOK {
					b.Errorf("deliver: %d %v", st, err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "delivers/s")
}

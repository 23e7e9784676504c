package pduio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/linxGnu/gosmpp/pdu"
)

// gateWriter blocks its first Write until released and counts Write calls.
type gateWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
	gate   chan struct{}
	first  chan struct{}
}

func (g *gateWriter) Write(b []byte) (int, error) {
	g.mu.Lock()
	g.writes++
	n := g.writes
	g.mu.Unlock()
	if n == 1 {
		close(g.first)
		<-g.gate
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.Write(b)
}

func TestWriterBatches(t *testing.T) {
	g := &gateWriter{gate: make(chan struct{}), first: make(chan struct{})}
	w := NewWriter(g, 0)
	if err := w.Write(pdu.NewEnquireLink()); err != nil {
		t.Fatal(err)
	}
	<-g.first
	const n = 100
	for i := 0; i < n; i++ {
		if err := w.Write(pdu.NewEnquireLink()); err != nil {
			t.Fatal(err)
		}
	}
	close(g.gate)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if g.writes > 2 {
		t.Errorf("%d writes for %d queued PDUs, want <= 2", g.writes, n+1)
	}
	r := NewReader(&g.buf)
	count := 0
	for {
		_, _, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	if count != n+1 {
		t.Fatalf("read %d PDUs, want %d", count, n+1)
	}
	if err := w.Write(pdu.NewEnquireLink()); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after close: %v", err)
	}
}

type failWriter struct {
	mu     sync.Mutex
	closed bool
}

func (f *failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }
func (f *failWriter) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

func TestWriterClosesOnError(t *testing.T) {
	f := &failWriter{}
	w := NewWriter(f, 1)
	_ = w.Write(pdu.NewEnquireLink())
	<-w.Done()
	if w.Err() == nil {
		t.Fatal("no error after failed write")
	}
	f.mu.Lock()
	closed := f.closed
	f.mu.Unlock()
	if !closed {
		t.Fatal("stream not closed after write error")
	}
	if err := w.Write(pdu.NewEnquireLink()); err == nil {
		t.Fatal("write after failure accepted")
	}
	if err := w.Close(); err == nil {
		t.Fatal("close hides the write error")
	}
}

func TestWriterConcurrentOverConn(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	w := NewWriter(a, 4)
	const writers, each = 4, 200
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				if err := w.Write(pdu.NewEnquireLink()); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	done := make(chan int)
	go func() {
		r := NewReader(b)
		n := 0
		for n < writers*each {
			if _, _, err := r.Next(); err != nil {
				break
			}
			n++
		}
		done <- n
	}()
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := <-done; n != writers*each {
		t.Fatalf("read %d, want %d", n, writers*each)
	}
	a.Close()
}

func BenchmarkReaderSubmit(b *testing.B) {
	one := submitBytes(1, "benchmark message text")
	stream := bytes.Repeat(one, 1000)
	b.SetBytes(int64(len(one)))
	b.ReportAllocs()
	var r *Reader
	for i := 0; i < b.N; i++ {
		if i%1000 == 0 {
			r = NewReader(bytes.NewReader(stream))
		}
		if _, _, err := r.Next(); err != nil {
			b.Fatal(err)
		}
	}
}

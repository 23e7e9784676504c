package pduio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/linxGnu/gosmpp/pdu"
)

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("smpp: writer closed")

// flushAt bounds how much a batch gathers before it is flushed.
const flushAt = 64 << 10

// Writer is the single writer of a connection. Write queues a PDU; one
// goroutine writes whatever is queued and flushes once per batch, so a busy
// connection costs one syscall per batch, not per PDU. On the first write
// error the Writer stops and closes the underlying stream (if it is an
// io.Closer) so that the connection's reader stops too.
type Writer struct {
	w    io.Writer
	bw   *bufio.Writer
	ch   chan []byte
	quit chan struct{}
	done chan struct{}

	mu     sync.RWMutex // Write holds it shared; Close exclusively
	closed bool
	err    error // set by the writer goroutine before done is closed
}

// NewWriter starts the writer goroutine for w. queue is the number of PDUs
// that may wait before Write blocks (back-pressure); 0 means 1024.
func NewWriter(w io.Writer, queue int) *Writer {
	if queue <= 0 {
		queue = 1024
	}
	wr := &Writer{
		w:    w,
		bw:   bufio.NewWriterSize(w, flushAt),
		ch:   make(chan []byte, queue),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
	go wr.loop()
	return wr
}

// Write marshals p and queues it. It blocks while the queue is full. The PDU
// may be reused as soon as Write returns.
func (w *Writer) Write(p pdu.PDU) error { return w.WriteRaw(Marshal(p)) }

// WriteRaw queues bytes as they are (for tests that need malformed input, and
// for PDUs marshalled elsewhere). b must not be modified afterwards.
func (w *Writer) WriteRaw(b []byte) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return ErrClosed
	}
	select {
	case <-w.done:
		return w.stopErr()
	default:
	}
	select {
	case w.ch <- b:
		return nil
	case <-w.done:
		return w.stopErr()
	}
}

func (w *Writer) stopErr() error {
	if w.err != nil {
		return w.err
	}
	return ErrClosed
}

// Close writes what is queued, stops the goroutine and returns the first
// write error. It does not close the underlying stream; close that first to
// abandon a write blocked on a peer that stopped reading.
func (w *Writer) Close() error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.quit)
	}
	w.mu.Unlock()
	<-w.done
	return w.err
}

// Done is closed when the writer goroutine has stopped (after Close or a
// write error).
func (w *Writer) Done() <-chan struct{} { return w.done }

// Err returns the write error that stopped the Writer, once Done is closed.
func (w *Writer) Err() error {
	select {
	case <-w.done:
		return w.err
	default:
		return nil
	}
}

func (w *Writer) loop() {
	defer close(w.done)
	for {
		select {
		case b := <-w.ch:
			if !w.batch(b) {
				return
			}
		case <-w.quit:
			w.drain()
			return
		}
	}
}

// batch writes b and everything queued behind it, then flushes.
func (w *Writer) batch(b []byte) bool {
	if !w.put(b) {
		return false
	}
	for w.bw.Buffered() < flushAt {
		select {
		case b = <-w.ch:
			if !w.put(b) {
				return false
			}
			continue
		default:
		}
		break
	}
	return w.flush()
}

// drain writes what was queued before Close. No Write can add more: Close
// holds the lock exclusively before quit is closed.
func (w *Writer) drain() {
	for {
		select {
		case b := <-w.ch:
			if !w.put(b) {
				return
			}
		default:
			w.flush()
			return
		}
	}
}

func (w *Writer) put(b []byte) bool {
	if _, err := w.bw.Write(b); err != nil {
		w.fail(err)
		return false
	}
	return true
}

func (w *Writer) flush() bool {
	if err := w.bw.Flush(); err != nil {
		w.fail(err)
		return false
	}
	return true
}

func (w *Writer) fail(err error) {
	w.err = fmt.Errorf("smpp write: %w", err)
	if c, ok := w.w.(io.Closer); ok {
		if cerr := c.Close(); cerr != nil {
			w.err = errors.Join(w.err, fmt.Errorf("close after write error: %w", cerr))
		}
	}
}

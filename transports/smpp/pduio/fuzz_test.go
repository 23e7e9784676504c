package pduio

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"testing"
)

// chunkReader returns its data in chunks of pseudo-random sizes (1..17
// bytes), like TCP reads that end anywhere.
type chunkReader struct {
	data  []byte
	state uint32
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	c.state = c.state*1664525 + 1013904223
	n := int(c.state>>24)%17 + 1
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func FuzzReader(f *testing.F) {
	crasher, _ := hex.DecodeString(queryCrasher)
	f.Add(crasher, uint32(1))
	f.Add(submitBytes(1, "hello"), uint32(2))
	f.Add(cat(submitBytes(1, "a"), enquireBytes(2), rawHeader(16, 0x80000005, 0x0e, 3)), uint32(3))
	f.Add(cat(rawHeader(20, 0x99, 0, 7), []byte{1, 2, 3, 4}, enquireBytes(9)), uint32(4))
	f.Add(rawHeader(8, 4, 0, 1), uint32(5))
	f.Fuzz(func(t *testing.T, in []byte, seed uint32) {
		whole := drain(t, NewReader(bytes.NewReader(in)))
		split := drain(t, NewReader(&chunkReader{data: in, state: seed}))
		if whole != split {
			t.Fatalf("whole stream gave %q, split stream %q", whole, split)
		}
	})
}

// drain reads until the stream ends or is lost, answering every PDU the way
// a server would, and returns a trace to compare chunkings.
func drain(t *testing.T, r *Reader) string {
	var trace bytes.Buffer
	for i := 0; i < 10000; i++ {
		p, h, err := r.Next()
		var pe *PDUError
		switch {
		case err == nil:
			trace.WriteString("p")
			if p.GetSequenceNumber() != h.SequenceNumber {
				t.Fatalf("seq %d != header %d", p.GetSequenceNumber(), h.SequenceNumber)
			}
			Marshal(Response(p, 0))
		case errors.As(err, &pe):
			trace.WriteString("e")
			Marshal(pe.Nack())
			if pe.Fatal() {
				return trace.String()
			}
		default:
			return trace.String()
		}
	}
	return trace.String()
}

package smsc

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"smsgw/transports/smpp/pduio"
)

// BenchmarkSubmit drives one transceiver session as hard as a window of
// 1000 allows: submit_sm with a receipt requested, every receipt acked. The
// client only reads headers, so the numbers are the simulator's. Reported:
// submits/s, counted when both the resp and the receipt have arrived.
func BenchmarkSubmit(b *testing.B) {
	for _, bc := range []struct {
		name  string
		delay time.Duration
	}{{"receipt-immediate", 0}, {"receipt-after-20ms", 20 * time.Millisecond}} {
		b.Run(bc.name, func(b *testing.B) {
			s := startServer(b, Config{DisableRecording: true, DRDelay: bc.delay})
			conn, err := net.Dial("tcp", s.Addr())
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			w := pduio.NewWriter(conn, 4096)
			defer w.Close()
			br := bufio.NewReaderSize(conn, 64<<10)

			bind := pdu.NewBindRequest(pdu.Transceiver)
			if err := w.Write(bind); err != nil {
				b.Fatal(err)
			}
			if h := readHeader(b, br); h.CommandID != data.BIND_TRANSCEIVER_RESP || h.CommandStatus != 0 {
				b.Fatalf("bind: %+v", h)
			}
			template := pduio.Marshal(newSubmit("4915112345678", "benchmark message text", 1))

			const window = 1000
			slots := make(chan struct{}, window)
			done := make(chan error, 1)
			go func() {
				resps, receipts := 0, 0
				for resps < b.N || receipts < b.N {
					h, err := skipPDU(br)
					if err != nil {
						done <- err
						return
					}
					switch h.CommandID {
					case data.SUBMIT_SM_RESP:
						resps++
						<-slots
					case data.DELIVER_SM:
						receipts++
						ack := make([]byte, 17)
						binary.BigEndian.PutUint32(ack, 17)
						binary.BigEndian.PutUint32(ack[4:], deliverSMResp)
						binary.BigEndian.PutUint32(ack[12:], uint32(h.SequenceNumber))
						if err := w.WriteRaw(ack); err != nil {
							done <- err
							return
						}
					}
				}
				done <- nil
			}()

			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				slots <- struct{}{}
				p := make([]byte, len(template))
				copy(p, template)
				binary.BigEndian.PutUint32(p[12:], uint32(i+2))
				if err := w.WriteRaw(p); err != nil {
					b.Fatal(err)
				}
			}
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "submits/s")
		})
	}
}

func readHeader(b *testing.B, br *bufio.Reader) pdu.Header {
	h, err := skipPDU(br)
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// skipPDU reads one PDU's header and discards its body.
func skipPDU(br *bufio.Reader) (pdu.Header, error) {
	var hb [16]byte
	if _, err := io.ReadFull(br, hb[:]); err != nil {
		return pdu.Header{}, err
	}
	h := pdu.ParseHeader(hb)
	_, err := br.Discard(int(h.CommandLength) - 16)
	return h, err
}

// deliverSMResp is the command_id as the unsigned value on the wire.
var deliverSMResp = func(id data.CommandIDType) uint32 { return uint32(id) }(data.DELIVER_SM_RESP)

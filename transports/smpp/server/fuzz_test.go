package server

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
	"github.com/rs/zerolog"

	"smsgw/transports/smpp/pduio"
)

const queryCrasher = "0000001a00000003303030303030303030300030300030300000"

// fuzzBackend accepts everything at once.
type fuzzBackend struct{}

func (fuzzBackend) Bind(context.Context, *Session, string, string) uint32 { return StatusOK }
func (fuzzBackend) Submit(_ context.Context, _ *Session, m *Submit) (string, uint32) {
	if m.Dest == "" {
		return "", StatusInvDstAddr
	}
	return "id", StatusOK
}
func (fuzzBackend) Query(context.Context, *Session, string) (QueryResult, uint32) {
	return QueryResult{FinalDate: time.Unix(0, 0), MessageState: 2}, StatusOK
}
func (fuzzBackend) Unbound(*Session) {}

func seedStream(pdus ...pdu.PDU) []byte {
	var b []byte
	for i, p := range pdus {
		p.SetSequenceNumber(int32(i + 10))
		b = append(b, pduio.Marshal(p)...)
	}
	return b
}

func fuzzSeeds() [][]byte {
	crasher, _ := hex.DecodeString(queryCrasher)
	multi := pdu.NewSubmitMulti().(*pdu.SubmitMulti)
	for _, a := range []string{"1", ""} {
		addr, _ := pdu.NewAddressWithTonNpiAddr(1, 1, a)
		d := pdu.NewDestinationAddress()
		d.SetAddress(addr)
		multi.DestAddrs.Add(d)
	}
	udh := newSubmit("2", "")
	udh.EsmClass = data.SM_UDH_GSM
	udh.Message.SetUDH(pdu.UDH{pdu.NewIEConcatMessage(2, 1, 9)})
	_ = udh.Message.SetMessageDataWithEncoding([]byte("part"), data.GSM7BIT)
	ds := pdu.NewDataSM().(*pdu.DataSM)
	ds.RegisterOptionalParam(pdu.Field{Tag: pdu.TagMessagePayload, Data: []byte("x")})
	q := pdu.NewQuerySM().(*pdu.QuerySM)
	q.MessageID = "id"
	return [][]byte{
		crasher,
		seedStream(newSubmit("1", "hello"), pdu.NewEnquireLink(), pdu.NewUnbind()),
		seedStream(multi, udh, ds, q, pdu.NewCancelSM(), pdu.NewReplaceSM()),
		append(rawHeader(20, 0x99, 0, 7), 1, 2, 3, 4),
		append(rawHeader(18, 4, 0, 9), 'a', 'b'),
		rawHeader(8, 0x15, 0, 1),
		seedStream(pdu.NewBindRequest(pdu.Transmitter), pdu.NewDeliverSMResp(), pdu.NewGenericNack()),
	}
}

// FuzzSession feeds arbitrary bytes, in chunks, into a bound session: the
// server must answer or close, never panic, and Close must return.
func FuzzSession(f *testing.F) {
	for i, s := range fuzzSeeds() {
		f.Add(s, uint32(i))
	}
	bind := pdu.NewBindRequest(pdu.Transceiver)
	bind.SystemID, bind.Password = "u", "p"
	bindBytes := pduio.Marshal(bind)
	f.Fuzz(func(t *testing.T, in []byte, seed uint32) {
		// Nothing here may block for long: a hang panics with every stack.
		watchdog := time.AfterFunc(10*time.Second, func() {
			buf := make([]byte, 1<<20)
			panic("session hung:\n" + string(buf[:runtime.Stack(buf, true)]))
		})
		defer watchdog.Stop()
		srv := New(Config{ResponseTimeout: 20 * time.Millisecond, SubmitConcurrency: 2, DeliverWindow: 1}, fuzzBackend{}, zerolog.Nop())
		server, client := net.Pipe()
		sess := newSession(srv, server)
		if !srv.add(sess) {
			t.Fatal("server refused a session")
		}
		sess.start()
		drained := make(chan struct{})
		go func() {
			defer close(drained)
			if _, err := io.Copy(io.Discard, client); err != nil && !errors.Is(err, io.ErrClosedPipe) {
				t.Errorf("drain: %v", err)
			}
		}()
		// Write errors only mean the server closed the session.
		_, _ = client.Write(bindBytes)
		for state := seed; len(in) > 0; {
			state = state*1664525 + 1013904223
			n := min(int(state>>24)%23+1, len(in))
			if _, err := client.Write(in[:n]); err != nil {
				break
			}
			in = in[n:]
		}
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
		_ = client.Close()
		<-drained
	})
}

// FuzzParseSubmit checks the submit body parser alone on any bytes.
func FuzzParseSubmit(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, dests, err := parseSubmit(raw)
		if err != nil {
			return
		}
		if m == nil || len(dests) > 255 {
			t.Fatalf("parsed %v with %d destinations", m, len(dests))
		}
	})
}

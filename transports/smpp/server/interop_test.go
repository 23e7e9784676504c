package server

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp"
	"github.com/linxGnu/gosmpp/pdu"
)

// TestGosmppTransceiver uses gosmpp's Session as a real ESME.
func TestGosmppTransceiver(t *testing.T) {
	b := newBackend()
	ts := startServer(t, Config{}, b)
	resps := make(chan *pdu.SubmitSMResp, 10)
	var delivered atomic.Int32
	sess, err := gosmpp.NewSession(
		gosmpp.TRXConnector(gosmpp.NonTLSDialer, gosmpp.Auth{SMSC: ts.addr, SystemID: "user", Password: "pw"}),
		gosmpp.Settings{
			ReadTimeout:  10 * time.Second,
			WriteTimeout: 10 * time.Second,
			EnquireLink:  5 * time.Second,
			OnPDU: func(p pdu.PDU, _ bool) {
				switch q := p.(type) {
				case *pdu.SubmitSMResp:
					resps <- q
				case *pdu.DeliverSM:
					delivered.Add(1)
				}
			},
		}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		// gosmpp closes the socket after our unbind_resp already has.
		if err := sess.Close(); err != nil {
			t.Logf("gosmpp close: %v", err)
		}
	}()
	if err := sess.Transceiver().Submit(newSubmit("4915112345678", "hello")); err != nil {
		t.Fatal(err)
	}
	r := <-resps
	if r.CommandStatus != 0 || r.MessageID != "id1" {
		t.Fatalf("submit_sm_resp %+v", r)
	}
	m := b.submitted()[0]
	if m.Dest != "4915112345678" || string(m.ShortMessage) != "hello" || m.RegisteredDelivery != 1 {
		t.Fatalf("submit %+v", m)
	}
	s := b.bound()[0]
	st, err := s.Deliver(context.Background(), &Deliver{Source: "4915112345678", Dest: "SENDER", ESMClass: 0x04,
		ShortMessage:       []byte("id:id1 sub:001 dlvrd:001 submit date:2405060708 done date:2405060708 stat:DELIVRD err:000 text:hello"),
		ReceiptedMessageID: "id1", MessageState: 2})
	if err != nil || st != StatusOK {
		t.Fatalf("deliver: %d %v", st, err)
	}
	// gosmpp acks before it calls OnPDU.
	waitFor(t, "gosmpp OnPDU deliver_sm", func() bool { return delivered.Load() == 1 })
}

// TestNodeSMPPCustomer runs node-smpp as the customer: a transceiver that
// submits 100 messages with a window of 10 and acks 100 receipts.
func TestNodeSMPPCustomer(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: the node-smpp interop test needs it (.ci/run installs it)")
	}
	interop, err := filepath.Abs("../../../test/interop")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(interop, "node_modules", "smpp")); err != nil {
		t.Fatalf("node-smpp is not installed (bash test/run.sh installs it): %v", err)
	}
	script, err := filepath.Abs("testdata/esme.js")
	if err != nil {
		t.Fatal(err)
	}
	b := newBackend()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	receipts := make(chan error, 100)
	b.submitFn = func(_ context.Context, m *Submit) (string, uint32) {
		id := fmt.Sprintf("m%d", b.ids.Add(1))
		s := b.bound()[0]
		go func() {
			st, err := s.Deliver(ctx, &Deliver{Source: m.Dest, Dest: m.Source, ESMClass: 0x04,
				ShortMessage:       []byte("id:" + id + " sub:001 dlvrd:001 submit date:2405060708 done date:2405060708 stat:DELIVRD err:000 text:"),
				ReceiptedMessageID: id, MessageState: 2})
			if err == nil && st != StatusOK {
				err = fmt.Errorf("deliver_sm_resp status %d", st)
			}
			receipts <- err
		}()
		return id, StatusOK
	}
	ts := startServer(t, Config{}, b)
	cmd := exec.CommandContext(ctx, node, script, ts.addr)
	cmd.Dir = interop
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(interop, "node_modules"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "submitted 100 receipts 100") {
		t.Fatalf("node output:\n%s", out)
	}
	for range 100 {
		if err := <-receipts; err != nil {
			t.Fatal(err)
		}
	}
	ts.waitClosed(t, "unbound")
}

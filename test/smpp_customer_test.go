package test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os/exec"
	"sort"
	"sync"
	"testing"
	"time"

	"smsgw/actors/conf"
	"smsgw/transports/smpp"
	"smsgw/transports/smpp/smsc"
)

type esmeResult struct {
	Submitted   []string `json:"submitted"`
	Errors      int      `json:"errors"`
	Receipts    []string `json:"receipts"`
	DupReceipts int      `json:"dupReceipts"`
	Mismatch    int      `json:"mismatch"`
	Timeout     bool     `json:"timeout"`
	BindStatus  *int     `json:"bindStatus"`
	Error       string   `json:"error"`
}

// runESME runs test/interop/esme.js (node-smpp as the customer) to the end.
func runESME(t *testing.T, mode, addr, systemID, password string, count int) esmeResult {
	t.Helper()
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("node", "interop/esme.js", mode, port, systemID, password, itoa(count))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node esme %s: %v\n%s", mode, err, out)
	}
	var r esmeResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("node esme said %q: %v", out, err)
	}
	if r.Timeout || r.BindStatus != nil || r.Error != "" {
		t.Fatalf("node esme %s: %+v", mode, r)
	}
	return r
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func smppCustomer(c *conf.Config) {
	c.SMPP.Listen = "127.0.0.1:0"
	c.Customers[0].SMPP.SystemID, c.Customers[0].SMPP.Password = "acme", "pw12345"
	c.Customers[0].SMPP.MaxBinds = 2
}

func sameSet(t *testing.T, what string, a, b []string) {
	t.Helper()
	a, b = append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(a)
	sort.Strings(b)
	if len(a) != len(b) {
		t.Fatalf("%s: %d vs %d ids", what, len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("%s: %s vs %s", what, a[i], b[i])
		}
	}
}

// TestNodeSMPPCustomer: node-smpp binds to the gateway as a transceiver,
// submits 1,000 messages (GSM, UCS2, concatenated) with a window of 10 and
// registered_delivery, and gets 1,000 submit_sm_resp ids and 1,000
// receipts whose ids match them, each once.
func TestNodeSMPPCustomer(t *testing.T) {
	h := start(t, "sqlite", smsc.Config{DRDelay: 5 * time.Millisecond}, smppCustomer)
	const n = 1000
	r := runESME(t, "trx", h.node.SMPPAddr(), "acme", "pw12345", n)
	if len(r.Submitted) != n || r.Errors != 0 {
		t.Fatalf("%d submit_sm_resp ok, %d errors", len(r.Submitted), r.Errors)
	}
	if r.DupReceipts != 0 || r.Mismatch != 0 {
		t.Errorf("%d duplicate receipts, %d text/TLV id mismatches", r.DupReceipts, r.Mismatch)
	}
	sameSet(t, "receipts vs submitted", r.Receipts, r.Submitted)
	if got := h.sim.Stats().Submits; got != n {
		t.Errorf("operator got %d submit_sm, want %d (customer parts pass through)", got, n)
	}
}

// TestSMPPReceiptsHeldWhileUnbound: the customer submits over a transmitter
// bind and leaves; its DRs are produced while nobody is bound, held, and
// delivered exactly once when it binds as a receiver.
func TestSMPPReceiptsHeldWhileUnbound(t *testing.T) {
	h := start(t, "sqlite", smsc.Config{DRDelay: 5 * time.Millisecond}, smppCustomer)
	const n = 200
	tx := runESME(t, "tx", h.node.SMPPAddr(), "acme", "pw12345", n)
	if len(tx.Submitted) != n {
		t.Fatalf("%d submitted", len(tx.Submitted))
	}
	waitFor(t, 30*time.Second, "the operator's receipts", func() bool { return h.sim.Stats().ReceiptsAcked == n })
	rx := runESME(t, "rx", h.node.SMPPAddr(), "acme", "pw12345", n)
	if rx.DupReceipts != 0 || rx.Mismatch != 0 {
		t.Errorf("%d duplicate receipts, %d mismatches", rx.DupReceipts, rx.Mismatch)
	}
	sameSet(t, "held receipts vs submitted", rx.Receipts, tx.Submitted)
}

// TestSMPPRetransmittedSubmit: a customer resubmitting the same submit_sm
// (same user_message_reference, destination and text) after a timeout gets
// the same message id, and the operator gets the message once.
func TestSMPPRetransmittedSubmit(t *testing.T) {
	h := start(t, "sqlite", smsc.Config{}, smppCustomer)
	r := runESME(t, "dup", h.node.SMPPAddr(), "acme", "pw12345", 3)
	if len(r.Submitted) != 3 || r.Submitted[0] != r.Submitted[1] || r.Submitted[1] != r.Submitted[2] {
		t.Fatalf("ids %v (errors %d), want three times the same", r.Submitted, r.Errors)
	}
	waitFor(t, 10*time.Second, "the submit", func() bool { return h.sim.Stats().Submits >= 1 })
	if got := h.sim.Stats().Submits; got != 1 {
		t.Errorf("operator got %d submits, want 1", got)
	}
}

// TestSMPPBindRefusals: the gateway answers bad binds and over-limit
// submits with their SMPP statuses.
func TestSMPPBindRefusals(t *testing.T) {
	h := start(t, "sqlite", smsc.Config{}, smppCustomer)
	addr := h.node.SMPPAddr()
	bindStatus := func(systemID, password string) uint32 {
		t.Helper()
		c, err := smpp.Dial(context.Background(), smpp.Config{Address: addr, SystemID: systemID, Password: password, Mode: smpp.Transmitter}, nopHandler{})
		if err == nil {
			t.Cleanup(func() { c.Close() })
			return 0
		}
		var be *smpp.BindError
		if !errors.As(err, &be) {
			t.Fatalf("bind %s: %v", systemID, err)
		}
		return be.Status
	}
	cases := []struct {
		name, systemID, password string
		want                     uint32
	}{
		{"unknown system_id", "nobody", "x", 0x0F},
		{"wrong password", "acme", "wrong", 0x0E},
		{"first bind", "acme", "pw12345", 0},
		{"second bind", "acme", "pw12345", 0},
		{"third bind over max_binds 2", "acme", "pw12345", 0x05},
	}
	for _, c := range cases {
		if got := bindStatus(c.systemID, c.password); got != c.want {
			t.Errorf("%s: status 0x%X, want 0x%X", c.name, got, c.want)
		}
	}
}

// TestSMPPBindThrottle: a bind over its bind_tps gets ESME_RTHROTTLED.
func TestSMPPBindThrottle(t *testing.T) {
	h := start(t, "sqlite", smsc.Config{}, func(c *conf.Config) {
		smppCustomer(c)
		c.Customers[0].SMPP.BindTPS = 1
	})
	rec := &statusRecorder{}
	c, err := smpp.Dial(context.Background(), smpp.Config{Address: h.node.SMPPAddr(), SystemID: "acme", Password: "pw12345",
		Mode: smpp.Transmitter, Window: 10}, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 5; i++ {
		if err := c.Submit(&smpp.Submit{Source: "ACME", Dest: "447700900123", ShortMessage: []byte("hi")}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 10*time.Second, "5 answers", func() bool { return rec.total() == 5 })
	if ok, throttled := rec.count(0), rec.count(0x58); ok == 0 || throttled == 0 || ok+throttled != 5 {
		t.Errorf("answers: %d ok, %d throttled", ok, throttled)
	}
}

type statusRecorder struct {
	nopHandler
	mu       sync.Mutex
	statuses []uint32
}

func (r *statusRecorder) SubmitResponded(_ any, _ string, status uint32) {
	r.mu.Lock()
	r.statuses = append(r.statuses, status)
	r.mu.Unlock()
}

func (r *statusRecorder) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.statuses)
}

func (r *statusRecorder) count(status uint32) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.statuses {
		if s == status {
			n++
		}
	}
	return n
}

type nopHandler struct{}

func (nopHandler) SubmitResponded(any, string, uint32)         {}
func (nopHandler) SubmitUnknown(any, error)                    {}
func (nopHandler) Delivered(_ *smpp.Deliver, ack func(uint32)) { ack(0) }
func (nopHandler) Closed(error)                                {}

package test

import (
	"encoding/json"
	"net"
	"os/exec"
	"sort"
	"testing"
	"time"

	"smsgw/actors/conf"
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

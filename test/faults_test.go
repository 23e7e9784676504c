package test

import (
	"fmt"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/data"

	"smsgw/actors/conf"
	"smsgw/transports/smpp/smsc"
)

// sendN posts n short messages and returns their ids.
func (h *harness) sendN(n int, to string) []string {
	h.t.Helper()
	ids := make([]string, 0, n)
	for i := 0; i < n; i++ {
		code, body := h.post(map[string]string{"to": fmt.Sprintf("%s%04d", to, i), "from": "ACME", "text": fmt.Sprintf("fault test %d", i)})
		if code != 202 {
			h.t.Fatalf("message %d: %d %v", i, code, body)
		}
		ids = append(ids, body["id"].(string))
	}
	return ids
}

// statusOf reads a message's status over the API.
func (h *harness) statusOf(id string) string {
	_, body := h.get(id)
	s, _ := body["status"].(string)
	return s
}

// waitStatuses waits until every message has one of the wanted statuses.
func (h *harness) waitStatuses(ids []string, d time.Duration, want ...string) map[string]int {
	h.t.Helper()
	counts := map[string]int{}
	waitFor(h.t, d, fmt.Sprintf("%d messages to reach %v", len(ids), want), func() bool {
		clear(counts)
		ok := true
		for _, id := range ids {
			s := h.statusOf(id)
			counts[s]++
			found := false
			for _, w := range want {
				found = found || s == w
			}
			ok = ok && found
		}
		return ok
	})
	return counts
}

// TestFaults runs each misbehaviour of the simulator catalogue and checks
// its documented outcome, and that no message is lost.
func TestFaults(t *testing.T) {
	cases := []struct {
		name   string
		fault  smsc.Fault
		sim    smsc.Config
		mutate func(*conf.Config)
		n      int
		want   []string // every message ends in one of these
		check  func(t *testing.T, h *harness, counts map[string]int)
	}{
		{name: "throttled is requeued", n: 10, want: []string{"delivered"},
			fault: smsc.Fault{Kind: smsc.FaultStatus, Status: data.ESME_RTHROTTLED, Count: 5},
			check: func(t *testing.T, h *harness, _ map[string]int) {
				if got := h.sim.Stats().SubmitResps[data.ESME_RTHROTTLED]; got != 5 {
					t.Errorf("%d throttled answers, want 5", got)
				}
			}},
		{name: "queue full is requeued", n: 10, want: []string{"delivered"},
			fault: smsc.Fault{Kind: smsc.FaultStatus, Status: data.ESME_RMSGQFUL, Count: 3}},
		{name: "system error is requeued", n: 5, want: []string{"delivered"},
			fault: smsc.Fault{Kind: smsc.FaultStatus, Status: data.ESME_RSYSERR, Count: 2}},
		{name: "generic_nack is requeued", n: 5, want: []string{"delivered"},
			fault: smsc.Fault{Kind: smsc.FaultGenericNack, Status: data.ESME_RSYSERR, Count: 2}},
		{name: "permanent error rejects without a second operator", n: 3, want: []string{"rejected"},
			fault: smsc.Fault{Kind: smsc.FaultStatus, Status: data.ESME_RSUBMITFAIL}},
		{name: "no response is outcome unknown, not resent", n: 3, want: []string{"unknown"},
			fault: smsc.Fault{Kind: smsc.FaultNoResponse},
			check: func(t *testing.T, h *harness, _ map[string]int) {
				if got := h.sim.Stats().Submits; got != 3 {
					t.Errorf("simulator got %d submits, want 3 (never resent)", got)
				}
			}},
		{name: "slow responses", n: 10, want: []string{"delivered"},
			fault: smsc.Fault{Kind: smsc.FaultRespDelay, Delay: 300 * time.Millisecond}},
		{name: "DR before submit_sm_resp", n: 10, want: []string{"delivered"},
			fault: smsc.Fault{Kind: smsc.FaultDRBeforeResp}},
		{name: "undeliverable receipts", n: 5, want: []string{"undeliverable"},
			fault: smsc.Fault{Kind: smsc.FaultReceiptStat, Stat: smsc.StatUndeliverable, Err: "001"}},
		{name: "bind refused, then rebind with backoff", n: 5, want: []string{"delivered"},
			fault: smsc.Fault{Kind: smsc.FaultBindRefused, Status: data.ESME_RBINDFAIL, Count: 3},
			check: func(t *testing.T, h *harness, _ map[string]int) {
				if got := h.sim.Stats().BindsRefused; got != 3 {
					t.Errorf("%d binds refused, want 3", got)
				}
			}},
		{name: "unbind mid-stream", n: 20, want: []string{"delivered", "unknown"},
			fault: smsc.Fault{Kind: smsc.FaultUnbind, After: 5, Count: 1}},
		{name: "disconnect mid-stream", n: 20, want: []string{"delivered", "unknown"},
			fault: smsc.Fault{Kind: smsc.FaultDisconnect, After: 5, Count: 1}},
		{name: "hex submit ids, decimal receipts", n: 20, want: []string{"delivered"},
			sim:    smsc.Config{IDFormat: smsc.IDHex, ReceiptIDFormat: smsc.IDDecimal, FirstID: 0x1000},
			mutate: func(c *conf.Config) { c.Operators[0].ReceiptIDFormat = "decimal" }},
		{name: "zero-padded decimal ids", n: 10, want: []string{"delivered"},
			sim: smsc.Config{IDFormat: smsc.IDDecimal, ReceiptIDFormat: smsc.IDDecimalZeroPadded}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := start(t, "sqlite", c.sim, c.mutate)
			if c.fault.Kind == smsc.FaultBindRefused {
				// Refuse the binds of a fresh start: drop the sessions the
				// gateway opened, then let the fault meet the rebinds.
				h.sim.SetFault(c.fault)
				h.sim.DropSessions()
			} else {
				h.sim.SetFault(c.fault)
			}
			ids := h.sendN(c.n, "+4477001")
			counts := h.waitStatuses(ids, 30*time.Second, c.want...)
			total := 0
			for _, v := range counts {
				total += v
			}
			if total != c.n {
				t.Errorf("accounted for %d of %d messages: %v", total, c.n, counts)
			}
			if c.check != nil {
				c.check(t, h, counts)
			}
		})
	}
}

// TestFailover: an operator that refuses permanently hands its parts to the
// next operator of the route.
func TestFailover(t *testing.T) {
	second := smsc.New(smsc.Config{})
	if err := second.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Close() })
	h := start(t, "sqlite", smsc.Config{}, func(c *conf.Config) {
		b := c.Operators[0]
		b.ID, b.Address = "backup", second.Addr()
		c.Operators = append(c.Operators, b)
		c.Routes = []conf.Route{{Prefix: "+44", Operators: []string{"sim", "backup"}}}
	})
	h.sim.SetFault(smsc.Fault{Kind: smsc.FaultStatus, Status: data.ESME_RSUBMITFAIL})
	ids := h.sendN(10, "+4477002")
	h.waitStatuses(ids, 30*time.Second, "delivered")
	if got := second.Stats().Submits; got != 10 {
		t.Errorf("backup operator got %d submits, want 10", got)
	}
	_, body := h.get(ids[0])
	parts := body["parts"].([]any)
	if op := parts[0].(map[string]any)["operator"]; op != "backup" {
		t.Errorf("part delivered by %v, want backup", op)
	}
}

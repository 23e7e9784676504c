package test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"smsgw/actors/conf"
	"smsgw/transports/smpp"
	"smsgw/transports/smpp/smsc"
	"smsgw/transports/text"
)

// moReceiver is a customer's SMPP receiver bind collecting MOs.
type moReceiver struct {
	mu     sync.Mutex
	texts  map[string]int
	closed chan struct{}
}

func (r *moReceiver) SubmitResponded(any, string, uint32) {}
func (r *moReceiver) SubmitUnknown(any, error)            {}
func (r *moReceiver) Closed(error)                        { close(r.closed) }
func (r *moReceiver) Delivered(d *smpp.Deliver, ack func(uint32)) {
	body := d.ShortMessage
	if len(body) == 0 {
		body = d.Payload
	}
	s, err := text.Decode(d.DataCoding, body)
	if err != nil {
		s = fmt.Sprintf("undecodable dc %d: %x", d.DataCoding, body)
	}
	r.mu.Lock()
	r.texts[s]++
	r.mu.Unlock()
	ack(0)
}

func (r *moReceiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.texts)
}

// TestMOOverSMPPAndHTTP: 500 MOs from the operator — a third in three
// parts, some last part first, some retransmitted — each reach the right
// customer once: "acme" on its SMPP receiver bind, "votes" by HTTP.
func TestMOOverSMPPAndHTTP(t *testing.T) {
	votes := newMOSink(t)
	h := start(t, "sqlite", smsc.Config{}, func(c *conf.Config) {
		smppCustomer(c)
		other := conf.DefaultCustomer()
		other.ID, other.APIKeys, other.MOURL = "votes", []conf.Secret{"votes-key"}, votes.srv.URL
		c.Customers = append(c.Customers, other)
		c.MORoutes = []conf.MORoute{{ShortCode: "12345", Customer: "acme"}, {ShortCode: "12345", Keyword: "VOTE", Customer: "votes"}}
	})
	rx := &moReceiver{texts: map[string]int{}, closed: make(chan struct{})}
	client, err := smpp.Dial(context.Background(), smpp.Config{Address: h.node.SMPPAddr(), SystemID: "acme", Password: "pw12345",
		Mode: smpp.Receiver}, rx)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	waitFor(t, 10*time.Second, "the gateway's binds", func() bool { return h.sim.Stats().Bound == 2 })
	const n = 500
	want := map[string]string{}
	for i := 0; i < n; i++ {
		text, to := fmt.Sprintf("hello shop %d", i), "acme"
		if i%2 == 1 {
			text, to = fmt.Sprintf("VOTE %d", i), "votes"
		}
		mo := smsc.MO{From: fmt.Sprintf("4477006%05d", i), To: "12345", Text: text}
		if i%3 == 0 {
			mo.Text = fmt.Sprintf("%s %0300d", text, i)
			mo.Parts, mo.OutOfOrder = 3, i%2 == 0
		}
		if i%7 == 0 {
			mo.Retransmit = 2
		}
		want[mo.Text] = to
		if err := h.sim.InjectMO(mo); err != nil {
			t.Fatalf("MO %d: %v", i, err)
		}
	}
	waitFor(t, 60*time.Second, "every MO at its customer", func() bool { return rx.count()+votes.count() == n })
	for text, to := range want {
		var got int
		if to == "acme" {
			rx.mu.Lock()
			got = rx.texts[text]
			rx.mu.Unlock()
		} else {
			votes.mu.Lock()
			got = votes.texts[text]
			votes.mu.Unlock()
		}
		if got != 1 {
			t.Errorf("MO %.24q… reached %s %d times", text, to, got)
		}
	}
}

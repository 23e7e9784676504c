package test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"smsgw/actors/conf"
	"smsgw/transports/smpp/smsc"
)

// moSink records MO callbacks by mo text.
type moSink struct {
	srv   *httptest.Server
	mu    sync.Mutex
	texts map[string]int // text → times received (events deduped by event_id)
	seen  map[string]bool
}

func newMOSink(t *testing.T) *moSink {
	s := &moSink{texts: map[string]int{}, seen: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		if json.Unmarshal(body, &m) != nil || m["type"] != "mo" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		ev, _ := m["event_id"].(string)
		if !s.seen[ev] {
			s.seen[ev] = true
			s.texts[m["text"].(string)]++
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *moSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.texts)
}

// TestMOOverHTTP: 300 MOs from the operator — a third of them in three
// parts, some sent last part first, some retransmitted — each reach the
// customer their keyword routes to, once, as an HTTP callback.
func TestMOOverHTTP(t *testing.T) {
	shop, votes := newMOSink(t), newMOSink(t)
	h := start(t, "sqlite", smsc.Config{}, func(c *conf.Config) {
		other := conf.DefaultCustomer()
		other.ID, other.APIKeys, other.MOURL = "votes", []conf.Secret{"votes-key"}, votes.srv.URL
		c.Customers[0].MOURL = shop.srv.URL
		c.Customers = append(c.Customers, other)
		c.MORoutes = []conf.MORoute{{ShortCode: "12345", Customer: "acme"}, {ShortCode: "12345", Keyword: "VOTE", Customer: "votes"}}
	})
	waitFor(t, 10*time.Second, "the gateway's binds", func() bool { return h.sim.Stats().Bound == 2 })
	const n = 300
	want := map[string]string{} // text → customer
	for i := 0; i < n; i++ {
		text := fmt.Sprintf("hello shop %d", i)
		sink := "acme"
		if i%2 == 1 {
			text, sink = fmt.Sprintf("VOTE %d", i), "votes"
		}
		mo := smsc.MO{From: fmt.Sprintf("4477009%05d", i), To: "12345", Text: text}
		if i%3 == 0 {
			mo.Text = text + " " + fmt.Sprintf("%0300d", i) // long enough for 3 parts
			text = mo.Text
			mo.Parts = 3
			mo.OutOfOrder = i%2 == 0
		}
		if i%5 == 0 {
			mo.Retransmit = 1
		}
		want[text] = sink
		if err := h.sim.InjectMO(mo); err != nil {
			t.Fatalf("MO %d: %v", i, err)
		}
	}
	waitFor(t, 60*time.Second, "every MO at its customer", func() bool { return shop.count()+votes.count() == n })
	for text, sink := range want {
		s := shop
		if sink == "votes" {
			s = votes
		}
		s.mu.Lock()
		got := s.texts[text]
		s.mu.Unlock()
		if got != 1 {
			t.Errorf("MO %.20q… reached %s %d times", text, sink, got)
		}
	}
	st := h.sim.Stats()
	if st.MOsAcked != st.MOsSent {
		t.Errorf("operator: %d deliver_sm sent, %d acked", st.MOsSent, st.MOsAcked)
	}
}

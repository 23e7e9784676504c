package test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"smsgw/transports/smpp/smsc"
)

// kind of text in the mixed load, by i%3.
func mixedText(i int) (text string, parts int, dc byte) {
	switch i % 3 {
	case 0:
		return fmt.Sprintf("Hello from smsgw #%d", i), 1, 0
	case 1:
		return fmt.Sprintf("Grüße 😀 #%d", i), 1, 8
	default:
		base := fmt.Sprintf("#%d long GSM text with [brackets] and € signs; ", i)
		return (strings.Repeat(base, 400/len(base)+1))[:400], 3, 0
	}
}

// TestMTEndToEnd: 1,000 MTs over HTTP reach the simulator as exactly the
// expected submit_sm parts, every message ends delivered, and the customer
// receives every DR callback — on both store backends.
func TestMTEndToEnd(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			h := start(t, backend, smsc.Config{DRDelay: 5 * time.Millisecond}, nil)
			const n = 1000
			ids, wantParts := h.sendMixed(n, "+4477009", 16)
			if t.Failed() {
				return
			}
			waitFor(t, 60*time.Second, "every DR callback", func() bool { return h.cb.count() == n })
			for i, id := range ids {
				if s := h.cb.status(id); s != "delivered" {
					t.Errorf("message %d (%s): callback status %q", i, id, s)
				}
			}
			if st := h.sim.Stats(); st.Submits != wantParts {
				t.Errorf("simulator received %d submit_sm, want %d", st.Submits, wantParts)
			}
			checkParts(t, h.sim.Submits(), n)
			for _, i := range []int{0, 1, 2, n - 1} {
				code, body := h.get(ids[i])
				if code != 200 || body["status"] != "delivered" {
					t.Errorf("GET message %d: %d %v", i, code, body["status"])
				}
			}
		})
	}
}

// sendMixed posts n messages of the mixed kinds to prefix+i, concurrency at
// a time, checks each answer's part count, and returns the ids and the
// number of parts the operator should get.
func (h *harness) sendMixed(n int, prefix string, concurrency int) ([]string, int) {
	ids := make([]string, n)
	wantParts := 0
	var wg sync.WaitGroup
	sem := make(chan struct{}, concurrency)
	for i := 0; i < n; i++ {
		text, parts, _ := mixedText(i)
		wantParts += parts
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			code, body := h.post(map[string]string{"to": fmt.Sprintf("%s%05d", prefix, i), "from": "ACME", "text": text, "client_ref": fmt.Sprint("ref-", i)})
			if code != 202 {
				h.t.Errorf("message %d: status %d %v", i, code, body)
				return
			}
			if got := int(body["parts"].(float64)); got != parts {
				h.t.Errorf("message %d: %d parts, want %d", i, got, parts)
			}
			ids[i] = body["id"].(string)
		}()
	}
	wg.Wait()
	return ids, wantParts
}

// checkParts verifies data_coding and concatenation of what the SMSC got.
func checkParts(t *testing.T, subs []smsc.Submit, n int) {
	t.Helper()
	byDest := map[string][]smsc.Submit{}
	for _, s := range subs {
		byDest[s.Dest] = append(byDest[s.Dest], s)
	}
	for i := 0; i < n; i++ {
		_, parts, dc := mixedText(i)
		got := byDest[fmt.Sprintf("4477009%05d", i)]
		if len(got) == 0 {
			got = byDest[fmt.Sprintf("+4477009%05d", i)]
		}
		if len(got) != parts {
			t.Errorf("message %d: %d submits, want %d", i, len(got), parts)
			continue
		}
		seen := map[uint8]bool{}
		for _, s := range got {
			if s.DataCoding != dc {
				t.Errorf("message %d: data_coding %d, want %d", i, s.DataCoding, dc)
			}
			if parts > 1 {
				if s.ESMClass&0x40 == 0 || s.Concat.Total != uint8(parts) {
					t.Errorf("message %d: part without UDH concat %+v", i, s.Concat)
				}
				seen[s.Concat.Part] = true
			}
		}
		if parts > 1 && len(seen) != parts {
			t.Errorf("message %d: parts %v", i, seen)
		}
	}
}

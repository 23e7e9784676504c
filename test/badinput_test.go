package test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"smsgw/actors/conf"
	"smsgw/transports/smpp/smsc"
)

// TestBadInput: every malformed or refused request gets its documented
// 4xx JSON error and nothing is stored or sent.
func TestBadInput(t *testing.T) {
	h := start(t, "sqlite", smsc.Config{}, func(c *conf.Config) {
		c.Customers[0].Senders = []string{"ACME"}
		c.Customers[0].MaxParts = 2
		c.Routes = []conf.Route{{Prefix: "+44", Operators: []string{"sim"}}}
	})
	long := strings.Repeat("x", 400)
	cases := []struct {
		name    string
		body    string
		headers []string
		status  int
		code    string
	}{
		{"malformed JSON", `{"to":`, nil, 400, "invalid_json"},
		{"not an object", `[1,2]`, nil, 400, "invalid_json"},
		{"unknown field", `{"to":"+447700900123","from":"ACME","text":"hi","bogus":1}`, nil, 400, ""},
		{"missing to", `{"from":"ACME","text":"hi"}`, nil, 400, "missing_field"},
		{"invalid to", `{"to":"12ab","from":"ACME","text":"hi"}`, nil, 400, "invalid_to"},
		{"invalid from", `{"to":"+447700900123","from":"this sender is far too long","text":"hi"}`, nil, 400, "invalid_from"},
		{"empty text", `{"to":"+447700900123","from":"ACME","text":""}`, nil, 400, ""},
		{"too many parts", `{"to":"+447700900123","from":"ACME","text":"` + long + `"}`, nil, 422, "too_many_parts"},
		{"unknown sender", `{"to":"+447700900123","from":"EVIL","text":"hi"}`, nil, 422, "unknown_sender"},
		{"no route", `{"to":"+33612345678","from":"ACME","text":"hi"}`, nil, 422, "no_route"},
		{"bad callback url", `{"to":"+447700900123","from":"ACME","text":"hi","callback_url":"ftp://x"}`, nil, 400, "invalid_callback_url"},
		{"wrong key", `{"to":"+447700900123","from":"ACME","text":"hi"}`, []string{"Authorization", "Bearer nope"}, 401, "unauthorized"},
		{"no auth", `{"to":"+447700900123","from":"ACME","text":"hi"}`, []string{"Authorization", ""}, 401, "unauthorized"},
		{"huge body", `{"to":"+447700900123","from":"ACME","text":"` + strings.Repeat("y", 100<<10) + `"}`, nil, 413, "body_too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := h.post(c.body, c.headers...)
			if code != c.status {
				t.Fatalf("status %d, want %d: %v", code, c.status, body)
			}
			e, _ := body["error"].(map[string]any)
			if e == nil || e["code"] == "" || e["message"] == "" {
				t.Fatalf("no JSON error: %v", body)
			}
			if c.code != "" && e["code"] != c.code {
				t.Errorf("code %v, want %s", e["code"], c.code)
			}
		})
	}
	// One good message after the bad ones: the operator queue is FIFO, so
	// once it is delivered any stored bad request would have been sent too.
	code, body := h.post(map[string]string{"to": "+447700900123", "from": "ACME", "text": "the only good one"})
	if code != http.StatusAccepted {
		t.Fatalf("good message: %d %v", code, body)
	}
	waitFor(t, 20*time.Second, "the good message's DR", func() bool { return h.cb.count() == 1 })
	if got := h.sim.Stats().Submits; got != 1 {
		t.Errorf("simulator received %d submits, want only the good one", got)
	}
}

// TestIdempotency: a retried request with the same Idempotency-Key gets
// the original answer; the same key with another body gets 409.
func TestIdempotency(t *testing.T) {
	h := start(t, "sqlite", smsc.Config{}, nil)
	req := map[string]string{"to": "+447700900123", "from": "ACME", "text": "pay 10 EUR"}
	c1, b1 := h.post(req, "Idempotency-Key", "k-1")
	c2, b2 := h.post(req, "Idempotency-Key", "k-1")
	if c1 != 202 || c2 != 202 || b1["id"] != b2["id"] {
		t.Fatalf("replay: %d %v / %d %v", c1, b1, c2, b2)
	}
	req["text"] = "pay 99 EUR"
	if c3, b3 := h.post(req, "Idempotency-Key", "k-1"); c3 != http.StatusConflict {
		t.Errorf("reuse with another body: %d %v", c3, b3)
	}
	// client_ref is the key when no header is given.
	r := map[string]string{"to": "+447700900124", "from": "ACME", "text": "hi", "client_ref": "order-7"}
	_, a := h.post(r)
	_, b := h.post(r)
	if a["id"] != b["id"] {
		t.Errorf("client_ref retry made two messages: %v %v", a["id"], b["id"])
	}
	waitFor(t, 20*time.Second, "two DRs", func() bool { return h.cb.count() == 2 })
	if got := h.sim.Stats().Submits; got != 2 {
		t.Errorf("simulator received %d submits, want 2", got)
	}
	if code, _ := h.get(fmt.Sprint(b1["id"])); code != 200 {
		t.Errorf("GET: %d", code)
	}
}

// TestRateLimit: a customer over its TPS gets 429 with Retry-After, and
// nothing is stored for the refused requests.
func TestRateLimit(t *testing.T) {
	h := start(t, "sqlite", smsc.Config{}, func(c *conf.Config) { c.Customers[0].TPS = 1 })
	accepted, limited := 0, 0
	for i := 0; i < 5; i++ {
		code, body := h.post(map[string]string{"to": fmt.Sprintf("+44770090%04d", i), "from": "ACME", "text": "hi"})
		switch code {
		case 202:
			accepted++
		case 429:
			limited++
			if e := body["error"].(map[string]any); e["code"] != "rate_limited" {
				t.Errorf("429 code %v", e["code"])
			}
		default:
			t.Errorf("status %d %v", code, body)
		}
	}
	if accepted == 0 || limited == 0 {
		t.Fatalf("accepted %d, limited %d", accepted, limited)
	}
	waitFor(t, 20*time.Second, "DRs of the accepted", func() bool { return h.cb.count() == accepted })
	if got := h.sim.Stats().Submits; got != accepted {
		t.Errorf("simulator received %d submits, want %d", got, accepted)
	}
}

// TestOtherCustomersMessage: a customer sees only its own messages.
func TestOtherCustomersMessage(t *testing.T) {
	h := start(t, "sqlite", smsc.Config{}, func(c *conf.Config) {
		other := c.Customers[0]
		other.ID, other.APIKeys = "other", []conf.Secret{"other-key"}
		c.Customers = append(c.Customers, other)
	})
	_, body := h.post(map[string]string{"to": "+447700900123", "from": "ACME", "text": "mine"})
	req, _ := http.NewRequest(http.MethodGet, h.url+"/v1/messages/"+body["id"].(string), nil)
	req.Header.Set("Authorization", "Bearer other-key")
	if code, _ := h.do(req); code != http.StatusNotFound {
		t.Errorf("another customer's message: %d, want 404", code)
	}
}

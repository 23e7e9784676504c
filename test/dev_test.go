package test

import (
	"strings"
	"testing"
	"time"
)

// TestDevCommand: `smsgw dev` as a newcomer runs it — the README's request
// gets a message delivered, and the log shows its lifecycle lines.
func TestDevCommand(t *testing.T) {
	bin := smsgwBinary(t)
	httpAddr, smppAddr := freeAddr(t), freeAddr(t)
	dev := startProc(t, bin, "dev", "--data-dir", t.TempDir(), "--http", httpAddr, "--smpp", smppAddr, "--demo-key", apiKey)
	waitHTTP(t, "http://"+httpAddr+"/healthz")
	h := &harness{t: t, url: "http://" + httpAddr}
	code, body := h.post(map[string]string{"to": "+447700900123", "from": "ACME", "text": "Hello from smsgw"})
	if code != 202 {
		t.Fatalf("POST: %d %v", code, body)
	}
	id := body["id"].(string)
	waitFor(t, 20*time.Second, "delivered", func() bool { return h.statusOf(id) == "delivered" })
	for _, event := range []string{"mt_accepted", "mt_queued", "mt_submitted", "dr_received", "mt_delivered"} {
		ev := event
		waitFor(t, 5*time.Second, "log line "+ev, func() bool {
			for _, l := range strings.Split(dev.output(), "\n") {
				if strings.Contains(l, `"event":"`+ev+`"`) && strings.Contains(l, id) {
					return true
				}
			}
			return false
		})
	}
	for _, l := range strings.Split(dev.output(), "\n") {
		if strings.HasPrefix(l, "{") && (strings.Contains(l, "Hello from smsgw") || strings.Contains(l, apiKey)) {
			t.Errorf("a log line carries the message text or the API key: %s", l)
		}
	}
	dev.stop(t)
}

package test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCrashRecovery: kill -9 of the gateway while 2,000 messages are in
// flight, restart it on the same store: every message the API acknowledged
// is submitted and ends delivered, and its DR reaches the customer. The
// simulator runs as its own process and counts duplicate submits (parts
// that were on the wire when the gateway died are sent again).
func TestCrashRecovery(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) { crashRecovery(t, backend) })
	}
}

func crashRecovery(t *testing.T, backend string) {
	bin := smsgwBinary(t)
	simAddr, simCtl, httpAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	startProc(t, bin, "sim", "--listen", simAddr, "--http", simCtl, "--dr-delay", "20ms")
	waitHTTP(t, "http://"+simCtl+"/stats")
	cb := newCallbacks(t)
	cfgPath := filepath.Join(t.TempDir(), "smsgw.yaml")
	yaml := fmt.Sprintf(`store: {url: %q}
http: {listen: %q}
log: {level: warn}
operators:
  - {id: sim, protocol: smpp, address: %q, system_id: gw, password: secret, bind: transceiver, binds: 2, tps: 1000, window: 50, response_timeout: 5s}
routes:
  - {prefix: "*", operators: [sim]}
customers:
  - {id: acme, api_keys: [%q], callback_url: %q, tps: 100000}
`, storeURL(t, backend), httpAddr, simAddr, apiKey, cb.srv.URL+"/dr")
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	gw := startProc(t, bin, "serve", "--config", cfgPath)
	waitHTTP(t, "http://"+httpAddr+"/healthz")
	h := &harness{t: t, url: "http://" + httpAddr, cb: cb}

	const n, killAfter = 2000, 700
	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	killed := make(chan struct{})
	var once sync.Once
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			code, body := h.postQuiet(map[string]string{"to": fmt.Sprintf("+4477003%05d", i), "from": "ACME", "text": fmt.Sprintf("crash test %d", i)})
			if code != http.StatusAccepted {
				return // not acknowledged: the gateway owes nothing
			}
			mu.Lock()
			acked[body["id"].(string)] = true
			if len(acked) == killAfter {
				once.Do(func() { gw.kill(); close(killed) })
			}
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	<-killed
	t.Logf("acknowledged before kill -9: %d of %d requests", len(acked), n)

	gw2 := startProc(t, bin, "serve", "--config", cfgPath)
	waitHTTP(t, "http://"+httpAddr+"/healthz")
	missing := func() []string {
		cb.mu.Lock()
		defer cb.mu.Unlock()
		var out []string
		for id := range acked {
			if cb.byMsg[id] == nil {
				out = append(out, id)
			}
		}
		return out
	}
	deadline := time.Now().Add(90 * time.Second)
	for len(missing()) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if m := missing(); len(m) > 0 {
		statuses := map[string]int{}
		for _, id := range m {
			statuses[h.statusOf(id)]++
		}
		t.Fatalf("%d acknowledged messages without a DR callback; their statuses: %v\ngateway log:\n%s", len(m), statuses, lastLines(gw2.output(), 30))
	}
	for id := range acked {
		if s := cb.status(id); s != "delivered" {
			t.Errorf("message %s ended %q", id, s)
		}
	}
	resp, err := http.Get("http://" + simCtl + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Unique     int `json:"unique_submits"`
		Duplicates int `json:"duplicate_submits"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	t.Logf("simulator: %d unique submits, %d submitted twice", st.Unique, st.Duplicates)
	if st.Unique < len(acked) {
		t.Errorf("simulator saw %d unique messages, fewer than the %d acknowledged", st.Unique, len(acked))
	}
	gw2.stop(t)
}

// postQuiet is post without failing the test on a transport error (the
// gateway is killed under it).
func (h *harness) postQuiet(body map[string]string) (int, map[string]any) {
	j, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, h.url+"/v1/messages", bytesReader(j))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+apiKey)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

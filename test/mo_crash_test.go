package test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestMOCrashRecovery: MOs flow from a separate simulator process while
// the gateway is killed with SIGKILL and restarted: every MO reaches the
// customer, once. The simulator holds and redelivers deliver_sm the gateway
// never acknowledged, as an operator's SMSC does.
func TestMOCrashRecovery(t *testing.T) {
	bin := smsgwBinary(t)
	simAddr, simCtl, httpAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	startProc(t, bin, "sim", "--listen", simAddr, "--http", simCtl)
	waitHTTP(t, "http://"+simCtl+"/stats")
	sink := newMOSink(t)
	cfgPath := filepath.Join(t.TempDir(), "smsgw.yaml")
	yaml := fmt.Sprintf(`store: {url: %q}
http: {listen: %q}
log: {level: warn}
operators:
  - {id: sim, protocol: smpp, address: %q, system_id: gw, password: secret, bind: transceiver, binds: 2}
routes:
  - {prefix: "*", operators: [sim]}
customers:
  - {id: acme, api_keys: [%q], mo_url: %q}
mo_routes:
  - {short_code: "*", customer: acme}
`, storeURL(t, "sqlite"), httpAddr, simAddr, apiKey, sink.srv.URL)
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	gw := startProc(t, bin, "serve", "--config", cfgPath)
	waitHTTP(t, "http://"+httpAddr+"/healthz")

	inject := func(i int) bool {
		body, _ := json.Marshal(map[string]any{"From": fmt.Sprintf("4477007%05d", i), "To": "55555", "Text": fmt.Sprintf("crash MO %d", i), "Parts": 1 + i%3})
		resp, err := http.Post("http://"+simCtl+"/mo", "application/json", bytes.NewReader(body))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusAccepted
	}
	const n, killAt = 500, 200
	var gw2 *proc
	for i := 0; i < n; i++ {
		if i == killAt {
			gw.kill()
			gw2 = startProc(t, bin, "serve", "--config", cfgPath)
		}
		// While no gateway is bound the operator keeps the MO: retry.
		waitFor(t, 30*time.Second, fmt.Sprintf("the simulator to take MO %d", i), func() bool { return inject(i) })
	}
	deadline := time.Now().Add(60 * time.Second)
	for sink.count() < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := sink.count(); got < n {
		resp, _ := http.Get("http://" + simCtl + "/stats")
		var st map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		var missing []int
		sink.mu.Lock()
		for i := 0; i < n; i++ {
			if sink.texts[fmt.Sprintf("crash MO %d", i)] == 0 {
				missing = append(missing, i)
			}
		}
		sink.mu.Unlock()
		t.Fatalf("%d of %d MOs reached the customer; missing %v; simulator %v\n%s", got, n, missing, st["stats"], lastLines(gw2.output(), 20))
	}
	sink.mu.Lock()
	for text, times := range sink.texts {
		if times != 1 {
			t.Errorf("%q received %d times", text, times)
		}
	}
	sink.mu.Unlock()
	gw2.stop(t)
}

package test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"smsgw/actors/conf"
	"smsgw/transports/smpp/smsc"
)

// nodeOperator runs test/interop/operator.js: an SMSC on node-smpp, the
// independent SMPP implementation.
type nodeOperator struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
	addr  string
}

func startNodeOperator(t *testing.T) *nodeOperator {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not installed: the node-smpp interop test needs it (.ci/run installs it)")
	}
	cmd := exec.Command("node", "interop/operator.js", "0")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	o := &nodeOperator{cmd: cmd, in: in, lines: make(chan string, 16)}
	t.Cleanup(func() {
		_ = syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			o.lines <- s.Text()
		}
		close(o.lines)
	}()
	select {
	case l := <-o.lines:
		var port int
		if _, err := fmt.Sscanf(l, "listening %d", &port); err != nil {
			t.Fatalf("node operator said %q (is test/interop/node_modules installed? bash test/run.sh does it)", l)
		}
		o.addr = fmt.Sprintf("127.0.0.1:%d", port)
	case <-time.After(20 * time.Second):
		t.Fatal("node operator did not start")
	}
	return o
}

type nodeStats struct {
	Binds, Submits, UDH, UCS2, Receipts, ReceiptAcks int
}

func (o *nodeOperator) stats(t *testing.T) nodeStats {
	t.Helper()
	if _, err := io.WriteString(o.in, "stats\n"); err != nil {
		t.Fatal(err)
	}
	var s nodeStats
	select {
	case l := <-o.lines:
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatalf("node stats %q: %v", l, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("node operator did not answer")
	}
	return s
}

// TestNodeSMPPOperator: the MT flow against node-smpp as the operator:
// GSM, UCS2 and concatenated messages are submitted, node-smpp's receipts
// are matched, and every message ends delivered with its DR called back.
func TestNodeSMPPOperator(t *testing.T) {
	op := startNodeOperator(t)
	h := start(t, "sqlite", smsc.Config{}, func(c *conf.Config) {
		c.Operators[0].Address = op.addr
	})
	const n = 300
	ids, want := h.sendMixed(n, "+4477004", 8)
	if t.Failed() {
		return
	}
	waitFor(t, 60*time.Second, "every DR callback", func() bool { return h.cb.count() == n })
	for i, id := range ids {
		if s := h.cb.status(id); s != "delivered" {
			t.Errorf("message %d: %q", i, s)
		}
	}
	s := op.stats(t)
	if s.Submits != want || s.UDH != (n/3)*3 || s.UCS2 != n/3 {
		t.Errorf("node-smpp saw %+v; want %d submits, %d with UDH, %d UCS2", s, want, (n/3)*3, n/3)
	}
	if !strings.Contains(h.statusOf(ids[2]), "delivered") {
		t.Errorf("GET of a concatenated message: %s", h.statusOf(ids[2]))
	}
}

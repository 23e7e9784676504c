package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"smsgw/transports/smpp"
)

// SMPPOptions drive the SMPP benchmark: one customer transceiver bind that
// submits with a window and takes the receipts back.
type SMPPOptions struct {
	Address            string // the gateway's customer SMPP listener
	SystemID, Password string
	Count              int           // default 10000
	Window             int           // default 100
	Timeout            time.Duration // wait for receipts after the last submit; default 2 min
	MetricsURL         string        // gateway /metrics for CPU time; "" = not measured
}

// SMPPReport is what the SMPP benchmark measured.
type SMPPReport struct {
	Submitted, Refused, Unknown, Receipts int
	SubmitsPerSec, ReceiptsPerSec         float64
	GatewayCPUPerMsg                      time.Duration
	CPUMeasured                           bool
	Elapsed                               time.Duration
}

func (r *SMPPReport) String() string {
	cpu := "n/a"
	if r.CPUMeasured {
		cpu = fmt.Sprintf("%d µs", r.GatewayCPUPerMsg.Microseconds())
	}
	return fmt.Sprintf("submit_sm ok        %d\nrefused             %d\nno response         %d\nreceipts            %d\nsubmits/s           %.0f\nreceipts/s          %.0f\ngateway CPU/msg     %s\nelapsed             %s\n",
		r.Submitted, r.Refused, r.Unknown, r.Receipts, r.SubmitsPerSec, r.ReceiptsPerSec, cpu, r.Elapsed.Round(time.Millisecond))
}

type smppCounter struct {
	window                      chan struct{}
	ok, refused, unknown, rcpts atomic.Int64
	lastResp, lastRcpt          atomic.Int64
	done                        chan struct{}
	closeOnce                   sync.Once
	total                       int64
	bar                         *progressbar.ProgressBar
}

func (c *smppCounter) SubmitResponded(_ any, _ string, status uint32) {
	if status == 0 {
		c.ok.Add(1)
	} else {
		c.refused.Add(1)
	}
	c.lastResp.Store(time.Now().UnixNano())
	<-c.window
}

func (c *smppCounter) SubmitUnknown(any, error) {
	c.unknown.Add(1)
	<-c.window
}

func (c *smppCounter) Delivered(d *smpp.Deliver, ack func(uint32)) {
	ack(0)
	if !d.Receipt {
		return
	}
	_ = c.bar.Add(1)
	c.lastRcpt.Store(time.Now().UnixNano())
	if c.rcpts.Add(1) == c.total {
		c.closeOnce.Do(func() { close(c.done) })
	}
}

func (c *smppCounter) Closed(error) {}

// RunSMPP submits Count messages with registered_delivery over one
// transceiver bind and waits for their receipts.
func RunSMPP(ctx context.Context, o SMPPOptions, out io.Writer) (*SMPPReport, error) {
	if o.Count <= 0 {
		o.Count = DefaultCount
	}
	if o.Window <= 0 {
		o.Window = 100
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	c := &smppCounter{window: make(chan struct{}, o.Window), done: make(chan struct{}), total: int64(o.Count),
		bar: progressbar.NewOptions(o.Count, progressbar.OptionSetWriter(out), progressbar.OptionSetDescription("receipts"))}
	client, err := smpp.Dial(ctx, smpp.Config{Address: o.Address, SystemID: o.SystemID, Password: o.Password,
		Mode: smpp.Transceiver, Window: o.Window}, c)
	if err != nil {
		return nil, fmt.Errorf("bind %s: %w", o.Address, err)
	}
	defer client.Close()
	cpu0, cpuErr := gatewayCPU(ctx, o.MetricsURL)
	start := time.Now()
	for i := 0; i < o.Count; i++ {
		select {
		case c.window <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		s := &smpp.Submit{Source: "BENCH", Dest: fmt.Sprintf("447700%06d", i%1000000), DataCoding: 0,
			ShortMessage: []byte(DefaultText), RegisteredDelivery: 1}
		if err := client.Submit(s); err != nil {
			return nil, fmt.Errorf("submit %d: %w", i, err)
		}
	}
	var waitErr error
	select {
	case <-c.done:
	case <-time.After(o.Timeout):
		waitErr = errors.New("timed out waiting for receipts")
	case <-ctx.Done():
		waitErr = ctx.Err()
	}
	_ = c.bar.Finish()
	r := &SMPPReport{Submitted: int(c.ok.Load()), Refused: int(c.refused.Load()), Unknown: int(c.unknown.Load()),
		Receipts: int(c.rcpts.Load()), Elapsed: time.Since(start)}
	if t := c.lastResp.Load(); t > 0 {
		r.SubmitsPerSec = float64(r.Submitted) / time.Unix(0, t).Sub(start).Seconds()
	}
	if t := c.lastRcpt.Load(); t > 0 {
		r.ReceiptsPerSec = float64(r.Receipts) / time.Unix(0, t).Sub(start).Seconds()
	}
	if cpu1, err := gatewayCPU(ctx, o.MetricsURL); err == nil && cpuErr == nil && r.Submitted > 0 {
		r.CPUMeasured = true
		r.GatewayCPUPerMsg = time.Duration((cpu1 - cpu0) / float64(r.Submitted) * float64(time.Second))
	}
	return r, waitErr
}

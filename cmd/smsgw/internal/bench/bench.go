package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/time/rate"
)

// Options configures one run; zero values take the defaults.
type Options struct {
	URL            string        // gateway base URL; default http://127.0.0.1:8080
	MetricsURL     string        // default URL + "/metrics"
	APIKey         string        // sent as "Authorization: Bearer <key>"
	Count          int           // messages; default 10000
	Concurrency    int           // parallel requests; default 64
	Rate           float64       // messages per second; 0 = as fast as possible
	Text           string        // default a 20-character GSM text
	Mix            bool          // cycle GSM, UCS2 with emoji and 400-character texts
	From           string        // sender; default "smsgw"
	ToPrefix       string        // destinations are ToPrefix + 6 digits; default "+447700"
	CallbackListen string        // DR receiver; default 127.0.0.1:0
	Timeout        time.Duration // wait for DRs after the last submit; default 2 min
}

// Defaults.
const (
	DefaultURL            = "http://127.0.0.1:8080"
	DefaultCount          = 10000
	DefaultConcurrency    = 64
	DefaultText           = "smsgw bench message!"
	DefaultFrom           = "smsgw"
	DefaultToPrefix       = "+447700"
	DefaultCallbackListen = "127.0.0.1:0"
	DefaultTimeout        = 2 * time.Minute
)

var (
	ucs2Text = "Привет из smsgw 👋 bench ✓"
	longText = strings.Repeat("A long GSM text that needs three parts. ", 10) // 400 characters
)

func (o *Options) setDefaults() error {
	if o.URL == "" {
		o.URL = DefaultURL
	}
	o.URL = strings.TrimRight(o.URL, "/")
	if o.MetricsURL == "" {
		o.MetricsURL = o.URL + "/metrics"
	}
	if o.Count == 0 {
		o.Count = DefaultCount
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Text == "" {
		o.Text = DefaultText
	}
	if o.From == "" {
		o.From = DefaultFrom
	}
	if o.ToPrefix == "" {
		o.ToPrefix = DefaultToPrefix
	}
	if o.CallbackListen == "" {
		o.CallbackListen = DefaultCallbackListen
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.Count < 0, o.Concurrency < 0, o.Rate < 0, o.Timeout < 0:
		return errors.New("bench: count, concurrency, rate and timeout must not be negative")
	case o.APIKey == "":
		return errors.New("bench: an API key is required")
	}
	return nil
}

// text returns the body of message i.
func (o *Options) text(i int) string {
	if !o.Mix {
		return o.Text
	}
	switch i % 3 {
	case 1:
		return ucs2Text
	case 2:
		return longText
	}
	return o.Text
}

// run is the state of one Run.
type run struct {
	o        Options
	client   *http.Client
	callback string // URL the gateway posts DRs to
	refBase  string // makes client_ref unique across runs
	track    *tracker

	mu        sync.Mutex
	rejected  map[int]int
	errs      int
	firstErr  error
	latencies []time.Duration
}

// Run submits o.Count messages, waits for their DRs and reports. On a DR
// timeout or a cancelled ctx it returns the partial report with the error.
func Run(ctx context.Context, o Options, out io.Writer) (*Report, error) {
	if err := o.setDefaults(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", o.CallbackListen)
	if err != nil {
		return nil, fmt.Errorf("bench: callback listener: %w", err)
	}
	r := &run{
		o:         o,
		callback:  "http://" + ln.Addr().String() + "/dr",
		refBase:   "bench-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-",
		track:     newTracker(),
		rejected:  map[int]int{},
		latencies: make([]time.Duration, 0, o.Count),
	}
	srv := &http.Server{Handler: r.track, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx) // best effort: the report is already complete
		<-served
	}()

	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 2 * o.Concurrency
	tr.MaxIdleConnsPerHost = o.Concurrency
	r.client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()

	cpuBefore, cpuErr := r.scrapeCPU(ctx)
	start := time.Now()
	r.submitAll(ctx, out)
	sendEnd := time.Now()
	waitErr := r.waitForDRs(ctx, out)
	var cpuAfter float64
	if cpuErr == nil {
		cpuAfter, cpuErr = r.scrapeCPU(ctx)
	}

	rep := r.report(start, sendEnd)
	if cpuErr == nil && rep.Accepted > 0 {
		rep.CPUMeasured = true
		rep.GatewayCPUPerMsg = time.Duration((cpuAfter - cpuBefore) / float64(rep.Accepted) * float64(time.Second))
	}
	switch {
	case ctx.Err() != nil:
		return rep, fmt.Errorf("bench: %w", ctx.Err())
	case rep.Accepted == 0 && r.firstErr != nil:
		return rep, fmt.Errorf("bench: no message accepted: %w", r.firstErr)
	case waitErr != nil:
		return rep, waitErr
	}
	return rep, nil
}

// submitAll sends every message from o.Concurrency workers.
func (r *run) submitAll(ctx context.Context, out io.Writer) {
	bar := progressbar.NewOptions(r.o.Count, progressbar.OptionSetWriter(out),
		progressbar.OptionSetDescription("submitted"), progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetPredictTime(false))
	var limiter *rate.Limiter
	if r.o.Rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(r.o.Rate), 1)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(r.o.Concurrency, r.o.Count) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= r.o.Count || ctx.Err() != nil {
					return
				}
				if limiter != nil && limiter.Wait(ctx) != nil {
					return
				}
				r.submit(ctx, i)
				_ = bar.Add(1) // rendering errors only affect the display
			}
		}()
	}
	wg.Wait()
	_ = bar.Finish()
	fmt.Fprintln(out)
}

type submitBody struct {
	To          string `json:"to"`
	From        string `json:"from"`
	Text        string `json:"text"`
	ClientRef   string `json:"client_ref"`
	CallbackURL string `json:"callback_url"`
}

// submit posts message i and records the outcome.
func (r *run) submit(ctx context.Context, i int) {
	body, err := json.Marshal(submitBody{
		To:          fmt.Sprintf("%s%06d", r.o.ToPrefix, i%1000000),
		From:        r.o.From,
		Text:        r.o.text(i),
		ClientRef:   r.refBase + strconv.Itoa(i),
		CallbackURL: r.callback,
	})
	if err != nil {
		r.fail(fmt.Errorf("encode message %d: %w", i, err))
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.o.URL+"/v1/messages", bytes.NewReader(body))
	if err != nil {
		r.fail(fmt.Errorf("message %d: %w", i, err))
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.o.APIKey)
	t0 := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		r.fail(fmt.Errorf("message %d: %w", i, err))
		return
	}
	defer resp.Body.Close()
	var ack struct {
		ID string `json:"id"`
	}
	decErr := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&ack)
	lat := time.Since(t0)
	// Drain so the keep-alive connection is reused.
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)); err != nil {
		r.fail(fmt.Errorf("message %d: reading response: %w", i, err))
		return
	}
	if resp.StatusCode/100 != 2 {
		r.mu.Lock()
		r.rejected[resp.StatusCode]++
		r.mu.Unlock()
		return
	}
	if decErr != nil || ack.ID == "" {
		r.fail(fmt.Errorf("message %d: %s without a message id", i, resp.Status))
		return
	}
	r.track.accept(ack.ID)
	r.mu.Lock()
	r.latencies = append(r.latencies, lat)
	r.mu.Unlock()
}

func (r *run) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs++
	if r.firstErr == nil {
		r.firstErr = err
	}
}

// waitForDRs shows the DR progress until every accepted message has a
// final DR, ctx ends or o.Timeout passes.
func (r *run) waitForDRs(ctx context.Context, out io.Writer) error {
	want := r.track.acceptedCount()
	if want == 0 {
		return nil
	}
	bar := progressbar.NewOptions(want, progressbar.OptionSetWriter(out),
		progressbar.OptionSetDescription("DRs      "), progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetPredictTime(false))
	defer fmt.Fprintln(out)
	timeout := time.NewTimer(r.o.Timeout)
	defer timeout.Stop()
	for {
		done := r.track.reportedCount()
		_ = bar.Set(done) // rendering errors only affect the display
		if done >= want {
			_ = bar.Finish()
			return nil
		}
		select {
		case <-r.track.changed:
		case <-ctx.Done():
			return nil // Run reports ctx.Err()
		case <-timeout.C:
			return fmt.Errorf("bench: timed out after %v waiting for DRs: %d of %d messages reported", r.o.Timeout, done, want)
		}
	}
}

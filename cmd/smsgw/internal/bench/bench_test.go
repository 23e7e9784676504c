package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const key = "test-key"

// fakeGateway answers POST /v1/messages with 202 and an id, then posts the
// DR callbacks from another goroutine, like the real gateway does.
type fakeGateway struct {
	reject     func(i int) int    // non-zero: answer this status to message i
	drStatus   func(i int) string // "" means never send a DR
	duplicates bool               // send every DR twice (at-least-once)
	noMetrics  bool

	mu      sync.Mutex
	n       int
	cpu     float64
	seenTxt map[string]bool
	pending sync.WaitGroup
}

func (g *fakeGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/metrics" && !g.noMetrics:
		g.mu.Lock()
		g.cpu += 0.5 // each scrape sees half a second more CPU
		fmt.Fprintf(w, "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total %g\n", g.cpu)
		g.mu.Unlock()
	case r.URL.Path == "/v1/messages" && r.Method == http.MethodPost:
		g.submit(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (g *fakeGateway) submit(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+key {
		http.Error(w, `{"error":{"code":"unauthorized"}}`, http.StatusUnauthorized)
		return
	}
	var m submitBody
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.To == "" || m.CallbackURL == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	i, err := strconv.Atoi(m.ClientRef[strings.LastIndexByte(m.ClientRef, '-')+1:])
	if err != nil {
		http.Error(w, "bad client_ref", http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	g.n++
	if g.seenTxt == nil {
		g.seenTxt = map[string]bool{}
	}
	g.seenTxt[m.Text] = true
	g.mu.Unlock()
	if g.reject != nil {
		if code := g.reject(i); code != 0 {
			http.Error(w, "rejected", code)
			return
		}
	}
	id := fmt.Sprintf("m%d", i)
	status := "delivered"
	if g.drStatus != nil {
		status = g.drStatus(i)
	}
	if status != "" {
		g.pending.Add(1)
		go g.callback(m.CallbackURL, id, status)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintf(w, `{"id":%q,"status":"accepted","parts":1,"encoding":"gsm7"}`, id)
}

// callbackClient keeps connections to the bench's DR receiver alive, as a
// real gateway's deliverer would; the default pool of 2 would churn sockets.
var callbackClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

func (g *fakeGateway) callback(url, id, status string) {
	defer g.pending.Done()
	events := []string{
		fmt.Sprintf(`{"event_id":"%s-1","type":"dr","message_id":%q,"status":"submitted"}`, id, id),
		fmt.Sprintf(`{"event_id":"%s-2","type":"dr","message_id":%q,"status":%q,"part":0}`, id, id, status),
	}
	if g.duplicates {
		events = append(events, events...)
	}
	for _, e := range events {
		resp, err := callbackClient.Post(url, "application/json", strings.NewReader(e))
		if err != nil {
			return // the bench has finished listening
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// counts are the Report fields a test can predict exactly.
type counts struct {
	Sent, Accepted, Callbacks, Reported, Delivered, Errors, Unmatched, Invalid int
}

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		gw      *fakeGateway
		opts    Options
		want    counts
		reject  map[int]int
		wantErr string
		cpu     bool
	}{
		{
			name: "all delivered, duplicate callbacks",
			gw:   &fakeGateway{duplicates: true},
			opts: Options{Count: 50, Concurrency: 8},
			want: counts{Sent: 50, Accepted: 50, Callbacks: 100, Reported: 50, Delivered: 50},
			cpu:  true,
		},
		{
			name: "rejections and undeliverable",
			gw: &fakeGateway{
				reject: func(i int) int {
					if i%5 == 0 {
						return http.StatusTooManyRequests
					}
					return 0
				},
				drStatus: func(i int) string {
					if i%2 == 1 {
						return "undeliverable"
					}
					return "delivered"
				},
			},
			opts:   Options{Count: 40, Concurrency: 4, Mix: true, Rate: 10000},
			want:   counts{Sent: 40, Accepted: 32, Callbacks: 64, Reported: 32, Delivered: 16},
			reject: map[int]int{429: 8},
			cpu:    true,
		},
		{
			name:    "missing DRs time out",
			gw:      &fakeGateway{drStatus: func(i int) string { return map[bool]string{true: "delivered"}[i < 5] }},
			opts:    Options{Count: 10, Concurrency: 2, Timeout: 200 * time.Millisecond},
			want:    counts{Sent: 10, Accepted: 10, Callbacks: 10, Reported: 5, Delivered: 5},
			wantErr: "timed out",
			cpu:     true,
		},
		{
			name: "no metrics",
			gw:   &fakeGateway{noMetrics: true},
			opts: Options{Count: 5, Concurrency: 1},
			want: counts{Sent: 5, Accepted: 5, Callbacks: 10, Reported: 5, Delivered: 5},
		},
		{
			name:   "wrong key",
			gw:     &fakeGateway{},
			opts:   Options{Count: 3, APIKey: "nope"},
			want:   counts{Sent: 3},
			reject: map[int]int{401: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.gw)
			defer srv.Close()
			defer tt.gw.pending.Wait()
			o := tt.opts
			o.URL = srv.URL
			if o.APIKey == "" {
				o.APIKey = key
			}
			var out bytes.Buffer
			rep, err := Run(context.Background(), o, &out)
			if tt.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			got := counts{Sent: rep.Sent, Accepted: rep.Accepted, Callbacks: rep.Callbacks, Reported: rep.Reported,
				Delivered: rep.Delivered, Errors: rep.Errors, Unmatched: rep.Unmatched, Invalid: rep.Invalid}
			if got != tt.want {
				t.Errorf("report counts = %+v\nwant %+v", got, tt.want)
			}
			if fmt.Sprint(rep.Rejected) != fmt.Sprint(tt.reject) && len(rep.Rejected)+len(tt.reject) > 0 {
				t.Errorf("rejected = %v, want %v", rep.Rejected, tt.reject)
			}
			if rep.CPUMeasured != tt.cpu {
				t.Errorf("CPUMeasured = %v, want %v", rep.CPUMeasured, tt.cpu)
			}
			if tt.cpu && rep.Accepted > 0 {
				if want := time.Duration(0.5 / float64(rep.Accepted) * float64(time.Second)); rep.GatewayCPUPerMsg != want {
					t.Errorf("CPU/msg = %v, want %v", rep.GatewayCPUPerMsg, want)
				}
			}
			if rep.Accepted > 0 && (rep.P50 <= 0 || rep.P99 < rep.P50 || rep.AcceptedPerSec <= 0) {
				t.Errorf("latency/throughput not recorded: %+v", rep)
			}
			if !strings.Contains(out.String(), "submitted") {
				t.Errorf("no progress bar in output: %q", out.String())
			}
			if tt.opts.Mix && len(tt.gw.seenTxt) != 3 {
				t.Errorf("mix sent %d distinct texts, want 3", len(tt.gw.seenTxt))
			}
			if s := rep.String(); !strings.Contains(s, "accepted") || !strings.Contains(s, "gateway CPU/msg") {
				t.Errorf("String() = %q", s)
			}
		})
	}
}

func TestRunGatewayDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	rep, err := Run(context.Background(), Options{URL: url, APIKey: key, Count: 3, Concurrency: 2}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no message accepted") {
		t.Fatalf("err = %v", err)
	}
	if rep.Errors != 3 || rep.CPUMeasured {
		t.Fatalf("report = %+v", rep)
	}
}

func TestRunCancelled(t *testing.T) {
	g := &fakeGateway{drStatus: func(int) string { return "" }}
	srv := httptest.NewServer(g)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	// Cancel once everything is accepted, while Run waits for DRs that never come.
	var once sync.Once
	g.reject = func(i int) int {
		g.mu.Lock()
		n := g.n
		g.mu.Unlock()
		if n == 4 {
			once.Do(cancel)
		}
		return 0
	}
	_, err := Run(ctx, Options{URL: srv.URL, APIKey: key, Count: 4, Concurrency: 1}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("err = %v", err)
	}
}

func TestOptionsInvalid(t *testing.T) {
	tests := []Options{
		{APIKey: key, Count: -1},
		{APIKey: key, Rate: -1},
		{},
		{APIKey: key, CallbackListen: "256.0.0.1:x"},
	}
	for _, o := range tests {
		if _, err := Run(context.Background(), o, io.Discard); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

func TestPercentile(t *testing.T) {
	ds := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n))
		}
		return out
	}
	tests := []struct {
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 0.5, 0},
		{ds(7), 0.99, 7},
		{ds(4, 1, 3, 2), 0.5, 2},
		{ds(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.99, 10},
		{ds(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.5, 5},
	}
	for _, tt := range tests {
		if got := percentile(tt.in, tt.p); got != tt.want {
			t.Errorf("percentile(%v, %v) = %v, want %v", tt.in, tt.p, got, tt.want)
		}
	}
}

func TestParseCPU(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"process_cpu_seconds_total 12.5\n", 12.5, false},
		{"# HELP process_cpu_seconds_total x\nprocess_cpu_seconds_total_other 1\nprocess_cpu_seconds_total{job=\"gw\"} 3 1700000000\n", 3, false},
		{"go_goroutines 10\n", 0, true},
		{"process_cpu_seconds_total abc\n", 0, true},
		{"process_cpu_seconds_total{unclosed 4\n", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := parseCPU(strings.NewReader(tt.in))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseCPU(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestTrackerMatchesEitherOrder(t *testing.T) {
	tr := newTracker()
	tr.record(event{EventID: "e1", Type: "dr", MessageID: "early", Status: "delivered"}) // before its 202
	tr.accept("early")
	tr.accept("late")
	tr.record(event{EventID: "e2", Type: "dr", MessageID: "late", Status: "expired"})
	tr.record(event{EventID: "e2", Type: "dr", MessageID: "late", Status: "expired"})   // repeat
	tr.record(event{EventID: "e3", Type: "dr", MessageID: "late", Status: "delivered"}) // later final ignored
	tr.record(event{EventID: "e4", Type: "mo", MessageID: "late", Status: "delivered"}) // not a DR
	if tr.reportedCount() != 2 || len(tr.events) != 3 || tr.final["late"] != "expired" {
		t.Fatalf("reported %d, events %d, final %v", tr.reportedCount(), len(tr.events), tr.final)
	}
}

func TestTrackerRejectsInvalid(t *testing.T) {
	tr := newTracker()
	for _, body := range []string{"", "{", `{"type":"dr"}`, `{"event_id":"e"}`} {
		rec := httptest.NewRecorder()
		tr.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/dr", strings.NewReader(body)))
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%q: status %d", body, rec.Code)
		}
	}
	if tr.invalid != 4 {
		t.Fatalf("invalid = %d", tr.invalid)
	}
}

// BenchmarkRun measures the load generator itself against the in-process
// fake gateway: the ceiling above which `smsgw bench` cannot measure.
func BenchmarkRun(b *testing.B) {
	g := &fakeGateway{}
	srv := httptest.NewServer(g)
	defer srv.Close()
	defer g.pending.Wait()
	b.ResetTimer()
	rep, err := Run(context.Background(), Options{URL: srv.URL, APIKey: key, Count: b.N, Concurrency: 64}, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(rep.AcceptedPerSec, "accepted/s")
	b.ReportMetric(rep.CallbacksPerSec, "callbacks/s")
}

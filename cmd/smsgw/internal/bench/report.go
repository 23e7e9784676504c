package bench

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the outcome of one Run.
type Report struct {
	Sent      int         // requests that got an answer or failed
	Accepted  int         // 2xx with a message id
	Rejected  map[int]int // HTTP status -> count, for non-2xx answers
	Errors    int         // requests with no usable answer
	Callbacks int         // unique DR events (by event_id)
	Reported  int         // accepted messages with a final DR
	Delivered int         // accepted messages whose final DR says delivered
	Unmatched int         // messages with a final DR but no 202 seen
	Invalid   int         // callbacks without event_id/message_id

	AcceptedPerSec  float64 // accepted / (first send → last answer)
	CallbacksPerSec float64 // callbacks / (first send → last callback)
	P50, P99        time.Duration
	// GatewayCPUPerMsg is the gateway's CPU time divided by Accepted;
	// CPUMeasured is false when its /metrics could not be read.
	GatewayCPUPerMsg time.Duration
	CPUMeasured      bool
	Elapsed          time.Duration // first send → last answer or callback
}

func (r *run) report(start, sendEnd time.Time) *Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.track
	t.mu.Lock()
	defer t.mu.Unlock()

	rep := &Report{
		Accepted:  len(t.accepted),
		Rejected:  r.rejected,
		Errors:    r.errs,
		Callbacks: len(t.events),
		Reported:  t.reported,
		Invalid:   t.invalid,
	}
	for _, n := range r.rejected {
		rep.Sent += n
	}
	rep.Sent += rep.Accepted + rep.Errors
	for id, status := range t.final {
		switch {
		case !t.accepted[id]:
			rep.Unmatched++
		case status == "delivered":
			rep.Delivered++
		}
	}
	if d := sendEnd.Sub(start); d > 0 {
		rep.AcceptedPerSec = float64(rep.Accepted) / d.Seconds()
	}
	end := sendEnd
	if !t.last.IsZero() {
		if d := t.last.Sub(start); d > 0 {
			rep.CallbacksPerSec = float64(rep.Callbacks) / d.Seconds()
		}
		if t.last.After(end) {
			end = t.last
		}
	}
	rep.Elapsed = end.Sub(start)
	rep.P50, rep.P99 = percentile(r.latencies, 0.50), percentile(r.latencies, 0.99)
	return rep
}

// percentile is the nearest-rank percentile; it sorts ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(float64(len(ds))*p+0.5) - 1
	return ds[max(0, min(i, len(ds)-1))]
}

// String renders the report as an aligned table.
func (rep *Report) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	row := func(k, format string, args ...any) { fmt.Fprintf(w, "%s\t"+format+"\n", append([]any{k}, args...)...) }
	row("sent", "%d", rep.Sent)
	row("accepted", "%d", rep.Accepted)
	codes := make([]int, 0, len(rep.Rejected))
	for c := range rep.Rejected {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		row(fmt.Sprintf("rejected %d", c), "%d", rep.Rejected[c])
	}
	if rep.Errors > 0 {
		row("errors", "%d", rep.Errors)
	}
	row("DR callbacks", "%d", rep.Callbacks)
	row("messages reported", "%d", rep.Reported)
	row("delivered", "%d", rep.Delivered)
	if rep.Unmatched > 0 {
		row("unmatched DRs", "%d", rep.Unmatched)
	}
	if rep.Invalid > 0 {
		row("invalid callbacks", "%d", rep.Invalid)
	}
	row("accepted/s", "%.0f", rep.AcceptedPerSec)
	row("callbacks/s", "%.0f", rep.CallbacksPerSec)
	row("accept latency p50", "%v", rep.P50.Round(time.Microsecond))
	row("accept latency p99", "%v", rep.P99.Round(time.Microsecond))
	if rep.CPUMeasured {
		row("gateway CPU/msg", "%.0f µs", float64(rep.GatewayCPUPerMsg)/float64(time.Microsecond))
	} else {
		row("gateway CPU/msg", "n/a")
	}
	row("elapsed", "%v", rep.Elapsed.Round(time.Millisecond))
	_ = w.Flush() // writes to a strings.Builder cannot fail
	return b.String()
}

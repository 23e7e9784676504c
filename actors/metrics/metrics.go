// Package metrics declares the gateway's Prometheus collectors. Actors
// update them; the HTTP transport serves the registry.
package metrics

import "github.com/prometheus/client_golang/prometheus"

// Set is every collector of one gateway instance.
type Set struct {
	Accepted      *prometheus.CounterVec   // by customer
	Rejected      *prometheus.CounterVec   // by customer, reason
	Submitted     *prometheus.CounterVec   // by operator, status (ESME name)
	Unknown       *prometheus.CounterVec   // by operator: submits with outcome unknown
	DRs           *prometheus.CounterVec   // by operator, status
	QueueDepth    *prometheus.GaugeVec     // by operator
	WindowUse     *prometheus.GaugeVec     // by operator: outstanding submits over all binds
	BindsUp       *prometheus.GaugeVec     // by operator
	SubmitLatency *prometheus.HistogramVec // by operator: submit_sm to submit_sm_resp
	Callbacks     *prometheus.CounterVec   // by result (ok, retry, gone)
}

// New creates the collectors and registers them on reg.
func New(reg prometheus.Registerer) *Set {
	s := &Set{
		Accepted:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsgw_mt_accepted_total", Help: "MT messages accepted and stored."}, []string{"customer"}),
		Rejected:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsgw_mt_rejected_total", Help: "MT requests refused before storing."}, []string{"customer", "reason"}),
		Submitted:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsgw_submit_responses_total", Help: "submit_sm responses by command status."}, []string{"operator", "status"}),
		Unknown:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsgw_submit_unknown_total", Help: "Submits whose outcome is unknown (no response)."}, []string{"operator"}),
		DRs:        prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsgw_dr_received_total", Help: "Delivery reports received by status."}, []string{"operator", "status"}),
		QueueDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "smsgw_operator_queue_depth", Help: "Parts waiting in an operator's throttle queue."}, []string{"operator"}),
		WindowUse:  prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "smsgw_operator_window_used", Help: "Outstanding submit_sm over all binds of an operator."}, []string{"operator"}),
		BindsUp:    prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "smsgw_operator_binds_up", Help: "Bound sessions of an operator."}, []string{"operator"}),
		SubmitLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "smsgw_submit_latency_seconds", Help: "submit_sm to submit_sm_resp.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"operator"}),
		Callbacks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "smsgw_callbacks_total", Help: "Customer callback attempts by result."}, []string{"result"}),
	}
	reg.MustRegister(s.Accepted, s.Rejected, s.Submitted, s.Unknown, s.DRs, s.QueueDepth, s.WindowUse, s.BindsUp, s.SubmitLatency, s.Callbacks)
	return s
}

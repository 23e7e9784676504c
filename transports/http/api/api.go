package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
)

// DefaultMaxBodyBytes bounds a request body when Options.MaxBodyBytes is 0.
// A 64 KiB body holds far more text than the 255 parts SMS concatenation allows.
const DefaultMaxBodyBytes = 64 << 10

// Options tunes the handler; the zero value is usable.
type Options struct {
	// MaxBodyBytes is the largest accepted request body; larger → 413.
	MaxBodyBytes int64
}

type server struct {
	g       Gateway
	log     zerolog.Logger
	maxBody int64
	metrics *metrics
	mux     *http.ServeMux
}

// New returns the customer API handler. Its metrics are registered on reg
// (a fresh registry when nil), which /metrics also serves; calling New twice
// with one registry reuses the collectors instead of panicking.
func New(g Gateway, reg *prometheus.Registry, log zerolog.Logger, opts Options) http.Handler {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	s := &server{
		g:       g,
		log:     log,
		maxBody: opts.MaxBodyBytes,
		metrics: newMetrics(reg),
		mux:     http.NewServeMux(),
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	s.route("/v1/messages", []string{http.MethodPost}, s.authed(s.submit))
	s.route("/v1/messages/{id}", []string{http.MethodGet}, s.authed(s.message))
	s.route("/healthz", []string{http.MethodGet}, http.HandlerFunc(s.healthz))
	s.route("/metrics", []string{http.MethodGet}, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such route"})
	})
	return s
}

// route registers h for each method on path, and a method-less pattern for
// the same path that answers 405 in JSON: ServeMux prefers the more specific
// method pattern, and its own 405 would be plain text.
func (s *server) route(path string, methods []string, h http.Handler) {
	for _, m := range methods {
		s.mux.Handle(m+" "+path, h)
	}
	allow := strings.Join(methods, ", ")
	if contains(methods, http.MethodGet) {
		allow += ", " + http.MethodHead
	}
	s.mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
			Message: "allowed: " + allow})
	})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// ServeHTTP wraps the mux with the access log and the request metrics.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w}
	s.mux.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	elapsed := time.Since(start)
	// r.Pattern is set by the mux; it keeps the route label's cardinality
	// bounded, unlike the raw path with its message ids.
	s.metrics.observe(r.Pattern, rec.status, elapsed)
	ev := s.log.Debug()
	if ev.Enabled() {
		ev.Str("method", r.Method).
			Str("path", r.URL.Path).
			Int("status", rec.status).
			Dur("duration", elapsed).
			Str("customer", rec.customer)
		if rec.maskedKey != "" {
			ev.Str("key", rec.maskedKey)
		}
		if rec.writeErr != nil {
			ev.AnErr("write_error", rec.writeErr)
		}
		ev.Msg("http_request")
	}
}

// recorder captures what the access log and the metrics need.
type recorder struct {
	http.ResponseWriter
	status    int
	customer  string
	maskedKey string // set only when authentication failed
	writeErr  error
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	if err != nil && r.writeErr == nil {
		r.writeErr = err
	}
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type authedHandler func(w http.ResponseWriter, r *http.Request, customer string)

// authed resolves the bearer key to a customer before calling h.
func (s *server) authed(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			unauthorized(w, "missing bearer API key")
			return
		}
		customer, ok := s.g.Authenticate(key)
		if !ok {
			if rec, isRec := w.(*recorder); isRec {
				rec.maskedKey = MaskKey(key)
			}
			unauthorized(w, "invalid API key")
			return
		}
		if rec, isRec := w.(*recorder); isRec {
			rec.customer = customer
		}
		h(w, r, customer)
	})
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="smsgw"`)
	writeError(w, &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: msg})
}

// bearer extracts the token of an "Authorization: Bearer <token>" header;
// the scheme is case-insensitive (RFC 9110 §11.1).
func bearer(h string) (string, bool) {
	const scheme = "bearer "
	if len(h) <= len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return "", false
	}
	key := strings.TrimSpace(h[len(scheme):])
	return key, key != ""
}

// MaskKey returns a form of an API key safe to log: its first 4 characters
// and an ellipsis, or only the ellipsis when the key is too short to hide.
func MaskKey(key string) string {
	const shown = 4
	// Below twice the shown length, the visible part would give away too much.
	if utf8.RuneCountInString(key) < 2*shown {
		return "…"
	}
	n := 0
	for i := range key {
		if n == shown {
			return key[:i] + "…"
		}
		n++
	}
	return "…"
}

func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	if err := s.g.Ready(); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *server) message(w http.ResponseWriter, r *http.Request, customer string) {
	id := r.PathValue("id")
	m, err := s.g.Message(r.Context(), customer, id)
	if err != nil {
		s.fail(w, r, customer, "message", err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// fail writes err: an *Error as itself, anything else as 503 after logging it.
func (s *server) fail(w http.ResponseWriter, r *http.Request, customer, op string, err error) {
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.Status >= 400 && apiErr.Status <= 599 {
		writeError(w, apiErr)
		return
	}
	s.log.Error().Err(err).Str("op", op).Str("customer", customer).
		Str("path", r.URL.Path).Msg("http_gateway_error")
	writeError(w, &Error{Status: http.StatusServiceUnavailable, Code: "unavailable",
		Message: "the gateway cannot take this request now; retry later"})
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	return &metrics{
		requests: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "smsgw", Subsystem: "api", Name: "requests_total",
			Help: "Customer API requests by route pattern and status code.",
		}, []string{"route", "code"})),
		duration: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "smsgw", Subsystem: "api", Name: "request_duration_seconds",
			Help:    "Customer API request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"})),
	}
}

// register adds c to reg, or returns the equal collector already there.
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic("api: register metrics: " + err.Error())
	}
	return c
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	if route == "" {
		route = "none" // the mux rejected the request before matching (e.g. "*")
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

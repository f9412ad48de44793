package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/openacr/openacr/internal/guard"
)

// The values of the api label.
const (
	APIManagement = "management"
	APIToken      = guard.APIToken
	APIRegistry   = guard.APIRegistry
	APIOther      = "other"
)

// Metrics is the server's metrics. It is safe for concurrent use.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	durations *prometheus.HistogramVec
	decisions *prometheus.CounterVec
	expiry    *expiryCollector
}

// New returns the metrics, reporting password expiries from src (nil:
// none), at most maxSeries of them (0: DefaultMaxSeries).
func New(src Expiries, maxSeries int) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "openacr_http_requests_total",
			Help: "HTTP requests served, by API, method and status code.",
		}, []string{"api", "method", "code"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "openacr_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request (blob transfers included), by API and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"api", "method"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "openacr_auth_decisions_total",
			Help: "Authentication decisions, by API, result (success, failure, throttled) and class (the credential used, or the kind of refusal).",
		}, []string{"api", "result", "class"}),
	}
	m.reg.MustRegister(m.requests, m.durations, m.decisions,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src != nil {
		m.expiry = newExpiryCollector(src, maxSeries)
		m.reg.MustRegister(m.expiry)
	}
	return m
}

// Instrument counts and times the requests h serves under api. It keeps
// the optional interfaces of the ResponseWriter (Flusher, Hijacker,
// ReaderFrom) that blob transfers rely on.
func (m *Metrics) Instrument(api string, h http.Handler) http.Handler {
	labels := prometheus.Labels{"api": api}
	return promhttp.InstrumentHandlerDuration(m.durations.MustCurryWith(labels),
		promhttp.InstrumentHandlerCounter(m.requests.MustCurryWith(labels), h))
}

// Decided counts one authentication decision.
func (m *Metrics) Decided(d guard.Decision) {
	m.decisions.WithLabelValues(d.API, d.Result, d.Class).Inc()
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, MaxRequestsInFlight: 2})
}

// Package metrics defines Vigil's Prometheus metrics on a registry of its
// own (never the global one), with cheap pre-resolved children for the
// request hot path. It must not record personal data (emails, subjects) as
// label values: labels are app names, codes and reason names only.
package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds every collector.
type Metrics struct {
	Registry      *prometheus.Registry
	requests      *prometheus.CounterVec
	decisions     *prometheus.CounterVec
	upstream      *prometheus.HistogramVec
	storeQueries  *prometheus.CounterVec
	storeDuration *prometheus.HistogramVec
	logins        *prometheus.CounterVec
	loginFailures *prometheus.CounterVec
	riskObserved  prometheus.Counter
	riskDropped   prometheus.Counter

	mu       sync.RWMutex
	decCache map[[3]string]prometheus.Counter
	reqCache map[[2]string]prometheus.Counter
}

// New registers all collectors on a fresh registry.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_requests_total", Help: "Requests handled by the gateway, by app and response class.",
		}, []string{"app", "code"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_decisions_total", Help: "Policy decisions, by app, decision and first reason.",
		}, []string{"app", "decision", "reason"}),
		upstream: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigil_upstream_duration_seconds", Help: "Time from proxying a request to the end of the upstream response.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}, []string{"app"}),
		storeQueries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_store_queries_total", Help: "Database queries, by operation and result.",
		}, []string{"op", "result"}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigil_store_query_duration_seconds", Help: "Database query latency by operation.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 3, 10),
		}, []string{"op"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_logins_total", Help: "Completed sign-ins by provider.",
		}, []string{"provider"}),
		loginFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_login_failures_total", Help: "Rejected sign-ins by provider and reason.",
		}, []string{"provider", "reason"}),
		riskObserved: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_risk_observations_total", Help: "Requests handed to the risk detectors.",
		}),
		riskDropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_risk_observations_dropped_total", Help: "Observations dropped because the detectors fell behind.",
		}),
		decCache: map[[3]string]prometheus.Counter{},
		reqCache: map[[2]string]prometheus.Counter{},
	}
	m.Registry.MustRegister(m.requests, m.decisions, m.upstream, m.storeQueries, m.storeDuration,
		m.logins, m.loginFailures, m.riskObserved, m.riskDropped,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// Decision counts one policy decision. Children are cached so that the hot
// path neither allocates label slices nor hashes label values twice.
func (m *Metrics) Decision(app, decision, reason string) {
	k := [3]string{app, decision, reason}
	m.mu.RLock()
	c, ok := m.decCache[k]
	m.mu.RUnlock()
	if !ok {
		c = m.decisions.WithLabelValues(app, decision, reason)
		m.mu.Lock()
		m.decCache[k] = c
		m.mu.Unlock()
	}
	c.Inc()
}

// Request counts one response by status class (2xx, 3xx, ...).
func (m *Metrics) Request(app string, status int) {
	k := [2]string{app, statusClass(status)}
	m.mu.RLock()
	c, ok := m.reqCache[k]
	m.mu.RUnlock()
	if !ok {
		c = m.requests.WithLabelValues(k[0], k[1])
		m.mu.Lock()
		m.reqCache[k] = c
		m.mu.Unlock()
	}
	c.Inc()
}

// Upstream returns the latency observer for app; callers keep it.
func (m *Metrics) Upstream(app string) prometheus.Observer { return m.upstream.WithLabelValues(app) }

// StoreQuery observes one database query (the store's Observe hook).
func (m *Metrics) StoreQuery(op string, d time.Duration, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.storeQueries.WithLabelValues(op, result).Inc()
	m.storeDuration.WithLabelValues(op).Observe(d.Seconds())
}

// Login counts a completed sign-in; LoginFailure a rejected one.
func (m *Metrics) Login(provider string) { m.logins.WithLabelValues(provider).Inc() }
func (m *Metrics) LoginFailure(provider, reason string) {
	m.loginFailures.WithLabelValues(provider, reason).Inc()
}

func statusClass(s int) string {
	switch {
	case s >= 500:
		return "5xx"
	case s >= 400:
		return "4xx"
	case s >= 300:
		return "3xx"
	case s >= 200:
		return "2xx"
	}
	return "1xx"
}

// RiskObservation counts a request handed to the risk detectors, or one
// dropped because they fell behind.
func (m *Metrics) RiskObservation(dropped bool) {
	if dropped {
		m.riskDropped.Inc()
		return
	}
	m.riskObserved.Inc()
}

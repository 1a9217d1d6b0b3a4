package main

import (
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model/wire"
	"github.com/talus-tally/server/ws"
)

// metrics is the server's Prometheus registry. The packages it watches
// know nothing of Prometheus: they take plain hooks (a command's outcome,
// an fsync's time, a refusal) and expose counts (Stats), which are read at
// scrape time, so no metric ever waits on an actor.
type metrics struct {
	reg       *prometheus.Registry
	commands  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	fsync     prometheus.Histogram
	fsyncErrs prometheus.Counter
	refusals  *prometheus.CounterVec
	errors    *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "talus_commands_total",
			Help: "Commands, undos and redos, by type and outcome (ok, or the error code).",
		}, []string{"type", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "talus_command_duration_seconds",
			Help:    "How long a command, undo or redo took, as its caller waited for it (journal included).",
			Buckets: []float64{.0002, .0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"type"}),
		fsync: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "talus_journal_fsync_duration_seconds",
			Help:    "How long each journal fsync took (one per group commit).",
			Buckets: []float64{.0001, .0002, .0005, .001, .002, .005, .01, .025, .05, .1, .25, 1},
		}),
		fsyncErrs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "talus_journal_failures_total",
			Help: "Journal writes or fsyncs that failed (the journal refuses records until it heals).",
		}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "talus_budget_refusals_total",
			Help: "Requests and clients refused for a budget: LIMIT_EXCEEDED (by budget), RATE_LIMITED, PAYLOAD_TOO_LARGE, SLOW_CONSUMER.",
		}, []string{"code", "budget"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "talus_http_errors_total",
			Help: "REST error answers by code.",
		}, []string{"code"}),
	}
	m.reg.MustRegister(m.commands, m.latency, m.fsync, m.fsyncErrs, m.refusals, m.errors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// watch registers the gauges read from the session and socket layers.
func (m *metrics) watch(sessions *actors.Client, sockets *ws.Server) {
	gauge := func(name, help string, labels prometheus.Labels, f func() float64) {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: labels}, f))
	}
	counter := func(name, help string, f func() float64) {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
	}
	gauge("talus_sessions", "Sessions by state: in memory (live) or only in the store (passive).", prometheus.Labels{"state": "live"},
		func() float64 { return float64(sessions.Stats().Live) })
	gauge("talus_sessions", "Sessions by state: in memory (live) or only in the store (passive).", prometheus.Labels{"state": "passive"},
		func() float64 { return float64(sessions.Stats().Passive) })
	gauge("talus_connections", "Open Socket.IO connections by transport.", prometheus.Labels{"transport": "polling"},
		func() float64 { return float64(sockets.Stats().Polling) })
	gauge("talus_connections", "Open Socket.IO connections by transport.", prometheus.Labels{"transport": "websocket"},
		func() float64 { return float64(sockets.Stats().WebSocket) })
	counter("talus_events_delivered_total", "Session events queued for a socket client.",
		func() float64 { return float64(sockets.Stats().EventsDelivered) })
	counter("talus_events_dropped_total", "Session events a client's full queue refused (the client is then dropped).",
		func() float64 { return float64(sockets.Stats().EventsDropped) })
	counter("talus_slow_consumer_drops_total", "Socket clients dropped with SLOW_CONSUMER.",
		func() float64 { return float64(sockets.Stats().SlowConsumers) })
}

// onCommand is actors.Config.OnCommand.
func (m *metrics) onCommand(commandType, code string, took time.Duration) {
	outcome := "ok"
	if code != "" {
		outcome = strings.ToLower(code)
	}
	m.commands.WithLabelValues(commandType, outcome).Inc()
	m.latency.WithLabelValues(commandType).Observe(took.Seconds())
}

// onSync is store.Options.OnSync.
func (m *metrics) onSync(took time.Duration, err error) {
	if err != nil {
		m.fsyncErrs.Inc()
		return
	}
	m.fsync.Observe(took.Seconds())
}

// refusedCodes are the codes that mean a budget said no.
var refusedCodes = map[string]bool{
	wire.CodeLimitExceeded:   true,
	wire.CodeRateLimited:     true,
	wire.CodePayloadTooLarge: true,
	wire.CodeSlowConsumer:    true,
}

// onRefusal counts a budget refusal (ws.Config.OnRefusal).
func (m *metrics) onRefusal(code, budget string) {
	if refusedCodes[code] {
		m.refusals.WithLabelValues(code, budget).Inc()
	}
}

// onHTTPError is http.Config.OnError.
func (m *metrics) onHTTPError(code, budget string) {
	m.errors.WithLabelValues(code).Inc()
	m.onRefusal(code, budget)
}

// handler serves the registry.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

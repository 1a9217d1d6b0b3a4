package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/http/guard"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/ws"
)

// config is everything the server is started with.
type config struct {
	Addr             string
	DataDir          string
	TemplatesDir     string
	RequestTimeout   time.Duration
	ShutdownTimeout  time.Duration
	MaxBody          int64
	UndoLimit        int
	HistoryLimit     int
	Token            string
	RateLimit        float64
	RateBurst        int
	LogLevel         slog.Level
	PingInterval     time.Duration
	PingTimeout      time.Duration
	MaxPayload       int
	ClientQueueBytes int
	IdleTimeout      time.Duration
	CheckpointEvery  int
	AllowedOrigins   []string
	AllowedHosts     []string
	ReadTimeout      time.Duration
	HTTPIdleTimeout  time.Duration
	UndoBytes        int
	HistoryBytes     int
	MaxSessions      int
	Limits           model.Limits
	EventNames       ws.EventNames
	PprofAddr        string
	Cluster          clusterConfig
}

// parseConfig reads flags, each falling back to its TALUS_* environment
// variable and then to its default. A flag beats the environment.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("talus", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: talus [flags]\n\nTalus Tally server: REST API under /api/v1 (OpenAPI at /api/v1/openapi.yaml).\n")
		fmt.Fprintf(out, "Every flag falls back to the environment variable named in its help.\n\n")
		fs.PrintDefaults()
	}

	env := envDefaults{getenv: getenv}
	fs.StringVar(&cfg.Addr, "addr", env.str("TALUS_ADDR", "127.0.0.1:5000"),
		"listen address (TALUS_ADDR)")
	fs.StringVar(&cfg.DataDir, "data-dir", env.str("TALUS_DATA_DIR", "./data"),
		"data directory, created at start: the session journal, checkpoints and saved projects live here (TALUS_DATA_DIR)")
	fs.StringVar(&cfg.TemplatesDir, "templates-dir", env.str("TALUS_TEMPLATES_DIR", ""),
		"directory of <id>.yaml templates that add to or override the built-in ones (TALUS_TEMPLATES_DIR)")
	fs.DurationVar(&cfg.RequestTimeout, "request-timeout", env.duration("TALUS_REQUEST_TIMEOUT", 5*time.Second),
		"how long a request waits for its session before answering 503 UNAVAILABLE (TALUS_REQUEST_TIMEOUT)")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", env.duration("TALUS_SHUTDOWN_TIMEOUT", 10*time.Second),
		"how long a shutdown waits for in-flight requests and sessions (TALUS_SHUTDOWN_TIMEOUT)")
	fs.Int64Var(&cfg.MaxBody, "max-body", env.int64("TALUS_MAX_BODY", 1<<20),
		"request body limit in bytes; larger bodies get 413 PAYLOAD_TOO_LARGE (TALUS_MAX_BODY)")
	fs.IntVar(&cfg.UndoLimit, "undo-limit", int(env.int64("TALUS_UNDO_LIMIT", 1000)),
		"undo steps kept per session (TALUS_UNDO_LIMIT)")
	fs.IntVar(&cfg.HistoryLimit, "history-limit", int(env.int64("TALUS_HISTORY_LIMIT", 10000)),
		"events kept per session for catch-up (GET .../events, socket last_seq) (TALUS_HISTORY_LIMIT)")
	fs.StringVar(&cfg.Token, "token", env.str("TALUS_TOKEN", ""),
		"when set, /metrics and every /api/v1 request but /health need 'Authorization: Bearer <token>', and every socket connection the same header or ?token= (TALUS_TOKEN)")
	fs.Float64Var(&cfg.RateLimit, "rate-limit", env.float("TALUS_RATE_LIMIT", 0),
		"requests per second allowed per client IP; 0 turns the limit off (TALUS_RATE_LIMIT)")
	fs.IntVar(&cfg.RateBurst, "rate-burst", int(env.int64("TALUS_RATE_BURST", 0)),
		"requests a client may burst above -rate-limit; 0 means the rate rounded up (TALUS_RATE_BURST)")
	fs.DurationVar(&cfg.PingInterval, "ping-interval", env.duration("TALUS_PING_INTERVAL", 25*time.Second),
		"Socket.IO (Engine.IO) heartbeat interval (TALUS_PING_INTERVAL)")
	fs.DurationVar(&cfg.PingTimeout, "ping-timeout", env.duration("TALUS_PING_TIMEOUT", 20*time.Second),
		"how long a socket may take to answer a heartbeat before it is closed (TALUS_PING_TIMEOUT)")
	fs.IntVar(&cfg.MaxPayload, "max-payload", int(env.int64("TALUS_MAX_PAYLOAD", 1_000_000)),
		"largest Socket.IO message or polling body in bytes (TALUS_MAX_PAYLOAD)")
	fs.IntVar(&cfg.ClientQueueBytes, "client-queue-bytes", int(env.int64("TALUS_CLIENT_QUEUE_BYTES", 1<<20)),
		"bytes of events waiting to be written to one socket client; a client that falls further behind is dropped with SLOW_CONSUMER (TALUS_CLIENT_QUEUE_BYTES)")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", env.duration("TALUS_IDLE_TIMEOUT", 30*time.Minute),
		"a session with no clients and no activity this long leaves memory; its next use brings it back (0 keeps every session in memory) (TALUS_IDLE_TIMEOUT)")
	fs.IntVar(&cfg.CheckpointEvery, "checkpoint-every", int(env.int64("TALUS_CHECKPOINT_EVERY", 1000)),
		"journal records between a session's checkpoints; fewer means faster restarts, more means fewer writes (TALUS_CHECKPOINT_EVERY)")
	origins := env.str("TALUS_ALLOWED_ORIGINS", strings.Join(guard.DefaultOrigins, ","))
	fs.StringVar(&origins, "allowed-origins", origins,
		"comma-separated browser origins that may use the server besides its own: scheme://host[:port], scheme://host:* for any port, * for any origin (unsafe) (TALUS_ALLOWED_ORIGINS)")
	hosts := env.str("TALUS_ALLOWED_HOSTS", "")
	fs.StringVar(&hosts, "allowed-hosts", hosts,
		"comma-separated host names the server may be reached by besides loopback names and the listen address (DNS rebinding guard); * for any (TALUS_ALLOWED_HOSTS)")
	fs.DurationVar(&cfg.ReadTimeout, "read-timeout", env.duration("TALUS_READ_TIMEOUT", 30*time.Second),
		"how long a client may take to send a whole request, headers and body (TALUS_READ_TIMEOUT)")
	fs.DurationVar(&cfg.HTTPIdleTimeout, "http-idle-timeout", env.duration("TALUS_HTTP_IDLE_TIMEOUT", 2*time.Minute),
		"how long an idle keep-alive HTTP connection stays open (TALUS_HTTP_IDLE_TIMEOUT)")
	fs.IntVar(&cfg.UndoBytes, "undo-bytes", int(env.int64("TALUS_UNDO_BYTES", actors.DefaultUndoBytes)),
		"bytes of undo and redo steps kept per session, about; the oldest go first (TALUS_UNDO_BYTES)")
	fs.IntVar(&cfg.HistoryBytes, "history-bytes", int(env.int64("TALUS_HISTORY_BYTES", actors.DefaultHistoryBytes)),
		"bytes of events kept per session for catch-up; the oldest go first (TALUS_HISTORY_BYTES)")
	fs.IntVar(&cfg.MaxSessions, "max-sessions", int(env.int64("TALUS_MAX_SESSIONS", actors.DefaultMaxSessions)),
		"sessions the server holds, in memory or stored; more is 400 LIMIT_EXCEEDED (TALUS_MAX_SESSIONS)")
	fs.IntVar(&cfg.Limits.MaxNodes, "max-nodes", int(env.int64("TALUS_MAX_NODES", model.DefaultMaxNodes)),
		"nodes per project; a command or import past it is 400 LIMIT_EXCEEDED (TALUS_MAX_NODES)")
	fs.IntVar(&cfg.Limits.MaxValueBytes, "max-value-bytes", int(env.int64("TALUS_MAX_VALUE_BYTES", model.DefaultMaxValueBytes)),
		"bytes of one property value (TALUS_MAX_VALUE_BYTES)")
	fs.IntVar(&cfg.Limits.MaxNameBytes, "max-name-bytes", int(env.int64("TALUS_MAX_NAME_BYTES", model.DefaultMaxNameBytes)),
		"bytes of one node name (TALUS_MAX_NAME_BYTES)")
	fs.IntVar(&cfg.Limits.MaxBatch, "max-batch", int(env.int64("TALUS_MAX_BATCH", model.DefaultMaxBatch)),
		"commands in one Batch, nested ones counted (TALUS_MAX_BATCH)")
	names := env.str("TALUS_EVENT_NAMES", "canonical")
	fs.StringVar(&names, "event-names", names,
		"how graph events are named for socket clients that do not ask: canonical (graph:node-created), legacy (node-created, with the prototype's field names too) or both, each event sent twice; the prototype's frontend needs legacy or both (TALUS_EVENT_NAMES)")
	fs.StringVar(&cfg.PprofAddr, "pprof", env.str("TALUS_PPROF", ""),
		"serve Go's profiles (/debug/pprof/) on this loopback address, apart from the API; off when empty (TALUS_PPROF)")
	var peers string
	clusterFlags(fs, &env, &cfg.Cluster, &peers)
	level := env.str("TALUS_LOG_LEVEL", "info")
	fs.StringVar(&level, "log-level", level, "log level: debug, info, warn or error (TALUS_LOG_LEVEL)")

	if err := env.err(); err != nil {
		return cfg, err
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return cfg, fmt.Errorf("-log-level: %w", err)
	}
	var err error
	if cfg.EventNames, err = ws.ParseEventNames(names); err != nil {
		return cfg, fmt.Errorf("-event-names: %w", err)
	}
	cfg.AllowedOrigins, cfg.AllowedHosts = splitList(origins), splitList(hosts)
	cfg.Cluster.Peers = splitList(peers)
	if err := cfg.Cluster.finish(cfg.Addr); err != nil {
		return cfg, err
	}
	if _, err := guard.ParseOrigins(cfg.AllowedOrigins); err != nil {
		return cfg, fmt.Errorf("-allowed-origins: %w", err)
	}
	return cfg, cfg.validate()
}

func (cfg config) validate() error {
	var errs []error
	if cfg.RequestTimeout <= 0 {
		errs = append(errs, errors.New("-request-timeout must be positive"))
	}
	if cfg.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("-shutdown-timeout must be positive"))
	}
	if cfg.MaxBody <= 0 {
		errs = append(errs, errors.New("-max-body must be positive"))
	}
	if cfg.UndoLimit <= 0 {
		errs = append(errs, errors.New("-undo-limit must be positive"))
	}
	if cfg.HistoryLimit <= 0 {
		errs = append(errs, errors.New("-history-limit must be positive"))
	}
	if cfg.RateLimit < 0 || cfg.RateBurst < 0 {
		errs = append(errs, errors.New("-rate-limit and -rate-burst must not be negative"))
	}
	if cfg.PingInterval <= 0 || cfg.PingTimeout <= 0 {
		errs = append(errs, errors.New("-ping-interval and -ping-timeout must be positive"))
	}
	if cfg.MaxPayload <= 0 || cfg.ClientQueueBytes <= 0 {
		errs = append(errs, errors.New("-max-payload and -client-queue-bytes must be positive"))
	}
	if cfg.IdleTimeout < 0 || cfg.CheckpointEvery <= 0 {
		errs = append(errs, errors.New("-idle-timeout must not be negative and -checkpoint-every must be positive"))
	}
	if cfg.UndoBytes <= 0 || cfg.HistoryBytes <= 0 || cfg.MaxSessions <= 0 {
		errs = append(errs, errors.New("-undo-bytes, -history-bytes and -max-sessions must be positive"))
	}
	if cfg.Limits.MaxNodes <= 0 || cfg.Limits.MaxValueBytes <= 0 || cfg.Limits.MaxNameBytes <= 0 || cfg.Limits.MaxBatch <= 0 {
		errs = append(errs, errors.New("-max-nodes, -max-value-bytes, -max-name-bytes and -max-batch must be positive"))
	}
	if cfg.ReadTimeout <= 0 || cfg.HTTPIdleTimeout <= 0 {
		errs = append(errs, errors.New("-read-timeout and -http-idle-timeout must be positive"))
	}
	if cfg.PprofAddr != "" && !loopbackAddr(cfg.PprofAddr) {
		errs = append(errs, errors.New("-pprof must be a loopback address (127.0.0.1:port): profiles are not for the network"))
	}
	if cfg.DataDir == "" {
		errs = append(errs, errors.New("-data-dir must not be empty"))
	}
	return errors.Join(errs...)
}

// splitList reads a comma-separated list, dropping empty entries.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// envDefaults reads flag defaults from the environment and remembers the
// first malformed value, so that a typo in TALUS_* is an error, not a
// silently ignored setting.
type envDefaults struct {
	getenv func(string) string
	errs   []error
}

func (e *envDefaults) str(key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

func (e *envDefaults) duration(key string, def time.Duration) time.Duration {
	v := e.getenv(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s=%q: %w", key, v, err))
		return def
	}
	return d
}

func (e *envDefaults) int64(key string, def int64) int64 {
	v := e.getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s=%q: not an integer", key, v))
		return def
	}
	return n
}

func (e *envDefaults) float(key string, def float64) float64 {
	v := e.getenv(key)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s=%q: not a number", key, v))
		return def
	}
	return f
}

func (e *envDefaults) err() error { return errors.Join(e.errs...) }

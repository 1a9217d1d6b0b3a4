// Command talus is the Talus Tally server: the REST API under /api/v1 and
// Socket.IO at /socket.io/, over one actor per session. It is the only place that wires the packages
// together: configuration, the template catalog, the session layer, the
// HTTP server and an orderly shutdown.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	nethttp "net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/actors/store"
	talushttp "github.com/talus-tally/server/http"
	"github.com/talus-tally/server/http/guard"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/ws"
	"github.com/talus-tally/server/ws/engineio"
)

// maxRecordSize bounds one journal record. One command's record holds what
// it changed: deleting the root of a 100,000-node project is tens of MiB.
const maxRecordSize = 256 << 20

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "talus:", err)
		os.Exit(1)
	}
}

// run starts the server and blocks until ctx is done (a signal) or the
// listener fails, then shuts down in dependency order: stop accepting and
// finish in-flight requests, then stop the sessions.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	if cfg.PprofAddr != "" {
		if err := servePprof(ctx, cfg.PprofAddr, log); err != nil {
			return fmt.Errorf("-pprof: %w", err)
		}
	}
	catalog := loadCatalog(cfg.TemplatesDir, log)
	m := newMetrics()
	st, err := store.Open(cfg.DataDir, store.Options{
		Logger:        log.With("component", "store"),
		MaxRecordSize: maxRecordSize,
		OnSync:        m.onSync,
	})
	if err != nil {
		return fmt.Errorf("open data dir: %w", err)
	}
	node, err := startCluster(cfg.Cluster, cfg.DataDir, log)
	if err != nil {
		return errors.Join(fmt.Errorf("join the cluster: %w", err), st.Close())
	}
	defer closeNode(node, log) // after the sessions stopped: their last checkpoints need it

	sessions, err := actors.Start(actors.Config{
		Catalog:         catalog,
		Store:           st,
		Journal:         journalOf(node),
		RequestTimeout:  cfg.RequestTimeout,
		UndoLimit:       cfg.UndoLimit,
		UndoBytes:       cfg.UndoBytes,
		HistoryLimit:    cfg.HistoryLimit,
		HistoryBytes:    cfg.HistoryBytes,
		MaxSessions:     cfg.MaxSessions,
		Limits:          cfg.Limits,
		OnCommand:       m.onCommand,
		IdleTimeout:     cfg.IdleTimeout,
		CheckpointEvery: cfg.CheckpointEvery,
		Logger:          log.With("component", "actors"),
	})
	if err != nil {
		return errors.Join(fmt.Errorf("start sessions: %w", err), st.Close())
	}
	attach(node, sessions)

	origins, err := guard.ParseOrigins(cfg.AllowedOrigins)
	if err != nil { // parseConfig checked them
		return errors.Join(err, stopSessions(sessions, cfg.ShutdownTimeout), st.Close())
	}
	hosts := guard.NewHosts(cfg.Addr, cfg.AllowedHosts)
	// One limiter for REST requests and socket handshakes: a client's
	// budget is the same whichever way it comes.
	var limiter *guard.IPLimiter
	var handshakes interface{ Allow(*nethttp.Request) bool }
	if cfg.RateLimit > 0 {
		limiter = guard.NewIPLimiter(cfg.RateLimit, cfg.RateBurst)
		handshakes = limiter
	}

	api := talushttp.New(talushttp.Config{
		MaxBodyBytes: cfg.MaxBody,
		Token:        cfg.Token,
		Limiter:      limiter,
		Origins:      origins,
		Hosts:        hosts,
		Health:       healthOf(node, st),
		Router:       httpRouter(node),
		Version:      buildVersion(),
		Metrics:      m.handler(),
		OnError:      m.onHTTPError,
	}, sessions, catalog, log.With("component", "http"))

	sockets := ws.New(ws.Config{
		Engine: engineio.Config{
			PingInterval:  cfg.PingInterval,
			PingTimeout:   cfg.PingTimeout,
			MaxPayload:    cfg.MaxPayload,
			MaxQueueBytes: cfg.ClientQueueBytes,
		},
		RequestTimeout: cfg.RequestTimeout,
		Token:          cfg.Token,
		CheckOrigin:    origins.AllowedRequest,
		Handshakes:     handshakes,
		MessageRate:    cfg.RateLimit,
		MessageBurst:   cfg.RateBurst,
		OnRefusal:      m.onRefusal,
		EventNames:     cfg.EventNames,
		Router:         wsRouter(node),
		Logger:         log.With("component", "ws"),
	}, sessions)
	m.watch(sessions, sockets)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return errors.Join(fmt.Errorf("listen: %w", err), stopSessions(sessions, cfg.ShutdownTimeout), st.Close())
	}
	srv := &nethttp.Server{
		Handler:           api.Guard(handler(api, sockets)),
		ReadHeaderTimeout: 10 * time.Second,
		// A whole request, body included, must arrive within ReadTimeout:
		// a client trickling bytes cannot hold a connection. It bounds
		// reading only, so long polls (which wait to write) are not cut,
		// and an upgraded WebSocket leaves it behind.
		ReadTimeout: cfg.ReadTimeout,
		IdleTimeout: cfg.HTTPIdleTimeout,
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening",
		"addr", ln.Addr().String(),
		"url", "http://"+ln.Addr().String()+"/api/v1",
		"web", "http://"+ln.Addr().String()+"/",
		"version", buildVersion(),
		"templates", len(catalog.List()),
		"data_dir", cfg.DataDir,
		"auth", cfg.Token != "",
		"rate_limit", cfg.RateLimit,
		"allowed_origins", strings.Join(cfg.AllowedOrigins, ","),
	)

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "reason", context.Cause(ctx))
	case err := <-serveErr:
		runErr = fmt.Errorf("serve: %w", err)
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	runErr = errors.Join(runErr, shutdown(shutdownCtx, srv, sockets, sessions, st))
	if runErr == nil {
		log.Info("stopped")
	}
	return runErr
}

// shutdown stops the server in dependency order. The socket layer goes
// first, while the HTTP server still serves: a polling client fetches its
// goodbye (a Socket.IO disconnect, then the Engine.IO close) with one more
// poll, which a closed listener would refuse. Once every client is told and
// has left its session, the HTTP server stops accepting and finishes the
// requests in flight; only then do the sessions stop (each takes a last
// checkpoint), and the store closes after them.
func shutdown(ctx context.Context, srv *nethttp.Server, sockets *ws.Server, sessions *actors.Client, st *store.Store) error {
	var err error
	if e := sockets.Shutdown(ctx); e != nil {
		err = errors.Join(err, fmt.Errorf("socket shutdown: %w", e))
	}
	if e := srv.Shutdown(ctx); e != nil {
		err = errors.Join(err, fmt.Errorf("http shutdown: %w", e))
	}
	if e := sessions.Stop(ctx); e != nil {
		err = errors.Join(err, fmt.Errorf("stop sessions: %w", e))
	}
	if e := st.Close(); e != nil {
		err = errors.Join(err, fmt.Errorf("close store: %w", e))
	}
	return err
}

// handler is the process's whole HTTP surface: Socket.IO at /socket.io/,
// the REST API and the web client (which api serves at / and /assets/)
// everywhere else.
func handler(api, sockets nethttp.Handler) nethttp.Handler {
	mux := nethttp.NewServeMux()
	mux.Handle("/socket.io/", sockets)
	mux.Handle("/", api)
	return mux
}

// loadCatalog loads the templates. A template that fails is logged with its
// file, path and reason and left out; the server serves the others.
func loadCatalog(dir string, log *slog.Logger) *model.Catalog {
	catalog, errs := model.LoadCatalog(dir)
	for _, err := range errs {
		var te *model.TemplateError
		if errors.As(err, &te) {
			log.Error("template not loaded", "file", te.File, "path", te.Path, "reason", te.Reason)
			continue
		}
		log.Error("template not loaded", "dir", dir, "err", err)
	}
	return catalog
}

func stopSessions(sessions *actors.Client, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return sessions.Stop(ctx)
}

// buildVersion is the -ldflags version, else the module version or VCS
// revision the binary was built from.
func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}

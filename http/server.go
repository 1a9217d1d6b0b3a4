// Package http is the REST surface of Talus Tally under /api/v1: each handler
// decodes a request, asks the session layer (actors.Sessions) or the template
// catalog, and encodes the answer. Errors reach the wire in one shape,
// {"error":{"code","message","details"?}}, with the HTTP status taken from a
// single code table (errors.go). Handlers hold no session state of their own.
package http

import (
	"log/slog"
	nethttp "net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/http/guard"
	"github.com/talus-tally/server/http/web"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// DefaultMaxBodyBytes is the request body limit when Config.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 1 << 20

// Config configures the REST server. Zero values take the defaults.
type Config struct {
	// MaxBodyBytes caps request bodies; larger ones get 413 PAYLOAD_TOO_LARGE.
	// Default 1 MiB.
	MaxBodyBytes int64
	// Token, when set, is required as "Authorization: Bearer <token>" on every
	// /api/v1 request except GET /health.
	Token string
	// Limiter bounds requests per client IP (429 RATE_LIMITED past it); nil
	// turns rate limiting off. The socket layer's handshakes share it.
	Limiter *guard.IPLimiter
	// Origins are the browser origins that may use the API (403
	// FORBIDDEN_ORIGIN for others); nil allows only the defaults
	// (guard.DefaultOrigins) and the server's own.
	Origins *guard.Origins
	// Hosts are the names the server may be reached by (403
	// FORBIDDEN_ORIGIN for others, DNS rebinding); nil allows loopback
	// names only. See Guard.
	Hosts *guard.Hosts
	// Health, when set, tells GET /health whether the server can keep its
	// promises (the journal takes records): nil is ok, an error is answered
	// 503 {"status":"degraded", reason}.
	Health func() error
	// Version is reported by GET /health.
	Version string
	// Metrics, when set, is served at /metrics (behind the token when one
	// is set).
	Metrics nethttp.Handler
	// OnError, when set, hears the code (and the budget, for
	// LIMIT_EXCEEDED) of every error the API answers (metrics); it must not
	// block.
	OnError func(code, budget string)
	// Router, when set, says which server of a cluster owns each session;
	// requests for one another server owns are passed on to it.
	Router Router
}

// Server serves the REST API. It is safe for concurrent use.
type Server struct {
	cfg      Config
	sessions *actors.Client
	catalog  *model.Catalog
	log      *slog.Logger
	started  time.Time
	page     *web.Page // the embedded web client served at /
	router   *chi.Mux
	proxies  *proxies // to the other servers of a cluster (Config.Router)
}

// New returns the REST server for sessions and catalog. log may be nil.
func New(cfg Config, sessions *actors.Client, catalog *model.Catalog, log *slog.Logger) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.Origins == nil {
		cfg.Origins, _ = guard.ParseOrigins(guard.DefaultOrigins) // the defaults parse
	}
	if cfg.Hosts == nil {
		cfg.Hosts = guard.NewHosts("", nil)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg:      cfg,
		sessions: sessions,
		catalog:  catalog,
		log:      log,
		started:  time.Now(),
		page:     web.New(),
	}
	if cfg.Router != nil {
		s.proxies = newProxies(s)
	}
	s.router = s.routes()
	return s
}

// ServeHTTP serves the API and the web client. Other paths get 404 in the
// API's error shape.
func (s *Server) ServeHTTP(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.router.ServeHTTP(w, r)
}

// Guard wraps the server's whole surface (the API, Socket.IO, the page):
// a request whose Host is not one of Config.Hosts is refused with 403
// FORBIDDEN_ORIGIN before anything else looks at it.
func (s *Server) Guard(next nethttp.Handler) nethttp.Handler {
	return s.cfg.Hosts.Middleware(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		s.writeError(w, r, wire.Errorf(wire.CodeForbiddenOrigin, "host %q is not one this server answers to (see -allowed-hosts)", r.Host))
	})(next)
}

// Routes returns the router, for tools that walk the route table.
func (s *Server) Routes() chi.Routes { return s.router }

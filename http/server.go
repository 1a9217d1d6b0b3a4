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
	"github.com/talus-tally/server/http/web"
	"github.com/talus-tally/server/model"
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
	// RateLimit is the sustained requests per second allowed per client IP;
	// 0 turns rate limiting off. RateBurst is the burst above it (default:
	// RateLimit rounded up, at least 1).
	RateLimit float64
	RateBurst int
	// Version is reported by GET /health.
	Version string
}

// Server serves the REST API. It is safe for concurrent use.
type Server struct {
	cfg      Config
	sessions *actors.Client
	catalog  *model.Catalog
	log      *slog.Logger
	limiter  *ipLimiter // nil when rate limiting is off
	started  time.Time
	page     *web.Page // the embedded web client served at /
	router   *chi.Mux
}

// New returns the REST server for sessions and catalog. log may be nil.
func New(cfg Config, sessions *actors.Client, catalog *model.Catalog, log *slog.Logger) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
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
	if cfg.RateLimit > 0 {
		s.limiter = newIPLimiter(cfg.RateLimit, cfg.RateBurst)
	}
	s.router = s.routes()
	return s
}

// ServeHTTP serves the API and the web client. Other paths get 404 in the
// API's error shape.
func (s *Server) ServeHTTP(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.router.ServeHTTP(w, r)
}

// Routes returns the router, for tools that walk the route table.
func (s *Server) Routes() chi.Routes { return s.router }

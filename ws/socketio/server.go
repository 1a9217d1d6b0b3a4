package socketio

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/talus-tally/server/ws/engineio"
)

// Config tunes a Server. Zero fields take defaults.
type Config struct {
	// Engine configures the Engine.IO layer underneath.
	Engine engineio.Config
	// ConnectTimeout is how long a new connection may take to join its first
	// namespace before it is closed (default 45s).
	ConnectTimeout time.Duration
	// MessageRate, when positive, bounds the packets one connection may send
	// per second, with bursts of MessageBurst (default: the rate rounded
	// up). Packets past it are dropped; an event's socket hears of it
	// through OnRateLimited, at most once a second.
	MessageRate  float64
	MessageBurst int
	// Logger defaults to Engine.Logger, then slog.Default().
	Logger *slog.Logger
}

// Server is the Socket.IO endpoint: mount it at /socket.io/. Register
// namespaces with Of before serving.
type Server struct {
	cfg Config
	eio *engineio.Server
	log *slog.Logger

	closing atomic.Bool // Shutdown began: a namespace CONNECT is told goodbye at once

	mu   sync.RWMutex
	nsps map[string]*Namespace
}

// NewServer returns a Server with no namespaces.
func NewServer(cfg Config) *Server {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 45 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = cfg.Engine.Logger
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Engine.Logger == nil {
		cfg.Engine.Logger = cfg.Logger
	}
	s := &Server{cfg: cfg, log: cfg.Logger, nsps: make(map[string]*Namespace)}
	s.eio = engineio.NewServer(cfg.Engine, s.onEngineConn)
	return s
}

// ServeHTTP serves both transports; it is the Engine.IO handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.eio.ServeHTTP(w, r) }

// Engine returns the Engine.IO server underneath.
func (s *Server) Engine() *engineio.Server { return s.eio }

// Shutdown tells every socket it is disconnected (a DISCONNECT packet, so
// clients know the server ended it and do not reconnect on their own),
// then shuts the Engine.IO server down: every connection flushed and
// closed, every transport goroutine done, or ctx ended.
//
// Nobody slips past the goodbye: new handshakes are refused first, so the
// connections walked are all there will be; each one's goodbye waits for
// the message callback it may be running (a CONNECT whose handler is under
// way is joined, then told); and a CONNECT handled after that is answered
// with CONNECT and DISCONNECT at once, its handler never run.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	s.eio.StopAccepting()
	var told sync.WaitGroup
	for _, c := range s.eio.Conns() {
		told.Add(1)
		c.AfterReceive(func() {
			defer told.Done()
			if cl, ok := c.Client().(*client); ok {
				cl.disconnectAll()
			}
		})
	}
	done := make(chan struct{})
	go func() { told.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done(): // a callback still blocks: close anyway
	}
	return s.eio.Shutdown(ctx)
}

// Of returns the namespace called name ("/" or "/graph"), registering it
// on first use. Clients asking for an unregistered namespace get
// CONNECT_ERROR {"message":"Invalid namespace"}.
func (s *Server) Of(name string) *Namespace {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.nsps[name]
	if !ok {
		n = &Namespace{name: name}
		s.nsps[name] = n
	}
	return n
}

func (s *Server) namespace(name string) *Namespace {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.nsps[name]
}

// ConnectHandler decides whether s may join its namespace. It runs before
// the client is told; it may register handlers and emit (those packets
// follow the CONNECT reply). A non-nil error refuses the connection: a
// *RefusedError chooses what the client sees, any other error's text is
// sent as the message.
type ConnectHandler func(s *Socket) error

// Namespace is one registered namespace.
type Namespace struct {
	name string

	mu        sync.RWMutex
	onConnect ConnectHandler
}

// Name returns the namespace's name, e.g. "/graph".
func (n *Namespace) Name() string { return n.name }

// OnConnection sets the handler run for each socket joining n. Without one,
// every connection is accepted.
func (n *Namespace) OnConnection(h ConnectHandler) {
	n.mu.Lock()
	n.onConnect = h
	n.mu.Unlock()
}

func (n *Namespace) handler() ConnectHandler {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.onConnect
}

// RefusedError refuses a namespace connection with the given message and
// optional data, sent as CONNECT_ERROR {"message":..., "data":...}.
type RefusedError struct {
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

// Error returns the message.
func (e *RefusedError) Error() string { return "socketio: connection refused: " + e.Message }

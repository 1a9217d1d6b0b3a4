package ws

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model/wire"
	"github.com/talus-tally/server/ws/engineio"
	"github.com/talus-tally/server/ws/socketio"
)

// Namespaces that carry the session protocol. They behave the same; the
// frontend uses /graph.
var Namespaces = []string{"/", "/graph"}

// Config tunes the socket layer. Zero fields take defaults.
type Config struct {
	// Engine configures Engine.IO; its MaxQueueBytes is each client's
	// budget for events waiting to be written (SLOW_CONSUMER past it).
	Engine         engineio.Config
	ConnectTimeout time.Duration // a connection must join a namespace within it
	RequestTimeout time.Duration // per request to a session (default 5s)
	// LeaveTimeout bounds leaving the session when a client goes (default 5s).
	LeaveTimeout time.Duration
	// Token, when set, must come with every connection from the Engine.IO
	// handshake on: as an "Authorization: Bearer" header or a token query
	// parameter (a browser's WebSocket cannot send headers). The REST API
	// asks the same.
	Token string
	// CheckOrigin, when set, says whether a browser request's Origin may
	// use the server; every Engine.IO request is checked (403
	// FORBIDDEN_ORIGIN). nil allows every origin.
	CheckOrigin func(r *http.Request) bool
	// Handshakes, when set, bounds new connections per client (429
	// RATE_LIMITED past it); the REST API's limiter, so both count alike.
	Handshakes interface{ Allow(r *http.Request) bool }
	// MessageRate, when positive, bounds the Socket.IO packets one
	// connection may send per second (bursts of MessageBurst); past it they
	// are dropped, and the client is told RATE_LIMITED.
	MessageRate  float64
	MessageBurst int
	// OnRefusal, when set, hears of every request the socket layer refuses
	// with a code (an error event or an admission refusal) and of every
	// client dropped as SLOW_CONSUMER (metrics); it must not block.
	OnRefusal func(code, budget string)
	// Router, when set, says which server of a cluster owns each session:
	// a client joining one another server owns is relayed to it.
	Router Router
	// EventNames is how graph events are named for a client that does not
	// say (its CONNECT auth or query "names"): the prototype's frontend
	// never says, so a server it talks to sets NamesLegacy or NamesBoth.
	EventNames EventNames
	Logger     *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 5 * time.Second
	}
	if c.LeaveTimeout <= 0 {
		c.LeaveTimeout = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Engine.Logger == nil {
		c.Engine.Logger = c.Logger
	}
	return c
}

// Server is the Socket.IO endpoint; mount it at /socket.io/.
type Server struct {
	cfg      Config
	sessions *actors.Client
	sio      *socketio.Server
	budget   int // bytes of events a client may have waiting (Engine.MaxQueueBytes)
	// clients counts connected clients until each has left its session,
	// so Shutdown returns only once no session still holds one of them.
	clients sync.WaitGroup

	delivered, dropped, slow atomic.Uint64 // session events, for Stats
}

// Stats are counts of the socket layer, for metrics.
type Stats struct {
	Polling, WebSocket int    // open connections by transport
	EventsDelivered    uint64 // session events queued for a client
	EventsDropped      uint64 // session events a client's full queue refused
	SlowConsumers      uint64 // clients dropped for it
}

// Stats reads the socket layer's counts.
func (s *Server) Stats() Stats {
	st := Stats{EventsDelivered: s.delivered.Load(), EventsDropped: s.dropped.Load(), SlowConsumers: s.slow.Load()}
	for _, c := range s.sio.Engine().Conns() {
		if c.Transport() == "websocket" {
			st.WebSocket++
		} else {
			st.Polling++
		}
	}
	return st
}

// refused tells OnRefusal.
func (s *Server) refused(code, budget string) {
	if s.cfg.OnRefusal != nil {
		s.cfg.OnRefusal(code, budget)
	}
}

// New returns a Server whose sockets reach sessions through sessions.
func New(cfg Config, sessions *actors.Client) *Server {
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, sessions: sessions}
	cfg.Engine.Admit = s.admit
	s.sio = socketio.NewServer(socketio.Config{
		Engine:         cfg.Engine,
		ConnectTimeout: cfg.ConnectTimeout,
		MessageRate:    cfg.MessageRate,
		MessageBurst:   cfg.MessageBurst,
		Logger:         cfg.Logger,
	})
	s.budget = s.sio.Engine().Config().MaxQueueBytes
	for i, name := range Namespaces {
		s.sio.Of(name).OnConnection(func(sock *socketio.Socket) error { return s.connect(sock, i) })
	}
	return s
}

// ServeHTTP serves the Engine.IO transports.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.sio.ServeHTTP(w, r) }

// Shutdown refuses new connections, tells every client it is disconnected
// (a clean Socket.IO disconnect: the npm client does not retry on its
// own), closes every connection and waits until every transport goroutine
// is done and every client has left its session, or ctx ends. Call it
// before stopping the sessions, so none of them stops under a client.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.sio.Shutdown(ctx)
	done := make(chan struct{})
	go func() { s.clients.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("ws: shutdown: clients still leaving their sessions: %w", ctx.Err())
	}
	return err
}

// admit vets every Engine.IO request: the browser's Origin always; at a
// handshake also the client's rate and the token. A refusal is the REST
// API's error body, so a client reads the same codes everywhere.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, handshake bool) bool {
	refuse := func(status int, e wire.Error) bool {
		s.refused(e.Code, "")
		w.Header().Set("Content-Type", "application/json")
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(wire.ErrorBody{Error: e})
		return false
	}
	if s.cfg.CheckOrigin != nil && !s.cfg.CheckOrigin(r) {
		return refuse(http.StatusForbidden, wire.Error{Code: wire.CodeForbiddenOrigin, Message: "this page's origin may not use the server"})
	}
	if !handshake {
		return true
	}
	if s.cfg.Handshakes != nil && !s.cfg.Handshakes.Allow(r) {
		return refuse(http.StatusTooManyRequests, wire.Error{Code: wire.CodeRateLimited, Message: "too many new connections; slow down and retry"})
	}
	if !s.authorized(r) {
		return refuse(http.StatusUnauthorized, wire.Error{Code: wire.CodeUnauthorized, Message: "a valid token is required (Authorization: Bearer <token>, or ?token=)"})
	}
	return true
}

// connect starts a client for a socket that joined namespace number nsp.
func (s *Server) connect(sock *socketio.Socket, nsp int) error {
	hs := sock.Handshake()
	hello, err := parseHello(hs, s.cfg.EventNames)
	if err != nil {
		return &socketio.RefusedError{Message: err.Error(), Data: wire.From(err)}
	}
	s.clients.Add(1)
	newClient(s, sock, nsp, hello)
	return nil
}

// authorized checks a handshake's token when one is configured.
func (s *Server) authorized(r *http.Request) bool {
	if s.cfg.Token == "" {
		return true
	}
	got, ok := wire.BearerToken(r.Header.Get("Authorization"))
	if !ok {
		got = r.URL.Query().Get("token")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.Token)) == 1
}

package ws

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
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
	// Token, when set, must come with every connection: as auth {"token"},
	// or an "Authorization: Bearer" header. The REST API asks the same.
	Token  string
	Logger *slog.Logger
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
}

// New returns a Server whose sockets reach sessions through sessions.
func New(cfg Config, sessions *actors.Client) *Server {
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, sessions: sessions}
	s.sio = socketio.NewServer(socketio.Config{Engine: cfg.Engine, ConnectTimeout: cfg.ConnectTimeout, Logger: cfg.Logger})
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

// connect starts a client for a socket that joined namespace number nsp.
func (s *Server) connect(sock *socketio.Socket, nsp int) error {
	hs := sock.Handshake()
	if !s.authorized(hs) {
		we := wire.Error{Code: wire.CodeUnauthorized, Message: "a valid token is required"}
		return &socketio.RefusedError{Message: we.Message, Data: we}
	}
	hello, err := parseHello(hs)
	if err != nil {
		return &socketio.RefusedError{Message: err.Error(), Data: wire.From(err)}
	}
	s.clients.Add(1)
	newClient(s, sock, nsp, hello)
	return nil
}

// authorized checks the connection's token when one is configured.
func (s *Server) authorized(hs socketio.Handshake) bool {
	if s.cfg.Token == "" {
		return true
	}
	var auth struct {
		Token string `json:"token"`
	}
	_ = json.Unmarshal(hs.Auth, &auth) // a malformed auth has no token
	got := auth.Token
	if got == "" {
		got, _ = strings.CutPrefix(hs.Header.Get("Authorization"), "Bearer ")
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.cfg.Token)) == 1
}

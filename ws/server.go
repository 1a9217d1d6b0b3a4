package ws

import (
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/ws/engineio"
	"github.com/talus-tally/server/ws/socketio"
)

// Namespaces that carry the session protocol. They behave the same; the
// frontend uses /graph.
var Namespaces = []string{"/", "/graph"}

// Config tunes the socket layer. Zero fields take defaults.
type Config struct {
	Engine         engineio.Config
	ConnectTimeout time.Duration // a connection must join a namespace within it
	RequestTimeout time.Duration // per request to a session (default 5s)
	QueueSize      int           // events buffered per client before SLOW_CONSUMER (default 1024)
	// Backlog is how many packets may wait in a client's transport before
	// the pump stops moving events to it, so a client that does not read
	// fills its inbox and the session drops it (default 256).
	Backlog int
	// Token, when set, must come with every connection: as auth {"token"},
	// or an "Authorization: Bearer" header. The REST API asks the same.
	Token  string
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 5 * time.Second
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 1024
	}
	if c.Backlog <= 0 {
		c.Backlog = 256
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
	sessions *actors.Sessions
	sio      *socketio.Server
}

// New returns a Server whose sockets reach sessions through sessions.
func New(cfg Config, sessions *actors.Sessions) *Server {
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, sessions: sessions}
	s.sio = socketio.NewServer(socketio.Config{Engine: cfg.Engine, ConnectTimeout: cfg.ConnectTimeout, Logger: cfg.Logger})
	for _, name := range Namespaces {
		s.sio.Of(name).OnConnection(s.connect)
	}
	return s
}

// ServeHTTP serves the Engine.IO transports.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.sio.ServeHTTP(w, r) }

// Close disconnects every client. Their sessions see them leave.
func (s *Server) Close() { s.sio.Close() }

// connect starts a client for a socket that joined a namespace.
func (s *Server) connect(sock *socketio.Socket) error {
	hs := sock.Handshake()
	if !s.authorized(hs) {
		return &socketio.RefusedError{Message: "a valid token is required", Data: actors.WireError{Code: actors.CodeUnauthorized, Message: "a valid token is required"}}
	}
	hello, err := parseHello(hs)
	if err != nil {
		return &socketio.RefusedError{Message: err.Error(), Data: actors.NewWireError(err)}
	}
	c := newClient(s, sock, hello)
	go c.run()
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

package engineio

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Server is the Engine.IO endpoint; mount it at /socket.io/. It owns the
// table of live sessions.
type Server struct {
	cfg          Config
	onConnection func(*Conn)
	upgrader     websocket.Upgrader

	mu      sync.Mutex
	conns   map[string]*Conn
	closing bool // Shutdown began: no new sessions

	// sockets counts the goroutines of WebSocket transports, which the HTTP
	// server no longer tracks once it hands the connection over.
	sockets sync.WaitGroup

	// lingering counts polling sessions the server closed that wait for one
	// more poll to deliver their last packets.
	lingering sync.WaitGroup
}

// linger keeps a closed polling session reachable by its id until its next
// poll took the last packets, or CloseLinger passed.
func (s *Server) linger(c *Conn) {
	s.lingering.Add(1)
	time.AfterFunc(s.cfg.CloseLinger, c.giveUpLinger)
}

// endLinger forgets a lingering session.
func (s *Server) endLinger(c *Conn) {
	s.remove(c.id)
	s.lingering.Done()
}

// readBufferSize is each WebSocket's read buffer: frame headers, control
// frames (at most 125 bytes) and small packets.
const readBufferSize = 256

// writeBuffers lends every WebSocket its write buffer while it writes.
var writeBuffers sync.Pool

// NewServer returns a Server that calls onConnection for each new session,
// before the client hears of it: set the Conn's callbacks there.
func NewServer(cfg Config, onConnection func(*Conn)) *Server {
	s := &Server{
		cfg:          cfg.withDefaults(),
		onConnection: onConnection,
		conns:        make(map[string]*Conn),
	}
	s.upgrader = websocket.Upgrader{
		// Admit has vetted the request's Origin before any upgrade.
		CheckOrigin: func(*http.Request) bool { return true },
		// A write buffer is lent for each message, so an idle WebSocket
		// holds none.
		WriteBufferPool: &writeBuffers,
		// A small read buffer: an idle WebSocket holds it for its whole
		// life, and clients send little; a larger message is read
		// straight into its own slice past it.
		ReadBufferSize: readBufferSize,
	}
	return s
}

// Config returns the configuration in force, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Len returns the number of open sessions.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Shutdown refuses new sessions, ends every open one from the server side
// (queued packets are flushed, then a close packet) and waits until every
// WebSocket transport's goroutines are done and every polling client has
// fetched its last packets (or stopped polling), or ctx ends. A pending
// poll is answered as its session closes; the HTTP server waits for it.
func (s *Server) Shutdown(ctx context.Context) error {
	s.StopAccepting()
	for _, c := range s.Conns() {
		c.Close()
	}
	done := make(chan struct{})
	go func() { s.sockets.Wait(); s.lingering.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("engineio: shutdown: %w", ctx.Err())
	}
}

// StopAccepting refuses new sessions from now on (503 to a handshake),
// leaving the open ones be. Shutdown begins with it; a layer above calls it
// first when it must say goodbye to every session it knows before they
// close: then the set it walks can no longer grow.
func (s *Server) StopAccepting() {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
}

// Conns returns the open sessions.
func (s *Server) Conns() []*Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Conn, 0, len(s.conns))
	for _, c := range s.conns {
		out = append(out, c)
	}
	return out
}

func (s *Server) get(sid string) *Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns[sid]
}

func (s *Server) remove(sid string) {
	s.mu.Lock()
	delete(s.conns, sid)
	s.mu.Unlock()
}

// ServeHTTP routes a request by its query: a handshake without sid, a poll or
// post with one, or a WebSocket (direct, or upgrading a polling session).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if s.cfg.Admit != nil && !s.cfg.Admit(w, r, q.Get("sid") == "" && r.Method != http.MethodOptions) {
		return
	}
	s.cors(w, r)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if q.Get("EIO") != "4" {
		errBadVersion.write(w)
		return
	}
	transport := q.Get("transport")
	if transport != "polling" && transport != "websocket" {
		errUnknownTransport.write(w)
		return
	}
	sid := q.Get("sid")
	if sid == "" {
		if s.isClosing() {
			errShuttingDown.write(w)
			return
		}
		switch {
		case r.Method != http.MethodGet:
			errBadHandshake.write(w)
		case transport == "polling":
			s.handshakePolling(w, r)
		case websocket.IsWebSocketUpgrade(r):
			s.handshakeWebSocket(w, r)
		default:
			errBadRequest.write(w)
		}
		return
	}
	c := s.get(sid)
	if c == nil {
		errUnknownSID.write(w)
		return
	}
	switch {
	case transport == "websocket":
		c.serveUpgrade(w, r)
	case r.Method == http.MethodGet:
		c.servePoll(w, r)
	case r.Method == http.MethodPost:
		c.servePost(w, r)
	default:
		errBadRequest.write(w)
	}
}

// openPacket is the handshake the client receives first.
func (s *Server) openPacket(sid string, upgrades []string) Packet {
	data, _ := json.Marshal(struct {
		SID          string   `json:"sid"`
		Upgrades     []string `json:"upgrades"`
		PingInterval int64    `json:"pingInterval"`
		PingTimeout  int64    `json:"pingTimeout"`
		MaxPayload   int      `json:"maxPayload"`
	}{sid, upgrades, s.cfg.PingInterval.Milliseconds(), s.cfg.PingTimeout.Milliseconds(), s.cfg.MaxPayload})
	return Packet{Type: Open, Data: data}
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// register creates a session and hands it to onConnection; nil once
// Shutdown began.
func (s *Server) register(r *http.Request) *Conn {
	c := newConn(s, rand.Text(), r)
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.conns[c.id] = c
	s.mu.Unlock()
	c.debug("engine.io session opened", "transport", r.URL.Query().Get("transport"), "remote", r.RemoteAddr)
	return c
}

func (s *Server) handshakePolling(w http.ResponseWriter, r *http.Request) {
	c := s.register(r)
	if c == nil {
		errShuttingDown.write(w)
		return
	}
	if s.onConnection != nil {
		s.onConnection(c)
	}
	writeText(w, EncodePayload([]Packet{s.openPacket(c.id, []string{"websocket"})}))
	c.startHeartbeat()
}

func (s *Server) handshakeWebSocket(w http.ResponseWriter, r *http.Request) {
	// Counted until the reader is: a writer may start before it.
	s.sockets.Add(1)
	defer s.sockets.Done()
	ws, out, err := s.upgrade(w, r, nil)
	if err != nil {
		return // Upgrade already answered the client
	}
	c := s.register(r)
	if c == nil {
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "shutting down"), time.Now().Add(time.Second))
		_ = ws.Close()
		return
	}
	t := newWSTransport(ws, out, s.cfg.MaxPayload)
	c.mu.Lock()
	c.ws = t
	c.queue = append(c.queue, s.openPacket(c.id, []string{}))
	c.mu.Unlock()
	if s.onConnection != nil {
		s.onConnection(c) // sets the callbacks before any packet is read
	}
	c.startHeartbeat()
	c.mu.Lock()
	c.startWriter() // the open packet, and whatever onConnection sent
	c.mu.Unlock()
	s.startReader(c, t)
}

// cors sets the CORS headers for the request's origin, which Admit let in.
// No credentials: the protocol needs no cookies.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		} else {
			h.Set("Access-Control-Allow-Headers", "Content-Type")
		}
		h.Set("Access-Control-Max-Age", "86400")
	}
}

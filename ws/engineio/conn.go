package engineio

import (
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// RequestInfo is what the handshake request told the server about the client.
type RequestInfo struct {
	Query      url.Values
	Header     http.Header
	RemoteAddr string
	Time       time.Time
}

// Conn is one Engine.IO session, whatever transport carries it. Send, Close
// and the accessors are safe for concurrent use.
type Conn struct {
	id  string
	srv *Server
	cfg *Config
	req RequestInfo
	log *slog.Logger

	wake chan struct{} // one token: the queue or the state changed
	done chan struct{} // closed when the session ends

	// recvMu makes message delivery sequential and orders OnClose after the
	// last delivered message.
	recvMu sync.Mutex

	mu           sync.Mutex
	queue        []Packet
	ws           *wsTransport // the active WebSocket, once upgraded or opened directly
	probe        *wsTransport // a WebSocket testing the upgrade
	probing      bool         // a probe's WebSocket handshake is being answered
	upgrading    bool         // probe answered; pending polls must end with noop
	polling      bool         // a GET is waiting
	closed       bool
	reason       string
	serverClosed bool // the server, not the client, ended the session
	awaitingPong bool
	holdWake     int // > 0 while a POST body is handled: its replies leave in one poll
	pingTimer    *time.Timer
	pongTimer    *time.Timer
	onMessage    func(Packet)
	onClose      func(reason string)
}

func newConn(s *Server, id string, r *http.Request) *Conn {
	return &Conn{
		id:   id,
		srv:  s,
		cfg:  &s.cfg,
		req:  RequestInfo{Query: r.URL.Query(), Header: r.Header.Clone(), RemoteAddr: r.RemoteAddr, Time: time.Now()},
		log:  s.cfg.Logger.With("eio_sid", id),
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
}

// ID returns the Engine.IO session id.
func (c *Conn) ID() string { return c.id }

// Request returns what the handshake request carried.
func (c *Conn) Request() RequestInfo { return c.req }

// Transport names the transport now carrying the session: "polling" or "websocket".
func (c *Conn) Transport() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ws != nil {
		return "websocket"
	}
	return "polling"
}

// OnMessage sets the function that receives the client's message packets.
// Set it inside the server's connection callback, before any packet can
// arrive. It is called from one goroutine at a time, in arrival order, and
// never after the session closed; it may block reading from this client only.
func (c *Conn) OnMessage(fn func(Packet)) {
	c.mu.Lock()
	c.onMessage = fn
	c.mu.Unlock()
}

// OnClose sets the function called exactly once when the session ends, after
// any message callback in progress has returned.
func (c *Conn) OnClose(fn func(reason string)) {
	c.mu.Lock()
	c.onClose = fn
	c.mu.Unlock()
}

// Done is closed when the session has ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Send enqueues pkts for the client, all together and in order. It never
// waits for the network. A full queue closes the session and returns
// ErrSendQueueFull; a closed session returns ErrClosed.
func (c *Conn) Send(pkts ...Packet) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	if len(c.queue)+len(pkts) > c.cfg.SendQueueLen {
		c.mu.Unlock()
		c.close(ReasonQueueOverflow, true)
		return ErrSendQueueFull
	}
	c.queue = append(c.queue, pkts...)
	hold := c.holdWake > 0
	c.mu.Unlock()
	if !hold {
		c.signal()
	}
	return nil
}

// Close ends the session from the server side; queued packets are still
// flushed to a waiting poll or the WebSocket, followed by a close packet.
func (c *Conn) Close() { c.close(ReasonForcedClose, true) }

// CloseWith is Close with the reason OnClose reports, e.g. ReasonParseError
// when the layer above found the client's bytes malformed.
func (c *Conn) CloseWith(reason string) { c.close(reason, true) }

// signal wakes the queue's current writer, if any.
func (c *Conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// take removes and returns every queued packet.
func (c *Conn) take() []Packet {
	c.mu.Lock()
	defer c.mu.Unlock()
	pkts := c.queue
	c.queue = nil
	return pkts
}

func (c *Conn) close(reason string, byServer bool) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed, c.reason, c.serverClosed = true, reason, byServer
	if c.pingTimer != nil {
		c.pingTimer.Stop()
	}
	if c.pongTimer != nil {
		c.pongTimer.Stop()
	}
	c.mu.Unlock()
	c.srv.remove(c.id) // first: once done is closed, clients may already see the end
	close(c.done)
	c.log.Debug("engine.io session closed", "reason", reason)
	// A goroutine, because close may be called from inside a message callback
	// that holds recvMu.
	go func() {
		c.recvMu.Lock()
		defer c.recvMu.Unlock()
		c.mu.Lock()
		fn := c.onClose
		c.mu.Unlock()
		if fn != nil {
			fn(reason)
		}
	}()
}

func (c *Conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// closeState reports whether the session ended and who ended it.
func (c *Conn) closeState() (closed, byServer bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed, c.serverClosed
}

package engineio

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// RequestInfo is what the handshake request told the server about the
// client, kept for the session's life. Its headers are not kept: Config.Admit
// sees them all at the handshake, and holding them for every idle session
// would cost more than the rest of it.
type RequestInfo struct {
	Query      url.Values
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

	ctx *sessionContext // done when the session ends

	// recvMu makes message delivery sequential and orders OnClose after the
	// last delivered message.
	recvMu sync.Mutex

	mu           sync.Mutex
	queue        []Packet
	queued       int           // bytes in queue
	offered      int           // bytes in queue that came through Offer
	ws           *wsTransport  // the active WebSocket, once upgraded or opened directly
	probe        *wsTransport  // a WebSocket testing the upgrade
	probing      bool          // a probe's WebSocket handshake is being answered
	probeEnd     chan struct{} // closed when the probe slot is let go: upgraded, or given up
	probeWatch   *probeWatch   // the probe's reads, from its handshake's answer on (see awaitProbe)
	upgrading    bool          // probe answered; pending polls must end with noop
	polling      bool          // a GET is waiting
	wake         chan struct{} // one token: the queue or the state changed; made for the first poll
	writing      bool          // ws's writer runs (or, once closed, ran its last)
	closed       bool
	reason       string
	serverClosed bool // the server, not the client, ended the session
	awaitingPong bool
	lingering    bool // closed; the last packets (or a noop) wait for one more poll
	holdWake     int  // > 0 while a POST body is handled: its replies leave in one poll
	pingTimer    *time.Timer
	pongTimer    *time.Timer
	onMessage    func(Packet)
	onClose      func(reason string)
	client       any // the layer above's state for this session
}

func newConn(s *Server, id string, r *http.Request) *Conn {
	return &Conn{
		id:  id,
		srv: s,
		cfg: &s.cfg,
		req: RequestInfo{Query: r.URL.Query(), RemoteAddr: r.RemoteAddr, Time: time.Now()},
		ctx: newSessionContext(),
	}
}

// debug writes a debug line about the session. The logger with the
// session's id is made only then: an idle session holds none.
func (c *Conn) debug(msg string, args ...any) {
	if l := c.cfg.Logger; l.Enabled(context.Background(), slog.LevelDebug) {
		l.With("eio_sid", c.id).Debug(msg, args...)
	}
}

// Context is cancelled when the session ends: work done for this client
// stops waiting once nobody is left to answer.
func (c *Conn) Context() context.Context { return c.ctx }

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

// SetClient attaches the layer above's state to the session, so a server
// that walks its sessions (Shutdown) can reach it.
func (c *Conn) SetClient(v any) {
	c.mu.Lock()
	c.client = v
	c.mu.Unlock()
}

// Client returns what SetClient attached.
func (c *Conn) Client() any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.client
}

// Done is closed when the session has ended.
func (c *Conn) Done() <-chan struct{} { return c.ctx.done }

// Send enqueues pkts for the client, all together and in order: replies
// and whatever else the client must get. It never waits for the network.
// When more than MaxBufferedBytes already wait (checked before adding, so
// one large reply always fits) the session closes and Send returns
// ErrSendQueueFull; a closed session returns ErrClosed.
func (c *Conn) Send(pkts ...Packet) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	if c.queued > c.cfg.MaxBufferedBytes {
		c.mu.Unlock()
		c.close(ReasonQueueOverflow, true)
		return ErrSendQueueFull
	}
	for _, p := range pkts {
		c.queued += p.size()
	}
	c.queue = append(c.queue, pkts...)
	c.wakeWriter()
	c.mu.Unlock()
	return nil
}

// Offer enqueues p unless the offered packets waiting would pass
// MaxQueueBytes; it reports whether it did. It never waits and never closes
// the session: refusing is the caller's cue that this client is too slow.
// A closed session takes p and drops it: its client is leaving, not slow,
// and what is queued (its goodbye, for a polling client that has yet to
// fetch it) must stay as it is.
func (c *Conn) Offer(p Packet) bool {
	n := p.size()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return true
	}
	if c.offered+n > c.cfg.MaxQueueBytes {
		c.mu.Unlock()
		return false
	}
	c.offered += n
	c.queued += n
	c.queue = append(c.queue, p)
	c.wakeWriter()
	c.mu.Unlock()
	return true
}

// Discard drops every packet still waiting, for a client about to be told
// it fell behind: what it missed it gets again by catching up. Once the
// session is closed what waits is its goodbye, which stays.
func (c *Conn) Discard() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	clear(c.queue)
	c.queue, c.queued, c.offered = c.queue[:0], 0, 0
	c.mu.Unlock()
}

// wakeWriter gets the queue written: on a WebSocket by starting its writer
// unless it runs; on polling by waking the waiting GET, unless a POST body
// is being handled: then its replies leave together once it is done. The
// caller holds mu.
func (c *Conn) wakeWriter() {
	switch {
	case c.ws != nil:
		c.startWriter()
	case c.holdWake == 0:
		c.signal()
	}
}

// AfterReceive runs fn on a goroutine of its own once no message callback
// is running, and holds the next one off until fn returns: work the layer
// above must order with its callbacks, started from anywhere without
// waiting.
func (c *Conn) AfterReceive(fn func()) {
	go func() {
		c.recvMu.Lock()
		defer c.recvMu.Unlock()
		fn()
	}()
}

// Close ends the session from the server side; queued packets are still
// flushed to a waiting poll or the WebSocket, followed by a close packet.
func (c *Conn) Close() { c.close(ReasonForcedClose, true) }

// CloseWith is Close with the reason OnClose reports, e.g. ReasonParseError
// when the layer above found the client's bytes malformed.
func (c *Conn) CloseWith(reason string) { c.close(reason, true) }

// signal wakes a waiting poll, if any. The caller holds mu.
func (c *Conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default: // a token is there already, or no poll ever waited (nil)
	}
}

// wakeChan returns the channel a poll waits on, made for the session's
// first poll: a WebSocket session never needs one.
func (c *Conn) wakeChan() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wake == nil {
		c.wake = make(chan struct{}, 1)
	}
	return c.wake
}

// take removes and returns every queued packet.
func (c *Conn) take() []Packet {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.takeLocked()
}

func (c *Conn) takeLocked() []Packet {
	pkts := c.queue
	c.queue, c.queued, c.offered = nil, 0, 0
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
	// A polling client whose server ended the session (Close: shutdown, or
	// the layer above done with it) gets what was still queued, then the
	// close packet in a poll of its own, as the reference server drains
	// before it closes: socket.io-client handles a payload's close packet
	// before the Socket.IO packets beside it, and would take a goodbye
	// sent with it for a lost transport. After a protocol error there is
	// nothing to say: the next poll is refused.
	//
	// A client that closes a polling session (a close packet in a POST) may
	// have a GET on its way on another connection. The reference server, on
	// one event loop, takes requests in the order they arrive and answers
	// such a GET with a noop; here each connection has a goroutine of its
	// own and the GET may be handled after the close although it was sent
	// before it. So the session stays for one more poll, which gets a noop,
	// and is gone after it.
	linger := c.ws == nil && ((byServer && reason == ReasonForcedClose) || (!byServer && reason == ReasonTransportClose && !c.polling))
	c.lingering = linger
	probe := c.probe
	c.mu.Unlock()
	if linger {
		c.srv.linger(c)
	} else {
		c.srv.remove(c.id) // first: once the client sees the end, the session is gone
	}
	c.ctx.end()
	// The WebSocket's writer writes the last packets and closes it; a
	// WebSocket still probing is just closed, which ends its reader.
	c.mu.Lock()
	c.startWriter()
	c.mu.Unlock()
	if probe != nil {
		_ = probe.ws.Close()
	}
	c.debug("engine.io session closed", "reason", reason)
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

// takeLast hands a poll of a session that closed what is left: when the
// server closed it, the packets still queued, or, once none are, the close
// packet; when the client closed it, a noop. Then the session is gone.
func (c *Conn) takeLast() ([]Packet, bool) {
	c.mu.Lock()
	pkts, ok, ended := c.takeLastLocked()
	c.mu.Unlock()
	if ended {
		c.srv.endLinger(c)
	}
	return pkts, ok
}

// takeLastLocked is takeLast for a caller that holds mu; when it reports
// ended, the caller calls c.srv.endLinger(c) once it let mu go.
func (c *Conn) takeLastLocked() (pkts []Packet, ok, ended bool) {
	if !c.lingering {
		return nil, false, false
	}
	if c.serverClosed {
		if pkts := c.takeLocked(); len(pkts) > 0 {
			return pkts, true, false
		}
		c.lingering = false
		return []Packet{{Type: Close}}, true, true
	}
	c.lingering = false
	return []Packet{{Type: Noop}}, true, true // the client closed: its GET ends cleanly
}

// takeProbeSlot claims the one place for a WebSocket probing an upgrade.
// The caller holds mu.
func (c *Conn) takeProbeSlot() {
	c.probing = true
	c.probeEnd = make(chan struct{})
}

// freeProbeSlot lets the slot go: the upgrade completed or was given up.
// The caller holds mu.
func (c *Conn) freeProbeSlot() {
	c.probing, c.probe, c.upgrading, c.probeWatch = false, nil, false, nil
	if c.probeEnd != nil {
		close(c.probeEnd)
		c.probeEnd = nil
	}
}

// giveUpLinger ends the wait for a poll that did not come.
func (c *Conn) giveUpLinger() {
	c.mu.Lock()
	was := c.lingering
	c.lingering = false
	c.mu.Unlock()
	if was {
		c.srv.endLinger(c)
	}
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

package engineio

import (
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// wsTransport is one WebSocket carrying, or probing to carry, a session.
// readLoop is its only reader, for as long as it lives. Its writer runs
// only while there is something to write (writeWS), so an idle WebSocket
// holds one goroutine and no write buffer.
type wsTransport struct {
	ws  *websocket.Conn
	out *batchConn // under ws: frames written in one batch leave in one write
	// probed is set once "2probe" was answered; only readLoop touches it.
	probed bool
}

func newWSTransport(ws *websocket.Conn, out *batchConn, maxPayload int) *wsTransport {
	ws.SetReadLimit(int64(maxPayload))
	return &wsTransport{ws: ws, out: out}
}

// upgrade answers the WebSocket handshake of r and returns the transport,
// its bytes written through a batchConn; hijacked, when set, gets that
// before the client hears the handshake's answer. On failure the client
// was already answered.
func (s *Server) upgrade(w http.ResponseWriter, r *http.Request, hijacked func(*batchConn)) (*websocket.Conn, *batchConn, error) {
	var out *batchConn
	ws, err := s.upgrader.Upgrade(batchingHijacker{ResponseWriter: w, out: &out, hijacked: hijacked}, r, nil)
	return ws, out, err
}

// serveUpgrade accepts the WebSocket that probes an upgrade of a polling session.
func (c *Conn) serveUpgrade(w http.ResponseWriter, r *http.Request) {
	c.srv.sockets.Add(1) // until the reader is counted
	defer c.srv.sockets.Done()
	// 400 is for a session the server does not know (any more); a second
	// WebSocket for a session that has one, or is getting one, is accepted
	// and closed at once, as the reference server does. The probe slot is
	// taken before the handshake, so only one WebSocket can hold it.
	c.mu.Lock()
	closed := c.closed
	busy := c.ws != nil || c.probe != nil || c.probing
	if !closed && !busy && websocket.IsWebSocketUpgrade(r) {
		c.takeProbeSlot()
	}
	c.mu.Unlock()
	switch {
	case closed:
		errUnknownSID.write(w)
		return
	case !websocket.IsWebSocketUpgrade(r):
		errBadRequest.write(w)
		return
	case busy:
		if ws, err := c.srv.upgrader.Upgrade(w, r, nil); err == nil {
			_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "session already has a WebSocket"), time.Now().Add(time.Second))
			_ = ws.Close()
		}
		return
	}
	// The watch is in place before the client hears the handshake's
	// answer, so no poll can come after the client's first frame and miss it.
	ws, out, err := c.srv.upgrade(w, r, func(out *batchConn) {
		out.watch = newProbeWatch(out.Conn) // before the reader starts: then only it touches it
		c.mu.Lock()
		c.probeWatch = out.watch
		c.mu.Unlock()
	})
	var t *wsTransport
	if err == nil {
		t = newWSTransport(ws, out, c.cfg.MaxPayload)
	}
	c.mu.Lock()
	if err != nil {
		c.freeProbeSlot()
		c.mu.Unlock()
		return // Upgrade already answered the client
	}
	if c.closed || c.ws != nil {
		c.freeProbeSlot()
		c.mu.Unlock()
		_ = ws.Close()
		return
	}
	c.probing, c.probe = false, t // the slot passes to the probe
	c.mu.Unlock()
	// The probe must finish within UpgradeTimeout; the deadline is lifted
	// once the upgrade completes and the heartbeat takes over.
	_ = ws.SetReadDeadline(time.Now().Add(c.cfg.UpgradeTimeout))
	c.srv.startReader(c, t)
}

// startReader runs readLoop on a goroutine of its own, and the handler
// that upgraded returns: the reader starts on a small stack rather than
// keep net/http's, deep with the handler chain, for the connection's life.
func (s *Server) startReader(c *Conn, t *wsTransport) {
	s.sockets.Add(1)
	go func() {
		defer s.sockets.Done()
		c.readLoop(t)
	}()
}

// readLoop reads frames until the WebSocket fails or the session ends.
// Whatever ended it, the WebSocket is done: it closes it, which also ends
// a write blocked on a client that went away.
func (c *Conn) readLoop(t *wsTransport) {
	defer func() { _ = t.ws.Close() }()
	defer c.dropProbe(t)
	active := c.isActive(t)
	for {
		mt, data, err := t.ws.ReadMessage()
		if err != nil {
			if active {
				c.close(ReasonTransportClose, false)
			}
			return
		}
		var p Packet
		if mt == websocket.BinaryMessage {
			p = BinaryMessage(data)
		} else if p, err = DecodePacket(data); err != nil {
			if active {
				c.close(ReasonParseError, true)
			}
			return
		}
		if !active {
			if active, err = c.probePacket(t, p); err != nil {
				return // a failed probe ends this WebSocket, not the session
			}
			continue
		}
		if p.Type == Message {
			err = c.handleAside(p)
		} else {
			c.recvMu.Lock()
			err = c.handle(p)
			c.recvMu.Unlock()
		}
		if err != nil {
			c.close(ReasonParseError, true)
			return
		}
	}
}

// handleAside hands a message to the layer above on a goroutine of its own
// and waits for it, so messages stay in order and the reader reads no
// further ahead. The layer above's work runs deep (a session request, a
// log line); on the reader it would grow the reader's stack, and a stack
// is shrunk only while a quarter of it is in use: the reader, waiting with
// about 2 KB of frames, would keep 8 KB for the connection's life instead
// of 4 KB.
func (c *Conn) handleAside(p Packet) error {
	done := make(chan error, 1)
	go func() {
		c.recvMu.Lock()
		defer c.recvMu.Unlock()
		done <- c.handle(p)
	}()
	return <-done
}

// probePacket handles a packet on a WebSocket that is not yet the session's
// transport: "2probe" is answered with "3probe" and ends the pending poll;
// "5" completes the upgrade. It reports whether t is now active. Until
// then the reader is the probe's only writer too.
func (c *Conn) probePacket(t *wsTransport, p Packet) (bool, error) {
	switch {
	case p.Type == Ping && string(p.Data) == "probe":
		c.mu.Lock()
		c.upgrading = true
		c.signal()
		c.mu.Unlock()
		if t.probed {
			return false, nil // a client probing in a loop; one answer is enough
		}
		t.probed = true
		_ = t.ws.SetWriteDeadline(time.Now().Add(c.cfg.WriteTimeout))
		return false, writeFrame(t.ws, Packet{Type: Pong, Data: []byte("probe")})
	case p.Type == Upgrade:
		c.mu.Lock()
		ok := c.upgrading && !c.closed && c.probe == t
		if ok {
			c.freeProbeSlot()
			c.ws = t
			c.startWriter() // what polling left queued leaves on t
			c.signal()      // a pending poll ends
		}
		c.mu.Unlock()
		if !ok {
			return false, ErrBadPacket
		}
		_ = t.ws.SetReadDeadline(time.Time{})
		t.out.watch = nil // no poll needs it any more: plain reads
		c.debug("engine.io session upgraded to websocket")
		return true, nil
	}
	return false, ErrBadPacket
}

// dropProbe forgets t if it was still probing, so polling carries on.
func (c *Conn) dropProbe(t *wsTransport) {
	c.mu.Lock()
	if c.probe == t {
		c.freeProbeSlot()
	}
	c.mu.Unlock()
}

func (c *Conn) isActive(t *wsTransport) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ws == t
}

// startWriter starts the active WebSocket's writer unless one runs. The
// caller holds mu. Only a live reader or close calls it, so the sockets
// count is above zero whenever it grows here.
func (c *Conn) startWriter() {
	if c.ws == nil || c.writing {
		return
	}
	c.writing = true
	c.srv.sockets.Add(1)
	go func(t *wsTransport) {
		defer c.srv.sockets.Done()
		c.writeWS(t)
	}(c.ws)
}

// writeWS is t's writer while there is something to write: it takes every
// packet queued, writes them as frames that leave together in one write,
// and goes on until the queue is empty; then it ends, to be started again
// by the next packet. Once the session closed it writes what is left, and
// when the server ended it the close packet and the close frame, then
// closes the WebSocket; no writer runs for t after that.
func (c *Conn) writeWS(t *wsTransport) {
	for {
		c.mu.Lock()
		pkts := c.takeLocked()
		closed, byServer := c.closed, c.serverClosed
		if len(pkts) == 0 && !closed {
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		if closed {
			if byServer {
				_ = c.writeBatch(t, append(pkts, Packet{Type: Close}), true)
			}
			_ = t.ws.Close()
			return
		}
		if err := c.writeBatch(t, pkts, false); err != nil {
			c.close(ReasonTransportError, false) // the next round closes t
		}
	}
}

// writeBatch writes pkts, one frame each, and with closing the close frame
// after them, all leaving in one write to the network (more only when they
// outgrow the batch buffer).
func (c *Conn) writeBatch(t *wsTransport, pkts []Packet, closing bool) error {
	deadline := time.Now().Add(c.cfg.WriteTimeout)
	if err := t.ws.SetWriteDeadline(deadline); err != nil {
		return err
	}
	t.out.begin()
	var err error
	for _, p := range pkts {
		if err = writeFrame(t.ws, p); err != nil {
			break
		}
	}
	if err == nil && closing {
		err = t.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), deadline)
	}
	if ferr := t.out.end(); err == nil {
		err = ferr
	}
	return err
}

// writeFrame writes p as one message. A packet's data may be shared with
// other clients (an event encoded once), so it is written as it is, after
// the type digit, never copied into a new slice or changed.
func writeFrame(ws *websocket.Conn, p Packet) error {
	if p.Binary {
		// Revision 4 sends binary messages as bare binary frames.
		return ws.WriteMessage(websocket.BinaryMessage, p.Data)
	}
	fw, err := ws.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	if _, err := fw.Write(typeDigits[p.Type : p.Type+1]); err != nil {
		return err
	}
	if _, err := fw.Write(p.Data); err != nil {
		return err
	}
	return fw.Close()
}

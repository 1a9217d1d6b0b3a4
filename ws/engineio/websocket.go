package engineio

import (
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// wsTransport is one WebSocket carrying, or probing to carry, a session.
// writeLoop is its only writer and readLoop its only reader.
type wsTransport struct {
	ws       *websocket.Conn
	direct   chan Packet   // probe answers, written before the upgrade completes
	activate chan struct{} // closed when this WebSocket becomes the session's transport
	stop     chan struct{} // closed when readLoop ends
}

func newWSTransport(ws *websocket.Conn, maxPayload int) *wsTransport {
	ws.SetReadLimit(int64(maxPayload))
	return &wsTransport{
		ws:       ws,
		direct:   make(chan Packet, 4),
		activate: make(chan struct{}),
		stop:     make(chan struct{}),
	}
}

// serveUpgrade accepts the WebSocket that probes an upgrade of a polling session.
func (c *Conn) serveUpgrade(w http.ResponseWriter, r *http.Request) {
	c.srv.sockets.Add(1)
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
	ws, err := c.srv.upgrader.Upgrade(w, r, nil)
	var t *wsTransport
	if err == nil {
		t = newWSTransport(ws, c.cfg.MaxPayload)
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
	c.srv.sockets.Add(1)
	go func() { defer c.srv.sockets.Done(); c.writeLoop(t) }()
	c.readLoop(t)
}

// readLoop reads frames until the WebSocket fails or the session ends.
func (c *Conn) readLoop(t *wsTransport) {
	defer close(t.stop)
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
		c.recvMu.Lock()
		err = c.handle(p)
		c.recvMu.Unlock()
		if err != nil {
			c.close(ReasonParseError, true)
			return
		}
	}
}

// probePacket handles a packet on a WebSocket that is not yet the session's
// transport: "2probe" is answered with "3probe" and ends the pending poll;
// "5" completes the upgrade. It reports whether t is now active.
func (c *Conn) probePacket(t *wsTransport, p Packet) (bool, error) {
	switch {
	case p.Type == Ping && string(p.Data) == "probe":
		c.mu.Lock()
		c.upgrading = true
		c.mu.Unlock()
		c.signal()
		select {
		case t.direct <- Packet{Type: Pong, Data: []byte("probe")}:
		default: // a client probing in a loop; one answer is enough
		}
		return false, nil
	case p.Type == Upgrade:
		c.mu.Lock()
		ok := c.upgrading && !c.closed && c.probe == t
		if ok {
			c.freeProbeSlot()
			c.ws = t
		}
		c.mu.Unlock()
		if !ok {
			return false, ErrBadPacket
		}
		_ = t.ws.SetReadDeadline(time.Time{})
		close(t.activate)
		c.signal()
		c.log.Debug("engine.io session upgraded to websocket")
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

// writeLoop is the only goroutine writing to t. Before activation it writes
// probe answers only; after, it drains the session's queue.
func (c *Conn) writeLoop(t *wsTransport) {
	defer t.ws.Close()
	var wake <-chan struct{}
	activate := t.activate
	for {
		if wake != nil {
			if err := c.writePackets(t, c.take()); err != nil {
				c.close(ReasonTransportError, false)
				return
			}
		}
		select {
		case p := <-t.direct:
			if err := c.writePackets(t, []Packet{p}); err != nil {
				return
			}
		case <-activate:
			activate, wake = nil, c.wake
		case <-wake:
		case <-t.stop:
			return
		case <-c.done:
			if _, byServer := c.closeState(); wake != nil && byServer {
				_ = c.writePackets(t, append(c.take(), Packet{Type: Close}))
				_ = t.ws.WriteControl(websocket.CloseMessage,
					websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
					time.Now().Add(c.cfg.WriteTimeout))
			}
			return
		}
	}
}

// writePackets writes one frame per packet. A packet's data may be shared
// with other clients (an event encoded once), so it is written as it is,
// after the type digit, never copied or changed.
func (c *Conn) writePackets(t *wsTransport, pkts []Packet) error {
	for _, p := range pkts {
		if err := t.ws.SetWriteDeadline(time.Now().Add(c.cfg.WriteTimeout)); err != nil {
			return err
		}
		if p.Binary {
			// Revision 4 sends binary messages as bare binary frames.
			if err := t.ws.WriteMessage(websocket.BinaryMessage, p.Data); err != nil {
				return err
			}
			continue
		}
		fw, err := t.ws.NextWriter(websocket.TextMessage)
		if err != nil {
			return err
		}
		if _, err := fw.Write(typeDigits[p.Type : p.Type+1]); err != nil {
			return err
		}
		if _, err := fw.Write(p.Data); err != nil {
			return err
		}
		if err := fw.Close(); err != nil {
			return err
		}
	}
	return nil
}

package engineio

import "time"

// The server pings every PingInterval and closes the session when the pong
// does not come within PingTimeout. Timers only enqueue packets; writing
// stays with the transport's writer.

// startHeartbeat arms the first ping.
func (c *Conn) startHeartbeat() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.pingTimer = time.AfterFunc(c.cfg.PingInterval, c.ping)
	}
}

func (c *Conn) ping() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.awaitingPong = true
	c.pongTimer = time.AfterFunc(c.cfg.PingTimeout, func() { c.close(ReasonPingTimeout, false) })
	c.mu.Unlock()
	_ = c.Send(Packet{Type: Ping}) // a closed session needs no ping
}

// pong accepts the client's answer and arms the next ping. A pong nobody
// asked for changes nothing, so a chatty client cannot multiply timers.
func (c *Conn) pong() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || !c.awaitingPong {
		return
	}
	c.awaitingPong = false
	c.pongTimer.Stop()
	c.pingTimer = time.AfterFunc(c.cfg.PingInterval, c.ping)
}

// handle processes one packet from the client, whatever the transport. The
// caller holds recvMu. A packet a client must not send returns ErrBadPacket.
func (c *Conn) handle(p Packet) error {
	switch p.Type {
	case Message:
		c.mu.Lock()
		fn, closed := c.onMessage, c.closed
		c.mu.Unlock()
		if fn != nil && !closed {
			fn(p)
		}
	case Pong:
		c.pong()
	case Ping:
		// Revision 4 clients do not ping, but answering costs nothing.
		_ = c.Send(Packet{Type: Pong, Data: p.Data})
	case Close:
		c.close(ReasonTransportClose, false)
	case Noop:
	default:
		return ErrBadPacket
	}
	return nil
}

package engineio

import (
	"net/http"
	"sync"
	"syscall"
)

// A poll that arrives while a WebSocket probes an upgrade is answered as
// the reference server, which takes a session's requests in arrival order,
// would: refused when the client had sent the upgrade packet ("5") before
// it, answered by polling otherwise. Here the probe's reader runs on a
// goroutine of its own, so "sent before" is read from the probe's socket
// instead of from the clock: the poll waits until the reader has handled
// every byte that had reached the socket, then looks whether the session
// is on its WebSocket. A real client never polls once it sent "5", and
// does not send "5" before its pending poll ended, so it never waits here
// for long.

// probeWatch follows whether a probe's reader has handled everything that
// reached its socket: it reads the socket itself, so it knows when a read
// found nothing left. Where the platform offers no such read it is never
// made, and a poll during an upgrade is answered by polling at once.
type probeWatch struct {
	rc syscall.RawConn

	mu      sync.Mutex
	idle    bool          // the last read found the socket empty
	changed chan struct{} // closed when idle turns true
}

// awaitProbe holds a poll that came while a WebSocket probes an upgrade
// until the probe's reader has handled what the client sent on it before
// the poll, and reports whether the session is now on its WebSocket (the
// poll is then refused). It returns false at once while the probe's
// handshake has not been answered: the client cannot have sent anything
// on it yet.
func (c *Conn) awaitProbe(r *http.Request) bool {
	for {
		c.mu.Lock()
		upgraded, w, end := c.ws != nil, c.probeWatch, c.probeEnd
		c.mu.Unlock()
		if upgraded {
			return true
		}
		if w == nil || end == nil {
			return false
		}
		ok, changed := w.settled()
		if ok {
			return c.isUpgraded() // handled, "5" included when it came first
		}
		select {
		case <-changed:
		case <-end:
		case <-c.ctx.done:
			return false
		case <-r.Context().Done():
			return false
		}
	}
}

func (c *Conn) isUpgraded() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ws != nil
}

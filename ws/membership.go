package ws

import (
	"sync"

	"github.com/talus-tally/server/actors"
)

// membership is a client's subscription to one session: the session actor
// calls Deliver and Closed on it, from its own goroutine, and never waits.
// Until the join reply is out, events wait here (held) so that the client
// hears "joined" and what it missed first; after, they go straight to the
// connection's queue.
type membership struct {
	c   *client
	sid string

	mu        sync.Mutex
	holding   bool
	held      []*actors.Event
	heldBytes int
	left      bool   // the client gave it up: events are dropped
	reason    string // why the session let it go, "" while it has not
}

var _ actors.Subscriber = (*membership)(nil)

func newMembership(c *client, sid string) *membership {
	return &membership{c: c, sid: sid, holding: true}
}

// Deliver queues ev for the client. It reports false, and the session drops
// the client as too slow, when the client's queue is over its budget.
func (m *membership) Deliver(ev *actors.Event) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.left:
		return true // on its way out: the session hears of it from Leave
	case m.holding:
		if m.heldBytes+len(ev.JSON) > m.c.srv.budget {
			return false
		}
		m.held = append(m.held, ev)
		m.heldBytes += len(ev.JSON)
		return true
	}
	return m.c.offerEvent(ev)
}

// Closed records that the session let the client go. A slow consumer is
// told at once and disconnected; after session:closed (already queued) or
// a join again (REPLACED) there is nothing to send. In a cluster, a
// session that stops while it still has clients (SERVER_SHUTDOWN) has left
// this server for another: its clients reconnect to find it (see moved).
func (m *membership) Closed(reason string) {
	m.mu.Lock()
	m.reason = reason
	m.held, m.heldBytes = nil, 0
	m.mu.Unlock()
	switch {
	case reason == actors.ReasonSlowConsumer:
		m.c.dropSlow()
	case reason == actors.ReasonShutdown && m.c.srv.cfg.Router != nil:
		m.c.moved()
	}
}

// release sends the join reply with reply, then the events that waited,
// and lets later ones go straight to the client. Deliver waits for it,
// which keeps the order.
func (m *membership) release(reply func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	reply()
	held := m.held
	m.holding, m.held, m.heldBytes = false, nil, 0
	for _, ev := range held {
		if !m.c.offerEvent(ev) {
			// Over budget before the client even started: it is as slow as
			// one the session would drop.
			m.left = true
			m.c.dropSlow()
			return
		}
	}
}

// abandon drops whatever comes after the client gave the membership up.
func (m *membership) abandon() {
	m.mu.Lock()
	m.left, m.held, m.heldBytes = true, nil, 0
	m.mu.Unlock()
}

// over reports whether the session let the client go.
func (m *membership) over() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reason != ""
}

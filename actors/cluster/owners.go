package cluster

import (
	"context"
	"fmt"

	"github.com/talus-tally/server/actors"
)

// ownership is this server's hold on one session. The owners key says who
// should serve the session; the journal says who may write it. Its fields
// are written by the session's own goroutine (appends, checkpoints, load)
// and read by routing, always under Node.mu.
type ownership struct {
	rev uint64 // the owners key's revision this server wrote
	// last is the journal sequence of the session's last message: the next
	// append expects it. loaded is false until the journal was read (or the
	// session is new), when last is not known yet.
	last   uint64
	loaded bool
}

// Claim makes this server the owner of a new session (actors.ExclusiveJournal): its
// key must not exist. The session's journal is empty, so it is loaded.
func (n *Node) Claim(ctx context.Context, sid string) error {
	if !n.quorum() {
		return fmt.Errorf("%w: cluster: no quorum", actors.ErrUnavailable)
	}
	rev, err := n.owners.Create(ctx, sid, n.me)
	if err != nil {
		return fmt.Errorf("%w: claim session: %w", actors.ErrUnavailable, err)
	}
	n.mu.Lock()
	n.owned[sid] = &ownership{rev: rev, loaded: true}
	n.mu.Unlock()
	return nil
}

// hold records that this server owns sid at owners revision rev, and
// reports whether it is new: the session's journal is read when it loads.
// A hold this server has already is kept, with its journal position (its
// session may be live), and only its revision updated.
func (n *Node) hold(sid string, rev uint64) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if o, ok := n.owned[sid]; ok {
		o.rev = rev
		return false
	}
	n.owned[sid] = &ownership{rev: rev}
	return true
}

// Owns reports whether this server serves session sid now.
func (n *Node) Owns(sid string) bool {
	n.mu.Lock()
	_, ok := n.owned[sid]
	n.mu.Unlock()
	return ok && n.quorum()
}

// ownership returns this server's hold on sid, or nil.
func (n *Node) ownership(sid string) *ownership {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.owned[sid]
}

// lose forgets a session another server owns now and has the session
// layer drop it.
func (n *Node) lose(sid string, why error) {
	if n.forget(sid) {
		n.cfg.Logger.Warn("session lost to another server", "session", sid, "err", why)
		if n.sessions != nil {
			n.sessions.Disown(sid)
		}
	}
}

// forget drops this server's hold on sid, reporting whether it had one.
func (n *Node) forget(sid string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	_, had := n.owned[sid]
	delete(n.owned, sid)
	return had
}

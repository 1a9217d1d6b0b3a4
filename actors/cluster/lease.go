package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/talus-tally/server/actors"
)

// lease is this server's ownership of one session. Its fields are written
// by the session's own goroutine (appends, checkpoints) and by the renew
// loop (rev, until), always under Node.mu.
type lease struct {
	epoch uint64    // the owners key's revision when this server took it
	rev   uint64    // its revision now, renewed
	until time.Time // after this, by this server's clock, another may hold it
	// last is the journal sequence of the session's last message: the next
	// append expects it. loaded is false until LoadSession (or Claim, for a
	// new session) has fenced every earlier owner.
	last   uint64
	loaded bool
	ckpt   uint64 // the checkpoint key's revision, 0 before the first
}

// Claim makes this server the owner of a new session: its key must not
// exist (actors.Claimer).
func (n *Node) Claim(ctx context.Context, sid string) error {
	start := time.Now()
	rev, err := kvCreate(ctx, n.owner, n.ownerReads, ownersBucket, sid, n.me)
	if err != nil {
		return fmt.Errorf("%w: claim session: %w", actors.ErrUnavailable, err)
	}
	n.addLease(sid, rev, start, true)
	return nil
}

// acquire tries to become the owner of a session that has none; false when
// another server was quicker.
func (n *Node) acquire(ctx context.Context, sid string) (bool, error) {
	start := time.Now()
	rev, err := kvCreate(ctx, n.owner, n.ownerReads, ownersBucket, sid, n.me)
	switch {
	case errors.Is(err, jetstream.ErrKeyExists) || isWrongLast(err):
		return false, nil
	case err != nil:
		return false, err
	}
	n.addLease(sid, rev, start, false)
	return true, nil
}

// reclaim takes back a key that names this server from an earlier run of
// it (its lease has not run out yet): compare-and-set on its revision.
func (n *Node) reclaim(ctx context.Context, sid string, rev uint64) (bool, error) {
	start := time.Now()
	next, err := n.owner.Update(ctx, sid, n.me, rev)
	switch {
	case isWrongLast(err) || errors.Is(err, jetstream.ErrKeyExists):
		return false, nil
	case err != nil:
		return false, err
	}
	n.addLease(sid, next, start, false)
	return true, nil
}

func (n *Node) addLease(sid string, rev uint64, start time.Time, loaded bool) {
	n.mu.Lock()
	n.leases[sid] = &lease{epoch: rev, rev: rev, until: n.expiry(start), loaded: loaded}
	n.mu.Unlock()
}

// expiry is when a lease renewed at start may have passed to another
// server: its TTL, less a margin for the time the renewal took to land.
func (n *Node) expiry(start time.Time) time.Time {
	return start.Add(n.cfg.LeaseTTL - n.cfg.LeaseTTL/10)
}

// held returns the lease of sid while it is valid.
func (n *Node) held(sid string) (*lease, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	l := n.leases[sid]
	if l == nil || !time.Now().Before(l.until) {
		return nil, false
	}
	return l, true
}

// Owns reports whether this server holds session sid's lease now.
func (n *Node) Owns(sid string) bool {
	_, ok := n.held(sid)
	return ok
}

// lose forgets a lease that passed to another server (or ran out) and has
// the session layer drop the session.
func (n *Node) lose(sid string, why error) {
	n.mu.Lock()
	_, had := n.leases[sid]
	delete(n.leases, sid)
	n.mu.Unlock()
	if had {
		n.cfg.Logger.Warn("session lease lost", "session", sid, "err", why)
		if n.sessions != nil {
			n.sessions.Disown(sid)
		}
	}
}

// drop forgets a lease this server gave up itself.
func (n *Node) drop(sid string) {
	n.mu.Lock()
	delete(n.leases, sid)
	n.mu.Unlock()
}

// renewLoop renews every lease a third of a TTL apart. A renewal refused
// (the key changed) loses the session at once; one that fails otherwise is
// retried until the lease runs out by this server's clock.
func (n *Node) renewLoop() {
	defer n.done.Done()
	t := time.NewTicker(n.cfg.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
		}
		n.renewAll()
	}
}

func (n *Node) renewAll() {
	type due struct {
		sid string
		rev uint64
	}
	n.mu.Lock()
	list := make([]due, 0, len(n.leases))
	for sid, l := range n.leases {
		list = append(list, due{sid, l.rev})
	}
	n.mu.Unlock()
	for _, d := range list {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), n.cfg.LeaseTTL/3)
		rev, err := n.owner.Update(ctx, d.sid, n.me, d.rev)
		cancel()
		n.mu.Lock()
		l := n.leases[d.sid]
		switch {
		case l == nil || l.rev != d.rev: // given up or taken back meanwhile
		case err == nil:
			l.rev, l.until = rev, n.expiry(start)
		case isWrongLast(err) || errors.Is(err, jetstream.ErrKeyNotFound):
			n.mu.Unlock()
			n.lose(d.sid, err)
			continue
		case !time.Now().Before(l.until):
			n.mu.Unlock()
			n.lose(d.sid, fmt.Errorf("not renewed in time: %w", err))
			continue
		}
		n.mu.Unlock()
	}
}

// releaseAll gives up every lease, revision-checked, at shutdown.
func (n *Node) releaseAll() {
	n.mu.Lock()
	leases := n.leases
	n.leases = make(map[string]*lease)
	n.mu.Unlock()
	for sid, l := range leases {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if err := n.owner.Delete(ctx, sid, jetstream.LastRevision(l.rev)); err != nil {
			n.cfg.Logger.Debug("lease not released; it runs out by itself", "session", sid, "err", err)
		}
		cancel()
	}
}

// NATS error codes the journal tells apart (see docs/scale-out.md): a
// compare-and-set that lost, and a clustered stream that could not check
// the expected sequence yet (safe to retry with the same expectation).
const (
	codeWrongLastSequence   = 10071
	codeLastSequencePending = 10164
)

func apiCode(err error) int {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return int(apiErr.ErrorCode)
	}
	return 0
}

func isWrongLast(err error) bool { return apiCode(err) == codeWrongLastSequence }

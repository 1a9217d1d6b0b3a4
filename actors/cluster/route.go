package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/talus-tally/server/actors"
)

// routeCache remembers the owners of sessions other servers serve, so a
// request for one is forwarded without reading the owners bucket. An
// entry is used only while its owner is alive; one that turned out wrong
// (the owner let the session go) is dropped by Forget.
type routeCache struct {
	mu      sync.Mutex
	entries map[string]owner
}

// maxCached bounds the cache; past it, it starts over.
const maxCached = 100_000

func (c *routeCache) get(sid string) (owner, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o, ok := c.entries[sid]
	return o, ok
}

func (c *routeCache) put(sid string, o owner) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCached {
		c.entries = make(map[string]owner)
	}
	c.entries[sid] = o
}

func (c *routeCache) drop(sid string) {
	c.mu.Lock()
	delete(c.entries, sid)
	c.mu.Unlock()
}

// Route says where session sid is served: "" for this server (it owns it,
// has just taken it over from a server that is gone, or nobody has it and
// the session layer answers that it does not exist), else the base URL of
// the server that owns it.
func (n *Node) Route(ctx context.Context, sid string) (string, error) {
	if n.Owns(sid) {
		return "", nil
	}
	if !n.quorum() {
		return "", fmt.Errorf("%w: cluster: this server reaches no quorum of the cluster", actors.ErrUnavailable)
	}
	if o, ok := n.cache.get(sid); ok && o.ID != n.id && n.alive(o.ID) {
		return o.URL, nil
	}
	for range 3 {
		kv, err := retry(ctx, func(ctx context.Context) (kvEntry, error) { return kvGet(ctx, n.ownerReads, ownersBucket, sid) })
		val, rev := kv.val, kv.rev
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			n.cache.drop(sid)
			return "", nil // nobody has it: the session layer says it is not found
		case err != nil:
			return "", fmt.Errorf("%w: cluster: read owner: %w", actors.ErrUnavailable, err)
		}
		var o owner
		if err := json.Unmarshal(val, &o); err != nil {
			return "", fmt.Errorf("%w: cluster: owner of %s: %w", actors.ErrUnavailable, sid, err)
		}
		switch {
		case o.ID == n.id:
			// This run owns it: another request took it over a moment ago
			// (serve it), or a load failed here and let go of it (hold it
			// again).
			if !n.hold(sid, rev) {
				return "", nil
			}
			return "", n.adopt(ctx, sid)
		case n.alive(o.ID):
			n.cache.put(sid, o)
			return o.URL, nil
		}
		// Its owner is gone: take it over, compare-and-set, so of several
		// servers asked at once one wins and the others route to it.
		// A try that timed out may have won: the next one then loses, and
		// the owner read after it names this server.
		next, err := retry(ctx, func(ctx context.Context) (uint64, error) { return n.owners.Update(ctx, sid, n.me, rev) })
		switch {
		case isCASConflict(err):
			continue
		case err != nil:
			return "", fmt.Errorf("%w: cluster: take over: %w", actors.ErrUnavailable, err)
		}
		n.cache.drop(sid)
		n.cfg.Logger.Info("session taken over", "session", sid, "from", o.Node)
		if !n.hold(sid, next) {
			return "", nil
		}
		return "", n.adopt(ctx, sid)
	}
	return "", fmt.Errorf("%w: cluster: session %s is changing owners; retry", actors.ErrUnavailable, sid)
}

// Forget drops what this server remembers of where session sid lives: the
// server it was forwarded to does not serve it any more.
func (n *Node) Forget(sid string) { n.cache.drop(sid) }

// adopt hands a session this server has just taken to the session layer;
// its next request loads it (LoadSession).
func (n *Node) adopt(ctx context.Context, sid string) error {
	if err := n.sessions.Adopt(ctx, sid); err != nil {
		n.forget(sid)
		return err
	}
	return nil
}

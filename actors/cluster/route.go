package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/talus-tally/server/actors"
)

// Route says where session sid is served: "" for this server (it owns it,
// has just taken it over, or nobody has it and the session layer answers
// that it does not exist), else the base URL of the server that owns it.
func (n *Node) Route(ctx context.Context, sid string) (string, error) {
	if n.Owns(sid) {
		return "", nil
	}
	for try := 0; try < 3; try++ {
		val, rev, err := kvGet(ctx, n.ownerReads, ownersBucket, sid)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			ok, err := n.exists(ctx, sid)
			if err != nil {
				return "", fmt.Errorf("%w: cluster: %w", actors.ErrUnavailable, err)
			}
			if !ok {
				return "", nil // the session layer says it is not found
			}
			if ok, err = n.acquire(ctx, sid); err != nil {
				return "", fmt.Errorf("%w: cluster: take over: %w", actors.ErrUnavailable, err)
			}
			if ok {
				return "", n.adopt(ctx, sid)
			}
		case err != nil:
			return "", fmt.Errorf("%w: cluster: %w", actors.ErrUnavailable, err)
		default:
			var o owner
			if err := json.Unmarshal(val, &o); err != nil {
				return "", fmt.Errorf("%w: cluster: owner of %s: %w", actors.ErrUnavailable, sid, err)
			}
			if o.Node != n.cfg.Name {
				return o.URL, nil
			}
			// This server's name from an earlier run of it, whose lease has
			// not run out: take it back.
			ok, err := n.reclaim(ctx, sid, rev)
			if err != nil {
				return "", fmt.Errorf("%w: cluster: take back: %w", actors.ErrUnavailable, err)
			}
			if ok {
				return "", n.adopt(ctx, sid)
			}
		}
	}
	return "", fmt.Errorf("%w: cluster: session %s is changing owners; retry", actors.ErrUnavailable, sid)
}

// adopt hands a session this server has just taken to the session layer;
// its next request loads it (LoadSession).
func (n *Node) adopt(ctx context.Context, sid string) error {
	n.cfg.Logger.Info("session taken over", "session", sid)
	if err := n.sessions.Adopt(ctx, sid); err != nil {
		n.lose(sid, err)
		return err
	}
	return nil
}

package actors

import (
	"context"
	"fmt"

	"github.com/talus-tally/server/actors/store"
)

// Journal is where sessions make themselves durable: their checkpoints and
// the record of every change, written before the change is answered. The
// local store is one (the default, Config.Store); a replicated journal
// shared by several servers is another (package cluster). A session calls
// it from its own goroutine only.
type Journal interface {
	// Append makes one record durable, or fails and the change is undone.
	Append(ctx context.Context, rec store.Record) error
	// Checkpoint stores a session's whole state at seq; the records up to
	// seq are no longer needed.
	Checkpoint(ctx context.Context, id string, seq uint64, state []byte) error
	// LoadSession returns a session's last checkpoint and the records after
	// it, or store.ErrNotFound.
	LoadSession(id string) (state []byte, seq uint64, records []store.Record, err error)
	// DeleteSession removes a session for good.
	DeleteSession(ctx context.Context, id string) error
	// MaxRecordSize is the largest record Append takes.
	MaxRecordSize() int
}

// ExclusiveJournal is a Journal that holds sessions exclusively (one server of
// several owns each): a new session is claimed before it starts.
type ExclusiveJournal interface {
	Claim(ctx context.Context, id string) error
}

var _ Journal = (*store.Store)(nil)

// ErrFenced wraps the error of a write the journal refused because another
// server owns the session now. The session leaves this server's memory;
// the client's retry reaches the owner.
var ErrFenced = fmt.Errorf("%w: another server owns this session now", ErrUnavailable)

// Adopt makes this server hold session sid, which another server made: the
// journal gave this server its ownership (ExclusiveJournal). Its next request loads
// it from the journal. Adopting a session already held does nothing.
func (c *Client) Adopt(ctx context.Context, sid string) error {
	if err := checkSessionID(sid); err != nil {
		return err
	}
	_, err := askRegistry[struct{}](ctx, c, &adopt{SessionID: sid})
	return err
}

// Disown drops session sid from this server's memory without touching the
// journal: another server owns it now. Requests on their way to it are
// answered ErrUnavailable, so their retries reach the new owner.
func (c *Client) Disown(sid string) {
	c.system.Root.Send(c.registry, &disown{SessionID: sid})
}

package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/actors/store"
)

var (
	_ actors.Journal          = (*Node)(nil)
	_ actors.ExclusiveJournal = (*Node)(nil)
)

// A session's journal is one subject of TALUS_J, talus.j.<id>, written by
// its owner only and always with the subject's expected last sequence, so
// two servers can never both extend it: that compare-and-set is the fence
// that makes one owner at a time, whatever the owners bucket or anyone's
// view of who is alive says. It holds, in order: checkpoints (the whole
// state, after which everything before is purged), records (one change
// each), takeover marks (a new owner's first write, which makes every
// later write of the one before it fail) and a deletion mark.
const (
	hdrKind  = "Talus-Kind"
	hdrSeq   = "Talus-Seq"   // the session's seq the message brings it to
	hdrNonce = "Talus-Nonce" // tells this write from any other when its answer was lost

	kindRecord     = "record"
	kindCheckpoint = "checkpoint"
	kindTakeover   = "takeover"
	kindDeleted    = "deleted"
)

// A write is tried for up to writeBudget, and a load for up to
// loadBudget, each try for up to tryTimeout: long enough to outlast the
// election of a new stream leader after one dies (JetStream's election
// timeout is 4 to 9 seconds).
const (
	writeBudget = 20 * time.Second
	loadBudget  = 30 * time.Second
)

// errConflict is a write refused because the journal changed since this
// server last read or wrote it: another server wrote it.
var errConflict = errors.New("cluster: another server wrote the session's journal")

func subject(sid string) string { return journalPrefix + sid }

// Append journals one record of a session this server owns, after every
// earlier message of it. It returns once a majority of the replicas holds
// the record; a server that no longer owns the session is refused
// (actors.ErrFenced) and lets the session go.
func (n *Node) Append(ctx context.Context, rec store.Record) error {
	if len(rec.Data) > n.MaxRecordSize() {
		return fmt.Errorf("%w: %d bytes", store.ErrInvalidRecord, len(rec.Data))
	}
	o, err := n.writable(rec.SessionID)
	if err != nil {
		return err
	}
	_, err = n.write(ctx, rec.SessionID, o, kindRecord, rec.Seq, rec.Data)
	return n.fenced(rec.SessionID, err)
}

// Checkpoint journals a session's whole state at seq, then purges what it
// covers.
func (n *Node) Checkpoint(ctx context.Context, sid string, seq uint64, state []byte) error {
	if len(state) > n.MaxRecordSize() {
		return fmt.Errorf("%w: checkpoint of %d bytes", store.ErrInvalidRecord, len(state))
	}
	o, err := n.writable(sid)
	if err != nil {
		return err
	}
	n.mu.Lock()
	first := o.last == 0
	n.mu.Unlock()
	at, err := n.write(ctx, sid, o, kindCheckpoint, seq, state)
	if err != nil {
		return n.fenced(sid, err)
	}
	if !first {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tryTimeout)
		defer cancel()
		// Not fenced, and needs not be: it drops only what a checkpoint
		// that is in the journal covers.
		if err := n.strm.Purge(pctx, jetstream.WithPurgeSubject(subject(sid)), jetstream.WithPurgeSequence(at)); err != nil {
			n.cfg.Logger.Warn("journal behind a checkpoint not purged; the next checkpoint does", "session", sid, "err", err)
		}
	}
	return nil
}

// LoadSession reads a session this server has just come to own: its last
// checkpoint and the records after it. It then writes a takeover mark,
// after which no earlier owner can write the session any more.
func (n *Node) LoadSession(sid string) (state []byte, seq uint64, records []store.Record, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), loadBudget)
	defer cancel()
	state, seq, records, err = n.load(ctx, sid)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		// The session layer lets the session go; the next request routes
		// it again (and loads it again, here or where it is owned).
		n.forget(sid)
	}
	return state, seq, records, err
}

func (n *Node) load(ctx context.Context, sid string) ([]byte, uint64, []store.Record, error) {
	o := n.ownership(sid)
	if o == nil {
		return nil, 0, nil, fmt.Errorf("%w (session %s: not owned here)", actors.ErrFenced, sid)
	}
	// The owners bucket must name this run: one that was taken for dead
	// and lost its sessions must not take them back by loading them.
	kv, err := retry(ctx, func(ctx context.Context) (kvEntry, error) { return kvGet(ctx, n.ownerReads, ownersBucket, sid) })
	val, rev := kv.val, kv.rev
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		n.forget(sid)
		return nil, 0, nil, store.ErrNotFound
	case err != nil:
		return nil, 0, nil, fmt.Errorf("%w: cluster: read owner: %w", actors.ErrUnavailable, err)
	}
	var who owner
	if err := json.Unmarshal(val, &who); err != nil || who.ID != n.id {
		return nil, 0, nil, fmt.Errorf("%w (session %s: owned by %s)", actors.ErrFenced, sid, who.Node)
	}
	for range 5 {
		state, seq, records, end, err := n.read(ctx, sid)
		if errors.Is(err, store.ErrNotFound) {
			// Claimed, but its owner died before it was first stored (or
			// it was deleted): free its id.
			_ = n.owners.Delete(ctx, sid, jetstream.LastRevision(rev))
			n.forget(sid)
			return nil, 0, nil, err
		}
		if err != nil {
			return nil, 0, nil, fmt.Errorf("%w: cluster: read journal: %w", actors.ErrUnavailable, err)
		}
		n.mu.Lock()
		o.last, o.rev = end, rev
		n.mu.Unlock()
		_, err = n.write(ctx, sid, o, kindTakeover, seq, nil)
		switch {
		case errors.Is(err, errConflict):
			continue // the owner before wrote once more meanwhile: read it too
		case err != nil:
			return nil, 0, nil, err
		}
		n.mu.Lock()
		o.loaded = true
		n.mu.Unlock()
		return state, seq, records, nil
	}
	return nil, 0, nil, fmt.Errorf("%w: cluster: session %s is still written by another server", actors.ErrUnavailable, sid)
}

// read returns a session's last checkpoint (its state and seq), the records
// after it and the journal sequence of its last message, or
// store.ErrNotFound.
func (n *Node) read(ctx context.Context, sid string) (state []byte, seq uint64, records []store.Record, end uint64, err error) {
	t, err := retry(ctx, func(ctx context.Context) (tail, error) { return n.tail(ctx, sid) })
	if err != nil {
		return nil, 0, nil, 0, err
	}
	if t.seq == 0 {
		return nil, 0, nil, 0, store.ErrNotFound
	}
	for next := uint64(1); next <= t.seq; {
		m, err := retry(ctx, func(ctx context.Context) (*jetstream.RawStreamMsg, error) {
			return n.strm.GetMsg(ctx, next, jetstream.WithGetMsgSubject(subject(sid)))
		})
		if err != nil {
			return nil, 0, nil, 0, fmt.Errorf("at %d: %w", next, err)
		}
		next = m.Sequence + 1
		s, _ := strconv.ParseUint(m.Header.Get(hdrSeq), 10, 64)
		switch kind := m.Header.Get(hdrKind); kind {
		case kindCheckpoint:
			state, seq, records = m.Data, s, nil
		case kindRecord:
			if s > seq {
				records = append(records, store.Record{SessionID: sid, Seq: s, Data: m.Data})
			}
		case kindTakeover:
		case kindDeleted:
			return nil, 0, nil, 0, store.ErrNotFound
		default:
			return nil, 0, nil, 0, fmt.Errorf("at %d: unknown kind %q", m.Sequence, kind)
		}
	}
	return state, seq, records, t.seq, nil
}

// DeleteSession removes a session for good: a deletion mark first, fenced
// like any write, then its journal and its owners key.
func (n *Node) DeleteSession(ctx context.Context, sid string) error {
	o := n.ownership(sid)
	if o == nil {
		return fmt.Errorf("%w (session %s: not owned here)", actors.ErrFenced, sid)
	}
	n.mu.Lock()
	loaded, rev := o.loaded, o.rev
	n.mu.Unlock()
	if !loaded { // adopted and never loaded: append after whatever is there
		t, err := n.tail(ctx, sid)
		if err != nil {
			return fmt.Errorf("%w: cluster: read journal: %w", actors.ErrUnavailable, err)
		}
		n.mu.Lock()
		o.last = t.seq
		n.mu.Unlock()
	}
	if _, err := n.write(ctx, sid, o, kindDeleted, 0, nil); err != nil {
		return n.fenced(sid, err)
	}
	if err := n.owners.Delete(ctx, sid, jetstream.LastRevision(rev)); err != nil {
		n.cfg.Logger.Warn("deleted session's owner not removed", "session", sid, "err", err)
	}
	if err := n.strm.Purge(ctx, jetstream.WithPurgeSubject(subject(sid))); err != nil {
		n.cfg.Logger.Warn("deleted session's journal not purged", "session", sid, "err", err)
	}
	n.forget(sid)
	return nil
}

// MaxRecordSize leaves room for the headers in one NATS message.
func (n *Node) MaxRecordSize() int { return n.cfg.MaxPayload - 4<<10 }

// writable returns this server's hold on a session it may write.
func (n *Node) writable(sid string) (*ownership, error) {
	o := n.ownership(sid)
	if o == nil {
		return nil, fmt.Errorf("%w (session %s: not owned here)", actors.ErrFenced, sid)
	}
	n.mu.Lock()
	loaded := o.loaded
	n.mu.Unlock()
	if !loaded {
		return nil, fmt.Errorf("%w: cluster: session %s written before it was loaded", actors.ErrUnavailable, sid)
	}
	return o, nil
}

// fenced turns a conflict into actors.ErrFenced and lets the session go.
func (n *Node) fenced(sid string, err error) error {
	if errors.Is(err, errConflict) {
		n.lose(sid, err)
		return fmt.Errorf("%w: %w", actors.ErrFenced, err)
	}
	return err
}

// write appends one message to session sid's subject, expecting the
// subject's last message to be the one this server last wrote or read,
// and returns its journal sequence. A try that was refused, or not
// answered, is judged by what the journal holds: this message (done: its
// answer was lost), nothing new (tried again, after a pause: a leader is
// being elected, or the write is still on its way), or another server's
// message (errConflict).
func (n *Node) write(ctx context.Context, sid string, o *ownership, kind string, seq uint64, data []byte) (uint64, error) {
	n.mu.Lock()
	expect := o.last
	n.mu.Unlock()
	nonce := randomToken()[:16]
	msg := nats.NewMsg(subject(sid))
	msg.Data = data
	msg.Header.Set(hdrKind, kind)
	msg.Header.Set(hdrSeq, strconv.FormatUint(seq, 10))
	msg.Header.Set(hdrNonce, nonce)
	deadline := time.Now().Add(writeBudget)
	for try := 0; ; try++ {
		if !n.quorum() {
			// Cut off from the majority (or the cluster is stopping):
			// no write can succeed, so none waits for one.
			return 0, fmt.Errorf("%w: cluster: no quorum", actors.ErrUnavailable)
		}
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tryTimeout)
		ack, err := n.js.PublishMsg(pctx, msg, jetstream.WithExpectLastSequencePerSubject(expect))
		cancel()
		if err == nil {
			n.setLast(o, ack.Sequence)
			return ack.Sequence, nil
		}
		t, terr := n.tail(ctx, sid)
		switch {
		case terr == nil && t.nonce == nonce:
			n.setLast(o, t.seq)
			return t.seq, nil
		case terr == nil && t.seq != expect:
			return 0, fmt.Errorf("%w: expected message %d last, found %d (%v)", errConflict, expect, t.seq, err)
		case time.Now().After(deadline):
			return 0, fmt.Errorf("%w: journal: %w", actors.ErrUnavailable, errors.Join(err, terr))
		}
		time.Sleep(backoff(try))
	}
}

func (n *Node) setLast(o *ownership, seq uint64) {
	n.mu.Lock()
	o.last = seq
	n.mu.Unlock()
}

// tail is the last message of a session's subject.
type tail struct {
	seq   uint64 // 0 for none
	nonce string
}

// tail reads the last message of session sid's subject, at the stream's
// leader.
func (n *Node) tail(ctx context.Context, sid string) (tail, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tryTimeout)
	defer cancel()
	m, err := n.strm.GetLastMsgForSubject(ctx, subject(sid))
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		return tail{}, nil
	case err != nil:
		return tail{}, err
	}
	return tail{seq: m.Sequence, nonce: m.Header.Get(hdrNonce)}, nil
}

// isCASConflict reports a compare-and-set that lost: JetStream's "wrong
// last sequence", which replicated streams also answer (as 10164) while
// another write of the same subject is on its way.
func isCASConflict(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}

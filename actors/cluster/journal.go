package cluster

import (
	"context"
	"encoding/binary"
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
	_ actors.Journal = (*Node)(nil)
	_ actors.Claimer = (*Node)(nil)
)

// Headers of a journal message. Kind tells a session's records from the
// markers an owner writes to fence the ones before it; Nonce tells this
// append from any other when its acknowledgement was lost.
const (
	hdrKind  = "Talus-Kind"
	hdrSeq   = "Talus-Seq"
	hdrEpoch = "Talus-Epoch"
	hdrNonce = "Talus-Nonce"

	kindRecord   = "record"
	kindTakeover = "takeover"
	kindDeleted  = "deleted"
)

// appendTimeout bounds one publish: past it the outcome is read back.
const appendTimeout = 10 * time.Second

func subject(sid string) string { return journalPrefix + sid }

// Append journals one record of a session this server owns, after every
// earlier record of it: with the subject's expected last sequence, so an
// owner whose lease passed on is refused (actors.ErrFenced). It returns
// once a majority of the replicas holds the record.
func (n *Node) Append(ctx context.Context, rec store.Record) error {
	if len(rec.Data) > n.MaxRecordSize() {
		return fmt.Errorf("%w: %d bytes", store.ErrInvalidRecord, len(rec.Data))
	}
	return n.publish(ctx, rec.SessionID, kindRecord, rec.Seq, rec.Data)
}

// publish appends one message to session sid's subject as its owner.
func (n *Node) publish(ctx context.Context, sid, kind string, seq uint64, data []byte) error {
	l, ok := n.held(sid)
	if !ok {
		return fmt.Errorf("%w (session %s: no lease)", actors.ErrFenced, sid)
	}
	n.mu.Lock()
	expect, epoch := l.last, l.epoch
	n.mu.Unlock()
	nonce := randomToken()
	msg := nats.NewMsg(subject(sid))
	msg.Data = data
	msg.Header.Set(hdrKind, kind)
	msg.Header.Set(hdrSeq, strconv.FormatUint(seq, 10))
	msg.Header.Set(hdrEpoch, strconv.FormatUint(epoch, 10))
	msg.Header.Set(hdrNonce, nonce)
	for try := 1; ; try++ {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), appendTimeout)
		ack, err := n.js.PublishMsg(pctx, msg, jetstream.WithExpectLastSequencePerSubject(expect))
		cancel()
		switch {
		case err == nil:
			n.setLast(l, ack.Sequence)
			return nil
		case apiCode(err) == codeLastSequencePending && try < 100:
			time.Sleep(time.Duration(try) * time.Millisecond) // not checked yet: the same expectation again
			continue
		case isWrongLast(err):
			n.lose(sid, err)
			return fmt.Errorf("%w: %w", actors.ErrFenced, err)
		}
		// No answer: the message may or may not be there. Its nonce says.
		rctx, cancel := context.WithTimeout(context.Background(), appendTimeout)
		last, lerr := n.lastMessage(rctx, sid)
		cancel()
		switch {
		case lerr != nil:
			return fmt.Errorf("%w: journal: %w (then %w)", actors.ErrUnavailable, err, lerr)
		case last.nonce == nonce:
			n.setLast(l, last.seq)
			return nil
		case last.seq == expect && try < 3:
			continue // not written: nobody else wrote either
		default:
			n.lose(sid, err)
			return fmt.Errorf("%w: another owner appended", actors.ErrFenced)
		}
	}
}

func (n *Node) setLast(l *lease, seq uint64) {
	n.mu.Lock()
	l.last = seq
	n.mu.Unlock()
}

// tail is the last message of a session's subject.
type tail struct {
	seq   uint64 // 0 for none
	nonce string
}

func (n *Node) lastMessage(ctx context.Context, sid string) (tail, error) {
	m, err := n.strm.GetLastMsgForSubject(ctx, subject(sid))
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		return tail{}, nil
	case err != nil:
		return tail{}, err
	}
	return tail{seq: m.Sequence, nonce: m.Header.Get(hdrNonce)}, nil
}

// Checkpoint stores a session's whole state with the journal position it
// covers, compare-and-set on the key's revision (so a stale owner cannot
// overwrite a newer one), then drops the records it covers but the last
// (the next append's expectation).
func (n *Node) Checkpoint(ctx context.Context, sid string, seq uint64, state []byte) error {
	l, ok := n.held(sid)
	if !ok {
		return fmt.Errorf("%w (session %s: no lease)", actors.ErrFenced, sid)
	}
	n.mu.Lock()
	last, rev, loaded := l.last, l.ckpt, l.loaded
	n.mu.Unlock()
	if !loaded {
		return fmt.Errorf("%w (session %s: not loaded)", actors.ErrFenced, sid)
	}
	val := make([]byte, 16+len(state))
	binary.BigEndian.PutUint64(val, seq)
	binary.BigEndian.PutUint64(val[8:], last)
	copy(val[16:], state)
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), appendTimeout)
	defer cancel()
	var err error
	if rev == 0 {
		rev, err = kvCreate(cctx, n.ckpt, n.ckptReads, ckptBucket, sid, val)
	} else {
		rev, err = n.ckpt.Update(cctx, sid, val, rev)
	}
	switch {
	case isWrongLast(err) || errors.Is(err, jetstream.ErrKeyExists):
		n.lose(sid, err)
		return fmt.Errorf("%w: %w", actors.ErrFenced, err)
	case err != nil:
		return fmt.Errorf("%w: checkpoint: %w", actors.ErrUnavailable, err)
	}
	n.mu.Lock()
	l.ckpt = rev
	n.mu.Unlock()
	if last > 1 {
		if err := n.strm.Purge(cctx, jetstream.WithPurgeSubject(subject(sid)), jetstream.WithPurgeSequence(last)); err != nil {
			n.cfg.Logger.Warn("journal records behind a checkpoint not dropped", "session", sid, "err", err)
		}
	}
	return nil
}

// LoadSession takes a session over (its lease is this server's already):
// its checkpoint and the records after it, then a takeover record and a
// rewrite of the checkpoint key, which refuse every write of an earlier
// owner from then on.
func (n *Node) LoadSession(sid string) (state []byte, seq uint64, records []store.Record, err error) {
	l, ok := n.held(sid)
	if !ok {
		return nil, 0, nil, fmt.Errorf("%w (session %s: no lease)", actors.ErrFenced, sid)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*appendTimeout)
	defer cancel()
	var from, ckRev uint64
	var ckVal []byte
	val, rev, err := kvGet(ctx, n.ckptReads, ckptBucket, sid)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
	case err != nil:
		return nil, 0, nil, fmt.Errorf("%w: read checkpoint: %w", actors.ErrUnavailable, err)
	default:
		ckVal, ckRev = val, rev
		if len(ckVal) < 16 {
			return nil, 0, nil, fmt.Errorf("checkpoint of %s: %d bytes", sid, len(ckVal))
		}
		seq, from, state = binary.BigEndian.Uint64(ckVal), binary.BigEndian.Uint64(ckVal[8:]), ckVal[16:]
	}
	end, err := n.lastMessage(ctx, sid)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("%w: read journal: %w", actors.ErrUnavailable, err)
	}
	if ckVal == nil && end.seq == 0 {
		return nil, 0, nil, store.ErrNotFound
	}
	for next := from + 1; next <= end.seq; {
		m, err := n.strm.GetMsg(ctx, next, jetstream.WithGetMsgSubject(subject(sid)))
		if err != nil {
			return nil, 0, nil, fmt.Errorf("%w: read journal at %d: %w", actors.ErrUnavailable, next, err)
		}
		next = m.Sequence + 1
		switch m.Header.Get(hdrKind) {
		case kindRecord:
			s, err := strconv.ParseUint(m.Header.Get(hdrSeq), 10, 64)
			if err != nil {
				return nil, 0, nil, fmt.Errorf("journal of %s at %d: seq header: %w", sid, m.Sequence, err)
			}
			if s > seq {
				records = append(records, store.Record{SessionID: sid, Seq: s, Data: m.Data})
			}
		case kindDeleted:
			return nil, 0, nil, store.ErrNotFound
		}
	}
	n.setLast(l, end.seq)
	if err := n.publish(ctx, sid, kindTakeover, 0, nil); err != nil {
		return nil, 0, nil, err
	}
	if ckVal != nil {
		rev, err := n.ckpt.Update(ctx, sid, ckVal, ckRev)
		if err != nil {
			n.lose(sid, err)
			return nil, 0, nil, fmt.Errorf("%w: %w", actors.ErrFenced, err)
		}
		ckRev = rev
	}
	n.mu.Lock()
	l.ckpt, l.loaded = ckRev, true
	n.mu.Unlock()
	return state, seq, records, nil
}

// DeleteSession removes a session for good: a fenced deletion record
// first (a stale owner cannot delete), then its journal, checkpoint and
// lease.
func (n *Node) DeleteSession(ctx context.Context, sid string) error {
	if l, ok := n.held(sid); ok {
		n.mu.Lock()
		loaded := l.loaded
		n.mu.Unlock()
		if !loaded { // adopted, never loaded: append after whatever is there
			end, err := n.lastMessage(ctx, sid)
			if err != nil {
				return fmt.Errorf("%w: read journal: %w", actors.ErrUnavailable, err)
			}
			n.setLast(l, end.seq)
		}
	}
	if err := n.publish(ctx, sid, kindDeleted, 0, nil); err != nil {
		return err
	}
	if err := n.strm.Purge(ctx, jetstream.WithPurgeSubject(subject(sid))); err != nil {
		n.cfg.Logger.Warn("deleted session's journal not purged", "session", sid, "err", err)
	}
	if err := n.ckpt.Purge(ctx, sid); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		n.cfg.Logger.Warn("deleted session's checkpoint not purged", "session", sid, "err", err)
	}
	if l, ok := n.held(sid); ok {
		_ = n.owner.Delete(ctx, sid, jetstream.LastRevision(l.rev))
	}
	n.drop(sid)
	return nil
}

// MaxRecordSize leaves room for the headers in one NATS message.
func (n *Node) MaxRecordSize() int { return n.cfg.MaxPayload - 4<<10 }

// exists reports whether session sid was ever made and not deleted.
func (n *Node) exists(ctx context.Context, sid string) (bool, error) {
	_, _, err := kvGet(ctx, n.ckptReads, ckptBucket, sid)
	switch {
	case err == nil:
		return true, nil
	case !errors.Is(err, jetstream.ErrKeyNotFound):
		return false, err
	}
	end, err := n.lastMessage(ctx, sid)
	return end.seq > 0, err
}

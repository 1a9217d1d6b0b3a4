package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// A checkpoint is stored as [seq uint64][state...]; a tomb as
// [segment uint64][offset uint64], little endian.

// SessionInfo describes a session the store can bring back.
type SessionInfo struct {
	ID            string
	CheckpointSeq uint64 // 0 when there is no checkpoint
	HasCheckpoint bool
	LastSeq       uint64 // the highest durable seq
	Records       int    // live journal records after the checkpoint
}

// loadSessionMeta reads every checkpoint's seq and every tomb.
func (s *Store) loadSessionMeta() error {
	return s.db.View(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			if len(v) < 8 {
				s.log.Warn("store: ignoring a malformed checkpoint", "session", string(k))
				return nil
			}
			s.ckpts[string(k)] = binary.LittleEndian.Uint64(v)
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: load checkpoints: %w", err)
		}
		err = tx.Bucket(bucketTombs).ForEach(func(k, v []byte) error {
			if len(v) != 16 {
				s.log.Warn("store: ignoring a malformed tomb", "session", string(k))
				return nil
			}
			s.tombs[string(k)] = decodePos(v)
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: load tombs: %w", err)
		}
		return nil
	})
}

func encodePos(p pos) []byte {
	b := binary.LittleEndian.AppendUint64(nil, p.seg)
	return binary.LittleEndian.AppendUint64(b, uint64(p.off))
}

func decodePos(b []byte) pos {
	return pos{seg: binary.LittleEndian.Uint64(b), off: int64(binary.LittleEndian.Uint64(b[8:]))}
}

// Checkpoint stores state as session id's full state at seq, so its records
// with seq <= seq are no longer needed. state must include every record of
// the session up to seq. A seq below the stored checkpoint's fails with
// ErrStaleCheckpoint.
func (s *Store) Checkpoint(ctx context.Context, id string, seq uint64, state []byte) error {
	// state is not bounded by MaxRecordSize: it never goes through the journal.
	if err := validRecord(Record{SessionID: id}, s.opts.MaxRecordSize); err != nil {
		return err
	}
	leave, err := s.enter()
	if err != nil {
		return err
	}
	defer leave()
	if s.opts.Disabled {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err = s.db.Batch(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if old := b.Get([]byte(id)); len(old) >= 8 {
			if have := binary.LittleEndian.Uint64(old); seq < have {
				return fmt.Errorf("session %q at seq %d, stored %d: %w", id, seq, have, ErrStaleCheckpoint)
			}
		}
		v := make([]byte, 8, 8+len(state))
		binary.LittleEndian.PutUint64(v, seq)
		return b.Put([]byte(id), append(v, state...))
	})
	if err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	s.mu.Lock()
	s.ckpts[id] = seq
	locs := slices.DeleteFunc(s.index[id], func(l recLoc) bool { return l.seq <= seq })
	if len(locs) == 0 {
		delete(s.index, id)
	} else {
		s.index[id] = locs
	}
	s.mu.Unlock()
	s.kickCompactor()
	return nil
}

// LoadSession returns session id's checkpoint (nil state and seq 0 if it has
// none) and its live records after it, in journal order. ErrNotFound means
// the store holds nothing of that session.
func (s *Store) LoadSession(id string) (state []byte, seq uint64, records []Record, err error) {
	leave, err := s.enter()
	if err != nil {
		return nil, 0, nil, err
	}
	defer leave()
	if s.opts.Disabled {
		return nil, 0, nil, fmt.Errorf("session %q: %w", id, ErrNotFound)
	}
	found := false
	err = s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketSessions).Get([]byte(id)); len(v) >= 8 {
			found = true
			seq = binary.LittleEndian.Uint64(v)
			state = slices.Clone(v[8:])
		}
		return nil
	})
	if err != nil {
		return nil, 0, nil, fmt.Errorf("store: load session: %w", err)
	}

	files := map[uint64]*os.File{}
	defer func() {
		for _, f := range files {
			_ = f.Close()
		}
	}()
	s.mu.Lock()
	locs := slices.Clone(s.index[id])
	paths := map[uint64]string{}
	for _, g := range s.segs {
		paths[g.id] = g.path
	}
	for _, l := range locs {
		if files[l.seg] != nil {
			continue
		}
		// Open under mu: a segment listed here is not yet unlinked.
		f, err := os.Open(paths[l.seg])
		if err != nil {
			s.mu.Unlock()
			return nil, 0, nil, fmt.Errorf("store: load session: %w", err)
		}
		files[l.seg] = f
	}
	s.mu.Unlock()

	for _, l := range locs {
		if found && l.seq <= seq {
			continue
		}
		buf := make([]byte, l.size)
		if _, err := files[l.seg].ReadAt(buf, l.off); err != nil {
			return nil, 0, nil, fmt.Errorf("store: read record of %q at %d/%d: %w", id, l.seg, l.off, err)
		}
		rec, _, err := decodeFrame(buf, s.opts.maxPayload())
		if err != nil || rec.SessionID != id {
			return nil, 0, nil, fmt.Errorf("store: record of %q at %d/%d changed on disk: %v", id, l.seg, l.off, err)
		}
		records = append(records, rec)
	}
	if !found && len(records) == 0 {
		return nil, 0, nil, fmt.Errorf("session %q: %w", id, ErrNotFound)
	}
	return state, seq, records, nil
}

// Sessions lists every session the store can bring back, sorted by id.
func (s *Store) Sessions() ([]SessionInfo, error) {
	leave, err := s.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	s.mu.Lock()
	defer s.mu.Unlock()
	byID := map[string]*SessionInfo{}
	for id, seq := range s.ckpts {
		byID[id] = &SessionInfo{ID: id, CheckpointSeq: seq, HasCheckpoint: true, LastSeq: seq}
	}
	for id, locs := range s.index {
		in := byID[id]
		if in == nil {
			in = &SessionInfo{ID: id}
			byID[id] = in
		}
		for _, l := range locs {
			if in.HasCheckpoint && l.seq <= in.CheckpointSeq {
				continue
			}
			in.Records++
			in.LastSeq = max(in.LastSeq, l.seq)
		}
	}
	out := make([]SessionInfo, 0, len(byID))
	for _, in := range byID {
		out = append(out, *in)
	}
	slices.SortFunc(out, func(a, b SessionInfo) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// DeleteSession forgets session id for good: its checkpoint goes, and a tomb
// at the journal's end hides its records until compaction removes them.
// Call it after the session's last Append returned. Deleting a session the
// store does not hold is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	leave, err := s.enter()
	if err != nil {
		return err
	}
	defer leave()
	if s.opts.Disabled {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	_, hasCkpt := s.ckpts[id]
	_, hasRecs := s.index[id]
	active := s.segs[len(s.segs)-1]
	end := pos{seg: active.id, off: active.size}
	s.mu.Unlock()
	if !hasCkpt && !hasRecs {
		return nil // nothing could bring it back
	}
	err = s.db.Batch(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketSessions).Delete([]byte(id)); err != nil {
			return err
		}
		return tx.Bucket(bucketTombs).Put([]byte(id), encodePos(end))
	})
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	s.mu.Lock()
	s.tombs[id] = end
	delete(s.ckpts, id)
	delete(s.index, id)
	s.mu.Unlock()
	s.kickCompactor()
	return nil
}

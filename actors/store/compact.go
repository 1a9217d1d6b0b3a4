package store

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"

	bolt "go.etcd.io/bbolt"
)

func (s *Store) kickCompactor() {
	select {
	case s.kick <- struct{}{}:
	default: // a run is already due
	}
}

func (s *Store) compactLoop() {
	defer close(s.compactorDone)
	for {
		select {
		case <-s.stopCompactor:
			return
		case <-s.kick:
			if err := s.compact(); err != nil {
				s.log.Warn("store: journal compaction", "err", err)
			}
		}
	}
}

// Compact deletes the sealed segments none of whose records are live, and
// the tombs no longer needed to hide anything. It runs on its own after
// checkpoints, deletions and segment rotation; calling it is only needed to
// know when it is done.
func (s *Store) Compact() error {
	leave, err := s.enter()
	if err != nil {
		return err
	}
	defer leave()
	if s.opts.Disabled {
		return nil
	}
	return s.compact()
}

func (s *Store) compact() error {
	s.compactMu.Lock()
	defer s.compactMu.Unlock()

	s.mu.Lock()
	var dead []*segment
	sealed := s.segs[:len(s.segs)-1]
	for _, g := range sealed {
		if s.segmentDead(g) {
			dead = append(dead, g)
		}
	}
	s.segs = slices.DeleteFunc(s.segs, func(g *segment) bool { return slices.Contains(dead, g) })
	s.mu.Unlock()

	// Unlink outside mu. A segment that will not go is put back, so that a
	// tomb hiding its records stays.
	var errs error
	removed := 0
	for _, g := range dead {
		if err := os.Remove(g.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = errors.Join(errs, fmt.Errorf("remove segment: %w", err))
			s.mu.Lock()
			s.segs = append(s.segs, g)
			slices.SortFunc(s.segs, func(a, b *segment) int { return cmp.Compare(a.id, b.id) })
			s.mu.Unlock()
			continue
		}
		removed++
	}
	if removed > 0 {
		// The removals must be durable before a tomb goes, or a segment
		// could come back after a crash with no tomb to hide it.
		if err := s.syncDir(s.journalDir()); err != nil {
			return errors.Join(errs, err)
		}
		s.mu.Lock()
		s.stats.SegmentsDeleted += uint64(removed)
		s.mu.Unlock()
	}
	return errors.Join(errs, s.dropTombs())
}

// segmentDead reports whether no record in g is live. The caller holds mu.
func (s *Store) segmentDead(g *segment) bool {
	for id, ss := range g.sessions {
		if t, ok := s.tombs[id]; ok && (pos{seg: g.id, off: ss.last}).before(t) {
			continue
		}
		if c, ok := s.ckpts[id]; ok && ss.maxSeq <= c {
			continue
		}
		return false
	}
	return true
}

// dropTombs deletes the tombs of sessions that no segment at or before the
// tomb holds records of any more.
func (s *Store) dropTombs() error {
	s.mu.Lock()
	gone := map[string]pos{}
	for id, t := range s.tombs {
		needed := false
		for _, g := range s.segs {
			if g.id > t.seg {
				break
			}
			if _, ok := g.sessions[id]; ok {
				needed = true
				break
			}
		}
		if !needed {
			gone[id] = t
		}
	}
	s.mu.Unlock()
	if len(gone) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTombs)
		for id, t := range gone {
			// A DeleteSession since may have moved the tomb on; keep that one.
			if v := b.Get([]byte(id)); len(v) == 16 && decodePos(v) == t {
				if err := b.Delete([]byte(id)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("drop tombs: %w", err)
	}
	s.mu.Lock()
	for id, t := range gone {
		if s.tombs[id] == t {
			delete(s.tombs, id)
		}
	}
	s.mu.Unlock()
	return nil
}

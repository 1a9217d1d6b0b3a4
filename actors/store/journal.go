package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// maxBatchBytes stops gathering a batch: past it, one write is long enough
// that waiting appends gain nothing by joining.
const maxBatchBytes = 1 << 20

type appendReq struct {
	rec  Record
	done chan error // buffered: the writer never waits for a gone caller
}

// Append journals rec and returns once it is durable. Appends from many
// goroutines share one write and one fsync (group commit). rec.Data must not
// change until Append returns. If ctx ends first, Append returns its error
// and the record may or may not have been written.
//
// When no write is under way and none is queued, the caller writes its
// record itself: handing it to the writer goroutine and waiting for its
// answer cost two wakeups of other threads, which on a quiet server (one
// session, one command at a time) were most of an append besides the
// fsync. Appends that come meanwhile queue for the writer, and its next
// batch takes them all, so the group commit is the same.
//
// Seqs of one session must not go down: compaction relies on it.
func (s *Store) Append(ctx context.Context, rec Record) error {
	if err := validRecord(rec, s.opts.MaxRecordSize); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return ErrClosed
	}
	if s.opts.Disabled {
		s.closeMu.RUnlock()
		return nil
	}
	if len(s.reqs) == 0 && s.writing.TryLock() {
		one := [1]*appendReq{{rec: rec}}
		err := s.commit(one[:])
		s.writing.Unlock()
		s.closeMu.RUnlock()
		return err
	}
	req := &appendReq{rec: rec, done: make(chan error, 1)}
	select {
	case s.reqs <- req:
		s.closeMu.RUnlock()
	case <-ctx.Done():
		s.closeMu.RUnlock()
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("store: append outcome unknown: %w", ctx.Err())
	}
}

// writeLoop writes what Append queued: whatever queued while it (or an
// Append writing its own record) wrote and synced the previous batch
// becomes the next batch.
func (s *Store) writeLoop() {
	defer close(s.writerDone)
	batch := make([]*appendReq, 0, s.opts.MaxBatch)
	for {
		var retry <-chan time.Time
		if s.health.Load() != nil {
			// Broken: try to heal now and then, so the journal (and
			// /health) comes back once the disk does, traffic or not.
			retry = time.After(healEvery)
		}
		var first *appendReq
		select {
		case r, ok := <-s.reqs:
			if !ok {
				return
			}
			first = r
		case <-s.broke: // an Append writing its own record broke the journal: start retrying
			continue
		case <-retry:
			s.writing.Lock()
			_ = s.heal()
			s.writing.Unlock()
			continue
		}
		batch = append(batch[:0], first)
		size := len(first.rec.Data)
	gather:
		for len(batch) < s.opts.MaxBatch && size < maxBatchBytes {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break gather
				}
				batch = append(batch, r)
				size += len(r.rec.Data)
			default:
				break gather
			}
		}
		s.writing.Lock()
		err := s.commit(batch)
		s.writing.Unlock()
		for i, r := range batch {
			r.done <- err
			batch[i] = nil
		}
	}
}

// healEvery is how often a broken journal tries to heal.
const healEvery = time.Second

// commit writes batch with one write and one fsync, then records where each
// frame went.
func (s *Store) commit(batch []*appendReq) error {
	if s.broken != nil {
		if err := s.heal(); err != nil {
			return err
		}
	}
	s.mu.Lock()
	seg := s.segs[len(s.segs)-1]
	base := seg.size
	s.mu.Unlock()

	s.buf = s.buf[:0]
	offs := make([]int64, len(batch))
	for i, r := range batch {
		offs[i] = base + int64(len(s.buf))
		s.buf = appendFrame(s.buf, r.rec)
	}
	if _, err := s.opts.writeFile(s.active, s.buf); err != nil {
		if s.opts.OnSync != nil {
			s.opts.OnSync(0, err)
		}
		return s.fail("write", err)
	}
	synced := false
	if !s.opts.NoSync {
		start := time.Now()
		err := s.opts.syncData(s.active)
		if s.opts.OnSync != nil {
			s.opts.OnSync(time.Since(start), err)
		}
		if err != nil {
			return s.fail("fsync", err)
		}
		synced = true
	}

	s.mu.Lock()
	for i, r := range batch {
		id, seq := r.rec.SessionID, r.rec.Seq
		p := pos{seg: seg.id, off: offs[i]}
		seg.note(id, seq, p.off)
		if live(id, seq, p, s.ckpts, s.tombs) {
			s.index[id] = append(s.index[id], recLoc{pos: p, size: frameSize(offs, i, base+int64(len(s.buf))), seq: seq})
		}
	}
	seg.size = base + int64(len(s.buf))
	s.stats.Appends += uint64(len(batch))
	s.stats.Batches++
	if synced {
		s.stats.Syncs++
	}
	full := seg.size >= s.opts.SegmentSize
	s.mu.Unlock()

	if cap(s.buf) > 2*maxBatchBytes { // do not pin a huge record's buffer
		s.buf = nil
	}
	if full {
		s.rotate(seg.id + 1)
	}
	return nil
}

// frameSize is the size of frame i given every frame's offset and the end.
func frameSize(offs []int64, i int, end int64) int64 {
	if i+1 < len(offs) {
		return offs[i+1] - offs[i]
	}
	return end - offs[i]
}

// fail stops the journal taking records: after a failed write or fsync the
// file's contents past the last good record are unknown, and retrying an
// fsync can report success for lost pages. heal makes it take them again.
func (s *Store) fail(op string, err error) error {
	s.broken = fmt.Errorf("%w: %s: %v", ErrJournalFailed, op, errors.Unwrap(err))
	if errors.Unwrap(err) == nil {
		s.broken = fmt.Errorf("%w: %s: %v", ErrJournalFailed, op, err)
	}
	reason := s.broken
	s.health.Store(&reason)
	select {
	case s.broke <- struct{}{}:
	default: // told already
	}
	s.nextHeal = time.Now().Add(healEvery)
	s.log.Error("store: journal stopped taking records", "op", op, "segment", s.active.Name(), "err", err)
	return s.broken
}

// heal makes a broken journal take records again, once the disk lets it:
// the active segment is cut back to its last good record (what the failed
// write may have left is not a record anyone was told is durable) and that
// is made durable, then writing goes on in a new segment, so nothing is ever
// appended after bytes of unknown state. It tries at most every healEvery.
func (s *Store) heal() error {
	if time.Now().Before(s.nextHeal) {
		return s.broken
	}
	s.nextHeal = time.Now().Add(healEvery)
	s.mu.Lock()
	seg := s.segs[len(s.segs)-1]
	good := seg.size
	s.mu.Unlock()
	if err := s.active.Truncate(good); err != nil {
		return s.stillBroken("truncate", err)
	}
	if err := s.opts.syncData(s.active); err != nil {
		return s.stillBroken("fsync after truncate", err)
	}
	old := s.active
	if err := s.startSegment(seg.id + 1); err != nil {
		return s.stillBroken("new segment", err)
	}
	if err := old.Close(); err != nil {
		s.log.Warn("store: closing the segment the journal left", "segment", old.Name(), "err", err)
	}
	s.log.Info("store: journal takes records again", "segment", s.active.Name(), "after", s.broken)
	s.broken = nil
	s.health.Store(nil)
	s.kickCompactor()
	return nil
}

// stillBroken logs a failed heal; the journal stays broken.
func (s *Store) stillBroken(op string, err error) error {
	s.log.Warn("store: journal still cannot write", "op", op, "err", err)
	return s.broken
}

// Health reports whether the journal takes records: nil, or why not (it
// heals by itself once the disk lets it). The reason is safe to show: the
// operation and the system's error, no path.
func (s *Store) Health() error {
	if p := s.health.Load(); p != nil {
		return *p
	}
	return nil
}

// rotate seals the active segment, which is synced, and starts segment id.
// If that fails the active segment simply keeps growing.
func (s *Store) rotate(id uint64) {
	old := s.active
	if err := s.startSegment(id); err != nil {
		s.log.Error("store: cannot start a new journal segment", "err", err)
		return
	}
	if err := old.Close(); err != nil {
		s.log.Warn("store: closing sealed segment", "segment", old.Name(), "err", err)
	}
	s.kickCompactor()
}

// Replay calls fn with every live record, in journal order: records of
// sessions not deleted and after their checkpoint. With LoadSession's
// checkpoints it rebuilds every session. An error from fn stops Replay and
// is returned. fn may call other Store methods.
func (s *Store) Replay(fn func(Record) error) error {
	leave, err := s.enter()
	if err != nil {
		return err
	}
	if s.opts.Disabled {
		leave()
		return nil
	}
	type view struct {
		id   uint64
		f    *os.File
		size int64
	}
	var views []view
	s.mu.Lock()
	ckpts := make(map[string]uint64, len(s.ckpts))
	for k, v := range s.ckpts {
		ckpts[k] = v
	}
	tombs := make(map[string]pos, len(s.tombs))
	for k, v := range s.tombs {
		tombs[k] = v
	}
	for _, g := range s.segs {
		if g.size == 0 {
			continue
		}
		// Open now, under mu: compaction may unlink the file later, and
		// an open file stays readable.
		f, err := os.Open(g.path)
		if err != nil {
			s.mu.Unlock()
			leave()
			return errors.Join(fmt.Errorf("store: replay: %w", err), closeAll(views, func(v view) *os.File { return v.f }))
		}
		views = append(views, view{id: g.id, f: f, size: g.size})
	}
	s.mu.Unlock()
	leave()

	defer func() { _ = closeAll(views, func(v view) *os.File { return v.f }) }()
	for _, v := range views {
		r := bufio.NewReaderSize(io.NewSectionReader(v.f, 0, v.size), 1<<20)
		var off int64
		for off < v.size {
			rec, n, err := readFrame(r, v.size-off, s.opts.maxPayload())
			if err != nil {
				return fmt.Errorf("store: replay %s at %d: %w", v.f.Name(), off, err)
			}
			if live(rec.SessionID, rec.Seq, pos{seg: v.id, off: off}, ckpts, tombs) {
				if err := fn(rec); err != nil {
					return err
				}
			}
			off += n
		}
	}
	return nil
}

// closeAll closes the file of each x; read-only files, so errors only
// matter for the log.
func closeAll[T any](xs []T, file func(T) *os.File) error {
	var err error
	for _, x := range xs {
		err = errors.Join(err, file(x).Close())
	}
	return err
}

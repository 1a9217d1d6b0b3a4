package store

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const segmentExt = ".wal"

// pos is where a frame starts: segment number, then byte offset.
type pos struct {
	seg uint64
	off int64
}

func (p pos) before(q pos) bool {
	return p.seg < q.seg || (p.seg == q.seg && p.off < q.off)
}

// segment is one journal file and what compaction needs to know about it.
type segment struct {
	id   uint64
	path string
	size int64 // bytes of whole, durable frames
	// sessions holds, per session with records here, the highest seq and the
	// offset of the last record.
	sessions map[string]*segSession
}

type segSession struct {
	maxSeq uint64
	last   int64
}

func (g *segment) note(id string, seq uint64, off int64) {
	ss := g.sessions[id]
	if ss == nil {
		ss = &segSession{}
		g.sessions[id] = ss
	}
	ss.maxSeq = max(ss.maxSeq, seq)
	ss.last = off
}

// recLoc finds a live record on disk.
type recLoc struct {
	pos
	size int64
	seq  uint64
}

func (s *Store) journalDir() string { return filepath.Join(s.dir, "journal") }

func (s *Store) segmentPath(id uint64) string {
	return filepath.Join(s.journalDir(), fmt.Sprintf("%016x%s", id, segmentExt))
}

// listSegments returns the numbers of the segment files in the journal dir,
// ascending.
func (s *Store) listSegments() ([]uint64, error) {
	entries, err := os.ReadDir(s.journalDir())
	if err != nil {
		return nil, fmt.Errorf("store: list journal: %w", err)
	}
	var ids []uint64
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), segmentExt)
		if !ok || len(name) != 16 || !e.Type().IsRegular() {
			continue
		}
		id, err := strconv.ParseUint(name, 16, 64)
		if err != nil {
			continue
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

// live reports whether a record of id with seq at p is still needed.
// The caller holds mu (or owns the maps).
func live(id string, seq uint64, p pos, ckpts map[string]uint64, tombs map[string]pos) bool {
	if t, ok := tombs[id]; ok && p.before(t) {
		return false
	}
	if c, ok := ckpts[id]; ok && seq <= c {
		return false
	}
	return true
}

// recover loads checkpoints and tombs, scans the journal, cuts a corrupt
// tail and starts a fresh active segment.
func (s *Store) recover() error {
	if err := s.loadSessionMeta(); err != nil {
		return err
	}
	if err := os.MkdirAll(s.journalDir(), 0o755); err != nil {
		return fmt.Errorf("store: create journal dir: %w", err)
	}
	if err := s.syncDir(s.dir); err != nil { // the journal dir's own entry
		return err
	}
	ids, err := s.listSegments()
	if err != nil {
		return err
	}
	records := 0
	for i, id := range ids {
		seg, n, cut, err := s.scanSegment(id)
		if err != nil {
			return err
		}
		records += n
		s.segs = append(s.segs, seg)
		if cut {
			// The journal is a prefix: records after a corrupt frame would
			// leave holes in their sessions, so later segments go too.
			s.dropSegments(ids[i+1:])
			break
		}
	}
	next := uint64(1)
	if len(ids) > 0 {
		next = ids[len(ids)-1] + 1
	}
	for _, t := range s.tombs {
		next = max(next, t.seg+1)
	}
	if err := s.startSegment(next); err != nil {
		return err
	}
	s.log.Info("store: journal recovered", "dir", s.journalDir(), "segments", len(s.segs),
		"records", records, "sessions", len(s.index))
	return nil
}

// scanSegment reads segment id, indexes its live records and, at the first
// frame that does not decode, truncates the file there. cut reports that.
func (s *Store) scanSegment(id uint64) (seg *segment, records int, cut bool, err error) {
	path := s.segmentPath(id)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, 0, false, fmt.Errorf("store: open segment: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, 0, false, fmt.Errorf("store: stat segment: %w", err)
	}
	seg = &segment{id: id, path: path, sessions: map[string]*segSession{}}
	r := bufio.NewReaderSize(f, 1<<20)
	var off int64
	var bad error
	for {
		rec, n, err := readFrame(r, info.Size()-off, s.opts.maxPayload())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if !isCorrupt(err) {
				return nil, 0, false, fmt.Errorf("store: read segment %s: %w", path, err)
			}
			bad = err
			break
		}
		p := pos{seg: id, off: off}
		seg.note(rec.SessionID, rec.Seq, off)
		if live(rec.SessionID, rec.Seq, p, s.ckpts, s.tombs) {
			s.index[rec.SessionID] = append(s.index[rec.SessionID], recLoc{pos: p, size: n, seq: rec.Seq})
		}
		off += n
		records++
	}
	seg.size = off
	if bad == nil {
		return seg, records, false, nil
	}
	s.log.Warn("store: corrupt journal tail, recovering to the last good record",
		"segment", path, "offset", off, "dropped_bytes", info.Size()-off, "reason", bad.Error())
	if err := f.Truncate(off); err != nil {
		return nil, 0, false, fmt.Errorf("store: truncate segment: %w", err)
	}
	if err := s.opts.syncFile(f); err != nil {
		return nil, 0, false, fmt.Errorf("store: sync truncated segment: %w", err)
	}
	return seg, records, true, nil
}

func isCorrupt(err error) bool {
	return errors.Is(err, errShortFrame) || errors.Is(err, errBadLength) ||
		errors.Is(err, errBadCRC) || errors.Is(err, errBadPayload)
}

// dropSegments moves segments that follow a corrupt frame aside, where an
// operator can still look at them.
func (s *Store) dropSegments(ids []uint64) {
	for _, id := range ids {
		path := s.segmentPath(id)
		if err := os.Rename(path, path+".dropped"); err != nil {
			s.log.Error("store: cannot move aside a segment after a corrupt one", "segment", path, "err", err)
			continue
		}
		s.log.Warn("store: segment after a corrupt one moved aside", "segment", path, "to", path+".dropped")
	}
}

// startSegment creates segment id and makes it the active one.
func (s *Store) startSegment(id uint64) error {
	path := s.segmentPath(id)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("store: create segment: %w", err)
	}
	if err := s.syncDir(s.journalDir()); err != nil {
		return errors.Join(err, f.Close(), os.Remove(path))
	}
	s.active = f
	s.mu.Lock()
	s.segs = append(s.segs, &segment{id: id, path: path, sessions: map[string]*segSession{}})
	s.mu.Unlock()
	return nil
}

// syncDir makes file creations and removals in dir durable.
func (s *Store) syncDir(dir string) error {
	if s.opts.NoSync {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: open dir to sync: %w", err)
	}
	err = s.opts.syncFile(d)
	return errors.Join(err, d.Close())
}

package store

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Defaults for the zero Options.
const (
	DefaultMaxBatch      = 512
	DefaultSegmentSize   = 64 << 20
	DefaultMaxRecordSize = 16 << 20
	DefaultLockTimeout   = 2 * time.Second
	// DefaultBatchDelay is how long a checkpoint or delete waits for others
	// to share its bbolt transaction (and fsync): at shutdown every session
	// checkpoints at once, and one commit serves them all.
	DefaultBatchDelay = time.Millisecond
)

var (
	bucketSessions = []byte("sessions")
	bucketTombs    = []byte("tombs")
	bucketProjects = []byte("projects")
)

// Options tune a Store. The zero value is the durable default.
type Options struct {
	// Logger receives recovery warnings and journal failures; nil means
	// slog.Default().
	Logger *slog.Logger
	// NoSync writes the journal and bbolt without fsync. For benchmarks
	// only: an acknowledged record can be lost in a crash.
	NoSync bool
	// Disabled turns session durability off: Append, Checkpoint and
	// DeleteSession do nothing, and no session is ever found. Projects are
	// still stored. An existing journal is left untouched.
	Disabled bool
	// MaxBatch caps the records written by one group commit.
	MaxBatch int
	// SegmentSize is the size past which the journal starts a new segment.
	SegmentSize int64
	// MaxRecordSize caps a record's Data in bytes.
	MaxRecordSize int
	// LockTimeout is how long Open waits for another process to release
	// the data directory's database.
	LockTimeout time.Duration
	// BatchDelay is how long checkpoints and deletes wait to share one
	// database transaction.
	BatchDelay time.Duration
	// OnSync, when set, hears how long each journal fsync took and whether
	// it failed (metrics); it runs on the writer and must not block.
	OnSync func(took time.Duration, err error)

	// syncFile replaces (*os.File).Sync, and writeFile (*os.File).Write, in
	// tests that make the disk fail. syncData makes a journal segment's
	// records durable: syncData (fdatasync where there is one) unless a
	// test replaced syncFile.
	syncFile  func(*os.File) error
	syncData  func(*os.File) error
	writeFile func(*os.File, []byte) (int, error)
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.SegmentSize <= 0 {
		o.SegmentSize = DefaultSegmentSize
	}
	if o.MaxRecordSize <= 0 {
		o.MaxRecordSize = DefaultMaxRecordSize
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	if o.BatchDelay <= 0 {
		o.BatchDelay = DefaultBatchDelay
	}
	if o.syncData == nil {
		o.syncData = o.syncFile
	}
	if o.syncData == nil {
		o.syncData = syncData
	}
	if o.syncFile == nil {
		o.syncFile = (*os.File).Sync
	}
	if o.writeFile == nil {
		o.writeFile = (*os.File).Write
	}
	return o
}

// maxPayload bounds a frame's length field.
func (o Options) maxPayload() int {
	return o.MaxRecordSize + MaxSessionIDLen + minPayload
}

// Record is one journal entry: an opaque encoding, made by the session layer,
// of what happened in a session at Seq.
type Record struct {
	SessionID string
	Seq       uint64
	Data      []byte
}

// Stats counts journal work since Open.
type Stats struct {
	Appends         uint64 // records made durable
	Batches         uint64 // group commits: one write each
	Syncs           uint64 // fsyncs of journal segments
	Segments        int    // segment files, the active one included
	SegmentsDeleted uint64 // segments removed by compaction
	Sessions        int    // sessions with a checkpoint or live records
}

// Store is the data directory: session journal, checkpoints and saved
// projects. It is safe for concurrent use.
type Store struct {
	dir  string
	opts Options
	log  *slog.Logger
	db   *bolt.DB

	// closeMu guards closed; operations hold it for reading while they run,
	// so Close waits for them and nothing runs after it.
	closeMu sync.RWMutex
	closed  bool

	reqs          chan *appendReq
	broke         chan struct{} // the journal broke: the writer starts retrying
	writerDone    chan struct{}
	kick          chan struct{}
	stopCompactor chan struct{}
	compactorDone chan struct{}
	compactMu     sync.Mutex // one compaction at a time

	// writing is held by whoever writes the journal: the writer goroutine,
	// or an Append writing its own record. It guards the fields below.
	writing  sync.Mutex
	active   *os.File
	buf      []byte
	broken   error     // the journal takes no records until heal clears it
	nextHeal time.Time // when heal may try again

	health atomic.Pointer[error] // broken, for Health

	// mu guards the journal's bookkeeping below.
	mu    sync.Mutex
	segs  []*segment // ascending; the last one is active
	index map[string][]recLoc
	ckpts map[string]uint64
	tombs map[string]pos
	stats Stats
}

// Open opens the store in dir, creating it if missing, and recovers the
// journal. A torn or corrupt journal tail is cut off with a warning, never
// an error.
func Open(dir string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("store: create data dir: %w", err)
	}
	db, err := bolt.Open(filepath.Join(dir, "store.db"), 0o600, &bolt.Options{
		Timeout: opts.LockTimeout,
		NoSync:  opts.NoSync,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("store: the data directory %s is in use by another server (its database stayed locked for %v); stop that one or give this one another -data-dir: %w", dir, opts.LockTimeout, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open database: %w", err)
	}
	db.MaxBatchDelay = opts.BatchDelay
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketSessions, bucketTombs, bucketProjects} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("store: create buckets: %w", err), db.Close())
	}
	s := &Store{
		dir:   dir,
		opts:  opts,
		log:   opts.Logger,
		db:    db,
		index: map[string][]recLoc{},
		ckpts: map[string]uint64{},
		tombs: map[string]pos{},
	}
	if opts.Disabled {
		return s, nil
	}
	if err := s.recover(); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	s.reqs = make(chan *appendReq, opts.MaxBatch)
	s.broke = make(chan struct{}, 1)
	s.writerDone = make(chan struct{})
	s.kick = make(chan struct{}, 1)
	s.stopCompactor = make(chan struct{})
	s.compactorDone = make(chan struct{})
	go s.writeLoop()
	go s.compactLoop()
	s.kickCompactor() // segments left from before may be dead already
	return s, nil
}

// Close waits for running operations, makes every queued record durable,
// and closes the files. Calls after the first return ErrClosed.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return ErrClosed
	}
	s.closed = true
	if s.reqs != nil {
		close(s.reqs)
	}
	s.closeMu.Unlock()

	var err error
	if s.reqs != nil {
		<-s.writerDone
		close(s.stopCompactor)
		<-s.compactorDone
		err = s.active.Close()
	}
	return errors.Join(err, s.db.Close())
}

// enter starts an operation: it fails with ErrClosed after Close, and
// otherwise holds Close off until the returned func is called.
func (s *Store) enter() (func(), error) {
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return nil, ErrClosed
	}
	return s.closeMu.RUnlock, nil
}

// Stats reports counters of the journal.
func (s *Store) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Segments = len(s.segs)
	st.Sessions = len(s.ckpts)
	for id := range s.index {
		if _, ok := s.ckpts[id]; !ok {
			st.Sessions++
		}
	}
	return st
}

// MaxRecordSize is the largest record Data the journal takes.
func (s *Store) MaxRecordSize() int { return s.opts.MaxRecordSize }

// Dir is the data directory the store was opened on.
func (s *Store) Dir() string { return s.dir }

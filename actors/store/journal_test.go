package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendReplayRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	want := []Record{rec("a", 1), rec("b", 1), rec("a", 2), {SessionID: "c", Seq: 7, Data: nil}, rec("b", 2)}
	appendAll(t, s, want...)

	got := replayAll(t, s)
	require.Len(t, got, len(want))
	for i := range want {
		assert.Equal(t, want[i].SessionID, got[i].SessionID)
		assert.Equal(t, want[i].Seq, got[i].Seq)
		assert.Equal(t, string(want[i].Data), string(got[i].Data))
	}

	require.NoError(t, s.Close())
	s = openStore(t, dir, Options{})
	again := replayAll(t, s)
	assert.Equal(t, got, again)

	state, seq, recs, err := s.LoadSession("a")
	require.NoError(t, err)
	assert.Nil(t, state)
	assert.Zero(t, seq)
	assert.Equal(t, []Record{got[0], got[2]}, recs)

	infos, err := s.Sessions()
	require.NoError(t, err)
	assert.Equal(t, []SessionInfo{
		{ID: "a", LastSeq: 2, Records: 2},
		{ID: "b", LastSeq: 2, Records: 2},
		{ID: "c", LastSeq: 7, Records: 1},
	}, infos)

	_, _, _, err = s.LoadSession("nope")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestGroupCommit(t *testing.T) {
	const sessions, perSession = 64, 40
	var syncs sync.Mutex
	opts := Options{syncFile: func(f *os.File) error {
		// Stand in for a disk whose fsync takes a while, so that appends
		// pile up behind it as they do in production.
		syncs.Lock()
		defer syncs.Unlock()
		time.Sleep(200 * time.Microsecond)
		return f.Sync()
	}}
	dir := t.TempDir()
	s := openStore(t, dir, opts)

	var wg sync.WaitGroup
	errs := make(chan error, sessions)
	for g := range sessions {
		wg.Go(func() {
			id := fmt.Sprintf("s%02d", g)
			for seq := uint64(1); seq <= perSession; seq++ {
				if err := s.Append(context.Background(), rec(id, seq)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	st := s.Stats()
	total := uint64(sessions * perSession)
	assert.Equal(t, total, st.Appends)
	assert.Equal(t, st.Batches, st.Syncs, "one fsync per batch")
	assert.Less(t, st.Syncs, total, "appends must share fsyncs")
	t.Logf("%d records in %d fsyncs", total, st.Syncs)

	require.NoError(t, s.Close())
	s = openStore(t, dir, Options{})
	next := map[string]uint64{}
	for _, r := range replayAll(t, s) {
		next[r.SessionID]++
		require.Equal(t, next[r.SessionID], r.Seq, "session %s out of order or duplicated", r.SessionID)
		require.Equal(t, string(rec(r.SessionID, r.Seq).Data), string(r.Data))
	}
	require.Len(t, next, sessions)
	for id, n := range next {
		assert.Equal(t, uint64(perSession), n, id)
	}
}

func TestAppendRejectsInvalidRecords(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{MaxRecordSize: 16})
	tests := []struct {
		name string
		rec  Record
	}{
		{"empty id", Record{Seq: 1}},
		{"long id", Record{SessionID: string(make([]byte, MaxSessionIDLen+1)), Seq: 1}},
		{"large data", Record{SessionID: "a", Seq: 1, Data: make([]byte, 17)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, s.Append(context.Background(), tt.rec), ErrInvalidRecord)
		})
	}
	assert.Empty(t, replayAll(t, s))
}

func TestAppendHonoursCancelledContext(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{MaxBatch: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, s.Append(ctx, rec("a", 1)), context.Canceled)
	assert.Empty(t, replayAll(t, s), "a cancelled append is not queued")
}

// failingDisk makes writes and fsyncs fail on demand, as a full disk does:
// a write gets part of its bytes onto the file, then ENOSPC.
type failingDisk struct {
	mu      sync.Mutex
	full    bool
	failing string // "write" or "fsync"
}

func (d *failingDisk) set(full bool, what string) {
	d.mu.Lock()
	d.full, d.failing = full, what
	d.mu.Unlock()
}

func (d *failingDisk) options() Options {
	return Options{
		syncFile: func(f *os.File) error {
			d.mu.Lock()
			defer d.mu.Unlock()
			if d.full && d.failing == "fsync" {
				return syscall.EIO
			}
			return f.Sync()
		},
		writeFile: func(f *os.File, b []byte) (int, error) {
			d.mu.Lock()
			defer d.mu.Unlock()
			if d.full && d.failing == "write" {
				n, _ := f.Write(b[:len(b)/2])
				return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
			}
			return f.Write(b)
		},
	}
}

// TestJournalHealsAfterFailure: a failed write or fsync stops the journal
// (Health says why) without losing what it held; once the disk lets it,
// the journal heals by itself: it cuts the torn tail and goes on in a new
// segment, and a restart finds every acknowledged record and none of the
// refused.
func TestJournalHealsAfterFailure(t *testing.T) {
	for _, what := range []string{"write", "fsync"} {
		t.Run(what, func(t *testing.T) {
			var disk failingDisk
			dir := t.TempDir()
			s := openStore(t, dir, disk.options())
			appendAll(t, s, rec("a", 1))
			require.NoError(t, s.Health())

			disk.set(true, what)
			err := s.Append(context.Background(), rec("a", 2))
			require.ErrorIs(t, err, ErrJournalFailed)
			require.ErrorIs(t, s.Health(), ErrJournalFailed)
			assert.NotContains(t, s.Health().Error(), dir, "the reason names no path")
			assert.ErrorIs(t, s.Append(context.Background(), rec("b", 1)), ErrJournalFailed, "broken until it heals")

			disk.set(false, "")
			deadline := time.Now().Add(20 * time.Second)
			for s.Health() != nil && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond) // the writer retries on its own
			}
			require.NoError(t, s.Health(), "healed without a request")
			appendAll(t, s, rec("a", 3), rec("b", 2))
			require.NoError(t, s.Close())

			s = openStore(t, dir, Options{})
			assert.Equal(t, []Record{rec("a", 1), rec("a", 3), rec("b", 2)}, replayAll(t, s), "no torn tail, no refused record")
		})
	}
}

func TestNoSyncStillJournals(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{NoSync: true})
	appendAll(t, s, rec("a", 1), rec("a", 2))
	assert.Zero(t, s.Stats().Syncs)
	assert.Equal(t, uint64(2), s.Stats().Appends)
	require.NoError(t, s.Close())

	s = openStore(t, dir, Options{})
	assert.Equal(t, []Record{rec("a", 1), rec("a", 2)}, replayAll(t, s))
}

func TestDisabledKeepsNoSessions(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{Disabled: true})
	ctx := context.Background()
	require.NoError(t, s.Append(ctx, rec("a", 1)))
	require.NoError(t, s.Checkpoint(ctx, "a", 1, []byte("state")))
	_, _, _, err := s.LoadSession("a")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Empty(t, replayAll(t, s))
	infos, err := s.Sessions()
	require.NoError(t, err)
	assert.Empty(t, infos)
	require.NoError(t, s.DeleteSession(ctx, "a"))
	assert.NoDirExists(t, dir+"/journal")

	require.NoError(t, s.SaveProject(ctx, ProjectMeta{ID: "p"}, []byte("f")))
	_, file, err := s.GetProject("p")
	require.NoError(t, err)
	assert.Equal(t, "f", string(file))
}

func TestClosedStore(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	require.NoError(t, s.Close())
	ctx := context.Background()
	assert.ErrorIs(t, s.Close(), ErrClosed)
	assert.ErrorIs(t, s.Append(ctx, rec("a", 1)), ErrClosed)
	assert.ErrorIs(t, s.Checkpoint(ctx, "a", 1, nil), ErrClosed)
	assert.ErrorIs(t, s.DeleteSession(ctx, "a"), ErrClosed)
	assert.ErrorIs(t, s.Replay(func(Record) error { return nil }), ErrClosed)
	_, _, _, err := s.LoadSession("a")
	assert.ErrorIs(t, err, ErrClosed)
	_, err = s.Sessions()
	assert.ErrorIs(t, err, ErrClosed)
	assert.ErrorIs(t, s.SaveProject(ctx, ProjectMeta{ID: "p"}, nil), ErrClosed)
	_, _, err = s.GetProject("p")
	assert.ErrorIs(t, err, ErrClosed)
	_, err = s.ListProjects()
	assert.ErrorIs(t, err, ErrClosed)
	assert.ErrorIs(t, s.DeleteProject("p"), ErrClosed)
	assert.ErrorIs(t, s.Compact(), ErrClosed)
}

func TestCloseDrainsConcurrentAppends(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	var wg sync.WaitGroup
	acked := make(chan Record, 800)
	for g := range 8 {
		wg.Go(func() {
			id := fmt.Sprintf("s%d", g)
			for seq := uint64(1); seq <= 100; seq++ {
				r := rec(id, seq)
				err := s.Append(context.Background(), r)
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("append: %v", err)
					return
				}
				acked <- r
			}
		})
	}
	time.Sleep(time.Millisecond) // let some appends in; the test holds either way
	require.NoError(t, s.Close())
	wg.Wait()
	close(acked)

	s = openStore(t, dir, Options{})
	onDisk := map[string]uint64{}
	for _, r := range replayAll(t, s) {
		onDisk[r.SessionID] = r.Seq
	}
	for r := range acked {
		assert.GreaterOrEqual(t, onDisk[r.SessionID], r.Seq, "acknowledged record lost")
	}
}

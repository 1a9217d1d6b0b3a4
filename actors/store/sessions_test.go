package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

func TestCheckpointAndSegmentDeletion(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir, Options{SegmentSize: 64}) // a segment per couple of records
	for seq := uint64(1); seq <= 10; seq++ {
		appendAll(t, s, rec("a", seq), rec("b", seq))
	}
	before := len(segmentFiles(t, dir))
	require.Greater(t, before, 5)

	// a's checkpoint alone frees nothing: b shares every segment.
	require.NoError(t, s.Checkpoint(ctx, "a", 10, []byte("a-state@10")))
	require.NoError(t, s.Compact())
	assert.Len(t, segmentFiles(t, dir), before)

	state, seq, recs, err := s.LoadSession("a")
	require.NoError(t, err)
	assert.Equal(t, "a-state@10", string(state))
	assert.Equal(t, uint64(10), seq)
	assert.Empty(t, recs)

	// b checkpoints half way: the segments up to b's seq 5 go.
	require.NoError(t, s.Checkpoint(ctx, "b", 5, []byte("b-state@5")))
	require.NoError(t, s.Compact())
	mid := len(segmentFiles(t, dir))
	assert.Less(t, mid, before)
	_, seq, recs, err = s.LoadSession("b")
	require.NoError(t, err)
	assert.Equal(t, uint64(5), seq)
	assert.Equal(t, []Record{rec("b", 6), rec("b", 7), rec("b", 8), rec("b", 9), rec("b", 10)}, recs)
	assert.Equal(t, recs, replayAll(t, s), "replay skips checkpointed records")

	// Records after a checkpoint are kept and come back after a restart.
	appendAll(t, s, rec("a", 11))
	require.NoError(t, s.Close())
	s = openStore(t, dir, Options{SegmentSize: 64})
	state, seq, recs, err = s.LoadSession("a")
	require.NoError(t, err)
	assert.Equal(t, "a-state@10", string(state))
	assert.Equal(t, uint64(10), seq)
	assert.Equal(t, []Record{rec("a", 11)}, recs)
	infos, err := s.Sessions()
	require.NoError(t, err)
	assert.Equal(t, []SessionInfo{
		{ID: "a", CheckpointSeq: 10, HasCheckpoint: true, LastSeq: 11, Records: 1},
		{ID: "b", CheckpointSeq: 5, HasCheckpoint: true, LastSeq: 10, Records: 5},
	}, infos)

	// Everything checkpointed: only segments with a live record remain.
	require.NoError(t, s.Checkpoint(ctx, "a", 11, []byte("a-state@11")))
	require.NoError(t, s.Checkpoint(ctx, "b", 10, []byte("b-state@10")))
	require.NoError(t, s.Compact())
	assert.Equal(t, s.Stats().Segments, len(segmentFiles(t, dir)))
	assert.Len(t, nonEmptySegments(t, dir), 0)
	assert.Empty(t, replayAll(t, s))
	assert.Positive(t, s.Stats().SegmentsDeleted)
}

func TestCheckpointRejectsOlderSeq(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	require.NoError(t, s.Checkpoint(ctx, "a", 5, []byte("v5")))
	require.NoError(t, s.Checkpoint(ctx, "a", 5, []byte("v5 again")))
	assert.ErrorIs(t, s.Checkpoint(ctx, "a", 4, []byte("v4")), ErrStaleCheckpoint)
	state, seq, _, err := s.LoadSession("a")
	require.NoError(t, err)
	assert.Equal(t, "v5 again", string(state))
	assert.Equal(t, uint64(5), seq)
	assert.ErrorIs(t, s.Checkpoint(ctx, "", 1, nil), ErrInvalidRecord)
}

func TestDeleteSessionStaysDeleted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts := Options{SegmentSize: 64}
	s := openStore(t, dir, opts)
	appendAll(t, s, rec("x", 1), rec("y", 1), rec("x", 2))
	require.NoError(t, s.Checkpoint(ctx, "x", 1, []byte("x@1")))
	appendAll(t, s, rec("x", 3))

	require.NoError(t, s.DeleteSession(ctx, "x"))
	require.NoError(t, s.DeleteSession(ctx, "x"), "deleting twice is fine")
	require.NoError(t, s.DeleteSession(ctx, "never-existed"))
	_, _, _, err := s.LoadSession("x")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, []Record{rec("y", 1)}, replayAll(t, s))

	require.NoError(t, s.Close())
	s = openStore(t, dir, opts)
	_, _, _, err = s.LoadSession("x")
	assert.ErrorIs(t, err, ErrNotFound, "a deleted session does not come back")
	infos, err := s.Sessions()
	require.NoError(t, err)
	assert.Equal(t, []SessionInfo{{ID: "y", LastSeq: 1, Records: 1}}, infos)
	assert.Equal(t, 1, tombCount(t, s), "x's old records are still on disk")

	// The same id later is a new session, starting over.
	appendAll(t, s, rec("x", 1))
	require.NoError(t, s.Close())
	s = openStore(t, dir, opts)
	state, seq, recs, err := s.LoadSession("x")
	require.NoError(t, err)
	assert.Nil(t, state)
	assert.Zero(t, seq)
	assert.Equal(t, []Record{rec("x", 1)}, recs)

	// Once nothing of the old x is left on disk, its tomb goes too.
	require.NoError(t, s.Checkpoint(ctx, "x", 1, []byte("x@1 new")))
	require.NoError(t, s.Checkpoint(ctx, "y", 1, []byte("y@1")))
	appendAll(t, s, rec("y", 2)) // seals the segment holding the new x
	require.NoError(t, s.Compact())
	assert.Zero(t, tombCount(t, s))
	state, _, _, err = s.LoadSession("x")
	require.NoError(t, err)
	assert.Equal(t, "x@1 new", string(state))
}

func TestManySessionsSurviveRestartWithCompaction(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts := Options{SegmentSize: 512}
	s := openStore(t, dir, opts)
	const sessions, perSession = 6, 30
	// Every session checkpoints each 7 records, as a session actor would.
	for seq := uint64(1); seq <= perSession; seq++ {
		for i := range sessions {
			id := fmt.Sprintf("s%d", i)
			appendAll(t, s, rec(id, seq))
			if seq%7 == 0 {
				require.NoError(t, s.Checkpoint(ctx, id, seq, fmt.Appendf(nil, "%s@%d", id, seq)))
			}
		}
	}
	require.NoError(t, s.Compact())
	require.NoError(t, s.Close())

	s = openStore(t, dir, opts)
	for i := range sessions {
		id := fmt.Sprintf("s%d", i)
		state, seq, recs, err := s.LoadSession(id)
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf("%s@28", id), string(state))
		assert.Equal(t, uint64(28), seq)
		assert.Equal(t, []Record{rec(id, 29), rec(id, 30)}, recs)
	}
	assert.Less(t, len(nonEmptySegments(t, dir)), 3, "checkpointed segments are gone")
}

func tombCount(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	require.NoError(t, s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketTombs).Stats().KeyN
		return nil
	}))
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Len(t, s.tombs, n, "memory and disk agree")
	return n
}

// TestSessionsUnderLoad runs sessions the way session actors do, at once:
// append, checkpoint now and then, reload; with small segments so that
// rotation and compaction run all the time. Every reload and the final
// restart must see each session whole: checkpoint plus contiguous records.
func TestSessionsUnderLoad(t *testing.T) {
	const sessions, last, every = 8, 210, 25
	ctx := context.Background()
	dir := t.TempDir()
	opts := Options{SegmentSize: 1024}
	s := openStore(t, dir, opts)

	check := func(s *Store, id string, upTo uint64) error {
		state, seq, recs, err := s.LoadSession(id)
		if err != nil {
			return err
		}
		if seq > 0 && string(state) != fmt.Sprintf("%s@%d", id, seq) {
			return fmt.Errorf("%s: state %q at seq %d", id, state, seq)
		}
		for i, r := range recs {
			if r.Seq != seq+uint64(i)+1 || string(r.Data) != string(rec(id, r.Seq).Data) {
				return fmt.Errorf("%s: record %d is %+v after checkpoint %d", id, i, r, seq)
			}
		}
		if got := seq + uint64(len(recs)); got != upTo {
			return fmt.Errorf("%s: reaches seq %d, want %d", id, got, upTo)
		}
		return nil
	}

	var wg sync.WaitGroup
	for g := range sessions {
		wg.Go(func() {
			id := fmt.Sprintf("s%d", g)
			for seq := uint64(1); seq <= last; seq++ {
				if err := s.Append(ctx, rec(id, seq)); err != nil {
					t.Error(err)
					return
				}
				if seq%every == 0 {
					if err := s.Checkpoint(ctx, id, seq, fmt.Appendf(nil, "%s@%d", id, seq)); err != nil {
						t.Error(err)
						return
					}
				}
				if seq%10 == 0 {
					if err := check(s, id, seq); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, s.Compact())
	assert.Positive(t, s.Stats().SegmentsDeleted, "compaction kept up")
	require.NoError(t, s.Close())

	s = openStore(t, dir, opts)
	for g := range sessions {
		require.NoError(t, check(s, fmt.Sprintf("s%d", g), last))
	}
	replayed := replayAll(t, s)
	assert.Len(t, replayed, sessions*(last-last/every*every))
}

package actors

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// TestRestartRoundTrip runs commands, undo and redo, a failed command and a
// client coming and going, stops, and starts again on the same directory:
// every session comes back as it was, and goes on where it stopped.
func TestRestartRoundTrip(t *testing.T) {
	for _, every := range []int{1, 3, 1000} {
		t.Run(fmt.Sprint("checkpoint every ", every), func(t *testing.T) {
			cfg := Config{CheckpointEvery: every}
			s, st := startDurable(t, t.TempDir(), cfg)
			ctx := context.Background()

			empty, err := s.Create(ctx)
			require.NoError(t, err)
			sid, root := project(t, s)
			other, otherRoot := project(t, s)
			createPhase(t, s, other, otherRoot, "Other phase")

			body := createPhase(t, s, sid, root, "Body")
			createPhase(t, s, sid, root, "Engine")
			_, err = s.Execute(ctx, sid, ExecuteRequest{CommandID: "vin", Command: model.UpdateProperty{NodeID: root, PropertyID: "vin", Value: "VIN-1"}})
			require.NoError(t, err)
			_, err = s.Execute(ctx, sid, ExecuteRequest{Command: model.CreateNode{ParentID: root, Type: "task"}})
			require.Error(t, err, "a task cannot hang under the root: command:failed")
			_, err = s.Undo(ctx, sid, "", true)
			require.NoError(t, err)
			_, err = s.Undo(ctx, sid, "", true)
			require.NoError(t, err)
			_, err = s.Redo(ctx, sid, "", true)
			require.NoError(t, err)
			_, err = s.Execute(ctx, sid, ExecuteRequest{Command: model.DeleteNode{NodeID: body.NodeID}})
			require.NoError(t, err)
			q, _ := joinQueue(t, s, sid, "c1", 64)
			require.NoError(t, s.Leave(ctx, sid, "c1"))
			_ = q
			beforeLast := tree(t, s, sid)
			last, err := s.Execute(ctx, sid, ExecuteRequest{CommandID: "rename", Command: model.RenameNode{NodeID: root, Name: "Fastback"}})
			require.NoError(t, err)

			want := map[string]sessionState{}
			for _, id := range []string{empty, sid, other} {
				want[id] = observe(t, s, id)
			}
			require.True(t, want[sid].Info.UndoAvailable)
			require.True(t, want[sid].Info.RedoAvailable == false)

			s, _ = restart(t, s, st, cfg)

			list, err := listAll(ctx, s)
			require.NoError(t, err)
			require.Len(t, list, 3, "every session is listed, loaded or not")
			for _, row := range list {
				w := want[row.SessionID].Info.SessionSummary
				w.ActiveClients = 0
				assert.Equal(t, w, row)
			}
			found, err := s.FindProject(ctx, *want[sid].Info.ProjectID)
			require.NoError(t, err)
			assert.Equal(t, sid, found, "a passive session's project is found")

			for id, w := range want {
				requireSameState(t, w, observe(t, s, id))
			}

			// A retried command id is answered again, not applied twice.
			again, err := s.Execute(ctx, sid, ExecuteRequest{CommandID: "rename", Command: model.RenameNode{NodeID: root, Name: "Other"}})
			require.NoError(t, err)
			assert.Equal(t, last.Seq, again.Seq)
			assert.Equal(t, "Fastback", forest(t, tree(t, s, sid).Roots)[0].Name)

			// Undo after the restart restores exactly, and seqs go on.
			res, err := s.Undo(ctx, sid, "", true)
			require.NoError(t, err)
			assert.Equal(t, model.CmdRenameNode, res.CommandType)
			assert.Equal(t, beforeLast.Roots, res.Roots)
			evs, _, err := allEventsAfter(ctx, s, sid, want[sid].Info.Seq)
			require.NoError(t, err)
			requireSeqs(t, evs, want[sid].Info.Seq+1)
			res, err = s.Redo(ctx, sid, "", true)
			require.NoError(t, err)
			assert.Equal(t, want[sid].Tree.Roots, res.Roots)

			// And the state after the restart survives the next one.
			afterRedo := observe(t, s, sid)
			s, _ = restart(t, s, s.cfg.Store, cfg)
			requireSameState(t, afterRedo, observe(t, s, sid))
		})
	}
}

// TestRestartJoinReplay has a client come back after a restart with its
// last seq: it gets exactly the events it missed.
func TestRestartJoinReplay(t *testing.T) {
	cfg := Config{}
	s, st := startDurable(t, t.TempDir(), cfg)
	ctx := context.Background()
	sid, root := project(t, s)
	q, j := joinQueue(t, s, sid, "c1", 64)
	createPhase(t, s, sid, root, "Body")
	seen := takeUntil(t, q, model.EventCommandExecuted)
	lastSeen := seen[len(seen)-1].Seq
	createPhase(t, s, sid, root, "Engine")
	missed, _, err := allEventsAfter(ctx, s, sid, lastSeen)
	require.NoError(t, err)
	require.NotEmpty(t, missed)

	s, _ = restart(t, s, st, cfg)
	q2 := NewQueue(64)
	j2, err := s.Join(ctx, sid, Subscription{ClientID: "c1", Sub: q2, LastSeq: &lastSeen})
	require.NoError(t, err)
	assert.Nil(t, j2.Resync)
	assert.Equal(t, views(missed), views(j2.Missed))
	assert.Greater(t, j2.Seq, j.Seq)
	ev := take(t, q2, 1)[0]
	assert.Equal(t, model.EventSessionConnected, ev.Name)
	assert.Equal(t, j2.Seq+1, ev.Seq)
}

// TestClosedSessionStaysClosed: a closed session is deleted from the store
// and does not come back after a restart.
func TestClosedSessionStaysClosed(t *testing.T) {
	cfg := Config{}
	s, st := startDurable(t, t.TempDir(), cfg)
	ctx := context.Background()
	gone, root := project(t, s)
	createPhase(t, s, gone, root, "Body")
	kept, _ := project(t, s)
	require.NoError(t, s.Close(ctx, gone))

	s, _ = restart(t, s, st, cfg)
	_, err := s.Info(ctx, gone)
	assert.ErrorIs(t, err, ErrSessionNotFound)
	list, err := listAll(ctx, s)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, kept, list[0].SessionID)
}

// TestJournalFailure: when the journal cannot take a record, the command is
// not acknowledged, and nothing of it shows: graph, seq, stacks, events.
func TestJournalFailure(t *testing.T) {
	s, st := startDurable(t, t.TempDir(), Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "Body")
	q, _ := joinQueue(t, s, sid, "c1", 64)
	takeUntil(t, q, model.EventSessionConnected)
	before := observe(t, s, sid)

	require.NoError(t, st.Close()) // every Append now fails

	_, err := s.Execute(ctx, sid, ExecuteRequest{CommandID: "x", Command: model.RenameNode{NodeID: root, Name: "Lost"}})
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Equal(t, wire.CodeUnavailable, wire.Code(err))
	_, err = s.Execute(ctx, sid, ExecuteRequest{Command: model.CreateNode{ParentID: root, Type: "task"}})
	require.ErrorIs(t, err, ErrUnavailable, "a failing command's events are not journaled either")
	_, err = s.Undo(ctx, sid, "", true)
	require.ErrorIs(t, err, ErrUnavailable)
	_, err = s.Execute(ctx, sid, ExecuteRequest{Command: model.DeleteNode{NodeID: root}})
	require.ErrorIs(t, err, ErrUnavailable)

	after := observe(t, s, sid)
	requireSameState(t, before, after)
	assert.Equal(t, 1, after.Info.ActiveClients)
	select {
	case ev := <-q.C():
		t.Fatalf("an unjournaled event reached a client: %s", ev.JSON)
	default:
	}
	// The command id was not remembered: it is not a success to answer again.
	_, err = s.Execute(ctx, sid, ExecuteRequest{CommandID: "x", Command: model.RenameNode{NodeID: root, Name: "Lost"}})
	require.ErrorIs(t, err, ErrUnavailable)
}

// TestTornTail cuts the journal's last record in half, as a crash during
// its write would, and starts again: sessions come back up to the last good
// record, and the log says what was dropped.
func TestTornTail(t *testing.T) {
	dir := t.TempDir()
	s, st := startDurable(t, dir, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "Body")
	createPhase(t, s, sid, root, "Engine")
	want := observe(t, s, sid)
	_, err := s.Execute(ctx, sid, ExecuteRequest{Command: model.RenameNode{NodeID: root, Name: "Torn"}})
	require.NoError(t, err)

	// A crash: the process dies with the sessions running, so no shutdown
	// checkpoint is taken. Closing the store under them stands for it.
	require.NoError(t, st.Close())
	seg := lastSegment(t, dir)
	fi, err := os.Stat(seg)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(seg, fi.Size()-7))

	var logs logBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	st2 := openStore(t, dir, store.Options{Logger: log})
	s2 := start(t, Config{Store: st2, Logger: log})
	requireSameState(t, want, observe(t, s2, sid))
	assert.Contains(t, logs.String(), "corrupt journal tail")

	// The session goes on from the last good record.
	res, err := s2.Execute(ctx, sid, ExecuteRequest{Command: model.RenameNode{NodeID: root, Name: "After"}})
	require.NoError(t, err)
	assert.Equal(t, want.Info.Seq+3, res.Seq)
}

// TestCrashRecovery: without a clean shutdown (no checkpoint at stop), the
// journal alone brings every acknowledged command back.
func TestCrashRecovery(t *testing.T) {
	dir := t.TempDir()
	s, st := startDurable(t, dir, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	for i := range 20 {
		createPhase(t, s, sid, root, fmt.Sprint("phase ", i))
	}
	undone, err := s.Undo(ctx, sid, "u1", true)
	require.NoError(t, err)
	want := observe(t, s, sid)
	require.NoError(t, st.Close())

	st2 := openStore(t, dir, store.Options{})
	s2 := start(t, Config{Store: st2})
	requireSameState(t, want, observe(t, s2, sid))
	again, err := s2.Undo(ctx, sid, "u1", true)
	require.NoError(t, err, "a retried undo is answered again")
	assert.Equal(t, undone.Seq, again.Seq)
	res, err := s2.Redo(ctx, sid, "", true)
	require.NoError(t, err)
	assert.Len(t, forest(t, res.Roots)[0].Children, 20)
}

// TestBrokenStoredSession: a stored session that cannot be rebuilt (here:
// its template is gone) answers INTERNAL_ERROR, never a wrong state, and can
// still be listed and deleted; the others are not affected.
func TestBrokenStoredSession(t *testing.T) {
	cfg := Config{}
	s, st := startDurable(t, t.TempDir(), cfg)
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "Body")
	book, err := s.CreateProject(ctx, "", "book", "Novel")
	require.NoError(t, err)

	bookTmpl, ok := testCatalog(t).Get("book")
	require.True(t, ok)
	s, st = restart(t, s, st, Config{Catalog: model.NewCatalog(bookTmpl)})

	_, err = s.Tree(ctx, sid)
	require.ErrorIs(t, err, model.ErrInternal)
	assert.Equal(t, wire.CodeInternal, wire.Code(err))
	list, err := listAll(ctx, s)
	require.NoError(t, err)
	assert.Len(t, list, 2)
	got := tree(t, s, book.SessionID)
	assert.Equal(t, book.Roots, got.Roots)

	require.NoError(t, s.Close(ctx, sid))
	s, _ = restart(t, s, st, cfg)
	_, err = s.Info(ctx, sid)
	assert.ErrorIs(t, err, ErrSessionNotFound)
}

// TestChangeTooLarge: a change whose record exceeds the store's record size
// is refused as LIMIT_EXCEEDED (bytes_per_change) and undone, and the session goes on.
func TestChangeTooLarge(t *testing.T) {
	st := openStore(t, t.TempDir(), store.Options{MaxRecordSize: 4 << 10})
	s := start(t, Config{Store: st})
	ctx := context.Background()
	sid, root := project(t, s)
	before := observe(t, s, sid)
	batch := model.Batch{}
	for i := range 50 {
		batch.Commands = append(batch.Commands, model.CreateNode{ParentID: root, Type: "phase", Name: fmt.Sprint("phase ", i)})
	}
	_, err := s.Execute(ctx, sid, ExecuteRequest{Command: batch})
	require.Error(t, err)
	requireLimit(t, err, BudgetChangeBytes)
	requireSameState(t, before, observe(t, s, sid))
	createPhase(t, s, sid, root, "Small")
}

// TestDirtySurvivesRestart: whether a project changed since its last save
// comes back with the session, from a checkpoint or from the journal, and
// so do a save and a reset-dirty.
func TestDirtySurvivesRestart(t *testing.T) {
	for _, every := range []int{1, 1000} {
		t.Run(fmt.Sprint("checkpoint every ", every), func(t *testing.T) {
			cfg := Config{CheckpointEvery: every}
			s, st := startDurable(t, t.TempDir(), cfg)
			ctx := context.Background()
			id, root := project(t, s)
			dirty := func() bool {
				t.Helper()
				info, err := s.Info(ctx, id)
				require.NoError(t, err)
				return info.IsDirty
			}
			assert.False(t, dirty(), "a new project is clean")
			createPhase(t, s, id, root, "Body")
			assert.True(t, dirty())

			s, st = restart(t, s, st, cfg)
			assert.True(t, dirty(), "a change not saved is still not saved")
			info, err := s.Info(ctx, id)
			require.NoError(t, err)
			_, err = s.SaveProject(ctx, id, *info.ProjectID)
			require.NoError(t, err)
			assert.False(t, dirty())

			s, st = restart(t, s, st, cfg)
			assert.False(t, dirty(), "the save is remembered")
			_, err = s.Undo(ctx, id, "", false)
			require.NoError(t, err)
			assert.True(t, dirty())
			_, err = s.ResetDirty(ctx, id)
			require.NoError(t, err)

			s, _ = restart(t, s, st, cfg)
			assert.False(t, dirty(), "reset-dirty is remembered")
		})
	}
}

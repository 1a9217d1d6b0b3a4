package actors

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/jsonx"
)

// TestReplayMatchesLive drives a session through a random history of
// commands, undos and redos, then builds a second copy of it from the store
// alone, as a restart does, and requires the two to be the same: graph,
// seq, event history, and the undo and redo stacks, step for step (both are
// walked back to the start and forward again). With checkpoints every few
// records the copy starts from a checkpoint; without, from the journal only.
func TestReplayMatchesLive(t *testing.T) {
	for _, every := range []int{7, 100_000} {
		t.Run(fmt.Sprintf("checkpoint every %d", every), func(t *testing.T) {
			seed := uint64(time.Now().UnixNano())
			t.Logf("seed %d", seed)
			rng := rand.New(rand.NewPCG(seed, 42))
			cfg := Config{CheckpointEvery: every, UndoLimit: 40}
			s, st := startDurable(t, t.TempDir(), cfg)
			sid, root := project(t, s)
			answered := randomHistory(t, s, sid, root, rng, 300)

			cfg.Store, cfg.Catalog = st, testCatalog(t)
			copied := newSession(sessionArgs{id: sid, cfg: cfg.withDefaults(), restoring: true})
			require.NoError(t, copied.restore())
			copied.cfg.Store = nil // walking it must not write to the live session's journal

			requireSame(t, s, sid, copied)
			evs, _, err := allEventsAfter(context.Background(), s, sid, 0)
			require.NoError(t, err)
			require.Equal(t, views(evs), views(copied.history.ordered()), "the same events, as sent")
			requireSameAnswers(t, answered, copied)
			walkBoth(t, s, sid, copied, false) // back to the start
			walkBoth(t, s, sid, copied, true)  // and forward again
		})
	}
}

// walkBoth undoes (or redoes) on the live session and on the copy until
// neither has a step left, comparing them after every step.
func walkBoth(tb testing.TB, s *Client, sid string, copied *session, isRedo bool) {
	tb.Helper()
	done := model.ErrNothingToUndo
	step := s.Undo
	if isRedo {
		done, step = model.ErrNothingToRedo, s.Redo
	}
	for n := 0; ; n++ {
		_, liveErr := step(context.Background(), sid, "", true)
		_, copyErr := copied.step("", isRedo, true, &undo{}) // no deadline: always claimed
		require.Equal(tb, errors.Is(liveErr, done), errors.Is(copyErr, done), "step %d: %v / %v", n, liveErr, copyErr)
		if liveErr != nil {
			require.ErrorIs(tb, liveErr, done)
			return
		}
		requireSame(tb, s, sid, copied)
	}
}

// requireSame compares what a client can see of the live session with the
// copy: the graph, the seq, the availability of undo and redo.
func requireSame(tb testing.TB, s *Client, sid string, copied *session) {
	tb.Helper()
	live := tree(tb, s, sid)
	require.Equal(tb, forest(tb, live.Roots), copied.graph.Tree())
	info, err := s.Info(context.Background(), sid)
	require.NoError(tb, err)
	require.Equal(tb, info.UndoAvailable, copied.undo.len() > 0)
	require.Equal(tb, info.RedoAvailable, copied.redo.len() > 0)
	require.Equal(tb, info.Seq, copied.seq, "seq")
}

// requireSameAnswers: the copy remembers every command id the live session
// answered, and a retry would be answered with the same bytes.
func requireSameAnswers(tb testing.TB, answered map[string]*Executed, copied *session) {
	tb.Helper()
	require.NotEmpty(tb, answered)
	for id, live := range answered {
		again, ok := copied.commandIDs.get(id)
		require.True(tb, ok, "command id %s remembered", id)
		want, err := jsonx.Marshal(live.Reply(false))
		require.NoError(tb, err)
		got, err := jsonx.Marshal(again.Reply(false))
		require.NoError(tb, err)
		require.Equal(tb, string(want), string(got))
	}
}

// randomHistory applies n random steps to session sid: creates, renames,
// property changes, moves, deletes, batches, undos and redos. Steps the
// graph refuses (a move into a child, say) are part of the history too.
// It returns what each step that succeeded answered, by command id.
func randomHistory(tb testing.TB, s *Client, sid, root string, rng *rand.Rand, n int) map[string]*Executed {
	tb.Helper()
	ctx := context.Background()
	phases := []string{}
	answered := map[string]*Executed{}
	for i := range n {
		var err error
		var res *Executed
		switch k := rng.IntN(10); {
		case k < 3 || len(phases) == 0:
			res, err = s.Execute(ctx, sid, ExecuteRequest{Command: model.CreateNode{ParentID: root, Type: "phase", Name: fmt.Sprint("p", i)}})
			if err == nil {
				phases = append(phases, res.NodeID)
			}
		case k == 3:
			res, err = s.Execute(ctx, sid, ExecuteRequest{Command: model.RenameNode{NodeID: pick(rng, phases), Name: fmt.Sprint("r", i)}})
		case k == 4:
			// An empty value clears the date, or changes nothing when it
			// is not set: a command with no undo step, on replay too.
			value := any(fmt.Sprintf("2026-01-%02d", 1+i%28))
			if rng.IntN(3) == 0 {
				value = ""
			}
			res, err = s.Execute(ctx, sid, ExecuteRequest{Command: model.UpdateProperty{NodeID: pick(rng, phases), PropertyID: "start_date", Value: value}})
		case k == 5:
			res, err = s.Execute(ctx, sid, ExecuteRequest{Command: model.MoveNode{NodeID: pick(rng, phases), NewParentID: root, Index: new0()}})
		case k == 6:
			res, err = s.Execute(ctx, sid, ExecuteRequest{Command: model.DeleteNode{NodeID: pick(rng, phases)}})
		case k == 7:
			res, err = s.Execute(ctx, sid, ExecuteRequest{Command: model.Batch{Commands: []model.Command{
				model.CreateNode{ParentID: pick(rng, phases), Type: "job", Name: "j"},
				model.RenameNode{NodeID: root, Name: fmt.Sprint("root ", i)},
			}}})
		case k == 8:
			res, err = s.Undo(ctx, sid, "", true)
		default:
			res, err = s.Redo(ctx, sid, "", true)
		}
		if err != nil && !errors.Is(err, model.ErrNodeNotFound) && !errors.Is(err, model.ErrNothingToUndo) && !errors.Is(err, model.ErrNothingToRedo) {
			var ic *model.InvalidCommandError
			require.ErrorAs(tb, err, &ic, "step %d", i)
		}
		if err == nil {
			answered[res.CommandID] = res
		}
	}
	return answered
}

func pick(rng *rand.Rand, ids []string) string { return ids[rng.IntN(len(ids))] }

func new0() *int { i := 0; return &i }

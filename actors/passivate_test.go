package actors

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
)

// waitPassive waits until session sid has left memory.
func waitPassive(tb testing.TB, s *Client, sid string) {
	tb.Helper()
	waitFor(tb, "session "+sid+" to passivate", func() bool {
		live, err := s.live(context.Background(), sid)
		require.NoError(tb, err)
		return !live
	})
}

func isLiveNow(tb testing.TB, s *Client, sid string) bool {
	tb.Helper()
	live, err := s.live(context.Background(), sid)
	require.NoError(tb, err)
	return live
}

// TestPassivation: an idle session leaves memory, is still listed and its
// project still found, and its next request brings it back exactly as it
// was. A watched session stays.
func TestPassivation(t *testing.T) {
	s, _ := startDurable(t, t.TempDir(), Config{IdleTimeout: 30 * time.Millisecond})
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "Body")
	createPhase(t, s, sid, root, "Engine")
	_, err := s.Undo(ctx, sid, "", true)
	require.NoError(t, err)
	watched, _ := project(t, s)
	joinQueue(t, s, watched, "c1", 64)
	want := observe(t, s, sid)

	waitPassive(t, s, sid)
	assert.True(t, isLiveNow(t, s, watched), "a session with a client stays in memory")

	list, err := listAll(ctx, s)
	require.NoError(t, err)
	require.Len(t, list, 2)
	for _, row := range list {
		if row.SessionID == sid {
			w := want.Info.SessionSummary
			assert.Equal(t, w, row, "listed as it left")
		}
	}
	assert.False(t, isLiveNow(t, s, sid), "listing does not bring it back")
	found, err := s.FindProject(ctx, *want.Info.ProjectID)
	require.NoError(t, err)
	assert.Equal(t, sid, found)

	got := observe(t, s, sid) // brings it back
	assert.True(t, isLiveNow(t, s, sid))
	requireSameState(t, want, got)

	res, err := s.Redo(ctx, sid, "", true)
	require.NoError(t, err)
	assert.Len(t, forest(t, res.Roots)[0].Children, 2, "the redo stack came back")
	assert.Equal(t, want.Info.Seq+2, res.Seq, "node-created and command:redo follow the old seq")

	// Requests that come about when the session leaves: each is answered
	// (timing only decides how often the race is hit, never the outcome).
	for i := range 20 {
		time.Sleep(30*time.Millisecond + time.Duration(i%5)*time.Millisecond/2)
		_, err := s.Tree(ctx, sid)
		require.NoError(t, err)
	}
	// Many askers bringing it back at once: one activation, all answered.
	for range 3 {
		waitPassive(t, s, sid)
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Tree(ctx, sid)
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
	}
}

// TestPassiveClose: closing a passive session deletes it without loading
// it; cleanup does the same for idle passive sessions.
func TestPassiveClose(t *testing.T) {
	s, _ := startDurable(t, t.TempDir(), Config{IdleTimeout: 20 * time.Millisecond})
	ctx := context.Background()
	a, _ := project(t, s)
	b, _ := project(t, s)
	waitPassive(t, s, a)
	waitPassive(t, s, b)

	require.NoError(t, s.Close(ctx, a))
	_, err := s.Info(ctx, a)
	assert.ErrorIs(t, err, ErrSessionNotFound)
	assert.ErrorIs(t, s.Close(ctx, a), ErrSessionNotFound)

	removed, active, err := s.Cleanup(ctx, time.Now().Add(-time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 0, removed)
	assert.Equal(t, 1, active)
	removed, active, err = s.Cleanup(ctx, time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, removed)
	assert.Equal(t, 0, active)
	list, err := listAll(ctx, s)
	require.NoError(t, err)
	assert.Empty(t, list)
}

// TestPassivationRestart: a passive session survives a restart like any.
func TestPassivationRestart(t *testing.T) {
	cfg := Config{IdleTimeout: 20 * time.Millisecond}
	s, st := startDurable(t, t.TempDir(), cfg)
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "Body")
	want := observe(t, s, sid)
	waitPassive(t, s, sid)

	s, _ = restart(t, s, st, cfg)
	requireSameState(t, want, observe(t, s, sid))
	_, err := s.Execute(ctx, sid, ExecuteRequest{Command: model.RenameNode{NodeID: root, Name: "Again"}})
	require.NoError(t, err)
}

// TestDurableStress mixes commands, undo and redo from several askers per
// session with sessions leaving memory in between, then restarts: every
// acknowledged change is there, and the state is the one before the restart.
func TestDurableStress(t *testing.T) {
	cfg := Config{IdleTimeout: 3 * time.Millisecond, CheckpointEvery: 7}
	s, st := startDurable(t, t.TempDir(), cfg)
	ctx := context.Background()
	const sessions, askers, steps = 6, 3, 25
	type target struct{ sid, root string }
	targets := make([]target, sessions)
	for i := range targets {
		targets[i].sid, targets[i].root = project(t, s)
	}
	var wg sync.WaitGroup
	for i := range sessions * askers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tg := targets[i%sessions]
			var lastSeq uint64
			for n := range steps {
				var res *Executed
				var err error
				switch n % 4 {
				case 0, 1:
					res, err = s.Execute(ctx, tg.sid, ExecuteRequest{Command: model.CreateNode{ParentID: tg.root, Type: "phase", Name: "p"}})
				case 2:
					res, err = s.Undo(ctx, tg.sid, "", true)
				case 3:
					res, err = s.Redo(ctx, tg.sid, "", true)
				}
				if errors.Is(err, model.ErrNothingToUndo) || errors.Is(err, model.ErrNothingToRedo) {
					continue
				}
				if !assert.NoError(t, err) {
					return
				}
				assert.Greater(t, res.Seq, lastSeq, "seqs an asker sees only grow")
				lastSeq = res.Seq
				if n%5 == 0 {
					time.Sleep(time.Duration(n%3) * 2 * time.Millisecond) // let sessions leave now and then
				}
			}
		}()
	}
	wg.Wait()
	want := map[string]sessionState{}
	for _, tg := range targets {
		want[tg.sid] = observe(t, s, tg.sid)
	}
	s, _ = restart(t, s, st, cfg)
	for sid, w := range want {
		requireSameState(t, w, observe(t, s, sid))
	}
}

// TestIdleHandshake: the registry passivates a session that asks only when
// it has sent the session nothing since the session counted; a word from an
// earlier incarnation, or one that missed a request, changes nothing.
func TestIdleHandshake(t *testing.T) {
	s, _ := startDurable(t, t.TempDir(), Config{IdleTimeout: time.Hour}) // never fires by itself
	sid, _ := project(t, s)
	ctx := context.Background()
	v, err := askRegistry[entryView](ctx, s, &describe{SessionID: sid})
	require.NoError(t, err)
	require.True(t, v.Live)
	require.NotZero(t, v.Forwarded)

	idle := func(gen, handled uint64) {
		s.system.Root.Send(s.registry, &sessionIdle{SessionID: sid, Gen: gen, Handled: handled})
	}
	idle(v.Gen, v.Forwarded-1) // a request is still on its way to the session
	idle(v.Gen-1, v.Forwarded) // an earlier incarnation
	assert.True(t, isLiveNow(t, s, sid), "the registry handles messages in order: both were seen and ignored")

	idle(v.Gen, v.Forwarded)
	waitPassive(t, s, sid)
	_, err = s.Info(ctx, sid)
	require.NoError(t, err, "the next request brings it back")
	again, err := askRegistry[entryView](ctx, s, &describe{SessionID: sid})
	require.NoError(t, err)
	assert.Greater(t, again.Gen, v.Gen)
}

// TestPassivatedLeavesNothing: a session that left memory is gone from
// protoactor's process registry and from the registry actor's children,
// and its actor (mailbox, context, session) is garbage: nothing holds it.
func TestPassivatedLeavesNothing(t *testing.T) {
	s, _ := startDurable(t, t.TempDir(), Config{IdleTimeout: 20 * time.Millisecond})
	ctx := context.Background()
	sid, root := project(t, s)
	joinQueue(t, s, sid, "watcher", 64) // watched: it stays while we look
	createPhase(t, s, sid, root, "Body")

	name := sessionPrefix + sid
	proc, ok := s.system.ProcessRegistry.GetLocal(name)
	require.True(t, ok, "a live session is a registered process")
	ap, ok := proc.(*actor.ActorProcess)
	require.True(t, ok)
	gone := weak.Make(ap)
	proc, ap = nil, nil
	assert.True(t, isLiveNow(t, s, sid), "a watched session stays in memory")

	require.NoError(t, s.Leave(ctx, sid, "watcher"))
	waitPassive(t, s, sid)
	_, ok = s.system.ProcessRegistry.GetLocal(name)
	assert.False(t, ok, "no process left under the session's name")
	assert.Zero(t, entryOf(t, s, sid).Children, "the registry's child set holds nothing")
	waitFor(t, "the stopped session to be garbage", func() bool {
		runtime.GC()
		return gone.Value() == nil
	})

	assert.Len(t, forest(t, tree(t, s, sid).Roots)[0].Children, 1, "and it comes back as it was")
}

// TestQuietRequestsDoNotKeepSessions: reads and cleanup's probe are quiet
// (NotInfluenceReceiveTimeout): a session that gets nothing else leaves
// memory although it is asked again and again, every few milliseconds. If
// they counted as activity it would never be idle for IdleTimeout and the
// test would fail at its bound. (A pause longer than IdleTimeout could let
// it pass wrongly, never fail it.)
func TestQuietRequestsDoNotKeepSessions(t *testing.T) {
	const idle = 200 * time.Millisecond
	s, _ := startDurable(t, t.TempDir(), Config{IdleTimeout: idle})
	ctx := context.Background()
	sid, _ := project(t, s)
	first := entryOf(t, s, sid).Gen
	for i := 0; entryOf(t, s, sid).Gen == first; i++ {
		var err error
		switch i % 4 {
		case 0:
			_, err = s.Info(ctx, sid)
		case 1:
			_, err = s.Tree(ctx, sid)
		case 2:
			_, err = s.EventsAfter(ctx, sid, 0, 0)
		default:
			_, _, err = s.Cleanup(ctx, time.Now().Add(-time.Hour)) // closes nothing: all are newer
		}
		require.NoError(t, err)
		require.Less(t, i, int(waitLimit/(5*time.Millisecond)), "the session never left memory")
		time.Sleep(5 * time.Millisecond) // a gap: the registry agrees to a stop only with nothing in flight
	}
	_, err := s.Info(ctx, sid)
	require.NoError(t, err, "it left and came back for the next read")
}

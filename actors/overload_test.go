package actors

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
)

// block runs a blocking command in session sid and returns once it holds
// the session. release lets it finish and returns the command's error; it
// also runs at cleanup if the test did not call it.
func block(tb testing.TB, s *Client, sid, nodeID string) (release func() error) {
	tb.Helper()
	started, rel := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := s.Execute(context.Background(), sid, ExecuteRequest{CommandID: "block", Command: blocking{NodeID: nodeID, started: started, release: rel}})
		done <- err
	}()
	select {
	case <-started:
	case <-time.After(waitLimit):
		tb.Fatal("blocking command never ran")
	}
	var once sync.Once
	var err error
	release = func() error {
		once.Do(func() {
			close(rel)
			select {
			case err = <-done:
			case <-time.After(waitLimit):
				err = errors.New("blocking command never finished")
			}
		})
		return err
	}
	tb.Cleanup(func() { _ = release() })
	return release
}

// shortCtx is a context that ends while a blocked session still holds its
// request; the tests wait for that answer before going on, whatever it took.
func shortCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// TestCountWhileBusy: Count is the registry's answer alone, so a session
// that holds its mailbox does not make it fail.
func TestCountWhileBusy(t *testing.T) {
	s := start(t, Config{RequestTimeout: waitLimit})
	busy, root := project(t, s)
	_, err := s.Create(context.Background())
	require.NoError(t, err)
	release := block(t, s, busy, root)

	n, err := s.Count(shortCtx(t))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	require.NoError(t, release())
}

// TestListCleanupBusySession: a session that does not answer is listed as
// the registry knows it and survives cleanup, counted as active; the others
// are listed and cleaned up as usual. The cleanup's close request, which
// the busy session only reads after its asker gave up, is not applied.
func TestListCleanupBusySession(t *testing.T) {
	s := start(t, Config{RequestTimeout: waitLimit})
	ctx := context.Background()
	busy, root := project(t, s)
	empty, err := s.Create(ctx)
	require.NoError(t, err)
	other, _ := project(t, s)
	release := block(t, s, busy, root)

	list, err := listAll(shortCtx(t), s)
	require.NoError(t, err)
	rows := map[string]SessionSummary{}
	for _, row := range list {
		rows[row.SessionID] = row
	}
	require.Len(t, rows, 3)
	assert.True(t, rows[busy].HasProject, "the registry knows its project")
	assert.False(t, rows[busy].CreatedAt.IsZero())
	assert.True(t, rows[other].HasProject)
	assert.False(t, rows[empty].HasProject)

	removed, active, err := s.Cleanup(shortCtx(t), time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 2, removed)
	assert.Equal(t, 1, active)

	require.NoError(t, release())
	in, err := s.Info(ctx, busy)
	require.NoError(t, err, "the busy session was counted active and stays")
	assert.True(t, in.HasProject)
	for _, sid := range []string{empty, other} {
		_, err := s.Info(ctx, sid)
		assert.ErrorIs(t, err, ErrSessionNotFound)
	}
	n, err := s.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// TestListCleanupStopping: a session layer that is stopping fails the
// whole call.
func TestListCleanupStopping(t *testing.T) {
	s := start(t, Config{})
	project(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	require.NoError(t, s.Stop(ctx))
	_, err := listAll(ctx, s)
	assert.ErrorIs(t, err, ErrUnavailable)
	_, _, err = s.Cleanup(ctx, time.Now())
	assert.ErrorIs(t, err, ErrUnavailable)
	_, err = s.Count(ctx)
	assert.ErrorIs(t, err, ErrUnavailable)
}

// TestExpiredRequestNotApplied: a command still queued when its asker's
// deadline passed (the asker got UNAVAILABLE) is refused, not applied; a
// retry with its command id then runs it once.
func TestExpiredRequestNotApplied(t *testing.T) {
	s := start(t, Config{RequestTimeout: waitLimit})
	ctx := context.Background()
	sid, root := project(t, s)
	release := block(t, s, sid, root)

	late := ExecuteRequest{CommandID: "late", Command: model.CreateNode{ParentID: root, Type: "phase", Name: "Late"}}
	_, err := s.Execute(shortCtx(t), sid, late)
	require.ErrorIs(t, err, ErrUnavailable)
	require.NoError(t, release())

	tr := tree(t, s, sid)
	assert.Empty(t, forest(t, tr.Roots)[0].Children, "the expired command was not applied")
	evs, _, err := allEventsAfter(ctx, s, sid, 0)
	require.NoError(t, err)
	for _, ev := range evs {
		assert.NotEqual(t, "late", ev.CommandID, "no event of the expired command (%s)", ev.Name)
	}

	createPhase(t, s, sid, root, "After")
	res, err := s.Execute(ctx, sid, late)
	require.NoError(t, err)
	again, err := s.Execute(ctx, sid, late)
	require.NoError(t, err)
	assert.Equal(t, res.Seq, again.Seq, "the retry ran once and is cached")
	var kids []string
	for _, c := range forest(t, tree(t, s, sid).Roots)[0].Children {
		kids = append(kids, c.Name)
	}
	assert.ElementsMatch(t, []string{"After", "Late"}, kids)
}

// TestStopHonoursContext: Stop gives up when its ctx ends, even while a
// session is busy, and leaves no goroutine waiting behind.
func TestStopHonoursContext(t *testing.T) {
	s := start(t, Config{RequestTimeout: waitLimit})
	sid, root := project(t, s)
	release := block(t, s, sid, root)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Stop(ctx)
	require.ErrorIs(t, err, context.Canceled)

	// A goroutine of Stop's that outlived it would be parked (chan receive,
	// select, Cond.Wait ...). The watcher actor's handler may still be
	// running or runnable on a dispatcher goroutine as the dump is taken:
	// that is an actor the shut-down system ends, not something Stop left
	// waiting.
	buf := make([]byte, 1<<22)
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		header, _, _ := strings.Cut(g, "\n")
		parked := !strings.Contains(header, "[running]") && !strings.Contains(header, "[runnable]")
		assert.False(t, parked && strings.Contains(g, "actors.(*Client).Stop"), "a goroutine of Stop outlived it:\n%s", g)
	}
	_ = release() // the system is down: the command's answer may not come back
}

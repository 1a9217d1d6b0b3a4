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

// TestCanceledMidWait: requests whose caller's context is cancelled while
// they wait on a busy session return at once with the context's error (the
// ones queued behind, and the command the session is in the middle of),
// and none of them happens or leaves an event.
func TestCanceledMidWait(t *testing.T) {
	s := start(t, Config{RequestTimeout: time.Hour}) // only the cancel can end the waits
	sid, root := project(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started, rel := make(chan struct{}), make(chan struct{})
	released := false
	defer func() {
		if !released {
			close(rel)
		}
	}()
	errs := make(chan error, 4)
	go func() {
		_, err := s.Execute(ctx, sid, ExecuteRequest{CommandID: "busy", Command: blocking{NodeID: root, started: started, release: rel}})
		errs <- err
	}()
	<-started
	busy := entryOf(t, s, sid).Forwarded
	go func() {
		_, err := s.Info(ctx, sid)
		errs <- err
	}()
	go func() {
		_, err := s.Execute(ctx, sid, ExecuteRequest{CommandID: "queued", Command: model.CreateNode{ParentID: root, Type: "phase", Name: "queued"}})
		errs <- err
	}()
	go func() {
		_, err := s.Execute(ctx, sid, ExecuteRequest{CommandID: "bad", Command: model.CreateNode{ParentID: "nowhere", Type: "phase", Name: "bad"}})
		errs <- err
	}()
	waitEntry(t, s, sid, "all three to wait behind the busy command", func(v entryView) bool { return v.Forwarded == busy+3 })

	cancel()
	for range 4 {
		select {
		case err := <-errs:
			assert.ErrorIs(t, err, ErrUnavailable)
			assert.ErrorIs(t, err, context.Canceled)
		case <-time.After(waitLimit):
			t.Fatal("a request still waits on the busy session after its context was cancelled")
		}
	}
	released = true
	close(rel)
	roots := forest(t, tree(t, s, sid).Roots)
	assert.Equal(t, "Mustang", roots[0].Name, "the busy command was taken back: its caller had gone")
	assert.Empty(t, roots[0].Children, "the queued one never ran")
	evs, _, err := allEventsAfter(context.Background(), s, sid, 0)
	require.NoError(t, err)
	for _, ev := range evs {
		assert.NotContains(t, []string{"busy", "queued", "bad"}, ev.CommandID, "%s of an abandoned request", ev.Name)
	}
}

// failing is a command that holds its session until released, then fails.
type failing struct{ blocking }

func (f failing) Apply(*model.Tx) (any, error) {
	close(f.started)
	<-f.release
	return nil, &model.InvalidCommandError{Rule: "test", Reason: "fails once released"}
}

// TestAbandonedFailureLeavesNoTrace: a command that fails after its caller
// gave up leaves no command:executing or command:failed behind: its caller
// was told UNAVAILABLE, and the events say nothing else happened.
func TestAbandonedFailureLeavesNoTrace(t *testing.T) {
	s := start(t, Config{RequestTimeout: time.Hour})
	sid, root := project(t, s)
	q, _ := joinQueue(t, s, sid, "watcher", 64)
	before := tree(t, s, sid).Seq
	ctx, cancel := context.WithCancel(context.Background())
	started, rel := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := s.Execute(ctx, sid, ExecuteRequest{CommandID: "fails", Command: failing{blocking{NodeID: root, started: started, release: rel}}})
		done <- err
	}()
	<-started
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	close(rel)

	// The next command takes the next seqs; look at what the watcher got.
	createPhase(t, s, sid, root, "after")
	var after []*Event
	for _, ev := range takeUntil(t, q, model.EventCommandExecuted) {
		if ev.Seq > before {
			after = append(after, ev)
		}
	}
	require.NotEmpty(t, after)
	for _, ev := range after {
		assert.NotEqual(t, "fails", ev.CommandID, "%s of the abandoned command", ev.Name)
	}
	assert.Equal(t, before+1, after[0].Seq, "no seq was spent on it")
}

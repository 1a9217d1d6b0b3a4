package actors

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
)

// entryOf asks the registry what it knows of session sid.
func entryOf(tb testing.TB, s *Client, sid string) entryView {
	tb.Helper()
	v, err := askRegistry[entryView](context.Background(), s, &describe{SessionID: sid})
	require.NoError(tb, err)
	return v
}

// waitEntry waits until the registry's entry for sid satisfies cond.
func waitEntry(tb testing.TB, s *Client, sid, what string, cond func(entryView) bool) entryView {
	tb.Helper()
	var v entryView
	waitFor(tb, what, func() bool { v = entryOf(tb, s, sid); return cond(v) })
	return v
}

// TestRequestsRacingClose: requests already in a session's mailbox behind
// its close are each answered, ErrSessionNotFound from the closed session,
// never left to time out. The session is held busy while the close and
// the requests reach it, and the registry's count of what it forwarded
// proves they were all queued behind the close when it ran.
func TestRequestsRacingClose(t *testing.T) {
	s := start(t, Config{RequestTimeout: waitLimit}) // a lost request would wait waitLimit and fail
	sid, root := project(t, s)
	release := block(t, s, sid, root)
	busy := entryOf(t, s, sid).Forwarded

	closed := make(chan error, 1)
	go func() { closed <- s.Close(context.Background(), sid) }()
	waitEntry(t, s, sid, "the close to reach the session", func(v entryView) bool { return v.Forwarded == busy+1 })

	const racing = 12
	errs := make(chan error, racing)
	for i := range racing {
		go func() {
			var err error
			switch i % 3 {
			case 0:
				_, err = s.Info(context.Background(), sid)
			case 1:
				_, err = s.Tree(context.Background(), sid)
			default:
				_, err = s.Execute(context.Background(), sid, ExecuteRequest{Command: model.RenameNode{NodeID: root, Name: "late"}})
			}
			errs <- err
		}()
	}
	v := waitEntry(t, s, sid, "every request to be behind the close", func(v entryView) bool { return v.Forwarded == busy+1+racing })
	require.Equal(t, busy+1+racing, v.Forwarded, "all of them raced the close: they were sent to the session before it closed")

	require.NoError(t, release())
	require.NoError(t, <-closed)
	for range racing {
		select {
		case err := <-errs:
			assert.ErrorIs(t, err, ErrSessionNotFound)
		case <-time.After(waitLimit):
			t.Fatal("a request behind the close was never answered")
		}
	}
	_, err := s.Info(context.Background(), sid)
	assert.ErrorIs(t, err, ErrSessionNotFound, "and after: no session at all")
}

// TestRequestsRacingPassivation: requests for a session that is on its way
// out of memory wait in the registry and are answered by the session brought
// back, none lost, none failed; the change the session was busy with when
// it agreed to leave is there after.
func TestRequestsRacingPassivation(t *testing.T) {
	s, _ := startDurable(t, t.TempDir(), Config{RequestTimeout: waitLimit, IdleTimeout: time.Hour})
	sid, root := project(t, s)
	release := block(t, s, sid, root)
	v := entryOf(t, s, sid)
	// The session asks to leave having handled everything sent so far;
	// the registry agrees, and its stop waits behind the blocking command.
	s.system.Root.Send(s.registry, &sessionIdle{SessionID: sid, Gen: v.Gen, Handled: v.Forwarded})
	waitEntry(t, s, sid, "the registry to agree", func(v entryView) bool { return v.Draining })

	const racing = 8
	var wg sync.WaitGroup
	results := make([]error, racing)
	for i := range racing {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, results[i] = s.Tree(context.Background(), sid)
			} else {
				_, results[i] = s.Execute(context.Background(), sid, ExecuteRequest{Command: model.CreateNode{ParentID: root, Type: "phase", Name: "while leaving"}})
			}
		}()
	}
	waitEntry(t, s, sid, "the requests to wait in the registry", func(v entryView) bool { return v.Parked == racing })

	require.NoError(t, release())
	wg.Wait()
	for i, err := range results {
		assert.NoError(t, err, "request %d", i)
	}
	after := entryOf(t, s, sid)
	assert.True(t, after.Live)
	assert.Greater(t, after.Gen, v.Gen, "a new incarnation answered them")
	tr := tree(t, s, sid)
	assert.Equal(t, "released", forest(t, tr.Roots)[0].Name, "the blocking command's rename survived the round trip")
	assert.Len(t, forest(t, tr.Roots)[0].Children, racing/2)
}

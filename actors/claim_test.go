package actors

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
)

// expiring is a context whose deadline passes when the test says so
// (expire), not when a clock does: "too late" happens exactly where the
// test puts it.
type expiring struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newExpiring() *expiring {
	return &expiring{Context: context.Background(), done: make(chan struct{})}
}

func (e *expiring) Done() <-chan struct{} { return e.done }

func (e *expiring) Err() error {
	select {
	case <-e.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func (e *expiring) expire() { e.once.Do(func() { close(e.done) }) }

type outcome1[T any] struct {
	v   T
	err error
}

// within waits for one result, failing after waitLimit.
func within[T any](tb testing.TB, ch <-chan outcome1[T], what string) outcome1[T] {
	tb.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(waitLimit):
		tb.Fatalf("%s never answered", what)
		return outcome1[T]{}
	}
}

// TestSlowJournalReplyIsTheOutcome: a command whose journal write (fsync)
// outlasts its asker's deadline is answered with its real outcome, not
// UNAVAILABLE: it had started, and it happened. A command still waiting
// behind it when the deadline passes is UNAVAILABLE and never happens. A
// reply after the deadline is the real success or nothing was applied;
// never UNAVAILABLE while applied. The same holds after a restart.
func TestSlowJournalReplyIsTheOutcome(t *testing.T) {
	var hold atomic.Bool
	syncing, release := make(chan struct{}, 64), make(chan struct{})
	dir := t.TempDir()
	st := openStore(t, dir, store.Options{OnSync: func(time.Duration, error) {
		if hold.Load() { // a slow disk: the fsync does not return until released
			syncing <- struct{}{}
			<-release
		}
	}})
	cfg := Config{RequestTimeout: waitLimit, Store: st}
	s := start(t, cfg)
	sid, root := project(t, s)

	hold.Store(true)
	aCtx, bCtx := newExpiring(), newExpiring()
	aDone, bDone := make(chan outcome1[*Executed], 1), make(chan outcome1[*Executed], 1)
	go func() {
		res, err := s.Execute(aCtx, sid, ExecuteRequest{CommandID: "a", Command: model.CreateNode{ParentID: root, Type: "phase", Name: "A"}})
		aDone <- outcome1[*Executed]{res, err}
	}()
	select {
	case <-syncing: // A was applied and claimed; its record is being synced
	case <-time.After(waitLimit):
		t.Fatal("A's record never reached the disk")
	}
	queued := entryOf(t, s, sid).Forwarded
	go func() {
		res, err := s.Execute(bCtx, sid, ExecuteRequest{CommandID: "b", Command: model.CreateNode{ParentID: root, Type: "phase", Name: "B"}})
		bDone <- outcome1[*Executed]{res, err}
	}()
	waitEntry(t, s, sid, "B to wait behind A", func(v entryView) bool { return v.Forwarded == queued+1 })

	aCtx.expire() // both deadlines pass while A's fsync is still running
	bCtx.expire()
	b := within(t, bDone, "B")
	require.ErrorIs(t, b.err, ErrUnavailable, "B had not started: its asker gives up")
	hold.Store(false)
	close(release)
	a := within(t, aDone, "A")
	require.NoError(t, a.err, "A had started: its asker waits for the outcome, past the deadline")

	check := func(s *Client) {
		tr := tree(t, s, sid)
		roots := forest(t, tr.Roots)
		require.Len(t, roots[0].Children, 1, "A is there, B is not")
		assert.Equal(t, "A", roots[0].Children[0].Name)
		assert.Equal(t, a.v.Seq, tr.Seq, "nothing after A: B's events were never numbered")
	}
	check(s)
	s, _ = restart(t, s, st, Config{RequestTimeout: waitLimit})
	check(s)
	res, err := s.Execute(context.Background(), sid, ExecuteRequest{CommandID: "b", Command: model.CreateNode{ParentID: root, Type: "phase", Name: "B"}})
	require.NoError(t, err)
	assert.Greater(t, res.Seq, a.v.Seq, "a retry of B runs it: it never happened")
}

// TestSlowImportReplyIsTheOutcome: the same for opening a project, whose
// durable step is a checkpoint (slow here: BatchDelay holds every
// checkpoint). An import claimed before its deadline is answered with the
// project; one whose asker gave up first changes nothing.
func TestSlowImportReplyIsTheOutcome(t *testing.T) {
	const slow = 500 * time.Millisecond
	st := openStore(t, t.TempDir(), store.Options{BatchDelay: slow})
	s := start(t, Config{RequestTimeout: waitLimit, Store: st})
	ctx := context.Background()
	src, err := s.CreateProject(ctx, "", "book", "Source")
	require.NoError(t, err)
	file, err := s.ExportProject(ctx, src.ProjectID)
	require.NoError(t, err)
	sid, err := s.Create(ctx)
	require.NoError(t, err)

	aCtx, bCtx := newExpiring(), newExpiring()
	aMsg, bMsg := &openFile{ProjectID: newID(), File: file}, &openFile{ProjectID: newID(), File: file}
	aDone, bDone := make(chan outcome1[*Project], 1), make(chan outcome1[*Project], 1)
	go func() {
		p, err := askSession[*Project](aCtx, s, sid, aMsg)
		aDone <- outcome1[*Project]{p, err}
	}()
	waitFor(t, "A to be claimed", func() bool { return aMsg.claim.state.Load() == started })
	queued := entryOf(t, s, sid).Forwarded
	go func() {
		p, err := askSession[*Project](bCtx, s, sid, bMsg)
		bDone <- outcome1[*Project]{p, err}
	}()
	waitEntry(t, s, sid, "B to wait behind A", func(v entryView) bool { return v.Forwarded == queued+1 })
	aCtx.expire()
	bCtx.expire()

	a, b := within(t, aDone, "A"), within(t, bDone, "B")
	require.NoError(t, a.err, "A had started: its asker waits for the outcome")
	assert.Equal(t, aMsg.ProjectID, a.v.ProjectID)
	want := aMsg.ProjectID
	if b.err == nil {
		// B was claimed before its asker gave up (A finished first on a
		// slow machine): then it is the real outcome.
		want = bMsg.ProjectID
	} else {
		require.ErrorIs(t, b.err, ErrUnavailable)
	}
	info, err := s.Info(ctx, sid)
	require.NoError(t, err)
	require.NotNil(t, info.ProjectID)
	assert.Equal(t, want, *info.ProjectID, "the project open is the last one answered as opened")
	found, err := s.FindProject(ctx, bMsg.ProjectID)
	if b.err != nil {
		assert.ErrorIs(t, err, ErrProjectNotFound, "B was never opened anywhere")
	} else {
		assert.Equal(t, sid, found)
	}
}

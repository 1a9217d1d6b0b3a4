package test

import (
	"context"
	"errors"
	"log/slog"
	nethttp "net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors/store"
)

// durableServer is a test server whose sessions and saved projects live in
// a store in a data directory, so that a test can stop it and start another
// one on the same data, as the binary does across a restart.
type durableServer struct {
	*server
	store *store.Store
}

// startDurable starts a server with a store in dir (t.TempDir() when "").
func startDurable(tb testing.TB, dir string, opts ...func(*serverOptions)) *durableServer {
	tb.Helper()
	if dir == "" {
		dir = tb.TempDir()
	}
	var st *store.Store
	all := append([]func(*serverOptions){withStore(tb, dir, &st)}, opts...)
	s := startServer(tb, all...)
	return &durableServer{server: s, store: st}
}

// withStore opens a store in dir for the server's sessions. Options run
// before startServer registers its own cleanup, so the cleanup registered
// here runs after it: the store closes once the sessions have stopped.
func withStore(tb testing.TB, dir string, out **store.Store) func(*serverOptions) {
	return func(o *serverOptions) {
		st, err := store.Open(dir, store.Options{Logger: slog.New(slog.DiscardHandler)})
		require.NoError(tb, err)
		tb.Cleanup(func() { closeStore(tb, st) })
		o.actors.Store = st
		*out = st
	}
}

// stop stops the sessions, which flush to the store, then closes the store:
// the binary's shutdown order. The old listener keeps answering (503) until
// the test ends; a restarted server gets a new port.
func (d *durableServer) stop(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(tb, d.sessions.Stop(ctx))
	closeStore(tb, d.store)
}

// closeStore closes st; closing it again (a test stopped it already) is fine.
func closeStore(tb testing.TB, st *store.Store) {
	if err := st.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
		tb.Errorf("close store: %v", err)
	}
}

// sessionState is what a client can see of a session, to compare across a
// restart.
type sessionState struct {
	tree map[string]any
	info map[string]any
}

func (s *server) state(tb testing.TB, sid string) sessionState {
	tb.Helper()
	info := s.ok(tb, nethttp.StatusOK, "GET", "/sessions/"+sid+"/info", nil)
	// Activity times are not state: reading the info after a restart counts
	// as activity.
	delete(info, "last_activity")
	delete(info, "active_clients")
	st := sessionState{info: info}
	if info["has_project"] == true {
		st.tree = s.tree(tb, sid)
	}
	return st
}

// TestRestartKeepsSessions runs commands (leaving both undo and redo
// available), restarts on the same data directory and checks that the
// session answers exactly as before, and that its history still works.
func TestRestartKeepsSessions(t *testing.T) {
	dir := t.TempDir()
	a := startDurable(t, dir)

	p := a.newProject(t, "1969 Camaro")
	phase := a.createNode(t, p.sid, p.root, "phase", "Bodywork")
	job := a.createNode(t, p.sid, phase, "job", "Rust repair")
	task := a.createNode(t, p.sid, job, "task", "Cut out floor pans")
	retried := map[string]any{"session_id": p.sid, "command_id": "cost-1", "command_type": "UpdateProperty",
		"data": map[string]any{"node_id": task, "property_id": "cost", "value": "249.99"}}
	first := a.ok(t, nethttp.StatusOK, "POST", "/commands/execute", retried)
	a.execute(t, p.sid, "RenameNode", map[string]any{"node_id": job, "name": "Rust repair, floors"})
	a.execute(t, p.sid, "RenameNode", map[string]any{"node_id": phase, "name": "Body and paint"})
	a.ok(t, nethttp.StatusOK, "POST", "/sessions/"+p.sid+"/undo", nil) // phase name back; redo available
	saved := a.ok(t, nethttp.StatusOK, "POST", "/projects/"+p.pid+"/save", map[string]any{"session_id": p.sid})
	empty := a.ok(t, nethttp.StatusCreated, "POST", "/sessions", nil)["session_id"].(string)

	before := a.state(t, p.sid)
	require.Equal(t, true, before.info["undo_available"])
	require.Equal(t, true, before.info["redo_available"])
	beforeEmpty := a.state(t, empty)
	require.Equal(t, false, beforeEmpty.info["has_project"])
	beforeList := a.ok(t, nethttp.StatusOK, "GET", "/projects", nil)
	beforeEvents := a.ok(t, nethttp.StatusOK, "GET", "/sessions/"+p.sid+"/events?after_seq=0", nil)
	a.stop(t)

	b := startDurable(t, dir)
	after := b.state(t, p.sid)
	assert.Equal(t, before.tree, after.tree, "same graph at the same seq")
	assert.Equal(t, before.info, after.info, "same seq, node count and undo/redo availability")
	assert.Equal(t, beforeEmpty, b.state(t, empty), "a session without a project comes back too")
	assert.Equal(t, beforeList, b.ok(t, nethttp.StatusOK, "GET", "/projects", nil), "saved projects survive")
	assert.Equal(t, saved["saved_at"], b.ok(t, nethttp.StatusOK, "GET", "/projects", nil)["projects"].([]any)[0].(map[string]any)["updated_at"])

	assert.Equal(t, beforeEvents, b.ok(t, nethttp.StatusOK, "GET", "/sessions/"+p.sid+"/events?after_seq=0", nil),
		"the event history comes back, for clients catching up across the restart")

	// A retry of a command answered before the restart is answered again,
	// not applied twice.
	again := b.ok(t, nethttp.StatusOK, "POST", "/commands/execute", retried)
	assert.Equal(t, first["command_id"], again["command_id"])
	assert.Equal(t, first["seq"], again["seq"])
	assert.Equal(t, before.tree, b.tree(t, p.sid), "the retry changed nothing")

	got := b.ok(t, nethttp.StatusOK, "GET", "/projects/"+p.pid, nil)
	assert.Equal(t, true, got["open"], "the restored session still has the project open")
	assert.Equal(t, seqOf(t, before.tree["seq"]), seqOf(t, got["seq"]))

	// The history came back with the graph: redo renames the phase again,
	// and undo walks back past the restart.
	seq := seqOf(t, before.tree["seq"])
	redone := b.ok(t, nethttp.StatusOK, "POST", "/sessions/"+p.sid+"/redo", nil)
	assert.Equal(t, "Body and paint", findNode(rootsOf(t, redone["graph"]), phase)["name"])
	assert.Greater(t, seqOf(t, redone["seq"]), seq, "seq goes on from where it was")
	b.ok(t, nethttp.StatusOK, "POST", "/sessions/"+p.sid+"/undo", nil)
	undone := b.ok(t, nethttp.StatusOK, "POST", "/sessions/"+p.sid+"/undo", nil)
	roots := rootsOf(t, undone["graph"])
	assert.Equal(t, "Rust repair", findNode(roots, job)["name"], "undo reaches commands from before the restart")
	assert.Equal(t, "Bodywork", findNode(roots, phase)["name"])

	// The events a client missed across the restart are still there.
	events := b.ok(t, nethttp.StatusOK, "GET", "/sessions/"+p.sid+"/events?after_seq=0", nil)
	assert.Equal(t, seqOf(t, undone["seq"]), seqOf(t, events["seq"]))
	assert.NotEmpty(t, events["events"])
}

// TestRestartTwice checks that a restored session keeps journaling: work
// done after the first restart survives the second.
func TestRestartTwice(t *testing.T) {
	dir := t.TempDir()
	a := startDurable(t, dir)
	p := a.newProject(t, "Book")
	a.createNode(t, p.sid, p.root, "phase", "Draft")
	a.stop(t)

	b := startDurable(t, dir)
	later := b.createNode(t, p.sid, p.root, "phase", "Edit")
	want := b.state(t, p.sid)
	b.stop(t)

	c := startDurable(t, dir)
	assert.Equal(t, want, c.state(t, p.sid))
	require.NotNil(t, findNode(rootsOf(t, c.tree(t, p.sid)), later))
}

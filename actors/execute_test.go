package actors

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

func TestExecuteEmitsEvents(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	q, j := joinQueue(t, s, sid, "c1", 64)
	assert.Equal(t, uint64(1), j.Seq)
	assert.Equal(t, 1, j.ActiveClients)

	res, err := s.Execute(ctx, sid, ExecuteRequest{
		CommandID: "cmd-1",
		Command:   model.CreateNode{ParentID: root, Type: "phase", Name: "Body"},
	})
	require.NoError(t, err)
	assert.Equal(t, "cmd-1", res.CommandID)
	assert.Equal(t, model.CmdCreateNode, res.CommandType)
	assert.NotEmpty(t, res.NodeID)
	assert.Equal(t, res.NodeID, res.Result)
	assert.True(t, res.UndoAvailable)
	assert.False(t, res.RedoAvailable)
	assert.True(t, res.Roots.IsZero(), "no graph unless asked")

	evs := take(t, q, 4)
	assert.Equal(t, []string{
		model.EventSessionConnected,
		model.EventCommandExecuting,
		model.EventNodeCreated,
		model.EventCommandExecuted,
	}, names(evs))
	requireSeqs(t, evs, 2)
	assert.Equal(t, res.Seq, evs[3].Seq)
	assert.Empty(t, evs[0].CommandID)
	for _, ev := range evs[1:] {
		assert.Equal(t, "cmd-1", ev.CommandID)
	}

	var created map[string]any
	require.NoError(t, json.Unmarshal(evs[2].JSON, &created))
	assert.Equal(t, model.EventNodeCreated, created["event"])
	assert.Equal(t, sid, created["session_id"])
	assert.Equal(t, evs[2].ProjectID, created["project_id"])
	assert.EqualValues(t, evs[2].Seq, created["seq"])
	assert.Equal(t, "cmd-1", created["command_id"])
	assert.Equal(t, res.NodeID, created["node_id"], "payload fields are flat")
	assert.Equal(t, "Body", created["name"])
	ts, err := time.Parse(time.RFC3339, created["timestamp"].(string))
	require.NoError(t, err)
	assert.Equal(t, time.UTC, ts.Location())

	var executed map[string]any
	require.NoError(t, json.Unmarshal(evs[3].JSON, &executed))
	assert.Equal(t, model.CmdCreateNode, executed["command_type"])
	assert.Equal(t, res.NodeID, executed["result"])

	withGraph, err := s.Execute(ctx, sid, ExecuteRequest{
		Command:      model.RenameNode{NodeID: res.NodeID, Name: "Paint"},
		IncludeGraph: true,
	})
	require.NoError(t, err)
	assert.NotEmpty(t, withGraph.CommandID, "the session makes an id")
	assert.Equal(t, tree(t, s, sid).Roots, withGraph.Roots)
	assert.Equal(t, "Paint", forest(t, withGraph.Roots)[0].Children[0].Name)
}

func TestCommandFailed(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	q, _ := joinQueue(t, s, sid, "c1", 64)
	take(t, q, 1) // its own session:connected
	before := tree(t, s, sid)

	tests := []struct {
		name string
		cmd  model.Command
		code string
	}{
		{"task under root", model.CreateNode{ParentID: root, Type: "task", Name: "x"}, wire.CodeInvalidCommand},
		{"missing node", model.RenameNode{NodeID: "missing", Name: "x"}, wire.CodeNodeNotFound},
		{"blank name", model.RenameNode{NodeID: root, Name: " "}, wire.CodeInvalidCommand},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Execute(ctx, sid, ExecuteRequest{CommandID: tt.name, Command: tt.cmd})
			require.Error(t, err)
			assert.Equal(t, tt.code, wire.Code(err))

			evs := takeUntil(t, q, model.EventCommandFailed)
			require.Len(t, evs, 2)
			assert.Equal(t, model.EventCommandExecuting, evs[0].Name)
			var failed struct {
				CommandType string     `json:"command_type"`
				CommandID   string     `json:"command_id"`
				Error       wire.Error `json:"error"`
			}
			require.NoError(t, json.Unmarshal(evs[1].JSON, &failed))
			assert.Equal(t, tt.cmd.CommandType(), failed.CommandType)
			assert.Equal(t, tt.name, failed.CommandID)
			assert.Equal(t, tt.code, failed.Error.Code)
			assert.Equal(t, wire.From(err).Message, failed.Error.Message)
		})
	}
	after := tree(t, s, sid)
	assert.Equal(t, before.Roots, after.Roots)
	assert.Equal(t, before.Seq+2*uint64(len(tests)), after.Seq, "failures are numbered events too")

	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	assert.False(t, in.UndoAvailable, "a failed command is not undoable")

	_, err = s.Execute(ctx, sid, ExecuteRequest{CommandID: "missing", Command: model.RenameNode{NodeID: "missing", Name: "y"}})
	assert.ErrorIs(t, err, model.ErrNodeNotFound, "failures are not remembered: a retry runs again")

	_, err = s.Execute(ctx, sid, ExecuteRequest{Command: nil})
	assert.Equal(t, wire.CodeInvalidRequest, wire.Code(err))
	_, err = s.Execute(ctx, sid, ExecuteRequest{Command: (*model.RenameNode)(nil)})
	assert.Equal(t, wire.CodeInvalidRequest, wire.Code(err))
	_, err = s.Execute(ctx, sid, ExecuteRequest{CommandID: string(make([]byte, wire.MaxCommandIDLen+1)), Command: model.RenameNode{NodeID: root, Name: "x"}})
	assert.Equal(t, wire.CodeInvalidRequest, wire.Code(err))
	// The bound is in characters (SPEC §2): 128 two-byte characters pass.
	_, err = s.Execute(ctx, sid, ExecuteRequest{CommandID: strings.Repeat("é", wire.MaxCommandIDLen), Command: model.RenameNode{NodeID: root, Name: "x"}})
	assert.NoError(t, err)
}

// TestConcurrentExecute hammers one session from many goroutines: every
// command is applied exactly once and the events are numbered without gap.
func TestConcurrentExecute(t *testing.T) {
	const writers, perWriter = 100, 3
	s := start(t, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	q, j := joinQueue(t, s, sid, "watcher", 4*writers*perWriter+16)

	var wg sync.WaitGroup
	results := make(chan *Executed, writers*perWriter)
	errs := make(chan error, writers*perWriter)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				res, err := s.Execute(ctx, sid, ExecuteRequest{
					CommandID: fmt.Sprintf("w%d-%d", w, i),
					Command:   model.CreateNode{ParentID: root, Type: "phase", Name: fmt.Sprintf("phase %d-%d", w, i)},
				})
				if err != nil {
					errs <- err
					continue
				}
				results <- res
			}
		}()
	}
	wg.Wait()
	close(results)
	close(errs)
	for err := range errs {
		t.Errorf("execute: %v", err)
	}

	n := writers * perWriter
	seqs := map[uint64]bool{}
	nodes := map[string]bool{}
	for res := range results {
		assert.False(t, seqs[res.Seq], "seq %d answered twice", res.Seq)
		seqs[res.Seq] = true
		nodes[res.NodeID] = true
	}
	require.Len(t, nodes, n, "every command made its own node")

	// 1 session:connected, then executing + node-created + executed each.
	evs := take(t, q, 1+3*n)
	requireSeqs(t, evs, j.Seq+1)
	created := 0
	for i := 1; i < len(evs); i += 3 {
		assert.Equal(t, model.EventCommandExecuting, evs[i].Name)
		assert.Equal(t, model.EventNodeCreated, evs[i+1].Name)
		assert.Equal(t, model.EventCommandExecuted, evs[i+2].Name)
		assert.Equal(t, evs[i].CommandID, evs[i+2].CommandID, "a command's events are not interleaved")
		assert.True(t, seqs[evs[i+2].Seq], "the reply's seq is its command:executed")
		created++
	}
	assert.Equal(t, n, created)

	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	assert.Equal(t, n+1, in.NodeCount)
	assert.Equal(t, evs[len(evs)-1].Seq, in.Seq)

	tr := tree(t, s, sid)
	require.Len(t, forest(t, tr.Roots), 1)
	require.Len(t, forest(t, tr.Roots)[0].Children, n)
	for _, c := range forest(t, tr.Roots)[0].Children {
		assert.True(t, nodes[c.ID])
	}

	replayed, seq, err := allEventsAfter(ctx, s, sid, 0)
	require.NoError(t, err)
	assert.Equal(t, in.Seq, seq)
	requireSeqs(t, replayed, 1)
	assert.Equal(t, evs, replayed[j.Seq:], "history holds the same events subscribers got")
}

func TestCommandIDRetry(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	req := ExecuteRequest{CommandID: "once", Command: model.CreateNode{ParentID: root, Type: "phase", Name: "Body"}}

	first, err := s.Execute(ctx, sid, req)
	require.NoError(t, err)
	before := tree(t, s, sid)

	again, err := s.Execute(ctx, sid, req)
	require.NoError(t, err)
	assert.Equal(t, first, again)

	req.IncludeGraph = true
	withGraph, err := s.Execute(ctx, sid, req)
	require.NoError(t, err)
	assert.Equal(t, first.Seq, withGraph.Seq)
	assert.Equal(t, first.NodeID, withGraph.NodeID)
	assert.Equal(t, before.Roots, withGraph.Roots)

	after := tree(t, s, sid)
	assert.Equal(t, before, after, "a retry changes nothing and emits nothing")

	// Undo and redo carry their own ids: a retried undo is not applied twice.
	u1, err := s.Undo(ctx, sid, "undo-1", true)
	require.NoError(t, err)
	u2, err := s.Undo(ctx, sid, "undo-1", true)
	require.NoError(t, err)
	assert.Equal(t, u1.Seq, u2.Seq)
	assert.Equal(t, u1.Roots, u2.Roots)
	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	assert.Equal(t, u1.Seq, in.Seq)
	assert.Equal(t, 1, in.NodeCount)
}

func TestCommandIDLimit(t *testing.T) {
	s := start(t, Config{CommandIDLimit: 2})
	ctx := context.Background()
	sid, root := project(t, s)
	run := func(id string) *Executed {
		res, err := s.Execute(ctx, sid, ExecuteRequest{CommandID: id, Command: model.CreateNode{ParentID: root, Type: "phase", Name: id}})
		require.NoError(t, err)
		return res
	}
	a := run("a")
	run("b")
	assert.Equal(t, a.Seq, run("a").Seq, "a is remembered")
	run("c") // evicts b, the least recently used
	assert.Equal(t, a.Seq, run("a").Seq)
	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	assert.Equal(t, 4, in.NodeCount)
	run("b")
	in, err = s.Info(ctx, sid)
	require.NoError(t, err)
	assert.Equal(t, 5, in.NodeCount, "a forgotten id runs again")
}

func TestPanicInCommand(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	other, otherRoot := project(t, s)
	createPhase(t, s, sid, root, "Body")
	q, _ := joinQueue(t, s, sid, "c1", 64)
	before := tree(t, s, sid)
	otherBefore := tree(t, s, other)

	_, err := s.Execute(ctx, sid, ExecuteRequest{CommandID: "p", Command: panicky{NodeID: root}})
	require.Error(t, err)
	assert.ErrorIs(t, err, model.ErrInternal)
	assert.Equal(t, wire.CodeInternal, wire.Code(err))
	assert.NotContains(t, wire.From(err).Message, "boom", "no internals reach a client")

	after := tree(t, s, sid)
	assert.Equal(t, before.Roots, after.Roots, "the half-done rename was rolled back")
	evs := takeUntil(t, q, model.EventCommandFailed)
	assert.Equal(t, []string{model.EventSessionConnected, model.EventCommandExecuting, model.EventCommandFailed}, names(evs))
	requireSeqs(t, evs, before.Seq) // session:connected is before.Seq
	assert.Equal(t, after.Seq, evs[len(evs)-1].Seq)
	assert.Contains(t, string(evs[2].JSON), `"code":"INTERNAL_ERROR"`)
	assert.NotContains(t, string(evs[2].JSON), "boom")
	history, _, err := allEventsAfter(ctx, s, sid, before.Seq-1)
	require.NoError(t, err)
	assert.Equal(t, evs, history, "history matches what subscribers got")

	// A panic outside model.Apply is caught by the session itself.
	_, err = s.Execute(ctx, sid, ExecuteRequest{Command: badType{}})
	assert.ErrorIs(t, err, model.ErrInternal)
	assert.Equal(t, after, tree(t, s, sid))

	// The session still serves, and the other one was never touched.
	createPhase(t, s, sid, root, "Engine")
	evs = takeUntil(t, q, model.EventCommandExecuted)
	requireSeqs(t, evs, after.Seq+1)
	assert.Equal(t, otherBefore, tree(t, s, other))
	createPhase(t, s, other, otherRoot, "Other")
	res, err := s.Undo(ctx, sid, "", true)
	require.NoError(t, err)
	assert.Equal(t, model.CmdCreateNode, res.CommandType, "the failed commands never reached the undo stack")
}

func TestUnavailable(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := s.Execute(ctx, sid, ExecuteRequest{CommandID: "slow", Command: blocking{NodeID: root, started: started, release: release}})
		done <- err
	}()
	select {
	case <-started:
	case <-time.After(waitLimit):
		t.Fatal("blocking command never ran")
	}

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err := s.Info(short, sid)
	assert.ErrorIs(t, err, ErrUnavailable)
	assert.Equal(t, wire.CodeUnavailable, wire.Code(err))

	close(release)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(waitLimit):
		t.Fatal("blocking command never finished")
	}
	assert.Equal(t, "released", forest(t, tree(t, s, sid).Roots)[0].Name)
}

func TestUndoRedo(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	q, _ := joinQueue(t, s, sid, "c1", 64)

	_, err := s.Undo(ctx, sid, "", true)
	assert.ErrorIs(t, err, model.ErrNothingToUndo)
	assert.Equal(t, wire.CodeNothingToUndo, wire.Code(err))
	_, err = s.Redo(ctx, sid, "", true)
	assert.ErrorIs(t, err, model.ErrNothingToRedo)
	assert.Equal(t, wire.CodeNothingToRedo, wire.Code(err))

	empty := tree(t, s, sid)
	created := createPhase(t, s, sid, root, "Body")
	full := tree(t, s, sid)
	takeUntil(t, q, model.EventCommandExecuted)

	u, err := s.Undo(ctx, sid, "u1", true)
	require.NoError(t, err)
	assert.Equal(t, "u1", u.CommandID)
	assert.Equal(t, model.CmdCreateNode, u.CommandType)
	assert.False(t, u.UndoAvailable)
	assert.True(t, u.RedoAvailable)
	assert.Equal(t, empty.Roots, u.Roots, "undo restores the graph and carries it")
	evs := takeUntil(t, q, model.EventCommandUndo)
	assert.Equal(t, []string{model.EventNodeDeleted, model.EventCommandUndo}, names(evs))
	requireSeqs(t, evs, full.Seq+1)
	assert.Equal(t, u.Seq, evs[1].Seq)
	for _, ev := range evs {
		assert.Equal(t, "u1", ev.CommandID)
	}
	assert.Contains(t, string(evs[1].JSON), `"command_type":"CreateNode"`)

	r, err := s.Redo(ctx, sid, "", true)
	require.NoError(t, err)
	assert.Equal(t, full.Roots, r.Roots)
	assert.True(t, r.UndoAvailable)
	assert.False(t, r.RedoAvailable)
	evs = takeUntil(t, q, model.EventCommandRedo)
	assert.Equal(t, []string{model.EventNodeCreated, model.EventCommandRedo}, names(evs))
	assert.Contains(t, string(evs[0].JSON), created.NodeID, "redo brings back the same node")

	_, err = s.Undo(ctx, sid, "", true)
	require.NoError(t, err)
	createPhase(t, s, sid, root, "Engine")
	_, err = s.Redo(ctx, sid, "", true)
	assert.ErrorIs(t, err, model.ErrNothingToRedo, "a new command clears the redo stack")
}

func TestUndoLimit(t *testing.T) {
	s := start(t, Config{UndoLimit: 3})
	ctx := context.Background()
	sid, root := project(t, s)
	for i := range 5 {
		createPhase(t, s, sid, root, fmt.Sprintf("p%d", i))
	}
	for range 3 {
		_, err := s.Undo(ctx, sid, "", true)
		require.NoError(t, err)
	}
	_, err := s.Undo(ctx, sid, "", true)
	assert.ErrorIs(t, err, model.ErrNothingToUndo)

	tr := tree(t, s, sid)
	var left []string
	for _, c := range forest(t, tr.Roots)[0].Children {
		left = append(left, c.Name)
	}
	assert.Equal(t, []string{"p0", "p1"}, left, "the oldest steps were dropped, not the newest")

	for range 3 {
		_, err := s.Redo(ctx, sid, "", true)
		require.NoError(t, err)
	}
	_, err = s.Redo(ctx, sid, "", true)
	assert.ErrorIs(t, err, model.ErrNothingToRedo)
	var all []string
	for _, c := range forest(t, tree(t, s, sid).Roots)[0].Children {
		all = append(all, c.Name)
	}
	sort.Strings(all)
	assert.Equal(t, []string{"p0", "p1", "p2", "p3", "p4"}, all)
}

// panicAfterApply is a test command that applies cleanly (a rename);
// panicJournal makes journaling it panic.
type panicAfterApply struct{ NodeID string }

func (panicAfterApply) CommandType() string { return "PanicAfterApply" }
func (c panicAfterApply) Apply(tx *model.Tx) (any, error) {
	return nil, tx.Rename(c.NodeID, "applied")
}

// panicJournal panics as a panicAfterApply is about to be journaled: after
// the command was applied, before anything of it is durable.
func panicJournal(rec *record) {
	if rec.CommandType == "PanicAfterApply" {
		panic("journaling failed")
	}
}

// TestPanicAfterApply: a panic after the graph changed but before the
// change was journaled takes the change back with its events: the asker
// gets INTERNAL_ERROR, nothing is published, and memory equals the journal,
// before and after a restart.
func TestPanicAfterApply(t *testing.T) {
	cfg := Config{beforeJournal: panicJournal}
	s, st := startDurable(t, t.TempDir(), cfg)
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "Body")
	q, _ := joinQueue(t, s, sid, "c1", 64)
	before := observe(t, s, sid)

	_, err := s.Execute(ctx, sid, ExecuteRequest{CommandID: "p", Command: panicAfterApply{NodeID: root}})
	require.ErrorIs(t, err, model.ErrInternal)
	assert.Equal(t, wire.CodeInternal, wire.Code(err))

	after := observe(t, s, sid)
	requireSameState(t, before, after)
	assert.Equal(t, "Mustang", forest(t, after.Tree.Roots)[0].Name, "the rename was taken back")
	evs, _, err := allEventsAfter(ctx, s, sid, before.Info.Seq)
	require.NoError(t, err)
	assert.Empty(t, evs, "no event of the failed command")

	engine := createPhase(t, s, sid, root, "Engine")
	evs = takeUntil(t, q, model.EventCommandExecuted)
	require.Equal(t, model.EventSessionConnected, evs[0].Name)
	for _, ev := range evs {
		assert.NotEqual(t, "p", ev.CommandID, "nothing of the failed command was published (%s)", ev.Name)
	}
	requireSeqs(t, evs, before.Info.Seq) // session:connected is before's last event
	assert.Equal(t, engine.Seq, evs[len(evs)-1].Seq, "its seqs were given back")
	res, err := s.Undo(ctx, sid, "", true)
	require.NoError(t, err)
	assert.Equal(t, model.CmdCreateNode, res.CommandType)
	want := observe(t, s, sid)

	s2, _ := restart(t, s, st, cfg)
	requireSameState(t, want, observe(t, s2, sid))
}

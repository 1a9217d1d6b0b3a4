package actors

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/jsonx"
	"github.com/talus-tally/server/model/wire"
)

// TestPayloadsMatchEncodingJSON: the session's payloads write what
// json.Marshal writes for them, byte for byte.
func TestPayloadsMatchEncodingJSON(t *testing.T) {
	roots, err := wire.RootsFrom([]model.TreeNode{{ID: "r", Name: "Car", Type: "project_root", Properties: map[string]any{"vin": "1<2"}, Children: []model.TreeNode{}}})
	require.NoError(t, err)
	for i, p := range []jsonx.Appender{
		CommandExecuting{CommandType: "CreateNode"},
		CommandExecuted{CommandType: "CreateNode", Result: "n<1>"},
		CommandExecuted{CommandType: "Batch", Result: []any{"a", nil}},
		CommandExecuted{CommandType: "RenameNode"},
		CommandUndoRedo{CommandType: "MoveNode"},
		SessionClient{ClientID: "c\u2028", ClientCount: 3},
		ProjectSaved{SavedAt: "2026-12-02T10:00:00.000Z"},
		ProjectLoaded{Graph: wire.NewGraph(roots)},
		ProjectLoaded{Graph: wire.NewGraph(wire.Roots{})},
	} {
		t.Run(fmt.Sprintf("%d %T", i, p), func(t *testing.T) {
			want, err := json.Marshal(p)
			require.NoError(t, err)
			got, err := p.AppendJSON(nil)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}

// TestRecordMatchesEncodingJSON: a journal record's own JSON is
// json.Marshal's, so records written before and after read the same.
func TestRecordMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 11, 12, 13456789, time.UTC)
	evs := []json.RawMessage{json.RawMessage(`{"event":"graph:node-updated","seq":1}`), json.RawMessage(`{"event":"command:executed","seq":2}`)}
	for i, r := range []record{
		{Kind: recCommand, At: at, CommandID: "c-1", CommandType: "RenameNode",
			Ops:    []model.Op{{Kind: model.OpRename, NodeID: "n", OldName: "a", NewName: "b"}},
			Result: &Executed{CommandID: "c-1", CommandType: "RenameNode", Seq: 2, UndoAvailable: true}, Events: evs},
		{Kind: recUndo, At: at, Step: "c-1", Events: evs[:1]},
		{Kind: recEvents, At: at, Events: []json.RawMessage{}},
		{Kind: recEvents, At: at},
	} {
		t.Run(fmt.Sprint(i, r.Kind), func(t *testing.T) {
			want, err := json.Marshal(&r)
			require.NoError(t, err)
			got, err := r.AppendJSON(nil)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}

// TestBodyMatchesEncodingJSON: a checkpoint's body, written straight from
// the session, is the bytes json.Marshal writes for its snapshotBody.
func TestBodyMatchesEncodingJSON(t *testing.T) {
	cfg := Config{}
	s, st := startDurable(t, t.TempDir(), cfg)
	ctx := context.Background()
	sid, root := project(t, s)
	body := createPhase(t, s, sid, root, "Body")
	_, err := s.Execute(ctx, sid, ExecuteRequest{CommandID: "c-1", Command: model.UpdateProperty{NodeID: body.NodeID, PropertyID: "status", Value: "Planned"}})
	require.NoError(t, err)
	_, err = s.Undo(ctx, sid, "", false)
	require.NoError(t, err)
	cfg.Store, cfg.Catalog = st, testCatalog(t)
	copied := newSession(sessionArgs{id: sid, cfg: cfg.withDefaults(), restoring: true})
	require.NoError(t, copied.restore())
	require.NotEmpty(t, copied.redo.steps)
	require.NotEmpty(t, copied.commandIDs.order.Len())

	for _, sess := range []*session{copied, newSession(sessionArgs{id: "empty", cfg: cfg.withDefaults()})} {
		want := snapshotBody{}
		for _, x := range sess.undo.steps {
			want.Undo = append(want.Undo, stepJSON{CommandID: x.commandID, CommandType: x.commandType, Ops: x.ops})
		}
		for _, x := range sess.redo.steps {
			want.Redo = append(want.Redo, stepJSON{CommandID: x.commandID, CommandType: x.commandType, Ops: x.ops})
		}
		if want.Undo == nil {
			want.Undo = []stepJSON{}
		}
		if want.Redo == nil {
			want.Redo = []stepJSON{}
		}
		if sess.graph != nil {
			want.Graph = sess.graph.ToFile(sess.projectID, sess.projectName, sess.tmpl.ID)
		}
		for _, ev := range sess.history.ordered() {
			want.History = append(want.History, ev.JSON)
		}
		for el := sess.commandIDs.order.Back(); el != nil; el = el.Prev() {
			c := el.Value.(*cachedResult)
			want.CommandIDs = append(want.CommandIDs, cachedJSON{ID: c.id, Result: c.res})
		}
		wantJSON, err := json.Marshal(want)
		require.NoError(t, err)
		got, err := sess.appendBody(nil)
		require.NoError(t, err)
		assert.Equal(t, string(wantJSON), string(got))
	}
}

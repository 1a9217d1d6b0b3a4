package actors

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors/store"
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

// TestRecordRebuildsEvents: a journal record keeps its events without the
// envelope they share, and replay rebuilds every one byte for byte: events
// of the record's command and of none, one of another project and one read
// back from storage (those two kept whole).
func TestRecordRebuildsEvents(t *testing.T) {
	s, root := fuzzSession(t)
	s.emit(model.EventCommandExecuting, "c1", CommandExecuting{CommandType: model.CmdRenameNode})
	applied, err := s.graph.Apply(model.RenameNode{NodeID: root, Name: "Renamed <1>"})
	require.NoError(t, err)
	for _, ev := range applied.Events {
		s.emit(ev.Name, "c1", ev.Data)
	}
	s.emit(model.EventSessionConnected, "", SessionClient{ClientID: "k", ClientCount: 1})
	s.emit(model.EventCommandFailed, "c0", CommandFailed{CommandType: "X", Error: wire.Error{Code: "INVALID_COMMAND", Message: "no"}})
	s.projectID = "p2"
	s.emit(model.EventProjectSaved, "", ProjectSaved{SavedAt: "2026-12-02T10:00:00.000Z"})
	s.projectID = "p1"
	s.emit(model.EventCommandExecuted, "c1", CommandExecuted{CommandType: model.CmdRenameNode, Result: []any{"a", nil}})
	s.pending[1].fields = 0 // as if read back from storage

	rec := record{Kind: recEvents, At: time.Now().UTC(), CommandID: "c1", ProjectID: s.projectID, Events: s.pending}
	data, err := rec.AppendJSON(nil, s.id)
	require.NoError(t, err)
	require.True(t, json.Valid(data), "%s", data)
	assert.Equal(t, 2, strings.Count(string(data), s.id), "only the events kept whole name the session")
	size := 0
	for _, ev := range s.pending {
		size += len(ev.JSON)
	}
	assert.Less(t, len(data), size, "smaller than the events it holds")

	copied, _ := fuzzSession(t)
	require.NoError(t, copied.replay(store.Record{SessionID: s.id, Seq: s.seq, Data: data}))
	got := copied.history.ordered()
	require.Len(t, got, len(s.pending))
	for i, ev := range s.pending {
		assert.Equal(t, string(ev.JSON), string(got[i].JSON), "event %d", i)
		assert.Equal(t, ev.header(), got[i].header(), "event %d", i)
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

package model

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpsMatchEncodingJSON: an op's own JSON is json.Marshal's, byte for
// byte, whichever fields it leaves empty.
func TestOpsMatchEncodingJSON(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 11, 12, 13e6, time.UTC)
	ops := []Op{
		{Kind: OpSetProp, NodeID: "n", Prop: "cost", Old: json.Number("1.50"), HadOld: true, New: json.Number("2")},
		{Kind: OpSetProp, NodeID: "n", Prop: "status", New: "Done"},
		{Kind: OpDelProp, NodeID: "n", Prop: "x", Old: map[string]any{"a": []any{true}}},
		{Kind: OpRename, NodeID: "n", OldName: "a<b", NewName: "c"},
		{Kind: OpAttach, NodeID: "c", ParentID: "p", Index: 2},
		{Kind: OpDetach, NodeID: "c", ParentID: "p", Index: 1, RootIndex: 4},
		{Kind: OpAdd, ParentID: "p", Index: -1, Nodes: []Node{
			{ID: "a", Type: "phase", Name: "A", ParentID: "p", Children: []string{"b"}, Properties: map[string]any{"s": "x"}, CreatedAt: at},
			{ID: "b", Type: "job", Name: "", ParentID: "a", Children: []string{}, CreatedAt: at},
		}},
		{Kind: OpRemove, NodeID: "r", Nodes: []Node{{ID: "r", Type: "project_root"}}},
		{},
	}
	for i, op := range ops {
		t.Run(fmt.Sprintf("%d %s", i, op.Kind), func(t *testing.T) {
			want, err := json.Marshal(op)
			require.NoError(t, err)
			got, err := op.AppendJSON(nil)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}

// TestAppendFileMatchesToFile: the graph written as a file is the bytes
// json.Marshal writes for its ToFile copy.
func TestAppendFileMatchesToFile(t *testing.T) {
	f := newFixture(t)
	_, err := f.g.Apply(UpdateProperty{NodeID: f.task, PropertyID: "cost", Value: json.Number("12.50")})
	require.NoError(t, err)
	for _, tc := range []struct{ pid, name, tid string }{{"p1", "Car <1>", f.g.Template().ID}, {"", "", ""}} {
		want, err := json.Marshal(f.g.ToFile(tc.pid, tc.name, tc.tid))
		require.NoError(t, err)
		got, err := f.g.AppendFile(nil, tc.pid, tc.name, tc.tid)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got))
	}
}

// TestAppendTreeMatchesTree: the forest encoded from the live graph is the
// bytes json.Marshal writes for its Tree copy, through every kind of
// change, a node with no property map included.
func TestAppendTreeMatchesTree(t *testing.T) {
	f := newFixture(t)
	check := func(t *testing.T) {
		t.Helper()
		want, err := json.Marshal(f.g.Tree())
		require.NoError(t, err)
		got, err := f.g.AppendTree([]byte("x"))
		require.NoError(t, err)
		assert.Equal(t, "x"+string(want), string(got))
	}
	check(t)
	steps := []Command{
		UpdateProperty{NodeID: f.task, PropertyID: "cost", Value: json.Number("12.50")},
		UpdateProperty{NodeID: f.job, PropertyID: "description", Value: "a \"quoted\" <note> & more\u2028"},
		RenameNode{NodeID: f.part, Name: "Sand\tpaper"},
		MoveNode{NodeID: f.job, NewParentID: f.engine},
		UnlinkNode{ParentID: f.kitPhase, ChildID: f.kitJob},
		DeleteNode{NodeID: f.body},
	}
	for _, cmd := range steps {
		_, err := f.g.Apply(cmd)
		require.NoError(t, err, cmd.CommandType())
		check(t)
	}
	f.g.nodes[f.root].props = nil // a node without properties
	check(t)
	empty, err := NewGraph(f.g.Template()).AppendTree(nil)
	require.NoError(t, err)
	assert.Equal(t, "[]", string(empty))
}

// TestVersionMoves: every change moves the version, one taken back too, so
// equal versions mean equal nodes; a refused command leaves it.
func TestVersionMoves(t *testing.T) {
	f := newFixture(t)
	v := f.g.Version()
	a, err := f.g.Apply(RenameNode{NodeID: f.task, Name: "Scrape"})
	require.NoError(t, err)
	assert.Greater(t, f.g.Version(), v)
	v = f.g.Version()
	_, err = f.g.ApplyOps(Invert(a.Ops))
	require.NoError(t, err)
	assert.Greater(t, f.g.Version(), v, "back as it was, yet not the same version")
	v = f.g.Version()
	_, err = f.g.Apply(RenameNode{NodeID: "ghost", Name: "x"})
	require.Error(t, err)
	assert.Equal(t, v, f.g.Version())
}

package model

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewProject(t *testing.T) {
	tm := restomod(t)
	g, root := NewProject(tm, "My Camaro")
	n, ok := g.Node(root)
	require.True(t, ok)
	assert.Equal(t, "My Camaro", n.Name)
	assert.Equal(t, "project_root", n.Type)
	assert.Nil(t, n.ParentID)
	assert.Empty(t, n.Properties, "vehicle is required but never blocks creation")
	assert.Len(t, root, 36, "default ids are UUIDs")
	assert.False(t, n.CreatedAt.IsZero())
	assert.Equal(t, []string{root}, g.Roots())
	assert.Equal(t, tm, g.Template())
}

func TestViewsAreCopies(t *testing.T) {
	f := newFixture(t)
	v, _ := f.g.Node(f.task)
	v.Children[0] = "x"
	v.Properties["notes"] = "x"
	tree := f.g.Tree()
	tree[0].Children[0].Name = "x"
	again, _ := f.g.Node(f.task)
	assert.Equal(t, []string{f.part}, again.Children)
	assert.NotContains(t, again.Properties, "notes")
	assert.Equal(t, "Body", f.g.Tree()[0].Children[0].Name)

	b, err := json.Marshal(f.g.Tree())
	require.NoError(t, err)
	assert.Contains(t, string(b), `"blueprint_type_id":"phase"`)
	assert.Contains(t, string(b), `"children":[]`)
}

func TestSearch(t *testing.T) {
	f := newFixture(t)
	_, err := f.g.Apply(UpdateProperty{NodeID: f.task, PropertyID: "cost", Value: "12.00"})
	require.NoError(t, err)
	_, err = f.g.Apply(UpdateProperty{NodeID: f.task, PropertyID: "status", Value: "Blocked"})
	require.NoError(t, err)
	ids := func(rs []SearchResult) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	tests := []struct {
		name string
		q    SearchQuery
		want []string
	}{
		{"everything in tree order", SearchQuery{}, []string{f.root, f.body, f.job, f.task, f.part, f.engine, f.kit, f.kitPhase, f.kitJob}},
		{"name substring, any case", SearchQuery{Query: "PA"}, []string{f.job, f.part}},
		{"type", SearchQuery{Type: "phase"}, []string{f.body, f.engine, f.kitPhase}},
		{"select by name", SearchQuery{Properties: map[string]any{"status": "Blocked"}}, []string{f.task}},
		{"currency by value", SearchQuery{Properties: map[string]any{"cost": json.Number("12")}}, []string{f.task}},
		{"no match", SearchQuery{Query: "zzz"}, []string{}},
		{"type and property", SearchQuery{Type: "part", Properties: map[string]any{"quantity": 1}}, []string{f.part}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, ids(f.g.Search(tc.q)))
		})
	}
	rs := f.g.Search(SearchQuery{Query: "paper"})
	require.Len(t, rs, 1)
	assert.Equal(t, []string{"Car", "Body", "Paint", "Sand", "Paper"}, rs[0].Path)
	assert.Equal(t, f.task, *rs[0].ParentID)
}

func TestApplyEventForms(t *testing.T) {
	f := newFixture(t)
	tree := f.g.Tree()
	a, err := f.g.Apply(Batch{Commands: []Command{
		CreateNode{ParentID: f.engine, Type: "job", Name: "J", Index: intp(0)},
		UpdateProperty{NodeID: f.engine, PropertyID: "start_date", Value: "2026-05-01"},
		MoveNode{NodeID: f.job, NewParentID: f.engine},
		DeleteNode{NodeID: f.kit},
	}})
	require.NoError(t, err)
	// As a client gets them: JSON.
	viaJSON := tree
	for _, ev := range a.Events {
		b, err := json.Marshal(ev.Data)
		require.NoError(t, err)
		var data map[string]any
		require.NoError(t, json.Unmarshal(b, &data))
		viaJSON, err = ApplyEvent(viaJSON, Event{Name: ev.Name, Data: data})
		require.NoError(t, err)
	}
	assert.Equal(t, f.g.Tree(), viaJSON)

	unchanged, err := ApplyEvent(viaJSON, Event{Name: EventCommandExecuted, Data: nil})
	require.NoError(t, err)
	assert.Equal(t, viaJSON, unchanged)
	_, err = ApplyEvent(viaJSON, Event{Name: EventNodeDeleted, Data: &NodeDeleted{NodeID: "ghost"}})
	assert.ErrorIs(t, err, ErrNodeNotFound)
	_, err = ApplyEvent(viaJSON, Event{Name: EventNodeCreated, Data: NodeCreated{Node: CreatedNode{ID: f.root}}})
	assert.Error(t, err)
}

package model

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCommandEffects applies each command to the fixture and checks its
// effect, its events (a client replaying them reaches the same tree), its
// undo (exactly the old graph, and the undo events lead back to the old
// tree) and its redo (the same graph again, with the same ids).
func TestCommandEffects(t *testing.T) {
	tests := []struct {
		name   string
		cmd    func(f fixture) Command
		events []string
		check  func(t *testing.T, f fixture, a Applied)
	}{
		{
			name:   "create phase with defaults",
			cmd:    func(f fixture) Command { return CreateNode{ParentID: f.root, Type: "phase", Name: "Interior"} },
			events: []string{EventNodeCreated},
			check: func(t *testing.T, f fixture, a Applied) {
				n, ok := f.g.Node(a.NodeID)
				require.True(t, ok)
				assert.Equal(t, a.NodeID, a.Result)
				assert.Equal(t, "Interior", n.Name)
				phase, _ := f.g.tmpl.NodeType("phase")
				status, _ := phase.Property("status")
				assert.Equal(t, map[string]any{"status": status.Options[0].ID}, n.Properties)
				root, _ := f.g.Node(f.root)
				assert.Equal(t, []string{f.body, f.engine, a.NodeID}, root.Children)
				ev := a.Events[0].Data.(NodeCreated)
				assert.Equal(t, 2, ev.Index)
				assert.Equal(t, f.root, *ev.ParentID)
				assert.Equal(t, a.NodeID, ev.Node.ID)
				assert.Equal(t, n.Properties, ev.Node.Properties)
			},
		},
		{
			name: "create at index with properties and default name",
			cmd: func(f fixture) Command {
				return CreateNode{ParentID: f.task, Type: "part", Index: intp(0), Properties: map[string]any{"cost": "12.50", "status": "Ordered"}}
			},
			events: []string{EventNodeCreated},
			check: func(t *testing.T, f fixture, a Applied) {
				n, _ := f.g.Node(a.NodeID)
				assert.Equal(t, "Part", n.Name)
				partType, _ := f.g.tmpl.NodeType("part")
				status, _ := partType.Property("status")
				ordered, _ := status.Option("Ordered")
				assert.Equal(t, map[string]any{"cost": "12.50", "status": ordered.ID, "quantity": float64(1)}, n.Properties)
				task, _ := f.g.Node(f.task)
				assert.Equal(t, []string{a.NodeID, f.part}, task.Children)
			},
		},
		{
			name:   "create second root of the root type",
			cmd:    func(f fixture) Command { return CreateNode{Type: "project_root", Name: "Truck"} },
			events: []string{EventNodeCreated},
			check: func(t *testing.T, f fixture, a Applied) {
				assert.Equal(t, []string{f.root, f.kit, a.NodeID}, f.g.Roots())
				assert.Nil(t, a.Events[0].Data.(NodeCreated).ParentID)
			},
		},
		{
			name:   "delete subtree",
			cmd:    func(f fixture) Command { return DeleteNode{NodeID: f.job} },
			events: []string{EventNodeDeleted},
			check: func(t *testing.T, f fixture, a Applied) {
				for _, id := range []string{f.job, f.task, f.part} {
					_, ok := f.g.Node(id)
					assert.False(t, ok, id)
				}
				ev := a.Events[0].Data.(NodeDeleted)
				assert.Equal(t, NodeDeleted{NodeID: f.job, ParentID: &f.body, Index: 0, DeletedIDs: []string{f.job, f.task, f.part}}, ev)
				assert.Equal(t, f.job, a.Result)
			},
		},
		{
			name:   "delete middle child keeps order on undo",
			cmd:    func(f fixture) Command { return DeleteNode{NodeID: f.body} },
			events: []string{EventNodeDeleted},
			check: func(t *testing.T, f fixture, a Applied) {
				root, _ := f.g.Node(f.root)
				assert.Equal(t, []string{f.engine}, root.Children)
			},
		},
		{
			name:   "update property",
			cmd:    func(f fixture) Command { return UpdateProperty{NodeID: f.task, PropertyID: "cost", Value: "1234.50"} },
			events: []string{EventPropertyChanged},
			check: func(t *testing.T, f fixture, a Applied) {
				n, _ := f.g.Node(f.task)
				assert.Equal(t, "1234.50", n.Properties["cost"])
				assert.Equal(t, PropertyChanged{NodeID: f.task, PropertyID: "cost", OldValue: nil, NewValue: "1234.50"}, a.Events[0].Data)
			},
		},
		{
			name:   "update property over an old value",
			cmd:    func(f fixture) Command { return UpdateProperty{NodeID: f.part, PropertyID: "quantity", Value: 3} },
			events: []string{EventPropertyChanged},
			check: func(t *testing.T, f fixture, a Applied) {
				assert.Equal(t, PropertyChanged{NodeID: f.part, PropertyID: "quantity", OldValue: float64(1), NewValue: float64(3)}, a.Events[0].Data)
			},
		},
		{
			name:   "delete property",
			cmd:    func(f fixture) Command { return DeleteProperty{NodeID: f.part, PropertyID: "quantity"} },
			events: []string{EventPropertyDeleted},
			check: func(t *testing.T, f fixture, a Applied) {
				n, _ := f.g.Node(f.part)
				assert.NotContains(t, n.Properties, "quantity")
				assert.Equal(t, PropertyDeleted{NodeID: f.part, PropertyID: "quantity", OldValue: float64(1)}, a.Events[0].Data)
			},
		},
		{
			name:   "rename",
			cmd:    func(f fixture) Command { return RenameNode{NodeID: f.engine, Name: "Motor"} },
			events: []string{EventNodeUpdated},
			check: func(t *testing.T, f fixture, a Applied) {
				n, _ := f.g.Node(f.engine)
				assert.Equal(t, "Motor", n.Name)
				assert.Equal(t, NodeUpdated{NodeID: f.engine, Changes: map[string]Change{"name": {Old: "Engine", New: "Motor"}}}, a.Events[0].Data)
			},
		},
		{
			name:   "unlink makes the child the last root",
			cmd:    func(f fixture) Command { return UnlinkNode{ParentID: f.root, ChildID: f.body} },
			events: []string{EventNodeUnlinked},
			check: func(t *testing.T, f fixture, a Applied) {
				assert.Equal(t, []string{f.root, f.kit, f.body}, f.g.Roots())
				assert.Equal(t, NodeUnlinked{ParentID: f.root, ChildID: f.body, RootIndex: 2}, a.Events[0].Data)
				n, _ := f.g.Node(f.body)
				assert.Nil(t, n.ParentID)
			},
		},
		{
			name: "link a root phase under the project",
			cmd: func(f fixture) Command {
				// Make kitPhase a root first, outside the command under test.
				_, err := f.g.Apply(UnlinkNode{ParentID: f.kit, ChildID: f.kitPhase})
				if err != nil {
					panic(err)
				}
				return LinkNode{ParentID: f.root, ChildID: f.kitPhase, Index: intp(1)}
			},
			events: []string{EventNodeLinked},
			check: func(t *testing.T, f fixture, a Applied) {
				root, _ := f.g.Node(f.root)
				assert.Equal(t, []string{f.body, f.kitPhase, f.engine}, root.Children)
				assert.Equal(t, []string{f.root, f.kit}, f.g.Roots())
			},
		},
		{
			name:   "move to another parent",
			cmd:    func(f fixture) Command { return MoveNode{NodeID: f.job, NewParentID: f.engine} },
			events: []string{EventNodeUnlinked, EventNodeLinked},
			check: func(t *testing.T, f fixture, a Applied) {
				n, _ := f.g.Node(f.job)
				assert.Equal(t, f.engine, *n.ParentID)
				body, _ := f.g.Node(f.body)
				assert.Empty(t, body.Children)
				assert.Equal(t, []string{f.root, f.kit}, f.g.Roots())
			},
		},
		{
			name: "move a root only links it",
			cmd: func(f fixture) Command {
				if _, err := f.g.Apply(UnlinkNode{ParentID: f.kit, ChildID: f.kitPhase}); err != nil {
					panic(err)
				}
				return MoveNode{NodeID: f.kitPhase, NewParentID: f.root, Index: intp(0)}
			},
			events: []string{EventNodeLinked},
			check: func(t *testing.T, f fixture, a Applied) {
				assert.Equal(t, NodeLinked{ParentID: f.root, ChildID: f.kitPhase, Index: 0}, a.Events[0].Data)
				assert.Equal(t, []string{f.root, f.kit}, f.g.Roots())
			},
		},
		{
			name:   "move reorders within the parent",
			cmd:    func(f fixture) Command { return MoveNode{NodeID: f.engine, NewParentID: f.root, Index: intp(0)} },
			events: []string{EventNodeUnlinked, EventNodeLinked},
			check: func(t *testing.T, f fixture, a Applied) {
				root, _ := f.g.Node(f.root)
				assert.Equal(t, []string{f.engine, f.body}, root.Children)
			},
		},
		{
			name:   "apply kit copies deep with new ids",
			cmd:    func(f fixture) Command { return ApplyKit{TargetID: f.root, KitRootID: f.kit} },
			events: []string{EventNodeCreated, EventNodeCreated},
			check: func(t *testing.T, f fixture, a Applied) {
				ids := a.Result.([]string)
				require.Len(t, ids, 1)
				assert.Equal(t, f.root, a.NodeID)
				cp, _ := f.g.Node(ids[0])
				assert.Equal(t, "Kit phase", cp.Name)
				assert.NotEqual(t, f.kitPhase, cp.ID)
				require.Len(t, cp.Children, 1)
				job, _ := f.g.Node(cp.Children[0])
				assert.Equal(t, "Kit job", job.Name)
				assert.NotEqual(t, f.kitJob, job.ID)
				kit, _ := f.g.Node(f.kit)
				assert.Equal(t, []string{f.kitPhase}, kit.Children, "the kit itself is untouched")
			},
		},
		{
			name:   "apply kit into itself copies once",
			cmd:    func(f fixture) Command { return ApplyKit{TargetID: f.kit, KitRootID: f.kit} },
			events: []string{EventNodeCreated, EventNodeCreated},
			check: func(t *testing.T, f fixture, a Applied) {
				kit, _ := f.g.Node(f.kit)
				assert.Len(t, kit.Children, 2)
			},
		},
		{
			name: "batch",
			cmd: func(f fixture) Command {
				return Batch{Commands: []Command{
					RenameNode{NodeID: f.body, Name: "Bodywork"},
					Batch{Commands: []Command{DeleteNode{NodeID: f.part}}},
					CreateNode{ParentID: f.engine, Type: "job", Name: "Rebuild"},
				}}
			},
			events: []string{EventNodeUpdated, EventNodeDeleted, EventNodeCreated},
			check: func(t *testing.T, f fixture, a Applied) {
				res := a.Result.([]any)
				require.Len(t, res, 3)
				assert.Equal(t, f.body, res[0])
				assert.Equal(t, []any{f.part}, res[1])
				_, ok := f.g.Node(res[2].(string))
				assert.True(t, ok)
			},
		},
		{
			// The prototype's frontend empties a field by sending "" (or
			// null): for a type where "" is no value, that clears it.
			name:   "empty string clears a number",
			cmd:    func(f fixture) Command { return UpdateProperty{NodeID: f.part, PropertyID: "quantity", Value: ""} },
			events: []string{EventPropertyDeleted},
			check: func(t *testing.T, f fixture, a Applied) {
				n, _ := f.g.Node(f.part)
				assert.NotContains(t, n.Properties, "quantity")
				assert.Equal(t, PropertyDeleted{NodeID: f.part, PropertyID: "quantity", OldValue: float64(1)}, a.Events[0].Data)
			},
		},
		{
			name:   "null clears a select",
			cmd:    func(f fixture) Command { return UpdateProperty{NodeID: f.part, PropertyID: "status", Value: nil} },
			events: []string{EventPropertyDeleted},
			check: func(t *testing.T, f fixture, a Applied) {
				n, _ := f.g.Node(f.part)
				assert.NotContains(t, n.Properties, "status")
			},
		},
		{
			name: "clearing what is not set changes nothing",
			cmd: func(f fixture) Command {
				return UpdateProperty{NodeID: f.task, PropertyID: "estimated_hours", Value: ""}
			},
			events: []string{},
			check: func(t *testing.T, f fixture, a Applied) {
				assert.Empty(t, a.Ops)
			},
		},
		{
			name:   "empty string is a text value",
			cmd:    func(f fixture) Command { return UpdateProperty{NodeID: f.task, PropertyID: "notes", Value: ""} },
			events: []string{EventPropertyChanged},
			check: func(t *testing.T, f fixture, a Applied) {
				n, _ := f.g.Node(f.task)
				assert.Equal(t, "", n.Properties["notes"])
			},
		},
		{
			name:   "the name property renames",
			cmd:    func(f fixture) Command { return UpdateProperty{NodeID: f.task, PropertyID: "name", Value: "Wet sand"} },
			events: []string{EventNodeUpdated},
			check: func(t *testing.T, f fixture, a Applied) {
				n, _ := f.g.Node(f.task)
				assert.Equal(t, "Wet sand", n.Name)
				assert.NotContains(t, n.Properties, "name")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			cmd := tc.cmd(f)
			before := f.g.Clone()
			beforeTree := f.g.Tree()

			a, err := f.g.Apply(cmd)
			require.NoError(t, err)
			assert.Equal(t, tc.events, eventNames(a.Events))
			tc.check(t, f, a)
			after := f.g.Clone()
			assert.Equal(t, f.g.Tree(), replay(t, beforeTree, a.Events), "events replay to the new tree")

			undo, err := f.g.ApplyOps(Invert(a.Ops))
			require.NoError(t, err)
			assert.True(t, f.g.Equal(before), "undo restores the graph exactly")
			assert.Equal(t, beforeTree, replay(t, after.Tree(), undo.Events), "undo events replay to the old tree")

			redo, err := f.g.ApplyOps(a.Ops)
			require.NoError(t, err)
			assert.True(t, f.g.Equal(after), "redo gives the same graph, same ids")
			assert.Equal(t, eventNames(a.Events), eventNames(redo.Events))
			assert.Equal(t, a.Events, redo.Events)
		})
	}
}

func TestUndoDeleteEmitsCreatedParentsFirst(t *testing.T) {
	f := newFixture(t)
	a, err := f.g.Apply(DeleteNode{NodeID: f.body})
	require.NoError(t, err)
	undo, err := f.g.ApplyOps(Invert(a.Ops))
	require.NoError(t, err)
	require.Equal(t, []string{EventNodeCreated, EventNodeCreated, EventNodeCreated, EventNodeCreated}, eventNames(undo.Events))
	var ids []string
	for _, e := range undo.Events {
		c := e.Data.(NodeCreated)
		ids = append(ids, c.NodeID)
		assert.Equal(t, c.Node.Index, c.Index)
	}
	assert.Equal(t, []string{f.body, f.job, f.task, f.part}, ids)
	first := undo.Events[0].Data.(NodeCreated)
	assert.Equal(t, 0, first.Index)
	assert.Equal(t, f.root, *first.ParentID)
	last := undo.Events[3].Data.(NodeCreated)
	assert.Equal(t, map[string]any{"quantity": float64(1), "status": last.Node.Properties["status"]}, last.Node.Properties)
	n, _ := f.g.Node(f.part)
	assert.Equal(t, n.Properties, last.Node.Properties)
}

func TestUndoLinkRestoresRootIndex(t *testing.T) {
	f := newFixture(t)
	_, err := f.g.Apply(UnlinkNode{ParentID: f.root, ChildID: f.body}) // roots: root, kit, body
	require.NoError(t, err)
	z, err := f.g.Apply(CreateNode{Type: "project_root", Name: "Z"}) // roots: root, kit, body, z
	require.NoError(t, err)
	a, err := f.g.Apply(LinkNode{ParentID: f.root, ChildID: f.body})
	require.NoError(t, err)
	assert.Equal(t, []string{f.root, f.kit, z.NodeID}, f.g.Roots())
	tree := f.g.Tree()
	undo, err := f.g.ApplyOps(Invert(a.Ops))
	require.NoError(t, err)
	assert.Equal(t, []string{f.root, f.kit, f.body, z.NodeID}, f.g.Roots(), "back at its old root index, not appended")
	assert.Equal(t, NodeUnlinked{ParentID: f.root, ChildID: f.body, RootIndex: 2}, undo.Events[0].Data)
	assert.Equal(t, f.g.Tree(), replay(t, tree, undo.Events))
}

func TestCommandRules(t *testing.T) {
	tests := []struct {
		name string
		cmd  func(f fixture) Command
		rule string // InvalidCommandError rule, or "" when notFound is set
		is   error
	}{
		{"task under root", func(f fixture) Command { return CreateNode{ParentID: f.root, Type: "task"} }, "allowed_children", nil},
		{"unknown type", func(f fixture) Command { return CreateNode{ParentID: f.root, Type: "boat"} }, "unknown_type", nil},
		{"phase without parent", func(f fixture) Command { return CreateNode{Type: "phase"} }, "root", nil},
		{"missing parent", func(f fixture) Command { return CreateNode{ParentID: "nope", Type: "phase"} }, "", ErrNodeNotFound},
		{"index too big", func(f fixture) Command { return CreateNode{ParentID: f.root, Type: "phase", Index: intp(3)} }, "index", nil},
		{"negative index", func(f fixture) Command { return CreateNode{ParentID: f.root, Type: "phase", Index: intp(-1)} }, "index", nil},
		{"unknown property on create", func(f fixture) Command {
			return CreateNode{ParentID: f.root, Type: "phase", Properties: map[string]any{"color": "red"}}
		}, "unknown_property", nil},
		{"bad value on create", func(f fixture) Command {
			return CreateNode{ParentID: f.root, Type: "phase", Properties: map[string]any{"start_date": "2026-02-30"}}
		}, "value", nil},
		{"delete missing", func(f fixture) Command { return DeleteNode{NodeID: "nope"} }, "", ErrNodeNotFound},
		{"unknown property", func(f fixture) Command { return UpdateProperty{NodeID: f.task, PropertyID: "color", Value: "red"} }, "unknown_property", nil},
		{"number NaN", func(f fixture) Command { return UpdateProperty{NodeID: f.task, PropertyID: "impact", Value: "NaN"} }, "value", nil},
		{"number text", func(f fixture) Command { return UpdateProperty{NodeID: f.task, PropertyID: "impact", Value: "lots"} }, "value", nil},
		{"currency garbage", func(f fixture) Command { return UpdateProperty{NodeID: f.task, PropertyID: "cost", Value: "12,50"} }, "value", nil},
		{"date format", func(f fixture) Command {
			return UpdateProperty{NodeID: f.body, PropertyID: "start_date", Value: "02/03/2026"}
		}, "value", nil},
		{"select unknown option", func(f fixture) Command { return UpdateProperty{NodeID: f.task, PropertyID: "status", Value: "Maybe"} }, "value", nil},
		{"required cannot be cleared", func(f fixture) Command {
			return Batch{Commands: []Command{UpdateProperty{NodeID: f.root, PropertyID: "vehicle", Value: "Mustang"}, UpdateProperty{NodeID: f.root, PropertyID: "vehicle", Value: nil}}}
		}, "required", nil},
		{"name as a property must be a string", func(f fixture) Command { return UpdateProperty{NodeID: f.task, PropertyID: "name", Value: 5.0} }, "value", nil},
		{"name as a property must not be blank", func(f fixture) Command { return UpdateProperty{NodeID: f.task, PropertyID: "name", Value: " "} }, "name", nil},
		{"update on missing node", func(f fixture) Command { return UpdateProperty{NodeID: "nope", PropertyID: "notes", Value: "x"} }, "", ErrNodeNotFound},
		{"required cannot be emptied", func(f fixture) Command {
			return Batch{Commands: []Command{UpdateProperty{NodeID: f.root, PropertyID: "vehicle", Value: "Mustang"}, UpdateProperty{NodeID: f.root, PropertyID: "vehicle", Value: ""}}}
		}, "required", nil},
		{"required cannot be deleted", func(f fixture) Command {
			return Batch{Commands: []Command{UpdateProperty{NodeID: f.root, PropertyID: "vehicle", Value: "Mustang"}, DeleteProperty{NodeID: f.root, PropertyID: "vehicle"}}}
		}, "required", nil},
		{"delete unknown property", func(f fixture) Command { return DeleteProperty{NodeID: f.task, PropertyID: "color"} }, "unknown_property", nil},
		{"delete unset property", func(f fixture) Command { return DeleteProperty{NodeID: f.task, PropertyID: "notes"} }, "not_set", nil},
		{"rename empty", func(f fixture) Command { return RenameNode{NodeID: f.task, Name: "  "} }, "name", nil},
		{"rename missing", func(f fixture) Command { return RenameNode{NodeID: "nope", Name: "x"} }, "", ErrNodeNotFound},
		{"link already linked", func(f fixture) Command { return LinkNode{ParentID: f.engine, ChildID: f.job} }, "already_linked", nil},
		{"link to itself", func(f fixture) Command { return LinkNode{ParentID: f.kit, ChildID: f.kit} }, "cycle", nil},
		{"link type rule", func(f fixture) Command { return LinkNode{ParentID: f.root, ChildID: f.kit} }, "allowed_children", nil},
		{"link missing child", func(f fixture) Command { return LinkNode{ParentID: f.root, ChildID: "nope"} }, "", ErrNodeNotFound},
		{"link cycle", func(f fixture) Command {
			return Batch{Commands: []Command{
				UnlinkNode{ParentID: f.kit, ChildID: f.kitPhase},
				LinkNode{ParentID: f.kitPhase, ChildID: f.kitPhase},
			}}
		}, "cycle", nil},
		{"unlink not a child", func(f fixture) Command { return UnlinkNode{ParentID: f.engine, ChildID: f.job} }, "not_a_child", nil},
		{"move under own descendant", func(f fixture) Command { return MoveNode{NodeID: f.body, NewParentID: f.job} }, "allowed_children", nil},
		{"move into itself", func(f fixture) Command { return MoveNode{NodeID: f.body, NewParentID: f.body} }, "cycle", nil},
		{"move type rule", func(f fixture) Command { return MoveNode{NodeID: f.task, NewParentID: f.root} }, "allowed_children", nil},
		{"move index", func(f fixture) Command { return MoveNode{NodeID: f.engine, NewParentID: f.root, Index: intp(2)} }, "index", nil},
		{"kit type rule", func(f fixture) Command { return ApplyKit{TargetID: f.engine, KitRootID: f.kit} }, "allowed_children", nil},
		{"kit missing", func(f fixture) Command { return ApplyKit{TargetID: f.root, KitRootID: "nope"} }, "", ErrNodeNotFound},
		{"empty batch", func(f fixture) Command { return Batch{} }, "batch", nil},
		{"batch rolls back earlier parts", func(f fixture) Command {
			return Batch{Commands: []Command{
				RenameNode{NodeID: f.body, Name: "B"},
				DeleteNode{NodeID: f.job},
				CreateNode{ParentID: f.root, Type: "phase"},
				CreateNode{ParentID: f.root, Type: "task"},
			}}
		}, "allowed_children", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			cmd := tc.cmd(f)
			before := f.g.Clone()
			a, err := f.g.Apply(cmd)
			require.Error(t, err)
			assert.Empty(t, a.Events)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			} else {
				var ic *InvalidCommandError
				require.True(t, errors.As(err, &ic), "got %v", err)
				assert.Equal(t, tc.rule, ic.Rule, ic.Reason)
			}
			assert.True(t, f.g.Equal(before), "a rejected command changes nothing")
		})
	}
}

// TestCycleRule needs a type that may hold itself, which restomod lacks.
func TestCycleRule(t *testing.T) {
	tmpl, err := ParseTemplate("loop.yaml", []byte(`
id: loop
node_types:
  - {id: folder, label: Folder, allowed_children: [folder]}
`))
	require.NoError(t, err)
	g, a := NewProject(tmpl, "a", counterIDs())
	b, err := g.Apply(CreateNode{ParentID: a, Type: "folder"})
	require.NoError(t, err)
	c, err := g.Apply(CreateNode{ParentID: b.NodeID, Type: "folder"})
	require.NoError(t, err)
	_, err = g.Apply(UnlinkNode{ParentID: a, ChildID: b.NodeID})
	require.NoError(t, err)
	before := g.Clone()
	for _, cmd := range []Command{
		LinkNode{ParentID: c.NodeID, ChildID: b.NodeID},
		MoveNode{NodeID: b.NodeID, NewParentID: c.NodeID},
		MoveNode{NodeID: a, NewParentID: a},
	} {
		_, err := g.Apply(cmd)
		var ic *InvalidCommandError
		require.ErrorAs(t, err, &ic)
		assert.Equal(t, "cycle", ic.Rule)
		assert.True(t, g.Equal(before))
	}
	// An empty graph accepts any type as its first root.
	g2 := NewGraph(restomod(t))
	_, err = g2.Apply(CreateNode{Type: "task"})
	require.NoError(t, err)
}

// panicky mutates the graph through tx, then panics.
type panicky struct{ nodeID string }

func (panicky) CommandType() string { return "Panicky" }

func (p panicky) Apply(tx *Tx) (any, error) {
	if err := tx.Rename(p.nodeID, "changed"); err != nil {
		return nil, err
	}
	if err := tx.Delete(p.nodeID); err != nil {
		return nil, err
	}
	panic("boom")
}

func TestPanicRollsBack(t *testing.T) {
	f := newFixture(t)
	before := f.g.Clone()
	a, err := f.g.Apply(panicky{nodeID: f.job})
	require.ErrorIs(t, err, ErrInternal)
	assert.Contains(t, err.Error(), "boom")
	assert.NotContains(t, err.Error(), "goroutine")
	assert.Empty(t, a.Events)
	assert.True(t, f.g.Equal(before))
	// The graph still works afterwards.
	_, err = f.g.Apply(RenameNode{NodeID: f.job, Name: "ok"})
	require.NoError(t, err)
}

func TestApplyOpsRejectsStaleOps(t *testing.T) {
	f := newFixture(t)
	a, err := f.g.Apply(DeleteNode{NodeID: f.task})
	require.NoError(t, err)
	before := f.g.Clone()
	_, err = f.g.ApplyOps(a.Ops) // the task is already gone
	require.ErrorIs(t, err, ErrNodeNotFound)
	assert.True(t, f.g.Equal(before))
	_, err = f.g.ApplyOps([]Op{{Kind: OpRename, NodeID: f.job, NewName: "x"}, {Kind: "bogus"}})
	require.ErrorIs(t, err, ErrInternal)
	assert.True(t, f.g.Equal(before), "a failing replay rolls back its earlier ops")

	// Ops read back from a damaged journal must not corrupt the graph.
	bad := [][]Op{
		{{Kind: OpSetProp, NodeID: f.job, Prop: "no_such", New: "x"}},
		{{Kind: OpSetProp, NodeID: f.job, Prop: "description"}},
		{{Kind: OpRename, NodeID: f.job, NewName: ""}},
		{{Kind: OpAdd, ParentID: f.root, Nodes: []Node{{ID: f.job, Type: "phase", ParentID: f.root}}}},
		{{Kind: OpAdd, ParentID: f.root, Nodes: []Node{{ID: "new", Type: "task", ParentID: f.root}}}},
		{{Kind: OpAdd, ParentID: f.root, Index: 9, Nodes: []Node{{ID: "new", Type: "phase", ParentID: f.root}}}},
		{{Kind: OpAdd, ParentID: f.root, Nodes: []Node{{ID: "new", Type: "phase", ParentID: f.root, Children: []string{"ghost"}}}}},
		{{Kind: OpAdd, ParentID: f.root, Nodes: []Node{{ID: "new", Type: "phase", ParentID: f.root}, {ID: "orphan", Type: "job", ParentID: "new"}}}},
		{{Kind: OpAdd}},
		{{Kind: OpAttach, NodeID: f.kit, ParentID: f.root}},
		{{Kind: OpAttach, NodeID: f.job, ParentID: f.engine}},
		{{Kind: OpDetach, NodeID: f.kit}},
		{{Kind: OpDetach, NodeID: f.job, RootIndex: 7}},
		{{Kind: OpDelProp, NodeID: f.job, Prop: "description"}},
		{{Kind: OpRemove, NodeID: "ghost"}},
	}
	for i, ops := range bad {
		_, err := f.g.ApplyOps(ops)
		assert.Error(t, err, "case %d", i)
		assert.True(t, f.g.Equal(before), "case %d", i)
	}
}

func TestTemplateIDAsRootType(t *testing.T) {
	g := NewGraph(restomod(t), counterIDs())
	a, err := g.Apply(CreateNode{Type: "restomod", Name: "Engine Block"})
	require.NoError(t, err)
	n, _ := g.Node(a.NodeID)
	assert.Equal(t, "project_root", n.Type)
}

func TestApplyKitIntoItsOwnSubtree(t *testing.T) {
	tmpl, err := ParseTemplate("folders.yaml", []byte(folderTemplate))
	require.NoError(t, err)
	g, kit := NewProject(tmpl, "kit", counterIDs())
	mk := func(parent, name string) string {
		a, err := g.Apply(CreateNode{ParentID: parent, Type: "folder", Name: name})
		require.NoError(t, err)
		return a.NodeID
	}
	a := mk(kit, "A")
	b := mk(kit, "B")
	c := mk(b, "C")
	res, err := g.Apply(ApplyKit{TargetID: c, KitRootID: kit})
	require.NoError(t, err)
	copies := res.Result.([]string)
	require.Len(t, copies, 2)
	cNode, _ := g.Node(c)
	assert.Equal(t, copies, cNode.Children)
	bCopy, _ := g.Node(copies[1])
	require.Len(t, bCopy.Children, 1, "B's copy holds C's copy only, not the fresh copy of A")
	cCopy, _ := g.Node(bCopy.Children[0])
	assert.Equal(t, "C", cCopy.Name)
	assert.Empty(t, cCopy.Children)
	aNode, _ := g.Node(a)
	assert.Empty(t, aNode.Children)
	assert.Equal(t, 4+3, g.Len())
}

func TestCreateNeverBlockedByRequired(t *testing.T) {
	f := newFixture(t)
	a, err := f.g.Apply(CreateNode{Type: "project_root", Properties: map[string]any{"vehicle": "", "vin": nil, "budget": "100"}})
	require.NoError(t, err)
	n, _ := f.g.Node(a.NodeID)
	assert.Equal(t, map[string]any{"budget": "100"}, n.Properties)
	assert.Equal(t, "Project", n.Name, "the name defaults to the type's label")
}

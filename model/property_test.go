package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

const folderTemplate = `
id: folders
node_types:
  - id: folder
    label: Folder
    allowed_children: [folder, file]
    properties:
      - {id: status, label: Status, type: select, options: [New, Old]}
      - {id: owner, label: Owner, type: text, required: true}
  - id: file
    label: File
    properties:
      - {id: size, label: Size, type: number}
      - {id: price, label: Price, type: currency}
      - {id: due, label: Due, type: date}
      - {id: done, label: Done, type: boolean}
`

// TestRandomHistories runs long random command sequences with random undo
// and redo. Every event stream must replay to the graph's tree, and undoing
// everything must give back the first graph exactly.
func TestRandomHistories(t *testing.T) {
	folders, err := ParseTemplate("folders.yaml", []byte(folderTemplate))
	require.NoError(t, err)
	succeeded := map[string]int{}
	for _, tm := range []*Template{restomod(t), folders} {
		for seed := int64(1); seed <= 4; seed++ {
			t.Run(fmt.Sprintf("%s/%d", tm.ID, seed), func(t *testing.T) {
				for k, v := range runHistory(t, tm, rand.New(rand.NewSource(seed)), 600) {
					succeeded[k] += v
				}
			})
		}
	}
	for _, typ := range []string{CmdCreateNode, CmdDeleteNode, CmdUpdateProperty, CmdDeleteProperty, CmdRenameNode, CmdLinkNode, CmdUnlinkNode, CmdMoveNode, CmdApplyKit, CmdBatch} {
		require.Positive(t, succeeded[typ], "no %s ever succeeded: the test would not cover it", typ)
	}
}

func runHistory(t *testing.T, tm *Template, rng *rand.Rand, steps int) map[string]int {
	g, _ := NewProject(tm, "start", counterIDs(), tickingClock())
	initial := g.Clone()
	tree := g.Tree()
	var undo, redo [][]Op
	applied := 0
	succeeded := map[string]int{}
	for step := range steps {
		var a Applied
		var err error
		switch r := rng.Intn(10); {
		case r < 2 && len(undo) > 0:
			ops := undo[len(undo)-1]
			a, err = g.ApplyOps(Invert(throughJSON(t, ops)))
			require.NoError(t, err, "undo at step %d", step)
			undo, redo = undo[:len(undo)-1], append(redo, ops)
		case r < 3 && len(redo) > 0:
			ops := redo[len(redo)-1]
			a, err = g.ApplyOps(throughJSON(t, ops))
			require.NoError(t, err, "redo at step %d", step)
			redo, undo = redo[:len(redo)-1], append(undo, ops)
		default:
			cmd := randomCommand(rng, g)
			// Commands travel as JSON between processes; go through the codec.
			b, err := EncodeCommand(cmd)
			require.NoError(t, err)
			var env struct {
				Type string          `json:"command_type"`
				Data json.RawMessage `json:"data"`
			}
			require.NoError(t, json.Unmarshal(b, &env))
			cmd, err = DecodeCommand(env.Type, env.Data)
			require.NoError(t, err)
			before := g.Clone()
			a, err = g.Apply(cmd)
			if err != nil {
				require.True(t, g.Equal(before), "failed %T changed the graph", cmd)
				require.Empty(t, a.Events)
				continue
			}
			applied++
			succeeded[cmd.CommandType()]++
			undo, redo = append(undo, a.Ops), nil
		}
		tree = replay(t, tree, a.Events)
		if step%50 == 0 {
			require.Equal(t, g.Tree(), tree, "step %d", step)
		}
	}
	require.Equal(t, g.Tree(), tree)
	require.Greater(t, applied, steps/10, "the generator must make enough valid commands")
	for len(undo) > 0 {
		a, err := g.ApplyOps(Invert(undo[len(undo)-1]))
		require.NoError(t, err)
		tree = replay(t, tree, a.Events)
		undo = undo[:len(undo)-1]
	}
	require.True(t, g.Equal(initial), "undoing everything restores the first graph")
	require.Equal(t, initial.Tree(), tree)
	return succeeded
}

// randomCommand picks any command with mostly plausible arguments; some
// break rules on purpose.
func randomCommand(rng *rand.Rand, g *Graph) Command {
	ids := make([]string, 0, len(g.nodes)+1)
	for _, r := range g.roots {
		ids = append(ids, g.subtreeIDs(r)...)
	}
	ids = append(ids, "missing")
	pick := func() string { return ids[rng.Intn(len(ids))] }
	types := g.tmpl.NodeTypes
	anyIndex := func() *int {
		if rng.Intn(3) == 0 {
			return nil
		}
		i := rng.Intn(4) - 1
		return &i
	}
	pickNode := func() *node { return g.nodes[pick()] }
	switch rng.Intn(10) {
	case 0, 1:
		parent := pick()
		if p := g.nodes[parent]; p != nil {
			nt, _ := g.tmpl.NodeType(p.Type)
			if len(nt.AllowedChildren) > 0 && rng.Intn(5) > 0 {
				return CreateNode{ParentID: parent, Type: nt.AllowedChildren[rng.Intn(len(nt.AllowedChildren))], Index: anyIndex()}
			}
		}
		if rng.Intn(4) == 0 {
			parent = ""
		}
		return CreateNode{ParentID: parent, Type: types[rng.Intn(len(types))].ID, Name: fmt.Sprint("n", rng.Intn(100))}
	case 2:
		return DeleteNode{NodeID: pick()}
	case 3, 4:
		n := pickNode()
		if n == nil {
			return UpdateProperty{NodeID: "missing", PropertyID: "x", Value: "y"}
		}
		nt, _ := g.tmpl.NodeType(n.Type)
		if len(nt.Properties) == 0 {
			return UpdateProperty{NodeID: n.ID, PropertyID: "nope", Value: "y"}
		}
		def := nt.Properties[rng.Intn(len(nt.Properties))]
		return UpdateProperty{NodeID: n.ID, PropertyID: def.ID, Value: randomValue(rng, &def)}
	case 5:
		n := pickNode()
		if n == nil {
			return DeleteProperty{NodeID: "missing", PropertyID: "x"}
		}
		nt, _ := g.tmpl.NodeType(n.Type)
		if len(nt.Properties) == 0 {
			return DeleteProperty{NodeID: n.ID, PropertyID: "x"}
		}
		return DeleteProperty{NodeID: n.ID, PropertyID: nt.Properties[rng.Intn(len(nt.Properties))].ID}
	case 6:
		return RenameNode{NodeID: pick(), Name: []string{"a", "b", " ", "Ünïcode"}[rng.Intn(4)]}
	case 7:
		if rng.Intn(2) == 0 {
			n := pickNode()
			if n != nil && n.ParentID != "" {
				return UnlinkNode{ParentID: n.ParentID, ChildID: n.ID}
			}
		}
		return LinkNode{ParentID: pick(), ChildID: pick(), Index: anyIndex()}
	case 8:
		return MoveNode{NodeID: pick(), NewParentID: pick(), Index: anyIndex()}
	default:
		if rng.Intn(3) == 0 {
			return ApplyKit{TargetID: pick(), KitRootID: pick()}
		}
		n := rng.Intn(3)
		b := Batch{}
		for range n + 1 {
			b.Commands = append(b.Commands, RenameNode{NodeID: pick(), Name: "batched"})
		}
		if rng.Intn(2) == 0 {
			b.Commands = append(b.Commands, randomCommand(rng, g))
		}
		return b
	}
}

func randomValue(rng *rand.Rand, def *PropertyDef) any {
	switch def.Type {
	case TypeNumber:
		return []any{json.Number("1.5"), float64(rng.Intn(100)), "NaN", "7"}[rng.Intn(4)]
	case TypeCurrency:
		return []any{"10.50", json.Number("0.1"), "bad", 3.25}[rng.Intn(4)]
	case TypeDate:
		return []any{"2026-01-31", "2026-02-31", "2026-12-01"}[rng.Intn(3)]
	case TypeBoolean:
		return []any{true, false, "true"}[rng.Intn(3)]
	case TypeSelect:
		if rng.Intn(4) == 0 {
			return "no such option"
		}
		o := def.Options[rng.Intn(len(def.Options))]
		if rng.Intn(2) == 0 {
			return o.Name
		}
		return o.ID
	default:
		return []any{"text", "", json.Number("5")}[rng.Intn(3)]
	}
}

// subtreeIDs lists the ids under id in tree order (test helper).
func (g *Graph) subtreeIDs(id string) []string {
	nodes := g.subtree(id)
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.ID
	}
	return out
}

// throughJSON journals ops and reads them back, as the session store does.
func throughJSON(tb testing.TB, ops []Op) []Op {
	tb.Helper()
	b, err := json.Marshal(ops)
	require.NoError(tb, err)
	// The store may decode numbers as json.Number; replay must cope.
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out []Op
	require.NoError(tb, dec.Decode(&out))
	return out
}

package model

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// bigGraph builds a restomod project of n nodes (n >= 5): first a chain
// root/phase/job/task/part, whose part it returns, then breadth-first fill.
func bigGraph(tb testing.TB, n int) (*Graph, string) {
	tb.Helper()
	g, root := NewProject(restomod(tb), "big", counterIDs())
	queue, parent := []string{root}, root
	for _, typ := range []string{"phase", "job", "task", "part"} {
		a, err := g.Apply(CreateNode{ParentID: parent, Type: typ})
		require.NoError(tb, err)
		parent = a.NodeID
		queue = append(queue, parent)
	}
	leaf := parent
	for g.Len() < n && len(queue) > 0 {
		p := g.nodes[queue[0]]
		queue = queue[1:]
		nt, _ := g.tmpl.NodeType(p.Type)
		if len(nt.AllowedChildren) == 0 {
			continue
		}
		for i := 0; i < 10 && g.Len() < n; i++ {
			a, err := g.Apply(CreateNode{ParentID: p.ID, Type: nt.AllowedChildren[0]})
			require.NoError(tb, err)
			queue = append(queue, a.NodeID)
		}
	}
	return g, leaf
}

// BenchmarkApply shows a command's cost does not grow with the graph: the
// 100,000-node case takes about as long per op as the 10-node one.
func BenchmarkApply(b *testing.B) {
	for _, size := range []int{10, 100_000} {
		g, leaf := bigGraph(b, size)
		b.Run(fmt.Sprintf("RenameNode/%d", size), func(b *testing.B) {
			names := []string{"a", "b"}
			i := 0
			for b.Loop() {
				if _, err := g.Apply(RenameNode{NodeID: leaf, Name: names[i%2]}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run(fmt.Sprintf("UpdateProperty/%d", size), func(b *testing.B) {
			for b.Loop() {
				if _, err := g.Apply(UpdateProperty{NodeID: leaf, PropertyID: "cost", Value: "12.50"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestBigGraphShape(t *testing.T) {
	g, leaf := bigGraph(t, 2000)
	require.Equal(t, 2000, g.Len())
	n, ok := g.Node(leaf)
	require.True(t, ok)
	require.Equal(t, "part", n.Type)
	require.Equal(t, 2000, countTree(g.Tree()))
}

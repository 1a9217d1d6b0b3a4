package model

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzApplyOps feeds journal-like ops to a graph. Whatever they hold, the
// graph stays consistent: a rejected replay changes nothing, and an accepted
// one is undone exactly by its inverse.
func FuzzApplyOps(f *testing.F) {
	fx := newFixture(f)
	for _, cmd := range []Command{
		DeleteNode{NodeID: fx.body},
		MoveNode{NodeID: fx.job, NewParentID: fx.engine},
		UpdateProperty{NodeID: fx.task, PropertyID: "cost", Value: "1.50"},
		ApplyKit{TargetID: fx.root, KitRootID: fx.kit},
	} {
		g := fx.g.Clone()
		a, err := g.Apply(cmd)
		require.NoError(f, err)
		b, err := json.Marshal(a.Ops)
		require.NoError(f, err)
		f.Add(b)
		b, err = json.Marshal(Invert(a.Ops))
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var ops []Op
		if json.Unmarshal(b, &ops) != nil || len(ops) > 64 {
			return
		}
		g := fx.g.Clone()
		a, err := g.ApplyOps(ops)
		if err != nil {
			require.NotContains(t, err.Error(), "panicked")
			require.True(t, g.Equal(fx.g))
			return
		}
		tree := replay(t, fx.g.Tree(), a.Events)
		require.Equal(t, g.Tree(), tree)
		_, err = g.ApplyOps(Invert(a.Ops))
		require.NoError(t, err)
		require.True(t, g.Equal(fx.g))
	})
}

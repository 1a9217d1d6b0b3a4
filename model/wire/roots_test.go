package wire

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
)

// TestRootsCache: replies of one graph version share one encoding; a
// change, even one taken back, makes a new one, and every encoding is the
// graph's tree as json.Marshal writes it.
func TestRootsCache(t *testing.T) {
	cat, errs := model.LoadCatalog("")
	require.Empty(t, errs)
	tmpl, ok := cat.Get("restomod")
	require.True(t, ok)
	g, root := model.NewProject(tmpl, "Car")
	var c RootsCache
	same := func(a, b Roots) bool { return &a.JSON()[0] == &b.JSON()[0] }
	matches := func(r Roots) {
		t.Helper()
		want, err := json.Marshal(g.Tree())
		require.NoError(t, err)
		assert.Equal(t, string(want), string(r.JSON()))
	}

	first, err := c.Get(g)
	require.NoError(t, err)
	matches(first)
	again, err := c.Get(g)
	require.NoError(t, err)
	assert.True(t, same(first, again), "an unchanged graph is encoded once")

	a, err := g.Apply(model.CreateNode{ParentID: root, Type: "phase", Name: "Body"})
	require.NoError(t, err)
	changed, err := c.Get(g)
	require.NoError(t, err)
	assert.False(t, same(first, changed))
	matches(changed)

	_, err = g.ApplyOps(model.Invert(a.Ops))
	require.NoError(t, err)
	back, err := c.Get(g)
	require.NoError(t, err)
	assert.False(t, same(changed, back), "taken back is a new version")
	matches(back)
	assert.Equal(t, string(first.JSON()), string(back.JSON()))

	other, _ := model.NewProject(tmpl, "Car")
	fresh, err := c.Get(other)
	require.NoError(t, err)
	assert.False(t, same(back, fresh), "another graph is never answered from the cache")
}

package model

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPropsActLikeAMap: a node's compact properties answer, change and
// encode as the map they stand for, through random sets and deletes.
func TestPropsActLikeAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var p props
	m := map[string]any{}
	for i := range 500 {
		k := fmt.Sprint("k", rng.IntN(9))
		if rng.IntN(3) == 0 {
			p.del(k)
			delete(m, k)
		} else {
			v := any(fmt.Sprint("v<", i))
			if i%5 == 0 {
				v = float64(i)
			}
			p.set(k, v)
			m[k] = v
		}
		for k, want := range m {
			got, ok := p.get(k)
			require.True(t, ok, k)
			require.Equal(t, want, got, k)
		}
		_, ok := p.get("absent")
		require.False(t, ok)
		require.Equal(t, m, p.toMap())
		want, err := json.Marshal(m)
		require.NoError(t, err)
		got, err := p.appendJSON(nil)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
	}
	assert.True(t, propsOf(m, func(k string) string { return k }).equal(p))
	assert.Equal(t, "{}", string(must(props(nil).appendJSON(nil))))
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestNodesHoldTemplateIDs: property ids and child ids of a graph read from
// a file are the template's and the nodes' own strings, not the file's
// copies, so a large project holds each once.
func TestNodesHoldTemplateIDs(t *testing.T) {
	f := newFixture(t)
	_, err := f.g.Apply(UpdateProperty{NodeID: f.task, PropertyID: "notes", Value: "x"})
	require.NoError(t, err)
	b, err := json.Marshal(f.g.ToFile("p", "Car", "restomod"))
	require.NoError(t, err)
	var pf ProjectFile
	require.NoError(t, json.Unmarshal(b, &pf))
	g, tmpl, err := GraphFromFile(&pf, testCatalog(t))
	require.NoError(t, err)
	require.True(t, g.Equal(f.g))
	nt, _ := tmpl.NodeType("task")
	def, _ := nt.Property("notes")
	task := g.nodes[f.task]
	require.NotEmpty(t, task.props)
	assert.True(t, unsafeSameString(task.props[0].id, def.ID), "the template's id string")
	job := g.nodes[f.job]
	assert.True(t, unsafeSameString(job.Children[0], task.ID), "the child's own id string")
}

// unsafeSameString reports whether a and b share their bytes.
func unsafeSameString(a, b string) bool {
	return len(a) > 0 && unsafe.StringData(a) == unsafe.StringData(b)
}

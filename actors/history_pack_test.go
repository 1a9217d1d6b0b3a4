package actors

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLargeEventsKeptPacked: the history keeps a large event (a 100-node
// project's project:loaded) deflated, counts it at its size as sent, and
// hands it out byte for byte as it was sent, to a reader of the history
// and in a checkpoint.
func TestLargeEventsKeptPacked(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	p, err := s.ImportProject(ctx, hundredNodeFile(t, 1), "")
	require.NoError(t, err)
	page, err := s.EventsAfter(ctx, p.SessionID, 0, 0)
	require.NoError(t, err)
	require.Len(t, page.Events, 1)
	loaded := page.Events[0]
	require.Greater(t, len(loaded.JSON), packAbove)
	assert.Contains(t, string(loaded.JSON), string(p.Roots.JSON()), "the graph as the reply had it")

	var r eventRing
	r.limit, r.maxBytes = 10, 1<<20
	r.push(loaded)
	kept := r.kept()[0]
	assert.True(t, kept.packed)
	assert.Less(t, len(kept.JSON), len(loaded.JSON)/2, "deflated")
	assert.Equal(t, len(loaded.JSON), r.bytes, "counted as sent")
	back, ok := r.after(0, loaded.Seq)
	require.True(t, ok)
	assert.Equal(t, string(loaded.JSON), string(back[0].JSON))
	assert.Equal(t, loaded.header(), back[0].header())
	assert.Equal(t, string(loaded.JSON), string(r.ordered()[0].JSON))
}

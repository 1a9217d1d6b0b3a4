package cluster

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
)

// TestCluster runs on one 3-node cluster (forming one takes seconds): the
// subtests run in order, the one that stops a node last.
func TestCluster(t *testing.T) {
	nodes := startCluster(t, 3)
	fakes := make([]*fakeSessions, 2)
	for i := range fakes {
		fakes[i] = &fakeSessions{}
		nodes[i].Attach(fakes[i])
	}
	t.Run("routes", func(t *testing.T) { testRoutes(t, nodes) })
	t.Run("stale owner is fenced", func(t *testing.T) { testStaleOwnerFenced(t, nodes, fakes) })
	t.Run("stale session actor is refused", func(t *testing.T) { testStaleSessionRefused(t, nodes) })
	t.Run("passivated and back", func(t *testing.T) { testPassivation(t, nodes[1]) })
	t.Run("takeover when the owner is gone", func(t *testing.T) { testTakeover(t, nodes) })
}

// testRoutes: a session nobody made is served here (the session layer says
// it is not found); a new one belongs to whoever claimed it, and every
// other server routes to it; a second claim of the same id is refused.
func testRoutes(t *testing.T, nodes []*Node) {
	ctx := context.Background()
	const sid = "8b0b2a4e-5f8a-4d8e-9c3a-000000000001"
	url, err := nodes[0].Route(ctx, sid)
	require.NoError(t, err)
	require.Empty(t, url)
	require.False(t, nodes[0].Owns(sid))

	require.NoError(t, nodes[1].Claim(ctx, sid))
	require.True(t, nodes[1].Owns(sid))
	for _, i := range []int{0, 2} {
		url, err := nodes[i].Route(ctx, sid)
		require.NoError(t, err)
		require.Equal(t, "http://127.0.0.1:5001", url)
		require.False(t, nodes[i].Owns(sid))
	}
	err = nodes[2].Claim(ctx, sid)
	require.ErrorIs(t, err, actors.ErrUnavailable)
	require.False(t, nodes[2].Owns(sid))
	url, err = nodes[1].Route(ctx, sid)
	require.NoError(t, err)
	require.Empty(t, url, "the owner serves it itself")
}

// testStaleOwnerFenced: once another server has taken a session over, the
// server that owned it before cannot append, checkpoint or delete it, though
// it still believes it owns it; nothing it tried is in the journal, and
// everything acknowledged before is.
func testStaleOwnerFenced(t *testing.T, nodes []*Node, fakes []*fakeSessions) {
	a, b, c := nodes[0], nodes[1], nodes[2]
	ctx := context.Background()
	const sid = "8b0b2a4e-5f8a-4d8e-9c3a-000000000002"

	require.NoError(t, a.Claim(ctx, sid))
	require.NoError(t, a.Checkpoint(ctx, sid, 0, []byte("empty")))
	for seq := uint64(1); seq <= 5; seq++ {
		require.NoError(t, a.Append(ctx, rec(sid, seq)))
	}
	require.NoError(t, a.Checkpoint(ctx, sid, 5, []byte("five")))
	require.NoError(t, a.Append(ctx, rec(sid, 6)))

	// b concludes a is gone (a pause, a flapping route) and takes over.
	takeOver(t, b, sid)
	state, seq, records, err := b.LoadSession(sid)
	require.NoError(t, err)
	require.Equal(t, "five", string(state), "the last checkpoint")
	require.Equal(t, uint64(5), seq)
	require.Equal(t, []store.Record{rec(sid, 6)}, records)

	require.True(t, a.Owns(sid), "a has not noticed")
	err = a.Append(ctx, rec(sid, 7))
	require.ErrorIs(t, err, actors.ErrFenced)
	require.ErrorIs(t, err, actors.ErrUnavailable, "a fenced write is UNAVAILABLE to its client, who retries at the owner")
	require.False(t, a.Owns(sid), "the stale owner lets it go")
	_, disowned := fakes[0].lists()
	require.Contains(t, disowned, sid, "and has its session layer drop it")
	require.ErrorIs(t, a.Checkpoint(ctx, sid, 9, []byte("stale")), actors.ErrFenced)
	require.ErrorIs(t, a.DeleteSession(ctx, sid), actors.ErrFenced)

	require.NoError(t, b.Append(ctx, rec(sid, 7)))
	require.NoError(t, b.Checkpoint(ctx, sid, 7, []byte("seven")))
	require.NoError(t, b.Append(ctx, rec(sid, 8)))

	// A third server taking over later sees b's history, none of a's tries.
	takeOver(t, c, sid)
	state, seq, records, err = c.LoadSession(sid)
	require.NoError(t, err)
	require.Equal(t, "seven", string(state))
	require.Equal(t, uint64(7), seq)
	require.Equal(t, []store.Record{rec(sid, 8)}, records)
	require.ErrorIs(t, b.Append(ctx, rec(sid, 9)), actors.ErrFenced)

	// Deleted by its owner, it is gone for everyone.
	require.NoError(t, c.DeleteSession(ctx, sid))
	for _, n := range nodes {
		url, err := n.Route(ctx, sid)
		require.NoError(t, err)
		require.Empty(t, url, "nobody owns it: the session layer answers not found")
	}
}

// testStaleSessionRefused runs real session layers: a session live on a,
// taken over by b (which serves it from the journal), refuses the next
// command a's stale session actor is asked for; a lets it go, and b's
// history holds every acknowledged command once, and none of a's refused.
func testStaleSessionRefused(t *testing.T, nodes []*Node) {
	a, b := nodes[0], nodes[1]
	sa, sb := sessionLayer(t, a, actors.Config{}), sessionLayer(t, b, actors.Config{})
	ctx := context.Background()

	p, err := sa.CreateProject(ctx, "", "restomod", "Camaro")
	require.NoError(t, err)
	roots, err := p.Roots.Nodes()
	require.NoError(t, err)
	sid, root := p.SessionID, roots[0].ID
	var acked []string
	for i := range 3 {
		res, err := sa.Execute(ctx, sid, actors.ExecuteRequest{Command: model.CreateNode{ParentID: root, Type: "phase", Name: "p" + string(rune('a'+i))}})
		require.NoError(t, err)
		acked = append(acked, res.CommandID)
	}

	takeOver(t, b, sid)
	require.NoError(t, sb.Adopt(ctx, sid))
	res, err := sb.Execute(ctx, sid, actors.ExecuteRequest{Command: model.CreateNode{ParentID: root, Type: "phase", Name: "on b"}})
	require.NoError(t, err, "b loads the session from the journal and serves it")
	acked = append(acked, res.CommandID)

	_, err = sa.Execute(ctx, sid, actors.ExecuteRequest{CommandID: "stale-try", Command: model.CreateNode{ParentID: root, Type: "phase", Name: "stale"}})
	require.ErrorIs(t, err, actors.ErrUnavailable, "the stale owner's command is refused, not acknowledged")
	waitFor(t, "a to drop the session", func() bool {
		_, err := sa.Info(ctx, sid)
		return errors.Is(err, actors.ErrSessionNotFound)
	})

	page, err := sb.EventsAfter(ctx, sid, 0, actors.MaxEventsLimit)
	require.NoError(t, err)
	seen := map[string]int{}
	for i, ev := range page.Events {
		require.Equal(t, uint64(i+1), ev.Seq, "no gap")
		if ev.Name == model.EventCommandExecuted {
			seen[ev.CommandID]++
		}
	}
	for _, id := range acked {
		require.Equal(t, 1, seen[id], "acknowledged command %s once", id)
	}
	require.Zero(t, seen["stale-try"])
	tr, err := sb.Tree(ctx, sid)
	require.NoError(t, err)
	after, err := tr.Roots.Nodes()
	require.NoError(t, err)
	require.Len(t, after[0].Children, 4)
}

// testPassivation: an idle session leaves memory (checkpointed to the
// replicated journal) and comes back on its next request, whole, still
// owned by the same server.
func testPassivation(t *testing.T, n *Node) {
	c := sessionLayer(t, n, actors.Config{IdleTimeout: 50 * time.Millisecond})
	ctx := context.Background()
	p, err := c.CreateProject(ctx, "", "restomod", "Idle")
	require.NoError(t, err)
	roots, err := p.Roots.Nodes()
	require.NoError(t, err)
	_, err = c.Execute(ctx, p.SessionID, actors.ExecuteRequest{CommandID: "before", Command: model.CreateNode{ParentID: roots[0].ID, Type: "phase", Name: "before"}})
	require.NoError(t, err)
	waitFor(t, "the session to leave memory", func() bool { return c.Stats().Live == 0 })
	require.True(t, n.Owns(p.SessionID), "passivated, still this server's")

	res, err := c.Execute(ctx, p.SessionID, actors.ExecuteRequest{CommandID: "after", Command: model.CreateNode{ParentID: roots[0].ID, Type: "phase", Name: "after"}})
	require.NoError(t, err, "loaded again from the journal")
	again, err := c.Execute(ctx, p.SessionID, actors.ExecuteRequest{CommandID: "before", Command: model.CreateNode{ParentID: roots[0].ID, Type: "phase", Name: "before"}})
	require.NoError(t, err)
	require.Less(t, again.Seq, res.Seq, "a retry of a command from before is answered from the journal, not applied again")
	tr, err := c.Tree(ctx, p.SessionID)
	require.NoError(t, err)
	after, err := tr.Roots.Nodes()
	require.NoError(t, err)
	require.Len(t, after[0].Children, 2)
	require.Equal(t, res.Seq, tr.Seq)
}

// testTakeover: when a session's owner leaves the cluster, the next server
// asked for it takes it over from the journal, with everything the owner
// acknowledged.
func testTakeover(t *testing.T, nodes []*Node) {
	ctx := context.Background()
	const sid = "8b0b2a4e-5f8a-4d8e-9c3a-000000000003"
	gone, heir := nodes[2], nodes[0]
	heir.Attach(&fakeSessions{})
	require.NoError(t, gone.Claim(ctx, sid))
	require.NoError(t, gone.Checkpoint(ctx, sid, 0, []byte("empty")))
	for seq := uint64(1); seq <= 3; seq++ {
		require.NoError(t, gone.Append(ctx, rec(sid, seq)))
	}
	url, err := heir.Route(ctx, sid)
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:5002", url)

	stopped := time.Now()
	require.NoError(t, gone.Close())
	var last error
	waitFor(t, "the heir to take the session over", func() bool {
		url, err := heir.Route(ctx, sid)
		last = err
		return err == nil && url == ""
	})
	t.Logf("last error while waiting: %v", last)
	require.True(t, heir.Owns(sid))
	state, seq, records, err := heir.LoadSession(sid)
	require.NoError(t, err)
	t.Logf("taken over %s after its owner left", time.Since(stopped).Round(time.Millisecond))
	require.Equal(t, "empty", string(state))
	require.Zero(t, seq)
	require.Equal(t, []store.Record{rec(sid, 1), rec(sid, 2), rec(sid, 3)}, records)
	require.NoError(t, heir.Append(ctx, rec(sid, 4)))
}

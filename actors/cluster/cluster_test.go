package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/actors/store"
)

// fakeSessions records what a node tells the session layer.
type fakeSessions struct {
	mu       sync.Mutex
	adopted  []string
	disowned []string
}

func (f *fakeSessions) Adopt(_ context.Context, sid string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.adopted = append(f.adopted, sid)
	return nil
}

func (f *fakeSessions) Disown(sid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disowned = append(f.disowned, sid)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startCluster starts n nodes in this process, each with its own NATS
// server and data directory, joined into one cluster on 127.0.0.1.
func startCluster(t *testing.T, n int, ttl time.Duration) ([]*Node, []*fakeSessions) {
	t.Helper()
	addrs := make([]string, n)
	for i := range addrs {
		addrs[i] = "127.0.0.1:" + strconv.Itoa(freePort(t))
	}
	nodes := make([]*Node, n)
	fakes := make([]*fakeSessions, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		var peers []string
		for j, a := range addrs {
			if j != i {
				peers = append(peers, a)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i], errs[i] = Start(Config{
				Name: fmt.Sprintf("n%d", i+1), Listen: addrs[i], Peers: peers,
				Advertise: fmt.Sprintf("http://127.0.0.1:%d", 5000+i), DataDir: t.TempDir(),
				LeaseTTL: ttl, ReadyTimeout: 30 * time.Second,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			})
		}()
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		fakes[i] = &fakeSessions{}
		nodes[i].Attach(fakes[i])
	}
	t.Cleanup(func() {
		for _, nd := range nodes {
			_ = nd.Close()
		}
	})
	return nodes, fakes
}

func rec(sid string, seq uint64) store.Record {
	return store.Record{SessionID: sid, Seq: seq, Data: []byte(`{"seq":` + strconv.FormatUint(seq, 10) + `}`)}
}

// TestStaleOwnerIsFenced: once another server has taken a session over, the
// server that owned it before cannot append, checkpoint or delete it, even
// while its own lease clock still says it owns it; nothing it tried is in
// the journal, and everything acknowledged before is.
func TestStaleOwnerIsFenced(t *testing.T) {
	nodes, fakes := startCluster(t, 3, 2*time.Second)
	a, b := nodes[0], nodes[1]
	ctx := context.Background()
	const sid = "s-fence"

	require.NoError(t, a.Claim(ctx, sid))
	require.NoError(t, a.Checkpoint(ctx, sid, 0, []byte("empty")))
	for seq := uint64(1); seq <= 5; seq++ {
		require.NoError(t, a.Append(ctx, rec(sid, seq)))
	}
	url, err := b.Route(ctx, sid)
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:5000", url, "a live owner is routed to, not taken over")

	// a stops renewing (a paused process): its key runs out, b takes over.
	a.stopRenewals() // as if paused: its clock still says it holds the lease
	require.NoError(t, b.owner.Delete(ctx, sid)) // what the TTL does, without waiting for it
	url, err = b.Route(ctx, sid)
	require.NoError(t, err)
	require.Empty(t, url)
	require.Equal(t, []string{sid}, fakes[1].adopted)
	state, seq, records, err := b.LoadSession(sid)
	require.NoError(t, err)
	require.Equal(t, "empty", string(state))
	require.Zero(t, seq)
	require.Len(t, records, 5)
	for i, r := range records {
		require.Equal(t, uint64(i+1), r.Seq)
	}

	a.mu.Lock()
	a.leases[sid].until = time.Now().Add(time.Hour) // it still believes
	a.mu.Unlock()
	err = a.Append(ctx, rec(sid, 6))
	require.ErrorIs(t, err, actors.ErrFenced)
	require.ErrorIs(t, err, actors.ErrUnavailable, "a fenced write is UNAVAILABLE to its client, who retries at the owner")
	require.Contains(t, fakes[0].disowned, sid, "the stale owner drops the session")
	require.ErrorIs(t, a.Checkpoint(ctx, sid, 9, []byte("stale")), actors.ErrFenced)

	require.NoError(t, b.Append(ctx, rec(sid, 6)))
	require.NoError(t, b.Checkpoint(ctx, sid, 6, []byte("six")))
	require.NoError(t, b.Append(ctx, rec(sid, 7)))

	// A third server taking over later sees b's history, none of a's tries.
	b.stopRenewals()
	require.NoError(t, nodes[2].owner.Delete(ctx, sid))
	_, err = nodes[2].Route(ctx, sid)
	require.NoError(t, err)
	state, seq, records, err = nodes[2].LoadSession(sid)
	require.NoError(t, err)
	require.Equal(t, "six", string(state))
	require.Equal(t, uint64(6), seq)
	require.Equal(t, []store.Record{rec(sid, 7)}, records)
}

// TestRoutes: a session nobody made is served here (the session layer says
// it is not found); a new one belongs to whoever claimed it; a second claim
// of the same id is refused.
func TestRoutes(t *testing.T) {
	nodes, _ := startCluster(t, 3, 2*time.Second)
	ctx := context.Background()
	url, err := nodes[0].Route(ctx, "never-made")
	require.NoError(t, err)
	require.Empty(t, url)
	require.False(t, nodes[0].Owns("never-made"))

	require.NoError(t, nodes[1].Claim(ctx, "s-new"))
	require.True(t, nodes[1].Owns("s-new"))
	for _, i := range []int{0, 2} {
		url, err := nodes[i].Route(ctx, "s-new")
		require.NoError(t, err)
		require.Equal(t, "http://127.0.0.1:5001", url)
	}
	err = nodes[2].Claim(ctx, "s-new")
	require.Error(t, err)
	require.True(t, errors.Is(err, actors.ErrUnavailable))

	// Leases are renewed: after several TTLs the owner still owns it.
	time.Sleep(5 * time.Second)
	require.True(t, nodes[1].Owns("s-new"))
	url, err = nodes[0].Route(ctx, "s-new")
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:5001", url)
}

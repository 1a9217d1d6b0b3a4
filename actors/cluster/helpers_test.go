package cluster

import (
	"context"
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
	"github.com/talus-tally/server/model"
)

// waitLimit bounds every wait: forming a cluster and electing leaders on a
// loaded machine takes seconds; a hang fails rather than blocks.
const waitLimit = 60 * time.Second

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

func (f *fakeSessions) lists() (adopted, disowned []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.adopted...), append([]string(nil), f.disowned...)
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startCluster starts n nodes in this process, each with its own NATS
// server and data directory, joined into one cluster on 127.0.0.1. Node i
// advertises http://127.0.0.1:500i.
func startCluster(tb testing.TB, n int) []*Node {
	tb.Helper()
	addrs := make([]string, n)
	for i := range addrs {
		addrs[i] = "127.0.0.1:" + strconv.Itoa(freePort(tb))
	}
	nodes := make([]*Node, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		var peers []string
		for j, a := range addrs {
			if j != i {
				peers = append(peers, a)
			}
		}
		dir := tb.TempDir()
		wg.Go(func() {
			nodes[i], errs[i] = Start(Config{
				Name: fmt.Sprintf("n%d", i), Listen: addrs[i], Peers: peers,
				Advertise: fmt.Sprintf("http://127.0.0.1:%d", 5000+i), DataDir: dir,
				ReadyTimeout: waitLimit, Logger: quiet(),
			})
		})
	}
	wg.Wait()
	for i := range n {
		require.NoError(tb, errs[i])
	}
	tb.Cleanup(func() {
		for _, nd := range nodes {
			_ = nd.Close()
		}
	})
	// Every node sees every other before a test judges who is alive.
	waitFor(tb, "a full mesh of routes", func() bool {
		for _, nd := range nodes {
			nd.refreshRoutes()
			if nd.routes.Load().len() != n-1 {
				return false
			}
		}
		return true
	})
	return nodes
}

// waitFor polls cond until it holds, failing after waitLimit.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("waited %s for %s", waitLimit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func rec(sid string, seq uint64) store.Record {
	return store.Record{SessionID: sid, Seq: seq, Data: []byte(`{"seq":` + strconv.FormatUint(seq, 10) + `}`)}
}

// takeOver does by hand what Route does when it finds a session's owner
// gone: the owners key to this node (compare-and-set), then its hold. The
// tests use it to take a session from a node that is still alive, which is
// what the others conclude of a node that was paused or cut off.
func takeOver(tb testing.TB, n *Node, sid string) {
	tb.Helper()
	ctx := context.Background()
	kv, err := kvGet(ctx, n.ownerReads, ownersBucket, sid)
	require.NoError(tb, err)
	next, err := n.owners.Update(ctx, sid, n.me, kv.rev)
	require.NoError(tb, err)
	n.hold(sid, next)
}

var (
	catalogOnce sync.Once
	catalog     *model.Catalog
)

// sessionLayer runs a real session layer on node n's journal; cfg's zero
// fields take the tests' settings.
func sessionLayer(tb testing.TB, n *Node, cfg actors.Config) *actors.Client {
	tb.Helper()
	catalogOnce.Do(func() {
		var errs []error
		if catalog, errs = model.LoadCatalog(""); len(errs) > 0 {
			panic(fmt.Sprint(errs))
		}
	})
	cfg.Catalog, cfg.Journal, cfg.Logger = catalog, n, quiet()
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = waitLimit // a loaded machine is slow, not wrong
	}
	c, err := actors.Start(cfg)
	require.NoError(tb, err)
	n.Attach(c)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		_ = c.Stop(ctx)
	})
	return c
}

package test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	nethttp "net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The cluster test's shape: servers, sessions, clients driving commands
// (spread over the sessions and, by their home server, over the servers),
// socket watchers, and kill -9 rounds.
const (
	clusterServers  = 3
	clusterSessions = 4
	clusterClients  = 8
	clusterWatchers = 6
	clusterRounds   = 3
	// clusterPace spaces one client's commands: it keeps each session's
	// history well inside the kept history (-history-limit), so a
	// watcher's last_seq always finds the events it missed.
	clusterPace = 80 * time.Millisecond
	// clusterWait bounds every wait on the cluster: a takeover needs
	// JetStream to elect new leaders (4 to 9 seconds) on a loaded machine.
	clusterWait = 90 * time.Second
)

// TestClusterFailover runs 3 servers as 3 processes of the real binary, one
// cluster on 127.0.0.1. Clients spread over the servers drive commands on
// sessions spread over them too, retrying at the next server whenever one
// does not answer; socket watchers follow the sessions, each through one
// server, reconnecting with last_seq. Three times the server owning most
// sessions is killed with SIGKILL at a random moment, and restarted; then
// one is frozen (SIGSTOP) until the others have taken its session over, and
// thawed: the first command its stale session actor is asked for is
// refused. After each round: every acknowledged command is in its session's
// history exactly once, at the seq its answer said; the history has no gap
// and replays to GET graph; every watcher has seen every event once, in
// order, and holds that graph.
func TestClusterFailover(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL and SIGSTOP")
	}
	if testing.Short() {
		t.Skip("builds the binary and runs a cluster")
	}
	bin := buildTalus(t)
	nodes := startTestCluster(t, bin, clusterServers)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server logs:\n%s", logsOf(nodes))
		}
	})
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))

	// Sessions, each made on another server (which owns it).
	sessions := make([]sess, clusterSessions)
	for i := range sessions {
		r := anyServerFrom(t, nodes, i, "POST", "/projects", map[string]any{"template_id": "restomod", "project_name": fmt.Sprintf("cluster %d", i)})
		require.Equal(t, nethttp.StatusCreated, r.status, "%v", r.body)
		sessions[i].sid = r.body["session_id"].(string)
		roots := r.body["graph"].(map[string]any)["roots"].([]any)
		sessions[i].root = roots[0].(map[string]any)["id"].(string)
	}

	ctx, cancelWatchers := context.WithCancel(context.Background())
	defer cancelWatchers()
	watchers := make([]*clusterWatcher, clusterWatchers)
	var watching sync.WaitGroup
	for i := range watchers {
		watchers[i] = &clusterWatcher{idx: i, sid: sessions[i%clusterSessions].sid, nodes: nodes}
		watching.Go(func() { watchers[i].run(ctx, i%clusterServers) })
	}
	defer watching.Wait()
	defer cancelWatchers()

	clients := make([]*clusterClient, clusterClients)
	for i := range clients {
		s := sessions[i%clusterSessions]
		clients[i] = &clusterClient{idx: i, sid: s.sid, root: s.root, nodes: nodes, server: i % clusterServers, rng: rand.New(rand.NewPCG(seed, uint64(i)))}
	}

	var takeovers []time.Duration // per round, the median over the victim's sessions
	for round := 1; round <= clusterRounds; round++ {
		stop := make(chan struct{})
		var driving sync.WaitGroup
		for _, c := range clients {
			driving.Go(func() { c.run(stop, clusterPace, clusterWait) })
		}
		time.Sleep(time.Second + time.Duration(rng.Int64N(int64(1500*time.Millisecond))))

		owners := currentOwners(clients)
		victim := busiest(nodes, owners)
		var victimSessions []string
		for sid, name := range owners {
			if name == victim.name {
				victimSessions = append(victimSessions, sid)
			}
		}
		killed := time.Now()
		victim.current().kill(t)
		times := awaitTakeover(t, clients, victim.name, victimSessions, killed)
		med := median(times)
		takeovers = append(takeovers, med)
		t.Logf("round %d: killed %s (SIGKILL) owning %d sessions; taken over after %v (median %v)", round, victim.name, len(victimSessions), times, med)

		time.Sleep(500 * time.Millisecond) // traffic on the new owners
		close(stop)
		driving.Wait()
		victim.launch(t, bin)
		victim.awaitHealthy(t)
		checkCluster(t, nodes, clients, watchers, sids(sessions))
	}
	t.Logf("takeover after SIGKILL: median of the rounds' medians %v (rounds %v)", median(takeovers), takeovers)

	// A frozen owner: the others take its session over; thawed, it still
	// holds the session actor and tries to write, and is refused.
	target := sessions[0]
	stale := nodeNamed(nodes, currentOwners(clients)[target.sid])
	if stale == nil {
		stale = nodes[0]
	}
	stale.signal(t, syscall.SIGSTOP)
	frozen := true
	defer func() {
		if frozen {
			stale.signal(t, syscall.SIGCONT)
		}
	}()
	var others []*clusterNode
	for _, n := range nodes {
		if n != stale {
			others = append(others, n)
		}
	}
	probe := &clusterClient{idx: 100, sid: target.sid, root: target.root, nodes: others, rng: rand.New(rand.NewPCG(seed, 100))}
	for deadline := time.Now().Add(clusterWait); ; {
		probe.do(len(probe.ops), time.Now().Add(clusterWait))
		last := probe.ops[len(probe.ops)-1]
		if last.status == nethttp.StatusOK && last.servedBy != stale.name {
			break
		}
		require.True(t, time.Now().Before(deadline), "the session was not taken over from the frozen %s", stale.name)
	}
	stale.signal(t, syscall.SIGCONT)
	frozen = false
	thawed := &clusterClient{idx: 101, sid: target.sid, root: target.root, nodes: []*clusterNode{stale}, rng: rand.New(rand.NewPCG(seed, 101))}
	first := send(context.Background(), stale.base(), "POST", "/commands/execute",
		map[string]any{"session_id": target.sid, "command_type": "RenameNode", "command_id": "thawed-first", "data": map[string]any{"node_id": target.root, "name": "stale"}})
	require.Equal(t, nethttp.StatusServiceUnavailable, first.status, "the thawed stale owner must not acknowledge: %v (served by %s)", first.body, first.servedBy)
	thawed.ops = append(thawed.ops, &clusterOp{id: "thawed-first", kind: "RenameNode", status: first.status})
	thawed.do(1, time.Now().Add(clusterWait))
	require.Equal(t, nethttp.StatusOK, thawed.ops[1].status, "a retry at the stale server reaches the owner")
	require.NotEqual(t, stale.name, thawed.ops[1].servedBy, "served by the owner, not the stale server")
	require.Eventually(t, func() bool {
		return strings.Contains(stale.current().logs.String(), "session lost to another server")
	}, clusterWait, 50*time.Millisecond, "the stale server was fenced and let the session go")
	checkCluster(t, nodes, append(clients, probe, thawed), watchers, sids(sessions))
	evs, _ := clusterEvents(t, nodes, target.sid)
	require.NotContains(t, groupByCommand(evs), "thawed-first", "the command refused by the stale owner did not happen")
}

// sess is a session of the cluster test and its root node.
type sess struct{ sid, root string }

func sids(ss []sess) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.sid
	}
	return out
}

// anyServerFrom is anyServer starting at server first.
func anyServerFrom(tb testing.TB, nodes []*clusterNode, first int, method, path string, body any) clusterReply {
	tb.Helper()
	rotated := append(slices.Clone(nodes[first%len(nodes):]), nodes[:first%len(nodes)]...)
	return anyServer(tb, rotated, method, path, body, clusterWait)
}

// currentOwners says, for each session, which server served the newest
// acknowledged command.
func currentOwners(clients []*clusterClient) map[string]string {
	newest := map[string]clusterOp{}
	for _, c := range clients {
		for _, op := range c.snapshot() {
			if op.status == nethttp.StatusOK && op.acked.After(newest[c.sid].acked) {
				newest[c.sid] = op
			}
		}
	}
	out := map[string]string{}
	for sid, op := range newest {
		out[sid] = op.servedBy
	}
	return out
}

// busiest is the server that owns the most sessions.
func busiest(nodes []*clusterNode, owners map[string]string) *clusterNode {
	count := map[string]int{}
	for _, name := range owners {
		count[name]++
	}
	best := nodes[0]
	for _, n := range nodes {
		if count[n.name] > count[best.name] {
			best = n
		}
	}
	return best
}

func nodeNamed(nodes []*clusterNode, name string) *clusterNode {
	for _, n := range nodes {
		if n.name == name {
			return n
		}
	}
	return nil
}

// awaitTakeover waits until each of sids has a command acknowledged by a
// server other than victim, sent after killed, and returns how long after
// killed each was.
func awaitTakeover(tb testing.TB, clients []*clusterClient, victim string, sids []string, killed time.Time) []time.Duration {
	tb.Helper()
	deadline := time.Now().Add(clusterWait)
	for {
		var out []time.Duration
		for _, sid := range sids {
			first := time.Time{}
			for _, c := range clients {
				if c.sid != sid {
					continue
				}
				for _, op := range c.snapshot() {
					if op.status == nethttp.StatusOK && op.servedBy != victim && op.acked.After(killed) && (first.IsZero() || op.acked.Before(first)) {
						first = op.acked
					}
				}
			}
			if !first.IsZero() {
				out = append(out, first.Sub(killed).Round(time.Millisecond))
			}
		}
		if len(out) == len(sids) {
			return out
		}
		if time.Now().After(deadline) {
			tb.Fatalf("sessions of %s not taken over within %s (%d of %d)", victim, clusterWait, len(out), len(sids))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// checkCluster checks every session: its history (read through some
// server) has no gap and replays to its graph; each command a client got a
// 200 for is in it once, at the seq the 200 said; one that got a 4xx
// changed nothing; and every watcher of it ends at its seq holding its
// graph, having seen every event once, in order.
func checkCluster(t *testing.T, nodes []*clusterNode, clients []*clusterClient, watchers []*clusterWatcher, sessions []string) {
	t.Helper()
	for _, sid := range sessions {
		evs, seq := clusterEvents(t, nodes, sid)
		groups := groupByCommand(evs)
		for _, c := range clients {
			if c.sid != sid {
				continue
			}
			for _, op := range c.snapshot() {
				g := groups[op.id]
				switch {
				case op.status == nethttp.StatusOK:
					require.NotNil(t, g, "acknowledged %s %s (seq %d, served by %s) is not in the history of %s", op.kind, op.id, op.seq, op.servedBy, sid)
					outcome, err := g.outcome()
					require.NoError(t, err, "command %s", op.id)
					require.Equal(t, "executed", outcome, "command %s", op.id)
					require.Equal(t, op.seq, g.Last, "command %s: the seq its answer said", op.id)
				case op.status >= 400 && op.status < 500:
					if g != nil {
						outcome, err := g.outcome()
						require.NoError(t, err)
						require.Equal(t, "failed", outcome, "refused command %s changed the graph", op.id)
					}
				default: // unknown (no answer in time, or refused while the session moved): once at most
					if g != nil {
						_, err := g.outcome()
						require.NoError(t, err, "command %s", op.id)
					}
				}
			}
		}
		tree := anyServer(t, nodes, "GET", "/sessions/"+sid+"/graph/tree", nil, clusterWait)
		require.Equal(t, nethttp.StatusOK, tree.status)
		require.Equal(t, canonTree(t, tree.body["roots"]), canonTree(t, replayEvents(t, evs)), "the history of %s replays to its graph", sid)
		require.GreaterOrEqual(t, int64(tree.body["seq"].(float64)), seq)
	}
	// Watchers: their sessions are quiet now but for watchers (re)joining.
	require.Eventually(t, func() bool {
		for _, w := range watchers {
			tree := send(context.Background(), nodes[w.idx%len(nodes)].base(), "GET", "/sessions/"+w.sid+"/graph/tree", nil)
			if tree.status != nethttp.StatusOK {
				return false
			}
			seq, roots, _, connected := w.state()
			if !connected || seq != int64(tree.body["seq"].(float64)) {
				return false
			}
			if !equalTrees(t, canonTree(t, tree.body["roots"]), canonTree(t, roots)) {
				return false
			}
		}
		return true
	}, clusterWait, 100*time.Millisecond, "every watcher converges to GET graph")
	for _, w := range watchers {
		_, _, problems, _ := w.state()
		require.Empty(t, problems, "watcher %d of %s saw every event once, in order", w.idx, w.sid)
	}
}

// clusterEvents is fetchEvents through whichever server answers: a
// session's whole history and its seq, checked to run from 1 without a gap.
func clusterEvents(tb testing.TB, nodes []*clusterNode, sid string) ([]wireEvent, int64) {
	tb.Helper()
	var out []wireEvent
	for after := int64(0); ; {
		r := anyServer(tb, nodes, "GET", fmt.Sprintf("/sessions/%s/events?after_seq=%d", sid, after), nil, clusterWait)
		require.Equal(tb, nethttp.StatusOK, r.status, "events of %s: %v", sid, r.body)
		evs, _ := r.body["events"].([]any)
		for _, e := range evs {
			f := e.(map[string]any)
			raw, err := json.Marshal(f)
			require.NoError(tb, err)
			ev := wireEvent{Fields: f, Raw: raw, Seq: int64(f["seq"].(float64))}
			ev.Name, _ = f["event"].(string)
			ev.CommandID, _ = f["command_id"].(string)
			require.Equal(tb, int64(len(out)+1), ev.Seq, "session %s: history has a gap or is out of order at %d", sid, len(out))
			out = append(out, ev)
		}
		next, more := r.body["next_after_seq"].(float64)
		if !more {
			seq := int64(r.body["seq"].(float64))
			require.Equal(tb, int64(len(out)), seq, "session %s: seq is the last event's", sid)
			return out, seq
		}
		after = int64(next)
	}
}

// equalTrees compares canonical trees without failing the test.
func equalTrees(tb testing.TB, a, b []wireTree) bool {
	tb.Helper()
	return fmt.Sprint(a) == fmt.Sprint(b)
}

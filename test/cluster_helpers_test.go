package test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	nethttp "net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/ws/sioclient"
)

// servedByHeader names the server that served a request (http/cluster.go).
const servedByHeader = "Talus-Served-By"

// clusterNode is one server of a test cluster: its fixed addresses and data
// directory, and its current process (a new one after each restart).
type clusterNode struct {
	name, addr, route, dir string
	peers                  []string

	mu   sync.Mutex
	proc *talusProc
}

func (n *clusterNode) base() string   { return "http://" + n.addr + "/api/v1" }
func (n *clusterNode) origin() string { return "http://" + n.addr }

func (n *clusterNode) current() *talusProc {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.proc
}

// launch starts the node's process without waiting for it: a cluster's
// first server waits for a quorum before it answers.
func (n *clusterNode) launch(tb testing.TB, bin string) {
	tb.Helper()
	p := &talusProc{exited: make(chan error, 1), logs: &syncBuffer{}, base: n.base(), client: &nethttp.Client{Timeout: 20 * time.Second}}
	p.cmd = exec.Command(bin)
	p.cmd.Env = append(os.Environ(),
		"TALUS_ADDR="+n.addr, "TALUS_DATA_DIR="+n.dir, "TALUS_LOG_LEVEL=info",
		"TALUS_CLUSTER="+n.route, "TALUS_CLUSTER_PEERS="+strings.Join(n.peers, ","), "TALUS_CLUSTER_NODE="+n.name)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	require.NoError(tb, p.cmd.Start())
	go func() { p.exited <- p.cmd.Wait() }()
	tb.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	n.mu.Lock()
	n.proc = p
	n.mu.Unlock()
}

// awaitHealthy waits until the node answers /health with 200: it is part of
// a quorum of the cluster.
func (n *clusterNode) awaitHealthy(tb testing.TB) {
	tb.Helper()
	p := n.current()
	deadline := time.Now().Add(procWait)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.exited:
			tb.Fatalf("%s exited at start (%v): %s", n.name, err, p.logs.String())
		default:
		}
		res, err := p.client.Get(p.base + "/health")
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == nethttp.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("%s never became healthy: %s", n.name, p.logs.String())
}

// signal sends sig to the node's process (SIGSTOP, SIGCONT).
func (n *clusterNode) signal(tb testing.TB, sig syscall.Signal) {
	tb.Helper()
	require.NoError(tb, n.current().cmd.Process.Signal(sig))
}

// startTestCluster starts count servers of one cluster on 127.0.0.1, each
// on its own data directory, and waits until every one is healthy.
func startTestCluster(tb testing.TB, bin string, count int) []*clusterNode {
	tb.Helper()
	nodes := make([]*clusterNode, count)
	for i := range nodes {
		nodes[i] = &clusterNode{
			name:  fmt.Sprintf("n%d", i+1),
			addr:  "127.0.0.1:" + strconv.Itoa(freePort(tb)),
			route: "127.0.0.1:" + strconv.Itoa(freePort(tb)),
			dir:   filepath.Join(tb.TempDir(), fmt.Sprintf("n%d", i+1)),
		}
	}
	for _, n := range nodes {
		for _, o := range nodes {
			if o != n {
				n.peers = append(n.peers, o.route)
			}
		}
		n.launch(tb, bin)
	}
	for _, n := range nodes {
		n.awaitHealthy(tb)
	}
	return nodes
}

// logsOf is every line each node's processes wrote, for a failing test.
func logsOf(nodes []*clusterNode) string {
	var b strings.Builder
	for _, n := range nodes {
		fmt.Fprintf(&b, "==== %s\n%s\n", n.name, n.current().logs.String())
	}
	return b.String()
}

// clusterHTTP is the HTTP client of the cluster test's clients: one pool,
// and a bound on every request, so a dead server costs a retry, not a hang.
var clusterHTTP = &nethttp.Client{Timeout: 10 * time.Second, Transport: &nethttp.Transport{MaxIdleConnsPerHost: 32}}

// clusterReply is what one request got.
type clusterReply struct {
	status   int // 0: no answer (transport error)
	body     map[string]any
	servedBy string
}

func (r clusterReply) code() string {
	e, _ := r.body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// send makes one request to base and reads the reply; a transport error is
// status 0.
func send(ctx context.Context, base, method, path string, body any) clusterReply {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := nethttp.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return clusterReply{}
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := clusterHTTP.Do(req)
	if err != nil {
		return clusterReply{}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return clusterReply{}
	}
	out := clusterReply{status: res.StatusCode, servedBy: res.Header.Get(servedByHeader)}
	_ = json.Unmarshal(b, &out.body)
	return out
}

// retryable is an answer after which the same request is sent again (same
// command id): no answer, or 503 (its outcome unknown, the session between
// servers). A client that gets one moves on to the next server.
func retryable(r clusterReply) bool {
	return r.status == 0 || r.status == nethttp.StatusServiceUnavailable
}

// clusterOp is one command a cluster client sent and its outcome.
type clusterOp struct {
	id, kind string
	sent     time.Time
	acked    time.Time // zero unless 200
	status   int       // the final answer; 0 when none came
	seq      int64
	servedBy string
	tries    int
}

// clusterClient drives commands on one session through the servers, from
// its home server on: on no answer or 503 it sends the same command again
// to the next server, until it is answered.
type clusterClient struct {
	idx    int
	sid    string
	root   string
	nodes  []*clusterNode
	server int
	rng    *rand.Rand

	mu     sync.Mutex
	ops    []*clusterOp
	phases []string
}

// run sends commands one after the other, pace apart, until stop is
// closed; the one in flight then is finished (within budget).
func (c *clusterClient) run(stop <-chan struct{}, pace time.Duration, budget time.Duration) {
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		case <-time.After(pace):
		}
		c.do(n, time.Now().Add(budget))
	}
}

// do sends one command until it is answered or deadline passes.
func (c *clusterClient) do(n int, deadline time.Time) {
	kind, data := c.next()
	op := &clusterOp{id: fmt.Sprintf("c%d-%d", c.idx, n), kind: kind, sent: time.Now()}
	c.mu.Lock()
	c.ops = append(c.ops, op)
	c.mu.Unlock()
	body := map[string]any{"session_id": c.sid, "command_type": kind, "data": data, "command_id": op.id, "include_graph": false}
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		r := send(ctx, c.nodes[c.server].base(), "POST", "/commands/execute", body)
		cancel()
		c.mu.Lock()
		op.tries++
		if !retryable(r) {
			op.status, op.servedBy = r.status, r.servedBy
			if r.status == nethttp.StatusOK {
				op.acked = time.Now()
				seq, _ := r.body["seq"].(float64)
				op.seq = int64(seq)
				if nid, _ := r.body["node_id"].(string); kind == "CreateNode" && nid != "" {
					c.phases = append(c.phases, nid)
				}
			}
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		c.server = (c.server + 1) % len(c.nodes)
		time.Sleep(50 * time.Millisecond)
	}
}

// next picks a command: a phase under the root, a rename of one of this
// client's phases, or the root's vin.
func (c *clusterClient) next() (string, map[string]any) {
	c.mu.Lock()
	phases := len(c.phases)
	c.mu.Unlock()
	switch k := c.rng.IntN(3); {
	case k == 0 || phases == 0:
		return "CreateNode", map[string]any{"parent_id": c.root, "blueprint_type_id": "phase", "name": fmt.Sprintf("phase of c%d", c.idx)}
	case k == 1:
		c.mu.Lock()
		id := c.phases[c.rng.IntN(len(c.phases))]
		c.mu.Unlock()
		return "RenameNode", map[string]any{"node_id": id, "name": fmt.Sprintf("renamed by c%d #%d", c.idx, c.rng.IntN(1000))}
	default:
		return "UpdateProperty", map[string]any{"node_id": c.root, "property_id": "vin", "value": fmt.Sprintf("VIN-%d-%d", c.idx, c.rng.IntN(100000))}
	}
}

// snapshot copies the client's ops.
func (c *clusterClient) snapshot() []clusterOp {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]clusterOp, len(c.ops))
	for i, op := range c.ops {
		out[i] = *op
	}
	return out
}

// clusterWatcher watches one session over Socket.IO, through whichever
// server it reaches: on a lost connection it reconnects to the next one
// and joins again with last_seq. It applies every graph event to its own
// copy of the graph and checks each event's seq is the one after the last:
// every event once, in order, across reconnects.
type clusterWatcher struct {
	idx   int
	sid   string
	nodes []*clusterNode

	mu         sync.Mutex
	seq        int64
	roots      []model.TreeNode
	problems   []string
	reconnects int
	connected  bool
}

// run keeps the watcher connected until ctx ends.
func (w *clusterWatcher) run(ctx context.Context, first int) {
	server := first
	for ctx.Err() == nil {
		w.session(ctx, w.nodes[server])
		server = (server + 1) % len(w.nodes)
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// session is one connection: dial, join with last_seq, take events until
// the connection ends.
func (w *clusterWatcher) session(ctx context.Context, n *clusterNode) {
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := sioclient.DialOptions(dctx, n.origin(), sioclient.Options{Namespace: "/graph", OnEvent: w.event})
	if err != nil {
		return
	}
	defer c.Close()
	w.mu.Lock()
	last := w.seq
	w.mu.Unlock()
	res, err := c.Call(dctx, "join_session", map[string]any{"session_id": w.sid, "last_seq": last})
	if err != nil || len(res) == 0 {
		return
	}
	var ack struct {
		Seq   *int64 `json:"seq"`
		Error any    `json:"error"`
	}
	if json.Unmarshal(res[0], &ack) != nil || ack.Seq == nil {
		return // refused (the session between servers): try the next one
	}
	w.mu.Lock()
	w.connected = true
	w.reconnects++
	w.mu.Unlock()
	select {
	case <-ctx.Done():
	case <-c.Done():
	}
	w.mu.Lock()
	w.connected = false
	w.mu.Unlock()
}

// event takes one event of the session (on the connection's reader).
func (w *clusterWatcher) event(ev sioclient.Event) {
	if len(ev.Args) == 0 {
		return
	}
	var fields map[string]any
	if json.Unmarshal(ev.Args[0], &fields) != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if ev.Name == "session:resync" {
		var r struct {
			Seq   int64 `json:"seq"`
			Graph struct {
				Roots []model.TreeNode `json:"roots"`
			} `json:"graph"`
		}
		if err := json.Unmarshal(ev.Args[0], &r); err != nil {
			w.problems = append(w.problems, "resync: "+err.Error())
			return
		}
		w.seq, w.roots = r.Seq, r.Graph.Roots
		return
	}
	s, ok := fields["seq"].(float64)
	if !ok || ev.Name == "joined" || fields["session_id"] != w.sid {
		return // joined, left, error: answers to this client, not the session's events
	}
	seq := int64(s)
	switch {
	case seq <= w.seq:
		w.problems = append(w.problems, fmt.Sprintf("%s seq %d again (at %d)", ev.Name, seq, w.seq))
		return
	case seq != w.seq+1:
		w.problems = append(w.problems, fmt.Sprintf("%s seq %d after %d: a gap", ev.Name, seq, w.seq))
	}
	w.seq = seq
	if ev.Name == model.EventProjectLoaded {
		var g struct {
			Graph struct {
				Roots []model.TreeNode `json:"roots"`
			} `json:"graph"`
		}
		if err := json.Unmarshal(ev.Args[0], &g); err != nil {
			w.problems = append(w.problems, "project:loaded: "+err.Error())
		}
		w.roots = g.Graph.Roots
		return
	}
	roots, err := model.ApplyEvent(w.roots, model.Event{Name: ev.Name, Data: fields})
	if err != nil {
		w.problems = append(w.problems, fmt.Sprintf("apply %s at seq %d: %v", ev.Name, seq, err))
		return
	}
	w.roots = roots
}

// state copies what the watcher holds.
func (w *clusterWatcher) state() (seq int64, roots []model.TreeNode, problems []string, connected bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seq, w.roots, append([]string(nil), w.problems...), w.connected
}

// anyServer makes a request at the first server that answers it without a
// 503; tb fails if none does within budget.
func anyServer(tb testing.TB, nodes []*clusterNode, method, path string, body any, budget time.Duration) clusterReply {
	tb.Helper()
	deadline := time.Now().Add(budget)
	for i := 0; ; i++ {
		r := send(context.Background(), nodes[i%len(nodes)].base(), method, path, body)
		if !retryable(r) {
			return r
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s %s: no server answered in %s (last %d %v)", method, path, budget, r.status, r.body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

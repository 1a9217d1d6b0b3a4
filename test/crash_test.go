package test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	nethttp "net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
)

// The crash test's shape: sessions, concurrent clients (spread over the
// sessions), kill -9 rounds, and the time after which no new round starts.
const (
	crashSessions = 4
	crashClients  = 8
	crashRounds   = 5
	crashBudget   = 60 * time.Second
	// crashOpsPerClient bounds one client's commands in one round; the kill
	// comes long before on any machine.
	crashOpsPerClient = 5000
	// crashRetrySample is how many acknowledged commands of earlier rounds
	// are retried after each restart, on top of all of the last round's.
	crashRetrySample = 30
)

// crashChild is the type a node of each restomod type holds.
var crashChild = map[string]string{"project_root": "phase", "phase": "job", "job": "task", "task": "part"}

// crashNumbers are the restomod properties the clients write, by node type:
// currency ones get exact decimal strings, number ones floats.
var crashNumbers = map[string][]struct{ id, kind string }{
	"project_root": {{"budget", "currency"}},
	"task":         {{"cost", "currency"}, {"effort", "number"}},
	"part":         {{"cost", "currency"}, {"quantity", "number"}},
}

// outcome is what a client learnt of a command it sent.
type outcome int

const (
	outUnknown  outcome = iota // no reply: the kill came first
	outAcked                   // 200: it must survive
	outRejected                // 4xx: it must not have changed anything
)

// crashOp is one command a client sent and what came back.
type crashOp struct {
	ID    string
	Round int
	Kind  string // a command_type, or Undo / Redo
	Path  string
	Body  map[string]any
	Data  map[string]any // the command's data (not for Undo / Redo)

	Outcome outcome
	Status  int
	Code    string
	Seq     int64
	Result  any
	NodeID  string
}

type crashNode struct{ id, typ string }

// crashSession is a session under test: every command sent to it in any
// round, and what the last check saw.
type crashSession struct {
	sid, root string
	ops       []*crashOp
	history   []wireEvent // the whole history at the last check
	nodes     []crashNode // the graph at the last check
	// happened counts, at the last check, the commands sent without a
	// reply whose events are there (they were journaled before the kill).
	happened int
}

// crashClient drives one session with random commands. It remembers the
// nodes it created, the only ones it deletes.
type crashClient struct {
	n    int
	sess *crashSession
	rng  *rand.Rand
	// nodes the client believes exist: the graph at round start plus its
	// own creations; others' deletes and undos make some stale, and the
	// commands naming those are rejected, which the check also covers.
	nodes []crashNode
	own   map[string]bool
	ops   []*crashOp
}

// TestBinaryCrashRecovery is the durability issue's crash test: the real
// binary, concurrent clients over REST, kill -9 at a random moment while
// requests are in flight, restart on the same data directory, and check
// that every acknowledged command is there with the seq it was answered
// with, no command half-happened, the graph is well-formed and equals its
// history replayed, and a retried command id changes nothing. Several
// rounds on one data directory; then a clean SIGTERM stop.
func TestBinaryCrashRecovery(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL and SIGTERM semantics are POSIX")
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("TALUS_CRASH_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		require.NoError(t, err, "TALUS_CRASH_SEED")
		seed = s
	}
	t.Logf("seed %d (set TALUS_CRASH_SEED=%d to repeat the same command mix and kill times)", seed, seed)
	rounds := crashRounds
	if testing.Short() {
		rounds = 2
	}
	// Kill times are drawn up front, so that the seed alone fixes them;
	// verify's sampling has its own stream.
	rng := rand.New(rand.NewPCG(seed, 0))
	delays := make([]time.Duration, rounds+1)
	for i := range delays {
		delays[i] = time.Duration(50+rng.IntN(351)) * time.Millisecond
	}
	rng = rand.New(rand.NewPCG(seed, 1))

	bin := buildTalus(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	began := time.Now()
	deadline := began.Add(crashBudget)
	env := func(round int) []string {
		idle := "0"
		if round%2 == 1 { // odd rounds: idle sessions passivate between requests too
			idle = "100ms"
		}
		return []string{"TALUS_CHECKPOINT_EVERY=7", "TALUS_HISTORY_LIMIT=100000", "TALUS_IDLE_TIMEOUT=" + idle}
	}

	p := startTalus(t, bin, dataDir, env(0)...)
	sessions := make([]*crashSession, crashSessions)
	for i := range sessions {
		pr := p.must(t, nethttp.StatusCreated, "POST", "/projects",
			map[string]any{"template_id": "restomod", "project_name": fmt.Sprintf("Car %d", i)})
		root := pr["graph"].(map[string]any)["roots"].([]any)[0].(map[string]any)
		sessions[i] = &crashSession{sid: pr["session_id"].(string), root: root["id"].(string)}
		sessions[i].nodes = []crashNode{{id: sessions[i].root, typ: "project_root"}}
	}
	clients := make([]*crashClient, crashClients)
	for i := range clients {
		clients[i] = &crashClient{n: i, sess: sessions[i%crashSessions], own: map[string]bool{}}
	}

	var stats struct{ acked, rejected, unknown int }
	done := 0
	for round := 1; round <= rounds; round++ {
		if round > 1 && time.Now().After(deadline) {
			t.Logf("time budget spent: %d of %d rounds ran", done, rounds)
			break
		}
		if round > 1 {
			p = startTalus(t, bin, dataDir, env(round)...)
			for _, s := range sessions {
				verifyCrashSession(t, p, s, rng)
			}
		}
		delay := delays[round]
		inFlight := runCrashRound(t, p, clients, round, seed, delay)
		done++
		for _, c := range clients {
			for _, op := range c.ops {
				switch op.Outcome {
				case outAcked:
					stats.acked++
				case outRejected:
					stats.rejected++
				default:
					stats.unknown++
				}
			}
			c.sess.ops = append(c.sess.ops, c.ops...)
			c.ops = nil
		}
		t.Logf("round %d: killed after %v with %d requests in flight (%d passivations logged)",
			round, delay, inFlight, strings.Count(p.logs.String(), "session idle, passivating"))
	}

	// The last kill's aftermath, then a clean stop, and a start from the
	// state that stop left (checkpoints rather than the journal).
	p = startTalus(t, bin, dataDir, env(0)...)
	for _, s := range sessions {
		verifyCrashSession(t, p, s, rng)
	}
	p.stop(t)
	assert.Contains(t, p.logs.String(), "msg=stopped")
	p = startTalus(t, bin, dataDir, env(0)...)
	for _, s := range sessions {
		verifyCrashSession(t, p, s, rng)
	}
	p.stop(t)

	happened := 0
	for _, s := range sessions {
		happened += s.happened
	}
	require.Positive(t, stats.acked, "the clients got commands through")
	t.Logf("%d rounds in %v: %d commands acknowledged, %d rejected, %d unanswered (%d of those happened)",
		done, time.Since(began).Round(time.Millisecond), stats.acked, stats.rejected, stats.unknown, happened)
}

// runCrashRound runs every client against p until p is killed, after delay,
// and returns how many requests were in flight at the kill.
func runCrashRound(t *testing.T, p *talusProc, clients []*crashClient, round int, seed uint64, delay time.Duration) int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := make(chan struct{})
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		inFlight int
	)
	for _, c := range clients {
		c.rng = rand.New(rand.NewPCG(seed, uint64(round*1000+c.n)))
		c.nodes = append([]crashNode(nil), c.sess.nodes...)
		exists := map[string]bool{}
		for _, n := range c.nodes {
			exists[n.id] = true
		}
		for id := range c.own {
			if !exists[id] {
				delete(c.own, id)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < crashOpsPerClient; i++ {
				select {
				case <-stop:
					return
				default:
				}
				op := c.next(round, i)
				c.ops = append(c.ops, op)
				mu.Lock()
				inFlight++
				mu.Unlock()
				alive := c.do(ctx, p, op)
				mu.Lock()
				inFlight--
				mu.Unlock()
				if !alive {
					return // the server is gone
				}
			}
		}()
	}
	time.Sleep(delay)
	mu.Lock()
	n := inFlight
	mu.Unlock()
	p.kill(t)
	close(stop)
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(procWait):
		cancel()
		t.Fatal("clients did not finish after the kill")
	}
	return n
}

// next makes the client's next command.
func (c *crashClient) next(round, i int) *crashOp {
	op := &crashOp{ID: fmt.Sprintf("r%d-c%d-%d", round, c.n, i), Round: round}
	switch k := c.rng.IntN(100); {
	case k < 30:
		op.Kind, op.Data = c.create(i)
	case k < 42:
		op.Kind, op.Data = c.rename(i)
	case k < 57:
		op.Kind, op.Data = c.update()
	case k < 67:
		op.Kind, op.Data = c.remove(i)
	case k < 75:
		op.Kind, op.Data = c.move(i)
	case k < 84:
		op.Kind, op.Data = c.batch(i)
	case k < 93:
		op.Kind = "Undo"
	default:
		op.Kind = "Redo"
	}
	switch op.Kind {
	case "Undo", "Redo":
		op.Path = "/sessions/" + c.sess.sid + "/" + map[string]string{"Undo": "undo", "Redo": "redo"}[op.Kind]
		op.Body = map[string]any{"command_id": op.ID}
	default:
		op.Path = "/commands/execute"
		op.Body = map[string]any{"session_id": c.sess.sid, "command_type": op.Kind, "command_id": op.ID,
			"data": op.Data, "include_graph": false}
	}
	return op
}

func (c *crashClient) pick(keep func(crashNode) bool) (crashNode, bool) {
	var ns []crashNode
	for _, n := range c.nodes {
		if keep(n) {
			ns = append(ns, n)
		}
	}
	if len(ns) == 0 {
		return crashNode{}, false
	}
	return ns[c.rng.IntN(len(ns))], true
}

func (c *crashClient) create(i int) (string, map[string]any) {
	parent, _ := c.pick(func(n crashNode) bool { return crashChild[n.typ] != "" })
	typ := crashChild[parent.typ]
	return "CreateNode", map[string]any{"parent_id": parent.id, "blueprint_type_id": typ,
		"name": fmt.Sprintf("%s by c%d #%d", typ, c.n, i)}
}

func (c *crashClient) rename(i int) (string, map[string]any) {
	n, _ := c.pick(func(crashNode) bool { return true })
	return "RenameNode", map[string]any{"node_id": n.id, "name": fmt.Sprintf("renamed by c%d #%d", c.n, i)}
}

// update sets a currency property to an exact decimal string (one that a
// float would not keep) or a number property to a float.
func (c *crashClient) update() (string, map[string]any) {
	n, _ := c.pick(func(n crashNode) bool { return len(crashNumbers[n.typ]) > 0 })
	props := crashNumbers[n.typ]
	prop := props[c.rng.IntN(len(props))]
	var value any = fmt.Sprintf("%d.%02d", 10_000_000_000_000_000+c.rng.Int64N(1_000_000_000_000_000), c.rng.IntN(100))
	if prop.kind == "number" {
		value = float64(c.rng.IntN(4000)) / 4
	}
	return "UpdateProperty", map[string]any{"node_id": n.id, "property_id": prop.id, "value": value}
}

func (c *crashClient) remove(i int) (string, map[string]any) {
	n, ok := c.pick(func(n crashNode) bool { return c.own[n.id] })
	if !ok {
		return c.create(i)
	}
	return "DeleteNode", map[string]any{"node_id": n.id}
}

// move reparents a node under another parent of the right type, or moves a
// phase to the front of its project.
func (c *crashClient) move(i int) (string, map[string]any) {
	n, ok := c.pick(func(n crashNode) bool { return n.typ != "project_root" })
	if !ok {
		return c.create(i)
	}
	parent, _ := c.pick(func(p crashNode) bool { return crashChild[p.typ] == n.typ })
	data := map[string]any{"node_id": n.id, "new_parent_id": parent.id}
	if c.rng.IntN(2) == 0 {
		data["index"] = 0
	}
	return "MoveNode", data
}

func (c *crashClient) batch(i int) (string, map[string]any) {
	var parts []any
	for range 1 + c.rng.IntN(3) {
		var kind string
		var data map[string]any
		switch c.rng.IntN(3) {
		case 0:
			kind, data = c.create(i)
		case 1:
			kind, data = c.rename(i)
		default:
			kind, data = c.update()
		}
		parts = append(parts, map[string]any{"command_type": kind, "data": data})
	}
	return "Batch", map[string]any{"commands": parts}
}

// do sends op and records its outcome. It reports false when the server
// did not answer (it is being killed).
func (c *crashClient) do(ctx context.Context, p *talusProc, op *crashOp) bool {
	status, b, err := p.send(ctx, "POST", op.Path, op.Body)
	op.Status = status
	if err != nil {
		return false
	}
	var reply map[string]any
	if json.Unmarshal(b, &reply) != nil {
		return true // a torn reply: outcome unknown
	}
	switch {
	case status == nethttp.StatusOK:
		op.Outcome = outAcked
		seq, _ := reply["seq"].(float64)
		op.Seq = int64(seq)
		op.Result = reply["result"]
		op.NodeID, _ = reply["node_id"].(string)
		if id, _ := reply["command_id"].(string); id != op.ID {
			op.Code = "WRONG_COMMAND_ID:" + id // the check reports it
		}
		c.learn(op)
	case status >= 400 && status < 500:
		op.Outcome = outRejected
		if e, ok := reply["error"].(map[string]any); ok {
			op.Code, _ = e["code"].(string)
		}
	}
	return true
}

// learn adds the nodes an acknowledged command created and drops the one
// it deleted.
func (c *crashClient) learn(op *crashOp) {
	add := func(data map[string]any, id string) {
		if id != "" {
			c.nodes = append(c.nodes, crashNode{id: id, typ: data["blueprint_type_id"].(string)})
			c.own[id] = true
		}
	}
	switch op.Kind {
	case "CreateNode":
		add(op.Data, op.NodeID)
	case "Batch":
		results, _ := op.Result.([]any)
		for i, part := range op.Data["commands"].([]any) {
			part := part.(map[string]any)
			if part["command_type"] == "CreateNode" && i < len(results) {
				id, _ := results[i].(string)
				add(part["data"].(map[string]any), id)
			}
		}
	case "DeleteNode":
		id := op.Data["node_id"].(string)
		delete(c.own, id)
		for i, n := range c.nodes {
			if n.id == id {
				c.nodes = append(c.nodes[:i], c.nodes[i+1:]...)
				break
			}
		}
	}
}

// verifyCrashSession checks one session after a restart against every
// command ever sent to it, then retries acknowledged commands, and
// remembers what it saw for the next check.
func verifyCrashSession(t *testing.T, p *talusProc, s *crashSession, rng *rand.Rand) {
	t.Helper()
	evs, seq := fetchEvents(t, p, s.sid)

	// History is append-only: what the last check saw is still there.
	require.GreaterOrEqual(t, len(evs), len(s.history), "session %s lost history", s.sid)
	for i, old := range s.history {
		require.JSONEq(t, string(old.Raw), string(evs[i].Raw), "session %s: event seq %d changed", s.sid, i+1)
	}

	groups := groupByCommand(evs)
	sent := make(map[string]*crashOp, len(s.ops))
	for _, op := range s.ops {
		sent[op.ID] = op
	}
	for id, g := range groups {
		_, err := g.outcome()
		require.NoError(t, err, "session %s, command %s", s.sid, id)
		require.Contains(t, sent, id, "session %s: events of a command nobody sent", s.sid)
	}
	s.happened = 0
	for _, op := range s.ops {
		g := groups[op.ID]
		switch op.Outcome {
		case outUnknown:
			if g != nil {
				s.happened++
			}
		case outAcked:
			require.Empty(t, op.Code, "command %s: the reply named another command id", op.ID)
			require.NotNil(t, g, "session %s: acknowledged %s %s (seq %d) is lost", s.sid, op.Kind, op.ID, op.Seq)
			assert.Equal(t, op.Seq, g.Last, "command %s: its events end at the seq its reply gave", op.ID)
			kind, _ := g.outcome()
			want := map[string]string{"Undo": "undo", "Redo": "redo"}[op.Kind]
			if want == "" {
				want = "executed"
			}
			require.Equal(t, want, kind, "command %s (%s)", op.ID, op.Kind)
			if kind == "executed" {
				last := g.Events[len(g.Events)-1].Fields
				assert.Equal(t, op.Kind, last["command_type"], "command %s", op.ID)
				assert.Equal(t, op.Result, last["result"], "command %s: the result it was answered with", op.ID)
				require.NoError(t, crashEffect(op.Kind, op.Data, op.NodeID, op.Result, g.Events), "command %s", op.ID)
			}
		case outRejected:
			if g != nil {
				kind, _ := g.outcome()
				require.Equal(t, "failed", kind, "session %s: rejected %s %s (%d %s) changed the graph", s.sid, op.Kind, op.ID, op.Status, op.Code)
				errObj, _ := g.Events[1].Fields["error"].(map[string]any)
				assert.Equal(t, op.Code, errObj["code"], "command %s", op.ID)
			}
		}
	}

	// The graph: it is what its history says, and well-formed.
	tree := p.must(t, nethttp.StatusOK, "GET", "/sessions/"+s.sid+"/graph/tree", nil)
	require.EqualValues(t, seq, tree["seq"], "session %s: tree seq", s.sid)
	roots := canonTree(t, tree["roots"])
	require.Equal(t, canonTree(t, replayEvents(t, evs)), roots, "session %s: the graph is not its history replayed", s.sid)
	ids, parent, byID := treeNodes(roots)
	require.Len(t, byID, len(ids), "session %s: a node appears twice in the tree", s.sid)
	info := p.must(t, nethttp.StatusOK, "GET", "/sessions/"+s.sid+"/info", nil)
	require.EqualValues(t, len(ids), info["node_count"], "session %s: node_count", s.sid)
	require.EqualValues(t, seq, info["seq"], "session %s: info seq", s.sid)
	nodes := make([]crashNode, 0, len(ids))
	for _, id := range ids {
		n := p.must(t, nethttp.StatusOK, "GET", "/sessions/"+s.sid+"/graph/nodes/"+id, nil)
		want := any(nil)
		if parent[id] != "" {
			want = parent[id]
		}
		require.Equal(t, want, n["parent_id"], "node %s: parent_id", id)
		var kids []any
		for _, k := range byID[id].Children {
			kids = append(kids, k.ID)
		}
		require.ElementsMatch(t, kids, n["children"], "node %s: children", id)
		if len(kids) > 0 {
			require.Equal(t, kids, n["children"], "node %s: children order", id)
		}
		nodes = append(nodes, crashNode{id: id, typ: byID[id].Type})
	}

	// Retries: an acknowledged command id answers its first reply again
	// and changes nothing; so does one that happened without a reply.
	var retry []*crashOp
	var earlier []*crashOp
	last := 0
	for _, op := range s.ops {
		last = max(last, op.Round)
	}
	for _, op := range s.ops {
		g := groups[op.ID]
		switch {
		case op.Outcome == outAcked && op.Round == last:
			retry = append(retry, op)
		case op.Outcome == outAcked:
			earlier = append(earlier, op)
		case op.Outcome == outUnknown && g != nil:
			if kind, _ := g.outcome(); kind != "failed" { // a failed command is not remembered
				retry = append(retry, op)
			}
		}
	}
	rng.Shuffle(len(earlier), func(i, j int) { earlier[i], earlier[j] = earlier[j], earlier[i] })
	retry = append(retry, earlier[:min(len(earlier), crashRetrySample)]...)
	for _, op := range retry {
		reply := p.must(t, nethttp.StatusOK, "POST", op.Path, op.Body)
		assert.Equal(t, op.ID, reply["command_id"], "retry of %s", op.ID)
		require.EqualValues(t, groups[op.ID].Last, reply["seq"], "retry of %s %s answers its first seq", op.Kind, op.ID)
		if op.Outcome == outAcked && op.Kind != "Undo" && op.Kind != "Redo" {
			assert.Equal(t, op.Result, reply["result"], "retry of %s answers its first result", op.ID)
		}
	}
	info = p.must(t, nethttp.StatusOK, "GET", "/sessions/"+s.sid+"/info", nil)
	require.EqualValues(t, seq, info["seq"], "session %s: retries changed nothing", s.sid)

	s.history, s.nodes = evs, nodes
}

// crashEffect checks that a command's events show the effect its data asked
// for. nodeID and result are what the command was answered with.
func crashEffect(kind string, data map[string]any, nodeID string, result any, evs []wireEvent) error {
	has := func(name string, match func(f map[string]any) bool) bool {
		for _, ev := range evs {
			if ev.Name == name && match(ev.Fields) {
				return true
			}
		}
		return false
	}
	var ok bool
	switch kind {
	case "CreateNode":
		ok = has(model.EventNodeCreated, func(f map[string]any) bool {
			return nodeID != "" && f["node_id"] == nodeID && f["parent_id"] == data["parent_id"] &&
				f["name"] == data["name"] && f["blueprint_type_id"] == data["blueprint_type_id"]
		})
	case "RenameNode":
		ok = has(model.EventNodeUpdated, func(f map[string]any) bool {
			name, _ := f["changes"].(map[string]any)["name"].(map[string]any)
			return f["node_id"] == data["node_id"] && name != nil && name["new"] == data["name"]
		})
	case "UpdateProperty":
		// Exact: a currency's decimal string comes back the same string.
		ok = has(model.EventPropertyChanged, func(f map[string]any) bool {
			return f["node_id"] == data["node_id"] && f["property_id"] == data["property_id"] && f["new_value"] == data["value"]
		})
	case "DeleteNode":
		ok = has(model.EventNodeDeleted, func(f map[string]any) bool { return f["node_id"] == data["node_id"] })
	case "MoveNode":
		ok = has(model.EventNodeUnlinked, func(f map[string]any) bool { return f["child_id"] == data["node_id"] }) &&
			has(model.EventNodeLinked, func(f map[string]any) bool {
				return f["child_id"] == data["node_id"] && f["parent_id"] == data["new_parent_id"]
			})
	case "Batch":
		results, _ := result.([]any)
		parts := data["commands"].([]any)
		if len(results) != len(parts) {
			return fmt.Errorf("batch of %d answered %d results", len(parts), len(results))
		}
		for i, part := range parts {
			part := part.(map[string]any)
			id, _ := results[i].(string)
			if err := crashEffect(part["command_type"].(string), part["data"].(map[string]any), id, results[i], evs); err != nil {
				return fmt.Errorf("batch part %d: %w", i, err)
			}
		}
		return nil
	default:
		return fmt.Errorf("no effect check for %s", kind)
	}
	if !ok {
		return fmt.Errorf("%s %v: its events do not show it", kind, data)
	}
	return nil
}

// TestBinaryTornJournalTail tears the journal's last record, as a crash in
// the middle of a write would, and appends junk after it: the binary still
// starts, says so in its log, and serves the sessions up to the last good
// record. Then the same after a clean stop, whose checkpoints hold all.
func TestBinaryTornJournalTail(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL and SIGTERM semantics are POSIX")
	}
	bin := buildTalus(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	garbage := []byte("\x17\x00\x00\x00garbage after a torn record, not a frame\xff\xfe")

	p := startTalus(t, bin, dataDir)
	pr := p.must(t, nethttp.StatusCreated, "POST", "/projects", map[string]any{"template_id": "restomod", "project_name": "Torn"})
	sid := pr["session_id"].(string)
	root := pr["graph"].(map[string]any)["roots"].([]any)[0].(map[string]any)["id"].(string)
	command := func(p *talusProc, id, kind string, data map[string]any) map[string]any {
		return p.must(t, nethttp.StatusOK, "POST", "/commands/execute",
			map[string]any{"session_id": sid, "command_id": id, "command_type": kind, "data": data})
	}
	command(p, "t1", "CreateNode", map[string]any{"parent_id": root, "blueprint_type_id": "phase", "name": "Body"})
	command(p, "t2", "UpdateProperty", map[string]any{"node_id": root, "property_id": "budget", "value": "12345678901234567.89"})
	command(p, "t3", "RenameNode", map[string]any{"node_id": root, "name": "Kept"})
	state := func(p *talusProc) (evs []wireEvent, seq int64, tree []wireTree) {
		evs, seq = fetchEvents(t, p, sid)
		body := p.must(t, nethttp.StatusOK, "GET", "/sessions/"+sid+"/graph/tree", nil)
		require.EqualValues(t, seq, body["seq"])
		return evs, seq, canonTree(t, body["roots"])
	}
	requireState := func(p *talusProc, wantEvs []wireEvent, wantSeq int64, wantTree []wireTree) {
		t.Helper()
		evs, seq, tree := state(p)
		require.Equal(t, wantSeq, seq)
		require.Len(t, evs, len(wantEvs))
		for i := range evs {
			require.JSONEq(t, string(wantEvs[i].Raw), string(evs[i].Raw), "event seq %d", i+1)
		}
		require.Equal(t, wantTree, tree)
		info := p.must(t, nethttp.StatusOK, "GET", "/sessions/"+sid+"/info", nil)
		require.EqualValues(t, seq, info["seq"])
	}
	wantEvs, wantSeq, wantTree := state(p)
	require.Equal(t, "12345678901234567.89", wantTree[0].Properties["budget"], "currency is kept exactly")
	torn := command(p, "torn", "RenameNode", map[string]any{"node_id": root, "name": "Torn away"})
	require.EqualValues(t, wantSeq+3, torn["seq"])

	// kill -9: no shutdown checkpoint, so the last record is the rename's.
	p.kill(t)
	tearTail(t, newestSegment(t, dataDir), 5, garbage)
	p = startTalus(t, bin, dataDir)
	assert.Contains(t, p.logs.String(), "corrupt journal tail", "the cut is logged")
	requireState(p, wantEvs, wantSeq, wantTree)
	// The torn command is not remembered, so its retry runs now, right
	// after the last good record.
	again := command(p, "torn", "RenameNode", map[string]any{"node_id": root, "name": "Torn away"})
	require.EqualValues(t, wantSeq+3, again["seq"])
	wantEvs, wantSeq, wantTree = state(p)
	require.Equal(t, "Torn away", wantTree[0].Name)

	// A clean stop checkpoints every session: a torn tail after it loses
	// nothing, and is still noticed.
	p.stop(t)
	tearTail(t, newestSegment(t, dataDir), 3, garbage)
	p = startTalus(t, bin, dataDir)
	assert.Contains(t, p.logs.String(), "corrupt journal tail", "the cut is logged")
	requireState(p, wantEvs, wantSeq, wantTree)
	after := command(p, "t4", "RenameNode", map[string]any{"node_id": root, "name": "Goes on"})
	require.EqualValues(t, wantSeq+3, after["seq"])
	p.stop(t)
}

package test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
)

// convergenceSteps bounds the random walk of TestRealtimeConvergence.
const convergenceSteps = 150

// TestRealtimeConvergence is the seq contract end to end: clients on every
// transport join a session, fetch the tree, and then a seeded random walk
// of every command type plus undo and redo runs, half over REST and half
// over the sockets. Each client, applying the graph events it received
// after the fetched seq to the fetched tree, must hold exactly what GET
// graph/tree returns, and its events must be gap-free from its join.
func TestRealtimeConvergence(t *testing.T) {
	for _, seed := range []uint64{1, 20261125} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			runConvergence(t, seed)
		})
	}
}

func runConvergence(t *testing.T, seed uint64) {
	s := startServer(t)
	a := startAgent(t)
	p := s.newProject(t, "Converge")
	schema := loadSchema(t, s)

	setups := []connectOpts{
		{transports: []string{"polling"}},
		{transports: []string{"websocket"}},
		{}, // polling, then upgraded
		{namespace: "/", transports: []string{"polling"}},
	}
	clients := make([]*sock, len(setups))
	joinSeqs := make([]int64, len(setups))
	for i, o := range setups {
		c, _ := a.dial(t, s, fmt.Sprintf("conv%d-%d", seed, i), o)
		joinSeqs[i] = seqOf(t, c.join(t, p.sid)["seq"])
		clients[i] = c
	}
	start := s.tree(t, p.sid)
	startSeq := seqOf(t, start["seq"])
	startRoots := decodeRoots(t, start)

	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	w := &walker{t: t, s: s, sid: p.sid, root: p.root, schema: schema, rng: rng}
	kinds := map[string]int{}
	for step := range convergenceSteps {
		op, data := w.next()
		kinds[op]++
		viaSocket := step%2 == 1
		c := clients[step%len(clients)]
		switch {
		case op == "undo" || op == "redo":
			if viaSocket {
				c.call(t, op)
			} else {
				s.do(t, "POST", "/sessions/"+p.sid+"/"+op, nil)
			}
		case viaSocket:
			c.call(t, "execute_command", map[string]any{"command_type": op, "data": data})
		default:
			s.do(t, "POST", "/commands/execute", map[string]any{"session_id": p.sid, "command_type": op, "data": data})
		}
	}
	t.Logf("seed %d: %v", seed, kinds)
	for _, k := range []string{"CreateNode", "DeleteNode", "UpdateProperty", "DeleteProperty", "RenameNode",
		"LinkNode", "UnlinkNode", "MoveNode", "ApplyKit", "Batch", "undo", "redo"} {
		require.Positive(t, kinds[k], "the walk must exercise %s", k)
	}

	final := s.tree(t, p.sid)
	finalSeq := seqOf(t, final["seq"])
	want := canonical(t, decodeRoots(t, final))
	require.Greater(t, finalSeq, startSeq)

	for i, c := range clients {
		evs := c.waitSeq(t, finalSeq)
		requireGapFree(t, evs, joinSeqs[i])
		roots := startRoots
		applied := 0
		for _, ev := range evs {
			if ev.seq <= startSeq {
				continue
			}
			var err error
			roots, err = model.ApplyEvent(roots, model.Event{Name: ev.name, Data: ev.raw})
			require.NoError(t, err, "%s: event #%d %s: %s", c.id, ev.seq, ev.name, ev.raw)
			applied++
		}
		assert.Equal(t, want, canonical(t, roots), "%s: tree from %d events after seq %d differs from GET graph/tree", c.id, applied, startSeq)
	}
}

// decodeRoots reads the roots of a tree reply as model nodes.
func decodeRoots(tb testing.TB, tree map[string]any) []model.TreeNode {
	tb.Helper()
	b, err := json.Marshal(tree["roots"])
	require.NoError(tb, err)
	var roots []model.TreeNode
	require.NoError(tb, json.Unmarshal(b, &roots))
	return roots
}

// canonical is roots as generic JSON, so trees built different ways compare
// by value.
func canonical(tb testing.TB, roots []model.TreeNode) any {
	tb.Helper()
	if roots == nil {
		roots = []model.TreeNode{}
	}
	b, err := json.Marshal(roots)
	require.NoError(tb, err)
	var v any
	require.NoError(tb, json.Unmarshal(b, &v))
	return v
}

// schemaType is one node type of the template schema.
type schemaType struct {
	children []string
	props    []schemaProp
}

type schemaProp struct {
	id, typ  string
	required bool
	options  []string
}

func loadSchema(tb testing.TB, s *server) map[string]schemaType {
	tb.Helper()
	body := s.ok(tb, 200, "GET", "/templates/restomod/schema", nil)
	out := map[string]schemaType{}
	for _, nt := range body["node_types"].([]any) {
		n := nt.(map[string]any)
		var st schemaType
		for _, c := range n["allowed_children"].([]any) {
			st.children = append(st.children, c.(string))
		}
		for _, pr := range n["properties"].([]any) {
			pm := pr.(map[string]any)
			sp := schemaProp{id: pm["id"].(string), typ: pm["type"].(string), required: pm["required"] == true}
			if opts, ok := pm["options"].([]any); ok {
				for _, o := range opts {
					sp.options = append(sp.options, o.(map[string]any)["id"].(string))
				}
			}
			st.props = append(st.props, sp)
		}
		out[n["id"].(string)] = st
	}
	return out
}

// walker picks random commands that are mostly valid for the current tree
// (some fail on purpose: a failure must change nothing).
type walker struct {
	t      *testing.T
	s      *server
	sid    string
	root   string
	schema map[string]schemaType
	rng    *rand.Rand
}

// wnode is a node of the current tree as the walker sees it.
type wnode struct {
	id, typ, parent string
	props           map[string]any
	children        int
	depth           int
	ancestors       []string
}

func (w *walker) nodes() []wnode {
	tree := w.s.tree(w.t, w.sid)
	var out []wnode
	var walk func(n model.TreeNode, parent string, anc []string)
	walk = func(n model.TreeNode, parent string, anc []string) {
		out = append(out, wnode{id: n.ID, typ: n.Type, parent: parent, props: n.Properties, children: len(n.Children), depth: len(anc), ancestors: anc})
		next := append(slices.Clone(anc), n.ID)
		for _, c := range n.Children {
			walk(c, n.ID, next)
		}
	}
	for _, r := range decodeRoots(w.t, tree) {
		walk(r, "", nil)
	}
	return out
}

func (w *walker) pick(ns []wnode, keep func(wnode) bool) (wnode, bool) {
	var cand []wnode
	for _, n := range ns {
		if keep(n) {
			cand = append(cand, n)
		}
	}
	if len(cand) == 0 {
		return wnode{}, false
	}
	return cand[w.rng.IntN(len(cand))], true
}

func (w *walker) allows(parentType, childType string) bool {
	return slices.Contains(w.schema[parentType].children, childType)
}

func (w *walker) value(p schemaProp) any {
	switch p.typ {
	case "number":
		return float64(w.rng.IntN(1000)) / 4
	case "currency":
		return fmt.Sprintf("%d.%02d", w.rng.IntN(10000), w.rng.IntN(100))
	case "boolean":
		return w.rng.IntN(2) == 0
	case "date":
		return fmt.Sprintf("2026-%02d-%02d", 1+w.rng.IntN(12), 1+w.rng.IntN(28))
	case "select":
		return p.options[w.rng.IntN(len(p.options))]
	}
	return fmt.Sprintf("text %d", w.rng.IntN(1_000_000))
}

// next returns the next step: a command type and its data, or undo/redo.
func (w *walker) next() (string, map[string]any) {
	ns := w.nodes()
	for range 20 {
		if op, data, ok := w.try(ns, w.rng.IntN(12)); ok {
			return op, data
		}
	}
	return w.create(ns)
}

func (w *walker) try(ns []wnode, k int) (string, map[string]any, bool) {
	switch k {
	case 0:
		op, data := w.create(ns)
		return op, data, true
	case 1:
		n, ok := w.pick(ns, func(n wnode) bool { return n.id != w.root })
		return "DeleteNode", map[string]any{"node_id": n.id}, ok
	case 2:
		op, data, ok := w.update(ns)
		return op, data, ok
	case 3:
		n, ok := w.pick(ns, func(n wnode) bool { return len(n.props) > 0 })
		if !ok {
			return "", nil, false
		}
		keys := sortedKeys(n.props)
		return "DeleteProperty", map[string]any{"node_id": n.id, "property_id": keys[w.rng.IntN(len(keys))]}, true
	case 4:
		n := ns[w.rng.IntN(len(ns))]
		return "RenameNode", map[string]any{"node_id": n.id, "name": fmt.Sprintf("name %d", w.rng.IntN(1000))}, true
	case 5:
		child, ok := w.pick(ns, func(n wnode) bool { return n.parent == "" && n.id != w.root })
		if !ok {
			return "", nil, false
		}
		parent, ok := w.pick(ns, func(n wnode) bool { return w.allows(n.typ, child.typ) })
		data := map[string]any{"parent_id": parent.id, "child_id": child.id}
		if w.rng.IntN(2) == 0 {
			data["index"] = w.rng.IntN(parent.children + 1)
		}
		return "LinkNode", data, ok
	case 6:
		n, ok := w.pick(ns, func(n wnode) bool { return n.parent != "" })
		return "UnlinkNode", map[string]any{"parent_id": n.parent, "child_id": n.id}, ok
	case 7:
		n, ok := w.pick(ns, func(n wnode) bool { return n.parent != "" })
		if !ok {
			return "", nil, false
		}
		to, ok := w.pick(ns, func(p wnode) bool { return w.allows(p.typ, n.typ) })
		data := map[string]any{"node_id": n.id, "new_parent_id": to.id}
		if w.rng.IntN(2) == 0 {
			data["index"] = w.rng.IntN(to.children + 1)
		}
		return "MoveNode", data, ok
	case 8:
		kit, ok := w.pick(ns, func(n wnode) bool { return n.children > 0 })
		if !ok {
			return "", nil, false
		}
		target, ok := w.pick(ns, func(n wnode) bool { return n.typ == kit.typ && !slices.Contains(n.ancestors, kit.id) })
		return "ApplyKit", map[string]any{"target_id": target.id, "kit_root_id": kit.id}, ok
	case 9:
		var parts []map[string]any
		for range 2 + w.rng.IntN(3) {
			op, data, ok := w.try(ns, []int{0, 2, 4}[w.rng.IntN(3)])
			if ok {
				parts = append(parts, map[string]any{"command_type": op, "data": data})
			}
		}
		return "Batch", map[string]any{"commands": parts}, len(parts) > 0
	case 10:
		return "undo", nil, true
	default:
		return "redo", nil, true
	}
}

func (w *walker) create(ns []wnode) (string, map[string]any) {
	parent, ok := w.pick(ns, func(n wnode) bool { return len(w.schema[n.typ].children) > 0 && n.depth < 4 })
	if !ok {
		parent = ns[0]
	}
	kids := w.schema[parent.typ].children
	typ := kids[w.rng.IntN(len(kids))]
	data := map[string]any{"parent_id": parent.id, "blueprint_type_id": typ, "name": fmt.Sprintf("%s %d", typ, w.rng.IntN(1000))}
	if w.rng.IntN(3) == 0 {
		data["index"] = w.rng.IntN(parent.children + 1)
	}
	if props := w.schema[typ].props; len(props) > 0 && w.rng.IntN(2) == 0 {
		p := props[w.rng.IntN(len(props))]
		data["properties"] = map[string]any{p.id: w.value(p)}
	}
	return "CreateNode", data
}

func (w *walker) update(ns []wnode) (string, map[string]any, bool) {
	n, ok := w.pick(ns, func(n wnode) bool { return len(w.schema[n.typ].props) > 0 })
	if !ok {
		return "", nil, false
	}
	props := w.schema[n.typ].props
	p := props[w.rng.IntN(len(props))]
	return "UpdateProperty", map[string]any{"node_id": n.id, "property_id": p.id, "value": w.value(p)}, true
}

package test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model/wire"
)

// TestRealtimeFanOut checks that every client of a session receives a
// REST-made change with its full envelope and payload, and that a client
// of another session receives none of it.
func TestRealtimeFanOut(t *testing.T) {
	s := startServer(t)
	a := startAgent(t)
	p := s.newProject(t, "Fan out")
	other := s.newProject(t, "Elsewhere")

	poll, _ := a.dial(t, s, "poll", connectOpts{transports: []string{"polling"}})
	wsock, _ := a.dial(t, s, "ws", connectOpts{transports: []string{"websocket"}})
	outsider, _ := a.dial(t, s, "outsider", connectOpts{namespace: "/"})
	poll.join(t, p.sid)
	second := wsock.join(t, p.sid)
	assert.Equal(t, json.Number("2"), second["active_clients"])
	outsider.join(t, other.sid)

	res := s.ok(t, 200, "POST", "/commands/execute", map[string]any{
		"session_id": p.sid, "command_type": "CreateNode", "command_id": "fan-out-1",
		"data": map[string]any{"parent_id": p.root, "blueprint_type_id": "phase", "name": "Body work"},
	})
	nodeID := res["node_id"].(string)
	last := seqOf(t, res["seq"])

	for _, c := range []*sock{poll, wsock} {
		evs := c.waitSeq(t, last)
		var cmd []seqEvent
		for _, ev := range evs {
			if ev.payload["command_id"] == "fan-out-1" {
				cmd = append(cmd, ev)
			}
		}
		require.Len(t, cmd, 3, "%s: executing, created, executed: %v", c.id, seqList(evs))
		assert.Equal(t, []string{"command:executing", "graph:node-created", "command:executed"},
			[]string{cmd[0].name, cmd[1].name, cmd[2].name}, c.id)
		assert.Equal(t, []int64{last - 2, last - 1, last}, []int64{cmd[0].seq, cmd[1].seq, cmd[2].seq}, c.id)

		created := cmd[1].payload
		assert.Equal(t, "graph:node-created", created["event"])
		assert.Equal(t, p.sid, created["session_id"])
		assert.Equal(t, p.pid, created["project_id"])
		ts, ok := created["timestamp"].(string)
		require.True(t, ok, "timestamp in %v", created)
		parsed, err := time.Parse(time.RFC3339, ts)
		require.NoError(t, err)
		assert.Equal(t, time.UTC, parsed.Location(), "timestamps are UTC: %s", ts)
		assert.Equal(t, nodeID, created["node_id"])
		assert.Equal(t, "Body work", created["name"])
		assert.Equal(t, "phase", created["blueprint_type_id"])
		assert.Equal(t, p.root, created["parent_id"])
		node, ok := created["node"].(map[string]any)
		require.True(t, ok, "node object in %v", created)
		assert.Equal(t, nodeID, node["id"])
		assert.Equal(t, "Body work", node["name"])
		assert.Equal(t, "phase", node["blueprint_type_id"])
		assert.Equal(t, p.root, node["parent_id"])
		assert.Equal(t, json.Number("0"), node["index"])
		props, ok := node["properties"].(map[string]any)
		require.True(t, ok, "properties in %v", node)
		assert.Equal(t, "Planned", optionName(t, s, "phase", "status", props["status"]), "select status defaults to its first option")

		executed := cmd[2].payload
		assert.Equal(t, "CreateNode", executed["command_type"])
		assert.Contains(t, executed, "result")
	}

	// Fence: a change in the outsider's own session reaches it; by then it
	// must hold only its own session's events.
	own := s.execute(t, other.sid, "RenameNode", map[string]any{"node_id": other.root, "name": "Renamed"})
	evs := outsider.waitSeq(t, seqOf(t, own["seq"]))
	require.NotEmpty(t, evs)
	for _, ev := range evs {
		assert.Equal(t, other.sid, ev.payload["session_id"], "outsider got %s from another session", ev.name)
		assert.NotEqual(t, "fan-out-1", ev.payload["command_id"])
	}
	for _, m := range outsider.events() {
		assert.NotContains(t, string(m.raw), p.sid, "the outsider never sees the other session's id")
	}
}

// optionName maps a select option id to its name with the template schema.
func optionName(tb testing.TB, s *server, nodeType, prop string, id any) string {
	tb.Helper()
	schema := s.ok(tb, 200, "GET", "/templates/restomod/schema", nil)
	for _, nt := range schema["node_types"].([]any) {
		n := nt.(map[string]any)
		if n["id"] != nodeType {
			continue
		}
		for _, pr := range n["properties"].([]any) {
			pm := pr.(map[string]any)
			if pm["id"] != prop {
				continue
			}
			for _, o := range pm["options"].([]any) {
				om := o.(map[string]any)
				if om["id"] == id {
					return om["name"].(string)
				}
			}
		}
	}
	tb.Fatalf("no option %v for %s.%s", id, nodeType, prop)
	return ""
}

// TestRealtimeExecuteAck runs commands over the socket: the ack is the REST
// reply, a bad command answers with an error ack and an error event, and
// the connection stays up.
func TestRealtimeExecuteAck(t *testing.T) {
	s := startServer(t)
	a := startAgent(t)
	p := s.newProject(t, "Acks")
	for _, tr := range []string{"polling", "websocket"} {
		t.Run(tr, func(t *testing.T) {
			c, _ := a.dial(t, s, "ack-"+tr, connectOpts{transports: []string{tr}})
			c.join(t, p.sid)

			ack := c.call(t, "execute_command", map[string]any{
				"command_type": "CreateNode",
				"data":         map[string]any{"parent_id": p.root, "blueprint_type_id": "phase", "name": "Paint " + tr},
			})
			assert.Equal(t, true, ack["success"])
			assert.Equal(t, "CreateNode", ack["command_type"])
			assert.NotEmpty(t, ack["command_id"])
			nodeID, ok := ack["node_id"].(string)
			require.True(t, ok, "node_id in %v", ack)
			assert.Equal(t, false, ack["redo_available"])
			assert.Equal(t, true, ack["undo_available"])
			require.NotNil(t, findNode(rootsOf(t, ack["graph"]), nodeID), "the graph comes unless include_graph is false")
			assert.Contains(t, ack, "result")
			seq := seqOf(t, ack["seq"])

			// The same shape as REST's reply.
			rest := s.execute(t, p.sid, "RenameNode", map[string]any{"node_id": nodeID, "name": "Paint (REST)"})
			assert.ElementsMatch(t, sortedKeys(rest), sortedKeys(ack))

			// The ack's seq is the command's last event; this client sees it.
			evs := c.waitSeq(t, seq)
			assert.Contains(t, seqNames(evs, ack["command_id"]), "graph:node-created")

			// The seed's spellings work too, and include_graph false leaves the graph out.
			noGraph := c.call(t, "execute_command", map[string]any{
				"command": "rename_node", "node_id": nodeID, "name": "Paint again", "include_graph": false,
			})
			require.Equal(t, true, noGraph["success"], "%v", noGraph)
			assert.NotContains(t, noGraph, "graph")
			assert.Equal(t, "RenameNode", noGraph["command_type"])

			cases := []struct {
				name string
				data map[string]any
				code string
			}{
				{"unknown command type", map[string]any{"command_type": "Explode", "data": map[string]any{}}, "INVALID_COMMAND"},
				{"type not allowed", map[string]any{"command_type": "CreateNode", "data": map[string]any{"parent_id": p.root, "blueprint_type_id": "part"}}, "INVALID_COMMAND"},
				{"unknown node", map[string]any{"command_type": "RenameNode", "data": map[string]any{"node_id": "no-such-node", "name": "x"}}, "NODE_NOT_FOUND"},
			}
			for _, tc := range cases {
				errAck := c.call(t, "execute_command", tc.data)
				assert.Equal(t, false, errAck["success"], tc.name)
				e, ok := errAck["error"].(map[string]any)
				require.True(t, ok, "%s: error in %v", tc.name, errAck)
				assert.Equal(t, tc.code, e["code"], tc.name)
				assert.NotEmpty(t, e["message"], tc.name)
				c.waitEvent(t, "error", func(p map[string]any) bool { return p["code"] == tc.code })
			}

			// Bad input is not fatal: the connection still works.
			pong := c.call(t, "ping")
			assert.NotEmpty(t, pong["timestamp"])
			for _, m := range a.snapshot() {
				if m.ID == c.id {
					assert.NotEqual(t, "disconnect", m.Type, "bad input must not disconnect: %s", m.raw)
				}
			}
			c.disconnect(t)
		})
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// seqNames returns the names of the events of command id.
func seqNames(evs []seqEvent, id any) []string {
	var out []string
	for _, ev := range evs {
		if ev.payload["command_id"] == id {
			out = append(out, ev.name)
		}
	}
	return out
}

// TestRealtimeUndoRedo undoes and redoes over the socket: the acks, the
// graph events the steps cause (then command:undo/redo), and the errors
// when there is nothing to step.
func TestRealtimeUndoRedo(t *testing.T) {
	s := startServer(t)
	a := startAgent(t)
	p := s.newProject(t, "Steps")
	c, _ := a.dial(t, s, "steps", connectOpts{transports: []string{"websocket"}})
	watcher, _ := a.dial(t, s, "watcher", connectOpts{transports: []string{"polling"}})
	c.join(t, p.sid)
	watcher.join(t, p.sid)

	// A fresh project has nothing to undo.
	none := c.call(t, "undo")
	assert.Equal(t, false, none["success"])
	assert.Equal(t, "NOTHING_TO_UNDO", none["error"].(map[string]any)["code"])

	created := c.call(t, "execute_command", map[string]any{"command_type": "CreateNode",
		"data": map[string]any{"parent_id": p.root, "blueprint_type_id": "phase", "name": "Undo me"}})
	nodeID := created["node_id"].(string)

	undo := c.call(t, "undo", map[string]any{"session_id": p.sid})
	require.Equal(t, true, undo["success"], "%v", undo)
	assert.Equal(t, "CreateNode", undo["command_type"])
	assert.Equal(t, true, undo["redo_available"])
	require.Nil(t, findNode(rootsOf(t, undo["graph"]), nodeID), "undo/redo acks carry the graph")
	require.Nil(t, findNode(rootsOf(t, s.tree(t, p.sid)), nodeID))

	redo := c.call(t, "redo")
	require.Equal(t, true, redo["success"], "%v", redo)
	assert.Equal(t, false, redo["redo_available"])
	require.NotNil(t, findNode(rootsOf(t, s.tree(t, p.sid)), nodeID))

	noRedo := c.call(t, "redo")
	assert.Equal(t, "NOTHING_TO_REDO", noRedo["error"].(map[string]any)["code"])

	for _, w := range []*sock{c, watcher} {
		evs := w.waitSeq(t, seqOf(t, redo["seq"]))
		assert.Equal(t, []string{"graph:node-deleted", "command:undo"}, seqNames(evs, undo["command_id"]), w.id)
		assert.Equal(t, []string{"graph:node-created", "command:redo"}, seqNames(evs, redo["command_id"]), w.id)
		for _, ev := range evs {
			if ev.name == "graph:node-deleted" {
				assert.Equal(t, nodeID, ev.payload["node_id"])
				assert.Equal(t, []any{nodeID}, ev.payload["deleted_ids"])
			}
			if ev.name == "command:undo" || ev.name == "command:redo" {
				assert.Equal(t, "CreateNode", ev.payload["command_type"])
			}
		}
	}
}

// TestRealtimePing checks ping: a pong event and the same in the ack.
func TestRealtimePing(t *testing.T) {
	s := startServer(t)
	a := startAgent(t)
	c, _ := a.dial(t, s, "pinger", connectOpts{transports: []string{"polling"}})
	ack := c.call(t, "ping")
	pong := c.waitEvent(t, "pong", nil).arg(t, 0)
	assert.Equal(t, ack, pong)
	ts, _ := pong["timestamp"].(string)
	parsed, err := time.Parse(wire.TimeLayout, ts)
	require.NoError(t, err, "pong timestamp %q", ts)
	assert.Equal(t, wire.Time(parsed), ts, "the API's one layout: UTC, milliseconds")
}

// TestRealtimeLegacyNames checks names=legacy, given in auth or in the
// query: graph events lose their graph: prefix, other names stay.
func TestRealtimeLegacyNames(t *testing.T) {
	s := startServer(t)
	a := startAgent(t)
	p := s.newProject(t, "Legacy")
	legacyAuth, _ := a.dial(t, s, "legacy-auth", connectOpts{auth: map[string]any{"names": "legacy"}, transports: []string{"polling"}})
	legacyQuery, _ := a.dial(t, s, "legacy-query", connectOpts{query: map[string]string{"names": "legacy"}, transports: []string{"websocket"}})
	modern, _ := a.dial(t, s, "modern", connectOpts{transports: []string{"websocket"}})
	for _, c := range []*sock{legacyAuth, legacyQuery, modern} {
		c.join(t, p.sid)
	}
	phase := s.createNode(t, p.sid, p.root, "phase", "Legacy phase")
	s.execute(t, p.sid, "UpdateProperty", map[string]any{"node_id": phase, "property_id": "start_date", "value": "2026-01-02"})
	s.execute(t, p.sid, "RenameNode", map[string]any{"node_id": phase, "name": "Renamed"})
	last := s.execute(t, p.sid, "DeleteNode", map[string]any{"node_id": phase})

	want := []string{"command:executing", "graph:node-created", "command:executed",
		"command:executing", "graph:property-changed", "command:executed",
		"command:executing", "graph:node-updated", "command:executed",
		"command:executing", "graph:node-deleted", "command:executed"}
	legacy := make([]string, len(want))
	for i, n := range want {
		switch n {
		case "graph:node-created", "graph:property-changed", "graph:node-updated", "graph:node-deleted":
			legacy[i] = n[len("graph:"):]
		default:
			legacy[i] = n
		}
	}
	for _, tc := range []struct {
		c    *sock
		want []string
	}{{legacyAuth, legacy}, {legacyQuery, legacy}, {modern, want}} {
		evs := tc.c.waitSeq(t, seqOf(t, last["seq"]))
		var names []string
		for _, ev := range evs {
			if ev.payload["command_id"] != nil {
				names = append(names, ev.name)
			}
		}
		assert.Equal(t, tc.want, names, tc.c.id)
		for _, ev := range evs {
			// The payload keeps the canonical name whatever the event is called.
			if ev.name != ev.payload["event"] {
				assert.Equal(t, "graph:"+ev.name, ev.payload["event"], tc.c.id)
			}
		}
	}
}

// TestRealtimeJoinAtConnect joins through the CONNECT auth payload and
// through the handshake query, without emitting join_session.
func TestRealtimeJoinAtConnect(t *testing.T) {
	s := startServer(t)
	a := startAgent(t)
	p := s.newProject(t, "Auth join")
	byAuth := a.connect(t, s, "by-auth", connectOpts{auth: map[string]any{"session_id": p.sid}, transports: []string{"polling"}})
	byQuery := a.connect(t, s, "by-query", connectOpts{query: map[string]string{"session_id": p.sid}, transports: []string{"websocket"}})
	for _, c := range []*sock{byAuth, byQuery} {
		joined := c.waitEvent(t, "joined", nil).arg(t, 0)
		assert.Equal(t, p.sid, joined["session_id"], c.id)
	}
	res := s.execute(t, p.sid, "RenameNode", map[string]any{"node_id": p.root, "name": "Joined at connect"})
	for _, c := range []*sock{byAuth, byQuery} {
		evs := c.waitSeq(t, seqOf(t, res["seq"]))
		assert.Contains(t, seqNames(evs, res["command_id"]), "graph:node-updated", c.id)
	}

	// A malformed last_seq refuses the namespace.
	refused := a.connect(t, s, "bad-seq", connectOpts{auth: map[string]any{"session_id": p.sid, "last_seq": "yesterday"}})
	assert.Contains(t, refused.waitType(t, "connect_error").Message, "last_seq")

	// A session that does not exist: the socket stays connected and is told why.
	bad := a.connect(t, s, "bad-auth", connectOpts{auth: map[string]any{"session_id": "00000000-0000-4000-8000-000000000000"}})
	bad.waitType(t, "connect")
	bad.waitEvent(t, "error", func(p map[string]any) bool { return p["code"] == "INVALID_SESSION" })
}

// TestRealtimeLeave checks leave_session: left, and no events after it.
func TestRealtimeLeave(t *testing.T) {
	s := startServer(t)
	a := startAgent(t)
	p := s.newProject(t, "Leave")
	c, _ := a.dial(t, s, "leaver", connectOpts{transports: []string{"websocket"}})
	c.join(t, p.sid)
	left := c.call(t, "leave_session", map[string]any{"session_id": p.sid})
	assert.Equal(t, p.sid, left["session_id"])
	assert.NotEmpty(t, left["client_id"])
	c.waitEvent(t, "left", nil)

	res := s.execute(t, p.sid, "RenameNode", map[string]any{"node_id": p.root, "name": "After leave"})
	// Fence: joining again answers after the session handled the rename;
	// nothing up to the join's seq may have reached the client.
	rejoined := c.join(t, p.sid)
	require.GreaterOrEqual(t, seqOf(t, rejoined["seq"]), seqOf(t, res["seq"]))
	for _, ev := range c.seqEvents(t) {
		assert.NotEqual(t, res["command_id"], ev.payload["command_id"], "event %s after leave", ev.name)
	}

	notJoined := c.call(t, "leave_session", map[string]any{"session_id": "some-other-session"})
	assert.Equal(t, "INVALID_REQUEST", notJoined["error"].(map[string]any)["code"])
}

// TestRealtimeSessionLifecycle checks the session's own events: clients
// coming and going, project:saved, project:loaded and session:closed.
func TestRealtimeSessionLifecycle(t *testing.T) {
	s := startServer(t)
	a := startAgent(t)
	p := s.newProject(t, "Lifecycle")
	watcher, _ := a.dial(t, s, "watcher", connectOpts{transports: []string{"websocket"}})
	watcher.join(t, p.sid)
	visitor, _ := a.dial(t, s, "visitor", connectOpts{transports: []string{"polling"}})
	visitorID := visitor.join(t, p.sid)["client_id"]
	connected := watcher.waitEvent(t, "session:connected", func(e map[string]any) bool { return e["client_id"] == visitorID }).arg(t, 0)
	assert.Equal(t, json.Number("2"), connected["client_count"])
	visitor.disconnect(t)
	left := watcher.waitEvent(t, "session:disconnected", func(e map[string]any) bool { return e["client_id"] == visitorID }).arg(t, 0)
	assert.Equal(t, json.Number("1"), left["client_count"])

	r := s.do(t, "DELETE", "/sessions/"+p.sid, nil)
	require.Equal(t, 204, r.status, "%s", r.body)
	closed := watcher.waitEvent(t, "session:closed", nil).arg(t, 0)
	assert.Equal(t, p.sid, closed["session_id"])
	evs := watcher.seqEvents(t)
	assert.Equal(t, "session:closed", evs[len(evs)-1].name, "session:closed comes last")

	// The client is out of the room but still connected: it can join another.
	other := s.newProject(t, "Next")
	watcher.join(t, other.sid)
	watcher.waitEvent(t, "joined", func(e map[string]any) bool { return e["session_id"] == other.sid })
}

// TestRealtimeProjectEvents checks that saving and loading a project reach
// the session's clients as project:saved and project:loaded.
func TestRealtimeProjectEvents(t *testing.T) {
	// Saving needs a store; it is closed after the server stops (cleanups
	// run last first).
	st, err := store.Open(t.TempDir(), store.Options{NoSync: true, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	s := startServer(t, func(o *serverOptions) { o.actors.Store = st })
	a := startAgent(t)
	p := s.newProject(t, "Saved")
	watcher, _ := a.dial(t, s, "watcher", connectOpts{transports: []string{"polling"}})
	watcher.join(t, p.sid)

	saved := s.ok(t, 200, "POST", "/projects/"+p.pid+"/save", map[string]any{"session_id": p.sid})
	ev := watcher.waitEvent(t, "project:saved", nil).arg(t, 0)
	assert.Equal(t, p.pid, ev["project_id"])
	assert.Equal(t, saved["saved_at"], ev["saved_at"])

	s.ok(t, 200, "POST", "/projects/"+p.pid+"/load", map[string]any{"session_id": p.sid})
	loaded := watcher.waitEvent(t, "project:loaded", nil).arg(t, 0)
	assert.Equal(t, p.pid, loaded["project_id"])
	require.NotNil(t, findNode(rootsOf(t, loaded["graph"]), p.root))
}

// TestRealtimeToken checks that a server run with a token refuses sockets
// without it from the Engine.IO handshake on (401, before any session or
// namespace exists), whatever the CONNECT auth says, and serves those that
// bring it in the query or an Authorization header (either scheme case).
func TestRealtimeToken(t *testing.T) {
	const token = "s3cret-token"
	s := startServer(t, func(o *serverOptions) { o.http.Token = token })
	s.token = token
	a := startAgent(t)
	p := s.newProject(t, "Guarded")
	refused := []connectOpts{
		{transports: []string{"polling"}},
		{transports: []string{"polling"}, query: map[string]string{"token": "wrong"}},
		{transports: []string{"polling"}, auth: map[string]any{"token": token}}, // too late: the handshake had none
		{transports: []string{"polling"}, headers: map[string]string{"Authorization": "Basic " + token}},
	}
	for i, o := range refused {
		id := fmt.Sprintf("refused-%d", i)
		m := a.connect(t, s, id, o).waitType(t, "connect_error")
		assert.Equal(t, 401, m.Status, "%s: %s", id, m.raw)
	}
	ws := a.connect(t, s, "refused-ws", connectOpts{transports: []string{"websocket"}})
	ws.waitType(t, "connect_error")

	for i, o := range []connectOpts{
		{transports: []string{"websocket"}, query: map[string]string{"token": token}, auth: map[string]any{"session_id": p.sid}},
		{transports: []string{"polling"}, headers: map[string]string{"Authorization": "bearer " + token}, auth: map[string]any{"session_id": p.sid}},
	} {
		ok := a.connect(t, s, fmt.Sprintf("allowed-%d", i), o)
		ok.waitEvent(t, "joined", nil)
		res := s.execute(t, p.sid, "RenameNode", map[string]any{"node_id": p.root, "name": fmt.Sprint("Guarded ", i)})
		evs := ok.waitSeq(t, seqOf(t, res["seq"]))
		assert.Contains(t, seqNames(evs, res["command_id"]), "graph:node-updated")
	}
}

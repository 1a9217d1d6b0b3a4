package test

import (
	"encoding/json"
	nethttp "net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/ws"
)

// The prototype's React frontend calls these routes and reads these fields;
// each test is one of the ways it broke against the server before.

// TestFrontendGraphRoute: a second page or a reload reads the tree at
// GET /sessions/{sid}/graph as {session_id, seq, graph: {roots}}.
func TestFrontendGraphRoute(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Car")
	phase := s.createNode(t, p.sid, p.root, "phase", "Body")

	body := s.ok(t, 200, "GET", "/sessions/"+p.sid+"/graph", nil, "Origin: http://localhost:5173")
	assert.Equal(t, p.sid, body["session_id"])
	assert.Equal(t, seqOf(t, s.tree(t, p.sid)["seq"]), seqOf(t, body["seq"]))
	roots := rootsOf(t, body["graph"])
	require.Len(t, roots, 1)
	assert.Equal(t, "Body", findNode(roots, phase)["name"])
	assert.Equal(t, rootsOf(t, s.tree(t, p.sid)), roots, "the same tree as /graph/tree")

	requireError(t, s.do(t, "GET", "/sessions/00000000-0000-4000-8000-000000000000/graph", nil), 404, "INVALID_SESSION")
}

// TestFailuresCarryTheGraph: the frontend renders `result.graph ?? result`
// of every reply, so a refused command, undo or redo answers its error
// beside the graph as it still is, not an error alone that would blank the
// project. include_graph false leaves it out; a session with no project has
// no graph to give.
func TestFailuresCarryTheGraph(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Car")
	phase := s.createNode(t, p.sid, p.root, "phase", "Body")
	before := rootsOf(t, s.tree(t, p.sid))

	withGraph := func(r reply, status int, code string) {
		t.Helper()
		requireError(t, r, status, code)
		assert.Equal(t, before, rootsOf(t, r.JSON(t)["graph"]), "the graph as the session still has it")
	}
	// One UpdateProperty per keystroke: "2024-0" is on the way to a date.
	withGraph(s.do(t, "POST", "/commands/execute", map[string]any{"session_id": p.sid, "command_type": "UpdateProperty",
		"data": map[string]any{"node_id": phase, "property_id": "start_date", "value": "2024-0"}}), 400, "INVALID_COMMAND")
	withGraph(s.do(t, "POST", "/sessions/"+p.sid+"/redo", nil), 400, "NOTHING_TO_REDO")
	s.ok(t, 200, "POST", "/sessions/"+p.sid+"/undo", nil)
	before = rootsOf(t, s.tree(t, p.sid))
	withGraph(s.do(t, "POST", "/sessions/"+p.sid+"/undo", nil), 400, "NOTHING_TO_UNDO")
	withGraph(s.do(t, "POST", "/commands/execute", map[string]any{"session_id": p.sid, "command_type": "DeleteNode",
		"data": map[string]any{"node_id": phase}}), 404, "NODE_NOT_FOUND")

	bare := s.do(t, "POST", "/sessions/"+p.sid+"/undo", map[string]any{"include_graph": false})
	requireError(t, bare, 400, "NOTHING_TO_UNDO")
	assert.NotContains(t, bare.JSON(t), "graph", "include_graph false")
	bare = s.do(t, "POST", "/commands/execute", map[string]any{"session_id": p.sid, "command_type": "DeleteNode",
		"data": map[string]any{"node_id": phase}, "include_graph": false})
	requireError(t, bare, 404, "NODE_NOT_FOUND")
	assert.NotContains(t, bare.JSON(t), "graph")

	empty := s.ok(t, 201, "POST", "/sessions", nil)["session_id"].(string)
	none := s.do(t, "POST", "/sessions/"+empty+"/undo", nil)
	requireError(t, none, 409, "NO_PROJECT")
	assert.NotContains(t, none.JSON(t), "graph", "no project, no graph")
}

// TestDirtyState: is_dirty says whether the project changed since it was
// last saved or opened, in /info, in every change reply and at /dirty;
// /save saves the open project and /reset-dirty forgets the changes were
// unsaved.
func TestDirtyState(t *testing.T) {
	s := startDurable(t, "")
	p := s.newProject(t, "Car")
	dirty := func() bool {
		t.Helper()
		d := s.ok(t, 200, "GET", "/sessions/"+p.sid+"/dirty", nil)
		assert.Equal(t, p.sid, d["session_id"])
		info := s.ok(t, 200, "GET", "/sessions/"+p.sid+"/info", nil)
		assert.Equal(t, d["is_dirty"], info["is_dirty"], "/dirty and /info agree")
		assert.Equal(t, "restomod", info["template_id"])
		return d["is_dirty"].(bool)
	}
	assert.False(t, dirty(), "a new project is as it was created")

	res := s.execute(t, p.sid, "CreateNode", map[string]any{"parent_id": p.root, "blueprint_type_id": "phase", "name": "Body"})
	assert.Equal(t, true, res["is_dirty"])
	assert.True(t, dirty())

	saved := s.ok(t, 200, "POST", "/sessions/"+p.sid+"/save", nil)
	assert.Equal(t, p.pid, saved["project_id"])
	assert.Equal(t, false, saved["is_dirty"])
	assert.NotEmpty(t, saved["saved_at"])
	assert.False(t, dirty(), "saved")
	stored := s.ok(t, 200, "GET", "/projects/"+p.pid, nil)
	assert.Contains(t, string(mustJSON(t, stored)), "Body", "the save stored the change")

	undone := s.ok(t, 200, "POST", "/sessions/"+p.sid+"/undo", nil)
	assert.Equal(t, true, undone["is_dirty"], "an undo after a save is a change")
	reset := s.ok(t, 200, "POST", "/sessions/"+p.sid+"/reset-dirty", nil)
	assert.Equal(t, false, reset["is_dirty"])
	assert.False(t, dirty())
	redone := s.ok(t, 200, "POST", "/sessions/"+p.sid+"/redo", nil)
	assert.Equal(t, true, redone["is_dirty"])

	// The documented routes keep the same state: saving by project id
	// cleans it, a change dirties it, and loading the saved copy is clean.
	savedByID := s.ok(t, 200, "POST", "/projects/"+p.pid+"/save", map[string]any{"session_id": p.sid})
	assert.Equal(t, false, savedByID["is_dirty"])
	assert.False(t, dirty(), "saved by project id")
	s.execute(t, p.sid, "RenameNode", map[string]any{"node_id": p.root, "name": "Car 2"})
	assert.True(t, dirty())
	loaded := s.ok(t, 200, "POST", "/projects/"+p.pid+"/load", map[string]any{"session_id": p.sid})
	assert.Equal(t, false, loaded["is_dirty"])
	assert.False(t, dirty(), "loaded: as saved")
	created := s.ok(t, 201, "POST", "/projects", map[string]any{"template_id": "restomod", "project_name": "New"})
	assert.Equal(t, false, created["is_dirty"], "a new project is as it was created")

	empty := s.ok(t, 201, "POST", "/sessions", nil)["session_id"].(string)
	requireError(t, s.do(t, "POST", "/sessions/"+empty+"/save", nil), 409, "NO_PROJECT")
	requireError(t, s.do(t, "GET", "/sessions/00000000-0000-4000-8000-000000000000/dirty", nil), 404, "INVALID_SESSION")
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	require.NoError(tb, err)
	return b
}

// TestLoadGraph: the later frontend opens a file it read itself by posting
// its graph: a node list linked by children, parent ids or edges, under the
// prototype's field names. The ids are kept; a graph the template refuses
// is a 400 that leaves the session's project as it was.
func TestLoadGraph(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Car")
	graph := map[string]any{
		"template_id": "restomod",
		"nodes": []any{
			map[string]any{"id": "root-1", "type": "project_root", "name": "Mustang", "properties": map[string]any{"name": "Mustang", "vehicle": "1967 Mustang"}, "children": []string{"ph-1"}},
			map[string]any{"id": "ph-1", "blueprint_type_id": "phase", "name": "Body", "properties": map[string]any{"status": "In Progress"}},
			map[string]any{"id": "job-1", "type": "job", "label": "Floor pans", "parentId": "ph-1"},
			map[string]any{"id": "job-2", "type": "job", "name": "Doors"},
		},
		"edges": []any{map[string]any{"source": "ph-1", "target": "job-2"}},
	}
	res := s.ok(t, 200, "POST", "/sessions/"+p.sid+"/load-graph", map[string]any{"graph": graph})
	assert.Equal(t, "restomod", res["template_id"])
	roots := rootsOf(t, res["graph"])
	require.Len(t, roots, 1)
	assert.Equal(t, "root-1", roots[0].(map[string]any)["id"])
	phase := findNode(roots, "ph-1")
	require.NotNil(t, phase)
	var kids []string
	for _, c := range phase["children"].([]any) {
		kids = append(kids, c.(map[string]any)["name"].(string))
	}
	assert.Equal(t, []string{"Floor pans", "Doors"}, kids, "parent ids first, in list order, then edges")
	assert.Equal(t, rootsOf(t, s.tree(t, p.sid)), roots, "the session now has it")
	loaded := s.tree(t, p.sid)

	bad := map[string]any{"template_id": "restomod", "nodes": []any{
		map[string]any{"id": "r", "type": "project_root", "name": "X", "children": []string{"t"}},
		map[string]any{"id": "t", "type": "task", "name": "Not a phase"},
	}}
	requireError(t, s.do(t, "POST", "/sessions/"+p.sid+"/load-graph", map[string]any{"graph": bad}), 400, "INVALID_REQUEST")
	requireError(t, s.do(t, "POST", "/sessions/"+p.sid+"/load-graph", map[string]any{"graph": map[string]any{"nodes": []any{}}}), 400, "INVALID_REQUEST")
	requireError(t, s.do(t, "POST", "/sessions/"+p.sid+"/load-graph", map[string]any{"graph": map[string]any{"template_id": "restomod",
		"nodes": []any{map[string]any{"id": "a", "type": "project_root", "children": []string{"ghost"}}}}}), 400, "INVALID_REQUEST")
	requireError(t, s.do(t, "POST", "/sessions/"+p.sid+"/load-graph", map[string]any{}), 400, "INVALID_REQUEST")
	assert.Equal(t, loaded, s.tree(t, p.sid), "a refused graph changes nothing")
}

// TestPrototypeSocketClient: the later frontend connects to /graph by
// polling only, joins with join_session and listens for node-created,
// node-deleted and property-changed, reading node, id and property_name,
// and never asks for names. With -event-names legacy it gets them; with
// both it gets ours too.
func TestPrototypeSocketClient(t *testing.T) {
	for _, names := range []ws.EventNames{ws.NamesLegacy, ws.NamesBoth} {
		t.Run(names.String(), func(t *testing.T) {
			s := startServer(t, func(o *serverOptions) { o.ws.EventNames = names })
			p := s.newProject(t, "Car")
			a := startAgent(t)
			c, transport := a.dial(t, s, "old", connectOpts{namespace: "/graph", transports: []string{"polling"}})
			assert.Equal(t, "polling", transport)
			c.join(t, p.sid)

			phase := s.createNode(t, p.sid, p.root, "phase", "Body")
			created := c.waitEvent(t, "node-created", nil).arg(t, 0)
			assert.Equal(t, phase, created["node"].(map[string]any)["id"], "addNode(data.node)")
			assert.Equal(t, phase, created["id"])

			s.execute(t, p.sid, "UpdateProperty", map[string]any{"node_id": phase, "property_id": "status", "value": "Completed"})
			changed := c.waitEvent(t, "property-changed", nil).arg(t, 0)
			assert.Equal(t, phase, changed["node_id"])
			assert.Equal(t, "status", changed["property_name"])
			assert.Contains(t, changed, "new_value")

			s.execute(t, p.sid, "DeleteNode", map[string]any{"node_id": phase})
			deleted := c.waitEvent(t, "node-deleted", nil).arg(t, 0)
			assert.Equal(t, phase, deleted["id"], "removeNode(data.id)")

			// Under both, ours comes first: it is here by now.
			canonical := filterNames(c.events(), "graph:node-created", "graph:property-changed", "graph:node-deleted")
			if names == ws.NamesBoth {
				assert.Len(t, canonical, 3)
			} else {
				assert.Empty(t, canonical, "legacy only")
			}
		})
	}
}

func filterNames(msgs []agentMsg, names ...string) []agentMsg {
	var out []agentMsg
	for _, m := range msgs {
		for _, n := range names {
			if m.Name == n {
				out = append(out, m)
			}
		}
	}
	return out
}

// TestCompatRoutesNeedTheirSession: the compatibility routes are API routes
// like the others: JSON bodies only, CORS for allowed pages and refused
// to foreign ones.
func TestCompatRoutesNeedTheirSession(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Car")
	pre := s.do(t, "OPTIONS", "/sessions/"+p.sid+"/reset-dirty", nil, "Origin: http://localhost:5173", "Access-Control-Request-Method: POST")
	assert.Equal(t, nethttp.StatusNoContent, pre.status)
	requireError(t, s.do(t, "POST", "/sessions/"+p.sid+"/load-graph", "graph=1", "Content-Type: application/x-www-form-urlencoded"), 415, "UNSUPPORTED_MEDIA_TYPE")
	requireError(t, s.do(t, "POST", "/sessions/"+p.sid+"/save", nil, "Origin: "+evil), 403, "FORBIDDEN_ORIGIN")
}

// TestPrototypeFieldEditing follows what the original frontend sends while
// a user edits fields (found by running it against this server in
// Chromium): one UpdateProperty per keystroke with new_value, "" or null
// when a field is emptied, and UpdateProperty of "name" to rename. Each
// reply's graph is what the page shows next, so it must hold what the user
// typed.
func TestPrototypeFieldEditing(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Car")
	phase := s.createNode(t, p.sid, p.root, "phase", "Body")
	job := s.createNode(t, p.sid, phase, "job", "Panels")
	task := s.createNode(t, p.sid, job, "task", "Sand")
	update := func(node, prop string, value any) map[string]any {
		t.Helper()
		return s.ok(t, 200, "POST", "/commands/execute", map[string]any{"session_id": p.sid, "command_type": "UpdateProperty",
			"data": map[string]any{"node_id": node, "property_id": prop, "new_value": value}})
	}
	shown := func(res map[string]any, node, prop string) any {
		t.Helper()
		n := findNode(rootsOf(t, res["graph"]), node)
		require.NotNil(t, n, "node %s in the reply's graph", node)
		return n["properties"].(map[string]any)[prop]
	}

	for _, typed := range []string{"1", "12", "12.", "12.5", "12.50"} {
		res := update(task, "cost", typed)
		assert.Equal(t, typed, shown(res, task, "cost"), "the reply shows the amount as typed so far")
	}

	update(phase, "start_date", "2026-12-20")
	cleared := update(phase, "start_date", "")
	assert.Nil(t, shown(cleared, phase, "start_date"), "an emptied date field clears the date")
	update(task, "estimated_hours", 3.5)
	hoursCleared := update(task, "estimated_hours", nil)
	assert.Nil(t, shown(hoursCleared, task, "estimated_hours"), "null clears a number")
	unchanged := update(task, "impact", "")
	assert.Equal(t, seqOf(t, hoursCleared["seq"])+2, seqOf(t, unchanged["seq"]),
		"clearing an unset field emits command:executing and command:executed, no graph event")
	undone := s.ok(t, 200, "POST", "/sessions/"+p.sid+"/undo", nil)
	assert.Equal(t, json.Number("3.5"), shown(undone, task, "estimated_hours"), "undo takes back the last real change, not the empty clear")
	s.ok(t, 200, "POST", "/sessions/"+p.sid+"/redo", nil)

	renamed := update(job, "name", "Doors")
	assert.Equal(t, "Doors", findNode(rootsOf(t, renamed["graph"]), job)["name"], "setting the name property renames")
	assert.NotContains(t, findNode(rootsOf(t, renamed["graph"]), job)["properties"], "name")

	update(p.root, "vehicle", "Camaro")
	requireError(t, s.do(t, "POST", "/commands/execute", map[string]any{"session_id": p.sid, "command_type": "UpdateProperty",
		"data": map[string]any{"node_id": p.root, "property_id": "vehicle", "new_value": ""}}), 400, "INVALID_COMMAND")
}

package test

import (
	"encoding/json"
	"fmt"
	nethttp "net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExecuteCommands(t *testing.T) {
	s := startServer(t)
	p, phase, job, brakes, _ := buildRestomod(t, s)
	empty := s.ok(t, nethttp.StatusCreated, "POST", "/sessions", nil)["session_id"].(string)

	cmd := func(typ string, data map[string]any) string {
		b, err := json.Marshal(map[string]any{"session_id": p.sid, "command_type": typ, "data": data})
		require.NoError(t, err)
		return string(b)
	}
	tests := []struct {
		name    string
		body    string
		headers []header
		status  int
		code    string
	}{
		{"create phase", cmd("CreateNode", map[string]any{"parent_id": p.root, "blueprint_type_id": "phase", "name": "Paint"}), nil, 200, ""},
		{"snake_case type", cmd("create_node", map[string]any{"parent_id": phase, "blueprint_type_id": "job", "name": "Sand"}), nil, 200, ""},
		{"rename", cmd("RenameNode", map[string]any{"node_id": job, "name": "Rust removal"}), nil, 200, ""},
		{"set number", cmd("UpdateProperty", map[string]any{"node_id": brakes, "property_id": "estimated_hours", "value": 3.5}), nil, 200, ""},
		{"set currency as string", cmd("UpdateProperty", map[string]any{"node_id": brakes, "property_id": "cost", "new_value": "129.99"}), nil, 200, ""},
		{"task under root", cmd("CreateNode", map[string]any{"parent_id": p.root, "blueprint_type_id": "task", "name": "x"}), nil, 400, "INVALID_COMMAND"},
		{"unknown command", cmd("FlyToTheMoon", map[string]any{}), nil, 400, "INVALID_COMMAND"},
		{"bad property value", cmd("UpdateProperty", map[string]any{"node_id": brakes, "property_id": "impact", "value": "very"}), nil, 400, "INVALID_COMMAND"},
		{"unknown property", cmd("UpdateProperty", map[string]any{"node_id": brakes, "property_id": "colour", "value": "red"}), nil, 400, "INVALID_COMMAND"},
		{"missing node", cmd("UpdateProperty", map[string]any{"node_id": "no-such-node", "property_id": "notes", "value": "x"}), nil, 404, "NODE_NOT_FOUND"},
		{"delete missing node", cmd("DeleteNode", map[string]any{"node_id": "no-such-node"}), nil, 404, "NODE_NOT_FOUND"},
		{"ill-typed data field", cmd("RenameNode", map[string]any{"node_id": job, "name": 42}), nil, 400, "INVALID_REQUEST"},
		{"not JSON", `command_type=CreateNode`, nil, 400, "INVALID_REQUEST"},
		{"empty body", ``, nil, 400, "INVALID_REQUEST"},
		{"array body", `[1,2]`, nil, 400, "INVALID_REQUEST"},
		{"truncated", `{"session_id":`, nil, 400, "INVALID_REQUEST"},
		{"no session", `{"command_type":"RenameNode","data":{}}`, nil, 400, "INVALID_REQUEST"},
		{"no command type", fmt.Sprintf(`{"session_id":%q,"data":{}}`, p.sid), nil, 400, "INVALID_REQUEST"},
		{"data not an object", fmt.Sprintf(`{"session_id":%q,"command_type":"RenameNode","data":[1]}`, p.sid), nil, 400, "INVALID_REQUEST"},
		{"stray field beside data", fmt.Sprintf(`{"session_id":%q,"command_type":"RenameNode","data":{"node_id":%q,"name":"a"},"name":"b"}`, p.sid, job), nil, 400, "INVALID_REQUEST"},
		{"include_graph not a boolean", fmt.Sprintf(`{"session_id":%q,"command_type":"RenameNode","data":{"node_id":%q,"name":"a"},"include_graph":"no"}`, p.sid, job), nil, 400, "INVALID_REQUEST"},
		{"command_id too long", fmt.Sprintf(`{"session_id":%q,"command_type":"RenameNode","data":{"node_id":%q,"name":"a"},"command_id":%q}`, p.sid, job, strings.Repeat("x", 129)), nil, 400, "INVALID_REQUEST"},
		{"header and body disagree", cmd("RenameNode", map[string]any{"node_id": job, "name": "a"}), []header{"X-Session-ID: someone-else"}, 400, "INVALID_REQUEST"},
		{"unknown session", `{"session_id":"no-such-session","command_type":"RenameNode","data":{"node_id":"a","name":"b"}}`, nil, 404, "INVALID_SESSION"},
		{"session without project", fmt.Sprintf(`{"session_id":%q,"command_type":"CreateNode","data":{"blueprint_type_id":"phase"}}`, empty), nil, 409, "NO_PROJECT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(t, "POST", "/commands/execute", tc.body, tc.headers...)
			if tc.code != "" {
				requireError(t, r, tc.status, tc.code)
				return
			}
			require.Equal(t, tc.status, r.status, "body: %s", r.body)
			body := r.JSON(t)
			assert.Equal(t, true, body["success"])
			assert.NotEmpty(t, body["command_id"])
			assert.Equal(t, true, body["undo_available"])
			assert.Equal(t, false, body["redo_available"])
			assert.Positive(t, seqOf(t, body["seq"]))
			assert.NotEmpty(t, rootsOf(t, body["graph"]), "the graph comes by default")
		})
	}

	node := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+p.sid+"/graph/nodes/"+brakes, nil)
	props := node["properties"].(map[string]any)
	assert.Equal(t, json.Number("3.5"), props["estimated_hours"])
	assert.Equal(t, "129.99", props["cost"], "currency is kept as an exact decimal string")
	assert.Equal(t, "Rust removal", s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+p.sid+"/graph/nodes/"+job, nil)["name"])
}

func TestExecuteReply(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Camaro")
	before := seqOf(t, s.tree(t, p.sid)["seq"])

	body := s.ok(t, nethttp.StatusOK, "POST", "/commands/execute", map[string]any{
		"session_id": p.sid, "command_type": "CreateNode", "include_graph": false,
		"data": map[string]any{"parent_id": p.root, "blueprint_type_id": "phase", "name": "Interior"},
	})
	assert.Equal(t, "CreateNode", body["command_type"])
	id := body["node_id"].(string)
	assert.Equal(t, id, body["result"], "CreateNode's result is the new node id")
	assert.NotContains(t, body, "graph", "include_graph false leaves the graph out")
	seq := seqOf(t, body["seq"])
	assert.Greater(t, seq, before)

	tree := s.tree(t, p.sid)
	assert.Equal(t, seq, seqOf(t, tree["seq"]), "the reply's seq is the graph's")
	assert.NotNil(t, findNode(rootsOf(t, tree), id))
}

// TestSeedCreateNode sends the seed document's request shape: the session in
// X-Session-ID, "command" in snake_case, and the data fields at the top level.
func TestSeedCreateNode(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Camaro")

	body := s.ok(t, nethttp.StatusOK, "POST", "/commands/execute", fmt.Sprintf(`{
  "command": "create_node",
  "parent_id": %q,
  "blueprint_type_id": "phase",
  "name": "Engine Block"
}`, p.root), header("X-Session-ID: "+p.sid))
	assert.Equal(t, true, body["success"])
	assert.Equal(t, "CreateNode", body["command_type"])
	id := body["node_id"].(string)
	n := findNode(rootsOf(t, body["graph"]), id)
	require.NotNil(t, n)
	assert.Equal(t, "Engine Block", n["name"])
	assert.Equal(t, "phase", n["blueprint_type_id"])
	assert.NotNil(t, findNode(rootsOf(t, s.tree(t, p.sid)), id))

	// The seed's example verbatim: no parent, and the template id as the
	// type, which stands for the template's root type.
	body = s.ok(t, nethttp.StatusOK, "POST", "/commands/execute",
		`{"command":"create_node","blueprint_type_id":"restomod","name":"Engine Block"}`, header("X-Session-ID: "+p.sid))
	n = findNode(rootsOf(t, body["graph"]), body["node_id"].(string))
	require.NotNil(t, n)
	assert.Equal(t, "Engine Block", n["name"])
	assert.Equal(t, "project_root", n["blueprint_type_id"])
}

func TestCommandIDRetry(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Camaro")
	req := map[string]any{
		"session_id": p.sid, "command_type": "CreateNode", "command_id": "client-42",
		"data": map[string]any{"parent_id": p.root, "blueprint_type_id": "phase", "name": "Paint"},
	}

	first := s.ok(t, nethttp.StatusOK, "POST", "/commands/execute", req)
	assert.Equal(t, "client-42", first["command_id"])
	again := s.ok(t, nethttp.StatusOK, "POST", "/commands/execute", req)
	assert.Equal(t, first["node_id"], again["node_id"], "a retry answers the first result")
	assert.Equal(t, first["result"], again["result"])
	assert.Equal(t, first["seq"], again["seq"])

	tree := s.tree(t, p.sid)
	assert.Equal(t, seqOf(t, first["seq"]), seqOf(t, tree["seq"]), "the retry changed nothing")
	assert.Len(t, rootsOf(t, tree)[0].(map[string]any)["children"], 1, "one phase, not two")

	// Undo and redo retries too.
	u1 := s.ok(t, nethttp.StatusOK, "POST", "/sessions/"+p.sid+"/undo", map[string]any{"command_id": "undo-1"})
	u2 := s.ok(t, nethttp.StatusOK, "POST", "/sessions/"+p.sid+"/undo", map[string]any{"command_id": "undo-1"})
	assert.Equal(t, u1["seq"], u2["seq"])
	assert.Equal(t, true, u2["redo_available"])
	info := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+p.sid+"/info", nil)
	assert.Equal(t, u1["seq"], info["seq"], "the repeated undo was not applied twice")
	assert.Equal(t, int64(1), seqOf(t, info["node_count"]))
}

package test

import (
	nethttp "net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeWalkthrough follows the curl walk-through of README.md step by
// step: create a restomod project, add a phase, a job and a task, set the
// task's status by an option id from the schema, undo, redo, read the tree,
// send a command in the prototype's shape, save, list, export, import, load,
// restart on the same data directory, undo, delete the saved copy.
func TestReadmeWalkthrough(t *testing.T) {
	dir := t.TempDir()
	s := startDurable(t, dir)

	// 1. Create the project; the reply holds the session and the root node.
	created := s.ok(t, nethttp.StatusCreated, "POST", "/projects",
		map[string]any{"template_id": "restomod", "project_name": "1969 Camaro"})
	sid := created["session_id"].(string)
	root := rootsOf(t, created["graph"])[0].(map[string]any)["id"].(string)

	// 2-4. Phase under the root, job under the phase, task under the job.
	add := func(parent, typ, name string) string {
		res := s.ok(t, nethttp.StatusOK, "POST", "/commands/execute", map[string]any{
			"session_id": sid, "command_type": "CreateNode",
			"data": map[string]any{"parent_id": parent, "blueprint_type_id": typ, "name": name},
		})
		return res["node_id"].(string)
	}
	phase := add(root, "phase", "Bodywork")
	job := add(phase, "job", "Rust repair")
	task := add(job, "task", "Cut out floor pans")

	// 5. The "Done" option id of task.status, from the schema.
	schema := s.ok(t, nethttp.StatusOK, "GET", "/templates/restomod/schema", nil)
	var done string
	for _, nt := range schema["node_types"].([]any) {
		if nt.(map[string]any)["id"] != "task" {
			continue
		}
		for _, p := range nt.(map[string]any)["properties"].([]any) {
			if p.(map[string]any)["id"] != "status" {
				continue
			}
			for _, o := range p.(map[string]any)["options"].([]any) {
				if o.(map[string]any)["name"] == "Done" {
					done = o.(map[string]any)["id"].(string)
				}
			}
		}
	}
	require.NotEmpty(t, done)
	set := s.ok(t, nethttp.StatusOK, "POST", "/commands/execute", map[string]any{
		"session_id": sid, "command_type": "UpdateProperty",
		"data": map[string]any{"node_id": task, "property_id": "status", "value": done},
	})
	status := func(graph any) any {
		n := findNode(rootsOf(t, graph), task)
		require.NotNil(t, n)
		return n["properties"].(map[string]any)["status"]
	}
	assert.Equal(t, done, status(set["graph"]))

	// 6. Undo puts the default status (the first option) back; 7. redo sets Done again.
	undone := s.ok(t, nethttp.StatusOK, "POST", "/sessions/"+sid+"/undo", nil)
	assert.NotEqual(t, done, status(undone["graph"]))
	assert.NotEmpty(t, status(undone["graph"]), "a select status defaults to its first option")
	redone := s.ok(t, nethttp.StatusOK, "POST", "/sessions/"+sid+"/redo", nil)
	assert.Equal(t, done, status(redone["graph"]))

	// 8. The tree.
	tree := s.tree(t, sid)
	assert.Equal(t, done, status(tree))
	assert.Equal(t, seqOf(t, redone["seq"]), seqOf(t, tree["seq"]))
	r := rootsOf(t, tree)
	require.Len(t, r, 1)
	assert.Equal(t, "1969 Camaro", r[0].(map[string]any)["name"])
	assert.Equal(t, "Rust repair", findNode(r, job)["name"])

	// 9. The prototype's shape: X-Session-ID, snake_case command, flat fields.
	legacy := s.ok(t, nethttp.StatusOK, "POST", "/commands/execute",
		map[string]any{"command": "create_node", "parent_id": root, "blueprint_type_id": "phase", "name": "Engine"},
		header("X-Session-ID: "+sid))
	assert.Equal(t, "CreateNode", legacy["command_type"])
	engine := legacy["node_id"].(string)
	requireError(t, s.do(t, "POST", "/sessions/"+sid+"/redo", nil), nethttp.StatusBadRequest, "NOTHING_TO_REDO")

	// 10. Save; the list shows it; the session saw project:saved last.
	pid := created["project_id"].(string)
	saved := s.ok(t, nethttp.StatusOK, "POST", "/projects/"+pid+"/save", map[string]any{"session_id": sid})
	list := s.ok(t, nethttp.StatusOK, "GET", "/projects", nil)["projects"].([]any)
	require.Len(t, list, 1)
	assert.Equal(t, pid, list[0].(map[string]any)["project_id"])
	assert.Equal(t, saved["saved_at"], list[0].(map[string]any)["updated_at"])
	assert.Equal(t, int64(5), seqOf(t, list[0].(map[string]any)["node_count"]))
	events := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+sid+"/events?after_seq=0", nil)["events"].([]any)
	assert.Equal(t, "project:saved", events[len(events)-1].(map[string]any)["event"])

	// 11. Export, then import the file as a new project.
	file := s.do(t, "GET", "/projects/"+pid+"/export", nil)
	require.Equal(t, nethttp.StatusOK, file.status)
	imported := s.ok(t, nethttp.StatusCreated, "POST", "/projects/import", file.body)
	assert.NotEqual(t, pid, imported["project_id"])
	assert.Equal(t, "restomod", imported["template_id"])
	assert.Equal(t, shape(t, rootsOf(t, s.tree(t, sid))), shape(t, rootsOf(t, imported["graph"])))

	// 12. Load the saved copy in a fresh session: same ids, new history.
	loaded := s.ok(t, nethttp.StatusOK, "POST", "/projects/"+pid+"/load", nil)
	assert.Equal(t, pid, loaded["project_id"])
	lsid := loaded["session_id"].(string)
	assert.Equal(t, "Cut out floor pans", s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+lsid+"/graph/nodes/"+task, nil)["name"])

	// 13. Restart on the same data directory: the session answers as before,
	// and undo takes back the last command (the Engine phase).
	info := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+sid+"/info", nil)
	s.stop(t)
	s = startDurable(t, dir)
	again := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+sid+"/info", nil)
	for _, k := range []string{"seq", "node_count", "undo_available", "redo_available", "project_id"} {
		assert.Equal(t, info[k], again[k], k)
	}
	undone = s.ok(t, nethttp.StatusOK, "POST", "/sessions/"+sid+"/undo", nil)
	assert.Equal(t, "CreateNode", undone["command_type"])
	assert.Nil(t, findNode(rootsOf(t, undone["graph"]), engine))

	// 14. Delete the saved copy.
	require.Equal(t, nethttp.StatusNoContent, s.do(t, "DELETE", "/projects/"+pid, nil).status)
	assert.Empty(t, s.ok(t, nethttp.StatusOK, "GET", "/projects", nil)["projects"])
}

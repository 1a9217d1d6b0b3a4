package test

import (
	nethttp "net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeWalkthrough follows the curl walk-through of README.md step by
// step: create a restomod project, add a phase, a job and a task, set the
// task's status by an option id from the schema, undo, redo, read the tree.
func TestReadmeWalkthrough(t *testing.T) {
	s := startServer(t)

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
}

package test

import (
	nethttp "net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateAndGetProject(t *testing.T) {
	s := startServer(t)

	body := s.ok(t, nethttp.StatusCreated, "POST", "/projects",
		map[string]any{"template_id": "restomod", "project_name": "1969 Camaro"})
	assert.Equal(t, "restomod", body["template_id"])
	sid, pid := body["session_id"].(string), body["project_id"].(string)
	require.NotEmpty(t, sid)
	require.NotEmpty(t, pid)
	roots := rootsOf(t, body["graph"])
	require.Len(t, roots, 1)
	root := roots[0].(map[string]any)
	assert.Equal(t, "1969 Camaro", root["name"])
	assert.Equal(t, "project_root", root["blueprint_type_id"], "the root has the template's first node type")
	assert.Empty(t, root["children"])

	phase := s.createNode(t, sid, root["id"].(string), "phase", "Bodywork")

	got := s.ok(t, nethttp.StatusOK, "GET", "/projects/"+pid, nil)
	assert.Equal(t, pid, got["project_id"])
	assert.Equal(t, "restomod", got["template_id"])
	assert.Equal(t, "1969 Camaro", got["name"])
	assert.NotContains(t, got, "session_id", "a project id must not hand out the session's write capability")
	require.NotNil(t, findNode(rootsOf(t, got["graph"]), phase), "GET /projects shows the live graph")
}

func TestCreateProjectInExistingSession(t *testing.T) {
	s := startServer(t)
	sid := s.ok(t, nethttp.StatusCreated, "POST", "/sessions", nil)["session_id"].(string)

	body := s.ok(t, nethttp.StatusCreated, "POST", "/projects",
		map[string]any{"template_id": "book", "project_name": "Novel", "session_id": sid})
	assert.Equal(t, sid, body["session_id"])
	assert.Equal(t, "book", body["template_id"])

	info := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+sid+"/info", nil)
	assert.Equal(t, true, info["has_project"])
	assert.Equal(t, body["project_id"], info["project_id"])
	assert.Equal(t, int64(1), seqOf(t, s.ok(t, nethttp.StatusOK, "GET", "/sessions", nil)["total"]), "no extra session was made")
}

func TestProjectErrors(t *testing.T) {
	s := startServer(t)
	tests := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"not JSON", "template_id=restomod", 400, "INVALID_REQUEST"},
		{"empty body", "", 400, "INVALID_REQUEST"},
		{"missing template_id", map[string]any{"project_name": "x"}, 400, "INVALID_REQUEST"},
		{"missing project_name", map[string]any{"template_id": "restomod"}, 400, "INVALID_REQUEST"},
		{"ill-typed name", map[string]any{"template_id": "restomod", "project_name": 7}, 400, "INVALID_REQUEST"},
		{"unknown template", map[string]any{"template_id": "spaceship", "project_name": "x"}, 404, "TEMPLATE_NOT_FOUND"},
		{"unknown session", map[string]any{"template_id": "restomod", "project_name": "x", "session_id": "no-such-session"}, 404, "INVALID_SESSION"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireError(t, s.do(t, "POST", "/projects", tc.body), tc.status, tc.code)
		})
	}
	assert.Equal(t, int64(0), seqOf(t, s.ok(t, nethttp.StatusOK, "GET", "/sessions", nil)["total"]),
		"a refused project leaves no session behind")

	for _, path := range []string{"/projects/no-such-project", "/projects/no-such-project/graph/tree",
		"/projects/no-such-project/graph/nodes/x"} {
		requireError(t, s.do(t, "GET", path, nil), nethttp.StatusNotFound, "PROJECT_NOT_FOUND")
	}
	requireError(t, s.do(t, "POST", "/projects/no-such-project/graph/search", "{}"), nethttp.StatusNotFound, "PROJECT_NOT_FOUND")

	// A closed session's project is no longer open anywhere.
	p := s.newProject(t, "Gone")
	require.Equal(t, nethttp.StatusNoContent, s.do(t, "DELETE", "/sessions/"+p.sid, nil).status)
	requireError(t, s.do(t, "GET", "/projects/"+p.pid, nil), nethttp.StatusNotFound, "PROJECT_NOT_FOUND")
}

package test

import (
	nethttp "net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildRestomod opens a project with a phase, a job and two tasks.
func buildRestomod(tb testing.TB, s *server) (p project, phase, job, brakes, paint string) {
	tb.Helper()
	p = s.newProject(tb, "Camaro")
	phase = s.createNode(tb, p.sid, p.root, "phase", "Bodywork")
	job = s.createNode(tb, p.sid, phase, "job", "Rust repair")
	brakes = s.createNode(tb, p.sid, job, "task", "Replace brake lines")
	paint = s.createNode(tb, p.sid, job, "task", "Prime panels")
	return
}

func TestGraphTreeRoutesAgree(t *testing.T) {
	s := startServer(t)
	p, phase, job, brakes, paint := buildRestomod(t, s)

	bySession := s.tree(t, p.sid)
	byQuery := s.ok(t, nethttp.StatusOK, "GET", "/graph?session_id="+p.sid, nil)
	byHeader := s.ok(t, nethttp.StatusOK, "GET", "/graph", nil, header("X-Session-ID: "+p.sid))
	byProject := s.ok(t, nethttp.StatusOK, "GET", "/projects/"+p.pid+"/graph/tree", nil)
	assert.Equal(t, bySession, byQuery)
	assert.Equal(t, bySession, byHeader)
	assert.Equal(t, bySession, byProject)
	assert.Positive(t, seqOf(t, bySession["seq"]))

	roots := rootsOf(t, bySession)
	require.Len(t, roots, 1)
	j := findNode(roots, job)
	require.NotNil(t, j)
	kids := j["children"].([]any)
	require.Len(t, kids, 2)
	assert.Equal(t, brakes, kids[0].(map[string]any)["id"], "children keep their order")
	assert.Equal(t, paint, kids[1].(map[string]any)["id"])
	assert.Equal(t, "phase", findNode(roots, phase)["blueprint_type_id"])
}

func TestGraphNode(t *testing.T) {
	s := startServer(t)
	p, phase, job, brakes, paint := buildRestomod(t, s)

	node := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+p.sid+"/graph/nodes/"+job, nil)
	assert.Equal(t, job, node["id"])
	assert.Equal(t, "Rust repair", node["name"])
	assert.Equal(t, "job", node["blueprint_type_id"])
	assert.Equal(t, phase, node["parent_id"])
	assert.Equal(t, []any{brakes, paint}, node["children"])
	_, err := time.Parse(time.RFC3339Nano, node["created_at"].(string))
	assert.NoError(t, err)

	root := s.ok(t, nethttp.StatusOK, "GET", "/projects/"+p.pid+"/graph/nodes/"+p.root, nil)
	assert.Nil(t, root["parent_id"], "a root has a null parent")
	assert.Equal(t, []any{phase}, root["children"])

	requireError(t, s.do(t, "GET", "/sessions/"+p.sid+"/graph/nodes/no-such-node", nil), nethttp.StatusNotFound, "NODE_NOT_FOUND")
	requireError(t, s.do(t, "GET", "/projects/"+p.pid+"/graph/nodes/no-such-node", nil), nethttp.StatusNotFound, "NODE_NOT_FOUND")
}

func TestGraphSearch(t *testing.T) {
	s := startServer(t)
	p, _, _, brakes, paint := buildRestomod(t, s)

	tests := []struct {
		name  string
		query map[string]any
		want  []string
	}{
		{"by name, any case", map[string]any{"query": "BRAKE"}, []string{brakes}},
		{"by type", map[string]any{"blueprint_type_id": "task"}, []string{brakes, paint}},
		{"name and type", map[string]any{"query": "prime", "blueprint_type_id": "task"}, []string{paint}},
		{"no match", map[string]any{"query": "zzz"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/sessions/" + p.sid + "/graph/search", "/projects/" + p.pid + "/graph/search"} {
				body := s.ok(t, nethttp.StatusOK, "POST", path, tc.query)
				var got []string
				for _, v := range body["results"].([]any) {
					got = append(got, v.(map[string]any)["id"].(string))
				}
				assert.Equal(t, tc.want, got, path)
				assert.Equal(t, int64(len(tc.want)), seqOf(t, body["total"]))
			}
		})
	}

	body := s.ok(t, nethttp.StatusOK, "POST", "/sessions/"+p.sid+"/graph/search", map[string]any{"query": "brake"})
	hit := body["results"].([]any)[0].(map[string]any)
	assert.Equal(t, []any{"Camaro", "Bodywork", "Rust repair", "Replace brake lines"}, hit["path"])

	// A property criterion: the task's status defaults to its first option.
	status := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+p.sid+"/graph/nodes/"+brakes, nil)["properties"].(map[string]any)["status"]
	body = s.ok(t, nethttp.StatusOK, "POST", "/sessions/"+p.sid+"/graph/search",
		map[string]any{"blueprint_type_id": "task", "properties": map[string]any{"status": status}})
	assert.Equal(t, int64(2), seqOf(t, body["total"]))

	requireError(t, s.do(t, "POST", "/sessions/"+p.sid+"/graph/search", `{"qurey":"x"}`), nethttp.StatusBadRequest, "INVALID_REQUEST")
	requireError(t, s.do(t, "POST", "/sessions/"+p.sid+"/graph/search", `{"query":`), nethttp.StatusBadRequest, "INVALID_REQUEST")
}

func TestGraphErrors(t *testing.T) {
	s := startServer(t)
	empty := s.ok(t, nethttp.StatusCreated, "POST", "/sessions", nil)["session_id"].(string)

	requireError(t, s.do(t, "GET", "/graph", nil), nethttp.StatusBadRequest, "INVALID_REQUEST")
	for _, path := range []string{"/sessions/no-such-session/graph/tree", "/graph?session_id=no-such-session",
		"/sessions/no-such-session/graph/nodes/x"} {
		requireError(t, s.do(t, "GET", path, nil), nethttp.StatusNotFound, "INVALID_SESSION")
	}
	requireError(t, s.do(t, "POST", "/sessions/no-such-session/graph/search", "{}"), nethttp.StatusNotFound, "INVALID_SESSION")

	requireError(t, s.do(t, "GET", "/sessions/"+empty+"/graph/tree", nil), nethttp.StatusConflict, "NO_PROJECT")
	requireError(t, s.do(t, "GET", "/graph?session_id="+empty, nil), nethttp.StatusConflict, "NO_PROJECT")
}

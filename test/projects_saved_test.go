package test

import (
	"encoding/json"
	"mime"
	nethttp "net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// camaro opens a restomod project with a few levels and typed properties.
func (s *server) camaro(tb testing.TB) (project, map[string]string) {
	tb.Helper()
	p := s.newProject(tb, "1969 Camaro")
	ids := map[string]string{"root": p.root}
	ids["phase"] = s.createNode(tb, p.sid, p.root, "phase", "Bodywork")
	ids["job"] = s.createNode(tb, p.sid, ids["phase"], "job", "Rust repair")
	ids["task"] = s.createNode(tb, p.sid, ids["job"], "task", "Cut out floor pans")
	ids["part"] = s.createNode(tb, p.sid, ids["task"], "part", "Floor pan")
	ids["engine"] = s.createNode(tb, p.sid, p.root, "phase", "Engine")
	s.execute(tb, p.sid, "UpdateProperty", map[string]any{"node_id": ids["task"], "property_id": "cost", "value": "1250.50"})
	s.execute(tb, p.sid, "UpdateProperty", map[string]any{"node_id": ids["task"], "property_id": "estimated_hours", "value": 12.5})
	s.execute(tb, p.sid, "UpdateProperty", map[string]any{"node_id": p.root, "property_id": "vehicle", "value": "Camaro SS"})
	return p, ids
}

// saveProject saves p from its session and returns the reply.
func (s *server) saveProject(tb testing.TB, p project) map[string]any {
	tb.Helper()
	return s.ok(tb, nethttp.StatusOK, "POST", "/projects/"+p.pid+"/save", map[string]any{"session_id": p.sid})
}

// closeSession closes a session, so that its project is only saved.
func (s *server) closeSession(tb testing.TB, sid string) {
	tb.Helper()
	require.Equal(tb, nethttp.StatusNoContent, s.do(tb, "DELETE", "/sessions/"+sid, nil).status)
}

// shape is a tree without node ids: names, types, properties and order.
func shape(tb testing.TB, roots []any) []any {
	tb.Helper()
	out := make([]any, 0, len(roots))
	for _, r := range roots {
		n := r.(map[string]any)
		out = append(out, map[string]any{
			"name":              n["name"],
			"blueprint_type_id": n["blueprint_type_id"],
			"properties":        n["properties"],
			"children":          shape(tb, n["children"].([]any)),
		})
	}
	return out
}

// ids lists every node id of a tree, parents first.
func ids(roots []any) []string {
	var out []string
	for _, r := range roots {
		n := r.(map[string]any)
		out = append(out, n["id"].(string))
		out = append(out, ids(n["children"].([]any))...)
	}
	return out
}

// sessionCount is GET /sessions' total.
func (s *server) sessionCount(tb testing.TB) int64 {
	tb.Helper()
	return seqOf(tb, s.ok(tb, nethttp.StatusOK, "GET", "/sessions", nil)["total"])
}

func TestSaveThenLoad(t *testing.T) {
	s := startDurable(t, "")
	p, nodes := s.camaro(t)
	live := s.tree(t, p.sid)

	saved := s.saveProject(t, p)
	assert.Equal(t, p.pid, saved["project_id"])
	savedAt, err := time.Parse(time.RFC3339, saved["saved_at"].(string))
	require.NoError(t, err, "saved_at is RFC 3339")
	assert.WithinDuration(t, time.Now(), savedAt, time.Hour, "saved_at is the time of saving, not a zero time")

	// While the session has it open, the project is the live state.
	got := s.ok(t, nethttp.StatusOK, "GET", "/projects/"+p.pid, nil)
	assert.Equal(t, true, got["open"])
	assert.Equal(t, seqOf(t, live["seq"])+1, seqOf(t, got["seq"]), "live, including the project:saved event")

	// Closed, it is the saved copy: same graph, in no session.
	s.closeSession(t, p.sid)
	got = s.ok(t, nethttp.StatusOK, "GET", "/projects/"+p.pid, nil)
	assert.Equal(t, p.pid, got["project_id"])
	assert.Equal(t, "restomod", got["template_id"])
	assert.Equal(t, "1969 Camaro", got["name"])
	assert.Equal(t, false, got["open"])
	assert.Equal(t, int64(0), seqOf(t, got["seq"]))
	assert.Equal(t, live["roots"], rootsOf(t, got["graph"]), "the saved copy is the graph as saved")
	assert.NotContains(t, got, "session_id")

	// The graph reads answer from the saved copy too.
	tree := s.ok(t, nethttp.StatusOK, "GET", "/projects/"+p.pid+"/graph/tree", nil)
	assert.Equal(t, live["roots"], tree["roots"])
	assert.Equal(t, int64(0), seqOf(t, tree["seq"]))
	node := s.ok(t, nethttp.StatusOK, "GET", "/projects/"+p.pid+"/graph/nodes/"+nodes["task"], nil)
	assert.Equal(t, "Cut out floor pans", node["name"])
	assert.Equal(t, nodes["job"], node["parent_id"])
	assert.Equal(t, "1250.50", node["properties"].(map[string]any)["cost"])
	requireError(t, s.do(t, "GET", "/projects/"+p.pid+"/graph/nodes/no-such-node", nil), nethttp.StatusNotFound, "NODE_NOT_FOUND")
	found := s.ok(t, nethttp.StatusOK, "POST", "/projects/"+p.pid+"/graph/search", map[string]any{"query": "floor"})
	require.Equal(t, int64(2), seqOf(t, found["total"]), "%v", found)
	first := found["results"].([]any)[0].(map[string]any)
	assert.Equal(t, nodes["task"], first["id"])
	assert.Equal(t, []any{"1969 Camaro", "Bodywork", "Rust repair", "Cut out floor pans"}, first["path"])
	requireError(t, s.do(t, "POST", "/projects/"+p.pid+"/graph/search", `{"qurey": "x"}`), nethttp.StatusBadRequest, "INVALID_REQUEST")

	// Load into a new session: same project id, same node ids, same graph,
	// and a fresh history.
	loaded := s.ok(t, nethttp.StatusOK, "POST", "/projects/"+p.pid+"/load", nil)
	sid := loaded["session_id"].(string)
	assert.NotEqual(t, p.sid, sid)
	assert.Equal(t, p.pid, loaded["project_id"])
	assert.Equal(t, "restomod", loaded["template_id"])
	assert.Equal(t, live["roots"], rootsOf(t, loaded["graph"]))
	assert.Equal(t, ids(live["roots"].([]any)), ids(rootsOf(t, loaded["graph"])))
	assert.Equal(t, live["roots"], s.tree(t, sid)["roots"])
	info := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+sid+"/info", nil)
	assert.Equal(t, p.pid, info["project_id"])
	assert.Equal(t, false, info["undo_available"], "a loaded project starts a new history")
	assert.Equal(t, seqOf(t, loaded["seq"]), seqOf(t, info["seq"]))

	// The loaded project is live again and works like any other.
	s.createNode(t, sid, nodes["engine"], "job", "Rebuild 350")
	got = s.ok(t, nethttp.StatusOK, "GET", "/projects/"+p.pid, nil)
	assert.Equal(t, true, got["open"])
	assert.Len(t, findNode(rootsOf(t, got["graph"]), nodes["engine"])["children"], 1)

	events := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+sid+"/events?after_seq=0", nil)["events"].([]any)
	require.NotEmpty(t, events)
	ev := events[0].(map[string]any)
	assert.Equal(t, "project:loaded", ev["event"])
	assert.Equal(t, p.pid, ev["project_id"])
	assert.Equal(t, live["roots"], rootsOf(t, ev["graph"]))
}

func TestLoadIntoExistingSession(t *testing.T) {
	s := startDurable(t, "")
	p, _ := s.camaro(t)
	s.saveProject(t, p)
	want := s.tree(t, p.sid)["roots"]

	// A session that holds another project: load replaces it.
	other := s.newProject(t, "Other")
	s.createNode(t, other.sid, other.root, "phase", "Gone after the load")
	loaded := s.ok(t, nethttp.StatusOK, "POST", "/projects/"+p.pid+"/load", map[string]any{"session_id": other.sid})
	assert.Equal(t, other.sid, loaded["session_id"])
	assert.Equal(t, p.pid, loaded["project_id"])
	tree := s.tree(t, other.sid)
	assert.Equal(t, want, tree["roots"])
	assert.Equal(t, seqOf(t, loaded["seq"]), seqOf(t, tree["seq"]))
	info := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+other.sid+"/info", nil)
	assert.Equal(t, false, info["undo_available"])
	requireError(t, s.do(t, "POST", "/sessions/"+other.sid+"/undo", nil), nethttp.StatusBadRequest, "NOTHING_TO_UNDO")

	// The X-Session-ID header names the session as well.
	empty := s.ok(t, nethttp.StatusCreated, "POST", "/sessions", nil)["session_id"].(string)
	s.ok(t, nethttp.StatusOK, "POST", "/projects/"+p.pid+"/load", nil, header("X-Session-ID: "+empty))
	assert.Equal(t, want, s.tree(t, empty)["roots"])
}

func TestProjectSavedEvent(t *testing.T) {
	s := startDurable(t, "")
	p := s.newProject(t, "Evented")
	seq := seqOf(t, s.tree(t, p.sid)["seq"])

	saved := s.saveProject(t, p)
	page := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+p.sid+"/events?after_seq="+strconv.FormatInt(seq, 10), nil)
	events := page["events"].([]any)
	require.Len(t, events, 1, "saving emits exactly one event")
	ev := events[0].(map[string]any)
	assert.Equal(t, "project:saved", ev["event"])
	assert.Equal(t, p.pid, ev["project_id"])
	assert.Equal(t, p.sid, ev["session_id"])
	assert.Equal(t, saved["saved_at"], ev["saved_at"], "the reply and the event carry the same time")
	assert.Equal(t, seq+1, seqOf(t, ev["seq"]))
}

func TestListSavedProjects(t *testing.T) {
	s := startDurable(t, "")
	assert.Equal(t, map[string]any{"projects": []any{}, "total": json.Number("0")},
		s.ok(t, nethttp.StatusOK, "GET", "/projects", nil), "nothing saved yet")

	big, _ := s.camaro(t)
	small := s.newProject(t, "Small")
	book := s.ok(t, nethttp.StatusCreated, "POST", "/projects",
		map[string]any{"template_id": "book", "project_name": "Novel"})
	novel := project{sid: book["session_id"].(string), pid: book["project_id"].(string)}
	unsaved := s.newProject(t, "Never saved")

	savedAt := map[string]string{}
	for _, p := range []project{big, small, novel, big} { // big is saved again, last
		savedAt[p.pid] = s.saveProject(t, p)["saved_at"].(string)
	}

	list := s.ok(t, nethttp.StatusOK, "GET", "/projects", nil)
	assert.Equal(t, int64(3), seqOf(t, list["total"]))
	rows := list["projects"].([]any)
	require.Len(t, rows, 3, "one row per project, however often it was saved")
	var got []string
	for _, r := range rows {
		row := r.(map[string]any)
		pid := row["project_id"].(string)
		got = append(got, pid)
		assert.NotEqual(t, unsaved.pid, pid)
		assert.Equal(t, savedAt[pid], row["updated_at"], "updated_at is the last save")
		switch pid {
		case big.pid:
			assert.Equal(t, "1969 Camaro", row["name"])
			assert.Equal(t, "restomod", row["template_id"])
			assert.Equal(t, int64(6), seqOf(t, row["node_count"]))
		case small.pid:
			assert.Equal(t, "Small", row["name"])
			assert.Equal(t, int64(1), seqOf(t, row["node_count"]))
		case novel.pid:
			assert.Equal(t, "Novel", row["name"])
			assert.Equal(t, "book", row["template_id"])
		}
	}
	// Newest first. Saves may share a millisecond, so the order expected is
	// computed from the times the saves reported (ties by id).
	want := []string{big.pid, small.pid, novel.pid}
	slices.SortStableFunc(want, func(a, b string) int {
		if c := strings.Compare(savedAt[b], savedAt[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	assert.Equal(t, want, got)
	assert.GreaterOrEqual(t, savedAt[big.pid], savedAt[novel.pid], "the project saved last is not older than the others")
}

func TestDeleteSavedProject(t *testing.T) {
	s := startDurable(t, "")
	p, _ := s.camaro(t)
	keep := s.newProject(t, "Keep")
	s.saveProject(t, p)
	s.saveProject(t, keep)

	// Deleting the saved copy leaves the open project alone.
	require.Equal(t, nethttp.StatusNoContent, s.do(t, "DELETE", "/projects/"+p.pid, nil).status)
	got := s.ok(t, nethttp.StatusOK, "GET", "/projects/"+p.pid, nil)
	assert.Equal(t, true, got["open"], "the session still has it")

	s.closeSession(t, p.sid)
	for _, r := range []reply{
		s.do(t, "GET", "/projects/"+p.pid, nil),
		s.do(t, "GET", "/projects/"+p.pid+"/graph/tree", nil),
		s.do(t, "GET", "/projects/"+p.pid+"/graph/nodes/"+p.root, nil),
		s.do(t, "POST", "/projects/"+p.pid+"/graph/search", "{}"),
		s.do(t, "GET", "/projects/"+p.pid+"/export", nil),
		s.do(t, "POST", "/projects/"+p.pid+"/load", nil),
		s.do(t, "DELETE", "/projects/"+p.pid, nil),
	} {
		requireError(t, r, nethttp.StatusNotFound, "PROJECT_NOT_FOUND")
	}
	list := s.ok(t, nethttp.StatusOK, "GET", "/projects", nil)["projects"].([]any)
	require.Len(t, list, 1)
	assert.Equal(t, keep.pid, list[0].(map[string]any)["project_id"])
}

func TestSaveAndLoadErrors(t *testing.T) {
	s := startDurable(t, "")
	p := s.newProject(t, "Mine")
	other := s.newProject(t, "Other")
	s.saveProject(t, other)
	empty := s.ok(t, nethttp.StatusCreated, "POST", "/sessions", nil)["session_id"].(string)

	tests := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"save: session has no project", "POST", "/projects/" + p.pid + "/save", map[string]any{"session_id": empty}, 409, "NO_PROJECT"},
		{"save: unknown session", "POST", "/projects/" + p.pid + "/save", map[string]any{"session_id": "no-such-session"}, 404, "INVALID_SESSION"},
		{"save: session holds another project", "POST", "/projects/" + p.pid + "/save", map[string]any{"session_id": other.sid}, 404, "PROJECT_NOT_FOUND"},
		{"save: no session id", "POST", "/projects/" + p.pid + "/save", nil, 400, "INVALID_REQUEST"},
		{"save: misspelt field", "POST", "/projects/" + p.pid + "/save", map[string]any{"sesion_id": p.sid}, 400, "INVALID_REQUEST"},
		{"save: not JSON", "POST", "/projects/" + p.pid + "/save", "session_id=x", 400, "INVALID_REQUEST"},
		{"save: ill-typed", "POST", "/projects/" + p.pid + "/save", map[string]any{"session_id": 7}, 400, "INVALID_REQUEST"},
		{"load: never saved", "POST", "/projects/" + p.pid + "/load", nil, 404, "PROJECT_NOT_FOUND"},
		{"load: unknown project", "POST", "/projects/no-such-project/load", nil, 404, "PROJECT_NOT_FOUND"},
		{"load: unknown session", "POST", "/projects/" + other.pid + "/load", map[string]any{"session_id": "no-such-session"}, 404, "INVALID_SESSION"},
		{"load: misspelt field", "POST", "/projects/" + other.pid + "/load", map[string]any{"session": empty}, 400, "INVALID_REQUEST"},
		{"delete: never saved", "DELETE", "/projects/" + p.pid, nil, 404, "PROJECT_NOT_FOUND"},
		{"export: unknown", "GET", "/projects/no-such-project/export", nil, 404, "PROJECT_NOT_FOUND"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireError(t, s.do(t, tc.method, tc.path, tc.body), tc.status, tc.code)
		})
	}
	requireError(t, s.do(t, "POST", "/projects/"+p.pid+"/save", map[string]any{"session_id": p.sid}, header("X-Session-ID: "+other.sid)),
		nethttp.StatusBadRequest, "INVALID_REQUEST")

	// Nothing above saved anything or made a session.
	list := s.ok(t, nethttp.StatusOK, "GET", "/projects", nil)["projects"].([]any)
	require.Len(t, list, 1)
	assert.Equal(t, other.pid, list[0].(map[string]any)["project_id"])
	assert.Equal(t, int64(3), s.sessionCount(t))
	assert.Equal(t, false, s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+empty+"/info", nil)["has_project"])

	// The header is enough to save.
	s.ok(t, nethttp.StatusOK, "POST", "/projects/"+p.pid+"/save", nil, header("X-Session-ID: "+p.sid))
}

func TestExportThenImport(t *testing.T) {
	s := startDurable(t, "")
	p, nodes := s.camaro(t)
	live := s.tree(t, p.sid)

	// Export works on the live project, unsaved.
	r := s.do(t, "GET", "/projects/"+p.pid+"/export", nil)
	require.Equal(t, nethttp.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	kind, params, err := mime.ParseMediaType(r.header.Get("Content-Disposition"))
	require.NoError(t, err)
	assert.Equal(t, "attachment", kind)
	assert.Equal(t, "1969 Camaro.json", params["filename"])

	var file struct {
		Version    string                    `json:"version"`
		Templates  []string                  `json:"templates"`
		Nodes      map[string]map[string]any `json:"nodes"`
		Name       string                    `json:"name"`
		TemplateID string                    `json:"template_id"`
		ProjectID  string                    `json:"project_id"`
	}
	require.NoError(t, json.Unmarshal(r.body, &file))
	assert.Equal(t, "1.0", file.Version)
	assert.Equal(t, []string{"restomod.yaml"}, file.Templates, "the prototype reads the template from here")
	assert.Equal(t, p.pid, file.ProjectID)
	assert.Len(t, file.Nodes, 6)
	task := file.Nodes[nodes["task"]]
	require.NotNil(t, task)
	assert.Equal(t, "task", task["type"])
	assert.Equal(t, nodes["job"], task["parent_id"])
	assert.Equal(t, []any{nodes["part"]}, task["children"])

	// Import makes a new project in a new session with the same tree.
	before := s.sessionCount(t)
	imported := s.ok(t, nethttp.StatusCreated, "POST", "/projects/import", r.body)
	assert.NotEqual(t, p.pid, imported["project_id"], "an import is a new project")
	assert.NotEqual(t, p.sid, imported["session_id"])
	assert.Equal(t, "restomod", imported["template_id"])
	assert.Equal(t, before+1, s.sessionCount(t))
	assert.Equal(t, shape(t, live["roots"].([]any)), shape(t, rootsOf(t, imported["graph"])))
	sid := imported["session_id"].(string)
	assert.Equal(t, shape(t, live["roots"].([]any)), shape(t, rootsOf(t, s.tree(t, sid))))
	got := s.ok(t, nethttp.StatusOK, "GET", "/projects/"+imported["project_id"].(string), nil)
	assert.Equal(t, "1969 Camaro", got["name"])

	// The original is untouched, and the export after saving is the same file.
	assert.Equal(t, live, s.tree(t, p.sid))
	s.saveProject(t, p)
	s.closeSession(t, p.sid)
	again := s.do(t, "GET", "/projects/"+p.pid+"/export", nil)
	require.Equal(t, nethttp.StatusOK, again.status)
	assert.JSONEq(t, string(r.body), string(again.body), "the saved copy exports as the live state did")

	// The envelope form imports into a named session.
	target := s.ok(t, nethttp.StatusCreated, "POST", "/sessions", nil)["session_id"].(string)
	wrapped := s.ok(t, nethttp.StatusCreated, "POST", "/projects/import",
		map[string]any{"session_id": target, "file": json.RawMessage(r.body)})
	assert.Equal(t, target, wrapped["session_id"])
	assert.Equal(t, shape(t, live["roots"].([]any)), shape(t, rootsOf(t, s.tree(t, target))))

	// So does the bare file with ?session_id=.
	target2 := s.ok(t, nethttp.StatusCreated, "POST", "/sessions", nil)["session_id"].(string)
	byQuery := s.ok(t, nethttp.StatusCreated, "POST", "/projects/import?session_id="+target2, r.body)
	assert.Equal(t, target2, byQuery["session_id"])
	assert.NotEqual(t, wrapped["project_id"], byQuery["project_id"])
}

func TestExportFileName(t *testing.T) {
	s := startDurable(t, "")
	tests := []struct{ project, want string }{
		{"1969 Camaro", "1969 Camaro.json"},
		{"../../etc/passwd", "_.._etc_passwd.json"},
		{"Käfer 1302", "Käfer 1302.json"},
		{"a\"b\r\nc", "a_b__c.json"},
	}
	for _, tc := range tests {
		t.Run(tc.project, func(t *testing.T) {
			p := s.newProject(t, tc.project)
			r := s.do(t, "GET", "/projects/"+p.pid+"/export", nil)
			require.Equal(t, nethttp.StatusOK, r.status)
			_, params, err := mime.ParseMediaType(r.header.Get("Content-Disposition"))
			require.NoError(t, err)
			assert.Equal(t, tc.want, params["filename"])
		})
	}
}

// readTestdata reads test/testdata/name.
func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(tb, err)
	return b
}

// optionID is the id of a select option, by name, from the schema.
func (s *server) optionID(tb testing.TB, template, nodeType, property, name string) string {
	tb.Helper()
	schema := s.ok(tb, nethttp.StatusOK, "GET", "/templates/"+template+"/schema", nil)
	for _, nt := range schema["node_types"].([]any) {
		if nt.(map[string]any)["id"] != nodeType {
			continue
		}
		for _, p := range nt.(map[string]any)["properties"].([]any) {
			if p.(map[string]any)["id"] != property {
				continue
			}
			for _, o := range p.(map[string]any)["options"].([]any) {
				if o.(map[string]any)["name"] == name {
					return o.(map[string]any)["id"].(string)
				}
			}
		}
	}
	tb.Fatalf("no option %q for %s.%s in %s", name, nodeType, property, template)
	return ""
}

func TestImportPrototypeFiles(t *testing.T) {
	s := startDurable(t, "")

	t.Run("minimal, optional fields missing", func(t *testing.T) {
		res := s.ok(t, nethttp.StatusCreated, "POST", "/projects/import", readTestdata(t, "prototype_minimal.json"))
		assert.Equal(t, "restomod", res["template_id"], "the template comes from templates[0]")
		roots := rootsOf(t, res["graph"])
		require.Len(t, roots, 1)
		root := roots[0].(map[string]any)
		assert.Equal(t, "root", root["id"])
		assert.Equal(t, "Barn find", root["name"])
		kids := root["children"].([]any)
		require.Len(t, kids, 1)
		phase := kids[0].(map[string]any)
		assert.Equal(t, "p1", phase["id"])
		assert.Equal(t, "phase", phase["blueprint_type_id"])
		assert.NotEmpty(t, phase["name"], "a node without a name is named after its type")
		got := s.ok(t, nethttp.StatusOK, "GET", "/projects/"+res["project_id"].(string), nil)
		assert.Equal(t, "Barn find", got["name"], "a file without a name is named after its root")
	})

	t.Run("short non-UUID ids", func(t *testing.T) {
		res := s.ok(t, nethttp.StatusCreated, "POST", "/projects/import", readTestdata(t, "prototype_short_ids.json"))
		roots := rootsOf(t, res["graph"])
		require.Len(t, roots, 2, "a parentless part is a second root")
		assert.Equal(t, "n5", roots[0].(map[string]any)["id"], "roots in created_at order")
		assert.Equal(t, []string{"n5", "n1", "n2", "n4", "n3"}, ids(roots), "children keep the file's order")
		sid := res["session_id"].(string)
		n4 := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+sid+"/graph/nodes/n4", nil)
		assert.Equal(t, "n2", n4["parent_id"])
		assert.Equal(t, "Holley 600", n4["properties"].(map[string]any)["description"])
		// The imported graph takes commands and undo like any other.
		task := s.createNode(t, sid, "n4", "task", "Jets")
		assert.NotContains(t, []string{"n1", "n2", "n3", "n4", "n5"}, task)
		s.execute(t, sid, "MoveNode", map[string]any{"node_id": "n4", "new_parent_id": "n3"})
		assert.Equal(t, "n3", s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+sid+"/graph/nodes/n4", nil)["parent_id"])
		s.ok(t, nethttp.StatusOK, "POST", "/sessions/"+sid+"/undo", nil)
		assert.Equal(t, "n2", s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+sid+"/graph/nodes/n4", nil)["parent_id"])
	})

	t.Run("restomod with phases, jobs, tasks and select values", func(t *testing.T) {
		res := s.ok(t, nethttp.StatusCreated, "POST", "/projects/import", readTestdata(t, "prototype_restomod.json"))
		roots := rootsOf(t, res["graph"])
		require.Len(t, roots, 1)
		const id = "7d0c6f7e-1c1a-4d55-9c1e-2f6a8f0e000"
		props := func(n string) map[string]any {
			node := findNode(roots, id+n)
			require.NotNil(t, node, "node %s", n)
			return node["properties"].(map[string]any)
		}
		assert.Equal(t, "Chevelle SS", props("1")["vehicle"])
		assert.Equal(t, "45000", props("1")["budget"], "currency is kept as a decimal string")
		assert.Equal(t, s.optionID(t, "restomod", "phase", "status", "Completed"), props("2")["status"], "select names become option ids")
		assert.Equal(t, "2025-10-02", props("2")["start_date"])
		assert.Equal(t, s.optionID(t, "restomod", "phase", "status", "In Progress"), props("3")["status"])
		assert.Equal(t, s.optionID(t, "restomod", "job", "priority", "Critical"), props("5")["priority"])
		assert.Equal(t, s.optionID(t, "restomod", "task", "status", "Blocked"), props("6")["status"])
		assert.Equal(t, "1250.50", props("6")["cost"])
		assert.Equal(t, json.Number("12.5"), props("6")["estimated_hours"])
		assert.NotContains(t, props("6"), "notes", "a null property is one never set")
		assert.Equal(t, s.optionID(t, "restomod", "part", "status", "Ordered"), props("7")["status"])
		assert.Equal(t, "389.99", props("7")["cost"])
		assert.Equal(t, json.Number("2"), props("7")["quantity"])
		names := []string{}
		for _, n := range ids(roots) {
			names = append(names, findNode(roots, n)["name"].(string))
		}
		assert.Equal(t, []string{"1967 Chevelle", "Teardown", "Strip interior", "Bodywork", "Rust repair",
			"Replace floor pans", "Floor pan, full length"}, names)

		// Saved and loaded again, it is the same graph.
		p := project{sid: res["session_id"].(string), pid: res["project_id"].(string)}
		s.saveProject(t, p)
		s.closeSession(t, p.sid)
		loaded := s.ok(t, nethttp.StatusOK, "POST", "/projects/"+p.pid+"/load", nil)
		assert.Equal(t, roots, rootsOf(t, loaded["graph"]))
	})
}

func TestImportRejectsBadFiles(t *testing.T) {
	s := startDurable(t, "", func(o *serverOptions) { o.http.MaxBodyBytes = 64 << 10 })
	kept := s.newProject(t, "Kept")
	s.saveProject(t, kept)
	listBefore := s.ok(t, nethttp.StatusOK, "GET", "/projects", nil)
	sessionsBefore := s.sessionCount(t)

	huge := `{"templates":["restomod.yaml"],"nodes":{"r":{"type":"project_root","name":"` + strings.Repeat("x", 65<<10) + `"}}}`
	tests := []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		// The built-in templates have no recursive types, so a cycle always
		// breaks a child-type rule too; which check names it is the model's
		// business, refusing it is ours.
		{"cycle", readTestdata(t, "hostile_cycle.json"), 400, "INVALID_REQUEST", ""},
		{"dangling child", readTestdata(t, "hostile_dangling_child.json"), 400, "INVALID_REQUEST", `nodes["r"].children[0]`},
		{"unknown type", readTestdata(t, "hostile_unknown_type.json"), 400, "INVALID_REQUEST", `nodes["x"].type`},
		{"unknown template", `{"templates":["spaceship.yaml"],"nodes":{"r":{"type":"project_root"}}}`, 400, "INVALID_REQUEST", "template_id"},
		{"no nodes", `{"version":"1.0","templates":["restomod.yaml"],"nodes":{}}`, 400, "INVALID_REQUEST", "nodes"},
		{"bad select value", `{"templates":["restomod.yaml"],"nodes":{"r":{"type":"project_root","children":["p"]},"p":{"type":"phase","parent_id":"r","properties":{"status":"Sideways"}}}}`, 400, "INVALID_REQUEST", `nodes["p"].properties.status`},
		{"not JSON", "version: 1.0", 400, "INVALID_REQUEST", ""},
		{"truncated JSON", `{"templates":["restomod.yaml"],"nodes":{`, 400, "INVALID_REQUEST", ""},
		{"JSON array", `[1, 2]`, 400, "INVALID_REQUEST", ""},
		{"null", `null`, 400, "INVALID_REQUEST", ""},
		{"empty body", "", 400, "INVALID_REQUEST", ""},
		{"envelope without a file object", `{"file": "restomod.json"}`, 400, "INVALID_REQUEST", "file"},
		{"envelope with unknown field", `{"file": {}, "sesion_id": "x"}`, 400, "INVALID_REQUEST", ""},
		{"huge body", huge, 413, "PAYLOAD_TOO_LARGE", ""},
		{"huge body, chunked", strings.NewReader(huge), 413, "PAYLOAD_TOO_LARGE", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := requireError(t, s.do(t, "POST", "/projects/import", tc.body), tc.status, tc.code)
			if tc.field != "" {
				require.NotNil(t, e["details"], "%v", e)
				assert.Equal(t, tc.field, e["details"].(map[string]any)["field"], "%v", e)
			}
		})
	}
	// A bad file into a named session leaves that session as it was.
	requireError(t, s.do(t, "POST", "/projects/import?session_id="+kept.sid, readTestdata(t, "hostile_cycle.json")),
		nethttp.StatusBadRequest, "INVALID_REQUEST")
	assert.Equal(t, kept.pid, s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+kept.sid+"/info", nil)["project_id"])
	requireError(t, s.do(t, "POST", "/projects/import?session_id=no-such-session", readTestdata(t, "prototype_minimal.json")),
		nethttp.StatusNotFound, "INVALID_SESSION")

	assert.Equal(t, listBefore, s.ok(t, nethttp.StatusOK, "GET", "/projects", nil), "no refused file is listed")
	assert.Equal(t, sessionsBefore, s.sessionCount(t), "no refused file leaves a session behind")
}

// TestSavedProjectsWithoutStore: a server without a data directory keeps
// nothing, and says so rather than pretending to save.
func TestSavedProjectsWithoutStore(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Ephemeral")
	requireError(t, s.do(t, "POST", "/projects/"+p.pid+"/save", map[string]any{"session_id": p.sid}),
		nethttp.StatusServiceUnavailable, "UNAVAILABLE")
	assert.Equal(t, []any{}, s.ok(t, nethttp.StatusOK, "GET", "/projects", nil)["projects"])
	requireError(t, s.do(t, "POST", "/projects/"+p.pid+"/load", nil), nethttp.StatusNotFound, "PROJECT_NOT_FOUND")
	// Export and import need no store.
	r := s.do(t, "GET", "/projects/"+p.pid+"/export", nil)
	require.Equal(t, nethttp.StatusOK, r.status)
	s.ok(t, nethttp.StatusCreated, "POST", "/projects/import", r.body)
}

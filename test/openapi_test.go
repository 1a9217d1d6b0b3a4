package test

import (
	"encoding/json"
	nethttp "net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/talus-tally/server/actors/store"
	talushttp "github.com/talus-tally/server/http"
	"github.com/talus-tally/server/model/wire"
)

// TestOpenAPIServedAndComplete checks that the document is served as YAML
// and as the same JSON, is OpenAPI 3.1, names every route the server has
// with every method and nothing more, and lists every error code.
func TestOpenAPIServedAndComplete(t *testing.T) {
	s := startServer(t)
	r := s.do(t, "GET", "/openapi.yaml", nil)
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Equal(t, "application/yaml", r.header.Get("Content-Type"))
	assert.Equal(t, talushttp.OpenAPI(), r.body)

	var fromYAML map[string]any
	require.NoError(t, yaml.Unmarshal(r.body, &fromYAML))
	j := s.do(t, "GET", "/openapi.json", nil)
	require.Equal(t, nethttp.StatusOK, j.status)
	assert.Equal(t, "application/json", j.header.Get("Content-Type"))
	var fromJSON map[string]any
	require.NoError(t, json.Unmarshal(j.body, &fromJSON))
	yamlAsJSON, err := json.Marshal(fromYAML)
	require.NoError(t, err)
	assert.JSONEq(t, string(yamlAsJSON), string(j.body), "the JSON document is the YAML one")

	var doc struct {
		OpenAPI    string                    `yaml:"openapi"`
		Paths      map[string]map[string]any `yaml:"paths"`
		Components struct {
			Schemas struct {
				Error struct {
					Properties struct {
						Error struct {
							Properties struct {
								Code struct {
									Enum []string `yaml:"enum"`
								} `yaml:"code"`
							} `yaml:"properties"`
						} `yaml:"error"`
					} `yaml:"properties"`
				} `yaml:"Error"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	require.NoError(t, yaml.Unmarshal(r.body, &doc))
	assert.Equal(t, "3.1.0", doc.OpenAPI)
	assert.ElementsMatch(t, wire.Codes(), doc.Components.Schemas.Error.Properties.Error.Properties.Code.Enum,
		"the Error schema lists every code the server answers with")

	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item {
			if method != "parameters" {
				documented[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	assert.Equal(t, servedRoutes(t), documented)
}

// servedRoutes lists the API routes of the router as the document names
// them: "METHOD /path/{param}".
func servedRoutes(tb testing.TB) map[string]bool {
	tb.Helper()
	served := map[string]bool{}
	srv := talushttp.New(talushttp.Config{}, nil, nil, nil)
	err := chi.Walk(srv.Routes(), func(method, route string, _ nethttp.Handler, _ ...func(nethttp.Handler) nethttp.Handler) error {
		// The document describes the API. The web client's page and assets
		// (GET / and GET /assets/{name}) are not API routes: they answer
		// HTML and files, and TestWebClientServed covers them.
		if !strings.HasPrefix(route, "/api/v1/") {
			return nil
		}
		served[method+" "+docPath(route)] = true
		return nil
	})
	require.NoError(tb, err)
	return served
}

// docPath turns a router pattern or a concrete /api/v1 path template into
// the document's path: no prefix, no trailing slash, its parameter names.
func docPath(route string) string {
	route = strings.TrimPrefix(route, "/api/v1")
	route = strings.TrimSuffix(route, "/")
	for _, p := range [][2]string{{"{sessionID}", "{session_id}"}, {"{projectID}", "{project_id}"},
		{"{nodeID}", "{node_id}"}, {"{templateID}", "{template_id}"}} {
		route = strings.ReplaceAll(route, p[0], p[1])
	}
	return route
}

// sample is one real answer, for the validator to hold against the document.
type sample struct {
	Method string          `json:"method"`
	Path   string          `json:"path"` // as the document names it
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"` // null when the answer has none
}

// TestOpenAPIValid holds the document against real validators from the npm
// registry (test/js/openapi.js): it is valid OpenAPI 3.1, each example is
// valid against its schema, and each answer a real server gave to a walk
// through every route — successes and the usual refusals — is documented
// for its status and valid against the documented schema.
func TestOpenAPIValid(t *testing.T) {
	dir := jsDir(t)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@seriousme", "openapi-schema-validator")); err != nil {
		t.Fatalf("the OpenAPI validator is not installed: run make test, or npm ci --prefix test/js (%v)", err)
	}
	var st *store.Store
	s := startServer(t, withStore(t, t.TempDir(), &st))

	var samples []sample
	covered := map[string]bool{}
	call := func(method, tmpl string, args []any, body any, want int, headers ...header) map[string]any {
		t.Helper()
		path := tmpl
		for _, a := range args {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			require.True(t, i >= 0 && j > i, "%s: more args than parameters", tmpl)
			path = path[:i] + a.(string) + path[j+1:]
		}
		r := s.do(t, method, path, body, headers...)
		require.Equal(t, want, r.status, "%s %s: %s", method, path, r.body)
		smp := sample{Method: method, Path: docPath(strings.SplitN(tmpl, "?", 2)[0]), Status: r.status, Body: json.RawMessage("null")}
		if len(r.body) > 0 && r.header.Get("Content-Type") == "application/json" {
			smp.Body = r.body
		}
		samples = append(samples, smp)
		covered[method+" "+smp.Path] = true
		if r.status >= 300 || len(r.body) == 0 || r.header.Get("Content-Type") != "application/json" {
			return nil
		}
		return r.JSON(t)
	}
	id := func(v any) []any { return []any{v} }

	call("GET", "/health", nil, nil, 200)
	call("GET", "/openapi.yaml", nil, nil, 200)
	call("GET", "/openapi.json", nil, nil, 200)
	call("GET", "/templates", nil, nil, 200)
	call("GET", "/templates/{templateID}/schema", id("restomod"), nil, 200)
	call("GET", "/templates/{templateID}/schema", id("nope"), nil, 404)

	sid := call("POST", "/sessions", nil, nil, 201)["session_id"].(string)
	call("GET", "/sessions", nil, nil, 200)
	call("GET", "/sessions/{sessionID}/info", id(sid), nil, 200)
	call("POST", "/sessions/{sessionID}/undo", id(sid), nil, 409)
	created := call("POST", "/projects", nil, map[string]any{"template_id": "restomod", "project_name": "Camaro", "session_id": sid}, 201)
	pid := created["project_id"].(string)
	root := rootsOf(t, created["graph"])[0].(map[string]any)["id"].(string)
	call("GET", "/sessions/{sessionID}/info", id(sid), nil, 200)
	call("POST", "/projects", nil, map[string]any{"template_id": "nope", "project_name": "x"}, 404)

	run := func(commandType string, data map[string]any, want int) map[string]any {
		return call("POST", "/commands/execute", nil, map[string]any{"session_id": sid, "command_type": commandType, "data": data}, want)
	}
	phase := run("CreateNode", map[string]any{"parent_id": root, "blueprint_type_id": "phase", "name": "Body"}, 200)["node_id"].(string)
	run("UpdateProperty", map[string]any{"node_id": phase, "property_id": "start_date", "value": "2026-12-06"}, 200)
	run("UpdateProperty", map[string]any{"node_id": phase, "property_id": "start_date", "value": "2026-13"}, 400)
	run("RenameNode", map[string]any{"node_id": "missing", "name": "x"}, 404)
	call("POST", "/commands/execute", nil, map[string]any{"session_id": sid, "command_type": "RenameNode", "data": map[string]any{"node_id": phase, "name": "Paint"}, "include_graph": false}, 200)
	call("POST", "/sessions/{sessionID}/undo", id(sid), nil, 200)
	call("POST", "/sessions/{sessionID}/redo", id(sid), nil, 200)
	call("POST", "/sessions/{sessionID}/redo", id(sid), nil, 400)

	call("GET", "/sessions/{sessionID}/events?after_seq=0", id(sid), nil, 200)
	call("GET", "/sessions/{sessionID}/events?after_seq=0&limit=2", id(sid), nil, 200)
	call("GET", "/sessions/{sessionID}/events?after_seq=99999", id(sid), nil, 410)
	call("GET", "/sessions/{sessionID}/graph/tree", id(sid), nil, 200)
	call("GET", "/sessions/{sessionID}/graph", id(sid), nil, 200)
	call("GET", "/graph?session_id="+sid, nil, nil, 200)
	call("GET", "/sessions/{sessionID}/graph/nodes/{nodeID}", []any{sid, phase}, nil, 200)
	call("GET", "/sessions/{sessionID}/graph/nodes/{nodeID}", []any{sid, "missing"}, nil, 404)
	call("POST", "/sessions/{sessionID}/graph/search", id(sid), map[string]any{"query": "pa"}, 200)
	call("GET", "/sessions/{sessionID}/dirty", id(sid), nil, 200)
	call("POST", "/sessions/{sessionID}/reset-dirty", id(sid), nil, 200)
	call("POST", "/sessions/{sessionID}/save", id(sid), nil, 200)

	call("POST", "/projects/{projectID}/save", id(pid), map[string]any{"session_id": sid}, 200)
	call("GET", "/projects", nil, nil, 200)
	call("GET", "/projects/{projectID}", id(pid), nil, 200)
	call("GET", "/projects/{projectID}/graph/tree", id(pid), nil, 200)
	call("GET", "/projects/{projectID}/graph/nodes/{nodeID}", []any{pid, root}, nil, 200)
	call("POST", "/projects/{projectID}/graph/search", id(pid), map[string]any{"blueprint_type_id": "phase"}, 200)
	file := s.do(t, "GET", "/projects/"+pid+"/export", nil)
	call("GET", "/projects/{projectID}/export", id(pid), nil, 200)
	call("POST", "/projects/import", nil, json.RawMessage(file.body), 201)
	call("POST", "/projects/import", nil, map[string]any{"file": map[string]any{"nodes": map[string]any{"a": map[string]any{"type": "nope"}}}}, 400)
	call("POST", "/projects/{projectID}/load", id(pid), map[string]any{}, 200)
	call("POST", "/sessions/{sessionID}/load-graph", id(sid), map[string]any{"graph": map[string]any{
		"template_id": "restomod",
		"nodes": []any{
			map[string]any{"id": "car", "type": "project_root", "name": "Camaro"},
			map[string]any{"id": "body", "type": "phase", "name": "Body", "parent_id": "car"},
		},
	}}, 200)
	call("POST", "/sessions/{sessionID}/undo", id(sid), "{}", 415, "Content-Type: text/plain")
	call("POST", "/sessions/{sessionID}/undo", id(sid), nil, 403, "Origin: https://evil.example")
	call("DELETE", "/projects/{projectID}", id(pid), nil, 204)
	call("GET", "/projects/{projectID}", id(pid+"-gone"), nil, 404)
	call("POST", "/sessions/cleanup", nil, map[string]any{"max_inactive_hours": 24}, 200)
	call("DELETE", "/sessions/{sessionID}", id(sid), nil, 204)
	call("GET", "/sessions/{sessionID}/info", id(sid), nil, 404)

	for route := range servedRoutes(t) {
		assert.True(t, covered[route], "the walk calls %s: each route's real answer is checked", route)
	}

	out := filepath.Join(t.TempDir(), "samples.json")
	data, err := json.Marshal(samples)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(out, data, 0o600))
	cmd := exec.Command("node", filepath.Join(dir, "openapi.js"), s.base+"/openapi.json", out)
	cmd.Dir = dir
	res, err := cmd.CombinedOutput()
	require.NoError(t, err, "the validator found problems:\n%s", res)
	t.Logf("%s", res)
}

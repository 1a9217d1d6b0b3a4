package test

import (
	"encoding/json"
	"fmt"
	"net"
	nethttp "net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/ws"
)

// prototypePage stands in for the prototype's React frontend as a vite dev
// server serves it: a page on another origin (http://127.0.0.1:<its own
// port>) that calls our API the way its api/client.ts does — JSON bodies,
// so every POST is preflighted — and, like its later versions, watches the
// session over Socket.IO by polling on /graph with join_session, using the
// real socket.io-client bundle. %s is a JSON object {target}.
const prototypePage = `<!doctype html>
<html><head><meta charset="utf-8"><title>Prototype frontend</title>
<script src="/socket.io.min.js"></script></head>
<body><h1>Prototype frontend</h1><pre id="log"></pre>
<script>
const cfg = %s;
const API = cfg.target + "/api/v1";
// call answers {status, data} or {error} when the browser refused the
// request (CORS): the prototype's client sends JSON with every request.
window.call = async (method, path, body) => {
  try {
    const res = await fetch(API + path, {
      method,
      headers: { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await res.json(); } catch (e) {}
    return { status: res.status, data };
  } catch (e) {
    return { error: String(e) };
  }
};
window.events = [];
window.watch = (sid) => new Promise((resolve, reject) => {
  const socket = io(cfg.target + "/graph", { transports: ["polling"], upgrade: false });
  for (const name of ["node-created", "node-deleted", "property-changed", "node-updated"]) {
    socket.on(name, (data) => window.events.push({ name, data }));
  }
  socket.on("connect", () => socket.emit("join_session", { session_id: sid }));
  socket.on("joined", (j) => resolve(j));
  socket.on("connect_error", (e) => reject(String(e)));
});
window.waitEvent = (name) => new Promise((resolve) => {
  const tick = () => {
    const ev = window.events.find((e) => e.name === name);
    if (ev) resolve(ev.data); else setTimeout(tick, 20);
  };
  tick();
});
</script></body></html>`

// protoReply is what the page's call() answers.
type protoReply struct {
	Status int            `json:"status"`
	Data   map[string]any `json:"data"`
	Error  string         `json:"error"`
}

// TestBrowserPrototypeFlow runs the prototype frontend's core flow from a
// page on another localhost origin (as vite serves it, port 5173 there) in
// Chromium: the CORS preflights pass, error answers are readable, 4xx
// replies keep the graph, the compatibility routes answer in the shapes
// the frontend reads, and with -event-names legacy its socket gets the
// prototype's events with their field names.
func TestBrowserPrototypeFlow(t *testing.T) {
	s := startDurable(t, "", func(o *serverOptions) { o.ws.EventNames = ws.NamesLegacy }).server

	bundle, err := os.ReadFile(filepath.Join(jsDir(t), "node_modules", "socket.io-client", "dist", "socket.io.min.js"))
	require.NoError(t, err, "the real socket.io-client bundle (npm ci --prefix test/js)")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	pageOrigin := "http://" + ln.Addr().String()
	cfg, err := json.Marshal(map[string]string{"target": s.origin})
	require.NoError(t, err)
	dev := &nethttp.Server{
		Handler: nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
			if r.URL.Path == "/socket.io.min.js" {
				w.Header().Set("Content-Type", "text/javascript")
				_, _ = w.Write(bundle)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, prototypePage, cfg)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = dev.Serve(ln) }()
	t.Cleanup(func() { _ = dev.Close() })

	b := startBrowser(t)
	page := b.open(t, "proto", pageOrigin+"/")
	call := func(method, path string, body any) protoReply {
		t.Helper()
		arg := "undefined"
		if body != nil {
			j, err := json.Marshal(body)
			require.NoError(t, err)
			arg = string(j)
		}
		var r protoReply
		page.eval(t, fmt.Sprintf("call(%q, %q, %s)", method, path, arg), &r)
		require.Empty(t, r.Error, "%s %s from %s: the browser refused it", method, path, pageOrigin)
		return r
	}
	want := func(r protoReply, status int, what string) map[string]any {
		t.Helper()
		require.Equal(t, status, r.Status, "%s: %v", what, r.Data)
		return r.Data
	}
	roots := func(d map[string]any) []any {
		t.Helper()
		g, ok := d["graph"].(map[string]any)
		require.True(t, ok, "a graph in %v", d)
		return g["roots"].([]any)
	}

	want(call("GET", "/templates", nil), 200, "templates")
	created := want(call("POST", "/projects", map[string]any{"template_id": "restomod", "project_name": "Camaro"}), 201, "new project")
	sid := created["session_id"].(string)
	root := roots(created)[0].(map[string]any)["id"].(string)
	execute := func(commandType string, data map[string]any) protoReply {
		return call("POST", "/commands/execute", map[string]any{"session_id": sid, "command_type": commandType, "data": data})
	}
	added := want(execute("CreateNode", map[string]any{"parent_id": root, "blueprint_type_id": "phase", "name": "Bodywork"}), 200, "add a phase")
	assert.Equal(t, true, added["is_dirty"])
	phase := added["node_id"].(string)
	page.shot(t, "project")

	// A half-typed date: the error is readable from the other origin and
	// carries the graph the page renders, so the tree stays.
	bad := execute("UpdateProperty", map[string]any{"node_id": phase, "property_id": "start_date", "new_value": "2026-1"})
	assert.Equal(t, 400, bad.Status)
	assert.Equal(t, "INVALID_COMMAND", bad.Data["error"].(map[string]any)["code"])
	assert.NotNil(t, findNode(roots(bad.Data), phase), "the refused keystroke's reply still holds the tree")

	want(call("POST", "/sessions/"+sid+"/undo", nil), 200, "undo")
	empty := call("POST", "/sessions/"+sid+"/undo", nil)
	assert.Equal(t, 400, empty.Status)
	assert.Equal(t, "NOTHING_TO_UNDO", empty.Data["error"].(map[string]any)["code"])
	assert.Len(t, roots(empty.Data), 1, "undo on an empty stack keeps the tree")
	want(call("POST", "/sessions/"+sid+"/redo", nil), 200, "redo")

	// A reload: the page reads its session back.
	info := want(call("GET", "/sessions/"+sid+"/info", nil), 200, "info")
	assert.Equal(t, "restomod", info["template_id"])
	assert.Equal(t, true, info["has_project"])
	graph := want(call("GET", "/sessions/"+sid+"/graph", nil), 200, "graph")
	assert.Equal(t, sid, graph["session_id"])
	assert.NotNil(t, findNode(roots(graph), phase))

	// Dirty state, save, discard.
	assert.Equal(t, true, want(call("GET", "/sessions/"+sid+"/dirty", nil), 200, "dirty")["is_dirty"])
	want(call("POST", "/sessions/"+sid+"/save", nil), 200, "save")
	assert.Equal(t, false, want(call("GET", "/sessions/"+sid+"/dirty", nil), 200, "dirty after save")["is_dirty"])
	want(execute("UpdateProperty", map[string]any{"node_id": phase, "property_id": "name", "new_value": "Paint"}), 200, "rename by name")
	assert.Equal(t, true, want(call("GET", "/sessions/"+sid+"/dirty", nil), 200, "dirty after rename")["is_dirty"])
	want(call("POST", "/sessions/"+sid+"/reset-dirty", nil), 200, "reset dirty")
	assert.Equal(t, false, want(call("GET", "/sessions/"+sid+"/dirty", nil), 200, "dirty after reset")["is_dirty"])

	// Live: the later frontend's socket, by polling from this origin.
	var joined map[string]any
	page.eval(t, fmt.Sprintf("watch(%q)", sid), &joined)
	assert.Equal(t, sid, joined["session_id"])
	job := s.createNode(t, sid, phase, "job", "Panels")
	var nodeCreated map[string]any
	page.eval(t, `waitEvent("node-created")`, &nodeCreated)
	assert.Equal(t, job, nodeCreated["node"].(map[string]any)["id"], "addNode(data.node)")
	s.execute(t, sid, "UpdateProperty", map[string]any{"node_id": job, "property_id": "priority", "value": "High"})
	var changed map[string]any
	page.eval(t, `waitEvent("property-changed")`, &changed)
	assert.Equal(t, job, changed["node_id"])
	assert.Equal(t, "priority", changed["property_name"])
	page.shot(t, "live")

	// Open: the later frontend posts the graph it read from a file, the
	// template at the top level and each name in its properties.
	opened := want(call("POST", "/sessions/"+sid+"/load-graph", map[string]any{
		"template_id": "restomod",
		"graph": map[string]any{"nodes": []any{
			map[string]any{"id": "car", "type": "project_root", "properties": map[string]any{"name": "Mustang", "vehicle": "1967 Mustang"}, "children": []string{"body"}},
			map[string]any{"id": "body", "type": "phase", "properties": map[string]any{"name": "Body"}, "children": []string{}},
		}},
	}), 200, "load-graph")
	top := roots(opened)
	require.Len(t, top, 1)
	assert.Equal(t, "Mustang", top[0].(map[string]any)["name"])
	assert.Equal(t, "1967 Mustang", top[0].(map[string]any)["properties"].(map[string]any)["vehicle"])
	assert.Equal(t, "Body", findNode(top, "body")["name"])
	assert.Equal(t, false, opened["is_dirty"])
}

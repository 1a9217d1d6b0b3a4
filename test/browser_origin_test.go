package test

import (
	"encoding/json"
	"fmt"
	"net"
	nethttp "net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// foreignPage is a page of another site that the user happens to have
// open: its script tries to change a Talus session through the user's
// browser and to open a socket to the server. %s is a JSON object of
// target (our server's origin), sid and root.
const foreignPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>Another site</title></head>
<body><h1>Another site</h1><pre id="result"></pre>
<script type="module">
const cfg = %s;
const out = {};
// A request a page may send to any server without asking (no preflight):
// only the server's own check can refuse it.
try {
  await fetch(cfg.target + "/api/v1/commands/execute", {
    method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" },
    body: JSON.stringify({ session_id: cfg.sid, command_type: "RenameNode",
      data: { node_id: cfg.root, name: "Renamed by another site" } }),
  });
  out.post = "sent";
} catch (e) { out.post = "network error: " + e.message; }
// A read. The browser hides the answer from this script either way (no
// CORS), so it is sent no-cors: then the browser still records the
// status our server answered, which the test reads.
try {
  await fetch(cfg.target + "/api/v1/sessions/" + cfg.sid + "/info", { mode: "no-cors" });
  out.read = "sent";
} catch (e) { out.read = "network error: " + e.message; }
// Browsers apply no same-origin rule to WebSockets: the server must.
out.ws = await new Promise((resolve) => {
  const ws = new WebSocket(cfg.target.replace("http:", "ws:") + "/socket.io/?EIO=4&transport=websocket");
  const timer = setTimeout(() => resolve("no answer"), 20000);
  ws.onopen = () => { clearTimeout(timer); resolve("open"); ws.close(); };
  ws.onerror = () => { clearTimeout(timer); resolve("refused"); };
});
document.getElementById("result").textContent = JSON.stringify(out);
</script></body></html>`

// TestBrowserForeignOriginRefused opens a page from another origin
// (http://foreign.test:PORT, mapped to 127.0.0.1 inside Chromium only) whose
// script calls our API and opens a WebSocket to our server, and requires
// both to be refused with 403 FORBIDDEN_ORIGIN, while our own page, on our
// own origin, keeps working.
//
// It depends on the origin check (SPEC §5) that is being added on main; on
// a branch without it this test fails, showing what a foreign page can do.
func TestBrowserForeignOriginRefused(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Camaro")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	foreignOrigin := fmt.Sprintf("http://foreign.test:%d", ln.Addr().(*net.TCPAddr).Port)
	cfg, err := json.Marshal(map[string]string{"target": s.origin, "sid": p.sid, "root": p.root})
	require.NoError(t, err)
	foreign := &nethttp.Server{
		Handler: nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, foreignPage, cfg)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = foreign.Serve(ln) }()
	t.Cleanup(func() { _ = foreign.Close() })

	b := startBrowser(t, "--host-resolver-rules=MAP foreign.test 127.0.0.1")
	evil := b.open(t, "foreign", foreignOrigin+"/")
	raw := evil.run(t, "wait", css("#result"), "text", "ws")
	evil.shot(t, "foreign-page")
	var got struct{ Post, Read, WS string }
	require.NoError(t, json.Unmarshal([]byte(str(t, raw)), &got), "result: %s", raw)

	// What the browser saw our server answer to the foreign page.
	statuses := map[string]int{}
	for _, m := range b.pageLines("foreign", "response") {
		if strings.HasPrefix(m.URL, s.origin) {
			statuses[m.Method+" "+strings.TrimPrefix(m.URL, s.origin)] = m.Status
		}
	}
	t.Logf("foreign page: %+v; our server answered it: %v", got, statuses)

	assert.Equal(t, "sent", got.Post, "the foreign page reached our server (the test itself works)")
	assert.Equal(t, "refused", got.WS, "a WebSocket from %s must be refused", foreignOrigin)
	assert.Equal(t, nethttp.StatusForbidden, statuses["POST /api/v1/commands/execute"], "the foreign POST must get 403")
	assert.Equal(t, nethttp.StatusForbidden, statuses["GET /api/v1/sessions/"+p.sid+"/info"], "the foreign read must get 403")
	assert.Equal(t, "Camaro", s.node(t, p.sid, p.root)["name"], "the foreign page must not rename the project")

	// The same requests with that Origin, from Go: the answers the browser saw.
	r := s.do(t, "GET", "/sessions/"+p.sid+"/info", nil, header("Origin: "+foreignOrigin))
	if assert.Equal(t, nethttp.StatusForbidden, r.status, "REST with a foreign Origin: %s", r.body) {
		requireError(t, r, nethttp.StatusForbidden, "FORBIDDEN_ORIGIN")
	}
	hs := s.do(t, "GET", s.origin+"/socket.io/?EIO=4&transport=polling", nil, header("Origin: "+foreignOrigin))
	assert.Equal(t, nethttp.StatusForbidden, hs.status, "a polling handshake with a foreign Origin: %s", hs.body)

	// Our own page, on our own origin, is not refused.
	own := b.open(t, "own", s.origin+"/#session="+p.sid)
	waitLive(t, own, 1)
	own.waitCount(t, treeitem(s.node(t, p.sid, p.root)["name"].(string)), 1)
	own.shot(t, "own-page")
}

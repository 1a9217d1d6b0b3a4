package test

import (
	"fmt"
	nethttp "net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/ws/engineio/eiotest"
)

// The server lives in a browser world: these tests send what another page
// the user has open could send.

const evil = "https://evil.example"

// TestCrossSiteRequestsRefused: a foreign page's request, even a "simple"
// one that needs no preflight (text/plain), changes nothing: every REST
// request with a foreign Origin is 403 FORBIDDEN_ORIGIN, and a body that is
// not JSON is 415 whatever the Origin.
func TestCrossSiteRequestsRefused(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Target")
	count := func() int { return len(s.ok(t, 200, "GET", "/sessions", nil)["sessions"].([]any)) }
	before := count()

	cmd := fmt.Sprintf(`{"session_id":%q,"command_type":"RenameNode","data":{"node_id":%q,"name":"pwned"}}`, p.sid, p.root)
	requests := []struct{ method, path, body string }{
		{"POST", "/sessions/cleanup", `{"max_inactive_hours":0}`},
		{"POST", "/projects", `{"template_id":"restomod","project_name":"spam"}`},
		{"POST", "/commands/execute", cmd},
		{"POST", "/sessions/" + p.sid + "/undo", ""},
		{"POST", "/projects/" + p.pid + "/save", fmt.Sprintf(`{"session_id":%q}`, p.sid)},
		{"POST", "/projects/" + p.pid + "/load", fmt.Sprintf(`{"session_id":%q}`, p.sid)},
		{"DELETE", "/sessions/" + p.sid, ""},
		{"GET", "/sessions", ""},
	}
	for _, rq := range requests {
		t.Run(rq.method+" "+rq.path+" from a foreign page", func(t *testing.T) {
			var body any
			if rq.body != "" {
				body = rq.body
			}
			r := s.do(t, rq.method, rq.path, body, header("Origin: "+evil), "Content-Type: text/plain")
			requireError(t, r, 403, "FORBIDDEN_ORIGIN")
			assert.Empty(t, r.header.Get("Access-Control-Allow-Origin"), "nothing for a foreign page to read")
		})
		if rq.body == "" {
			continue
		}
		t.Run(rq.method+" "+rq.path+" as text/plain", func(t *testing.T) {
			requireError(t, s.do(t, rq.method, rq.path, rq.body, "Content-Type: text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE")
			requireError(t, s.do(t, rq.method, rq.path, rq.body, "Content-Type:"), 415, "UNSUPPORTED_MEDIA_TYPE")
		})
	}
	assert.Equal(t, before, count(), "no session was created or closed")
	tree := s.ok(t, 200, "GET", "/sessions/"+p.sid+"/graph/tree", nil)
	assert.Equal(t, "Target", rootsOf(t, tree)[0].(map[string]any)["name"], "no command ran")

	// The same requests from an allowed page (a vite dev server) and from
	// scripts (no Origin) work, with JSON.
	s.ok(t, 200, "POST", "/commands/execute", cmd, "Origin: http://localhost:5173")
	s.ok(t, 200, "POST", "/commands/execute", strings.Replace(cmd, "pwned", "fine", 1))
	s.ok(t, 200, "POST", "/commands/execute", cmd, "Content-Type: application/json; charset=utf-8")
}

// TestCORSForAllowedOrigins: an allowed page gets a preflight answer and
// the CORS headers on every reply, errors included; a foreign page gets
// neither, preflight included.
func TestCORSForAllowedOrigins(t *testing.T) {
	s := startServer(t)
	for _, origin := range []string{"http://localhost:5173", "http://127.0.0.1:5173", "tauri://localhost", "http://tauri.localhost", s.origin} {
		r := s.do(t, "OPTIONS", "/commands/execute", nil, header("Origin: "+origin),
			"Access-Control-Request-Method: POST", "Access-Control-Request-Headers: content-type, x-session-id")
		require.Equal(t, 204, r.status, "preflight from %s: %s", origin, r.body)
		assert.Equal(t, origin, r.header.Get("Access-Control-Allow-Origin"))
		assert.Contains(t, r.header.Get("Access-Control-Allow-Methods"), "POST")
		assert.Contains(t, r.header.Get("Access-Control-Allow-Methods"), "DELETE")
		assert.Contains(t, strings.ToLower(r.header.Get("Access-Control-Allow-Headers")), "content-type")
		assert.Contains(t, strings.ToLower(r.header.Get("Access-Control-Allow-Headers")), "x-session-id")
		assert.Contains(t, r.header.Values("Vary"), "Origin")
	}
	ok := s.do(t, "GET", "/templates", nil, "Origin: http://localhost:5173")
	assert.Equal(t, 200, ok.status)
	assert.Equal(t, "http://localhost:5173", ok.header.Get("Access-Control-Allow-Origin"))
	missing := s.do(t, "GET", "/sessions/00000000-0000-4000-8000-000000000000/info", nil, "Origin: http://localhost:5173")
	requireError(t, missing, 404, "INVALID_SESSION")
	assert.Equal(t, "http://localhost:5173", missing.header.Get("Access-Control-Allow-Origin"), "errors carry CORS too, so the page can read them")

	pre := s.do(t, "OPTIONS", "/commands/execute", nil, header("Origin: "+evil), "Access-Control-Request-Method: POST")
	requireError(t, pre, 403, "FORBIDDEN_ORIGIN")
	assert.Empty(t, pre.header.Get("Access-Control-Allow-Origin"))
}

// TestDNSRebindingRefused: a page whose own name was made to resolve to
// 127.0.0.1 is same-origin to itself, but its requests name its host: they
// are refused before they reach the API or the socket layer, so it cannot
// read the session list (every session id, every write capability).
func TestDNSRebindingRefused(t *testing.T) {
	s := startServer(t)
	s.newProject(t, "Secret")
	port := s.origin[strings.LastIndex(s.origin, ":")+1:]
	rebound := header("Host: evil.example:" + port)
	r := s.do(t, "GET", "/sessions", nil, rebound)
	requireError(t, r, 403, "FORBIDDEN_ORIGIN")
	assert.NotContains(t, string(r.body), "session_id")
	requireError(t, s.do(t, "GET", "/health", nil, rebound), 403, "FORBIDDEN_ORIGIN")
	requireError(t, s.do(t, "GET", s.origin+"/socket.io/?EIO=4&transport=polling", nil, rebound), 403, "FORBIDDEN_ORIGIN")
	s.ok(t, 200, "GET", "/sessions", nil, header("Host: localhost:"+port))
}

// TestSocketForeignOriginRefused: the Engine.IO handshake, a poll and a
// WebSocket upgrade from a foreign page are refused (403); polling never
// echoes a foreign Origin, and never with credentials.
func TestSocketForeignOriginRefused(t *testing.T) {
	s := startServer(t)
	base := s.origin + "/socket.io/"
	r := s.do(t, "GET", base+"?EIO=4&transport=polling", nil, header("Origin: "+evil))
	requireError(t, r, 403, "FORBIDDEN_ORIGIN")
	assert.Empty(t, r.header.Get("Access-Control-Allow-Origin"))
	assert.Empty(t, r.header.Get("Access-Control-Allow-Credentials"))

	sid := eiotest.Handshake(t, base).SID // a session opened by a legitimate client
	r = s.do(t, "GET", base+"?EIO=4&transport=polling&sid="+sid, nil, header("Origin: "+evil))
	requireError(t, r, 403, "FORBIDDEN_ORIGIN")
	r = s.do(t, "POST", base+"?EIO=4&transport=polling&sid="+sid, "4hi", header("Origin: "+evil))
	requireError(t, r, 403, "FORBIDDEN_ORIGIN")

	wsURL := "ws" + strings.TrimPrefix(base, "http") + "?EIO=4&transport=websocket"
	_, res, err := websocket.DefaultDialer.Dial(wsURL, nethttp.Header{"Origin": {evil}})
	require.Error(t, err)
	require.NotNil(t, res)
	assert.Equal(t, 403, res.StatusCode)

	conn, res, err := websocket.DefaultDialer.Dial(wsURL, nethttp.Header{"Origin": {"http://localhost:5173"}})
	require.NoError(t, err, "an allowed page connects")
	assert.Equal(t, 101, res.StatusCode)
	conn.Close()
	r = s.do(t, "GET", base+"?EIO=4&transport=polling", nil, "Origin: http://localhost:5173")
	assert.Equal(t, 200, r.status)
	assert.Equal(t, "http://localhost:5173", r.header.Get("Access-Control-Allow-Origin"))
	assert.Empty(t, r.header.Get("Access-Control-Allow-Credentials"))
}

// TestBearerAnyCase: the token's scheme is case-insensitive (RFC 6750).
func TestBearerAnyCase(t *testing.T) {
	s := startServer(t, func(o *serverOptions) { o.http.Token = "s3cret" })
	for _, h := range []header{"Authorization: Bearer s3cret", "Authorization: bearer s3cret", "Authorization: BEARER s3cret"} {
		s.ok(t, 200, "GET", "/templates", nil, h)
	}
	requireError(t, s.do(t, "GET", "/templates", nil, "Authorization: Bearers3cret"), 401, "UNAUTHORIZED")
}

// TestPageOpensFromAnotherSite: a link on another site may open the web
// client (a cross-site navigation); only the API refuses other sites.
func TestPageOpensFromAnotherSite(t *testing.T) {
	s := startServer(t)
	r := s.do(t, "GET", s.origin+"/", nil, "Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: navigate")
	assert.Equal(t, 200, r.status)
	assert.Contains(t, r.header.Get("Content-Type"), "text/html")
	requireError(t, s.do(t, "GET", "/sessions", nil, "Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: no-cors"), 403, "FORBIDDEN_ORIGIN")
}

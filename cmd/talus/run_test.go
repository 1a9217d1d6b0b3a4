package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunServesAndStops runs the server as the binary does, with a
// templates dir holding one good and one broken template: the broken one
// is logged with file, path and reason, the good one is served, metrics
// count what happened, and the binary's own wiring of the guards holds — a
// foreign Origin or Host is refused on REST and on Socket.IO, -read-timeout
// cuts a trickling client and -rate-limit covers REST and socket
// handshakes alike. Cancelling the context stops the server cleanly.
func TestRunServesAndStops(t *testing.T) {
	dir := t.TempDir()
	templates := filepath.Join(dir, "templates")
	require.NoError(t, os.MkdirAll(templates, 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(templates, "garden.yaml"), []byte(`id: garden
name: Garden
description: Beds and plants.
node_types:
  - id: garden
    label: Garden
    allowed_children: [bed]
    properties: []
  - id: bed
    label: Bed
    allowed_children: []
    properties:
      - {id: soil, label: Soil, type: text}
`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(templates, "broken.yaml"), []byte(`id: broken
name: Broken
node_types:
  - id: root
    label: Root
    allowed_children: []
    properties:
      - {id: x, label: X, type: colour}
`), 0o600))

	const readTimeout = 2 * time.Second
	// The rate allows far more than this test sends before it checks the
	// limit, and refills too slowly to matter while it runs.
	const burst = 200
	data := filepath.Join(dir, "data")
	r := startRun(t, "-data-dir", data, "-templates-dir", templates, "-read-timeout", readTimeout.String(),
		"-rate-limit", "0.01", "-rate-burst", fmt.Sprint(burst))
	assert.Regexp(t, `msg="template not loaded" file=\S*broken.yaml path=\S+ reason=`, r.logs.String())
	assert.DirExists(t, data)

	list := r.json(t, 200, "GET", "/api/v1/templates", "")
	var ids []string
	for _, tmpl := range list["templates"].([]any) {
		ids = append(ids, tmpl.(map[string]any)["id"].(string))
	}
	assert.Equal(t, []string{"book", "garden", "restomod", "software_development"}, ids)

	// Metrics count what happened: a project and a command, one session in
	// memory, an fsync, a refused body.
	created := r.json(t, 201, "POST", "/api/v1/projects", `{"template_id":"garden","project_name":"Back yard"}`)
	sid := created["session_id"].(string)
	root := created["graph"].(map[string]any)["roots"].([]any)[0].(map[string]any)["id"].(string)
	r.json(t, 200, "POST", "/api/v1/commands/execute",
		fmt.Sprintf(`{"session_id":%q,"command_type":"CreateNode","data":{"parent_id":%q,"blueprint_type_id":"bed"}}`, sid, root))
	status, _, body := r.do(t, "POST", "/api/v1/sessions", "{}", "Content-Type: text/plain")
	require.Equal(t, 415, status, body)
	m := r.scrape(t)
	assert.Equal(t, 1.0, m.value(t, "talus_commands_total", "type=CreateNode", "outcome=ok"))
	assert.Equal(t, 1.0, m.value(t, "talus_sessions", "state=live"))
	assert.Equal(t, 0.0, m.value(t, "talus_sessions", "state=passive"))
	assert.Equal(t, 1.0, m.value(t, "talus_http_errors_total", "code=UNSUPPORTED_MEDIA_TYPE"))
	assert.Positive(t, m.value(t, "talus_journal_fsync_duration_seconds_count"))
	assert.Equal(t, 0.0, m.value(t, "talus_connections", "transport=websocket"))

	evil := "Origin: https://evil.example"
	wsURL := "ws://" + r.addr + "/socket.io/?EIO=4&transport=websocket"
	t.Run("foreign origin", func(t *testing.T) {
		status, _, body := r.do(t, "GET", "/api/v1/templates", "", evil)
		assert.Equal(t, 403, status)
		assert.Equal(t, "FORBIDDEN_ORIGIN", errorCode(body), body)
		status, _, body = r.do(t, "POST", "/api/v1/sessions/cleanup", `{"max_inactive_hours":0}`, evil)
		assert.Equal(t, 403, status)
		assert.Equal(t, "FORBIDDEN_ORIGIN", errorCode(body), body)
		r.json(t, 200, "GET", "/api/v1/sessions/"+sid+"/info", "") // still there

		status, _, body = r.do(t, "GET", "/socket.io/?EIO=4&transport=polling", "", evil)
		assert.Equal(t, 403, status, "the Socket.IO handshake")
		assert.Equal(t, "FORBIDDEN_ORIGIN", errorCode(body), body)
		conn, res, err := websocket.DefaultDialer.Dial(wsURL, nethttp.Header{"Origin": {"https://evil.example"}})
		if conn != nil {
			conn.Close()
		}
		require.ErrorIs(t, err, websocket.ErrBadHandshake)
		assert.Equal(t, 403, res.StatusCode, "the WebSocket upgrade")

		// The defaults let the server's own origin and local development
		// servers in, with CORS for the latter.
		status, header, body := r.do(t, "GET", "/api/v1/templates", "", "Origin: http://localhost:5173")
		assert.Equal(t, 200, status, body)
		assert.Equal(t, "http://localhost:5173", header.Get("Access-Control-Allow-Origin"))
		status, _, body = r.do(t, "GET", "/api/v1/templates", "", "Origin: http://"+r.addr)
		assert.Equal(t, 200, status, body)
		conn, _, err = websocket.DefaultDialer.Dial(wsURL, nethttp.Header{"Origin": {"http://" + r.addr}})
		require.NoError(t, err)
		_, open, err := conn.ReadMessage()
		conn.Close()
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(open), "0{"), "open packet: %s", open)
	})

	t.Run("foreign host", func(t *testing.T) {
		_, port, err := net.SplitHostPort(r.addr)
		require.NoError(t, err)
		for _, path := range []string{"/api/v1/sessions", "/socket.io/?EIO=4&transport=polling", "/metrics"} {
			status, _, body := r.do(t, "GET", path, "", "Host: evil.example:"+port)
			assert.Equal(t, 403, status, path)
			assert.Equal(t, "FORBIDDEN_ORIGIN", errorCode(body), "%s: %s", path, body)
		}
		status, _, body := r.do(t, "GET", "/api/v1/templates", "", "Host: localhost:"+port)
		assert.Equal(t, 200, status, "a loopback name: %s", body)
	})

	t.Run("read timeout", func(t *testing.T) {
		conn, err := net.Dial("tcp", r.addr)
		require.NoError(t, err)
		defer conn.Close()
		start := time.Now()
		_, err = fmt.Fprintf(conn, "POST /api/v1/sessions HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", r.addr)
		require.NoError(t, err)
		closed := make(chan time.Duration, 1)
		go func() {
			_, _ = io.Copy(io.Discard, conn) // ends when the server hangs up
			closed <- time.Since(start)
		}()
		// A byte every 100 ms, for up to 20 s: ten times the timeout, and
		// still under the default's 30 s, so only the flag can cut it.
		for i := 0; i < 200; i++ {
			select {
			case took := <-closed:
				assert.GreaterOrEqual(t, took, readTimeout, "not before the whole request was due")
				return
			case <-time.After(100 * time.Millisecond):
				if _, err := conn.Write([]byte(" ")); err != nil {
					took := <-closed
					assert.GreaterOrEqual(t, took, readTimeout, "not before the whole request was due")
					return
				}
			}
		}
		t.Fatal("the server still held the trickling connection after 20 s")
	})

	t.Run("rate limit", func(t *testing.T) {
		var limited string
		for i := 0; i <= burst && limited == ""; i++ {
			status, header, body := r.do(t, "GET", "/api/v1/templates", "")
			switch status {
			case 200:
			case 429:
				assert.Equal(t, "1", header.Get("Retry-After"))
				limited = body
			default:
				t.Fatalf("answered %d: %s", status, body)
			}
		}
		require.NotEmpty(t, limited, "no request was refused within the burst of %d", burst)
		assert.Equal(t, "RATE_LIMITED", errorCode(limited))
		status, _, body := r.do(t, "GET", "/socket.io/?EIO=4&transport=polling", "")
		assert.Equal(t, 429, status, "socket handshakes share the budget")
		assert.Equal(t, "RATE_LIMITED", errorCode(body), body)
		status, _, body = r.do(t, "GET", "/api/v1/health", "")
		assert.Equal(t, 200, status, "health stays open: %s", body)
		assert.Positive(t, r.scrape(t).value(t, "talus_budget_refusals_total", "code=RATE_LIMITED"))
	})

	r.stop(t)
}

// TestRunHTTPIdleTimeout: an idle keep-alive connection is closed after
// -http-idle-timeout. The read timeout is set far longer, so that it is the
// idle timeout that closes it (Go falls back to the read timeout without
// one).
func TestRunHTTPIdleTimeout(t *testing.T) {
	const idle = time.Second
	r := startRun(t, "-http-idle-timeout", idle.String(), "-read-timeout", "5m")
	conn, err := net.Dial("tcp", r.addr)
	require.NoError(t, err)
	defer conn.Close()
	start := time.Now()
	_, err = fmt.Fprintf(conn, "GET /api/v1/health HTTP/1.1\r\nHost: %s\r\n\r\n", r.addr)
	require.NoError(t, err)
	rd := bufio.NewReader(conn)
	res, err := nethttp.ReadResponse(rd, nil)
	require.NoError(t, err)
	_, err = io.Copy(io.Discard, res.Body)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	assert.False(t, res.Close, "the connection is kept alive after the answer")

	require.NoError(t, conn.SetReadDeadline(time.Now().Add(60*time.Second)))
	_, err = rd.ReadByte()
	took := time.Since(start)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "the idle connection was still open after 60 s")
	require.ErrorIs(t, err, io.EOF, "the server closed it")
	assert.GreaterOrEqual(t, took, idle, "not before it was idle that long")
	r.stop(t)
}

// TestRunTokenGuardsMetrics: with -token, /metrics and the API need it;
// /health does not.
func TestRunTokenGuardsMetrics(t *testing.T) {
	r := startRun(t, "-token", "s3cret")
	for _, path := range []string{"/metrics", "/api/v1/templates"} {
		status, _, body := r.do(t, "GET", path, "")
		assert.Equal(t, 401, status, path)
		assert.Equal(t, "UNAUTHORIZED", errorCode(body), "%s: %s", path, body)
		status, _, body = r.do(t, "GET", path, "", "Authorization: Bearer s3cret")
		assert.Equal(t, 200, status, "%s: %s", path, body)
	}
	status, _, body := r.do(t, "GET", "/api/v1/health", "")
	assert.Equal(t, 200, status, body)
	r.stop(t)
}

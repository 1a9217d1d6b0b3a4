package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/ws/sioclient"
)

// logField is one key=value of a slog text line; quoted values unquoted.
var logField = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.]*)=("(?:[^"\\]|\\.)*"|\S*)`)

// logRecords are the server's log lines with message msg, as fields.
func logRecords(tb testing.TB, logs, msg string) []map[string]string {
	tb.Helper()
	var out []map[string]string
	for _, line := range strings.Split(logs, "\n") {
		rec := map[string]string{}
		for _, m := range logField.FindAllStringSubmatch(line, -1) {
			v := m[2]
			if strings.HasPrefix(v, `"`) {
				u, err := strconv.Unquote(v)
				require.NoError(tb, err, line)
				v = u
			}
			rec[m[1]] = v
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// waitRecord waits (bounded) for a log line with message msg whose fields
// include want, and returns it. A request is logged as its handler
// returns, which may be a moment after its client has the answer.
func waitRecord(tb testing.TB, r *running, msg string, want map[string]string) map[string]string {
	tb.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
	records:
		for _, rec := range logRecords(tb, r.logs.String(), msg) {
			for k, v := range want {
				if rec[k] != v {
					continue records
				}
			}
			return rec
		}
	}
	tb.Fatalf("no %q line with %v in:\n%s", msg, want, r.logs.String())
	return nil
}

// TestLogCarriesRequestSessionAndClientIDs: each request's log line
// carries its request id (the client's plain X-Request-ID, else a new one,
// echoed in the reply) and the session it was for, however the request
// named it; socket lines carry the client id the client was told, its
// Engine.IO sid and the session it watched.
func TestLogCarriesRequestSessionAndClientIDs(t *testing.T) {
	r := startRun(t)
	created := r.json(t, 201, "POST", "/api/v1/projects", `{"template_id":"restomod","project_name":"Logs"}`, "X-Request-ID: create-0")
	sid := created["session_id"].(string)
	assert.Equal(t, sid, waitRecord(t, r, "http request", map[string]string{"request_id": "create-0"})["session"], "the session it made")
	other := r.json(t, 201, "POST", "/api/v1/sessions", "", "X-Request-ID: create-1")["session_id"].(string)
	assert.Equal(t, other, waitRecord(t, r, "http request", map[string]string{"request_id": "create-1"})["session"], "the session it made")
	root := created["graph"].(map[string]any)["roots"].([]any)[0].(map[string]any)["id"].(string)

	// The session in the body, in the path, in a header.
	status, header, body := r.do(t, "POST", "/api/v1/commands/execute",
		fmt.Sprintf(`{"session_id":%q,"command_type":"RenameNode","data":{"node_id":%q,"name":"Renamed"}}`, sid, root),
		"X-Request-ID: exec-1")
	require.Equal(t, 200, status, body)
	assert.Equal(t, "exec-1", header.Get("X-Request-ID"), "echoed")
	rec := waitRecord(t, r, "http request", map[string]string{"request_id": "exec-1"})
	assert.Equal(t, sid, rec["session"], "named in the body")
	assert.Equal(t, "/api/v1/commands/execute", rec["path"])
	assert.Equal(t, "200", rec["status"])

	status, _, body = r.do(t, "GET", "/api/v1/sessions/"+sid+"/info", "", "X-Request-ID: info.2")
	require.Equal(t, 200, status, body)
	assert.Equal(t, sid, waitRecord(t, r, "http request", map[string]string{"request_id": "info.2"})["session"], "named in the path")

	status, _, body = r.do(t, "GET", "/api/v1/graph", "", "X-Session-ID: "+sid, "X-Request-ID: graph_3")
	require.Equal(t, 200, status, body)
	assert.Equal(t, sid, waitRecord(t, r, "http request", map[string]string{"request_id": "graph_3"})["session"], "named in a header")

	// No id, or one that is not plain: the server makes one, answers and
	// logs it.
	for _, given := range []string{"", "two words", strings.Repeat("x", 65), `quote"d`} {
		var headers []string
		if given != "" {
			headers = append(headers, "X-Request-ID: "+given)
		}
		status, header, body := r.do(t, "GET", "/api/v1/templates", "", headers...)
		require.Equal(t, 200, status, body)
		id := header.Get("X-Request-ID")
		assert.Regexp(t, `^[A-Za-z0-9]{16}$`, id, "given %q", given)
		waitRecord(t, r, "http request", map[string]string{"request_id": id, "path": "/api/v1/templates"})
	}
	assert.NotContains(t, r.logs.String(), "two words", "an id that is not plain never reaches the log")

	// A socket client: connected, then gone, with its ids and session.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := sioclient.Dial(ctx, r.url(""), "/graph", map[string]any{"session_id": sid}, 64)
	require.NoError(t, err)
	var clientID string
	for clientID == "" {
		select {
		case ev := <-c.Events():
			if ev.Name == "joined" {
				var j struct {
					ClientID string `json:"client_id"`
				}
				require.NoError(t, json.Unmarshal(ev.Args[0], &j))
				clientID = j.ClientID
			}
		case <-ctx.Done():
			t.Fatal("never joined")
		}
	}
	require.NotEmpty(t, clientID)
	connected := waitRecord(t, r, "socket connected", map[string]string{"client": clientID})
	assert.NotEmpty(t, connected["eio_sid"])
	assert.Equal(t, "websocket", connected["transport"])
	require.NoError(t, c.Close())
	gone := waitRecord(t, r, "socket disconnected", map[string]string{"client": clientID})
	assert.Equal(t, connected["eio_sid"], gone["eio_sid"])
	assert.Equal(t, sid, gone["session"], "the session it watched")
	r.stop(t)
}

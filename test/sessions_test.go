package test

import (
	"context"
	nethttp "net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model/wire"
)

func TestHealth(t *testing.T) {
	s := startServer(t)
	s.ok(t, nethttp.StatusCreated, "POST", "/sessions", nil)

	body := s.ok(t, nethttp.StatusOK, "GET", "/health", nil)
	assert.Equal(t, "ok", body["status"])
	assert.NotEmpty(t, body["version"])
	assert.Equal(t, int64(1), seqOf(t, body["sessions"]))
	assert.Equal(t, int64(3), seqOf(t, body["templates"]))
}

func TestSessionLifecycle(t *testing.T) {
	s := startServer(t)

	created := s.ok(t, nethttp.StatusCreated, "POST", "/sessions", nil)
	sid, _ := created["session_id"].(string)
	id, err := uuid.Parse(sid)
	require.NoError(t, err, "session ids are UUIDs")
	assert.Equal(t, uuid.Version(4), id.Version(), "session ids are random (v4)")

	list := s.ok(t, nethttp.StatusOK, "GET", "/sessions", nil)
	assert.Equal(t, int64(1), seqOf(t, list["total"]))
	rows := list["sessions"].([]any)
	require.Len(t, rows, 1)
	row := rows[0].(map[string]any)
	assert.Equal(t, sid, row["session_id"])
	assert.Equal(t, false, row["has_project"])
	info := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+sid+"/info", nil)
	for _, key := range []string{"created_at", "last_activity"} {
		for _, v := range []any{row[key], info[key]} {
			// The one layout of every timestamp the API writes: UTC, milliseconds.
			_, err := time.Parse(wire.TimeLayout, v.(string))
			assert.NoError(t, err, key)
			assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, v, key)
		}
	}
	assert.Equal(t, sid, info["session_id"])
	assert.Equal(t, false, info["has_project"])
	assert.Nil(t, info["project_id"])
	assert.Equal(t, false, info["undo_available"])
	assert.Equal(t, false, info["redo_available"])
	assert.Equal(t, int64(0), seqOf(t, info["node_count"]))

	p := s.newProject(t, "Camaro")
	s.createNode(t, p.sid, p.root, "phase", "Bodywork")
	info = s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+p.sid+"/info", nil)
	assert.Equal(t, true, info["has_project"])
	assert.Equal(t, p.pid, info["project_id"])
	assert.Equal(t, true, info["undo_available"])
	assert.Equal(t, int64(2), seqOf(t, info["node_count"]))
	assert.Positive(t, seqOf(t, info["seq"]))

	r := s.do(t, "DELETE", "/sessions/"+sid, nil)
	require.Equal(t, nethttp.StatusNoContent, r.status)
	assert.Empty(t, r.body)
	requireError(t, s.do(t, "GET", "/sessions/"+sid+"/info", nil), nethttp.StatusNotFound, "INVALID_SESSION")
	requireError(t, s.do(t, "DELETE", "/sessions/"+sid, nil), nethttp.StatusNotFound, "INVALID_SESSION")

	list = s.ok(t, nethttp.StatusOK, "GET", "/sessions", nil)
	assert.Equal(t, int64(1), seqOf(t, list["total"]), "only the project's session is left")
}

func TestCleanup(t *testing.T) {
	s := startServer(t)
	idle := s.ok(t, nethttp.StatusCreated, "POST", "/sessions", nil)["session_id"].(string)

	// Nothing has been idle for a day.
	body := s.ok(t, nethttp.StatusOK, "POST", "/sessions/cleanup", map[string]any{"max_inactive_hours": 24})
	assert.Equal(t, int64(0), seqOf(t, body["sessions_removed"]))
	assert.Equal(t, int64(1), seqOf(t, body["active_sessions"]))

	// With no age at all, every session without clients goes.
	body = s.ok(t, nethttp.StatusOK, "POST", "/sessions/cleanup", map[string]any{"max_inactive_hours": 0})
	assert.Equal(t, int64(1), seqOf(t, body["sessions_removed"]))
	assert.Equal(t, int64(0), seqOf(t, body["active_sessions"]))
	requireError(t, s.do(t, "GET", "/sessions/"+idle+"/info", nil), nethttp.StatusNotFound, "INVALID_SESSION")

	// An empty body means the default of 24 hours.
	body = s.ok(t, nethttp.StatusOK, "POST", "/sessions/cleanup", nil)
	assert.Equal(t, int64(0), seqOf(t, body["sessions_removed"]))

	bad := []struct {
		name string
		body string
	}{
		{"not JSON", `max_inactive_hours=1`},
		{"string hours", `{"max_inactive_hours":"1"}`},
		{"negative", `{"max_inactive_hours":-1}`},
		{"misspelt field", `{"max_inactive_hour":1}`},
		{"array", `[1]`},
		{"two values", `{"max_inactive_hours":1}{}`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			requireError(t, s.do(t, "POST", "/sessions/cleanup", tc.body), nethttp.StatusBadRequest, "INVALID_REQUEST")
		})
	}
}

func TestUnavailableAfterStop(t *testing.T) {
	s := startServer(t)
	sid := s.ok(t, nethttp.StatusCreated, "POST", "/sessions", nil)["session_id"].(string)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, s.sessions.Stop(ctx))

	for _, tc := range []struct{ method, path string }{
		{"POST", "/sessions"},
		{"GET", "/sessions"},
		{"GET", "/sessions/" + sid + "/info"},
		{"GET", "/health"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := s.do(t, tc.method, tc.path, nil)
			e := requireError(t, r, nethttp.StatusServiceUnavailable, "UNAVAILABLE")
			assert.Nil(t, e["details"], "5xx answers carry no details")
			assert.NotContains(t, e["message"], "actors:", "5xx messages are fixed, the cause stays in the log")
			assert.Equal(t, "1", r.header.Get("Retry-After"))
		})
	}
}

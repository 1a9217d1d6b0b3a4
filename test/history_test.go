package test

import (
	"fmt"
	nethttp "net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors"
)

func TestUndoRedo(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Camaro")

	requireError(t, s.do(t, "POST", "/sessions/"+p.sid+"/undo", nil), nethttp.StatusBadRequest, "NOTHING_TO_UNDO")
	requireError(t, s.do(t, "POST", "/sessions/"+p.sid+"/redo", nil), nethttp.StatusBadRequest, "NOTHING_TO_REDO")

	phase := s.createNode(t, p.sid, p.root, "phase", "Bodywork")

	undone := s.ok(t, nethttp.StatusOK, "POST", "/sessions/"+p.sid+"/undo", nil)
	assert.Equal(t, true, undone["success"])
	assert.Equal(t, "CreateNode", undone["command_type"])
	assert.NotEmpty(t, undone["command_id"])
	assert.Equal(t, false, undone["undo_available"])
	assert.Equal(t, true, undone["redo_available"])
	assert.Nil(t, findNode(rootsOf(t, undone["graph"]), phase), "the reply's graph is after the undo")
	assert.Nil(t, findNode(rootsOf(t, s.tree(t, p.sid)), phase))

	redone := s.ok(t, nethttp.StatusOK, "POST", "/sessions/"+p.sid+"/redo", "")
	assert.Equal(t, true, redone["undo_available"])
	assert.Equal(t, false, redone["redo_available"])
	assert.Greater(t, seqOf(t, redone["seq"]), seqOf(t, undone["seq"]))
	assert.NotNil(t, findNode(rootsOf(t, redone["graph"]), phase), "redo brings back the same node")

	requireError(t, s.do(t, "POST", "/sessions/"+p.sid+"/redo", nil), nethttp.StatusBadRequest, "NOTHING_TO_REDO")
	requireError(t, s.do(t, "POST", "/sessions/no-such-session/undo", nil), nethttp.StatusNotFound, "INVALID_SESSION")
	requireError(t, s.do(t, "POST", "/sessions/no-such-session/redo", nil), nethttp.StatusNotFound, "INVALID_SESSION")
	requireError(t, s.do(t, "POST", "/sessions/"+p.sid+"/undo", `{"command_id":`), nethttp.StatusBadRequest, "INVALID_REQUEST")
	requireError(t, s.do(t, "POST", "/sessions/"+p.sid+"/undo", `{"command_id":7}`), nethttp.StatusBadRequest, "INVALID_REQUEST")

	empty := s.ok(t, nethttp.StatusCreated, "POST", "/sessions", nil)["session_id"].(string)
	requireError(t, s.do(t, "POST", "/sessions/"+empty+"/undo", nil), nethttp.StatusConflict, "NO_PROJECT")
}

func TestEvents(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Camaro")
	start := seqOf(t, s.tree(t, p.sid)["seq"])
	phase := s.createNode(t, p.sid, p.root, "phase", "Bodywork")

	body := s.ok(t, nethttp.StatusOK, "GET", fmt.Sprintf("/sessions/%s/events?after_seq=%d", p.sid, start), nil)
	events := body["events"].([]any)
	require.NotEmpty(t, events)
	last := start
	var names []string
	for _, v := range events {
		ev := v.(map[string]any)
		seq := seqOf(t, ev["seq"])
		assert.Equal(t, last+1, seq, "events come in seq order without gaps")
		last = seq
		assert.Equal(t, p.sid, ev["session_id"])
		assert.Equal(t, p.pid, ev["project_id"])
		assert.NotEmpty(t, ev["timestamp"])
		names = append(names, ev["event"].(string))
		if ev["event"] == "graph:node-created" {
			assert.Equal(t, phase, ev["node_id"])
		}
	}
	assert.Contains(t, names, "graph:node-created")
	assert.Equal(t, last, seqOf(t, body["seq"]))

	body = s.ok(t, nethttp.StatusOK, "GET", fmt.Sprintf("/sessions/%s/events?after_seq=%d", p.sid, last), nil)
	assert.Empty(t, body["events"], "nothing after the newest")
	assert.Equal(t, last, seqOf(t, body["seq"]))

	for _, q := range []string{"", "?after_seq=", "?after_seq=-1", "?after_seq=abc", "?after_seq=1.5"} {
		e := requireError(t, s.do(t, "GET", "/sessions/"+p.sid+"/events"+q, nil), nethttp.StatusBadRequest, "INVALID_REQUEST")
		assert.Equal(t, map[string]any{"field": "after_seq"}, e["details"], q)
	}
	requireError(t, s.do(t, "GET", "/sessions/no-such-session/events?after_seq=0", nil), nethttp.StatusNotFound, "INVALID_SESSION")
}

func TestEventsHistoryGone(t *testing.T) {
	s := startServer(t, func(o *serverOptions) { o.actors = actors.Config{HistoryLimit: 3} })
	p := s.newProject(t, "Camaro")
	for i := range 3 {
		s.createNode(t, p.sid, p.root, "phase", fmt.Sprintf("Phase %d", i))
	}
	seq := seqOf(t, s.tree(t, p.sid)["seq"])
	require.Greater(t, seq, int64(3), "more events than the history keeps")

	e := requireError(t, s.do(t, "GET", "/sessions/"+p.sid+"/events?after_seq=0", nil), nethttp.StatusGone, "HISTORY_GONE")
	details := e["details"].(map[string]any)
	assert.Equal(t, seq, seqOf(t, details["seq"]), "HISTORY_GONE tells the current seq")

	body := s.ok(t, nethttp.StatusOK, "GET", fmt.Sprintf("/sessions/%s/events?after_seq=%d", p.sid, seq-3), nil)
	assert.Len(t, body["events"], 3, "the kept events are still served")
}

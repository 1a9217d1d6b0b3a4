package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
)

func TestCode(t *testing.T) {
	gone := &Error{Code: CodeInvalidSession, Message: "actors: session not found"}
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"nil", nil, CodeInternal},
		{"unknown", errors.New("boom"), CodeInternal},
		{"node", fmt.Errorf("node %q: %w", "x", model.ErrNodeNotFound), CodeNodeNotFound},
		{"template", model.ErrTemplateNotFound, CodeTemplateNotFound},
		{"undo", model.ErrNothingToUndo, CodeNothingToUndo},
		{"redo", model.ErrNothingToRedo, CodeNothingToRedo},
		{"command", &model.InvalidCommandError{Rule: "cycle", Reason: "r"}, CodeInvalidCommand},
		{"request", &model.InvalidRequestError{Field: "f", Reason: "r"}, CodeInvalidRequest},
		{"limit", &model.LimitError{Budget: "nodes", Limit: 3}, CodeLimitExceeded},
		{"coded", fmt.Errorf("session %q: %w", "s", gone), CodeInvalidSession},
		// A panic whose value wraps a domain error is still the bug it is.
		{"internal first", fmt.Errorf("%w: %w", model.ErrInternal, model.ErrNodeNotFound), CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.code, Code(tt.err))
		})
	}
}

func TestFrom(t *testing.T) {
	e := From(fmt.Errorf("node %q: %w", "n1", model.ErrNodeNotFound))
	assert.Equal(t, Error{Code: CodeNodeNotFound, Message: `node "n1": model: node not found`}, e)

	e = From(&model.InvalidCommandError{Rule: "cycle", Reason: "loops"})
	assert.Equal(t, map[string]any{"rule": "cycle"}, e.Details)

	e = From(&model.LimitError{Budget: "nodes_per_project", Limit: 10, Reason: "r"})
	assert.Equal(t, map[string]any{"budget": "nodes_per_project", "limit": int64(10)}, e.Details)

	// 5xx: a fixed message, no details, whatever the cause says.
	secret := fmt.Errorf("%w: /var/data/x: disk on fire", model.ErrInternal)
	e = From(secret)
	assert.Equal(t, CodeInternal, e.Code)
	assert.NotContains(t, e.Message, "disk")
	unavailable := &Error{Code: CodeUnavailable, Message: "journal: EIO on /dev/sda", Details: map[string]any{"x": 1}}
	e = From(fmt.Errorf("append: %w", unavailable))
	assert.Equal(t, CodeUnavailable, e.Code)
	assert.NotContains(t, e.Message, "sda")
	assert.Nil(t, e.Details)
}

func TestStatus(t *testing.T) {
	for _, c := range Codes() {
		assert.NotZero(t, Status(c), c)
	}
	assert.Equal(t, 404, Status(CodeInvalidSession))
	assert.Equal(t, 415, Status(CodeUnsupportedMediaType))
	assert.Equal(t, 500, Status("NO_SUCH_CODE"))
}

func TestAppendEvent(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891_000_000, time.UTC)
	h := EventHeader{Name: "graph:node-updated", SessionID: "s1", Seq: 7, Timestamp: at, CommandID: "c<1>"}
	got := AppendEvent(nil, h, []byte(` {"node_id":"n1"} `))
	assert.JSONEq(t, `{"event":"graph:node-updated","session_id":"s1","project_id":null,"seq":7,
		"timestamp":"2026-03-04T05:06:07.891Z","command_id":"c<1>","node_id":"n1"}`, string(got))

	h.ProjectID, h.CommandID = "p1", ""
	assert.JSONEq(t, `{"event":"graph:node-updated","session_id":"s1","project_id":"p1","seq":7,
		"timestamp":"2026-03-04T05:06:07.891Z"}`, string(AppendEvent(nil, h, nil)))
	assert.JSONEq(t, `{"event":"graph:node-updated","session_id":"s1","project_id":"p1","seq":7,
		"timestamp":"2026-03-04T05:06:07.891Z","data":[1,2]}`, string(AppendEvent(nil, h, []byte("[1,2]"))))
}

func TestLegacyNames(t *testing.T) {
	for in, want := range map[string]string{
		model.EventNodeCreated:      "node-created",
		model.EventPropertyChanged:  "property-changed",
		model.EventCommandExecuting: "command:executing",
		model.EventSessionClosed:    "session:closed",
	} {
		assert.Equal(t, want, LegacyName(in))
		assert.Equal(t, in, CanonicalName(LegacyName(in)))
	}
}

func TestBearerToken(t *testing.T) {
	for header, want := range map[string]string{
		"Bearer abc":     "abc",
		"bearer abc":     "abc",
		"BEARER  abc ":   "abc",
		"Basic abc":      "",
		"Bearer":         "",
		"Bearer ":        "",
		"":               "",
		"Bearerabc":      "",
		"Token abc":      "",
		" Bearer x y z ": "x y z",
	} {
		got, ok := BearerToken(header)
		assert.Equal(t, want, got, "%q", header)
		assert.Equal(t, want != "", ok, "%q", header)
	}
}

// FuzzBearerToken: any Authorization header is read without a panic; a
// token read back is the header's second word, trimmed, never empty.
func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer  x ", "Basic x", "", "Bearer", " \t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token, ok := BearerToken(header)
		if !ok {
			require.Empty(t, token)
			return
		}
		require.NotEmpty(t, token)
		require.Equal(t, strings.TrimSpace(token), token)
		require.Contains(t, header, token)
	})
}

// TestAppendEventOf: a payload encoded straight into the event is the
// same event as the payload marshaled and merged.
func TestAppendEventOf(t *testing.T) {
	h := EventHeader{Name: "graph:node-updated", SessionID: "s1", Seq: 7, Timestamp: time.Date(2026, 3, 4, 5, 6, 7, 891e6, time.UTC), CommandID: "c"}
	for _, p := range []any{
		model.PropertyChanged{NodeID: "n", PropertyID: "p", NewValue: "v"},
		map[string]any{"a": 1},
		map[string]any{},
		[]int{1, 2},
		"text",
		struct{}{},
	} {
		raw, err := json.Marshal(p)
		require.NoError(t, err)
		got, err := AppendEventOf([]byte("x"), h, p)
		require.NoError(t, err)
		assert.Equal(t, "x"+string(AppendEvent(nil, h, raw)), string(got), "%#v", p)
	}
	got, err := AppendEventOf(nil, h, nil)
	require.NoError(t, err)
	assert.Equal(t, string(AppendEvent(nil, h, nil)), string(got))
	got, err = AppendEventOf(nil, h, map[string]any{"bad": math.NaN()})
	require.Error(t, err)
	assert.Equal(t, string(AppendEvent(nil, h, nil)), string(got), "without the payload that failed")
}

// TestEventSplitRebuilds: an event kept as its payload alone (AppendPayload
// of what AppendEventSplit says is the payload's part) comes back as the
// same bytes through AppendEvent and the envelope.
func TestEventSplitRebuilds(t *testing.T) {
	for _, h := range []EventHeader{
		{Name: "graph:node-updated", SessionID: "s1", ProjectID: "p1", Seq: 7, Timestamp: time.Date(2026, 3, 4, 5, 6, 7, 891e6, time.UTC), CommandID: "c"},
		{Name: "session:connected", SessionID: "s1", Seq: 1, Timestamp: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)},
	} {
		for _, p := range []any{
			model.PropertyChanged{NodeID: "n", PropertyID: "p", NewValue: "v<"},
			map[string]any{"a": 1},
			map[string]any{},
			[]int{1, 2},
			"text",
			nil,
		} {
			out, fields, err := AppendEventSplit([]byte("x"), h, p)
			require.NoError(t, err)
			payload := AppendPayload(nil, out[fields:])
			require.True(t, json.Valid(payload), "%s", payload)
			assert.Equal(t, string(out[1:]), string(AppendEvent(nil, h, payload)), "%#v", p)
			assert.Equal(t, string(out[:fields]), string(AppendEvent([]byte("x"), h, nil)[:fields]), "the envelope comes first")
		}
	}
}

// TestRepliesMatchEncodingJSON: replies and graphs write json.Marshal's
// bytes.
func TestRepliesMatchEncodingJSON(t *testing.T) {
	tree := []model.TreeNode{{ID: "r", Name: "Car", Type: "project_root", Properties: map[string]any{"vin": "1<2"},
		Children: []model.TreeNode{{ID: "p", Name: "Body", Type: "phase", Properties: map[string]any{}, Children: []model.TreeNode{}}}}}
	roots, err := RootsFrom(tree)
	require.NoError(t, err)
	g := NewGraph(roots)
	empty := NewGraph(Roots{})
	for i, v := range []interface{ AppendJSON([]byte) ([]byte, error) }{
		g, empty, Graph{},
		ExecuteReply{Success: true, CommandID: "c", CommandType: "CreateNode", Result: "n1", NodeID: "n1", Seq: 9, UndoAvailable: true, IsDirty: true, Graph: &g},
		ExecuteReply{CommandType: "Batch", Result: []any{"a", nil}},
	} {
		want, err := json.Marshal(v)
		require.NoError(t, err)
		got, err := v.AppendJSON(nil)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%d", i)
	}
	want, err := json.Marshal(struct {
		Roots []model.TreeNode `json:"roots"`
	}{tree})
	require.NoError(t, err)
	got, err := g.AppendJSON(nil)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "the encoded forest is the TreeNodes' JSON")
	back, err := g.Roots.Nodes()
	require.NoError(t, err)
	assert.Equal(t, tree, back)
}

// TestAppendTime: the hand-written timestamp is time.Format's with
// TimeLayout, for times in every part of the range and every zone.
func TestAppendTime(t *testing.T) {
	zone := time.FixedZone("x", -7*3600-30*60)
	for _, tm := range []time.Time{
		time.Date(2026, 12, 6, 3, 4, 5, 6789e5, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2000, 2, 29, 12, 0, 0, 1e6, zone),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(0, 0),
		time.Now(),
	} {
		assert.Equal(t, tm.UTC().Format(TimeLayout), string(AppendTime(nil, tm)), "%v", tm)
	}
}

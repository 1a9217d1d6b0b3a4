package http

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model"
)

func TestToWire(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		status  int
		code    string
		message string
		details map[string]any
	}{
		{"node not found, wrapped", fmt.Errorf("get %q: %w", "n1", model.ErrNodeNotFound), 404, "NODE_NOT_FOUND", "", nil},
		{"invalid command", &model.InvalidCommandError{Rule: "cycle", Reason: "a node cannot be its own ancestor"}, 400, "INVALID_COMMAND", "", map[string]any{"rule": "cycle"}},
		{"invalid request", &model.InvalidRequestError{Field: "node_id", Reason: "required"}, 400, "INVALID_REQUEST", "", map[string]any{"field": "node_id"}},
		{"session", actors.ErrSessionNotFound, 404, "INVALID_SESSION", "", nil},
		{"project", actors.ErrProjectNotFound, 404, "PROJECT_NOT_FOUND", "", nil},
		{"no project", actors.ErrNoProject, 409, "NO_PROJECT", "", nil},
		{"template", model.ErrTemplateNotFound, 404, "TEMPLATE_NOT_FOUND", "", nil},
		{"undo", model.ErrNothingToUndo, 400, "NOTHING_TO_UNDO", "", nil},
		{"redo", model.ErrNothingToRedo, 400, "NOTHING_TO_REDO", "", nil},
		{"history gone", &actors.HistoryGoneError{After: 2, Seq: 90}, 410, "HISTORY_GONE", "", map[string]any{"seq": uint64(90), "after_seq": uint64(2)}},
		{"body too large", &nethttp.MaxBytesError{Limit: 10}, 413, "PAYLOAD_TOO_LARGE", "", map[string]any{"limit": int64(10)}},
		{"unavailable keeps its cause out", fmt.Errorf("registry pid 7: %w", actors.ErrUnavailable), 503, "UNAVAILABLE", "", nil},
		{"unknown error is internal", errors.New("disk /var/x exploded"), 500, "INTERNAL_ERROR", "internal server error", nil},
		{"model bug is internal", fmt.Errorf("%w: index out of range", model.ErrInternal), 500, "INTERNAL_ERROR", "internal server error", nil},
		{"edge error", badRequest("x must be %d", 1), 400, "INVALID_REQUEST", "x must be 1", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			we, status := toWire(tc.err)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, tc.code, we.Code)
			assert.NotEmpty(t, we.Message)
			if tc.message != "" {
				assert.Equal(t, tc.message, we.Message)
			}
			assert.Equal(t, tc.details, we.Details)
		})
	}
}

// TestAbandonedRequestsAreNotErrors: a 503 for a client that already left
// (its request context is done) is logged at info, not as a server error;
// the same 503 for a client still waiting is an error.
func TestAbandonedRequestsAreNotErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cancel bool
		level  string
	}{
		{"client waiting", false, "level=ERROR"},
		{"client gone", true, "level=INFO"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			s := New(Config{}, nil, nil, slog.New(slog.NewTextHandler(&logs, nil)))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				cancel()
			}
			r := httptest.NewRequest("POST", "/api/v1/sessions", nil).WithContext(ctx)
			w := httptest.NewRecorder()
			s.writeError(w, r, fmt.Errorf("%w: %w", actors.ErrUnavailable, context.Canceled))
			assert.Equal(t, nethttp.StatusServiceUnavailable, w.Code)
			assert.Contains(t, logs.String(), tc.level)
		})
	}
}

// TestUnencodableReply: a reply that cannot be encoded is answered with the
// wire's internal error, whole, however often it is written.
func TestUnencodableReply(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for range 2 {
		w := httptest.NewRecorder()
		s.writeJSON(w, httptest.NewRequest(nethttp.MethodGet, "/x", nil), nethttp.StatusOK, map[string]any{"bad": math.NaN()})
		assert.Equal(t, nethttp.StatusInternalServerError, w.Code)
		assert.JSONEq(t, `{"error":{"code":"INTERNAL_ERROR","message":"internal server error"}}`, w.Body.String())
		assert.True(t, strings.HasSuffix(w.Body.String(), "}\n"))
	}
}

package http

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model"
)

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testServer is the REST server over an in-memory session layer, logging
// at level to out; it returns a session with a project and its root.
func testServer(tb testing.TB, level slog.Level, out io.Writer) (h nethttp.Handler, sid, root string) {
	tb.Helper()
	cat, errs := model.LoadCatalog("")
	require.Empty(tb, errs)
	log := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level}))
	sessions, err := actors.Start(actors.Config{Catalog: cat, Logger: log, RequestTimeout: time.Minute})
	require.NoError(tb, err)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sessions.Stop(ctx)
	})
	p, err := sessions.CreateProject(context.Background(), "", "restomod", "Car")
	require.NoError(tb, err)
	roots, err := p.Roots.Nodes()
	require.NoError(tb, err)
	srv := New(Config{}, sessions, cat, log)
	return srv.Guard(srv), p.SessionID, roots[0].ID
}

func rename(h nethttp.Handler, sid, root, requestID string) *httptest.ResponseRecorder {
	body := `{"session_id":"` + sid + `","command_type":"RenameNode","include_graph":false,"data":{"node_id":"` + root + `","name":"Camaro"}}`
	r := httptest.NewRequest(nethttp.MethodPost, "http://127.0.0.1:5000/api/v1/commands/execute", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if requestID != "" {
		r.Header.Set("X-Request-ID", requestID)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestRequestIDs: every reply carries a request id, the client's when it
// sent a plain one, else a new one, unique, whether or not requests are
// logged.
func TestRequestIDs(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelWarn} {
		t.Run(level.String(), func(t *testing.T) {
			h, sid, root := testServer(t, level, io.Discard)
			seen := map[string]bool{}
			for range 50 {
				w := rename(h, sid, root, "")
				require.Equal(t, nethttp.StatusOK, w.Code, w.Body.String())
				id := w.Header().Get("X-Request-ID")
				assert.Regexp(t, `^[A-Z2-7]{16}$`, id)
				assert.False(t, seen[id], "id %s given twice", id)
				seen[id] = true
			}
			assert.Equal(t, "client-7.a_b", rename(h, sid, root, "client-7.a_b").Header().Get("X-Request-ID"))
			assert.NotEqual(t, "bad id!", rename(h, sid, root, "bad id!").Header().Get("X-Request-ID"))
		})
	}
}

// TestRequestLogLine: at the info level each request has its line, with
// its id, route, session and status; at warn it has none.
func TestRequestLogLine(t *testing.T) {
	var logs syncBuffer
	h, sid, root := testServer(t, slog.LevelInfo, &logs)
	require.Equal(t, nethttp.StatusOK, rename(h, sid, root, "req-1").Code)
	line := logs.String()
	for _, want := range []string{`msg="http request"`, "request_id=req-1", "route=/api/v1/commands/execute", "session=" + sid, "status=200"} {
		assert.Contains(t, line, want)
	}

	var quiet syncBuffer
	h, sid, root = testServer(t, slog.LevelWarn, &quiet)
	require.Equal(t, nethttp.StatusOK, rename(h, sid, root, "req-2").Code)
	assert.NotContains(t, quiet.String(), "http request")
}

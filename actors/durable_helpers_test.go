package actors

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors/store"
)

// openStore opens a store in dir for one test; it is closed at the end
// unless the test closed it first.
func openStore(tb testing.TB, dir string, opts store.Options) *store.Store {
	tb.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	st, err := store.Open(dir, opts)
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = st.Close() })
	return st
}

// startDurable runs a session layer on a store in dir. Cleanups run last
// first: the sessions stop before the store closes.
func startDurable(tb testing.TB, dir string, cfg Config) (*Client, *store.Store) {
	tb.Helper()
	st := openStore(tb, dir, store.Options{})
	cfg.Store = st
	return start(tb, cfg), st
}

// restart stops s and closes st the way a clean shutdown does, then starts
// again on the same directory.
func restart(tb testing.TB, s *Client, st *store.Store, cfg Config) (*Client, *store.Store) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	require.NoError(tb, s.Stop(ctx))
	require.NoError(tb, st.Close())
	return startDurable(tb, st.Dir(), cfg)
}

// eventView is an Event without Data: a restored event carries its JSON as
// Data instead of the typed payload, and every other field is kept.
type eventView struct {
	Seq       uint64
	Name      string
	SessionID string
	ProjectID string
	CommandID string
	Timestamp time.Time
	JSON      string
}

func views(evs []*Event) []eventView {
	out := make([]eventView, len(evs))
	for i, ev := range evs {
		out[i] = eventView{ev.Seq, ev.Name, ev.SessionID, ev.ProjectID, ev.CommandID, ev.Timestamp, string(ev.JSON)}
	}
	return out
}

// sessionState is everything a client can observe of a session.
type sessionState struct {
	Tree    *Tree
	Info    *Info
	History []eventView
}

func observe(tb testing.TB, s *Client, sid string) sessionState {
	tb.Helper()
	ctx := context.Background()
	evs, seq, err := allEventsAfter(ctx, s, sid, 0)
	require.NoError(tb, err)
	st := sessionState{History: views(evs)}
	if t, err := s.Tree(ctx, sid); err == nil {
		st.Tree = t
	} else {
		require.ErrorIs(tb, err, ErrNoProject)
	}
	// Info last: it is the one request that is not activity.
	st.Info, err = s.Info(ctx, sid)
	require.NoError(tb, err)
	require.Equal(tb, st.Info.Seq, seq)
	return st
}

// requireSameState compares what survives a restart: everything but the
// client count (clients do not survive it) and the last activity (observing
// is activity).
func requireSameState(tb testing.TB, want, got sessionState) {
	tb.Helper()
	w, g := *want.Info, *got.Info
	w.ActiveClients, g.ActiveClients = 0, 0
	w.LastActivity, g.LastActivity = time.Time{}, time.Time{}
	require.Equal(tb, w, g)
	require.Equal(tb, want.Tree, got.Tree)
	require.Equal(tb, want.History, got.History)
}

// waitFor polls cond until it holds, failing after waitLimit.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// lastSegment returns the path of the newest journal segment.
func lastSegment(tb testing.TB, dir string) string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "journal", "*.wal"))
	require.NoError(tb, err)
	require.NotEmpty(tb, paths)
	slices.Sort(paths) // fixed-width hex names sort by number
	for i := len(paths) - 1; i >= 0; i-- {
		if fi, err := os.Stat(paths[i]); err == nil && fi.Size() > 0 {
			return paths[i]
		}
	}
	tb.Fatal("every segment is empty")
	return ""
}

// logBuffer collects log output for assertions.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

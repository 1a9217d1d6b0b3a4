package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors"
	talushttp "github.com/talus-tally/server/http"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/ws"
)

// ourServer is the Go server in this process (REST and sockets on one
// httptest listener on 127.0.0.1), with in-memory sessions.
func ourServer(tb testing.TB) string {
	tb.Helper()
	catalog, errs := model.LoadCatalog("")
	require.Empty(tb, errs)
	log := slog.New(slog.DiscardHandler)
	sessions, err := actors.Start(actors.Config{Catalog: catalog, Logger: log})
	require.NoError(tb, err)
	sockets := ws.New(ws.Config{Logger: log}, sessions)
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", sockets)
	mux.Handle("/", talushttp.New(talushttp.Config{}, sessions, catalog, log))
	srv := httptest.NewServer(mux)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = sockets.Shutdown(ctx)
		srv.Close()
		_ = sessions.Stop(ctx)
	})
	return srv.URL
}

// runJSON runs the tool with -json and returns its report and error.
func runJSON(tb testing.TB, args ...string) (Report, error) {
	tb.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append(args, "-json", "-timeout", "60s"), &out)
	var rep Report
	require.NoError(tb, json.Unmarshal(out.Bytes(), &rep), "output: %s (run: %v)", out.String(), err)
	return rep, err
}

// Every watcher receives every event of its session, over each transport,
// with commands over REST and sockets; the counts add up exactly.
func TestRunDeliversEverything(t *testing.T) {
	url := ourServer(t)
	rep, err := runJSON(t, "-url", url, "-sessions", "3", "-watchers", "4", "-transport", "mixed", "-via", "mixed",
		"-mix", "update", "-commands", "60", "-warmup", "6", "-parallel", "3")
	require.NoError(t, err)
	require.True(t, rep.Pass)
	require.EqualValues(t, 60, rep.OK)
	// UpdateProperty causes three events (executing, property-changed,
	// executed); each session gets 20 commands and has 4 watchers.
	require.EqualValues(t, 60*3*4, rep.Events)
	require.EqualValues(t, 60*3*4, rep.Delivery.Count)
	require.Zero(t, rep.ViolationCount)
	require.Empty(t, rep.Errors)
}

// The crud mix, graph in every reply, creates, updates, renames and
// deletes without a single refused command.
func TestRunCrudMix(t *testing.T) {
	url := ourServer(t)
	rep, err := runJSON(t, "-url", url, "-sessions", "2", "-watchers", "1", "-commands", "120", "-parallel", "2",
		"-include-graph", "-max-nodes", "6")
	require.NoError(t, err)
	require.EqualValues(t, 120, rep.OK)
	require.EqualValues(t, 120*3, rep.Events)
}

// Connection-only runs (no commands) report memory and pass.
func TestRunConnectOnly(t *testing.T) {
	url := ourServer(t)
	rep, err := runJSON(t, "-url", url, "-sessions", "2", "-watchers", "2", "-commands", "0", "-project-nodes", "30")
	require.NoError(t, err)
	require.True(t, rep.Pass)
	require.Zero(t, rep.Issued)
}

func TestRunRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-sessions", "0"},
		{"-via", "socket"}, // no watchers to send on
		{"-transport", "carrier-pigeon"},
		{"-url", "http://192.0.2.1:5000"}, // not this machine
		{"-url", "http://example.com"},
	} {
		require.Error(t, run(context.Background(), args, &bytes.Buffer{}), "%v", args)
	}
}

// A command the server refuses is counted by kind and fails the run.
func TestRunCountsErrors(t *testing.T) {
	f := newFakeServer(t, "refuse")
	rep, err := runJSON(t, "-url", f.url, "-watchers", "1", "-mix", "update", "-commands", "10")
	require.Error(t, err)
	require.False(t, rep.Pass)
	require.Equal(t, map[string]int{"http 503 UNAVAILABLE": 1}, rep.Errors)
}

// Each fault of the fake server's events shows as its violation and fails
// the run: the tool does not pass a server that loses, reorders or leaks
// events.
func TestRunFailsOnBadDelivery(t *testing.T) {
	for fault, want := range map[string]string{
		"gap":      vGap,
		"reorder":  vOutOfOrder,
		"foreign":  vForeign,
		"drop":     vMissing,
		"hangup":   vDropped,
		"slow":     vSlow,
		"preempts": vBeforeJoin,
	} {
		t.Run(fault, func(t *testing.T) {
			f := newFakeServer(t, fault)
			rep, err := runJSON(t, "-url", f.url, "-watchers", "2", "-mix", "update", "-commands", "10", "-drain", "500ms")
			require.Error(t, err)
			require.False(t, rep.Pass)
			require.Contains(t, rep.Violations, want, "violations: %v", rep.Violations)
		})
	}
	f := newFakeServer(t, "")
	rep, err := runJSON(t, "-url", f.url, "-watchers", "2", "-mix", "update", "-commands", "10")
	require.NoError(t, err, "the fake server without a fault passes")
	require.EqualValues(t, 10*3*2, rep.Events)
}

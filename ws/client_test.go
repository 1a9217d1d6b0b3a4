package ws_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
	"github.com/talus-tally/server/ws"
	"github.com/talus-tally/server/ws/engineio"
	"github.com/talus-tally/server/ws/sioclient"
)

// fixture is a socket layer over real session actors on 127.0.0.1.
type fixture struct {
	url      string
	sessions *actors.Client
}

func start(tb testing.TB, cfg ws.Config) *fixture {
	tb.Helper()
	return startWith(tb, cfg, actors.Config{})
}

// startWith is start with the session layer configured as acfg says.
func startWith(tb testing.TB, cfg ws.Config, acfg actors.Config) *fixture {
	tb.Helper()
	catalog, errs := model.LoadCatalog("")
	require.Empty(tb, errs)
	log := slog.New(slog.DiscardHandler)
	acfg.Catalog, acfg.Logger = catalog, log
	sessions, err := actors.Start(acfg)
	require.NoError(tb, err)
	cfg.Logger = log
	srv := ws.New(cfg, sessions)
	hs := httptest.NewServer(srv)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(tb, srv.Shutdown(ctx))
		hs.Close()
		assert.NoError(tb, sessions.Stop(ctx))
	})
	return &fixture{url: hs.URL, sessions: sessions}
}

func ctx(tb testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	tb.Cleanup(cancel)
	return c
}

// project opens a restomod project and returns its session and root.
func (f *fixture) project(tb testing.TB) (string, string) {
	p, err := f.sessions.CreateProject(ctx(tb), "", "restomod", "Car")
	require.NoError(tb, err)
	roots, err := p.Roots.Nodes()
	require.NoError(tb, err)
	return p.SessionID, roots[0].ID
}

func dial(tb testing.TB, f *fixture, auth any) *sioclient.Client {
	c, err := sioclient.Dial(ctx(tb), f.url, "/graph", auth, 1024)
	require.NoError(tb, err)
	tb.Cleanup(func() { c.Close() })
	return c
}

// next returns the next event named one of names, skipping others.
func next(tb testing.TB, c *sioclient.Client, names ...string) map[string]any {
	tb.Helper()
	_, m := nextNamed(tb, c, names...)
	return m
}

// nextNamed is next that also says which of names came.
func nextNamed(tb testing.TB, c *sioclient.Client, names ...string) (string, map[string]any) {
	tb.Helper()
	deadline := time.After(10 * time.Second)
	match := func(ev sioclient.Event) (string, map[string]any, bool) {
		for _, n := range names {
			if ev.Name == n {
				var m map[string]any
				if len(ev.Args) > 0 {
					require.NoError(tb, json.Unmarshal(ev.Args[0], &m))
				}
				return n, m, true
			}
		}
		return "", nil, false
	}
	for {
		select {
		case ev := <-c.Events():
			if n, m, ok := match(ev); ok {
				return n, m
			}
		case <-c.Done():
			// The events the connection delivered before it ended may
			// still wait in the channel: select picks either when both
			// are ready.
			for {
				select {
				case ev := <-c.Events():
					if n, m, ok := match(ev); ok {
						return n, m
					}
					continue
				default:
				}
				break
			}
			tb.Fatalf("connection ended waiting for %v: %v", names, c.Err())
		case <-deadline:
			tb.Fatalf("no %v event", names)
		}
	}
}

func call(tb testing.TB, c *sioclient.Client, event string, arg any) map[string]any {
	tb.Helper()
	args, err := c.Call(ctx(tb), event, arg)
	require.NoError(tb, err)
	require.NotEmpty(tb, args)
	var m map[string]any
	require.NoError(tb, json.Unmarshal(args[0], &m))
	return m
}

func TestJoinExecuteAndEvents(t *testing.T) {
	f := start(t, ws.Config{})
	sid, root := f.project(t)
	a := dial(t, f, nil)
	joined := call(t, a, "join_session", map[string]string{"session_id": sid})
	assert.Equal(t, sid, joined["session_id"])
	assert.EqualValues(t, 1, joined["active_clients"])
	b := dial(t, f, map[string]string{"session_id": sid}) // joins at connect
	assert.Equal(t, sid, next(t, b, "joined")["session_id"])
	assert.EqualValues(t, 1, next(t, a, "session:connected")["client_count"], "a's own arrival first")
	assert.EqualValues(t, 2, next(t, a, "session:connected")["client_count"])

	res := call(t, a, "execute_command", map[string]any{
		"command_type": "CreateNode", "command_id": "c-1", "include_graph": false,
		"data": map[string]any{"parent_id": root, "blueprint_type_id": "phase", "name": "Body"},
	})
	require.Equal(t, true, res["success"], res)
	assert.Equal(t, "c-1", res["command_id"])
	assert.NotContains(t, res, "graph")
	for _, c := range []*sioclient.Client{a, b} {
		ev := next(t, c, "graph:node-created")
		assert.Equal(t, res["node_id"], ev["node_id"])
		assert.Equal(t, "c-1", ev["command_id"])
		assert.Equal(t, sid, ev["session_id"])
		assert.Equal(t, "CreateNode", next(t, c, "command:executed")["command_type"])
	}

	undo := call(t, b, "undo", nil)
	assert.Equal(t, "CreateNode", undo["command_type"])
	assert.Equal(t, res["node_id"], next(t, a, "graph:node-deleted")["node_id"])
	assert.Equal(t, "CreateNode", next(t, a, "command:undo")["command_type"])

	pong := call(t, a, "ping", nil)
	ts, _ := pong["timestamp"].(string)
	parsed, err := time.Parse(wire.TimeLayout, ts)
	require.NoError(t, err, "pong timestamp %q", ts)
	assert.Equal(t, wire.Time(parsed), ts, "one layout: UTC, milliseconds")
}

func TestErrorsKeepTheConnection(t *testing.T) {
	f := start(t, ws.Config{})
	sid, root := f.project(t)
	c := dial(t, f, nil)
	tests := []struct {
		name  string
		event string
		arg   any
		code  string
	}{
		{"unknown session", "join_session", map[string]string{"session_id": "00000000-0000-4000-8000-000000000000"}, "INVALID_SESSION"},
		{"no session id", "join_session", map[string]string{}, "INVALID_REQUEST"},
		{"argument not an object", "join_session", "oops", "INVALID_REQUEST"},
		{"command before join", "execute_command", map[string]any{"command_type": "RenameNode", "data": map[string]any{"node_id": root, "name": "x"}}, "INVALID_REQUEST"},
		{"unknown command", "execute_command", map[string]any{"session_id": sid, "command_type": "Explode"}, "INVALID_COMMAND"},
		{"rule broken", "execute_command", map[string]any{"session_id": sid, "command_type": "CreateNode", "data": map[string]any{"parent_id": root, "blueprint_type_id": "task"}}, "INVALID_COMMAND"},
		{"nothing to redo", "redo", map[string]string{"session_id": sid}, "NOTHING_TO_REDO"},
		{"leave unjoined", "leave_session", map[string]string{"session_id": sid}, "INVALID_REQUEST"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := call(t, c, tc.event, tc.arg)
			assert.Equal(t, false, res["success"])
			assert.Equal(t, tc.code, res["error"].(map[string]any)["code"])
			assert.Equal(t, tc.code, next(t, c, "error")["code"])
		})
	}
	// Still connected and useful.
	assert.Equal(t, sid, call(t, c, "join_session", map[string]string{"session_id": sid})["session_id"])
}

func TestLegacyNamesAndReplay(t *testing.T) {
	f := start(t, ws.Config{})
	sid, root := f.project(t)
	_, err := f.sessions.Execute(ctx(t), sid, actors.ExecuteRequest{Command: model.RenameNode{NodeID: root, Name: "Renamed"}})
	require.NoError(t, err)

	c := dial(t, f, map[string]any{"session_id": sid, "last_seq": 0, "names": "legacy"})
	joined := next(t, c, "joined")
	// Everything from seq 1 comes again, in order, before live events.
	var seqs []float64
	for range int(joined["seq"].(float64)) {
		select {
		case ev := <-c.Events():
			var m map[string]any
			require.NoError(t, json.Unmarshal(ev.Args[0], &m))
			seqs = append(seqs, m["seq"].(float64))
			assert.NotContains(t, ev.Name, "graph:", "legacy names drop the graph: prefix")
		case <-time.After(10 * time.Second):
			t.Fatal("replay incomplete")
		}
	}
	for i, s := range seqs {
		assert.EqualValues(t, i+1, s)
	}
	_, err = f.sessions.Execute(ctx(t), sid, actors.ExecuteRequest{Command: model.RenameNode{NodeID: root, Name: "Again"}})
	require.NoError(t, err)
	assert.Equal(t, "Again", next(t, c, "node-updated")["changes"].(map[string]any)["name"].(map[string]any)["new"])
}

func TestSessionClosedReachesClients(t *testing.T) {
	f := start(t, ws.Config{})
	sid, _ := f.project(t)
	c := dial(t, f, map[string]string{"session_id": sid})
	next(t, c, "joined")
	require.NoError(t, f.sessions.Close(ctx(t), sid))
	assert.Equal(t, sid, next(t, c, "session:closed")["session_id"])
	// The membership is gone: a command without a session id has nowhere to go.
	res := call(t, c, "undo", nil)
	assert.Equal(t, "INVALID_REQUEST", res["error"].(map[string]any)["code"])
}

// TestTokenGuardsConnections: with a token configured, the Engine.IO
// handshake itself needs it (401 otherwise), in an Authorization header
// (any case of "Bearer") or a token query parameter.
func TestTokenGuardsConnections(t *testing.T) {
	f := start(t, ws.Config{Token: "s3cret"})
	base := "ws" + strings.TrimPrefix(f.url, "http") + "/socket.io/?EIO=4&transport=websocket"
	for name, tc := range map[string]struct {
		query  string
		header string
		want   int
	}{
		"none":            {want: 401},
		"wrong query":     {query: "&token=wrong", want: 401},
		"wrong scheme":    {header: "Basic s3cret", want: 401},
		"query":           {query: "&token=s3cret", want: 101},
		"header":          {header: "Bearer s3cret", want: 101},
		"header, lower":   {header: "bearer s3cret", want: 101},
		"header, spacing": {header: "BEARER   s3cret ", want: 101},
	} {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("Authorization", tc.header)
			}
			conn, res, err := websocket.DefaultDialer.Dial(base+tc.query, h)
			require.NotNil(t, res, "%v", err)
			assert.Equal(t, tc.want, res.StatusCode)
			if conn != nil {
				_, open, err := conn.ReadMessage()
				require.NoError(t, err)
				assert.Equal(t, byte('0'), open[0], "the open packet")
				conn.Close()
			}
		})
	}
}

// TestEventNamesDefault: a client that does not say how it wants events
// named gets the server's -event-names; legacy payloads carry the
// prototype's field names too, and "both" sends each graph event twice,
// ours first.
func TestEventNamesDefault(t *testing.T) {
	tests := []struct {
		server ws.EventNames
		auth   string // the client's own "names", "" for none
		want   []string
	}{
		{ws.NamesCanonical, "", []string{"graph:property-changed", "command:executed"}},
		{ws.NamesLegacy, "", []string{"property-changed", "command:executed"}},
		{ws.NamesBoth, "", []string{"graph:property-changed", "property-changed", "command:executed"}},
		{ws.NamesLegacy, "canonical", []string{"graph:property-changed", "command:executed"}},
		{ws.NamesCanonical, "both", []string{"graph:property-changed", "property-changed", "command:executed"}},
	}
	for _, tc := range tests {
		t.Run(tc.server.String()+"/"+tc.auth, func(t *testing.T) {
			f := start(t, ws.Config{EventNames: tc.server})
			sid, root := f.project(t)
			auth := map[string]any{"session_id": sid}
			if tc.auth != "" {
				auth["names"] = tc.auth
			}
			c := dial(t, f, auth)
			next(t, c, "joined")
			_, err := f.sessions.Execute(ctx(t), sid, actors.ExecuteRequest{Command: model.UpdateProperty{NodeID: root, PropertyID: "vin", Value: "hi"}})
			require.NoError(t, err)
			var got []string
			for len(got) == 0 || got[len(got)-1] != "command:executed" {
				name, ev := nextNamed(t, c, "graph:property-changed", "property-changed", "command:executed")
				got = append(got, name)
				if name == "property-changed" {
					assert.Equal(t, root, ev["id"], "the prototype reads id")
					assert.Equal(t, "vin", ev["property_name"], "the prototype reads property_name")
				}
				if name == "graph:property-changed" {
					assert.NotContains(t, ev, "property_name", "our form is unchanged")
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestUnknownEventNamesRefused(t *testing.T) {
	f := start(t, ws.Config{})
	_, err := sioclient.Dial(ctx(t), f.url, "/graph", map[string]any{"names": "prototype"}, 16)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "canonical, legacy or both")
}

// TestCatchUpOverBudgetResyncs: a client that joins further behind than
// its connection can buffer gets joined and then session:resync (the graph
// and its seq) instead of the missed events, which would have closed its
// connection on every rejoin; it stays connected and gets live events after.
// Here the bound is (16 KiB buffered - 4 KiB queue) / 2 = 6 KiB of events.
func TestCatchUpOverBudgetResyncs(t *testing.T) {
	const budget = 4 << 10
	f := start(t, ws.Config{Engine: engineio.Config{MaxQueueBytes: budget, MaxBufferedBytes: 4 * budget}})
	sid, root := f.project(t)
	name := strings.Repeat("n", 200)
	for i := range 40 { // about 40 * 700 bytes of events: well past the bound
		_, err := f.sessions.Execute(ctx(t), sid, actors.ExecuteRequest{Command: model.RenameNode{NodeID: root, Name: fmt.Sprint(name, i)}})
		require.NoError(t, err)
	}
	tr, err := f.sessions.Tree(ctx(t), sid)
	require.NoError(t, err)

	c := dial(t, f, map[string]any{"session_id": sid, "last_seq": 0})
	joined := next(t, c, "joined")
	ev, m := nextNamed(t, c, "session:resync", "graph:node-updated", "command:executed")
	require.Equal(t, "session:resync", ev, "the missed events are not replayed")
	assert.Equal(t, joined["seq"], m["seq"])
	assert.EqualValues(t, tr.Seq, m["seq"])
	roots := m["graph"].(map[string]any)["roots"].([]any)
	assert.Equal(t, fmt.Sprint(name, 39), roots[0].(map[string]any)["name"])

	_, err = f.sessions.Execute(ctx(t), sid, actors.ExecuteRequest{Command: model.RenameNode{NodeID: root, Name: "live"}})
	require.NoError(t, err)
	assert.Equal(t, "live", next(t, c, "graph:node-updated")["changes"].(map[string]any)["name"].(map[string]any)["new"], "still connected, live events follow")

	// Within the budget the events themselves come.
	last := tr.Seq - 1
	d := dial(t, f, map[string]any{"session_id": sid, "last_seq": last})
	next(t, d, "joined")
	_, m = nextNamed(t, d, "session:resync", "command:executed")
	assert.EqualValues(t, tr.Seq, m["seq"], "the one missed event, not a resync")
}

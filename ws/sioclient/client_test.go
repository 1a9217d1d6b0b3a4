package sioclient_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/ws"
	"github.com/talus-tally/server/ws/sioclient"
)

// server is our socket layer over real session actors on 127.0.0.1, with
// one restomod project open.
func server(tb testing.TB, cfg ws.Config) (url, sid, root string) {
	tb.Helper()
	catalog, errs := model.LoadCatalog("")
	require.Empty(tb, errs)
	log := slog.New(slog.DiscardHandler)
	sessions, err := actors.Start(actors.Config{Catalog: catalog, Logger: log})
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
	p, err := sessions.CreateProject(testCtx(tb), "", "restomod", "Car")
	require.NoError(tb, err)
	roots, err := p.Roots.Nodes()
	require.NoError(tb, err)
	return hs.URL, p.SessionID, roots[0].ID
}

func testCtx(tb testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	tb.Cleanup(cancel)
	return c
}

type envelope struct {
	Event     string `json:"event"`
	SessionID string `json:"session_id"`
	Seq       uint64 `json:"seq"`
	CommandID string `json:"command_id"`
}

func next(tb testing.TB, c *sioclient.Client) (string, envelope) {
	tb.Helper()
	select {
	case ev := <-c.Events():
		var e envelope
		require.NotEmpty(tb, ev.Args, ev.Name)
		require.NoError(tb, json.Unmarshal(ev.Args[0], &e))
		return ev.Name, e
	case <-c.Done():
		tb.Fatalf("connection ended: %v", c.Err())
	case <-time.After(10 * time.Second):
		tb.Fatal("no event within 10s")
	}
	return "", envelope{}
}

// Each transport joins, runs commands through acks (several at once, so
// that polling batches its POSTs) and receives every event, in seq order.
func TestTransports(t *testing.T) {
	for _, transport := range []string{sioclient.WebSocket, sioclient.Polling} {
		t.Run(transport, func(t *testing.T) {
			url, sid, root := server(t, ws.Config{})
			c, err := sioclient.DialOptions(testCtx(t), url, sioclient.Options{Namespace: "/graph", Buffer: 256, Transport: transport})
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })

			ack, err := c.Call(testCtx(t), "join_session", map[string]string{"session_id": sid})
			require.NoError(t, err)
			var joined struct{ Seq uint64 }
			require.NoError(t, json.Unmarshal(ack[0], &joined))
			name, _ := next(t, c)
			require.Equal(t, "joined", name)

			const n = 8
			errs := make(chan error, n)
			for i := range n {
				go func() {
					_, err := c.Call(testCtx(t), "execute_command", map[string]any{
						"command_type": "RenameNode", "include_graph": false,
						"data": map[string]any{"node_id": root, "name": "Car " + string(rune('A'+i))},
					})
					errs <- err
				}()
			}
			for range n {
				require.NoError(t, <-errs)
			}
			want := joined.Seq + 1
			renamed := 0
			for want <= joined.Seq+1+3*n { // session:connected, then three events per command
				name, e := next(t, c)
				require.Equal(t, sid, e.SessionID)
				require.Equal(t, want, e.Seq, name)
				want++
				if name == "graph:node-updated" {
					renamed++
				}
			}
			require.Equal(t, n, renamed)
		})
	}
}

func TestPollingRefusedNamespace(t *testing.T) {
	url, _, _ := server(t, ws.Config{})
	_, err := sioclient.DialOptions(testCtx(t), url, sioclient.Options{Namespace: "/nope", Transport: sioclient.Polling})
	require.ErrorContains(t, err, "connect refused")
}

func TestDialHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := sioclient.DialOptions(ctx, "http://127.0.0.1:1", sioclient.Options{Transport: sioclient.Polling})
	require.Error(t, err)
}

// Heartbeats keep an idle connection of either transport open: the server
// pings every 20ms and closes a client that misses a pong for a second, and
// the test waits past that. (A client that never answered would be gone.)
func TestHeartbeat(t *testing.T) {
	for _, transport := range []string{sioclient.WebSocket, sioclient.Polling} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			cfg := ws.Config{}
			cfg.Engine.PingInterval = 20 * time.Millisecond
			cfg.Engine.PingTimeout = time.Second
			url, sid, _ := server(t, cfg)
			c, err := sioclient.DialOptions(testCtx(t), url, sioclient.Options{Namespace: "/graph", Buffer: 16, Transport: transport})
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })
			select {
			case <-c.Done():
				t.Fatalf("connection ended: %v", c.Err())
			case <-time.After(2500 * time.Millisecond): // many pings, each answered
			}
			_, err = c.Call(testCtx(t), "join_session", map[string]string{"session_id": sid})
			require.NoError(t, err)
		})
	}
}

// OnEvent gets every event on the reader goroutine, in order, and nothing
// once Done is closed.
func TestOnEvent(t *testing.T) {
	url, sid, root := server(t, ws.Config{})
	var mu sync.Mutex
	var names []string
	closed := false
	c, err := sioclient.DialOptions(testCtx(t), url, sioclient.Options{Namespace: "/graph", OnEvent: func(ev sioclient.Event) {
		mu.Lock()
		defer mu.Unlock()
		if closed {
			t.Errorf("event %s after Done", ev.Name)
		}
		names = append(names, ev.Name)
	}})
	require.NoError(t, err)
	_, err = c.Call(testCtx(t), "join_session", map[string]string{"session_id": sid})
	require.NoError(t, err)
	_, err = c.Call(testCtx(t), "execute_command", map[string]any{
		"command_type": "RenameNode", "include_graph": false, "data": map[string]any{"node_id": root, "name": "Truck"},
	})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(names) == 5
	}, 10*time.Second, time.Millisecond)
	require.NoError(t, c.Close())
	<-c.Done()
	mu.Lock()
	closed = true
	require.Equal(t, []string{"joined", "session:connected", "command:executing", "graph:node-updated", "command:executed"}, names)
	mu.Unlock()
	select {
	case ev := <-c.Events():
		t.Fatalf("Events got %s although OnEvent is set", ev.Name)
	default:
	}
}

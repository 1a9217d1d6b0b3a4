package ws_test

import (
	"context"
	"encoding/json"
	"fmt"
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
)

// ownerRouter says every session is owned by the server at owner.
type ownerRouter struct {
	owner string

	mu        sync.Mutex
	forgotten int
}

func (r *ownerRouter) Route(context.Context, string) (string, error) { return r.owner, nil }

func (r *ownerRouter) Forget(string) {
	r.mu.Lock()
	r.forgotten++
	r.mu.Unlock()
}

// TestRelay: a client of server A joined to a session server B owns gets
// the join answer, then every event of the session once, in seq order:
// those it missed (last_seq), those its own commands through A cause, and
// those caused at B. When B goes away, A tells the client and closes its
// connection, so it reconnects and catches up.
func TestRelay(t *testing.T) {
	b := startOwner(t)
	sid, root := b.project(t)
	for i := range 3 { // history to catch up on
		_, err := b.sessions.Execute(ctx(t), sid, createPhase(root, "before", i))
		require.NoError(t, err)
	}
	router := &ownerRouter{owner: b.url}
	a := start(t, ws.Config{Router: router})

	c := dial(t, a, nil)
	missing := call(t, c, "join_session", map[string]any{"session_id": "00000000-0000-4000-8000-000000000000"})
	assert.Equal(t, "INVALID_SESSION", missing["error"].(map[string]any)["code"], "the owner's answer, relayed")
	assert.Equal(t, "INVALID_SESSION", next(t, c, "error")["code"])
	joined := call(t, c, "join_session", map[string]any{"session_id": sid, "last_seq": 0})
	assert.Equal(t, sid, joined["session_id"])
	seq := int64(joined["seq"].(float64))
	require.Positive(t, seq)

	res := call(t, c, "execute_command", map[string]any{
		"command_type": "CreateNode", "command_id": "via-a",
		"data": map[string]any{"parent_id": root, "blueprint_type_id": "phase", "name": "via A"},
	})
	require.Equal(t, true, res["success"], res)
	_, err := b.sessions.Execute(ctx(t), sid, createPhase(root, "at B", 0))
	require.NoError(t, err)
	tree, err := b.sessions.Tree(ctx(t), sid)
	require.NoError(t, err)
	roots, err := tree.Roots.Nodes()
	require.NoError(t, err)
	require.Len(t, roots[0].Children, 5, "the command sent to A ran at B")

	// Every event from 1 to B's seq, once, in order, across what was missed
	// and what came live.
	var got []int64
	deadline := time.After(10 * time.Second)
	for len(got) == 0 || got[len(got)-1] < int64(tree.Seq) {
		select {
		case ev := <-c.Events():
			var m map[string]any
			require.NoError(t, json.Unmarshal(ev.Args[0], &m))
			if s, ok := m["seq"].(float64); ok && ev.Name != "joined" {
				got = append(got, int64(s))
			}
		case <-deadline:
			t.Fatalf("events up to %d: got %v", tree.Seq, got)
		}
	}
	for i, s := range got {
		require.Equal(t, int64(i+1), s, "seq %d once, in order (%v)", i+1, got)
	}

	// B goes away: A's client is told, and its connection ends.
	require.NoError(t, b.srv.Shutdown(ctx(t)))
	errEv := next(t, c, "error")
	assert.Equal(t, "UNAVAILABLE", errEv["code"])
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the relayed client's connection did not end")
	}
	router.mu.Lock()
	defer router.mu.Unlock()
	assert.Positive(t, router.forgotten, "A forgets where the session was")
}

// owner is a socket layer whose shutdown the test drives.
type owner struct {
	*fixture
	srv *ws.Server
}

func startOwner(tb testing.TB) *owner {
	tb.Helper()
	catalog, errs := model.LoadCatalog("")
	require.Empty(tb, errs)
	log := slog.New(slog.DiscardHandler)
	sessions, err := actors.Start(actors.Config{Catalog: catalog, Logger: log})
	require.NoError(tb, err)
	srv := ws.New(ws.Config{Logger: log}, sessions)
	hs := httptest.NewServer(srv)
	tb.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Close()
		assert.NoError(tb, sessions.Stop(c))
	})
	return &owner{fixture: &fixture{url: hs.URL, sessions: sessions}, srv: srv}
}

func createPhase(parent, name string, i int) actors.ExecuteRequest {
	return actors.ExecuteRequest{Command: model.CreateNode{ParentID: parent, Type: "phase", Name: fmt.Sprintf("%s %d", name, i)}}
}

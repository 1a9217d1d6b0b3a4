package test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
)

// TestRealtimeReconnectLastSeq checks that a client coming back with
// last_seq gets joined, then every event it missed exactly once and in
// order, then live events, with changes racing the reconnect; through the
// CONNECT auth payload and through join_session.
func TestRealtimeReconnectLastSeq(t *testing.T) {
	s := startServer(t)
	a := startAgent(t)
	for _, tc := range []struct {
		name       string
		transports []string
		viaAuth    bool
	}{
		{"auth polling", []string{"polling"}, true},
		{"auth websocket", []string{"websocket"}, true},
		{"join_session polling", []string{"polling"}, false},
		{"join_session upgrade", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := s.newProject(t, tc.name)
			first, _ := a.dial(t, s, "first-"+tc.name, connectOpts{transports: tc.transports})
			first.join(t, p.sid)
			res := s.execute(t, p.sid, "RenameNode", map[string]any{"node_id": p.root, "name": "seen"})
			seen := first.waitSeq(t, seqOf(t, res["seq"]))
			lastSeq := seen[len(seen)-1].seq
			first.disconnect(t)
			first.waitType(t, "disconnect")

			// Changes while the client is away.
			for i := range 5 {
				s.createNode(t, p.sid, p.root, "phase", fmt.Sprint("missed ", i))
			}

			id := "second-" + tc.name
			var back *sock
			if tc.viaAuth {
				back = a.connect(t, s, id, connectOpts{transports: tc.transports, auth: map[string]any{"session_id": p.sid, "last_seq": lastSeq}})
			} else {
				back, _ = a.dial(t, s, id, connectOpts{transports: tc.transports})
				back.emit(t, "join_session", map[string]any{"session_id": p.sid, "last_seq": lastSeq})
			}
			// Live changes race the replay.
			var final int64
			for i := range 5 {
				r := s.execute(t, p.sid, "CreateNode", map[string]any{"parent_id": p.root, "blueprint_type_id": "phase", "name": fmt.Sprint("live ", i)})
				final = seqOf(t, r["seq"])
			}
			evs := back.waitSeq(t, final)
			requireGapFree(t, evs, lastSeq)

			// joined comes before every replayed event.
			msgs := back.events()
			require.NotEmpty(t, msgs)
			assert.Equal(t, "joined", msgs[0].Name, "joined first, then the missed events")
			joined := msgs[0].arg(t, 0)
			assert.Equal(t, p.sid, joined["session_id"])

			var names []string
			for _, ev := range evs {
				if ev.name == "graph:node-created" {
					names = append(names, ev.payload["name"].(string))
				}
			}
			assert.Equal(t, []string{"missed 0", "missed 1", "missed 2", "missed 3", "missed 4", "live 0", "live 1", "live 2", "live 3", "live 4"}, names)
			for _, m := range msgs {
				assert.NotEqual(t, "session:resync", m.Name, "the history still holds last_seq")
			}
			back.disconnect(t)
		})
	}
}

// TestRealtimeResync checks that a last_seq older than the kept history
// gets session:resync {graph, seq}, and live events continue from there.
func TestRealtimeResync(t *testing.T) {
	s := startServer(t, func(o *serverOptions) { o.actors.HistoryLimit = 4 })
	a := startAgent(t)
	p := s.newProject(t, "Resync")
	for i := range 6 {
		s.createNode(t, p.sid, p.root, "phase", fmt.Sprint("old ", i))
	}
	for _, tr := range []string{"polling", "websocket"} {
		t.Run(tr, func(t *testing.T) {
			c := a.connect(t, s, "resync-"+tr, connectOpts{transports: []string{tr}, auth: map[string]any{"session_id": p.sid, "last_seq": 1}})
			resync := c.waitEvent(t, "session:resync", nil).arg(t, 0)
			assert.Equal(t, p.sid, resync["session_id"])
			resyncSeq := seqOf(t, resync["seq"])
			roots := decodeRoots(t, resync["graph"].(map[string]any))

			msgs := c.events()
			require.GreaterOrEqual(t, len(msgs), 2)
			assert.Equal(t, "joined", msgs[0].Name)
			assert.Equal(t, "session:resync", msgs[1].Name, "no partial replay before the resync")

			res := s.execute(t, p.sid, "RenameNode", map[string]any{"node_id": p.root, "name": "after resync " + tr})
			evs := c.waitSeq(t, seqOf(t, res["seq"]))
			requireGapFree(t, evs, resyncSeq)
			for _, ev := range evs {
				var err error
				roots, err = model.ApplyEvent(roots, model.Event{Name: ev.name, Data: ev.raw})
				require.NoError(t, err)
			}
			assert.Equal(t, canonical(t, decodeRoots(t, s.tree(t, p.sid))), canonical(t, roots))
			c.disconnect(t)
		})
	}
}

package test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRealtimeTransports connects the real npm client the way each kind of
// client does and checks that a session's events reach it: polling only
// (the frontend), websocket only, and polling upgraded to websocket, on
// both namespaces.
func TestRealtimeTransports(t *testing.T) {
	s := startServer(t)
	a := startAgent(t)
	cases := []struct {
		name       string
		namespace  string
		transports []string
		connectOn  string // the transport the engine opens with
		upgrade    bool   // an upgrade to websocket must follow
	}{
		{name: "polling /graph (the frontend)", namespace: "/graph", transports: []string{"polling"}, connectOn: "polling"},
		{name: "websocket /graph", namespace: "/graph", transports: []string{"websocket"}, connectOn: "websocket"},
		{name: "upgrade /graph", namespace: "/graph", connectOn: "polling", upgrade: true},
		{name: "polling /", namespace: "/", transports: []string{"polling"}, connectOn: "polling"},
		{name: "websocket /", namespace: "/", transports: []string{"websocket"}, connectOn: "websocket"},
		{name: "upgrade /", namespace: "/", connectOn: "polling", upgrade: true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := s.newProject(t, tc.name)
			id := "t" + string(rune('a'+i))
			c, transport := a.dial(t, s, id, connectOpts{namespace: tc.namespace, transports: tc.transports})
			require.Equal(t, tc.connectOn, c.waitType(t, "open").Transport)
			if !tc.upgrade {
				require.Equal(t, tc.connectOn, transport)
			}
			if tc.upgrade {
				up := c.waitType(t, "upgrade")
				require.Equal(t, "websocket", up.Transport)
			}

			// As the frontend does: a plain emit, then wait for joined.
			c.emit(t, "join_session", map[string]any{"session_id": p.sid})
			joined := c.waitEvent(t, "joined", nil).arg(t, 0)
			assert.Equal(t, p.sid, joined["session_id"])
			assert.NotEmpty(t, joined["client_id"])
			assert.Equal(t, json.Number("1"), joined["active_clients"])
			joinSeq := seqOf(t, joined["seq"])

			// Several changes after the join (and after the upgrade) all arrive, in order.
			var last int64
			for n := range 3 {
				res := s.execute(t, p.sid, "CreateNode", map[string]any{"parent_id": p.root, "blueprint_type_id": "phase", "name": "Phase " + string(rune('A'+n))})
				last = seqOf(t, res["seq"])
			}
			evs := c.waitSeq(t, last)
			var created []string
			for _, ev := range evs {
				if ev.name == "graph:node-created" {
					created = append(created, ev.payload["name"].(string))
				}
			}
			assert.Equal(t, []string{"Phase A", "Phase B", "Phase C"}, created)
			requireGapFree(t, evs, joinSeq)
			c.disconnect(t)
		})
	}
}

// TestRealtimeUnknownNamespace checks that a namespace other than / and
// /graph is refused with a connect_error.
func TestRealtimeUnknownNamespace(t *testing.T) {
	s := startServer(t)
	a := startAgent(t)
	for _, tr := range []string{"polling", "websocket"} {
		t.Run(tr, func(t *testing.T) {
			c := a.connect(t, s, "nope-"+tr, connectOpts{namespace: "/nope", transports: []string{tr}})
			m := c.waitType(t, "connect_error")
			assert.NotEmpty(t, m.Message)
			for _, other := range c.a.snapshot() {
				if other.ID == c.id {
					assert.NotEqual(t, "connect", other.Type, "the socket must not connect: %s", other.raw)
				}
			}
		})
	}
}

// requireGapFree checks that the seqs of evs run from after to after+len
// without gap or duplicate.
func requireGapFree(tb testing.TB, evs []seqEvent, after int64) {
	tb.Helper()
	for i, ev := range evs {
		require.Equal(tb, after+int64(i)+1, ev.seq, "event %d (%s) breaks the seq run from %d: %s", i, ev.name, after, seqList(evs))
	}
}

func seqList(evs []seqEvent) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.name + "#" + json.Number(itoa(ev.seq)).String()
	}
	return out
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

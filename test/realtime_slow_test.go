package test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/ws"
	"github.com/talus-tally/server/ws/engineio"
	"github.com/talus-tally/server/ws/engineio/eiotest"
)

// rawPoller is a Socket.IO client over raw Engine.IO polling, so a test
// can stop reading at will.
type rawPoller struct {
	base, sid string
}

// rawPacket is one Socket.IO packet of the /graph namespace.
type rawPacket struct {
	raw   string
	event string          // for event packets
	arg   json.RawMessage // their first argument
}

func dialRawPoller(tb testing.TB, s *server, auth map[string]any) *rawPoller {
	tb.Helper()
	base := s.origin + "/socket.io/"
	open := eiotest.Handshake(tb, base)
	p := &rawPoller{base: base, sid: open.SID}
	b, err := json.Marshal(auth)
	require.NoError(tb, err)
	status, body := eiotest.Post(tb, base, p.sid, "40/graph,"+string(b))
	require.Equal(tb, 200, status, body)
	return p
}

// poll does one GET and returns its packets, answering pings.
func (p *rawPoller) poll(tb testing.TB) []rawPacket {
	tb.Helper()
	status, body := eiotest.Poll(tb, p.base, p.sid)
	require.Equal(tb, 200, status, body)
	var out []rawPacket
	for _, pkt := range strings.Split(body, "\x1e") {
		switch {
		case pkt == "2":
			eiotest.Post(tb, p.base, p.sid, "3")
			continue
		case strings.HasPrefix(pkt, "42/graph,"):
			var args []json.RawMessage
			require.NoError(tb, json.Unmarshal([]byte(strings.TrimPrefix(pkt, "42/graph,")), &args), pkt)
			require.NotEmpty(tb, args, pkt)
			var name string
			require.NoError(tb, json.Unmarshal(args[0], &name), pkt)
			rp := rawPacket{raw: pkt, event: name}
			if len(args) > 1 {
				rp.arg = args[1]
			}
			out = append(out, rp)
		default:
			out = append(out, rawPacket{raw: pkt})
		}
	}
	return out
}

// TestRealtimeSlowConsumer stalls a raw polling client in a session while
// commands pour in: the stalled client is dropped (it finds error
// SLOW_CONSUMER then a namespace disconnect when it polls again), it can
// catch up with last_seq, and a live npm client in the same session
// receives every event in order meanwhile.
func TestRealtimeSlowConsumer(t *testing.T) {
	s := startServer(t, func(o *serverOptions) { o.ws = ws.Config{Engine: engineio.Config{MaxQueueBytes: 16 << 10}} })
	a := startAgent(t)
	p := s.newProject(t, "Slow")

	live, _ := a.dial(t, s, "live", connectOpts{transports: []string{"websocket"}})
	liveJoin := seqOf(t, live.join(t, p.sid)["seq"])

	stalled := dialRawPoller(t, s, map[string]any{"session_id": p.sid})
	var stalledJoin int64 = -1
	// got is what the stalled client read after joined; the connect ack
	// and joined come within a few polls.
	var got []rawPacket
	for range 20 {
		for _, pkt := range stalled.poll(t) {
			switch {
			case pkt.event == "joined":
				stalledJoin = seqOf(t, decodeObject(t, pkt.arg)["seq"])
			case stalledJoin >= 0:
				got = append(got, pkt)
			}
		}
		if stalledJoin >= 0 {
			break
		}
	}
	require.GreaterOrEqual(t, stalledJoin, int64(0), "the raw client joined")
	early := 0 // session events read before the stall
	for _, pkt := range got {
		if pkt.event != "" && decodeObject(t, pkt.arg)["event"] != nil {
			early++
		}
	}

	// Each command is one burst of 7 events (about 3 KB), far under the
	// queue's 16 KB; the stalled client is dropped after a handful.
	const commands = 60
	var final int64
	for i := range commands {
		var parts []map[string]any
		for j := range 5 {
			parts = append(parts, map[string]any{"command_type": "CreateNode",
				"data": map[string]any{"parent_id": p.root, "blueprint_type_id": "phase", "name": fmt.Sprintf("p%d-%d", i, j)}})
		}
		res := s.execute(t, p.sid, "Batch", map[string]any{"commands": parts})
		final = seqOf(t, res["seq"])
		// Pace on the live client, so it never holds more than one burst
		// and only the stalled client can fall behind, however slow the
		// machine is.
		live.waitSeq(t, final)
	}

	// The live client got everything, in order, and was never told off.
	evs := live.waitSeq(t, final)
	requireGapFree(t, evs, liveJoin)
	var created int
	for _, ev := range evs {
		if ev.name == "graph:node-created" {
			created++
		}
	}
	assert.Equal(t, commands*5, created)
	for _, m := range live.events() {
		assert.NotEqual(t, "error", m.Name, "the live client is not a slow consumer: %s", m.raw)
	}

	// The stalled client polls again: what it gets is error SLOW_CONSUMER,
	// then the namespace disconnect; the queue of stale events was dropped
	// (it catches up with last_seq), so it hears why at once.
	disconnected := false
	for range 500 {
		got = append(got, stalled.poll(t)...)
		if n := len(got); n > 0 && got[n-1].raw == "41/graph," {
			disconnected = true
			break
		}
	}
	require.True(t, disconnected, "the stalled client is disconnected from /graph: %d packets", len(got))
	errIdx := -1
	next := stalledJoin + 1
	for i, pkt := range got {
		switch {
		case pkt.event == "error":
			errIdx = i
			e := decodeObject(t, pkt.arg)
			assert.Equal(t, "SLOW_CONSUMER", e["code"])
			assert.NotEmpty(t, e["message"])
		case pkt.event != "" && errIdx < 0:
			body := decodeObject(t, pkt.arg)
			if n, ok := body["seq"].(json.Number); ok && body["event"] != nil {
				seq, err := n.Int64()
				require.NoError(t, err)
				require.Equal(t, next, seq, "the stalled client's events are an in-order prefix")
				next++
			}
		case pkt.event != "":
			t.Fatalf("event after the SLOW_CONSUMER error: %s", pkt.raw)
		}
	}
	require.GreaterOrEqual(t, errIdx, 0, "error SLOW_CONSUMER before the disconnect")
	assert.Equal(t, len(got)-2, errIdx, "the error is the last packet before the disconnect")
	lastSeen := next - 1
	// Told at once: no stale event came before the error.
	assert.Equal(t, int64(early), lastSeen-stalledJoin, "events before the SLOW_CONSUMER error")
	require.Less(t, lastSeen, final, "the stalled client was dropped before the end")

	// It comes back with last_seq and catches up exactly.
	back := a.connect(t, s, "back", connectOpts{transports: []string{"polling"}, auth: map[string]any{"session_id": p.sid, "last_seq": lastSeen}})
	backEvs := back.waitSeq(t, final)
	requireGapFree(t, backEvs, lastSeen)
}

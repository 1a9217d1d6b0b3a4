package test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/ws"
	"github.com/talus-tally/server/ws/engineio"
	"github.com/talus-tally/server/ws/engineio/eiotest"
)

// stalledWS is a Socket.IO client over a raw WebSocket whose socket has a
// small receive buffer: once it stops reading, the server's writes back up
// after a few kilobytes instead of the megabytes loopback would absorb.
type stalledWS struct {
	ws *websocket.Conn
	id string // its Socket.IO socket id, the session's client id
}

func dialStalledWS(tb testing.TB, s *server, sessionID string) (*stalledWS, int64) {
	tb.Helper()
	d := websocket.Dialer{
		HandshakeTimeout: eiotest.Timeout,
		NetDialContext: (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
			})
			return errors.Join(err, serr)
		}}).DialContext,
	}
	conn, res, err := d.Dial(eiotest.WSURL(s.origin+"/socket.io/", ""), nil)
	require.NoError(tb, err, "dial: %v", res)
	tb.Cleanup(func() { _ = conn.Close() })
	eiotest.ParseOpen(tb, eiotest.ReadText(tb, conn, true))
	auth, err := json.Marshal(map[string]any{"session_id": sessionID})
	require.NoError(tb, err)
	eiotest.Send(tb, conn, "40/graph,"+string(auth))
	reply := eiotest.ReadText(tb, conn, true)
	require.True(tb, strings.HasPrefix(reply, "40/graph,"), reply)
	var hs struct{ SID string }
	require.NoError(tb, json.Unmarshal([]byte(strings.TrimPrefix(reply, "40/graph,")), &hs))
	c := &stalledWS{ws: conn, id: hs.SID}
	for range 100 {
		pkt := c.read(tb)
		if pkt.event == "joined" {
			return c, seqOf(tb, decodeObject(tb, pkt.arg)["seq"])
		}
	}
	tb.Fatal("no joined event")
	return nil, 0
}

// read returns the next /graph packet, answering pings; a closed
// connection is a packet with raw "closed".
func (c *stalledWS) read(tb testing.TB) rawPacket {
	tb.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(eiotest.Timeout))
	for {
		mt, b, err := c.ws.ReadMessage()
		if err != nil {
			var ne net.Error
			require.False(tb, errors.As(err, &ne) && ne.Timeout(), "nothing read for %v", eiotest.Timeout)
			return rawPacket{raw: "closed"}
		}
		require.Equal(tb, websocket.TextMessage, mt)
		switch pkt := string(b); {
		case pkt == "2":
			_ = c.ws.WriteMessage(websocket.TextMessage, []byte("3"))
		case strings.HasPrefix(pkt, "42/graph,"):
			var args []json.RawMessage
			require.NoError(tb, json.Unmarshal([]byte(strings.TrimPrefix(pkt, "42/graph,")), &args), pkt)
			require.NotEmpty(tb, args, pkt)
			rp := rawPacket{raw: pkt}
			require.NoError(tb, json.Unmarshal(args[0], &rp.event), pkt)
			if len(args) > 1 {
				rp.arg = args[1]
			}
			return rp
		default:
			return rawPacket{raw: pkt}
		}
	}
}

// TestRealtimeStalledWebSocket joins a session with a raw WebSocket client
// that then never reads, while commands carrying 8 KB values pour in: once
// what waits for it passes its byte budget, the session drops it (the
// others see it leave) long before the commands end; when it finally reads
// it finds an in-order prefix of the events, then error SLOW_CONSUMER and
// the namespace disconnect (or, had its writes timed out, a closed
// connection). A live npm client in the same session gets every event, in
// order, and is never told off.
func TestRealtimeStalledWebSocket(t *testing.T) {
	const budget = 64 << 10
	s := startServer(t, func(o *serverOptions) { o.ws = ws.Config{Engine: engineio.Config{MaxQueueBytes: budget}} })
	a := startAgent(t)
	p := s.newProject(t, "Stalled")

	live, _ := a.dial(t, s, "live", connectOpts{transports: []string{"websocket"}})
	liveJoin := seqOf(t, live.join(t, p.sid)["seq"])
	stalled, stalledJoin := dialStalledWS(t, s, p.sid)

	// Each command is about 20 KB of events (the value, old and new), a
	// third of the budget. The cap, 12 MB of events, is far beyond what
	// the budget and the sockets' buffers (a few MB on loopback) hold.
	const maxCommands = 600
	value := func(i int) string { return strings.Repeat(string(rune('a'+i%26)), 8<<10) }
	follow := &follower{c: live, left: map[string]bool{}}
	var final int64
	commands := 0
	for ; commands < maxCommands; commands++ {
		res := s.execute(t, p.sid, "UpdateProperty", map[string]any{"node_id": p.root, "property_id": "vin", "value": value(commands)})
		final = seqOf(t, res["seq"])
		// Pace on the live client, so only the stalled one can fall behind.
		follow.until(t, final)
		if follow.left[stalled.id] {
			break
		}
	}
	require.Less(t, commands, maxCommands, "the stalled client was never dropped")
	t.Logf("dropped after %d commands", commands+1)
	// More commands after the drop: the live client still gets them.
	for i := range 5 {
		res := s.execute(t, p.sid, "UpdateProperty", map[string]any{"node_id": p.root, "property_id": "vin", "value": value(commands + 1 + i)})
		final = seqOf(t, res["seq"])
	}

	requireGapFree(t, follow.until(t, final), liveJoin)
	for _, m := range live.events() {
		assert.NotEqual(t, "error", m.Name, "the live client is not a slow consumer: %s", m.raw)
	}

	// The stalled client reads at last.
	next := stalledJoin + 1
	var last rawPacket
	sawError := false
	for range 10000 {
		last = stalled.read(t)
		if last.raw == "closed" || last.raw == "41/graph," {
			break
		}
		if last.event == "error" {
			require.False(t, sawError, "one error")
			sawError = true
			assert.Equal(t, "SLOW_CONSUMER", decodeObject(t, last.arg)["code"])
			continue
		}
		require.False(t, sawError, "nothing but the disconnect after the error: %.200s", last.raw)
		if last.event == "" {
			continue
		}
		body := decodeObject(t, last.arg)
		if n, ok := body["seq"].(json.Number); ok && body["event"] != nil {
			seq, err := n.Int64()
			require.NoError(t, err)
			require.Equal(t, next, seq, "the stalled client's events are an in-order prefix")
			next++
		}
	}
	t.Logf("the stalled client read %d events, then %q", next-1-stalledJoin, last.raw)
	switch last.raw {
	case "41/graph,":
		assert.True(t, sawError, "error SLOW_CONSUMER before the disconnect")
	case "closed":
	default:
		t.Fatalf("the stalled client was neither disconnected nor closed: %.200s", last.raw)
	}
	assert.Less(t, next-1, final, "it was dropped before the end")
}

// follower reads one socket's session events as they come, decoding each
// message once (waitSeq decodes all of them on every wait, too slow for
// hundreds of 8 KB events), and notes who left the session.
type follower struct {
	c    *sock
	next int // index of the agent's next message to look at
	evs  []seqEvent
	left map[string]bool // client ids seen in session:disconnected
}

// until waits until the socket has a session event with seq at least seq
// and returns all its session events so far.
func (f *follower) until(tb testing.TB, seq int64) []seqEvent {
	tb.Helper()
	deadline := time.NewTimer(agentWait)
	defer deadline.Stop()
	for {
		a := f.c.a
		a.mu.Lock()
		msgs, changed, exited := a.msgs[f.next:], a.changed, a.exited
		a.mu.Unlock()
		f.next += len(msgs)
		for _, m := range msgs { // the agent only appends: these stay as they are
			if m.ID != f.c.id || m.Type != "event" || len(m.Args) == 0 {
				continue
			}
			body := decodeObject(tb, m.Args[0])
			if m.Name == "session:disconnected" {
				f.left[fmt.Sprint(body["client_id"])] = true
			}
			if n, ok := body["seq"].(json.Number); ok && body["event"] != nil {
				got, err := n.Int64()
				require.NoError(tb, err)
				f.evs = append(f.evs, seqEvent{name: m.Name, seq: got, payload: body, raw: m.Args[0]})
			}
		}
		if n := len(f.evs); n > 0 && f.evs[n-1].seq >= seq {
			return f.evs
		}
		if exited {
			tb.Fatalf("agent exited waiting for seq %d\n%s", seq, a.dump())
		}
		select {
		case <-changed:
		case <-deadline.C:
			tb.Fatalf("timed out after %v waiting for seq %d\n%s", agentWait, seq, a.dump())
		}
	}
}

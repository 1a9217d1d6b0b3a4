package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/ws/engineio/eiotest"
)

// startHarness serves the reference configuration on a free 127.0.0.1 port
// and returns the http://host:port origin.
func startHarness(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, echo := newServer(log), newEngineEcho(log)
	hs := &http.Server{Handler: newHandler(srv, echo)}
	go func() { _ = hs.Serve(ln) }()
	tb.Cleanup(func() {
		_ = hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		_ = echo.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String()
}

func base(tb testing.TB) string { return startHarness(tb) + "/socket.io/" }

func TestEngineHandshake(t *testing.T) {
	b := base(t)
	o := eiotest.Handshake(t, b)
	assert.Equal(t, eiotest.Open{SID: o.SID, Upgrades: []string{"websocket"}, PingInterval: 300, PingTimeout: 200, MaxPayload: 1000000}, o)

	ws := eiotest.Dial(t, b, "")
	o = eiotest.ParseOpen(t, eiotest.ReadText(t, ws, false))
	assert.Equal(t, eiotest.Open{SID: o.SID, Upgrades: []string{}, PingInterval: 300, PingTimeout: 200, MaxPayload: 1000000}, o)
}

func TestEngineRefusals(t *testing.T) {
	b := base(t)
	for _, tt := range []struct{ method, query string }{
		{"GET", "transport=polling"},
		{"GET", "EIO=abc&transport=polling"},
		{"GET", "EIO=4"},
		{"GET", "EIO=4&transport=abc"},
		{"POST", "EIO=4&transport=polling"},
		{"PUT", "EIO=4&transport=polling"},
		{"GET", "EIO=4&transport=polling&sid=unknown"},
	} {
		status, body := eiotest.Do(t, tt.method, b+"?"+tt.query, "")
		assert.Equal(t, 400, status, tt)
		assert.Contains(t, body, `"code":`, tt)
	}
	for _, q := range []string{"transport=websocket", "EIO=abc&transport=websocket", "EIO=4", "EIO=4&transport=abc"} {
		_, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(b, "http")+"?"+q, nil)
		require.Error(t, err, q)
		require.NotNil(t, res, q)
		assert.Equal(t, 400, res.StatusCode, q)
	}
}

func TestEngineHeartbeat(t *testing.T) {
	b := base(t)
	sid := eiotest.Handshake(t, b).SID
	for range 3 {
		status, body := eiotest.Poll(t, b, sid)
		require.Equal(t, 200, status)
		require.Equal(t, "2", body)
		status, _ = eiotest.Post(t, b, sid, "3")
		require.Equal(t, 200, status)
	}

	ws := eiotest.Dial(t, b, "")
	eiotest.ReadText(t, ws, false)
	for range 3 {
		require.Equal(t, "2", eiotest.ReadText(t, ws, false))
		eiotest.Send(t, ws, "3")
	}
}

func TestEnginePingTimeout(t *testing.T) {
	b := base(t)
	sid := eiotest.Handshake(t, b).SID
	// Never answering the ping: the session ends, and the poll says so.
	var status int
	for range 100 {
		if status, _ = eiotest.Poll(t, b, sid); status != 200 {
			break
		}
	}
	assert.Equal(t, 400, status)

	ws := eiotest.Dial(t, b, "")
	eiotest.WaitClosed(t, ws)
}

func TestEngineClose(t *testing.T) {
	b := base(t)
	sid := eiotest.Handshake(t, b).SID
	status, _ := eiotest.Post(t, b, sid, "1")
	assert.Equal(t, 200, status)
	// One poll may have been on its way as the client closed: it ends
	// cleanly with a noop. The session is gone after.
	status, body := eiotest.Poll(t, b, sid)
	assert.Equal(t, 200, status)
	assert.Equal(t, "6", body)
	status, _ = eiotest.Poll(t, b, sid)
	assert.Equal(t, 400, status)

	ws := eiotest.Dial(t, b, "")
	eiotest.ReadText(t, ws, false)
	eiotest.Send(t, ws, "1")
	eiotest.WaitClosed(t, ws)
}

func TestEngineUpgrade(t *testing.T) {
	b := base(t)
	sid := eiotest.Handshake(t, b).SID
	ws := eiotest.Dial(t, b, sid)
	eiotest.Send(t, ws, "2probe")
	assert.Equal(t, "3probe", eiotest.ReadText(t, ws, false))
	status, body := eiotest.Poll(t, b, sid)
	assert.Equal(t, 200, status)
	assert.Equal(t, "6", body)
	eiotest.Send(t, ws, "5")
	eiotest.Send(t, ws, "40")
	assert.True(t, strings.HasPrefix(eiotest.ReadText(t, ws, true), `40{"sid":`))
	assert.Equal(t, `42["auth",{}]`, eiotest.ReadText(t, ws, true))

	status, _ = eiotest.Poll(t, b, sid)
	assert.Equal(t, 400, status)
	second, res, err := websocket.DefaultDialer.Dial(eiotest.WSURL(b, sid), nil)
	require.NoError(t, err, "a second WebSocket is accepted, then closed")
	assert.Equal(t, 101, res.StatusCode)
	eiotest.WaitClosed(t, second)
}

// connect opens a WebSocket session and joins "/" as the suite's
// initSocketIOConnection does.
func connect(tb testing.TB, b string) *websocket.Conn {
	tb.Helper()
	ws := eiotest.Dial(tb, b, "")
	eiotest.ReadText(tb, ws, true)
	eiotest.Send(tb, ws, "40")
	require.True(tb, strings.HasPrefix(eiotest.ReadText(tb, ws, true), "40{"))
	require.Equal(tb, `42["auth",{}]`, eiotest.ReadText(tb, ws, true))
	return ws
}

func TestSocketConnect(t *testing.T) {
	b := base(t)
	tests := []struct {
		send, replyPrefix, auth string
	}{
		{"40", "40", `42["auth",{}]`},
		{`40{"token":"123"}`, "40", `42["auth",{"token":"123"}]`},
		{"40/custom,", "40/custom,", `42/custom,["auth",{}]`},
		{`40/custom,{"token":"abc"}`, "40/custom,", `42/custom,["auth",{"token":"abc"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.send, func(t *testing.T) {
			ws := eiotest.Dial(t, b, "")
			eiotest.ReadText(t, ws, true)
			eiotest.Send(t, ws, tt.send)
			reply := eiotest.ReadText(t, ws, true)
			require.True(t, strings.HasPrefix(reply, tt.replyPrefix+"{"), reply)
			var hs map[string]any
			require.NoError(t, json.Unmarshal([]byte(reply[len(tt.replyPrefix):]), &hs))
			assert.Len(t, hs, 1)
			assert.IsType(t, "", hs["sid"])
			assert.Equal(t, tt.auth, eiotest.ReadText(t, ws, true))
		})
	}
	t.Run("unknown namespace", func(t *testing.T) {
		ws := eiotest.Dial(t, b, "")
		eiotest.ReadText(t, ws, true)
		eiotest.Send(t, ws, "40/random")
		assert.Equal(t, `44/random,{"message":"Invalid namespace"}`, eiotest.ReadText(t, ws, true))
	})
	t.Run("invalid handshake", func(t *testing.T) {
		ws := eiotest.Dial(t, b, "")
		eiotest.ReadText(t, ws, true)
		eiotest.Send(t, ws, "4abc")
		eiotest.WaitClosed(t, ws)
	})
	t.Run("connect timeout", func(t *testing.T) {
		ws := eiotest.Dial(t, b, "")
		eiotest.ReadText(t, ws, true)
		for range 1000 { // keep the heartbeat alive: only the connect timeout may close
			_ = ws.SetReadDeadline(time.Now().Add(eiotest.Timeout))
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			if string(msg) == "1" { // the close packet precedes the close frame
				continue
			}
			require.Equal(t, "2", string(msg))
			eiotest.Send(t, ws, "3")
		}
		t.Fatal("still open")
	})
}

func TestSocketDisconnect(t *testing.T) {
	b := base(t)
	ws := connect(t, b)
	eiotest.Send(t, ws, "40/custom")
	require.True(t, strings.HasPrefix(eiotest.ReadText(t, ws, true), "40/custom,{"))
	require.Equal(t, `42/custom,["auth",{}]`, eiotest.ReadText(t, ws, true))
	eiotest.Send(t, ws, "41/custom")
	eiotest.Send(t, ws, `42["message","message to main namespace"]`)
	assert.Equal(t, `42["message-back","message to main namespace"]`, eiotest.ReadText(t, ws, true))
}

func TestSocketMessages(t *testing.T) {
	b := base(t)
	ws := connect(t, b)
	eiotest.Send(t, ws, `42["message",1,"2",{"3":[true]}]`)
	assert.Equal(t, `42["message-back",1,"2",{"3":[true]}]`, eiotest.ReadText(t, ws, true))
	eiotest.Send(t, ws, `42456["message-with-ack",1,"2",{"3":[false]}]`)
	assert.Equal(t, `43456[1,"2",{"3":[false]}]`, eiotest.ReadText(t, ws, true))

	for _, tt := range []struct{ send, want string }{
		{`452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, `452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`},
		{`452-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, `462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`},
	} {
		eiotest.Send(t, ws, tt.send)
		require.NoError(t, ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3}))
		require.NoError(t, ws.WriteMessage(websocket.BinaryMessage, []byte{4, 5, 6}))
		assert.Equal(t, tt.want, eiotest.ReadText(t, ws, true))
		for _, want := range [][]byte{{1, 2, 3}, {4, 5, 6}} {
			mt, got := eiotest.Read(t, ws)
			assert.Equal(t, websocket.BinaryMessage, mt)
			assert.Equal(t, want, got)
		}
	}
}

func TestSocketInvalidFormatCloses(t *testing.T) {
	b := base(t)
	for _, pkt := range []string{"4abc", "42{}", `42abc["message-with-ack",1,"2",{"3":[false]}]`} {
		t.Run(pkt, func(t *testing.T) {
			ws := connect(t, b)
			eiotest.Send(t, ws, pkt)
			eiotest.WaitClosed(t, ws)
		})
	}
}

package socketio

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/ws/engineio"
	"github.com/talus-tally/server/ws/engineio/eiotest"
)

type testServer struct {
	srv          *Server
	base         string
	disconnected chan string
}

// startServer serves "/", "/custom" and "/private" (which wants auth token "ok").
func startServer(tb testing.TB, connectTimeout time.Duration) *testServer {
	tb.Helper()
	ts := &testServer{disconnected: make(chan string, 100)}
	ts.srv = NewServer(Config{
		Engine:         engineio.Config{PingInterval: time.Minute, PingTimeout: time.Minute},
		ConnectTimeout: connectTimeout,
	})
	setup := func(s *Socket) error {
		if s.Namespace() == "/private" {
			var auth struct{ Token string }
			_ = json.Unmarshal(s.Handshake().Auth, &auth)
			if auth.Token != "ok" {
				return &RefusedError{Message: "Not authorized", Data: map[string]string{"reason": "token"}}
			}
		}
		s.OnDisconnect(func(reason string) { ts.disconnected <- s.Namespace() + " " + reason })
		if err := s.Emit("auth", s.Handshake().Auth); err != nil {
			return err
		}
		s.On("message", func(args []json.RawMessage, _ AckFunc) {
			_ = s.Emit("message-back", rawArgs(args)...)
		})
		s.On("message-with-ack", func(args []json.RawMessage, ack AckFunc) {
			if ack != nil {
				_ = ack(rawArgs(args)...)
				assert.ErrorIs(tb, ack(), ErrAckSent)
			}
		})
		s.OnBinary("binary", func(args []json.RawMessage, attachments [][]byte, ack AckFunc) {
			out := make([]any, len(args))
			for i, a := range args {
				if n, ok := AttachmentIndex(a); ok && n < len(attachments) {
					out[i] = Binary(attachments[n])
				} else {
					out[i] = a
				}
			}
			if ack != nil {
				_ = ack(out...)
				return
			}
			_ = s.Emit("binary-back", out...)
		})
		s.On("raw", func([]json.RawMessage, AckFunc) { _ = s.EmitRaw("raw-back", []byte(`{"a":1}`)) })
		s.On("kick", func([]json.RawMessage, AckFunc) { _ = s.Disconnect() })
		return nil
	}
	for _, n := range []string{"/", "/custom", "/private"} {
		ts.srv.Of(n).OnConnection(setup)
	}
	hs := httptest.NewServer(ts.srv)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(tb, ts.srv.Shutdown(ctx))
		hs.Close()
	})
	ts.base = hs.URL + "/socket.io/"
	return ts
}

func rawArgs(args []json.RawMessage) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
	}
	return out
}

func (ts *testServer) disconnect(tb testing.TB) string {
	tb.Helper()
	select {
	case r := <-ts.disconnected:
		return r
	case <-time.After(eiotest.Timeout):
		tb.Fatal("no disconnect")
		return ""
	}
}

// dial opens a WebSocket session and reads the open packet.
func (ts *testServer) dial(tb testing.TB) *websocket.Conn {
	tb.Helper()
	ws := eiotest.Dial(tb, ts.base, "")
	eiotest.ParseOpen(tb, eiotest.ReadText(tb, ws, true))
	return ws
}

// join sends the CONNECT packet connect and returns the socket id from the
// reply, which must be prefix followed by {"sid":...}, then the "auth" event.
func join(tb testing.TB, ws *websocket.Conn, connect, wantAuth string) string {
	tb.Helper()
	eiotest.Send(tb, ws, connect)
	reply := eiotest.ReadText(tb, ws, true)
	prefix := "40"
	if strings.HasPrefix(connect, "40/") {
		prefix = connect[:strings.IndexByte(connect, ',')+1]
	}
	require.True(tb, strings.HasPrefix(reply, prefix+"{"), "reply %q", reply)
	var hs map[string]string
	require.NoError(tb, json.Unmarshal([]byte(reply[len(prefix):]), &hs))
	require.Len(tb, hs, 1)
	require.NotEmpty(tb, hs["sid"])
	assert.Equal(tb, wantAuth, eiotest.ReadText(tb, ws, true))
	return hs["sid"]
}

func TestConnectNamespaces(t *testing.T) {
	ts := startServer(t, time.Minute)
	ws := ts.dial(t)
	sidMain := join(t, ws, "40", `42["auth",{}]`)
	sidCustom := join(t, ws, `40/custom,{"token":"abc"}`, `42/custom,["auth",{"token":"abc"}]`)
	assert.NotEqual(t, sidMain, sidCustom)

	eiotest.Send(t, ws, "40/random")
	assert.Equal(t, `44/random,{"message":"Invalid namespace"}`, eiotest.ReadText(t, ws, true))
	eiotest.Send(t, ws, `40/private,{"token":"bad"}`)
	assert.Equal(t, `44/private,{"message":"Not authorized","data":{"reason":"token"}}`, eiotest.ReadText(t, ws, true))
	join(t, ws, `40/private,{"token":"ok"}`, `42/private,["auth",{"token":"ok"}]`)

	// Both namespaces answer on the one connection.
	eiotest.Send(t, ws, `42/custom,["message","c"]`)
	assert.Equal(t, `42/custom,["message-back","c"]`, eiotest.ReadText(t, ws, true))
	eiotest.Send(t, ws, `42/custom,["raw"]`)
	assert.Equal(t, `42/custom,["raw-back",{"a":1}]`, eiotest.ReadText(t, ws, true))
	eiotest.Send(t, ws, `42["message","m"]`)
	assert.Equal(t, `42["message-back","m"]`, eiotest.ReadText(t, ws, true))
}

func TestConnectWithAuth(t *testing.T) {
	ts := startServer(t, time.Minute)
	ws := ts.dial(t)
	join(t, ws, `40{"token":"123"}`, `42["auth",{"token":"123"}]`)
}

func TestEventAndAck(t *testing.T) {
	ts := startServer(t, time.Minute)
	ws := ts.dial(t)
	join(t, ws, "40", `42["auth",{}]`)
	eiotest.Send(t, ws, `42["message",1,"2",{"3":[true]}]`)
	assert.Equal(t, `42["message-back",1,"2",{"3":[true]}]`, eiotest.ReadText(t, ws, true))
	eiotest.Send(t, ws, `42456["message-with-ack",1,"2",{"3":[false]}]`)
	assert.Equal(t, `43456[1,"2",{"3":[false]}]`, eiotest.ReadText(t, ws, true))
	eiotest.Send(t, ws, `420["message-with-ack"]`)
	assert.Equal(t, `430[]`, eiotest.ReadText(t, ws, true))
	eiotest.Send(t, ws, `42["raw"]`)
	assert.Equal(t, `42["raw-back",{"a":1}]`, eiotest.ReadText(t, ws, true))
	eiotest.Send(t, ws, `42["unknown-event"]`)
	eiotest.Send(t, ws, `42["message","after"]`)
	assert.Equal(t, `42["message-back","after"]`, eiotest.ReadText(t, ws, true), "an unknown event is ignored")
}

func readBinary(tb testing.TB, ws *websocket.Conn) []byte {
	tb.Helper()
	mt, b := eiotest.Read(tb, ws)
	require.Equal(tb, websocket.BinaryMessage, mt)
	return b
}

func TestBinaryAttachments(t *testing.T) {
	ts := startServer(t, time.Minute)
	ws := ts.dial(t)
	join(t, ws, "40", `42["auth",{}]`)

	eiotest.Send(t, ws, `452-["binary",{"_placeholder":true,"num":0},"x",{"_placeholder":true,"num":1}]`)
	require.NoError(t, ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3}))
	require.NoError(t, ws.WriteMessage(websocket.BinaryMessage, []byte{4, 5, 6}))
	assert.Equal(t, `452-["binary-back",{"_placeholder":true,"num":0},"x",{"_placeholder":true,"num":1}]`, eiotest.ReadText(t, ws, true))
	assert.Equal(t, []byte{1, 2, 3}, readBinary(t, ws))
	assert.Equal(t, []byte{4, 5, 6}, readBinary(t, ws))

	eiotest.Send(t, ws, `451-789["binary",{"_placeholder":true,"num":0}]`)
	require.NoError(t, ws.WriteMessage(websocket.BinaryMessage, []byte{9}))
	assert.Equal(t, `461-789[{"_placeholder":true,"num":0}]`, eiotest.ReadText(t, ws, true))
	assert.Equal(t, []byte{9}, readBinary(t, ws))
}

func TestMalformedPacketCloses(t *testing.T) {
	for _, pkt := range []string{"4abc", "42{}", `42abc["message-with-ack",1]`, "44{}"} {
		t.Run(pkt, func(t *testing.T) {
			ts := startServer(t, time.Minute)
			ws := ts.dial(t)
			join(t, ws, "40", `42["auth",{}]`)
			eiotest.Send(t, ws, pkt)
			eiotest.WaitClosed(t, ws)
			assert.Equal(t, "/ "+engineio.ReasonParseError, ts.disconnect(t))
		})
	}
	t.Run("binary frame without header", func(t *testing.T) {
		ts := startServer(t, time.Minute)
		ws := ts.dial(t)
		require.NoError(t, ws.WriteMessage(websocket.BinaryMessage, []byte{1}))
		eiotest.WaitClosed(t, ws)
	})
}

func TestDisconnect(t *testing.T) {
	ts := startServer(t, time.Minute)
	ws := ts.dial(t)
	join(t, ws, "40", `42["auth",{}]`)
	join(t, ws, "40/custom,", `42/custom,["auth",{}]`)

	eiotest.Send(t, ws, "41/custom,")
	assert.Equal(t, "/custom "+ReasonClientDisconnect, ts.disconnect(t))
	eiotest.Send(t, ws, `42/custom,["message","gone"]`) // ignored: not joined any more
	eiotest.Send(t, ws, `42["message","main"]`)
	assert.Equal(t, `42["message-back","main"]`, eiotest.ReadText(t, ws, true))

	eiotest.Send(t, ws, `42["kick"]`)
	assert.Equal(t, "41", eiotest.ReadText(t, ws, true))
	assert.Equal(t, "/ "+ReasonServerDisconnect, ts.disconnect(t))

	join(t, ws, "40", `42["auth",{}]`) // the connection is still usable
	eiotest.Send(t, ws, "1")           // Engine.IO close
	assert.Equal(t, "/ "+engineio.ReasonTransportClose, ts.disconnect(t))
}

func TestConnectTimeout(t *testing.T) {
	ts := startServer(t, 20*time.Millisecond)
	ws := ts.dial(t)
	eiotest.WaitClosed(t, ws)
	assert.Equal(t, 0, ts.srv.Engine().Len())
}

func TestPollingConnect(t *testing.T) {
	ts := startServer(t, time.Minute)
	sid := eiotest.Handshake(t, ts.base).SID
	status, _ := eiotest.Post(t, ts.base, sid, "40\x1e40/custom,")
	require.Equal(t, 200, status)
	status, body := eiotest.Poll(t, ts.base, sid)
	require.Equal(t, 200, status)
	parts := strings.Split(body, "\x1e")
	require.Len(t, parts, 4, body)
	assert.True(t, strings.HasPrefix(parts[0], `40{"sid":"`), body)
	assert.Equal(t, `42["auth",{}]`, parts[1])
	assert.True(t, strings.HasPrefix(parts[2], `40/custom,{"sid":"`), body)
	assert.Equal(t, `42/custom,["auth",{}]`, parts[3])

	eiotest.Post(t, ts.base, sid, `42["message","p"]`+"\x1e"+`451-1["binary",{"_placeholder":true,"num":0}]`+"\x1ebAQI=")
	_, body = eiotest.Poll(t, ts.base, sid)
	assert.Equal(t, `42["message-back","p"]`+"\x1e"+`461-1[{"_placeholder":true,"num":0}]`+"\x1ebAQI=", body)
}

// TestShutdownTellsLateConnects connects while Shutdown runs: a CONNECT
// whose handler is still running when Shutdown begins, and a CONNECT that
// arrives once new connections are refused. Each client must hear its
// namespace DISCONNECT before the connection closes, or the npm client
// would take the close for a lost transport and reconnect.
func TestShutdownTellsLateConnects(t *testing.T) {
	ts := startServer(t, time.Minute)
	entered, release := make(chan struct{}), make(chan struct{})
	ts.srv.Of("/slow").OnConnection(func(s *Socket) error {
		close(entered)
		<-release
		return nil
	})
	early := ts.dial(t) // its handler runs as Shutdown begins
	late := ts.dial(t)  // connects once Shutdown began
	eiotest.Send(t, early, "40/slow,")
	<-entered

	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), eiotest.Timeout)
		defer cancel()
		shut <- ts.srv.Shutdown(ctx)
	}()
	// Shutdown has begun once a handshake is refused.
	require.Eventually(t, func() bool {
		status, _, err := eiotest.TryDo("GET", eiotest.URL(ts.base, "polling", ""), "")
		return err == nil && status == 503
	}, eiotest.Timeout, time.Millisecond)

	eiotest.Send(t, late, "40")
	reply := eiotest.ReadText(t, late, true)
	assert.True(t, strings.HasPrefix(reply, `40{"sid":"`), "late CONNECT answered %q", reply)
	assert.Equal(t, "41", eiotest.ReadText(t, late, true), "late client told")

	close(release)
	reply = eiotest.ReadText(t, early, true)
	assert.True(t, strings.HasPrefix(reply, `40/slow,{"sid":"`), "early CONNECT answered %q", reply)
	assert.Equal(t, "41/slow,", eiotest.ReadText(t, early, true), "early client told")

	assert.Equal(t, []string{"1"}, eiotest.WaitClosed(t, early), "then the Engine.IO close")
	assert.Equal(t, []string{"1"}, eiotest.WaitClosed(t, late))
	require.NoError(t, <-shut)
}

// TestOnAny: events without a handler of their own go to OnAny, with their
// name and ack; an event with one goes to it only.
func TestOnAny(t *testing.T) {
	ts := startServer(t, time.Minute)
	ts.srv.Of("/any").OnConnection(func(s *Socket) error {
		s.On("own", func(args []json.RawMessage, _ AckFunc) { _ = s.Emit("own-back", rawArgs(args)...) })
		s.OnAny(func(event string, args []json.RawMessage, ack AckFunc) {
			if ack != nil {
				_ = ack(append([]any{event}, rawArgs(args)...)...)
				return
			}
			_ = s.Emit("any-back", append([]any{event}, rawArgs(args)...)...)
		})
		return nil
	})
	ws := ts.dial(t)
	eiotest.Send(t, ws, "40/any,")
	require.True(t, strings.HasPrefix(eiotest.ReadText(t, ws, true), `40/any,{"sid":"`))
	eiotest.Send(t, ws, `42/any,["other",1,{"a":true}]`)
	assert.Equal(t, `42/any,["any-back","other",1,{"a":true}]`, eiotest.ReadText(t, ws, true))
	eiotest.Send(t, ws, `42/any,7["asks"]`)
	assert.Equal(t, `43/any,7["asks"]`, eiotest.ReadText(t, ws, true))
	eiotest.Send(t, ws, `42/any,["own","x"]`)
	assert.Equal(t, `42/any,["own-back","x"]`, eiotest.ReadText(t, ws, true))
}

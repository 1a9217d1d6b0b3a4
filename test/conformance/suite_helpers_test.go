package main

// Helpers shared by suite_engineio_test.go and suite_socketio_test.go, the
// Go ports of the public Engine.IO and Socket.IO protocol test suites. They
// stand in for the suites' fetch/WebSocket/waitFor helpers; every wait is
// bounded by eiotest.Timeout so a broken server fails instead of hanging.

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/ws/engineio"
	"github.com/talus-tally/server/ws/engineio/eiotest"
)

// Reference settings both suites hard-code (PING_INTERVAL, PING_TIMEOUT).
const (
	suitePingInterval = 300 * time.Millisecond
	suitePingTimeout  = 200 * time.Millisecond
	// orderingGap is how long a test lets a request it already wrote reach
	// the server's handler before sending the next one, where the suite
	// relies on two concurrent requests arriving in order. It only orders
	// requests; it is far below suitePingInterval, which would end a
	// pending poll.
	orderingGap = 50 * time.Millisecond
)

// startEngineEcho serves the engine.io-protocol suite's reference server: a
// bare Engine.IO server at /engine.io/ with the suite's settings that echoes
// every message packet (text or binary) back to its sender. It returns the
// http://host:port/engine.io/ base.
func startEngineEcho(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	eio := engineio.NewServer(engineio.Config{
		PingInterval: suitePingInterval,
		PingTimeout:  suitePingTimeout,
		MaxPayload:   1_000_000,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, func(c *engineio.Conn) {
		c.OnMessage(func(p engineio.Packet) { _ = c.Send(p) })
	})
	mux := http.NewServeMux()
	mux.Handle("/engine.io/", eio)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: eiotest.Timeout}
	go func() { _ = hs.Serve(ln) }()
	tb.Cleanup(func() {
		_ = hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = eio.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String() + "/engine.io/"
}

// rawURL is base followed by a literal query, for the suites' malformed
// queries that eiotest.URL cannot express.
func rawURL(base, query string) string { return base + "?" + query }

// wsRawURL is the ws:// form of rawURL.
func wsRawURL(base, query string) string {
	return "ws" + strings.TrimPrefix(rawURL(base, query), "http")
}

// response is the outcome of a request sent in the background.
type response struct {
	status int
	body   string
	err    error
}

// startRequest sends a request from another goroutine and returns once the
// request has been written plus orderingGap, so a request sent afterwards
// reaches the server second, as the suite's Promise.all ordering assumes.
func startRequest(tb testing.TB, method, u, body string) <-chan response {
	tb.Helper()
	wrote := make(chan struct{})
	out := make(chan response, 1)
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	require.NoError(tb, err)
	if body != "" {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { close(wrote) },
	}))
	go func() {
		client := &http.Client{Timeout: eiotest.Timeout}
		res, err := client.Do(req)
		if err != nil {
			out <- response{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		out <- response{status: res.StatusCode, body: string(b), err: err}
	}()
	select {
	case <-wrote:
	case r := <-out: // failed before writing: hand the result back
		out <- r
		return out
	case <-time.After(eiotest.Timeout):
		tb.Fatalf("request %s %s not written within %v", method, u, eiotest.Timeout)
	}
	time.Sleep(orderingGap)
	return out
}

// await returns the background request's outcome, bounded by eiotest.Timeout.
func await(tb testing.TB, ch <-chan response) response {
	tb.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(eiotest.Timeout + time.Second):
		tb.Fatalf("request still pending after %v", eiotest.Timeout)
		return response{}
	}
}

// readFrame returns the next frame. With answerPings, Engine.IO pings ("2")
// are answered and skipped, as the suites' waitForPackets skips them: they
// are not part of what a case asserts, and answering keeps the session alive
// however slowly the test runs.
func readFrame(tb testing.TB, ws *websocket.Conn, answerPings bool) (int, []byte) {
	tb.Helper()
	for range 1000 {
		mt, b := eiotest.Read(tb, ws)
		if answerPings && mt == websocket.TextMessage && string(b) == "2" {
			eiotest.Send(tb, ws, "3")
			continue
		}
		return mt, b
	}
	tb.Fatalf("only pings")
	return 0, nil
}

// waitClosedAlive waits for the server to close ws while answering every
// ping, so only the server's reaction to what the case sent can close it —
// never the ping timeout. It returns the non-ping text frames seen.
func waitClosedAlive(tb testing.TB, ws *websocket.Conn) []string {
	tb.Helper()
	var seen []string
	deadline := time.Now().Add(eiotest.Timeout)
	_ = ws.SetReadDeadline(deadline)
	for range 100000 {
		mt, b, err := ws.ReadMessage()
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				tb.Fatalf("connection still open after %v", eiotest.Timeout)
			}
			return seen
		}
		if mt == websocket.TextMessage && string(b) == "2" {
			// The write may fail if the server is closing; that is the outcome awaited.
			_ = ws.WriteMessage(websocket.TextMessage, []byte("3"))
			continue
		}
		seen = append(seen, string(b))
	}
	tb.Fatalf("too many frames")
	return nil
}

// assertWSRefused checks that a WebSocket to u never becomes a session: the
// suites only await the "close" event; we refuse the HTTP upgrade itself
// with 400, which a browser also reports as close.
func assertWSRefused(tb testing.TB, u string) {
	tb.Helper()
	ws, res, err := websocket.DefaultDialer.Dial(u, nil)
	if err == nil {
		ws.Close()
		tb.Fatalf("WebSocket to %s was accepted", u)
	}
	require.NotNil(tb, res, "dial %s: %v", u, err)
	assert.Equal(tb, http.StatusBadRequest, res.StatusCode, u)
}

// pollUntilRejected sends polling GETs on sid until one is refused and
// asserts it was refused with 400. A poll answered with a noop ("6") is
// tolerated: the server may still be completing an upgrade the client has
// just finished over the WebSocket, and a noop is what the protocol tells a
// poll in that window. Anything else fails.
func pollUntilRejected(tb testing.TB, base, sid string) {
	tb.Helper()
	deadline := time.Now().Add(eiotest.Timeout)
	for i := 0; i < 100 && time.Now().Before(deadline); i++ {
		status, body := eiotest.Poll(tb, base, sid)
		if status == http.StatusOK && body == "6" {
			continue
		}
		assert.Equal(tb, http.StatusBadRequest, status, "poll after upgrade: body %q", body)
		return
	}
	tb.Fatalf("polls on %s still answered after the upgrade", sid)
}

// pollAfterSilence mirrors the suites' "sleep(PING_INTERVAL + PING_TIMEOUT),
// then poll": the client never answers a ping, and the poll must then be
// refused with 400. The sleep adds a margin over the suite's exact sum, and
// a poll still answered (a late timer) with the pending ping is retried
// without ever sending a pong, within eiotest.Timeout.
func pollAfterSilence(tb testing.TB, base, sid string) {
	tb.Helper()
	time.Sleep(suitePingInterval + suitePingTimeout + 100*time.Millisecond)
	deadline := time.Now().Add(eiotest.Timeout)
	for i := 0; i < 100 && time.Now().Before(deadline); i++ {
		status, body := eiotest.Poll(tb, base, sid)
		if status == http.StatusOK && strings.Trim(body, "2\x1e") == "" {
			continue // only pings: the timeout has not fired yet
		}
		assert.Equal(tb, http.StatusBadRequest, status, "poll after ping timeout: body %q", body)
		return
	}
	tb.Fatalf("session %s outlived the ping timeout", sid)
}

// The Socket.IO suite repeats the Engine.IO suite's close and heartbeat
// cases on /socket.io/; both suites call these so the cases stay one.

// assertForceClosePolling: a close packet posted while a poll waits ends
// that poll with a noop and the session with it.
func assertForceClosePolling(t *testing.T, b string) {
	sid := eiotest.Handshake(t, b).SID
	poll := startRequest(t, http.MethodGet, eiotest.URL(b, "polling", sid), "")
	status, _ := eiotest.Post(t, b, sid, "1")
	assert.Equal(t, http.StatusOK, status)
	r := await(t, poll)
	require.NoError(t, r.err)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "6", r.body)
	status, _ = eiotest.Poll(t, b, sid)
	assert.Equal(t, http.StatusBadRequest, status)
}

// assertForceCloseWebSocket: a close packet ends the WebSocket session.
// Pings are answered, so only the close packet can end it.
func assertForceCloseWebSocket(t *testing.T, b string) {
	ws := eiotest.Dial(t, b, "")
	eiotest.ReadText(t, ws, false) // handshake
	eiotest.Send(t, ws, "1")
	waitClosedAlive(t, ws)
}

// assertPingTimeoutWebSocket: a client that never answers the ping is
// closed within pingInterval + pingTimeout (bounded by eiotest's timeout).
func assertPingTimeoutWebSocket(t *testing.T, b string) {
	ws := eiotest.Dial(t, b, "")
	seen := eiotest.WaitClosed(t, ws)
	require.NotEmpty(t, seen)
	assert.True(t, strings.HasPrefix(seen[0], "0{"), seen)
}

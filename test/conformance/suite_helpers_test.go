package main

// Helpers shared by suite_engineio_test.go and suite_socketio_test.go, the
// Go ports of the public Engine.IO and Socket.IO protocol test suites. They
// stand in for the suites' fetch/WebSocket/waitFor helpers; every wait is
// bounded by eiotest.Timeout so a broken server fails instead of hanging.

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// startEngineEcho serves the engine.io-protocol suite's reference server
// (newEngineEcho) at /engine.io/ and returns the http://host:port/engine.io/
// base. The suite's timings are suitePingInterval and suitePingTimeout.
func startEngineEcho(tb testing.TB) string {
	tb.Helper()
	return startHarness(tb) + "/engine.io/"
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
	out := writeRequest(tb, method, u, body)
	time.Sleep(orderingGap)
	return out
}

// writeRequest sends a request from another goroutine and returns as soon
// as it has been written: a request sent after it arrives after it, with
// no pause between them.
func writeRequest(tb testing.TB, method, u, body string) <-chan response {
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

// assertPollRejected polls sid once and requires 400: the session is on
// its WebSocket, and a poll sent after the client sent the upgrade packet is
// refused, not answered with a noop.
func assertPollRejected(tb testing.TB, base, sid string) {
	tb.Helper()
	status, body := eiotest.Poll(tb, base, sid)
	assert.Equal(tb, http.StatusBadRequest, status, "poll after upgrade: body %q", body)
}

// upgradeRounds is how many times the upgrade-then-poll case runs: the
// poll may reach the server before the WebSocket's reader got to "5" (the
// server then waits a little for it), and which comes first is up to the
// machine, so one lucky round proves little.
const upgradeRounds = 10

// upgradeThenPoll is the suites' "2probe" and "5" sent back to back on a
// probing WebSocket, then a poll of the same sid, which must be refused
// with 400 (a noop, "6", fails the round: it is never retried). It returns
// the upgraded WebSocket.
func upgradeThenPoll(tb testing.TB, base string) *websocket.Conn {
	tb.Helper()
	sid := eiotest.Handshake(tb, base).SID
	ws := eiotest.Dial(tb, base, sid)
	eiotest.Send(tb, ws, "2probe")
	eiotest.Send(tb, ws, "5")
	assertPollRejected(tb, base, sid)
	return ws
}

// assertWSClosed checks that a WebSocket to u, a session that already has
// one, is accepted and then closed by the server, as the reference server
// does (400 is only for an unknown sid).
func assertWSClosed(tb testing.TB, u string) {
	tb.Helper()
	ws, res, err := websocket.DefaultDialer.Dial(u, nil)
	require.NoError(tb, err, "the handshake is accepted: %v", res)
	assert.Equal(tb, http.StatusSwitchingProtocols, res.StatusCode)
	waitClosedAlive(tb, ws)
}

// pollAfterSilence mirrors the suites' "sleep(PING_INTERVAL + PING_TIMEOUT),
// then poll": the client never answers a ping, and the poll must then be
// refused with 400. The sleep adds a margin over the suite's exact sum. On
// a busy machine the timers may fire later than that: a poll answered with
// the pending ping only is then sent again, never with a pong, and a poll
// that was waiting when the session timed out ends with that (a noop or a
// close packet, nothing else); the poll after it must be refused. All
// within eiotest.Timeout.
func pollAfterSilence(tb testing.TB, base, sid string) {
	tb.Helper()
	time.Sleep(suitePingInterval + suitePingTimeout + 100*time.Millisecond)
	deadline := time.Now().Add(eiotest.Timeout)
	ended := false
	for i := 0; i < 100 && time.Now().Before(deadline); i++ {
		status, body := eiotest.Poll(tb, base, sid)
		switch {
		case status == http.StatusOK && !ended && strings.Trim(body, "2\x1e") == "":
			continue // only pings: the timeout has not fired yet
		case status == http.StatusOK && !ended && (body == "6" || body == "1"):
			ended = true // this poll waited while the session timed out
			continue
		}
		assert.Equal(tb, http.StatusBadRequest, status, "poll after ping timeout: body %q", body)
		return
	}
	tb.Fatalf("session %s outlived the ping timeout", sid)
}

// The Socket.IO suite repeats the Engine.IO suite's close and heartbeat
// cases on /socket.io/; both suites call these so the cases stay one.

// assertForceClosePolling: a poll and, right behind it, a POST carrying the
// close packet, as the suite's Promise.all sends them (the poll first, no
// pause): the server answers in the order they arrived, so the poll gets a
// noop even when the POST is handled first, the POST ok, and the session is
// gone after. Repeated, because which is handled first is up to the
// machine.
func assertForceClosePolling(t *testing.T, b string) {
	for range 10 {
		sid := eiotest.Handshake(t, b).SID
		poll := writeRequest(t, http.MethodGet, eiotest.URL(b, "polling", sid), "")
		post := sendAsync(http.MethodPost, eiotest.URL(b, "polling", sid), "1")
		r, p := await(t, poll), await(t, post)
		require.NoError(t, r.err)
		require.NoError(t, p.err)
		assert.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, "6", r.body)
		assert.Equal(t, http.StatusOK, p.status)
		status, _ := eiotest.Poll(t, b, sid)
		assert.Equal(t, http.StatusBadRequest, status)
	}
}

// sendAsync sends a request from another goroutine at once, without
// waiting for it to be written.
func sendAsync(method, u, body string) <-chan response {
	out := make(chan response, 1)
	go func() {
		req, err := http.NewRequest(method, u, strings.NewReader(body))
		if err != nil {
			out <- response{err: err}
			return
		}
		if body != "" {
			req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
		}
		res, err := (&http.Client{Timeout: eiotest.Timeout}).Do(req)
		if err != nil {
			out <- response{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		out <- response{status: res.StatusCode, body: string(b), err: err}
	}()
	return out
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

// Package eiotest is a minimal Engine.IO v4 client for tests: raw polling
// requests over net/http and raw WebSocket frames over gorilla/websocket, so
// tests can assert on exact wire bytes.
package eiotest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Timeout bounds every wait of this package, so a broken server fails a test
// instead of hanging it.
const Timeout = 10 * time.Second

// Open is the handshake data of an open packet.
type Open struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int      `json:"pingInterval"`
	PingTimeout  int      `json:"pingTimeout"`
	MaxPayload   int      `json:"maxPayload"`
}

// URL returns base (http://host/socket.io/) with an EIO=4 query for transport and sid.
func URL(base, transport, sid string) string {
	q := url.Values{"EIO": {"4"}, "transport": {transport}}
	if sid != "" {
		q.Set("sid", sid)
	}
	return base + "?" + q.Encode()
}

var client = &http.Client{Timeout: Timeout}

// Do sends one request and returns the status and body.
func Do(tb testing.TB, method, u, body string) (int, string) {
	tb.Helper()
	status, b, err := TryDo(method, u, body)
	if err != nil {
		tb.Fatalf("eiotest: %v", err)
	}
	return status, b
}

// TryDo is Do for goroutines other than the test's: it returns the error.
func TryDo(method, u, body string) (int, string, error) {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	if body != "" {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}

// Handshake opens a polling session and returns its handshake data.
func Handshake(tb testing.TB, base string) Open {
	tb.Helper()
	status, body := Do(tb, http.MethodGet, URL(base, "polling", ""), "")
	if status != http.StatusOK || !strings.HasPrefix(body, "0") {
		tb.Fatalf("eiotest: handshake: %d %q", status, body)
	}
	return ParseOpen(tb, body)
}

// ParseOpen decodes an open packet ("0{...}").
func ParseOpen(tb testing.TB, pkt string) Open {
	tb.Helper()
	var o Open
	if !strings.HasPrefix(pkt, "0") {
		tb.Fatalf("eiotest: not an open packet: %q", pkt)
	}
	if err := json.Unmarshal([]byte(pkt[1:]), &o); err != nil {
		tb.Fatalf("eiotest: open packet %q: %v", pkt, err)
	}
	return o
}

// Poll sends one polling GET.
func Poll(tb testing.TB, base, sid string) (int, string) {
	tb.Helper()
	return Do(tb, http.MethodGet, URL(base, "polling", sid), "")
}

// Post sends one polling POST.
func Post(tb testing.TB, base, sid, body string) (int, string) {
	tb.Helper()
	return Do(tb, http.MethodPost, URL(base, "polling", sid), body)
}

// Dial opens a WebSocket to base (http://...), with sid for an upgrade or
// empty for a direct WebSocket session.
func Dial(tb testing.TB, base, sid string) *websocket.Conn {
	tb.Helper()
	ws, res, err := websocket.DefaultDialer.Dial(WSURL(base, sid), nil)
	if err != nil {
		tb.Fatalf("eiotest: dial: %v (response %v)", err, res)
	}
	tb.Cleanup(func() { _ = ws.Close() })
	return ws
}

// WSURL returns the ws:// form of URL(base, "websocket", sid).
func WSURL(base, sid string) string {
	return "ws" + strings.TrimPrefix(URL(base, "websocket", sid), "http")
}

// Send writes one text frame.
func Send(tb testing.TB, ws *websocket.Conn, text string) {
	tb.Helper()
	if err := ws.WriteMessage(websocket.TextMessage, []byte(text)); err != nil {
		tb.Fatalf("eiotest: write: %v", err)
	}
}

// Read returns the next frame: its type and bytes.
func Read(tb testing.TB, ws *websocket.Conn) (int, []byte) {
	tb.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(Timeout))
	mt, b, err := ws.ReadMessage()
	if err != nil {
		tb.Fatalf("eiotest: read: %v", err)
	}
	return mt, b
}

// ReadText returns the next frame, which must be text. With skipPings, server
// pings are answered with a pong and skipped, as a live client would.
func ReadText(tb testing.TB, ws *websocket.Conn, skipPings bool) string {
	tb.Helper()
	for range 1000 {
		mt, b := Read(tb, ws)
		if mt != websocket.TextMessage {
			tb.Fatalf("eiotest: want a text frame, got type %d: %x", mt, b)
		}
		if skipPings && string(b) == "2" {
			Send(tb, ws, "3")
			continue
		}
		return string(b)
	}
	tb.Fatalf("eiotest: only pings")
	return ""
}

// WaitClosed reads until the server closes ws, returning the text frames seen
// (pings excluded); it fails the test if that takes longer than Timeout.
func WaitClosed(tb testing.TB, ws *websocket.Conn) []string {
	tb.Helper()
	var seen []string
	_ = ws.SetReadDeadline(time.Now().Add(Timeout))
	for range 100000 {
		mt, b, err := ws.ReadMessage()
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				tb.Fatalf("eiotest: connection still open after %v", Timeout)
			}
			return seen
		}
		if mt == websocket.TextMessage && string(b) != "2" {
			seen = append(seen, string(b))
		}
	}
	tb.Fatalf("eiotest: too many frames")
	return nil
}

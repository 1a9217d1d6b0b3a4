package main

// This file mirrors test-suite/test-suite.js of the GitHub repository
// socketio/engine.io-protocol (the Engine.IO v4 suite, EIO=4), one t.Run per
// it(...) with the same text, grouped by the same describe(...) blocks.
// The suite's reference server is a bare Engine.IO server at /engine.io/
// that echoes messages; startEngineEcho builds it from our ws/engineio.

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/ws/engineio/eiotest"
)

// assertOpenPacket checks an open packet as the suites do: exactly the five
// keys, a string sid, and the reference settings.
func assertOpenPacket(tb testing.TB, pkt string, upgrades []string) {
	tb.Helper()
	require.True(tb, strings.HasPrefix(pkt, "0"), pkt)
	var keys map[string]json.RawMessage
	require.NoError(tb, json.Unmarshal([]byte(pkt[1:]), &keys))
	got := make([]string, 0, len(keys))
	for k := range keys {
		got = append(got, k)
	}
	assert.ElementsMatch(tb, []string{"sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"}, got)
	var v struct {
		SID          any      `json:"sid"`
		Upgrades     []string `json:"upgrades"`
		PingInterval int      `json:"pingInterval"`
		PingTimeout  int      `json:"pingTimeout"`
		MaxPayload   int      `json:"maxPayload"`
	}
	require.NoError(tb, json.Unmarshal([]byte(pkt[1:]), &v))
	assert.IsType(tb, "", v.SID)
	require.NotNil(tb, v.Upgrades, "upgrades must be an array")
	assert.Equal(tb, upgrades, v.Upgrades)
	assert.Equal(tb, 300, v.PingInterval)
	assert.Equal(tb, 200, v.PingTimeout)
	assert.Equal(tb, 1000000, v.MaxPayload)
}

func TestSuiteEngineIO(t *testing.T) {
	b := startEngineEcho(t)

	t.Run("handshake", func(t *testing.T) {
		t.Run("HTTP long-polling", func(t *testing.T) {
			t.Run("successfully opens a session", func(t *testing.T) {
				status, body := eiotest.Do(t, http.MethodGet, rawURL(b, "EIO=4&transport=polling"), "")
				assert.Equal(t, http.StatusOK, status)
				assertOpenPacket(t, body, []string{"websocket"})
			})
			t.Run("fails with an invalid 'EIO' query parameter", func(t *testing.T) {
				for _, q := range []string{"transport=polling", "EIO=abc&transport=polling"} {
					status, _ := eiotest.Do(t, http.MethodGet, rawURL(b, q), "")
					assert.Equal(t, http.StatusBadRequest, status, q)
				}
			})
			t.Run("fails with an invalid 'transport' query parameter", func(t *testing.T) {
				for _, q := range []string{"EIO=4", "EIO=4&transport=abc"} {
					status, _ := eiotest.Do(t, http.MethodGet, rawURL(b, q), "")
					assert.Equal(t, http.StatusBadRequest, status, q)
				}
			})
			t.Run("fails with an invalid request method", func(t *testing.T) {
				for _, m := range []string{http.MethodPost, http.MethodPut} {
					status, _ := eiotest.Do(t, m, rawURL(b, "EIO=4&transport=polling"), "")
					assert.Equal(t, http.StatusBadRequest, status, m)
				}
			})
		})
		t.Run("WebSocket", func(t *testing.T) {
			t.Run("successfully opens a session", func(t *testing.T) {
				ws := eiotest.Dial(t, b, "")
				assertOpenPacket(t, eiotest.ReadText(t, ws, false), []string{})
			})
			t.Run("fails with an invalid 'EIO' query parameter", func(t *testing.T) {
				assertWSRefused(t, wsRawURL(b, "transport=websocket"))
				assertWSRefused(t, wsRawURL(b, "EIO=abc&transport=websocket"))
			})
			t.Run("fails with an invalid 'transport' query parameter", func(t *testing.T) {
				assertWSRefused(t, wsRawURL(b, "EIO=4"))
				assertWSRefused(t, wsRawURL(b, "EIO=4&transport=abc"))
			})
		})
	})

	t.Run("message", func(t *testing.T) {
		t.Run("HTTP long-polling", func(t *testing.T) {
			for _, tt := range []struct{ name, payload string }{
				{"sends and receives a payload containing one plain text packet", "4hello"},
				{"sends and receives a payload containing several plain text packets", "4test1\x1e4test2\x1e4test3"},
				{"sends and receives a payload containing plain text and binary packets", "4hello\x1ebAQIDBA=="},
			} {
				t.Run(tt.name, func(t *testing.T) {
					sid := eiotest.Handshake(t, b).SID
					status, body := eiotest.Post(t, b, sid, tt.payload)
					assert.Equal(t, http.StatusOK, status)
					assert.Equal(t, "ok", body)
					status, body = eiotest.Poll(t, b, sid)
					assert.Equal(t, http.StatusOK, status)
					assert.Equal(t, tt.payload, body)
				})
			}
			t.Run("closes the session upon invalid packet format", func(t *testing.T) {
				sid := eiotest.Handshake(t, b).SID
				// The suite tolerates the POST failing at the transport level.
				if status, _, err := eiotest.TryDo(http.MethodPost, eiotest.URL(b, "polling", sid), "abc"); err == nil {
					assert.Equal(t, http.StatusBadRequest, status)
				}
				status, _ := eiotest.Poll(t, b, sid)
				assert.Equal(t, http.StatusBadRequest, status)
			})
			t.Run("closes the session upon duplicate poll requests", func(t *testing.T) {
				sid := eiotest.Handshake(t, b).SID
				first := startRequest(t, http.MethodGet, eiotest.URL(b, "polling", sid), "")
				second := startRequest(t, http.MethodGet, eiotest.URL(b, "polling", sid)+"&t=burst", "")
				r1, r2 := await(t, first), await(t, second)
				require.NoError(t, r1.err)
				require.NoError(t, r2.err)
				assert.Equal(t, http.StatusOK, r1.status)
				assert.Equal(t, "1", r1.body)
				// The suite accepts 400 or 500 (the Node.js server's choice).
				assert.Contains(t, []int{http.StatusBadRequest, http.StatusInternalServerError}, r2.status)
				status, _ := eiotest.Poll(t, b, sid)
				assert.Equal(t, http.StatusBadRequest, status)
			})
		})
		t.Run("WebSocket", func(t *testing.T) {
			t.Run("sends and receives a plain text packet", func(t *testing.T) {
				ws := eiotest.Dial(t, b, "")
				eiotest.ReadText(t, ws, false) // handshake
				eiotest.Send(t, ws, "4hello")
				mt, data := readFrame(t, ws, true)
				assert.Equal(t, websocket.TextMessage, mt)
				assert.Equal(t, "4hello", string(data))
			})
			t.Run("sends and receives a binary packet", func(t *testing.T) {
				ws := eiotest.Dial(t, b, "")
				eiotest.ReadText(t, ws, false) // handshake
				require.NoError(t, ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3, 4}))
				mt, data := readFrame(t, ws, true)
				assert.Equal(t, websocket.BinaryMessage, mt)
				assert.Equal(t, []byte{1, 2, 3, 4}, data)
			})
			t.Run("closes the session upon invalid packet format", func(t *testing.T) {
				ws := eiotest.Dial(t, b, "")
				eiotest.ReadText(t, ws, false) // handshake
				eiotest.Send(t, ws, "abc")
				// Pings are answered, so only "abc" can close the session.
				waitClosedAlive(t, ws)
			})
		})
	})

	t.Run("heartbeat", func(t *testing.T) {
		t.Run("HTTP long-polling", func(t *testing.T) {
			t.Run("sends ping/pong packets", func(t *testing.T) {
				sid := eiotest.Handshake(t, b).SID
				for range 3 {
					// The poll is held until the next ping, pingInterval later.
					status, body := eiotest.Poll(t, b, sid)
					require.Equal(t, http.StatusOK, status)
					require.Equal(t, "2", body)
					status, _ = eiotest.Post(t, b, sid, "3")
					require.Equal(t, http.StatusOK, status)
				}
			})
			t.Run("closes the session upon ping timeout", func(t *testing.T) {
				sid := eiotest.Handshake(t, b).SID
				pollAfterSilence(t, b, sid)
			})
		})
		t.Run("WebSocket", func(t *testing.T) {
			t.Run("sends ping/pong packets", func(t *testing.T) {
				ws := eiotest.Dial(t, b, "")
				eiotest.ReadText(t, ws, false) // handshake
				for range 3 {
					assert.Equal(t, "2", eiotest.ReadText(t, ws, false))
					eiotest.Send(t, ws, "3")
				}
			})
			t.Run("closes the session upon ping timeout", func(t *testing.T) {
				assertPingTimeoutWebSocket(t, b)
			})
		})
	})

	t.Run("close", func(t *testing.T) {
		t.Run("HTTP long-polling", func(t *testing.T) {
			t.Run("forcefully closes the session", func(t *testing.T) {
				assertForceClosePolling(t, b)
			})
		})
		t.Run("WebSocket", func(t *testing.T) {
			t.Run("forcefully closes the session", func(t *testing.T) {
				assertForceCloseWebSocket(t, b)
			})
		})
	})

	t.Run("upgrade", func(t *testing.T) {
		t.Run("successfully upgrades from HTTP long-polling to WebSocket", func(t *testing.T) {
			sid := eiotest.Handshake(t, b).SID
			ws := eiotest.Dial(t, b, sid)
			eiotest.Send(t, ws, "2probe")
			assert.Equal(t, "3probe", eiotest.ReadText(t, ws, false))
			status, body := eiotest.Poll(t, b, sid)
			assert.Equal(t, http.StatusOK, status)
			assert.Equal(t, "6", body) // noop ends the pending poll cleanly
			eiotest.Send(t, ws, "5")
			eiotest.Send(t, ws, "4hello")
			assert.Equal(t, "4hello", eiotest.ReadText(t, ws, true))
		})
		t.Run("ignores HTTP requests with same sid after upgrade", func(t *testing.T) {
			for range upgradeRounds {
				ws := upgradeThenPoll(t, b)
				eiotest.Send(t, ws, "4hello")
				assert.Equal(t, "4hello", nextNonProbe(t, ws))
			}
		})
		t.Run("ignores WebSocket connection with same sid after upgrade", func(t *testing.T) {
			sid := eiotest.Handshake(t, b).SID
			ws := eiotest.Dial(t, b, sid)
			eiotest.Send(t, ws, "2probe")
			eiotest.Send(t, ws, "5")
			assertWSClosed(t, eiotest.WSURL(b, sid))
			eiotest.Send(t, ws, "4hello")
			assert.Equal(t, "4hello", nextNonProbe(t, ws))
		})
	})
}

// nextNonProbe returns the next text frame after the "3probe" answer the
// suite does not wait for (it sends "2probe" and "5" back to back), pings
// answered.
func nextNonProbe(tb testing.TB, ws *websocket.Conn) string {
	tb.Helper()
	msg := eiotest.ReadText(tb, ws, true)
	if msg == "3probe" {
		msg = eiotest.ReadText(tb, ws, true)
	}
	return msg
}

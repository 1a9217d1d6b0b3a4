package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// fakeServer is just enough of a Talus server for the tool — one session,
// REST for projects, commands and the tree, Socket.IO over WebSocket — that
// can break its events on purpose. fault is one of:
//
//	gap      the third command's graph event skips a seq
//	reorder  the third command's graph event and executed swap places
//	foreign  an event of another session reaches the watchers
//	drop     the last event is never sent
//	hangup   the server closes the first watcher during the third command
//	slow     the server tells the first watcher it was too slow
//	preempts a session event reaches a socket before its joined reply
//	refuse   the fifth command is answered 503 UNAVAILABLE
type fakeServer struct {
	url   string
	fault string

	mu       sync.Mutex
	seq      uint64
	commands int
	conns    []*fakeConn
}

type fakeConn struct {
	mu sync.Mutex
	ws *websocket.Conn
}

func (c *fakeConn) send(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.ws.WriteMessage(websocket.TextMessage, []byte(s))
}

const fakeSession, fakeRoot = "S1", "R1"

func newFakeServer(tb testing.TB, fault string) *fakeServer {
	f := &fakeServer{fault: fault}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/projects", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"session_id":%q,"project_id":"P1","graph":{"roots":[{"id":%q,"children":[]}]}}`, fakeSession, fakeRoot)
	})
	mux.HandleFunc("POST /api/v1/commands/execute", f.execute)
	mux.HandleFunc("GET /api/v1/sessions/{sid}/graph/tree", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		fmt.Fprintf(w, `{"roots":[],"seq":%d}`, f.seq)
	})
	mux.HandleFunc("/socket.io/", f.socket)
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// event is one event frame of the /graph namespace.
func event(name, session string, seq uint64, commandID string) string {
	return fmt.Sprintf(`42/graph,[%q,{"event":%q,"session_id":%q,"project_id":"P1","seq":%d,"command_id":%q}]`,
		name, name, session, seq, commandID)
}

func (f *fakeServer) execute(w http.ResponseWriter, r *http.Request) {
	var body struct {
		CommandID string `json:"command_id"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.commands++
	n := f.commands
	if f.fault == "refuse" && n == 5 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"error":{"code":"UNAVAILABLE","message":"try again"}}`)
		return
	}
	var frames []string
	for _, name := range []string{"command:executing", "graph:property-changed", "command:executed"} {
		f.seq++
		if f.fault == "gap" && n == 3 && name == "graph:property-changed" {
			f.seq++
		}
		frames = append(frames, event(name, fakeSession, f.seq, body.CommandID))
	}
	switch {
	case f.fault == "reorder" && n == 3:
		frames[1], frames[2] = frames[2], frames[1]
	case f.fault == "foreign" && n == 3:
		frames = append(frames, event("graph:property-changed", "S2", 1, "other"))
	case f.fault == "drop" && n == 10:
		frames = frames[:2]
	case f.fault == "hangup" && n == 3 && len(f.conns) > 0:
		_ = f.conns[0].ws.Close()
	case f.fault == "slow" && n == 3 && len(f.conns) > 0:
		f.conns[0].send(`42/graph,["error",{"code":"SLOW_CONSUMER","message":"too slow"}]`)
	}
	for _, c := range f.conns {
		for _, fr := range frames {
			c.send(fr)
		}
	}
	fmt.Fprintf(w, `{"success":true,"command_id":%q,"seq":%d}`, body.CommandID, f.seq)
}

var upgrader = websocket.Upgrader{}

// socket speaks Engine.IO over WebSocket: open, namespace connect, then
// join_session with ack.
func (f *fakeServer) socket(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &fakeConn{ws: ws}
	defer ws.Close()
	c.send(`0{"sid":"e1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`)
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			return
		}
		msg := string(b)
		switch {
		case strings.HasPrefix(msg, "40/graph,"):
			c.send(`40/graph,{"sid":"x"}`)
		case strings.HasPrefix(msg, "42/graph,") && strings.Contains(msg, `"join_session"`):
			id := strings.TrimPrefix(msg, "42/graph,")
			id = id[:strings.IndexByte(id, '[')]
			f.mu.Lock()
			if f.fault == "preempts" {
				c.send(event("session:connected", fakeSession, f.seq, ""))
			}
			joined := fmt.Sprintf(`{"session_id":%q,"client_id":"c%d","active_clients":%d,"seq":%d}`,
				fakeSession, len(f.conns), len(f.conns)+1, f.seq)
			c.send(`42/graph,["joined",` + joined + `]`)
			c.send(`43/graph,` + id + `[` + joined + `]`)
			f.conns = append(f.conns, c)
			f.mu.Unlock()
		}
	}
}

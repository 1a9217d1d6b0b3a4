// Package engineio implements the server side of the Engine.IO protocol,
// revision 4: the HTTP long-polling and WebSocket transports, the upgrade from
// one to the other, and the heartbeat.
//
// A Server is an http.Handler. Each Engine.IO session is a Conn; the layer
// above (package socketio) sees only Conn's transport-independent API: Send
// enqueues packets, OnMessage delivers incoming message packets one at a time,
// OnClose reports the end of the session exactly once.
//
// Ownership: a Conn's outgoing queue is drained by exactly one writer at a
// time — the pending polling GET, or, after the upgrade, the WebSocket's
// write goroutine, which is the only goroutine writing to that WebSocket. The
// WebSocket's read loop is its only reader.
package engineio

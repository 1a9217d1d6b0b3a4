// Package ws is the real-time side of the server: it mounts the Socket.IO
// endpoint (our own Engine.IO/Socket.IO layer in the engineio and socketio
// sub-packages) and bridges each connected socket to the session it joins.
//
// A client owns only its connection state: which session it watches, as a
// membership. Session state stays in the session actor; a client reaches it
// through *actors.Client like a REST handler does. A client's requests run
// one at a time, in order, on its connection's receive goroutine; the
// membership is the session's Subscriber, and the session actor hands it
// each event's frame, encoded once for every client, straight into the
// connection's one outgoing queue, which is bounded in bytes. A client that
// lets that queue fill is dropped at once with SLOW_CONSUMER; the session
// never waits for it. So a WebSocket connection has one reader and one
// writer goroutine and nothing else. PROTOCOL.md is the event catalog.
package ws
